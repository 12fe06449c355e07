package io.isobench.bench.fleet;

import io.isobench.bench.Benchmark;
import io.isobench.bench.Metric;
import io.isobench.bench.ParamSpec;
import io.isobench.bench.Params;
import io.isobench.bench.Sample;
import io.isobench.bench.TrialContext;
import io.isobench.bench.TrialFailure;
import io.isobench.bench.TrialOutcome;
import io.isobench.image.BuiltTool;
import io.isobench.measure.ProcessUsage;
import io.isobench.runtime.Sandbox;
import io.isobench.util.UserException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;

/**
 * Load profile: one instance of isobench's HTTP probe, ready at its first 2xx answer through the runtime's own
 * network path; then CPU % and RSS of every host process the driver reports for it ({@link Sandbox#hostPids()},
 * summed; {@link ProcessUsage}) are sampled every {@code interval} (10 Hz) through an {@code idle} phase and then a
 * {@code load} phase in which a host client sends {@code rate} requests per second ({@link LoadGenerator}, open loop,
 * one connection per request). Every sampling point is stored as a time-series sample ({@code t_s}, {@code phase});
 * the summary metrics are each phase's mean CPU % and mean RSS, and the requests' latency.
 */
public final class LoadProfileBenchmark implements Benchmark {
    static final long MAX_RATE = 100_000;
    static final long MAX_REQUESTS = 5_000_000;
    private static final double MIB = 1024.0 * 1024.0;
    public static final Metric LOAD_CPU = new Metric("load_cpu_percent", "%", false);
    public static final Metric IDLE_CPU = new Metric("idle_cpu_percent", "%", false);
    public static final Metric LOAD_RSS = new Metric("load_rss_mib", "MiB", false);
    public static final Metric IDLE_RSS = new Metric("idle_rss_mib", "MiB", false);
    public static final Metric LATENCY_P50 = new Metric("latency_p50_ms", "ms", false);
    public static final Metric LATENCY_P99 = new Metric("latency_p99_ms", "ms", false);
    /** Time-series points (with {@link Sample#series()}): CPU % over the interval ending at t_s, RSS at t_s. */
    public static final Metric CPU_SERIES = new Metric("cpu_percent", "%", false);
    public static final Metric RSS_SERIES = new Metric("rss_mib", "MiB", false);
    public static final String IDLE = "idle";
    public static final String LOAD = "load";

    @Override
    public String id() {
        return "load-profile";
    }

    @Override
    public String description() {
        return "CPU % and RSS of one instance's host processes at 10 Hz, idle and then under a fixed-rate HTTP load";
    }

    @Override
    public List<ParamSpec> params() {
        return List.of(
                ParamSpec.of("idle", "5s", ParamSpec.Type.DURATION, "idle phase after readiness, before the load"),
                ParamSpec.of("load", "20s", ParamSpec.Type.DURATION, "length of the fixed-rate HTTP load"),
                ParamSpec.of("rate", "100", ParamSpec.Type.INT, "HTTP requests per second during the load (one connection each, open loop)").range(1, MAX_RATE),
                ParamSpec.of("interval", "100ms", ParamSpec.Type.DURATION, "sampling interval of CPU % and RSS (100ms = 10 Hz)"));
    }

    @Override
    public Set<String> tools() {
        return Set.of();
    }

    @Override
    public List<BuiltTool> builtTools() {
        return List.of(StartupBenchmark.HTTP_PROBE);
    }

    @Override
    public List<Metric> metrics() {
        return List.of(LOAD_CPU, IDLE_CPU, LOAD_RSS, IDLE_RSS, LATENCY_P50, LATENCY_P99, CPU_SERIES, RSS_SERIES);
    }

    @Override
    public List<Params> cases(Params resolved) {
        if (resolved.getLong("rate") < 1) {
            throw new UserException("load-profile.rate must be at least 1 request per second");
        }
        if (resolved.getDuration("interval").toMillis() < 10) {
            throw new UserException("load-profile.interval must be at least 10ms");
        }
        if (resolved.getDuration("load").isZero()) {
            throw new UserException("load-profile.load must be longer than 0s");
        }
        // LoadGenerator keeps a thread and a latency per request: bound the trial's requests, not just the rate
        double requests = resolved.getLong("rate") * (resolved.getDuration("load").toMillis() / 1000.0);
        if (requests > MAX_REQUESTS) {
            throw new UserException("load-profile.rate x load is " + (long) requests + " requests per trial (at most "
                    + MAX_REQUESTS + ")");
        }
        return List.of(resolved);
    }

    @Override
    public boolean runByDefault() {
        return false;
    }

    @Override
    public Duration expectedDuration(Params p) {
        return p.getDuration("idle").plus(p.getDuration("load")).plusSeconds(5);
    }

    /** The mean of a phase's points (NaN when it has none). */
    static double mean(List<ProcessUsage.Point> points, java.util.function.ToDoubleFunction<ProcessUsage.Point> f) {
        return points.stream().mapToDouble(f).average().orElse(Double.NaN);
    }

    @Override
    public TrialOutcome run(TrialContext ctx) throws TrialFailure, InterruptedException {
        Duration idle = ctx.params().getDuration("idle");
        Duration load = ctx.params().getDuration("load");
        long rate = ctx.params().getLong("rate");
        Duration interval = ctx.params().getDuration("interval");
        long deadline = System.nanoTime() + ctx.timeout().toNanos();
        Fleet fleet = new Fleet(ctx, 1, StartupBenchmark.httpCommand(ctx.image()), StartupBenchmark.HTTP_PORT);
        StringBuilder raw = new StringBuilder();
        try {
            fleet.launch(0, 1, Duration.ZERO);
            fleet.awaitReady(deadline);
            if (fleet.launchError(0) != null) {
                throw new TrialFailure("the server failed to launch: " + fleet.launchError(0), "");
            }
            if (!fleet.ready(0)) {
                fleet.close();
                throw new TrialFailure("the server did not answer HTTP within " + ctx.timeout().toSeconds() + " s; torn down",
                        fleet.outputOfNotReady(1));
            }
            Sandbox s = fleet.sandbox(0);
            raw.append(String.format(Locale.ROOT, "server ready after %.1f ms via %s%n", fleet.readyMs(0), s.networkPath()));
            Recorder rec = new Recorder(s, interval);
            Thread sampler = Thread.ofPlatform().daemon().name("load-profile-sampler").start(rec);
            LoadGenerator.Result r;
            try {
                Thread.sleep(idle);
                rec.loadStart = System.nanoTime();
                r = LoadGenerator.run(s.endpoint(StartupBenchmark.HTTP_PORT), rate, load);
            } finally {
                rec.stop = true;
                sampler.join(Duration.ofSeconds(5));
            }
            return outcome(rec, r, rate, interval, raw);
        } finally {
            fleet.close();
        }
    }

    private static TrialOutcome outcome(Recorder rec, LoadGenerator.Result r, long rate, Duration interval, StringBuilder raw)
            throws TrialFailure {
        List<ProcessUsage.Point> idlePts = new ArrayList<>();
        List<ProcessUsage.Point> loadPts = new ArrayList<>();
        List<Sample> series = new ArrayList<>();
        for (ProcessUsage.Point p : rec.points) {
            boolean inLoad = p.atNanos() > rec.loadStart;
            (inLoad ? loadPts : idlePts).add(p);
            Map<String, String> at = Map.of("t_s", String.format(Locale.ROOT, "%.3f", (p.atNanos() - rec.start) / 1e9),
                    "phase", inLoad ? LOAD : IDLE);
            series.add(new Sample(CPU_SERIES, p.cpuPercent(), at));
            series.add(new Sample(RSS_SERIES, p.rssBytes() / MIB, at));
        }
        raw.append(String.format(Locale.ROOT, "sampling every %d ms: %d idle points, %d load points; %s%n", interval.toMillis(),
                idlePts.size(), loadPts.size(), rec.costLine()));
        raw.append(String.format(Locale.ROOT, "load: %d requests at %d/s over %.1f s, %d ok (%.1f/s), %d failed; "
                        + "latency from due time p50 %.3f ms, p99 %.3f ms, max %.3f ms; schedule lag max %.3f ms%n",
                r.sent(), rate, r.seconds(), r.latenciesMs().length, r.achievedPerSecond(), r.errors(), r.p(0.5), r.p(0.99),
                r.p(1.0), r.maxLagMs()));
        r.errorSamples().forEach(e -> raw.append("  error: ").append(e).append('\n'));
        raw.append("CPU: scheduler run time (/proc/PID/task/*/schedstat) of the instance's host processes, 100 % = one core; "
                + "RSS: VmRSS of /proc/PID/status, summed\n");
        raw.append("t_s phase cpu_percent rss_mib processes\n");
        for (ProcessUsage.Point p : rec.points) {
            raw.append(String.format(Locale.ROOT, "%.3f %s %.2f %.2f %d%n", (p.atNanos() - rec.start) / 1e9,
                    p.atNanos() > rec.loadStart ? LOAD : IDLE, p.cpuPercent(), p.rssBytes() / MIB, p.processes()));
        }
        if (idlePts.isEmpty() || loadPts.isEmpty()) {
            throw new TrialFailure("too few sampling points (idle " + idlePts.size() + ", load " + loadPts.size() + ")", raw.toString());
        }
        if (r.errors() * 2 > r.sent()) {
            throw new TrialFailure(r.errors() + " of " + r.sent() + " requests failed" + (r.errorSamples().isEmpty() ? ""
                    : ": " + r.errorSamples().get(0)), raw.toString());
        }
        List<Sample> out = new ArrayList<>();
        out.add(new Sample(LOAD_CPU, mean(loadPts, ProcessUsage.Point::cpuPercent)));
        out.add(new Sample(IDLE_CPU, mean(idlePts, ProcessUsage.Point::cpuPercent)));
        out.add(new Sample(LOAD_RSS, mean(loadPts, p -> p.rssBytes() / MIB)));
        out.add(new Sample(IDLE_RSS, mean(idlePts, p -> p.rssBytes() / MIB)));
        if (r.latenciesMs().length > 0) {
            out.add(new Sample(LATENCY_P50, r.p(0.5)));
            out.add(new Sample(LATENCY_P99, r.p(0.99)));
        }
        out.addAll(series);
        return new TrialOutcome(out, raw.toString());
    }

    /** Samples the sandbox's host processes at a fixed schedule until stopped. */
    static final class Recorder implements Runnable {
        final Sandbox sandbox;
        final long intervalNanos;
        final List<ProcessUsage.Point> points = java.util.Collections.synchronizedList(new ArrayList<>());
        volatile long start;
        volatile long loadStart = Long.MAX_VALUE;
        volatile boolean stop;
        private long costNanos;
        private int ticks;
        private long lookupNanos;
        private int lookups;
        private long maxLateNanos;

        Recorder(Sandbox sandbox, Duration interval) {
            this.sandbox = sandbox;
            this.intervalNanos = interval.toNanos();
        }

        @Override
        public void run() {
            ProcessUsage.Sampler sampler = new ProcessUsage.Sampler();
            start = System.nanoTime();
            long t0 = start;
            // the driver's pid lookup walks every host process (ProcessHandle.descendants, cgroup files): once a second
            int refreshEvery = (int) Math.max(1, 1_000_000_000L / intervalNanos);
            List<Long> pids = List.of();
            for (int k = 0; !stop; k++) {
                long due = t0 + k * intervalNanos;
                long wait;
                while ((wait = due - System.nanoTime()) > 0 && !stop) {
                    LockSupport.parkNanos(wait);
                }
                if (stop) {
                    return;
                }
                long a = System.nanoTime();
                maxLateNanos = Math.max(maxLateNanos, a - due);
                if (k % refreshEvery == 0) {
                    pids = sandbox.hostPids();
                    lookupNanos += System.nanoTime() - a;
                    lookups++;
                }
                long b = System.nanoTime();
                ProcessUsage.Point p = sampler.sample(pids);
                costNanos += System.nanoTime() - b;
                ticks++;
                if (p != null) {
                    points.add(p);
                }
            }
        }

        String costLine() {
            return String.format(Locale.ROOT, "sampler cost %.3f ms per point (/proc reads) + %.3f ms per host pid lookup "
                            + "(once a second), at most %.3f ms late", ticks == 0 ? 0 : costNanos / 1e6 / ticks,
                    lookups == 0 ? 0 : lookupNanos / 1e6 / lookups, maxLateNanos / 1e6);
        }
    }
}
