package io.isobench.bench.fleet;

import io.isobench.bench.Params;
import io.isobench.bench.registry.Benchmarks;
import io.isobench.plan.Plan;
import io.isobench.plan.PlanLoader;
import io.isobench.util.UserException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class StartupFootprintParamsTest {
    @Test
    void startupDefaultsAreOneCasePerInstanceCountWithFiveIterations() {
        Plan p = new PlanLoader().top("benchmarks", "startup", "--benchmarks").build();
        StartupBenchmark b = new StartupBenchmark();
        List<Params> cases = b.cases(p.params().get("startup"));
        assertThat(cases).extracting(c -> c.get("instances")).containsExactly("1", "4", "8", "16", "32", "64");
        assertThat(cases.get(0).values()).containsOnlyKeys("instances", "delay_ms", "readiness")
                .containsEntry("delay_ms", "0").containsEntry("readiness", "first-line");
        assertThat(b.repetitions(p.params().get("startup"))).hasValue(5);
    }

    @Test
    void startupSetsGiveOneCasePerInstancesAndDelay() {
        Plan p = new PlanLoader().top("benchmarks", "startup", "--benchmarks").set("startup.instances=1,4", "--set")
                .set("startup.iterations=2", "--set").set("startup.delay=0ms,100ms", "--set").build();
        StartupBenchmark b = new StartupBenchmark();
        List<Params> cases = b.cases(p.params().get("startup"));
        assertThat(cases).extracting(c -> c.get("instances") + "@" + c.get("delay_ms"))
                .containsExactly("1@0", "4@0", "1@100", "4@100"); // per arrival pattern, then instances
        assertThat(b.repetitions(p.params().get("startup"))).hasValue(2);
        // 4 instances 100 ms apart: the 3 delays count in the expected time
        assertThat(b.expectedDuration(cases.get(3)).toMillis()).isEqualTo(300 + 4 * 150 + 2000);
        // the older delay keeps its case params (compare pairs them with older runs): no arrival key
        assertThat(cases).allSatisfy(c -> assertThat(c.values()).doesNotContainKeys("arrival", "mode", "seed", "delay"));
    }

    /** runs > 1 (back-to-back launches per iteration) labels every case with it and scales the expected time. */
    @Test
    void startupRunsLabelTheCasesAndScaleTheExpectedTime() {
        Plan p = new PlanLoader().top("benchmarks", "startup", "--benchmarks").set("startup.instances=1", "--set")
                .set("startup.runs=20", "--set").build();
        StartupBenchmark b = new StartupBenchmark();
        List<Params> cases = b.cases(p.params().get("startup"));
        assertThat(cases).singleElement().satisfies(c -> assertThat(c.values()).containsEntry("runs", "20"));
        assertThat(b.expectedDuration(cases.get(0)).toMillis()).isEqualTo(21 * (150 + 2000)); // with the warm-up launch
    }

    @Test
    void badValuesAreUsageErrors() {
        assertThatThrownBy(() -> new PlanLoader().set("startup.instances=1,x", "--set"))
                .isInstanceOf(UserException.class).hasMessageContaining("startup.instances: not a whole number");
        assertThatThrownBy(() -> new PlanLoader().set("startup.instances=0", "--set"))
                .isInstanceOf(UserException.class).hasMessageContaining("at least 1");
        assertThatThrownBy(() -> new PlanLoader().set("startup.delay=5 parsecs", "--set")).isInstanceOf(UserException.class);
        assertThatThrownBy(() -> new StartupBenchmark().repetitions(new PlanLoader().top("benchmarks", "startup", "--benchmarks")
                .set("startup.runs=0", "--set").build().params().get("startup")))
                .isInstanceOf(UserException.class).hasMessageContaining("startup.runs must be at least 1");
        assertThatThrownBy(() -> new PlanLoader().top("benchmarks", "footprint", "--benchmarks")
                .set("footprint.instances=0", "--set").build())
                .isInstanceOf(UserException.class).hasMessageContaining("at least 1");
    }

    @Test
    void slowBenchmarksAreRegisteredButNotRunByDefault() {
        assertThat(Benchmarks.ids()).contains("cpu", "memory", "startup", "footprint");
        assertThat(Benchmarks.defaultIds()).containsExactly("cpu", "memory");
        assertThat(new PlanLoader().build().benchmarks()).containsExactly("cpu", "memory");
        assertThat(new PlanLoader().top("benchmarks", "startup,footprint", "--benchmarks").build().benchmarks())
                .containsExactly("startup", "footprint");
    }

    @Test
    void footprintMarginalCost() {
        // 1 instance: 10 MiB; 5 instances: 26 MiB in all -> each added one costs 4 MiB
        assertThat(FootprintBenchmark.marginal(10, 26, 5)).isCloseTo(4.0, within(1e-9));
        assertThat(FootprintBenchmark.marginal(10, 10, 1)).isEqualTo(10.0);
        Plan p = new PlanLoader().top("benchmarks", "footprint", "--benchmarks").build();
        assertThat(p.params().get("footprint").get("instances")).isEqualTo("20");
        assertThat(new FootprintBenchmark().metrics().get(0).name()).isEqualTo("pss_mib_per_instance");
    }
}
