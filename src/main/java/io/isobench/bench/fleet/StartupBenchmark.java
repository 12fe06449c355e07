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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Startup: instances launched on an open-loop {@link Arrival} schedule (burst, staggered, seeded Poisson), cold or
 * prewarmed ({@link io.isobench.runtime.RuntimeDriver#prewarm}: created first, only the start timed); per instance the
 * time from its launch ({@link io.isobench.runtime.Sandbox#launchedAtNanos()}) to ready, both on the host's monotonic
 * clock, and the time its teardown ({@code close()}) takes. Ready is the workload's first stdout line
 * ({@code first-line}: busybox prints "ready"), the first 2xx HTTP response of isobench's HTTP probe inside the
 * sandbox through the runtime's own network path ({@code http}: {@link HttpPoller} on
 * {@link io.isobench.runtime.Sandbox#endpoint(int)}) or the launcher's exit ({@code exit}). The milestones a driver
 * exposes ({@link io.isobench.runtime.Sandbox#phases()}) are stored as their own metrics, absent where the runtime
 * exposes none. One case per (mode, readiness, arrival, instances); every ready instance is one ready_ms sample; per
 * launch, percentiles and success rate over every instance launched ({@link ReadyStats}: one that failed or was not
 * ready within the timeout counts as never ready), the harness's lateness per instance, instances in flight and one
 * waterfall point per instance. An iteration launches the case {@code runs} times, one launch right after the previous
 * one's teardown, after one unsampled warm-up launch (1 by default: the iteration's one launch follows the run's
 * cooldown). A trial fails only when no instance became ready; all are closed.
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
    /** Per launch of a case, over every instance it launched (failed ones as never ready: {@link ReadyStats}). */
    public static final Metric READY_P50_MS = new Metric("ready_p50_ms", "ms", false);
    public static final Metric READY_P95_MS = new Metric("ready_p95_ms", "ms", false);
    public static final Metric READY_P99_MS = new Metric("ready_p99_ms", "ms", false);
    public static final Metric READY_MAX_MS = new Metric("ready_max_ms", "ms", false);
    /** Per launch of a case: instances ready within the timeout over instances launched, in percent. */
    public static final Metric SUCCESS_RATE = new Metric("success_rate", "%", true);
    /** Per instance: from its scheduled launch time to when the harness called the driver (isobench's own lateness). */
    public static final Metric LATENESS_MS = new Metric("launch_lateness_ms", "ms", false);
    /** Per launch of a case: the most instances in flight (launched, not yet ready or failed) at once. */
    public static final Metric IN_FLIGHT_MAX = new Metric("in_flight_max", "instances", false);
    /** Time series (t_s = seconds from the case's start): instances in flight. */
    public static final Metric IN_FLIGHT = new Metric("in_flight", "instances", false);
    /** mode=prewarmed, per instance: how long creating it ahead of its start took (not part of ready_ms). */
    public static final Metric CREATE_MS = new Metric("create_ms", "ms", false);
    /**
     * Series, one point per instance of a launch, for the report's waterfall: the value is when the harness called the
     * driver (ms from the case's start); the point carries the instance, its intended launch, its phases, ready or
     * failed time, all in ms from the case's start.
     */
    public static final Metric INSTANCE = new Metric("instance_at_ms", "ms", false);
    public static final String COLD = "cold";
    public static final String PREWARMED = "prewarmed";
    public static final String RESTORE = "restore";
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
        return "time from launch to ready (first stdout line, first HTTP response or exit) of instances arriving in a "
                + "burst, staggered or at Poisson times, cold or prewarmed: p50-p99, success rate, the driver's launch "
                + "phases, a waterfall, and their teardown time";
    }

    @Override
    public List<ParamSpec> params() {
        return List.of(
                ParamSpec.of("instances", "1,4,8,16,32,64", ParamSpec.Type.INT_LIST, "instances per trial for burst and "
                        + "staggered arrivals (one case each)").range(1, Arrival.MAX_INSTANCES),
                ParamSpec.of("arrival", "burst", ParamSpec.Type.LIST, "when instances are launched (one case each), open "
                        + "loop: burst (all at once), staggered:<delay> (one every delay, e.g. staggered:100ms), "
                        + "poisson:<rate>/s (random arrivals at that mean rate for the duration, seeded)"),
                ParamSpec.of("delay", "0ms", ParamSpec.Type.DURATION_LIST, "older form of arrival: 0ms is burst, any other "
                        + "delay staggered:<delay> (one case each; not together with arrival)"),
                ParamSpec.of("duration", "10s", ParamSpec.Type.DURATION, "how long poisson arrivals go on"),
                ParamSpec.of("seed", "1", ParamSpec.Type.INT, "seed of the poisson arrivals (the same schedule in every "
                        + "runtime and iteration; stored in the case)"),
                ParamSpec.choice("mode", COLD, true, "what a launch starts from (one case each): cold (nothing: the whole "
                        + "launch is timed); prewarmed (the instance was created ahead, e.g. runc create; only its start is "
                        + "timed; runtimes without a create/start split are skipped with the reason); restore (from a "
                        + "checkpoint of a warmed instance)", COLD, PREWARMED, RESTORE),
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
        List<Metric> m = new ArrayList<>(List.of(READY_MS, TEARDOWN_MS, ALL_READY_MS, FIRST_LINE_MS, READY_P50_MS,
                READY_P95_MS, READY_P99_MS, READY_MAX_MS, SUCCESS_RATE, LATENESS_MS, IN_FLIGHT_MAX, IN_FLIGHT, CREATE_MS, INSTANCE));
        io.isobench.runtime.Sandbox.Phase.NAMES.forEach(p -> m.add(phaseMetric(p)));
        m.addAll(RestoreTrial.METRICS);
        return m;
    }

    /**
     * One case per (mode, readiness, arrival[, instances]). Burst and staggered cases keep the params of earlier versions
     * (instances, delay_ms: 0 for a burst), so compare pairs them with older runs; a poisson case has arrival, duration
     * and seed instead of instances. A mode other than cold is in the case's params; restore is one case (one instance
     * of the counter probe, HTTP readiness: {@link RestoreTrial}) whatever the arrivals.
     */
    @Override
    public List<Params> cases(Params resolved) {
        List<String> readiness = resolved.getList("readiness").stream().map(r -> r.equals(LINE) ? FIRST_LINE : r)
                .distinct().toList();
        List<String> modes = resolved.getList("mode").stream().distinct().toList();
        if (modes.contains(PREWARMED) && readiness.contains(EXIT)) {
            throw new UserException("startup.mode=prewarmed times a created instance's start to ready; it has no "
                    + "readiness=exit (use first-line or http)");
        }
        List<Arrival> arrivals = arrivals(resolved);
        Duration duration = io.isobench.util.Units.parseDuration(resolved.get("duration"), "startup.duration");
        List<Params> cases = new ArrayList<>();
        Params base = resolved.without("iterations").without("delay").without("arrival").without("duration")
                .without("seed").without("mode");
        for (String mode : modes) {
            if (mode.equals(RESTORE)) {
                // one instance of the counter probe, answered over HTTP, saved and restored (RestoreTrial): no arrival
                cases.add(base.without("instances").without("runs").with("readiness", HTTP).with("mode", RESTORE));
                continue;
            }
            for (String r : readiness) {
                for (Arrival a : arrivals) {
                    List<Params> cs = new ArrayList<>();
                    if (a.countsInstances()) {
                        for (String n : resolved.getList("instances")) {
                            cs.add(base.with("instances", n).with("delay_ms", Long.toString(a.delay().toMillis())));
                        }
                    } else {
                        double expected = a.expectedCount(duration);
                        if (duration.isZero() || expected > Arrival.MAX_INSTANCES) {
                            throw new UserException("startup: " + a.label() + " for " + Arrival.duration(duration)
                                    + " expects " + Math.round(expected) + " launches; give a duration above 0 and at most "
                                    + Arrival.MAX_INSTANCES + " expected launches");
                        }
                        cs.add(base.without("instances").with("arrival", a.label())
                                .with("duration", Arrival.duration(duration)).with("seed", resolved.get("seed")));
                    }
                    for (Params c : cs) {
                        c = c.with("readiness", r);
                        c = mode.equals(COLD) ? c : c.with("mode", mode);
                        // runs labels the samples only when it changes the regime (back-to-back launches)
                        cases.add(runs(resolved) == 1 ? c.without("runs") : c);
                    }
                }
            }
        }
        return cases;
    }

    /** startup.arrival, or the older startup.delay when only it was changed; both changed is a usage error. */
    static List<Arrival> arrivals(Params resolved) {
        List<String> delays = resolved.getList("delay");
        List<String> arrival = resolved.getList("arrival");
        boolean delaySet = !delays.equals(List.of("0ms"));
        boolean arrivalSet = !arrival.equals(List.of("burst"));
        if (delaySet && arrivalSet) {
            throw new UserException("startup.delay is the older form of startup.arrival (staggered:<delay>): set one of them");
        }
        List<Arrival> out = new ArrayList<>();
        if (delaySet) {
            for (String d : delays) {
                Duration delay = io.isobench.util.Units.parseDuration(d, "startup.delay");
                if (delay.toNanos() % 1_000_000 != 0) {
                    throw new UserException("startup.delay: whole milliseconds only: '" + d + "'");
                }
                out.add(Arrival.ofDelay(delay));
            }
        } else {
            for (String a : arrival) {
                Arrival x = Arrival.parse(a, "startup.arrival");
                if (x.kind() == Arrival.Kind.STAGGERED && x.delay().toNanos() % 1_000_000 != 0) {
                    throw new UserException("startup.arrival: staggered delays in whole milliseconds only: '" + a + "'");
                }
                out.add(x);
            }
        }
        return out.stream().distinct().toList();
    }

    /** The arrival pattern of a case: from arrival (poisson) or delay_ms (burst and staggered, as older runs stored them). */
    static Arrival arrivalOf(Params c) {
        if (c.values().containsKey("arrival")) {
            return Arrival.parse(c.get("arrival"), "startup.arrival");
        }
        return Arrival.ofDelay(Duration.ofMillis(c.getLong("delay_ms")));
    }

    static String modeOf(Params c) {
        return c.values().getOrDefault("mode", COLD);
    }

    /** Why {@code driver} cannot run a prewarmed case (no create/start split) or a restore case (no checkpoint), or null. */
    @Override
    public String unsupported(io.isobench.runtime.RuntimeDriver driver, Params c) {
        if (PREWARMED.equals(modeOf(c))) {
            String why = driver.prewarmUnsupported();
            return why == null ? null : driver.id() + " cannot prewarm (startup.mode=prewarmed): " + why;
        }
        if (RESTORE.equals(modeOf(c)) && driver.checkpointer().isEmpty()) {
            return driver.id() + " cannot restore (startup.mode=restore): " + driver.restoreUnsupported();
        }
        return null;
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
        if (RESTORE.equals(modeOf(p))) {
            return Duration.ofSeconds(20); // one instance: warmed, saved, restored (a VM's boot is the runtime's launch overhead)
        }
        int runs = runs(p);
        Arrival a = arrivalOf(p);
        long ms;
        long n;
        if (a.countsInstances()) {
            n = p.getLong("instances");
            ms = a.delay().toMillis() * Math.max(0, n - 1) + 150 * n + 2000;
        } else {
            Duration d = p.getDuration("duration");
            n = Math.round(a.expectedCount(d));
            ms = d.toMillis() + 50 * n + 2000; // launches overlap: the span plus what the last ones take
        }
        if (PREWARMED.equals(modeOf(p))) {
            ms += 150 * n; // creating the instances first
        }
        return Duration.ofMillis(ms * (runs == 1 ? 1 : runs + 1));
    }

    /** Every run's instances (and the prewarmed ones); a restore launches one. */
    @Override
    public int launches(Params p) {
        if (RESTORE.equals(modeOf(p))) {
            return 1;
        }
        long n = perRun(p) * (PREWARMED.equals(modeOf(p)) ? 2 : 1);
        int runs = runs(p);
        return (int) Math.min(Integer.MAX_VALUE, n * (runs == 1 ? 1 : runs + 1));
    }

    /** A run's instances overlap (all at once, or arriving faster than a slow runtime boots them). */
    @Override
    public int launchesAtOnce(Params p) {
        return RESTORE.equals(modeOf(p)) ? 1 : (int) Math.max(1, Math.min(Integer.MAX_VALUE, perRun(p)));
    }

    /** The instances one run launches: its count, or those its arrival process is expected to bring. */
    private static long perRun(Params p) {
        Arrival a = arrivalOf(p);
        return a.countsInstances() ? p.getLong("instances") : Math.round(a.expectedCount(p.getDuration("duration")));
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
            // one cold instance whatever the first case is (a poisson or prewarmed one included)
            Params p = new Params(Map.of("instances", "1", "delay_ms", "0", "readiness", i % 2 == 0 ? EXIT : FIRST_LINE));
            TrialContext w = new TrialContext(nat, ctx.image(), ctx.limits(), p, Duration.ofSeconds(30),
                    ctx.instancePrefix() + i);
            try {
                plain.launchOnce(w, new ArrayList<>(), new StringBuilder(), 0);
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
        if (RESTORE.equals(modeOf(ctx.params()))) {
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
                launchOnce(c, r == 0 ? new ArrayList<>() : samples, raw, r);
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

    /**
     * One launch of the case: its instances launched on their schedule (open loop), prewarmed first in mode prewarmed,
     * ready or failed, all torn down; adds its samples and raw lines. The timeout runs from the first scheduled launch.
     * An instance that fails or is not ready in time is counted (success_rate, and as never ready in the percentiles);
     * the trial fails only when no instance became ready.
     */
    private void launchOnce(TrialContext ctx, List<Sample> samples, StringBuilder raw, int run) throws TrialFailure, InterruptedException {
        Params p = ctx.params();
        Arrival arrival = arrivalOf(p);
        long seed = p.values().containsKey("seed") ? p.getLong("seed") : 0;
        long[] offsets = arrival.countsInstances() ? arrival.offsetsNanos((int) p.getLong("instances"), Duration.ZERO, 0)
                : arrival.offsetsNanos(0, p.getDuration("duration"), seed);
        int n = offsets.length;
        if (n == 0) {
            throw new TrialFailure("no arrival: " + arrival.label() + " with seed " + seed + " drew no launch in "
                    + p.get("duration") + "; raise the rate or the duration", "");
        }
        boolean prewarmed = PREWARMED.equals(modeOf(p));
        String readiness = p.get("readiness");
        boolean http = HTTP.equals(readiness);
        boolean exit = EXIT.equals(readiness);
        List<String> exitArgv = exit ? exitCommand.apply(ctx.image()) : List.of();
        long prewarmStart = System.nanoTime();
        Fleet fleet = http ? new Fleet(ctx, n, httpCommand(ctx.image()), HTTP_PORT)
                : exit ? Fleet.untilExit(ctx, n, exitArgv, prewarmStart + ctx.timeout().toNanos() + offsets[n - 1])
                : new Fleet(ctx, n, command.apply(ctx.image()));
        long t0;
        long end;
        double prewarmMs = Double.NaN;
        try {
            if (prewarmed) {
                fleet.prewarm();
                prewarmMs = (System.nanoTime() - prewarmStart) / 1e6;
            }
            t0 = System.nanoTime() + (n == 1 ? 0 : Fleet.THREAD_LEAD_NANOS); // ahead: the first threads start in time
            fleet.launchAt(t0, offsets);
            fleet.awaitReady(t0 + offsets[n - 1] + ctx.timeout().toNanos());
            end = System.nanoTime();
        } finally {
            fleet.close();
        }
        List<String> errors = new ArrayList<>();
        List<Double> ready = new ArrayList<>();
        String why = http ? "no 2xx HTTP answer" : exit ? "no exit" : "no line on stdout";
        int launchFailed = 0;
        String firstLaunchError = null;
        for (int i = 0; i < n; i++) {
            if (fleet.launchError(i) != null) {
                errors.add("instance " + i + ": " + fleet.launchError(i));
                launchFailed++;
                firstLaunchError = firstLaunchError == null ? errors.getLast() : firstLaunchError;
            } else if (!fleet.ready(i)) {
                errors.add("instance " + i + ": not ready (" + why + ") within " + ctx.timeout().toSeconds() + " s");
            } else {
                ready.add(fleet.readyMs(i));
            }
        }
        if (ready.isEmpty()) {
            int notReady = n - launchFailed;
            String reason = notReady == 0
                    ? String.format(Locale.ROOT, "%d of %d instances failed to launch: %s", launchFailed, n, firstLaunchError)
                    : String.format(Locale.ROOT, "%d of %d instances not ready (%s) within %d s%s; all torn down", notReady, n,
                    why, ctx.timeout().toSeconds(), launchFailed == 0 ? "" : ", " + launchFailed + " failed to launch: "
                            + firstLaunchError);
            throw new TrialFailure(reason, String.join("\n", errors.subList(0, Math.min(errors.size(), 50))) + "\n"
                    + fleet.outputOfNotReady(3));
        }
        ReadyStats stats = ReadyStats.of(ready.stream().mapToDouble(Double::doubleValue).toArray(), n);
        for (int i = 0; i < n; i++) {
            if (fleet.ready(i)) {
                samples.add(new Sample(READY_MS, fleet.readyMs(i)));
            }
        }
        for (int i = 0; i < n; i++) {
            if (fleet.sandbox(i) != null) {
                samples.add(new Sample(TEARDOWN_MS, fleet.teardownMs(i)));
            }
        }
        if (stats.ready() == n) {
            samples.add(new Sample(ALL_READY_MS, fleet.allReadyMs()));
        }
        if (http) {
            for (int i = 0; i < n; i++) {
                if (fleet.sandbox(i) != null && Double.isFinite(fleet.firstLineMs(i))) {
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
        // percentiles over every instance launched; one on an instance that never became ready is not a time
        Map<Metric, Double> pct = new LinkedHashMap<>();
        pct.put(READY_P50_MS, stats.percentile(50));
        pct.put(READY_P95_MS, stats.percentile(95));
        pct.put(READY_P99_MS, stats.percentile(99));
        pct.put(READY_MAX_MS, stats.max());
        pct.forEach((m, v) -> {
            if (Double.isFinite(v)) {
                samples.add(new Sample(m, v));
            }
        });
        samples.add(new Sample(SUCCESS_RATE, stats.successPercent()));
        for (int i = 0; i < n; i++) {
            if (fleet.calledAtNanos(i) != 0) {
                samples.add(new Sample(LATENESS_MS, fleet.latenessMs(i)));
            }
        }
        for (int i = 0; i < n; i++) {
            if (Double.isFinite(fleet.createMs(i))) {
                samples.add(new Sample(CREATE_MS, fleet.createMs(i)));
            }
        }
        InFlight flight = InFlight.of(fleet, n, t0, end);
        samples.add(new Sample(IN_FLIGHT_MAX, flight.max()));
        for (int k = 0; k < flight.t().length; k++) {
            samples.add(new Sample(IN_FLIGHT, flight.count()[k], Map.of("t_s", fmt(flight.t()[k] / 1e9, 6),
                    "run", Integer.toString(run))));
        }
        for (int i = 0; i < n; i++) {
            long at = fleet.calledAtNanos(i) == 0 ? fleet.intendedAtNanos(i) : fleet.calledAtNanos(i);
            samples.add(new Sample(INSTANCE, (at - t0) / 1e6, waterfallPoint(fleet, i, t0, run)));
        }
        raw.append(String.format(Locale.ROOT, "%d instances, arrival %s%s, mode %s%s, %d ready (success %.1f%%), ready p50 %s "
                        + "p95 %s p99 %s max %s ms, launch lateness p50 %.3f max %.3f ms, at most %d in flight, readiness %s%n",
                n, arrival.label(), arrival.countsInstances() ? "" : " for " + p.get("duration") + " (seed " + seed + ")",
                modeOf(p), prewarmed ? String.format(Locale.ROOT, " (created in %.1f ms before the first start)", prewarmMs) : "",
                stats.ready(), stats.successPercent(), ms(pct.get(READY_P50_MS)), ms(pct.get(READY_P95_MS)),
                ms(pct.get(READY_P99_MS)), ms(pct.get(READY_MAX_MS)), lateness(fleet, n, 50), lateness(fleet, n, 100),
                (int) flight.max(),
                http ? "http (" + HttpPoller.DESCRIPTION + "; " + fleet.httpAttempts() + " attempts)"
                        : exit ? "exit (the runtime's launcher exited 0, started quietly: nothing read until its exit; "
                        + "workload " + String.join(" ", exitArgv) + ")"
                        : FIRST_LINE));
        if (stats.ready() == n) {
            raw.append(String.format(Locale.ROOT, "all ready %.3f ms after the first launch%n", fleet.allReadyMs()));
        }
        errors.stream().limit(50).forEach(e -> raw.append(e).append('\n'));
        if (http && fleet.sandbox(0) != null) {
            raw.append("network path of instance 0: ").append(fleet.sandbox(0).networkPath()).append('\n');
        }
        for (int i = 0; i < n; i++) {
            StringBuilder ph = new StringBuilder();
            fleet.phaseMs(i).forEach((k, v) -> ph.append(String.format(Locale.ROOT, "%s %.3f ms, ", k, v)));
            raw.append(String.format(Locale.ROOT, "instance %d %s: scheduled %.3f ms, late %.3f ms, %s%s%s, teardown %.3f ms%n", i,
                    fleet.sandbox(i) == null ? "-" : fleet.sandbox(i).id(), (fleet.intendedAtNanos(i) - t0) / 1e6,
                    fleet.calledAtNanos(i) == 0 ? Double.NaN : fleet.latenessMs(i), ph,
                    http && fleet.sandbox(i) != null ? String.format(Locale.ROOT, "first line %.3f ms, ", fleet.firstLineMs(i)) : "",
                    fleet.ready(i) ? String.format(Locale.ROOT, "ready %.3f ms", fleet.readyMs(i)) : "NOT READY",
                    fleet.teardownMs(i)));
        }
        if (errors.size() > 0 && stats.ready() < n) {
            raw.append(fleet.outputOfNotReady(3));
        }
    }

    private static String ms(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.3f", v) : "never (not ready)";
    }

    private static String fmt(double v, int decimals) {
        return new java.math.BigDecimal(v).setScale(decimals, java.math.RoundingMode.HALF_EVEN).stripTrailingZeros().toPlainString();
    }

    /** The p-th percentile (nearest rank) of the harness's lateness over the instances it called the driver for. */
    private static double lateness(Fleet f, int n, double pct) {
        double[] l = java.util.stream.IntStream.range(0, n).filter(i -> f.calledAtNanos(i) != 0).mapToDouble(f::latenessMs)
                .sorted().toArray();
        return l.length == 0 ? Double.NaN : l[Math.max(0, (int) Math.ceil(pct / 100 * l.length) - 1)];
    }

    /** Instance i of a launch as one waterfall point: times in ms from the case's start {@code t0}. */
    private static Map<String, String> waterfallPoint(Fleet f, int i, long t0, int run) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("instance", Integer.toString(i));
        m.put("run", Integer.toString(run));
        m.put("intended_ms", fmt((f.intendedAtNanos(i) - t0) / 1e6, 3));
        io.isobench.runtime.Sandbox s = f.sandbox(i);
        if (s != null) {
            m.put("launched_ms", fmt((s.launchedAtNanos() - t0) / 1e6, 3));
            for (io.isobench.runtime.Sandbox.Phase ph : s.phases()) {
                m.putIfAbsent(ph.name() + "_ms", fmt((ph.atNanos() - t0) / 1e6, 3));
            }
        }
        if (f.ready(i)) {
            m.put("outcome", "ready");
            m.put("ready_ms", fmt((f.readyAtNanos(i) - t0) / 1e6, 3));
        } else {
            m.put("outcome", f.launchError(i) != null ? "failed" : "not ready");
            if (f.failedAtNanos(i) != 0) {
                m.put("failed_ms", fmt((f.failedAtNanos(i) - t0) / 1e6, 3));
            }
        }
        return m;
    }
}
