package io.isobench.bench.fleet;

import io.isobench.IntegrationSupport;
import io.isobench.bench.Params;
import io.isobench.bench.TrialContext;
import io.isobench.bench.TrialFailure;
import io.isobench.exec.RunService;
import io.isobench.image.ImageBuilder;
import io.isobench.image.WorkloadImage;
import io.isobench.plan.Plan;
import io.isobench.plan.PlanLoader;
import io.isobench.runtime.Limits;
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
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Real startup and footprint runs in native and runc: one sample per instance, memory of real processes, nothing left. */
class StartupFootprintIT {
    @TempDir
    static Path dir;

    @BeforeAll
    static void root() {
        assumeTrue(IntegrationSupport.isRoot(), "integration tests need root");
    }

    @Test
    void startupAndFootprintInNativeAndRunc() {
        Plan plan = new PlanLoader().top("runtimes", "native,runc", "test").top("benchmarks", "startup,footprint", "test")
                .top("repetitions", "1", "test").top("warmups", "0", "test").top("cooldown", "0s", "test")
                .set("startup.instances=1,4", "test").set("startup.iterations=2", "test").set("startup.delay=0ms", "test")
                .set("footprint.instances=3", "test").set("footprint.settle=200ms", "test").build();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (Store store = Store.open(dir.resolve("run.db"))) {
            String id = new RunService(store, new ImageBuilder(dir.resolve("images")), new PrintStream(log)).run(plan, false);
            StoredRun run = store.loadRun(id);
            assertThat(run.header().status()).isEqualTo("completed");
            assertThat(run.failures()).as(log.toString()).isEmpty();
            for (String rt : List.of("native", "runc")) {
                for (int n : new int[]{1, 4}) {
                    List<StoredRun.SampleRow> ready = run.samples().stream().filter(s -> s.runtime().equals(rt)
                            && s.benchmark().equals("startup") && s.metric().equals("ready_ms")
                            && s.paramsJson().contains("\"instances\":\"" + n + "\"")).toList();
                    assertThat(ready).as(rt + " N=" + n + ": one sample per instance and iteration").hasSize(2 * n)
                            .allSatisfy(s -> assertThat(s.value()).isBetween(0.05, 30_000.0));
                    assertThat(ready).allSatisfy(s -> assertThat(s.paramsJson()).contains("\"delay_ms\":\"0\"")
                            .contains("\"readiness\":\"first-line\"").doesNotContain("iterations"));
                    assertThat(run.samples()).filteredOn(s -> s.runtime().equals(rt) && s.metric().equals("teardown_ms")
                            && s.paramsJson().contains("\"instances\":\"" + n + "\"")).hasSize(2 * n);
                }
                assertThat(run.samples()).filteredOn(s -> s.runtime().equals(rt) && s.benchmark().equals("footprint"))
                        .extracting(StoredRun.SampleRow::metric).containsExactlyInAnyOrder("pss_mib_per_instance", "pss_mib_total",
                                "pss_mib_single", "uss_mib_per_instance", "rss_mib_per_instance", "memavailable_mib_per_instance");
            }
            double nativePss = value(run, "native", "pss_mib_single");
            double runcPss = value(run, "runc", "pss_mib_single");
            assertThat(nativePss).isPositive();
            assertThat(runcPss).as("runc's instance has the runc launcher besides the workload").isGreaterThan(nativePss);
            assertThat(value(run, "runc", "pss_mib_total")).isGreaterThan(runcPss);
            IntegrationSupport.assertNothingLeft("isobench-" + id);
            assertThat(IntegrationSupport.trialRawOutputs(dir.resolve("run.db"), id, "footprint")).hasSize(2)
                    .allSatisfy(raw -> assertThat(raw).contains("== 1 instance:").contains("== 3 instances:").contains("pss="));
        }
    }

    /**
     * startup with readiness=http and a short load-profile, for real, in native and runc: readiness through each
     * runtime's own network path, the driver's phases in launch order, the load profile's series and summary.
     */
    @Test
    void httpReadinessAndLoadProfileInNativeAndRunc() {
        Plan plan = new PlanLoader().top("runtimes", "native,runc", "test").top("benchmarks", "startup,load-profile", "test")
                .top("repetitions", "1", "test").top("warmups", "0", "test").top("cooldown", "0s", "test")
                .set("startup.instances=1,3", "test").set("startup.iterations=1", "test").set("startup.readiness=http", "test")
                .set("load-profile.idle=1s", "test").set("load-profile.load=2s", "test").set("load-profile.rate=50", "test").build();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (Store store = Store.open(dir.resolve("http.db"))) {
            String id = new RunService(store, new ImageBuilder(dir.resolve("images")), new PrintStream(log)).run(plan, false);
            StoredRun run = store.loadRun(id);
            assertThat(run.failures()).as(log.toString()).isEmpty();
            for (String rt : List.of("native", "runc")) {
                java.util.function.BiFunction<String, Integer, List<Double>> values = (metric, n) -> run.samples().stream()
                        .filter(s -> s.runtime().equals(rt) && s.benchmark().equals("startup") && s.metric().equals(metric)
                                && s.paramsJson().contains("\"instances\":\"" + n + "\""))
                        .map(StoredRun.SampleRow::value).toList();
                for (int n : new int[]{1, 3}) {
                    assertThat(values.apply("ready_ms", n)).as(rt + " N=" + n).hasSize(n);
                    assertThat(values.apply("first_line_ms", n)).hasSize(n);
                    assertThat(values.apply("spawned_ms", n)).hasSize(n);
                    assertThat(values.apply("all_ready_ms", n)).hasSize(1);
                    // both the "listening" line and the first answer come after the spawn. Their order is not an
                    // invariant: each is the time the host observed it on its own channel (stdout reader vs HTTP
                    // poller), and a busy host can read the line after the answer (CI saw ready 50.5 < line 52.0 ms)
                    double ready = values.apply("ready_ms", n).stream().mapToDouble(Double::doubleValue).max().orElseThrow();
                    double line = values.apply("first_line_ms", n).stream().mapToDouble(Double::doubleValue).min().orElseThrow();
                    double spawned = values.apply("spawned_ms", n).stream().mapToDouble(Double::doubleValue).min().orElseThrow();
                    double firstReady = values.apply("ready_ms", n).stream().mapToDouble(Double::doubleValue).min().orElseThrow();
                    assertThat(spawned).isLessThan(line).isLessThan(firstReady);
                    assertThat(values.apply("all_ready_ms", n).get(0)).isGreaterThanOrEqualTo(ready);
                }
                // startup's only series are its waterfall points and instances in flight, never a measurement
                assertThat(run.samples()).filteredOn(s -> s.runtime().equals(rt) && s.paramsJson().contains("\"readiness\":\"http\""))
                        .allSatisfy(s -> assertThat(s.isSeriesPoint()).isEqualTo(s.metric().equals("in_flight")
                                || s.metric().equals("instance_at_ms")));
                List<StoredRun.SampleRow> lp = run.samples().stream().filter(s -> s.runtime().equals(rt)
                        && s.benchmark().equals("load-profile")).toList();
                assertThat(lp).filteredOn(s -> !s.isSeriesPoint()).extracting(StoredRun.SampleRow::metric)
                        .containsExactlyInAnyOrder("load_cpu_percent", "idle_cpu_percent", "load_rss_mib", "idle_rss_mib",
                                "latency_p50_ms", "latency_p99_ms");
                List<StoredRun.SampleRow> cpu = lp.stream().filter(s -> s.metric().equals("cpu_percent")).toList();
                assertThat(cpu).hasSizeGreaterThan(20); // 3 s at 10 Hz, less a late point or two on a busy host
                assertThat(cpu).anySatisfy(s -> assertThat(s.seriesJson()).contains("\"phase\":\"idle\""))
                        .anySatisfy(s -> assertThat(s.seriesJson()).contains("\"phase\":\"load\""));
                assertThat(lp).filteredOn(s -> s.metric().equals("rss_mib")).allSatisfy(s -> assertThat(s.value()).isPositive());
                double idleCpu = value(run, rt, "idle_cpu_percent");
                double loadCpu = value(run, rt, "load_cpu_percent");
                assertThat(loadCpu).as(rt + ": serving 50 requests/s costs more CPU than idling").isGreaterThan(idleCpu);
            }
            List<String> raws = IntegrationSupport.trialRawOutputs(dir.resolve("http.db"), id, "startup");
            assertThat(raws).allSatisfy(raw -> assertThat(raw).contains("readiness http").contains("network path of instance 0: veth pair"));
            assertThat(IntegrationSupport.trialRawOutputs(dir.resolve("http.db"), id, "load-profile")).hasSize(2)
                    .allSatisfy(raw -> assertThat(raw).contains("server ready after").contains(" 0 failed").contains("t_s phase cpu_percent"));
            IntegrationSupport.assertNothingLeft("isobench-" + id);
            assertThat(io.isobench.proc.Proc.of("ip", "netns", "list").timeout(Duration.ofSeconds(10)).run().stdout())
                    .as("network namespaces after the run").doesNotContain("isobench-" + ProcessHandle.current().pid() + "-");
        }
    }

    /**
     * readiness=exit, for real, in native and runc, with back-to-back runs: the time to the launcher's exit (what
     * hyperfine measures) comes after the spawn; every instance of every run is one sample; the launcher is started
     * quietly, so no first line is recorded; nothing is left.
     */
    @Test
    void exitReadinessInNativeAndRunc() {
        Plan plan = new PlanLoader().top("runtimes", "native,runc", "test").top("benchmarks", "startup", "test")
                .top("warmups", "0", "test").top("cooldown", "0s", "test")
                .set("startup.instances=1,3", "test").set("startup.iterations=2", "test").set("startup.runs=3", "test")
                .set("startup.readiness=exit", "test").build();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (Store store = Store.open(dir.resolve("exit.db"))) {
            String id = new RunService(store, new ImageBuilder(dir.resolve("images")), new PrintStream(log)).run(plan, false);
            StoredRun run = store.loadRun(id);
            assertThat(run.failures()).as(log.toString()).isEmpty();
            for (String rt : List.of("native", "runc")) {
                for (int n : new int[]{1, 3}) {
                    java.util.function.Function<String, List<StoredRun.SampleRow>> rows = metric -> run.samples().stream()
                            .filter(s -> s.runtime().equals(rt) && s.metric().equals(metric)
                                    && s.paramsJson().contains("\"instances\":\"" + n + "\"")
                                    && s.paramsJson().contains("\"readiness\":\"exit\""))
                            .toList();
                    assertThat(rows.apply("ready_ms")).as(rt + " N=" + n + ": 2 iterations x 3 runs x N").hasSize(2 * 3 * n)
                            .allSatisfy(r -> assertThat(r.paramsJson()).contains("\"runs\":\"3\""));
                    assertThat(rows.apply("all_ready_ms")).as("one per run").hasSize(2 * 3);
                    assertThat(rows.apply("first_line_ms")).as("nothing is read from a quiet launcher while it runs").isEmpty();
                    double spawned = rows.apply("spawned_ms").stream().mapToDouble(StoredRun.SampleRow::value).min().orElseThrow();
                    double firstReady = rows.apply("ready_ms").stream().mapToDouble(StoredRun.SampleRow::value).min().orElseThrow();
                    assertThat(spawned).isPositive().isLessThan(firstReady);
                }
            }
            assertThat(IntegrationSupport.trialRawOutputs(dir.resolve("exit.db"), id, "startup"))
                    .allSatisfy(raw -> assertThat(raw).contains("warm-up launch (not sampled):").contains("run 3 of 3:")
                            .contains("readiness exit (the runtime's launcher exited 0, started quietly: nothing read until its exit; workload "));
            // --warmups 0, yet the harness warmed its launch path once, before the run's first startup trial
            assertThat(IntegrationSupport.trialRawOutputs(dir.resolve("exit.db"), id, "startup"))
                    .filteredOn(raw -> raw.startsWith("isobench: harness warm-up before this run's first startup trial: "))
                    .singleElement().satisfies(raw -> assertThat(raw).contains(": " + StartupBenchmark.HARNESS_WARMUP_LAUNCHES
                            + " of " + StartupBenchmark.HARNESS_WARMUP_LAUNCHES + " unsampled native launches"));
            IntegrationSupport.assertNothingLeft("isobench-" + id);
        }
    }

    /** readiness=exit: a workload that exits non-zero or never exits fails the trial with its status or the timeout. */
    @Test
    void exitReadinessFailsOnBadStatusAndOnNoExit() {
        WorkloadImage image = new ImageBuilder(dir.resolve("images")).build(Set.of(), true);
        Params c = new Params(Map.of("instances", "2", "delay_ms", "0", "readiness", "exit"));
        StartupBenchmark failing = new StartupBenchmark(Fleet::readyCommand,
                img -> List.of(img.tools().get("busybox"), "sh", "-c", "echo oops; exit 3"));
        String prefix = "isobench-exitfail-" + ProcessHandle.current().pid();
        TrialContext nativeCtx = new TrialContext(Runtimes.byId("native").orElseThrow(), image, new Limits(1, 256L << 20), c,
                Duration.ofSeconds(10), prefix);
        assertThatThrownBy(() -> failing.run(nativeCtx)).isInstanceOf(TrialFailure.class)
                .hasMessageContaining("2 of 2 instances failed to launch").hasMessageContaining("exited with status 3: oops");
        StartupBenchmark endless = new StartupBenchmark(Fleet::readyCommand,
                img -> List.of(img.tools().get("busybox"), "sleep", "3600"));
        TrialContext runcCtx = new TrialContext(Runtimes.byId("runc").orElseThrow(), image, new Limits(1, 256L << 20), c,
                Duration.ofSeconds(3), prefix + "-runc");
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> endless.run(runcCtx)).isInstanceOf(TrialFailure.class)
                .hasMessageContaining("still running at the trial's timeout (killed)");
        assertThat((System.nanoTime() - t0) / 1e9).isLessThan(30);
        // with runs, the failing run is named; the trial fails as a whole
        Params twoRuns = new Params(Map.of("instances", "1", "delay_ms", "0", "readiness", "exit", "runs", "2"));
        TrialContext twoRunsCtx = new TrialContext(Runtimes.byId("native").orElseThrow(), image, new Limits(1, 256L << 20),
                twoRuns, Duration.ofSeconds(10), prefix + "-runs");
        assertThatThrownBy(() -> failing.run(twoRunsCtx)).isInstanceOf(TrialFailure.class)
                .hasMessageContaining("warm-up launch (not sampled): 1 of 1 instances failed to launch").hasMessageContaining("exited with status 3: oops");
        IntegrationSupport.assertNothingLeft(prefix);
    }

    /** A workload that never prints: the trial fails with a reason at its timeout and every instance is torn down. */
    @Test
    void instancesThatNeverBecomeReadyFailTheTrialAndAreTornDown() {
        WorkloadImage image = new ImageBuilder(dir.resolve("images")).build(Set.of(), true);
        StartupBenchmark silent = new StartupBenchmark(img -> List.of(img.tools().get("busybox"), "sleep", "3600"),
                img -> List.of(img.tools().get("busybox"), "sleep", "3600"));
        RuntimeDriver runc = Runtimes.byId("runc").orElseThrow();
        String prefix = "isobench-silent-" + ProcessHandle.current().pid();
        Params c = new Params(Map.of("instances", "3", "delay_ms", "0", "readiness", "first-line"));
        TrialContext ctx = new TrialContext(runc, image, new Limits(1, 256L << 20), c, Duration.ofSeconds(3), prefix);
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> silent.run(ctx)).isInstanceOf(TrialFailure.class)
                .hasMessageContaining("3 of 3 instances not ready").hasMessageContaining("all torn down");
        assertThat((System.nanoTime() - t0) / 1e9).isLessThan(30);
        IntegrationSupport.assertNothingLeft(prefix);
    }

    private static double value(StoredRun run, String rt, String metric) {
        return run.samples().stream().filter(s -> s.runtime().equals(rt) && s.metric().equals(metric)).findFirst()
                .orElseThrow().value();
    }
}
