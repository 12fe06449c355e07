package io.isobench.bench.fleet;

import io.isobench.IntegrationSupport;
import io.isobench.exec.RunService;
import io.isobench.image.ImageBuilder;
import io.isobench.plan.Plan;
import io.isobench.plan.PlanLoader;
import io.isobench.store.Store;
import io.isobench.store.StoredRun;
import io.isobench.util.Json;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Startup arrivals and prewarmed starts for real: Poisson arrivals at a rate this 2-CPU host keeps up with and one
 * that saturates it, in native, runc and runsc (the same seeded schedule in each); prewarmed against cold starts in
 * runc and runsc, native skipped with its reason; nothing left behind.
 */
class StartupArrivalsIT {
    @TempDir
    static Path dir;

    @BeforeAll
    static void root() {
        assumeTrue(IntegrationSupport.isRoot(), "integration tests need root");
    }

    private static List<StoredRun.SampleRow> rows(StoredRun run, String rt, String arrival, String metric) {
        return run.samples().stream().filter(s -> s.runtime().equals(rt) && s.benchmark().equals("startup")
                && s.metric().equals(metric) && (arrival == null || s.paramsJson().contains("\"arrival\":\"" + arrival + "\""))).toList();
    }

    @Test
    void poissonArrivalsBelowAndAboveWhatTheHostSustains() {
        Plan plan = new PlanLoader().top("runtimes", "native,runc,runsc", "t").top("benchmarks", "startup", "t")
                .top("warmups", "0", "t").top("cooldown", "0s", "t").set("startup.iterations=1", "t")
                .set("startup.arrival=poisson:2/s,poisson:20/s", "t").set("startup.duration=1500ms", "t")
                .set("startup.seed=11", "t").build();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (Store store = Store.open(dir.resolve("poisson.db"))) {
            String id = new RunService(store, new ImageBuilder(dir.resolve("images")), new PrintStream(log)).run(plan, false);
            StoredRun run = store.loadRun(id);
            assertThat(run.failures()).as(log.toString()).isEmpty();
            long[] slow = Arrival.parse("poisson:2/s", "a").offsetsNanos(0, java.time.Duration.ofMillis(1500), 11);
            long[] fast = Arrival.parse("poisson:20/s", "a").offsetsNanos(0, java.time.Duration.ofMillis(1500), 11);
            assertThat(fast.length).isGreaterThan(15);
            for (String rt : List.of("native", "runc", "runsc")) {
                for (var c : List.of(java.util.Map.entry("poisson:2/s", slow.length), java.util.Map.entry("poisson:20/s", fast.length))) {
                    String a = c.getKey();
                    int n = c.getValue();
                    // the seeded schedule: as many launches in every runtime, each with its waterfall point and lateness
                    List<StoredRun.SampleRow> points = rows(run, rt, a, "instance_at_ms");
                    assertThat(points).as(rt + " " + a).hasSize(n).allSatisfy(p -> assertThat(p.isSeriesPoint()).isTrue());
                    assertThat(rows(run, rt, a, "launch_lateness_ms")).hasSize(n)
                            .allSatisfy(s -> assertThat(s.value()).isNotNegative());
                    List<StoredRun.SampleRow> success = rows(run, rt, a, "success_rate");
                    assertThat(success).singleElement().satisfies(s -> assertThat(s.value()).isBetween(0.0, 100.0));
                    long ready = points.stream().filter(p -> "ready".equals(Json.readMap(p.seriesJson()).get("outcome"))).count();
                    assertThat(success.get(0).value()).isEqualTo(100.0 * ready / n);
                    assertThat(rows(run, rt, a, "ready_ms")).hasSize((int) ready);
                    assertThat(rows(run, rt, a, "ready_p50_ms")).hasSize(1);
                    assertThat(rows(run, rt, a, "in_flight")).isNotEmpty().allSatisfy(s -> assertThat(s.seriesJson()).contains("t_s"));
                    // intended launch times are the schedule's
                    List<Double> intended = points.stream().map(p -> Double.parseDouble(String.valueOf(
                            Json.readMap(p.seriesJson()).get("intended_ms")))).sorted().toList();
                    for (int i = 1; i < n; i++) {
                        assertThat(intended.get(i) - intended.get(0)).isCloseTo((fast.length == n ? fast : slow)[i] / 1e6
                                - (fast.length == n ? fast : slow)[0] / 1e6, org.assertj.core.api.Assertions.within(0.002));
                    }
                }
            }
            // the fast rate piles up containers and sandboxes that take longer than the gaps between arrivals (20/s of
            // runsc sandboxes saturates the 2 CPUs here: 40/s drove the load average past 100 and runsc's own delete
            // past isobench's 20 s CLI timeout)
            for (String rt : List.of("runc", "runsc")) {
                double calm = rows(run, rt, "poisson:2/s", "in_flight_max").get(0).value();
                double busy = rows(run, rt, "poisson:20/s", "in_flight_max").get(0).value();
                assertThat(busy).as(rt + ": most in flight at 20/s vs 2/s").isGreaterThan(calm);
            }
            assertThat(IntegrationSupport.trialRawOutputs(dir.resolve("poisson.db"), id, "startup"))
                    .allSatisfy(raw -> assertThat(raw).contains("arrival poisson:").contains("(seed 11)").contains("launch lateness p50"));
            IntegrationSupport.assertNothingLeft("isobench-" + id);
        }
    }

    @Test
    void prewarmedAgainstColdStarts() {
        Plan plan = new PlanLoader().top("runtimes", "native,runc,runsc", "t").top("benchmarks", "startup", "t")
                .top("warmups", "0", "t").top("cooldown", "0s", "t").set("startup.iterations=2", "t")
                .set("startup.instances=3", "t").set("startup.mode=cold,prewarmed", "t").build();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (Store store = Store.open(dir.resolve("prewarm.db"))) {
            String id = new RunService(store, new ImageBuilder(dir.resolve("images")), new PrintStream(log)).run(plan, false);
            StoredRun run = store.loadRun(id);
            // native has no create/start split: one failure that says so, no prewarmed trial run
            assertThat(run.failures()).as(log.toString()).singleElement().satisfies(f -> {
                assertThat(f.runtime()).isEqualTo("native");
                assertThat(f.reason()).isEqualTo("skipped: native cannot prewarm (startup.mode=prewarmed): this runtime does "
                        + "not split creating an instance from starting it");
            });
            Predicate<StoredRun.SampleRow> prewarmed = s -> s.paramsJson().contains("\"mode\":\"prewarmed\"");
            for (String rt : List.of("runc", "runsc")) {
                List<StoredRun.SampleRow> ready = rows(run, rt, null, "ready_ms");
                List<Double> warm = ready.stream().filter(prewarmed).map(StoredRun.SampleRow::value).sorted().toList();
                List<Double> cold = ready.stream().filter(prewarmed.negate()).map(StoredRun.SampleRow::value).sorted().toList();
                assertThat(warm).as(rt).hasSize(6);
                assertThat(cold).hasSize(6);
                // creating the container (bundle, namespaces, the runtime's create) is what prewarming takes off
                assertThat(warm.get(3)).as(rt + ": prewarmed median below cold").isLessThan(cold.get(3));
                assertThat(rows(run, rt, null, "create_ms")).hasSize(6).allMatch(prewarmed);
                assertThat(rows(run, rt, null, "started_ms")).hasSize(6).allMatch(prewarmed);
                assertThat(rows(run, rt, null, "setup_ms")).as("a prewarmed start has no setup of its own").noneMatch(prewarmed);
            }
            assertThat(rows(run, "native", null, "ready_ms")).hasSize(6).noneMatch(prewarmed);
            IntegrationSupport.assertNothingLeft("isobench-" + id);
        }
    }
}
