package io.isobench.bench.fleet;

import io.isobench.bench.Params;
import io.isobench.bench.TrialContext;
import io.isobench.image.WorkloadImage;
import io.isobench.plan.Plan;
import io.isobench.plan.PlanLoader;
import io.isobench.proc.ProcResult;
import io.isobench.runtime.Availability;
import io.isobench.runtime.LaunchSpec;
import io.isobench.runtime.Limits;
import io.isobench.runtime.ProbeContext;
import io.isobench.runtime.RuntimeDriver;
import io.isobench.runtime.Sandbox;
import io.isobench.runtime.host.NativeDriver;
import io.isobench.runtime.oci.RuncDriver;
import io.isobench.util.UserException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Arrival schedules, the per-launch percentiles and success rate, instances in flight, and startup's cases. */
class ArrivalsTest {
    @Test
    void patternsParseToTheirCanonicalLabel() {
        assertThat(Arrival.parse("burst", "a").label()).isEqualTo("burst");
        assertThat(Arrival.parse("staggered:100ms", "a").label()).isEqualTo("staggered:100ms");
        assertThat(Arrival.parse("staggered:2s", "a").delay()).isEqualTo(Duration.ofSeconds(2));
        assertThat(Arrival.parse("staggered:0ms", "a")).isEqualTo(Arrival.BURST);
        assertThat(Arrival.parse("poisson:20/s", "a").label()).isEqualTo("poisson:20/s");
        assertThat(Arrival.parse("Poisson:2.50", "a").label()).isEqualTo("poisson:2.5/s");
        assertThat(Arrival.parse("poisson:20/s", "a").countsInstances()).isFalse();
        assertThat(Arrival.parse("staggered:5ms", "a").countsInstances()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "bursty", "poisson:0", "poisson:-1/s", "poisson:NaN", "poisson:1e3", "poisson:20000/s",
            "staggered:", "staggered:fast", "staggered:5 parsecs", "poisson:20/min"})
    void badPatternsAreOneLineUsageErrors(String bad) {
        assertThatThrownBy(() -> Arrival.parse(bad, "startup.arrival")).isInstanceOf(UserException.class)
                .hasMessageStartingWith("startup.arrival");
    }

    @Test
    void burstAndStaggeredSchedules() {
        assertThat(Arrival.BURST.offsetsNanos(4, Duration.ZERO, 0)).containsExactly(0, 0, 0, 0);
        assertThat(Arrival.parse("staggered:100ms", "a").offsetsNanos(3, Duration.ZERO, 0))
                .containsExactly(0, 100_000_000L, 200_000_000L);
    }

    /** A seeded Poisson process: reproducible, its mean rate the one asked for, its gaps exponential (CV about 1). */
    @Test
    void seededPoissonHasTheMeanRateAndIsReproducible() {
        Arrival a = Arrival.parse("poisson:50/s", "a");
        long[] o = a.offsetsNanos(0, Duration.ofSeconds(300), 7);
        // 15000 expected; the count's standard deviation is sqrt(15000) = 122: 5 of them
        assertThat(o.length).isCloseTo(15_000, within(610));
        assertThat(o).isSorted();
        assertThat(o[0]).isNotNegative();
        assertThat(o[o.length - 1]).isLessThan(300_000_000_000L);
        assertThat(a.offsetsNanos(0, Duration.ofSeconds(300), 7)).containsExactly(o);
        assertThat(a.offsetsNanos(0, Duration.ofSeconds(300), 8)).isNotEqualTo(o);
        double[] gaps = new double[o.length - 1];
        for (int i = 1; i < o.length; i++) {
            gaps[i - 1] = (o[i] - o[i - 1]) / 1e9;
        }
        double mean = Arrays.stream(gaps).average().orElseThrow();
        double sd = Math.sqrt(Arrays.stream(gaps).map(g -> (g - mean) * (g - mean)).sum() / (gaps.length - 1));
        assertThat(mean).isCloseTo(1 / 50.0, within(0.001));
        assertThat(sd / mean).isCloseTo(1.0, within(0.05));
        // a rate too low for the span can draw nothing: an empty schedule, not an error here
        assertThat(Arrival.parse("poisson:0.001/s", "a").offsetsNanos(0, Duration.ofMillis(10), 1)).isEmpty();
    }

    @Test
    void percentilesCountInstancesThatNeverBecameReady() {
        double[] all = new double[100];
        for (int i = 0; i < 100; i++) {
            all[i] = 100 - i; // unsorted on purpose
        }
        ReadyStats s = ReadyStats.of(all, 100);
        assertThat(s.percentile(50)).isEqualTo(50);
        assertThat(s.percentile(95)).isEqualTo(95);
        assertThat(s.percentile(99)).isEqualTo(99);
        assertThat(s.max()).isEqualTo(100);
        assertThat(s.successPercent()).isEqualTo(100);
        // 98 ready of 100: the two that failed are the slowest, so p99 and max are not reached
        ReadyStats f = ReadyStats.of(Arrays.copyOf(all, 98), 100); // 100 down to 3 ms
        assertThat(f.successPercent()).isEqualTo(98);
        assertThat(f.percentile(99)).isInfinite();
        assertThat(f.max()).isInfinite();
        assertThat(f.percentile(95)).isEqualTo(97);
        assertThat(f.percentile(98)).isEqualTo(100);
        assertThat(ReadyStats.of(new double[]{7}, 1).percentile(99)).isEqualTo(7);
        assertThat(ReadyStats.of(new double[]{7}, 2).successPercent()).isEqualTo(50);
        assertThatThrownBy(() -> ReadyStats.of(new double[]{1, 2}, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void inFlightCountsLaunchedNotYetReady() {
        // [0, 10), [5, 15), [20, 30) ms and one that never launched
        long ms = 1_000_000;
        InFlight f = InFlight.of(new long[]{0, 5 * ms, 20 * ms, -1}, new long[]{10 * ms, 15 * ms, 30 * ms, 0}, 30 * ms);
        assertThat(f.max()).isEqualTo(2);
        assertThat(f.t()).hasSizeLessThanOrEqualTo(InFlight.POINTS + 1).startsWith(0);
        assertThat(f.t()[1]).isEqualTo(500_000); // a step of 0.5 ms over 30 ms
        Map<Long, Double> at = new java.util.HashMap<>();
        for (int i = 0; i < f.t().length; i++) {
            at.put(f.t()[i], f.count()[i]);
        }
        assertThat(at).containsEntry(0L, 1.0).containsEntry(6 * ms, 2.0).containsEntry(12 * ms, 1.0)
                .containsEntry(17 * ms, 0.0).containsEntry(25 * ms, 1.0).containsEntry(30 * ms, 0.0);
        // an instance ready at the very moment the next launches never overlaps it
        assertThat(InFlight.of(new long[]{0, 10 * ms}, new long[]{10 * ms, 20 * ms}, 20 * ms).max()).isEqualTo(1);
        assertThat(InFlight.niceStep(1)).isEqualTo(100_000);
        assertThat(InFlight.niceStep(3_000_000)).isEqualTo(5_000_000);
    }

    /**
     * Open loop: every launch of a schedule is called while the earlier ones are still inside the driver. The stub's
     * launch returns only once all of them have been called, so a fleet that waited for a launch before the next one
     * would never get there (and its instances would not be ready).
     */
    @Test
    void scheduledLaunchesNeverWaitForEarlierOnes() throws Exception {
        int n = 20;
        CountDownLatch allCalled = new CountDownLatch(n);
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger mostInside = new AtomicInteger();
        RuntimeDriver blocking = new StubDriver() {
            @Override
            public Sandbox launch(LaunchSpec spec) throws LaunchException {
                mostInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
                allCalled.countDown();
                try {
                    if (!allCalled.await(20, TimeUnit.SECONDS)) {
                        throw new LaunchException("the other launches never came");
                    }
                } catch (InterruptedException e) {
                    throw new LaunchException("interrupted", e);
                }
                inside.decrementAndGet();
                long t = System.nanoTime();
                spec.onLine().line("ready", t);
                return new StubSandbox(spec.name(), t);
            }
        };
        TrialContext ctx = new TrialContext(blocking, image(), new Limits(1, 1 << 30), new Params(Map.of()),
                Duration.ofSeconds(30), "t");
        long[] offsets = Arrival.parse("poisson:400/s", "a").offsetsNanos(0, Duration.ofSeconds(10), 3);
        offsets = Arrays.copyOf(offsets, n);
        Fleet f = new Fleet(ctx, n, List.of("/bin/true"));
        long t0 = System.nanoTime();
        try {
            f.launchAt(t0, offsets);
            assertThat(f.awaitReady(System.nanoTime() + Duration.ofSeconds(30).toNanos())).isTrue();
        } finally {
            f.close();
        }
        assertThat(mostInside.get()).as("launches inside the driver at once").isEqualTo(n);
        for (int i = 0; i < n; i++) {
            assertThat(f.ready(i)).isTrue();
            assertThat(f.intendedAtNanos(i)).isEqualTo(t0 + offsets[i]);
            assertThat(f.calledAtNanos(i)).as("never before its time").isGreaterThanOrEqualTo(f.intendedAtNanos(i));
            assertThat(f.latenessMs(i)).isNotNegative();
        }
    }

    /** runsc resolves ids by prefix: no instance name of a fleet may be a prefix of another's. */
    @Test
    void instanceNamesAreNoPrefixOfEachOther() {
        TrialContext ctx = new TrialContext(new NativeDriver(), image(), new Limits(1, 1 << 30), new Params(Map.of()),
                Duration.ofSeconds(1), "t");
        Fleet f = new Fleet(ctx, 11, List.of("/bin/true"));
        List<String> names = java.util.stream.IntStream.range(0, 11).mapToObj(f::instanceName).toList();
        assertThat(names).startsWith("t-00", "t-01").endsWith("t-10").doesNotHaveDuplicates();
        for (String a : names) {
            assertThat(names).filteredOn(b -> !b.equals(a) && b.startsWith(a)).isEmpty();
        }
        assertThat(new Fleet(ctx, 10, List.of("/bin/true")).instanceName(9)).isEqualTo("t-9");
        assertThat(new Fleet(ctx, 1, List.of("/bin/true")).instanceName(0)).isEqualTo("t-0");
    }

    @Test
    void casesForArrivalsAndModes() {
        Plan p = new PlanLoader().top("benchmarks", "startup", "--benchmarks").set("startup.instances=1,8", "--set")
                .set("startup.arrival=burst,staggered:50ms,poisson:20/s", "--set").set("startup.duration=3s", "--set")
                .set("startup.seed=42", "--set").set("startup.mode=cold,prewarmed", "--set").build();
        StartupBenchmark b = new StartupBenchmark();
        List<Params> cases = b.cases(p.params().get("startup"));
        assertThat(cases).hasSize(2 * (2 + 2 + 1));
        assertThat(cases.get(0).values()).containsOnlyKeys("instances", "delay_ms", "readiness")
                .containsEntry("delay_ms", "0");
        assertThat(cases).filteredOn(c -> c.values().containsKey("arrival")).hasSize(2).allSatisfy(c ->
                assertThat(c.values()).containsEntry("arrival", "poisson:20/s").containsEntry("duration", "3s")
                        .containsEntry("seed", "42").doesNotContainKey("instances"));
        assertThat(cases).filteredOn(c -> "50".equals(c.values().get("delay_ms"))).hasSize(4);
        assertThat(cases).filteredOn(c -> "prewarmed".equals(c.values().get("mode"))).hasSize(5);
        Params poisson = cases.stream().filter(c -> c.values().containsKey("arrival")).findFirst().orElseThrow();
        assertThat(StartupBenchmark.arrivalOf(poisson).label()).isEqualTo("poisson:20/s");
        // 3 s of launches, 60 expected at 50 ms each, plus the fixed 2 s
        assertThat(b.expectedDuration(poisson).toMillis()).isEqualTo(3000 + 60 * 50 + 2000);
        // prewarmed cases skip runtimes without a create/start split, with the reason; cold ones never
        Params pre = cases.stream().filter(c -> "prewarmed".equals(c.values().get("mode"))).findFirst().orElseThrow();
        assertThat(b.unsupported(new NativeDriver(), pre)).startsWith("native cannot prewarm");
        assertThat(b.unsupported(new RuncDriver(), pre)).isNull();
        assertThat(b.unsupported(new NativeDriver(), cases.get(0))).isNull();
    }

    @Test
    void restoreIsOneCaseWhateverTheArrivalsAndSkipsRuntimesThatCannotRestore() {
        Plan p = new PlanLoader().top("benchmarks", "startup", "--benchmarks").set("startup.instances=1,8", "--set")
                .set("startup.mode=cold,restore", "--set").build();
        StartupBenchmark b = new StartupBenchmark();
        List<Params> cases = b.cases(p.params().get("startup"));
        List<Params> restore = cases.stream().filter(c -> "restore".equals(c.values().get("mode"))).toList();
        assertThat(restore).hasSize(1);
        assertThat(restore.get(0).values()).containsOnlyKeys("mode", "readiness").containsEntry("readiness", "http");
        assertThat(b.expectedDuration(restore.get(0))).isPositive();
        assertThat(b.unsupported(new NativeDriver(), restore.get(0))).startsWith("native cannot restore");
    }

    @Test
    void arrivalMistakesAreUsageErrors() {
        StartupBenchmark b = new StartupBenchmark();
        assertThatThrownBy(() -> new PlanLoader().top("benchmarks", "startup", "--benchmarks")
                .set("startup.arrival=poisson:20/s", "--set").set("startup.delay=100ms", "--set").build())
                .isInstanceOf(UserException.class).hasMessageContaining("set one of them");
        assertThatThrownBy(() -> new PlanLoader().top("benchmarks", "startup", "--benchmarks")
                .set("startup.arrival=sometimes", "--set").build())
                .isInstanceOf(UserException.class).hasMessageContaining("is not an arrival pattern");
        assertThatThrownBy(() -> new PlanLoader().top("benchmarks", "startup", "--benchmarks")
                .set("startup.mode=prewarmed", "--set").set("startup.readiness=exit", "--set").build())
                .isInstanceOf(UserException.class).hasMessageContaining("no readiness=exit");
        assertThatThrownBy(() -> new PlanLoader().top("benchmarks", "startup", "--benchmarks")
                .set("startup.arrival=poisson:5000/s", "--set").set("startup.duration=10s", "--set").build())
                .isInstanceOf(UserException.class).hasMessageContaining("expects 50000 launches");
        assertThatThrownBy(() -> new PlanLoader().top("benchmarks", "startup", "--benchmarks")
                .set("startup.mode=warm", "--set").build())
                .isInstanceOf(UserException.class).hasMessageContaining("startup.mode");
        // the older delay alone still works: staggered cases
        Plan old = new PlanLoader().top("benchmarks", "startup", "--benchmarks").set("startup.instances=2", "--set")
                .set("startup.delay=0ms,20ms", "--set").build();
        assertThat(b.cases(old.params().get("startup"))).extracting(c -> StartupBenchmark.arrivalOf(c).label())
                .containsExactly("burst", "staggered:20ms");
    }

    static WorkloadImage image() {
        return new WorkloadImage("a".repeat(64), Path.of("/nonexistent"), Map.of(), 0, 0, List.of(), Map.of(), Map.of());
    }

    /** A driver that is never probed: only launch matters to these tests. */
    abstract static class StubDriver implements RuntimeDriver {
        @Override
        public String id() {
            return "stub";
        }

        @Override
        public String kind() {
            return "container";
        }

        @Override
        public String description() {
            return "stub";
        }

        @Override
        public Availability probe(ProbeContext ctx) {
            throw new UnsupportedOperationException();
        }
    }

    record StubSandbox(String id, long launchedAtNanos) implements Sandbox {
        @Override
        public ProcResult await(Duration timeout) {
            return new ProcResult(List.of(), 0, false, "", "", Duration.ZERO);
        }

        @Override
        public long exitedAtNanos() {
            return -1;
        }

        @Override
        public List<Long> hostPids() {
            return List.of();
        }

        @Override
        public void close() {
        }
    }
}
