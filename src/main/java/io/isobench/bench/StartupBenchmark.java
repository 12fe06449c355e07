package io.isobench.bench;

import io.isobench.util.UserException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Startup: N instances launched concurrently (optionally a fixed delay apart); per instance the time from its
 * launch ({@link io.isobench.runtime.Sandbox#launchedAtNanos()}) to its first stdout line, both on the host's
 * monotonic clock, and the time its teardown ({@code close()}) takes. One case per (instances, delay); every
 * instance is one sample. An instance not ready within the trial's timeout fails the trial; all are closed.
 */
public final class StartupBenchmark implements Benchmark {
    public static final Metric READY_MS = new Metric("ready_ms", "ms", false);
    public static final Metric TEARDOWN_MS = new Metric("teardown_ms", "ms", false);
    public static final String FIRST_LINE = "first-line";
    public static final String HTTP = "http";

    private final java.util.function.Function<io.isobench.image.WorkloadImage, List<String>> command;

    public StartupBenchmark() {
        this(Fleet::readyCommand);
    }

    /** With another workload command (tests: one that never prints, to check the not-ready path). */
    StartupBenchmark(java.util.function.Function<io.isobench.image.WorkloadImage, List<String>> command) {
        this.command = command;
    }

    @Override
    public String id() {
        return "startup";
    }

    @Override
    public String description() {
        return "time from launch to ready (first stdout line) of N concurrent instances, and their teardown time";
    }

    @Override
    public List<ParamSpec> params() {
        return List.of(
                ParamSpec.of("instances", "1,4,8,16,32,64", ParamSpec.Type.INT_LIST, "concurrent instances per trial (one case each)"),
                ParamSpec.of("delay", "0ms", ParamSpec.Type.DURATION_LIST, "fixed delay between consecutive launches (one case each)"),
                ParamSpec.of("iterations", "5", ParamSpec.Type.INT, "measured repetitions of every case (replaces --repetitions for startup)"),
                ParamSpec.choice("readiness", FIRST_LINE, false, "when an instance is ready: first-line (its first line on stdout); "
                        + "http (first HTTP response from inside the sandbox) is not yet available: drivers have no network path", FIRST_LINE, HTTP));
    }

    @Override
    public Set<String> tools() {
        return Set.of(); // busybox is always in the image
    }

    @Override
    public List<Metric> metrics() {
        return List.of(READY_MS, TEARDOWN_MS);
    }

    @Override
    public List<Params> cases(Params resolved) {
        if (HTTP.equals(resolved.get("readiness"))) {
            throw new UserException("startup.readiness=http is not available yet: runtime drivers have no network path "
                    + "into the sandbox; use startup.readiness=first-line");
        }
        List<Params> cases = new ArrayList<>();
        for (String n : resolved.getList("instances")) {
            for (String d : resolved.getList("delay")) {
                long ms = io.isobench.util.Units.parseDuration(d, "startup.delay").toMillis();
                cases.add(resolved.without("iterations").without("delay").with("instances", n)
                        .with("delay_ms", Long.toString(ms)));
            }
        }
        return cases;
    }

    @Override
    public OptionalInt repetitions(Params resolved) {
        long n = resolved.getLong("iterations");
        if (n < 1) {
            throw new UserException("startup.iterations must be at least 1");
        }
        return OptionalInt.of((int) n);
    }

    @Override
    public boolean runByDefault() {
        return false;
    }

    @Override
    public Duration expectedDuration(Params p) {
        long n = p.getLong("instances");
        return Duration.ofMillis(p.getLong("delay_ms") * Math.max(0, n - 1) + 150 * n + 2000);
    }

    @Override
    public TrialOutcome run(TrialContext ctx) throws TrialFailure, InterruptedException {
        int n = (int) ctx.params().getLong("instances");
        Duration delay = Duration.ofMillis(ctx.params().getLong("delay_ms"));
        long deadline = System.nanoTime() + ctx.timeout().toNanos();
        Fleet fleet = new Fleet(ctx, n, command.apply(ctx.image()));
        String failure = null;
        boolean allReady;
        try {
            fleet.launch(0, n, delay);
            allReady = fleet.awaitReady(deadline);
        } finally {
            fleet.close();
        }
        StringBuilder raw = new StringBuilder();
        List<Sample> samples = new ArrayList<>();
        List<String> launchErrors = new ArrayList<>();
        int notReady = 0;
        for (int i = 0; i < n; i++) {
            if (fleet.launchError(i) != null) {
                launchErrors.add("instance " + i + ": " + fleet.launchError(i));
            } else if (!fleet.ready(i)) {
                notReady++;
            }
        }
        if (!launchErrors.isEmpty()) {
            failure = launchErrors.size() + " of " + n + " instances failed to launch: " + launchErrors.get(0);
            raw.append(String.join("\n", launchErrors)).append('\n');
        } else if (!allReady || notReady > 0) {
            failure = String.format(Locale.ROOT, "%d of %d instances not ready (no line on stdout) within %d s; all torn down",
                    notReady, n, ctx.timeout().toSeconds());
        }
        if (failure != null) {
            throw new TrialFailure(failure, raw + fleet.outputOfNotReady(3));
        }
        for (int i = 0; i < n; i++) {
            samples.add(new Sample(READY_MS, fleet.readyMs(i)));
        }
        for (int i = 0; i < n; i++) {
            samples.add(new Sample(TEARDOWN_MS, fleet.teardownMs(i)));
        }
        raw.append(String.format(Locale.ROOT, "%d instances, %d ms apart, readiness first-line%n", n, delay.toMillis()));
        for (int i = 0; i < n; i++) {
            raw.append(String.format(Locale.ROOT, "instance %d %s: ready %.3f ms, teardown %.3f ms%n", i,
                    fleet.sandbox(i).id(), fleet.readyMs(i), fleet.teardownMs(i)));
        }
        return new TrialOutcome(samples, raw.toString());
    }
}
