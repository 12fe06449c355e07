package io.isobench.exec;

import io.isobench.bench.micro.CpuBenchmark;
import io.isobench.plan.PlanLoader;
import io.isobench.runtime.Availability;
import io.isobench.runtime.LaunchSpec;
import io.isobench.runtime.ProbeContext;
import io.isobench.runtime.RuntimeDriver;
import io.isobench.runtime.Sandbox;
import io.isobench.runtime.host.NativeDriver;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ExecutorEstimateTest {
    /** A runtime that takes 5 s to start each instance (a VM under TCG). */
    static final class SlowStart implements RuntimeDriver {
        public String id() {
            return "slow";
        }

        public String kind() {
            return "vm";
        }

        public String description() {
            return "test";
        }

        public Availability probe(ProbeContext ctx) {
            throw new UnsupportedOperationException();
        }

        public Sandbox launch(LaunchSpec spec) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Duration launchOverhead() {
            return Duration.ofSeconds(5);
        }
    }

    @Test
    void eachRuntimesLaunchOverheadCountsInTheEstimate() {
        var plan = new PlanLoader().top("repetitions", "3", "t").top("warmups", "1", "t").top("cooldown", "1s", "t")
                .set("cpu.time=2s", "t").build();
        var cpu = List.<io.isobench.bench.Benchmark>of(new CpuBenchmark());
        Duration nativeOnly = new Executor(null, plan, List.of(new NativeDriver()), cpu, null).expectedDuration();
        Duration both = new Executor(null, plan, List.of(new NativeDriver(), new SlowStart()), cpu, null).expectedDuration();
        // 4 rounds x (2 s trial + 1 s cooldown + overhead): native 0.5 s, slow 5 s
        assertThat(nativeOnly).isEqualTo(Duration.ofMillis(4 * 3500));
        assertThat(both).isEqualTo(Duration.ofMillis(4 * 3500 + 4 * 8000));
    }
}
