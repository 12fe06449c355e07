package io.isobench.exec;

import io.isobench.plan.PlanLoader;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class AdaptiveStopTest {
    private static Executor executor(String reps) {
        return new Executor(null, new PlanLoader().top("repetitions", reps, "t").build(), List.of(), List.of(), null);
    }

    private static final List<Double> TIGHT = List.of(100.0, 100.2, 99.9, 100.1, 100.0);
    private static final List<Double> WIDE = List.of(100.0, 140.0, 70.0, 120.0, 90.0);

    @Test
    void stopsOnlyWhenEveryRuntimeMeetsTheTargetAfterTheMinimum() {
        Executor e = executor("auto:10");
        assertThat(e.adaptiveStop(4, Map.of("native", TIGHT.subList(0, 4)))).as("below the minimum of 5").isNull();
        assertThat(e.adaptiveStop(5, Map.of("native", TIGHT, "runsc", WIDE))).isNull();
        assertThat(e.adaptiveStop(5, Map.of("native", TIGHT, "runsc", TIGHT))).startsWith("CI target met");
        assertThat(e.adaptiveStop(10, Map.of("native", WIDE))).as("the maximum is reported by the caller").isNull();
    }

    @Test
    void fixedRepetitionsNeverStopEarly() {
        assertThat(executor("5").adaptiveStop(5, Map.of("native", TIGHT))).isNull();
    }

    @Test
    void relativeHalfWidth() {
        assertThat(Executor.relativeHalfWidth(TIGHT)).isLessThan(0.02);
        assertThat(Executor.relativeHalfWidth(WIDE)).isGreaterThan(0.02);
    }

    @Test
    void startupIterationsReplaceThePlansRepetitionsForStartupOnly() {
        var plan = new PlanLoader().top("repetitions", "auto:10", "t").top("benchmarks", "cpu,startup", "t")
                .set("startup.iterations=2", "t").set("startup.instances=1,4", "t").build();
        var cpu = new io.isobench.bench.micro.CpuBenchmark();
        var startup = new io.isobench.bench.fleet.StartupBenchmark();
        Executor e = new Executor(null, plan, List.of(new io.isobench.runtime.host.NativeDriver()), List.of(cpu, startup), null);
        assertThat(e.repetitions(cpu)).isEqualTo(10);
        assertThat(e.repetitions(startup)).isEqualTo(2);
        // cpu: 1 case x (1 warmup + 10); startup: 2 cases x (1 warmup + 2)
        assertThat(e.totalTrials()).isEqualTo(11 + 2 * 3);
    }
}
