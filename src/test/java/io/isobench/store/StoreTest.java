package io.isobench.store;

import io.isobench.bench.Sample;
import io.isobench.bench.micro.CpuBenchmark;
import io.isobench.util.UserException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The store's contract, on both SQLite and PostgreSQL (a real server: see {@link TestStores}). */
class StoreTest {
    @TempDir
    Path dir;

    private final TestStores stores = new TestStores();

    @AfterEach
    void dropSchemas() {
        stores.close();
    }

    private Store open(String location) {
        return Stores.open(location, Stores.Mode.CREATE);
    }

    private static TrialRecord trial(String run, String runtime, int rep, boolean warmup, double v) {
        return new TrialRecord(run, "cpu", Map.of("max_prime", "20000"), runtime, rep, warmup, Instant.now(), 1000,
                List.of(new Sample(CpuBenchmark.EVENTS_PER_SECOND, v)), null, "raw " + v);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void everyTrialIsVisibleToAnotherConnectionAsSoonAsItIsRecorded(String kind) {
        String db = stores.fresh(kind, dir);
        try (Store s = open(db)) {
            s.createRun("run1", Instant.now(), "test", Map.of("cpus", 2), Map.of("repetitions", 1), Map.of());
            s.addRuntime("run1", "native", "native", true, "k", null, Map.of());
            s.recordTrial(trial("run1", "native", 1, false, 1800.5));
            // a second, independent connection (as sqlite3, psql or a crash-restart would be) sees the committed sample
            try (Store other = open(db)) {
                assertThat(other.loadRun("run1").samples()).singleElement().satisfies(x -> {
                    assertThat(x.value()).isEqualTo(1800.5);
                    assertThat(x.metric()).isEqualTo("events_per_second");
                });
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void roundTripWithFailuresAndWarmups(String kind) {
        try (Store s = open(stores.fresh(kind, dir))) {
            s.createRun("20260101-000000-0001", Instant.parse("2026-01-01T00:00:00Z"), "test", Map.of(), Map.of("baseline", "native"), Map.of());
            s.addRuntime("20260101-000000-0001", "runc", "container", true, "1.1", null, Map.of("seccomp", "none"));
            s.addRuntime("20260101-000000-0001", "crun", "container", false, null, "not installed", Map.of());
            s.recordTrial(trial("20260101-000000-0001", "runc", 1, true, 10));
            s.recordTrial(trial("20260101-000000-0001", "runc", 1, false, 20));
            s.recordTrial(new TrialRecord("20260101-000000-0001", "cpu", Map.of(), "runc", 2, false, Instant.now(), 5,
                    List.of(), "timed out", "partial output", 1.6));
            s.recordStop("20260101-000000-0001", "cpu", Map.of("max_prime", "20000"), 2, "fixed");
            s.finishRun("20260101-000000-0001", "completed", 1.5, 1L << 40);

            StoredRun r = s.loadRun(s.resolveRunId("20260101"));
            assertThat(r.header().status()).isEqualTo("completed");
            assertThat(r.header().harnessCpuSeconds()).isEqualTo(1.5);
            assertThat(r.header().harnessPeakRssBytes()).isEqualTo(1L << 40);
            assertThat(r.header().host()).containsKey("loadavg_end");
            assertThat(r.samples()).hasSize(2);
            assertThat(r.samples()).filteredOn(StoredRun.SampleRow::warmup).hasSize(1);
            assertThat(r.failures()).singleElement().satisfies(f -> {
                assertThat(f.reason()).isEqualTo("timed out");
                assertThat(f.rawOutput()).isEqualTo("partial output");
            });
            assertThat(r.runtimes()).extracting(StoredRun.RuntimeRow::runtime).containsExactly("runc", "crun");
            assertThat(r.runtimes().get(0).details()).containsEntry("seccomp", "none");
            assertThat(r.stops()).singleElement().satisfies(x -> assertThat(x.reason()).isEqualTo("fixed"));
            // the other work measured before a trial; trials without the figure have none
            assertThat(r.loads()).containsExactly(new StoredRun.TrialLoad("cpu", "{}", "runc", 2, false, 1.6));
            assertThat(s.listRuns()).singleElement().satisfies(l -> {
                assertThat(l.trials()).isEqualTo(3);
                assertThat(l.failures()).isEqualTo(1);
            });
            assertThat(s.resolveRunId("latest")).isEqualTo("20260101-000000-0001");
            assertThatThrownBy(() -> s.resolveRunId("nope")).isInstanceOf(UserException.class).hasMessageContaining("no run 'nope'");
            // LIKE wildcards in a prefix are literal
            assertThatThrownBy(() -> s.resolveRunId("2026_")).isInstanceOf(UserException.class);
            assertThatThrownBy(() -> s.resolveRunId("%")).isInstanceOf(UserException.class);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void seriesPointsKeepWhereTheySit(String kind) {
        try (Store s = open(stores.fresh(kind, dir))) {
            s.createRun("r", Instant.now(), "test", Map.of(), Map.of(), Map.of());
            s.addRuntime("r", "native", "native", true, "k", null, Map.of());
            io.isobench.bench.Metric cpu = new io.isobench.bench.Metric("cpu_percent", "%", false);
            s.recordTrial(new TrialRecord("r", "load-profile", Map.of("rate", "100"), "native", 1, false, Instant.now(), 1,
                    List.of(new Sample(cpu, 3.5, Map.of("t_s", "0.100", "phase", "idle")), new Sample(cpu, 7.0)), null, "raw"));
            StoredRun r = s.loadRun("r");
            assertThat(r.samples()).hasSize(2);
            assertThat(r.samples().get(0).seriesJson()).isEqualTo("{\"phase\":\"idle\",\"t_s\":\"0.100\"}");
            assertThat(r.samples().get(0).isSeriesPoint()).isTrue();
            assertThat(r.samples().get(1).isSeriesPoint()).isFalse();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void reopeningAnExistingDatabaseKeepsItsRuns(String kind) {
        String db = stores.fresh(kind, dir);
        try (Store s = open(db)) {
            s.createRun("a", Instant.now(), "t", Map.of(), Map.of(), Map.of());
        }
        try (Store s = open(db)) {
            assertThat(s.listRuns()).extracting(Store.RunRow::id).containsExactly("a");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void listFiltersByHostStatusAndDate(String kind) {
        try (Store s = open(stores.fresh(kind, dir))) {
            s.createRun("a", Instant.parse("2026-03-01T10:00:00Z"), "t", Map.of("hostname", "alpha"), Map.of(), Map.of());
            s.createRun("b", Instant.parse("2026-03-02T10:00:00Z"), "t", Map.of("hostname", "beta"), Map.of(), Map.of());
            s.createRun("c", Instant.parse("2026-03-03T10:00:00Z"), "t", Map.of("hostname", "alpha"), Map.of(), Map.of());
            s.finishRun("c", "completed", 0, 0);
            assertThat(s.listRuns(new Store.RunFilter("alpha", null, null, null))).extracting(Store.RunRow::id).containsExactly("c", "a");
            assertThat(s.listRuns(new Store.RunFilter(null, "completed", null, null))).extracting(Store.RunRow::id).containsExactly("c");
            assertThat(s.listRuns(new Store.RunFilter(null, null, Instant.parse("2026-03-02T00:00:00Z"), Instant.parse("2026-03-03T00:00:00Z"))))
                    .extracting(Store.RunRow::id).containsExactly("b");
            assertThat(s.listRuns()).extracting(Store.RunRow::host).containsExactly("alpha", "beta", "alpha");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite->postgresql", "postgresql->sqlite", "sqlite->sqlite"})
    void pushCopiesARunWithEverythingOnceAndKeepsItsId(String direction) {
        String[] k = direction.split("->");
        try (Store from = open(stores.fresh(k[0], dir)); Store to = open(stores.fresh(k[1], dir))) {
            String id = "20260101-000000-abcdef012345";
            from.createRun(id, Instant.parse("2026-01-01T00:00:00Z"), "t", Map.of("hostname", "offline-box"), Map.of("baseline", "native"), Map.of("x", "1"));
            from.addRuntime(id, "native", "native", true, "k", null, Map.of());
            from.addRuntime(id, "runc", "container", true, "1.1", null, Map.of("limits", "none"));
            from.recordTrial(trial(id, "native", 1, true, 5));
            from.recordTrial(trial(id, "native", 1, false, 10));
            from.recordTrial(new TrialRecord(id, "cpu", Map.of("max_prime", "20000"), "runc", 1, false, Instant.now(), 5,
                    List.of(), "exit 1", "runc: boom", 0.4));
            from.recordStop(id, "cpu", Map.of("max_prime", "20000"), 1, "fixed");
            // a run already in the target keeps its own rows: trial ids there differ from the source's
            to.createRun("other", Instant.now(), "t", Map.of(), Map.of(), Map.of());
            to.recordTrial(trial("other", "native", 1, false, 1));

            assertThat(from.pushRun(id, to)).isEqualTo(Store.PushOutcome.COPIED);
            StoredRun a = from.loadRun(id);
            StoredRun b = to.loadRun(id);
            assertThat(b.header()).isEqualTo(a.header());
            assertThat(b.runtimes()).isEqualTo(a.runtimes());
            assertThat(b.samples()).isEqualTo(a.samples());
            assertThat(b.failures()).isEqualTo(a.failures());
            assertThat(b.stops()).isEqualTo(a.stops());
            assertThat(b.loads()).isEqualTo(a.loads()).hasSize(1);
            assertThat(to.listRuns()).filteredOn(r -> r.id().equals(id)).singleElement()
                    .satisfies(r -> assertThat(r.trials()).isEqualTo(3));

            // twice: nothing changes
            assertThat(from.pushRun(id, to)).isEqualTo(Store.PushOutcome.UNCHANGED);
            assertThat(to.loadRun(id)).isEqualTo(b);
            // the source grew (pushed while running): the copy is replaced
            from.recordTrial(trial(id, "native", 2, false, 11));
            from.finishRun(id, "completed", 1, 2);
            assertThat(from.pushRun(id, to)).isEqualTo(Store.PushOutcome.UPDATED);
            assertThat(to.loadRun(id)).isEqualTo(from.loadRun(id));
            // back again: the source already has it
            assertThat(to.pushRun(id, from)).isEqualTo(Store.PushOutcome.UNCHANGED);
            // a different run under the same id is refused
            to.createRun("clash", Instant.now(), "t", Map.of("hostname", "h1"), Map.of(), Map.of());
            from.createRun("clash", Instant.now().minusSeconds(60), "t", Map.of("hostname", "h2"), Map.of(), Map.of());
            assertThatThrownBy(() -> from.pushRun("clash", to)).isInstanceOf(UserException.class).hasMessageContaining("different run");
        }
    }

    @Test
    void unusablePathsAreUserErrors() throws Exception {
        assertThatThrownBy(() -> Store.open(dir)).isInstanceOf(UserException.class).hasMessageContaining("is a directory");
        Path file = dir.resolve("plainfile");
        Files.writeString(file, "x");
        assertThatThrownBy(() -> Store.open(file.resolve("r.db"))).isInstanceOf(UserException.class);
        Path notDb = dir.resolve("garbage.db");
        Files.writeString(notDb, "this is not a database, just text that is long enough to be a header......");
        assertThatThrownBy(() -> Store.open(notDb)).isInstanceOf(UserException.class).hasMessageContaining("cannot open the database");
    }

    @Test
    void aWrongPostgresPasswordIsOneMaskedLine() {
        TestStores.requirePostgres();
        StoreLocation l = StoreLocation.parse(TestStores.pgUrl());
        String url = "postgresql://" + l.connectionProperties().getProperty("user") + ":s3cret-wrong@"
                + l.display().replaceFirst("^postgresql://[^@]*@", "");
        assertThatThrownBy(() -> open(url)).isInstanceOf(UserException.class)
                .hasMessageContaining("password authentication failed")
                .hasMessageNotContaining("s3cret-wrong")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void nothingListensThereIsOneLine() {
        assertThatThrownBy(() -> open("postgresql://u:hunter2@127.0.0.1:1/db")).isInstanceOf(UserException.class)
                .hasMessageContaining("postgresql://u@127.0.0.1:1/db")
                .hasMessageNotContaining("hunter2");
    }

    /** run --resume: only an interrupted or abandoned run is taken up, once; the store says what it already has. */
    @Test
    void resumingTakesUpAnInterruptedRunOnceAndRemembersIt() {
        try (Store s = Store.open(dir.resolve("res.db"))) {
            s.createRun("r1", Instant.now(), "test", Map.of("hostname", "h"), Map.of(), Map.of());
            s.recordTrial(trial("r1", "native", 1, true, 10));
            s.recordTrial(trial("r1", "native", 1, false, 20));
            s.recordTrial(new TrialRecord("r1", "cpu", Map.of("max_prime", "20000"), "native", 2, false, Instant.now(), 5,
                    List.of(), "timed out", "partial"));
            assertThat(s.resumeRun("r1", Instant.now(), 3)).as("still running").isFalse();
            s.finishRun("r1", "interrupted", 1, 1);
            assertThat(s.runState("r1").status()).isEqualTo("interrupted");

            assertThat(s.doneTrials("r1")).extracting(Store.DoneTrial::repetition, Store.DoneTrial::warmup,
                    Store.DoneTrial::ok, Store.DoneTrial::firstValue).containsExactly(
                    org.assertj.core.groups.Tuple.tuple(1, true, true, 10.0),
                    org.assertj.core.groups.Tuple.tuple(1, false, true, 20.0),
                    org.assertj.core.groups.Tuple.tuple(2, false, false, null));
            assertThat(s.resumeRun("r1", Instant.parse("2026-02-03T04:05:06Z"), 3)).isTrue();
            assertThat(s.resumeRun("r1", Instant.now(), 3)).as("a second resume while it runs").isFalse();
            Store.RunState st = s.runState("r1");
            assertThat(st.status()).isEqualTo("running");
            assertThat(st.pid()).isEqualTo(ProcessHandle.current().pid());
            s.finishRun("r1", "completed", 1, 1);
            assertThat(s.resumeRun("r1", Instant.now(), 0)).as("completed").isFalse();
            assertThat(s.loadRun("r1").resumptions()).containsExactly(
                    new StoredRun.Resumption("2026-02-03T04:05:06Z", "interrupted", 3));
            assertThat(s.caseStopped("r1", "cpu", Map.of("max_prime", "20000"))).isFalse();
            s.recordStop("r1", "cpu", Map.of("max_prime", "20000"), 2, "fixed repetitions");
            assertThat(s.caseStopped("r1", "cpu", Map.of("max_prime", "20000"))).isTrue();
            assertThatThrownBy(() -> s.runState("nope")).isInstanceOf(UserException.class);
        }
    }
}
