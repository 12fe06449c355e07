package io.isobench.bench.fleet;

import io.isobench.IntegrationSupport;
import io.isobench.exec.RunService;
import io.isobench.image.ImageBuilder;
import io.isobench.plan.Plan;
import io.isobench.plan.PlanLoader;
import io.isobench.store.Store;
import io.isobench.store.StoredRun;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** density at a small budget, for real, in native and runc: a count within the cap, PSS of real processes, nothing left. */
class DensityIT {
    @TempDir
    static Path dir;

    @BeforeAll
    static void root() {
        assumeTrue(IntegrationSupport.isRoot(), "integration tests need root");
    }

    @Test
    void densityAtASmallBudgetInNativeAndRunc() {
        Plan plan = new PlanLoader().top("runtimes", "native,runc", "test").top("benchmarks", "density", "test")
                .top("repetitions", "1", "test").top("warmups", "0", "test").top("cooldown", "0s", "test")
                .set("density.budget=48M", "test").set("density.max_instances=12", "test")
                .set("density.reserve=1G", "test").set("density.settle=200ms", "test").build();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (Store store = Store.open(dir.resolve("density.db"))) {
            String id = new RunService(store, new ImageBuilder(dir.resolve("images")), new PrintStream(log)).run(plan, false);
            StoredRun run = store.loadRun(id);
            assertThat(run.failures()).as(log.toString()).isEmpty();
            for (String rt : List.of("native", "runc")) {
                assertThat(run.samples()).filteredOn(s -> s.runtime().equals(rt)).extracting(StoredRun.SampleRow::metric)
                        .containsExactlyInAnyOrder("instances", "pss_mib_per_instance", "memavailable_mib_per_instance",
                                "time_to_reach_ms");
                assertThat(value(run, rt, "instances")).as(rt).isBetween(1.0, 12.0);
                assertThat(value(run, rt, "pss_mib_per_instance")).as(rt).isPositive();
                assertThat(value(run, rt, "time_to_reach_ms")).as(rt).isGreaterThanOrEqualTo(0.0);
            }
            assertThat(value(run, "runc", "pss_mib_per_instance")).as("runc's instance has its runc launcher besides busybox")
                    .isGreaterThan(value(run, "native", "pss_mib_per_instance"));
            List<String> raws = IntegrationSupport.trialRawOutputs(dir.resolve("density.db"), id, "density");
            raws.forEach(System.out::println);
            assertThat(raws).hasSize(2).allSatisfy(raw -> assertThat(raw).contains("budget 48 MiB").contains("stopped at ")
                    .containsPattern("instance cap reached|memory budget reached|safety reserve").contains("torn down"));
            IntegrationSupport.assertNothingLeft("isobench-" + id);
        }
    }

    private static double value(StoredRun run, String rt, String metric) {
        return run.samples().stream().filter(s -> s.runtime().equals(rt) && s.metric().equals(metric))
                .mapToDouble(StoredRun.SampleRow::value).findFirst().orElseThrow();
    }
}
