package io.isobench.store;

import io.isobench.bench.CpuBenchmark;
import io.isobench.bench.Sample;
import io.isobench.util.UserException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StoreTest {
    @TempDir
    Path dir;

    private static TrialRecord trial(String run, String runtime, int rep, boolean warmup, double v) {
        return new TrialRecord(run, "cpu", Map.of("max_prime", "20000"), runtime, rep, warmup, Instant.now(), 1000,
                List.of(new Sample(CpuBenchmark.EVENTS_PER_SECOND, v)), null, "raw " + v);
    }

    @Test
    void everyTrialIsVisibleToAnotherConnectionAsSoonAsItIsRecorded() throws Exception {
        Path db = dir.resolve("r.db");
        try (Store s = Store.open(db)) {
            s.createRun("run1", Instant.now(), "test", Map.of("cpus", 2), Map.of("repetitions", 1), Map.of());
            s.addRuntime("run1", "native", "native", true, "k", null, Map.of());
            s.recordTrial(trial("run1", "native", 1, false, 1800.5));
            // a second, independent reader (as sqlite3 or a crash-restart would be) sees the committed sample
            try (var c = DriverManager.getConnection("jdbc:sqlite:" + db);
                 var rs = c.createStatement().executeQuery("SELECT value, metric FROM samples")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getDouble(1)).isEqualTo(1800.5);
                assertThat(rs.getString(2)).isEqualTo("events_per_second");
            }
        }
    }

    @Test
    void roundTripWithFailuresAndWarmups() {
        try (Store s = Store.open(dir.resolve("sub/dir/r.db"))) {
            s.createRun("20260101-000000-0001", Instant.parse("2026-01-01T00:00:00Z"), "test", Map.of(), Map.of("baseline", "native"), Map.of());
            s.addRuntime("20260101-000000-0001", "runc", "container", true, "1.1", null, Map.of("seccomp", "none"));
            s.recordTrial(trial("20260101-000000-0001", "runc", 1, true, 10));
            s.recordTrial(trial("20260101-000000-0001", "runc", 1, false, 20));
            s.recordTrial(new TrialRecord("20260101-000000-0001", "cpu", Map.of(), "runc", 2, false, Instant.now(), 5,
                    List.of(), "timed out", "partial output"));
            s.finishRun("20260101-000000-0001", "completed", 1.5, 1 << 20);

            StoredRun r = s.loadRun(s.resolveRunId("20260101"));
            assertThat(r.header().status()).isEqualTo("completed");
            assertThat(r.header().harnessCpuSeconds()).isEqualTo(1.5);
            assertThat(r.samples()).hasSize(2);
            assertThat(r.samples()).filteredOn(StoredRun.SampleRow::warmup).hasSize(1);
            assertThat(r.failures()).singleElement().satisfies(f -> {
                assertThat(f.reason()).isEqualTo("timed out");
                assertThat(f.rawOutput()).isEqualTo("partial output");
            });
            assertThat(r.runtimes()).singleElement().satisfies(rt -> assertThat(rt.details()).containsEntry("seccomp", "none"));
            assertThat(s.listRuns()).singleElement().satisfies(l -> {
                assertThat(l.trials()).isEqualTo(3);
                assertThat(l.failures()).isEqualTo(1);
            });
            assertThat(s.resolveRunId("latest")).isEqualTo("20260101-000000-0001");
            assertThatThrownBy(() -> s.resolveRunId("nope")).isInstanceOf(UserException.class).hasMessageContaining("no run 'nope'");
        }
    }

    @Test
    void seriesPointsKeepWhereTheySit() {
        try (Store s = Store.open(dir.resolve("series.db"))) {
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

    @Test
    void reopeningAnExistingDatabaseKeepsItsRuns() {
        Path db = dir.resolve("r.db");
        try (Store s = Store.open(db)) {
            s.createRun("a", Instant.now(), "t", Map.of(), Map.of(), Map.of());
        }
        try (Store s = Store.open(db)) {
            assertThat(s.listRuns()).extracting(Store.RunRow::id).containsExactly("a");
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
