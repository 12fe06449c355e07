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
    static class SlowStart implements RuntimeDriver {
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

        /** Its CPU is emulated: CPU-bound work takes 10 times longer. */
        @Override
        public double cpuSlowdown() {
            return 10;
        }
    }

    private static io.isobench.plan.Plan plan(String... sets) {
        PlanLoader l = new PlanLoader().top("benchmarks", "cpu,ml,footprint,density", "t");
        for (String s : sets) {
            l.set(s, "t");
        }
        return l.build();
    }

    private static io.isobench.bench.Params caseOf(io.isobench.bench.Benchmark b, io.isobench.plan.Plan p) {
        return b.cases(p.params().get(b.id())).getFirst();
    }

    @Test
    void aBenchmarksCpuBoundPartIsStretchedByTheRuntimesSlowdownATimedOneIsNot() {
        var ml = new io.isobench.bench.micro.MlBenchmark();
        var p = caseOf(ml, plan());
        Duration host = ml.expectedDuration(p);
        assertThat(ml.cpuBoundDuration(p)).isEqualTo(host);
        assertThat(Executor.trialEstimate(ml, p, new NativeDriver(), 2)).isEqualTo(host.plusMillis(500));
        // a 10 times slower CPU: 9 more of the CPU-bound part
        assertThat(Executor.trialEstimate(ml, p, new SlowStart(), 2)).isEqualTo(host.plusSeconds(5).plusMillis(9 * host.toMillis()));
        var cpu = new CpuBenchmark(); // runs for a set time, however slow the CPU
        var c = caseOf(cpu, plan("cpu.time=2s"));
        assertThat(Executor.trialEstimate(cpu, c, new SlowStart(), 2)).isEqualTo(Duration.ofSeconds(7));
    }

    @Test
    void manyLaunchesOfASlowRuntimeShareTheHostsCpus() {
        var fp = new io.isobench.bench.fleet.FootprintBenchmark();
        var p = caseOf(fp, plan("footprint.instances=21", "footprint.settle=1s"));
        Duration own = fp.expectedDuration(p);
        // one launch, then 20 at once on 2 CPUs: 10 more rounds of the runtime's 4.5 s beyond a fast launch
        assertThat(Executor.trialEstimate(fp, p, new SlowStart(), 2)).isEqualTo(own.plusSeconds(5).plusMillis(10 * 4500));
        assertThat(Executor.trialEstimate(fp, p, new SlowStart(), 64)).isEqualTo(own.plusSeconds(5).plusMillis(4500));
        // a fast runtime's launches are within the benchmark's own estimate
        assertThat(Executor.trialEstimate(fp, p, new NativeDriver(), 2)).isEqualTo(own.plusMillis(500));
        // a cluster starts them on its nodes: twenty at once is one more round, whatever this host's CPUs
        RuntimeDriver cluster = new SlowStart() {
            @Override
            public boolean launchesOnThisHost() {
                return false;
            }
        };
        assertThat(Executor.trialEstimate(fp, p, cluster, 2)).isEqualTo(own.plusSeconds(5).plusMillis(4500));
        // density launches one after another
        var density = new io.isobench.bench.fleet.DensityBenchmark();
        var d = caseOf(density, plan("density.max_instances=5"));
        assertThat(Executor.trialEstimate(density, d, new SlowStart(), 2))
                .isEqualTo(density.expectedDuration(d).plusSeconds(5).plusMillis(4 * 4500));
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
