package io.isobench.exec;

import io.isobench.IntegrationSupport;
import io.isobench.analysis.ResultStats;
import io.isobench.analysis.Summary;
import io.isobench.bench.Benchmark;
import io.isobench.bench.CommandBenchmark;
import io.isobench.bench.Metric;
import io.isobench.bench.ParamSpec;
import io.isobench.bench.Params;
import io.isobench.bench.Sample;
import io.isobench.bench.TrialContext;
import io.isobench.image.ImageBuilder;
import io.isobench.image.WorkloadImage;
import io.isobench.plan.Plan;
import io.isobench.plan.PlanLoader;
import io.isobench.report.RunJson;
import io.isobench.runtime.RuntimeDriver;
import io.isobench.runtime.Runtimes;
import io.isobench.store.Store;
import io.isobench.store.StoredRun;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Real runs of native, runc and runsc with short trials: measurements, storage, the JSON contract, cleanup. */
class RunIT {
    @TempDir
    static Path dir;

    @BeforeAll
    static void root() {
        assumeTrue(IntegrationSupport.isRoot(), "integration tests need root");
    }

    @Test
    void cpuAndMemoryInNativeRuncAndRunsc() {
        Plan plan = new PlanLoader().top("runtimes", "native,runc,runsc", "test").top("repetitions", "2", "test")
                .top("warmups", "1", "test").top("cooldown", "0s", "test")
                .set("cpu.time=1s", "test").set("memory.time=1s", "test").set("memory.block_size=1K", "test").build();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (Store store = Store.open(dir.resolve("run.db"))) {
            String id = new RunService(store, new ImageBuilder(dir.resolve("images")), new PrintStream(log)).run(plan, false);
            StoredRun run = store.loadRun(id);
            assertThat(run.header().status()).isEqualTo("completed");
            assertThat(run.failures()).as(log.toString()).isEmpty();
            // 3 runtimes x (1 cpu case + 2 memory cases) x (1 warmup + 2 reps) trials; cpu 4 metrics, memory 2
            assertThat(run.samples()).hasSize(3 * 3 * (4 + 2 + 2));
            assertThat(run.samples()).filteredOn(StoredRun.SampleRow::warmup).hasSize(3 * (4 + 2 + 2));
            // the host's other work was read before every trial (a CI host running only this test is not busy)
            assertThat(run.loads()).hasSize(3 * 3 * 3).allSatisfy(l -> assertThat(l.othersRunnable()).isBetween(0.0, 64.0));

            List<ResultStats> stats = Summary.of(run, "native");
            for (String rt : List.of("native", "runc", "runsc")) {
                ResultStats cpu = stats.stream().filter(s -> s.runtime().equals(rt) && s.metric().equals("events_per_second"))
                        .findFirst().orElseThrow();
                assertThat(cpu.n()).isEqualTo(2);
                assertThat(cpu.median()).isGreaterThan(50);
                assertThat(cpu.ratioToBaseline()).isNotNull().isBetween(0.3, 3.0);
                assertThat(stats).filteredOn(s -> s.runtime().equals(rt) && s.metric().equals("throughput_mib_per_s"))
                        .extracting(s -> s.params().get("access_mode")).containsExactly("seq", "rnd");
            }

            Map<String, Object> json = RunJson.of(run, stats);
            assertThat(json).containsKeys("run_id", "started_at", "finished_at", "host", "runtimes", "results", "failures", "harness");
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> results = (List<Map<String, Object>>) json.get("results");
            assertThat(results.get(0)).containsKeys("benchmark", "metric", "unit", "higher_is_better", "params", "runtime",
                    "n", "median", "mean", "stddev", "min", "max", "ratio_to_baseline");
            @SuppressWarnings("unchecked")
            Map<String, Object> harness = (Map<String, Object>) json.get("harness");
            assertThat((Double) harness.get("cpu_seconds")).isPositive();
            assertThat((Long) harness.get("peak_rss_bytes")).isGreaterThan(1L << 20);
            assertThat(run.header().tools()).containsKeys("workload_image", "sysbench");
            assertThat(run.runtimes()).filteredOn(r -> r.runtime().equals("runsc")).singleElement()
                    .satisfies(r -> assertThat(r.details()).containsEntry("platform", "ptrace").containsKey("limits"));
            IntegrationSupport.assertNothingLeft("isobench-" + id);
        }
    }

    /** A workload that never ends: the trial must be killed at its timeout, recorded as a failure, and the run go on. */
    @Test
    void hungSandboxIsKilledAtItsTimeoutAndRecorded() throws Exception {
        Benchmark hang = new CommandBenchmark() {
            public String id() {
                return "hang";
            }

            public String description() {
                return "sleeps forever";
            }

            public List<ParamSpec> params() {
                return List.of();
            }

            public Set<String> tools() {
                return Set.of("sleep");
            }

            public List<Metric> metrics() {
                return List.of();
            }

            public List<Params> cases(Params p) {
                return List.of(p);
            }

            public Duration expectedDuration(Params p) {
                return Duration.ofSeconds(1);
            }

            protected List<String> command(TrialContext ctx) {
                return List.of(ctx.image().tools().get("sleep"), "600");
            }

            protected List<Sample> parse(String stdout, Params params) {
                return List.of();
            }
        };
        Plan plan = new PlanLoader().top("repetitions", "1", "t").top("warmups", "0", "t").top("cooldown", "0s", "t")
                .top("timeout", "3s", "t").top("benchmarks", "cpu", "t").build();
        Plan hangPlan = new Plan(plan.runtimes(), List.of("hang"), 1, 0, Duration.ZERO, Duration.ofSeconds(3), "native",
                plan.limits(), Map.of("hang", new Params(Map.of())), "test", null);
        WorkloadImage image = new ImageBuilder(dir.resolve("images")).build(Set.of("sleep"), false);
        List<RuntimeDriver> rts = List.of(Runtimes.byId("runc").orElseThrow(), Runtimes.byId("runsc").orElseThrow());
        try (Store store = Store.open(dir.resolve("hang.db"))) {
            store.createRun("hang-run", Instant.now(), "t", Map.of(), hangPlan.toMap(), Map.of());
            long t0 = System.nanoTime();
            new Executor(store, hangPlan, rts, List.of(hang), image).execute("hang-run", Progress.create(2, true, System.err));
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertThat(seconds).as("both trials end soon after their 3 s timeout").isLessThan(40);
            StoredRun run = store.loadRun("hang-run");
            assertThat(run.failures()).hasSize(2).allSatisfy(f -> assertThat(f.reason()).contains("timed out after 3 s"));
        }
        IntegrationSupport.assertNothingLeft("isobench-hang-run");
    }
}
