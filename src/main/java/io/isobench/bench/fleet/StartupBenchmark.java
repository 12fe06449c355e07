package io.isobench.bench.fleet;

import io.isobench.bench.Benchmark;
import io.isobench.bench.Metric;
import io.isobench.bench.ParamSpec;
import io.isobench.bench.Params;
import io.isobench.bench.Sample;
import io.isobench.bench.TrialContext;
import io.isobench.bench.TrialFailure;
import io.isobench.bench.TrialOutcome;
import io.isobench.util.UserException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Startup: N instances launched concurrently (optionally a fixed delay apart); per instance the time from its
 * launch ({@link io.isobench.runtime.Sandbox#launchedAtNanos()}) to ready, both on the host's monotonic clock, and
 * the time its teardown ({@code close()}) takes. Ready is either the workload's first stdout line
 * ({@code first-line}: busybox prints "ready") or the first 2xx HTTP response of isobench's HTTP probe inside the
 * sandbox through the runtime's own network path ({@code http}: {@link HttpPoller} on
 * {@link io.isobench.runtime.Sandbox#endpoint(int)}). The milestones a driver exposes
 * ({@link io.isobench.runtime.Sandbox#phases()}) are stored as their own metrics, absent where the runtime exposes
 * none. One case per (instances, delay, readiness); every instance is one sample. An iteration launches the case
 * {@code runs} times, one launch right after the previous one's teardown, after one unsampled warm-up launch (1 by
 * default: the iteration's one launch follows the run's cooldown). An instance not ready within the trial's timeout fails the trial; all are closed.
 */
public final class StartupBenchmark implements Benchmark {
    public static final Metric READY_MS = new Metric("ready_ms", "ms", false);
    public static final Metric TEARDOWN_MS = new Metric("teardown_ms", "ms", false);
    /**
     * http readiness: when the host read the workload's first line (the probe's "listening" line, printed once bound;
     * read on its own channel, so on a busy host it can come after the first answer). Not with exit readiness, which
     * reads nothing while the workload runs.
     */
    public static final Metric FIRST_LINE_MS = new Metric("first_line_ms", "ms", false);
    /** One per trial: from the first instance's launch to the last instance's readiness (the whole fleet's startup). */
    public static final Metric ALL_READY_MS = new Metric("all_ready_ms", "ms", false);
    public static final String FIRST_LINE = "first-line";
    /** Accepted for first-line. */
    public static final String LINE = "line";
    public static final String HTTP = "http";
    /**
     * Run to completion: the workload prints a line and exits; ready when the launcher exited 0 (what hyperfine times).
     * Its launcher is started quietly ({@link io.isobench.runtime.LaunchSpec#runToCompletion()}): isobench reads and
     * does nothing between the spawn and the exit.
     */
    public static final String EXIT = "exit";
    public static final int HTTP_PORT = 8080;
    public static final io.isobench.image.BuiltTool HTTP_PROBE = new io.isobench.image.BuiltTool("http-probe", "probe/http-probe.c");

    /** The metric of a driver phase ({@link io.isobench.runtime.Sandbox.Phase}): "spawned" -> spawned_ms. */
    public static Metric phaseMetric(String phase) {
        return new Metric(phase + "_ms", "ms", false);
    }

    /** Unsampled native launches that warm isobench's own launch path once per run ({@link #warmHarness}). */
    static final int HARNESS_WARMUP_LAUNCHES = 40;

    private final java.util.function.Function<io.isobench.image.WorkloadImage, List<String>> command;
    private final java.util.function.Function<io.isobench.image.WorkloadImage, List<String>> exitCommand;
    /** What the harness warm-up did, put first in the raw output of the next trial; null when none is pending. */
    private String harnessNote;

    public StartupBenchmark() {
        this(Fleet::readyCommand, Fleet::exitCommand);
    }

    /** With other workload commands (tests: one that never prints or never exits, to check the not-ready paths). */
    StartupBenchmark(java.util.function.Function<io.isobench.image.WorkloadImage, List<String>> command,
                     java.util.function.Function<io.isobench.image.WorkloadImage, List<String>> exitCommand) {
        this.command = command;
        this.exitCommand = exitCommand;
    }

    /** The HTTP probe serving on {@link #HTTP_PORT}; it prints "http-probe: listening on 8080" once bound. */
    static List<String> httpCommand(io.isobench.image.WorkloadImage image) throws TrialFailure {
        String probe = image.tools().get(HTTP_PROBE.name());
        if (probe == null) {
            String why = image.missingReasons().get(HTTP_PROBE.name());
            throw new TrialFailure("the HTTP probe is not in the image" + (why == null ? "" : ": " + why), "");
        }
        return List.of(probe, Integer.toString(HTTP_PORT));
    }

    @Override
    public String id() {
        return "startup";
    }

    @Override
    public String description() {
        return "time from launch to ready (first stdout line or first HTTP response) of N concurrent instances, "
                + "the driver's launch phases, and their teardown time";
    }

    @Override
    public List<ParamSpec> params() {
        return List.of(
                ParamSpec.of("instances", "1,4,8,16,32,64", ParamSpec.Type.INT_LIST, "concurrent instances per trial (one case each)").range(1, 10_000),
                ParamSpec.of("delay", "0ms", ParamSpec.Type.DURATION_LIST, "fixed delay between consecutive launches (one case each)"),
                ParamSpec.of("iterations", "5", ParamSpec.Type.INT, "measured repetitions of every case (replaces --repetitions for startup)").range(1, 100_000),
                ParamSpec.of("runs", "1", ParamSpec.Type.INT, "sampled launches of the case per iteration, each right after the "
                        + "previous one's teardown, after one unsampled warm-up launch: hyperfine's back-to-back regime (with 1, "
                        + "the iteration's one launch follows the cooldown: the host idle before it)"),
                ParamSpec.choice("readiness", FIRST_LINE, true, "when an instance is ready (one case each): first-line (or line: "
                        + "its first line on stdout); http (first 2xx answer of isobench's HTTP probe inside the sandbox on port "
                        + HTTP_PORT + ", through the runtime's own network path); exit (run to completion: the workload prints a line and "
                        + "exits, ready when the runtime's launcher has exited with status 0, cleanup included, as hyperfine "
                        + "or `time docker run --rm` measure it; nothing is read from it meanwhile, so no first_line_ms)",
                        FIRST_LINE, LINE, HTTP, EXIT));
    }

    @Override
    public Set<String> tools() {
        return Set.of(); // busybox is always in the image
    }

    @Override
    public List<io.isobench.image.BuiltTool> builtTools() {
        return List.of(HTTP_PROBE, RestoreTrial.COUNTER_PROBE);
    }

    @Override
    public List<Metric> metrics() {
        List<Metric> m = new ArrayList<>(List.of(READY_MS, TEARDOWN_MS, ALL_READY_MS, FIRST_LINE_MS));
        io.isobench.runtime.Sandbox.Phase.NAMES.forEach(p -> m.add(phaseMetric(p)));
        m.addAll(RestoreTrial.METRICS);
        return m;
    }

    @Override
    public List<Params> cases(Params resolved) {
        List<String> readiness = resolved.getList("readiness").stream().map(r -> r.equals(LINE) ? FIRST_LINE : r)
                .distinct().toList();
        List<Params> cases = new ArrayList<>();
        for (String r : readiness) {
            for (String n : resolved.getList("instances")) {
                for (String d : resolved.getList("delay")) {
                    long ms = io.isobench.util.Units.parseDuration(d, "startup.delay").toMillis();
                    Params c = resolved.without("iterations").without("delay").with("instances", n)
                            .with("delay_ms", Long.toString(ms)).with("readiness", r);
                    // runs labels the samples only when it changes the regime (back-to-back launches)
                    cases.add(runs(resolved) == 1 ? c.without("runs") : c);
                }
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
        runs(resolved);
        return OptionalInt.of((int) n);
    }

    @Override
    public boolean runByDefault() {
        return false;
    }

    @Override
    public Duration expectedDuration(Params p) {
        long n = p.getLong("instances");
        int runs = runs(p);
        return Duration.ofMillis((p.getLong("delay_ms") * Math.max(0, n - 1) + 150 * n + 2000) * (runs == 1 ? 1 : runs + 1));
    }

    /**
     * Before the run's first startup trial, whatever the plan's warmups: {@value #HARNESS_WARMUP_LAUNCHES} unsampled
     * launches of a trivial host command (busybox from the image, run to its exit) through the native driver, i.e.
     * the same Spawner, ProcessSandbox, Fleet and reap path every runtime's launch takes, with exit readiness (its
     * quiet launch) and first-line readiness alternately (http readiness shares the rest of that path). Without it the
     * JVM's first launches of a run are slower than the later ones (the JIT has not compiled that code yet) and a run
     * with --warmups 0 would measure isobench warming up. The runtime itself is not warmed: that is the plan's warmups.
     * {@code ISOBENCH_HARNESS_WARMUP=0} turns it off (only for bench/startup-overhead.sh's before/after comparison).
     */
    @Override
    public boolean warmHarness(TrialContext ctx) throws InterruptedException {
        if ("0".equals(System.getenv("ISOBENCH_HARNESS_WARMUP"))) {
            return false;
        }
        StartupBenchmark plain = new StartupBenchmark();
        io.isobench.runtime.RuntimeDriver nat = new io.isobench.runtime.host.NativeDriver();
        long t0 = System.nanoTime();
        int ok = 0;
        String error = null;
        for (int i = 0; i < HARNESS_WARMUP_LAUNCHES && error == null; i++) {
            Params p = ctx.params().with("instances", "1").with("delay_ms", "0")
                    .with("readiness", i % 2 == 0 ? EXIT : FIRST_LINE);
            TrialContext w = new TrialContext(nat, ctx.image(), ctx.limits(), p, Duration.ofSeconds(30),
                    ctx.instancePrefix() + i);
            try {
                plain.launchOnce(w, new ArrayList<>(), new StringBuilder());
                ok++;
            } catch (TrialFailure f) {
                error = f.getMessage();
            }
        }
        harnessNote = String.format(Locale.ROOT, "isobench: harness warm-up before this run's first startup trial: %d of %d "
                        + "unsampled native launches of busybox sh -c 'echo ready' (exit and first-line readiness) in %.0f ms%s%n",
                ok, HARNESS_WARMUP_LAUNCHES, (System.nanoTime() - t0) / 1e6, error == null ? "" : "; stopped: " + error);
        return true;
    }

    @Override
    public TrialOutcome run(TrialContext ctx) throws TrialFailure, InterruptedException {
        if ("restore".equals(ctx.params().values().get("mode"))) {
            return RestoreTrial.run(ctx); // startup.mode=restore: checkpoint a warmed server, time restore to its first answer
        }
        int runs = runs(ctx.params());
        List<Sample> samples = new ArrayList<>();
        StringBuilder raw = new StringBuilder();
        if (harnessNote != null) {
            raw.append(harnessNote);
            harnessNote = null;
        }
        // with runs > 1, launch 0 is an unsampled warm-up (as hyperfine's --warmup): it takes the launch after the
        // cooldown, so every sampled launch follows the previous one's teardown and the regime is one, back-to-back
        for (int r = runs == 1 ? 1 : 0; r <= runs; r++) {
            // every run's instances get their own names: a runtime may still be releasing the previous run's
            TrialContext c = runs == 1 ? ctx : new TrialContext(ctx.driver(), ctx.image(), ctx.limits(), ctx.params(),
                    ctx.timeout(), ctx.instancePrefix() + "-r" + r);
            String label = r == 0 ? "warm-up launch (not sampled)" : "run " + r + " of " + runs;
            if (runs > 1) {
                raw.append(label).append(":\n");
            }
            try {
                launchOnce(c, r == 0 ? new ArrayList<>() : samples, raw);
            } catch (TrialFailure f) {
                throw runs == 1 ? f : new TrialFailure(label + ": " + f.getMessage(), raw + f.rawOutput());
            }
        }
        return new TrialOutcome(samples, raw.toString());
    }

    private static int runs(Params p) {
        long runs = p.values().containsKey("runs") ? p.getLong("runs") : 1;
        if (runs < 1) {
            throw new UserException("startup.runs must be at least 1");
        }
        return (int) runs;
    }

    /** One launch of the case: N instances, ready, torn down; adds its samples and raw lines. The timeout is per launch. */
    private void launchOnce(TrialContext ctx, List<Sample> samples, StringBuilder raw) throws TrialFailure, InterruptedException {
        int n = (int) ctx.params().getLong("instances");
        Duration delay = Duration.ofMillis(ctx.params().getLong("delay_ms"));
        String readiness = ctx.params().get("readiness");
        boolean http = HTTP.equals(readiness);
        boolean exit = EXIT.equals(readiness);
        long deadline = System.nanoTime() + ctx.timeout().toNanos();
        List<String> exitArgv = exit ? exitCommand.apply(ctx.image()) : List.of();
        Fleet fleet = http ? new Fleet(ctx, n, httpCommand(ctx.image()), HTTP_PORT)
                : exit ? Fleet.untilExit(ctx, n, exitArgv, deadline)
                : new Fleet(ctx, n, command.apply(ctx.image()));
        boolean allReady;
        try {
            fleet.launch(0, n, delay);
            allReady = fleet.awaitReady(deadline);
        } finally {
            fleet.close();
        }
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
            throw new TrialFailure(launchErrors.size() + " of " + n + " instances failed to launch: " + launchErrors.get(0),
                    String.join("\n", launchErrors) + "\n" + fleet.outputOfNotReady(3));
        } else if (!allReady || notReady > 0) {
            throw new TrialFailure(String.format(Locale.ROOT, "%d of %d instances not ready (%s) within %d s; all torn down",
                    notReady, n, http ? "no 2xx HTTP answer" : exit ? "no exit" : "no line on stdout",
                    ctx.timeout().toSeconds()), fleet.outputOfNotReady(3));
        }
        for (int i = 0; i < n; i++) {
            samples.add(new Sample(READY_MS, fleet.readyMs(i)));
        }
        for (int i = 0; i < n; i++) {
            samples.add(new Sample(TEARDOWN_MS, fleet.teardownMs(i)));
        }
        samples.add(new Sample(ALL_READY_MS, fleet.allReadyMs()));
        if (http) {
            for (int i = 0; i < n; i++) {
                if (Double.isFinite(fleet.firstLineMs(i))) {
                    samples.add(new Sample(FIRST_LINE_MS, fleet.firstLineMs(i)));
                }
            }
        }
        // the driver's own milestones, one metric per phase, only where the runtime exposed them
        for (String phase : io.isobench.runtime.Sandbox.Phase.NAMES) {
            for (int i = 0; i < n; i++) {
                Double ms = fleet.phaseMs(i).get(phase);
                if (ms != null) {
                    samples.add(new Sample(phaseMetric(phase), ms));
                }
            }
        }
        raw.append(String.format(Locale.ROOT, "%d instances, %d ms apart, all ready %.3f ms after the first launch, readiness %s%n",
                n, delay.toMillis(), fleet.allReadyMs(),
                http ? "http (" + HttpPoller.DESCRIPTION + "; " + fleet.httpAttempts() + " attempts)"
                        : exit ? "exit (the runtime's launcher exited 0, started quietly: nothing read until its exit; "
                        + "workload " + String.join(" ", exitArgv) + ")"
                        : FIRST_LINE));
        if (http) {
            raw.append("network path of instance 0: ").append(fleet.sandbox(0).networkPath()).append('\n');
        }
        for (int i = 0; i < n; i++) {
            StringBuilder ph = new StringBuilder();
            fleet.phaseMs(i).forEach((k, v) -> ph.append(String.format(Locale.ROOT, "%s %.3f ms, ", k, v)));
            raw.append(String.format(Locale.ROOT, "instance %d %s: %s%sready %.3f ms, teardown %.3f ms%n", i,
                    fleet.sandbox(i).id(), ph, http ? String.format(Locale.ROOT, "first line %.3f ms, ", fleet.firstLineMs(i)) : "",
                    fleet.readyMs(i), fleet.teardownMs(i)));
        }
    }
}
