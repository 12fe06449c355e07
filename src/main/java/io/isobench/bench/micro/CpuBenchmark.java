package io.isobench.bench.micro;

import io.isobench.bench.CommandBenchmark;
import io.isobench.bench.Metric;
import io.isobench.bench.ParamSpec;
import io.isobench.bench.Params;
import io.isobench.bench.Sample;
import io.isobench.bench.TrialContext;
import io.isobench.bench.sysbench.Sysbench;
import io.isobench.bench.sysbench.SysbenchOutput;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import static io.isobench.bench.sysbench.SysbenchOutput.require;

/** sysbench cpu: primes up to max_prime (20000 as in the papers), fixed duration, single thread by default. */
public final class CpuBenchmark extends CommandBenchmark {
    public static final Metric EVENTS_PER_SECOND = new Metric("events_per_second", "events/s", true);
    public static final Metric LATENCY_AVG = new Metric("latency_avg_ms", "ms", false);
    public static final Metric LATENCY_MIN = new Metric("latency_min_ms", "ms", false);
    public static final Metric LATENCY_P95 = new Metric("latency_p95_ms", "ms", false);

    @Override
    public String id() {
        return "cpu";
    }

    @Override
    public String description() {
        return "sysbench cpu: compute primes up to max_prime for a fixed time";
    }

    @Override
    public List<ParamSpec> params() {
        return List.of(
                ParamSpec.of("max_prime", "20000", ParamSpec.Type.INT, "upper bound of the prime search (--cpu-max-prime)"),
                ParamSpec.of("threads", "1", ParamSpec.Type.INT, "worker threads (--threads)"),
                ParamSpec.of("time", "10s", ParamSpec.Type.DURATION, "duration of one trial (--time, whole seconds)"));
    }

    @Override
    public Set<String> tools() {
        return Set.of("sysbench");
    }

    @Override
    public List<Metric> metrics() {
        return List.of(EVENTS_PER_SECOND, LATENCY_AVG, LATENCY_MIN, LATENCY_P95);
    }

    @Override
    public List<Params> cases(Params resolved) {
        return List.of(resolved);
    }

    @Override
    public Duration expectedDuration(Params p) {
        return p.getDuration("time");
    }

    @Override
    protected List<String> command(TrialContext ctx) {
        Params p = ctx.params();
        return List.of(ctx.image().tools().get("sysbench"), "cpu",
                "--cpu-max-prime=" + p.get("max_prime"),
                "--threads=" + p.get("threads"),
                "--time=" + Sysbench.seconds(p.getDuration("time")),
                "run");
    }

    @Override
    protected List<Sample> parse(String stdout, Params params) throws ParseException {
        SysbenchOutput o = new SysbenchOutput(stdout);
        o.check();
        return List.of(
                new Sample(EVENTS_PER_SECOND, require(o.eventsPerSecond(), "events per second")),
                new Sample(LATENCY_AVG, require(o.latencyAvgMs(), "Latency avg")),
                new Sample(LATENCY_MIN, require(o.latencyMinMs(), "Latency min")),
                new Sample(LATENCY_P95, require(o.latencyPercentileMs(), "Latency 95th percentile")));
    }
}
