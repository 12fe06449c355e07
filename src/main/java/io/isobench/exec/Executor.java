package io.isobench.exec;

import io.isobench.bench.Benchmark;
import io.isobench.bench.Params;
import io.isobench.bench.Sample;
import io.isobench.bench.TrialContext;
import io.isobench.bench.TrialFailure;
import io.isobench.bench.TrialOutcome;
import io.isobench.image.WorkloadImage;
import io.isobench.plan.Plan;
import io.isobench.proc.Cleanup;
import io.isobench.proc.Proc;
import io.isobench.runtime.RuntimeDriver;
import io.isobench.store.Store;
import io.isobench.store.TrialRecord;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs a plan's trials. For each benchmark case, rounds of trials interleave the runtimes (A B C A B C…) so
 * drift (thermal, background load) hits all alike; the first {@code warmups} rounds are tagged warmup.
 * Every trial has a timeout and is committed to the store as soon as it ends. A runtime that fails
 * {@link #MAX_CONSECUTIVE_FAILURES} times in a row on a case is not tried again on that case (recorded).
 */
public final class Executor {
    static final int MAX_CONSECUTIVE_FAILURES = 2;

    private final Store store;
    private final Plan plan;
    private final List<RuntimeDriver> runtimes;
    private final List<Benchmark> benchmarks;
    private final WorkloadImage image;
    /** Trials a resumed run already has (key: {@link #key}); empty for a new run. */
    private final Map<String, Store.DoneTrial> done = new HashMap<>();
    private String resumedRun;
    /** The host's other work, read before each trial. */
    private final io.isobench.host.OthersLoad othersLoad = new io.isobench.host.OthersLoad();

    public Executor(Store store, Plan plan, List<RuntimeDriver> runtimes, List<Benchmark> benchmarks, WorkloadImage image) {
        this.store = store;
        this.plan = plan;
        this.runtimes = runtimes;
        this.benchmarks = benchmarks;
        this.image = image;
    }

    /**
     * Makes this executor finish {@code runId}: the trials the store has for it (ok or failed) are not run again,
     * and a case whose stop is recorded is done. Consecutive failures and adaptive repetitions see the stored trials
     * as if they had just run.
     */
    public Executor resuming(String runId) {
        resumedRun = runId;
        for (Store.DoneTrial t : store.doneTrials(runId)) {
            done.put(key(t.benchmark(), t.paramsJson(), t.runtime(), t.repetition(), t.warmup()), t);
        }
        return this;
    }

    private static String key(String benchmark, String paramsJson, String runtime, int rep, boolean warmup) {
        return benchmark + '\0' + paramsJson + '\0' + runtime + '\0' + rep + '\0' + warmup;
    }

    private boolean caseDone(String runId, Benchmark b, Params c) {
        return resumedRun != null && store.caseStopped(runId, b.id(), c.values());
    }

    /** Planned trials not stored yet: all of them for a new run; what a resumed run still lacks. */
    public long missingTrials() {
        if (resumedRun == null) {
            return totalTrials();
        }
        long n = 0;
        for (Benchmark b : benchmarks) {
            for (Params c : cases(b)) {
                if (caseDone(resumedRun, b, c)) {
                    continue;
                }
                String pj = io.isobench.util.Json.write(c.values());
                int rounds = plan.warmups() + repetitions(b);
                for (int round = 0; round < rounds; round++) {
                    boolean warmup = round < plan.warmups();
                    int rep = warmup ? round + 1 : round - plan.warmups() + 1;
                    for (RuntimeDriver rt : runtimes) {
                        if (!done.containsKey(key(b.id(), pj, rt.id(), rep, warmup))) {
                            n++;
                        }
                    }
                }
            }
        }
        return n;
    }

    /** The number of trials the plan will run (for progress). */
    public long totalTrials() {
        long n = 0;
        for (Benchmark b : benchmarks) {
            n += (long) cases(b).size() * (plan.warmups() + repetitions(b)) * runtimes.size();
        }
        return n;
    }

    /** Expected wall time (for the message before a run starts, the progress ETA and {@code run --dry-run}). */
    public Duration expectedDuration() {
        return estimate().stream().map(CaseEstimate::duration).reduce(Duration.ZERO, Duration::plus);
    }

    /** What one trial of a case in a runtime is expected to take: the benchmark's estimate, the launch, the cooldown. */
    Duration planned(Benchmark b, Params c, RuntimeDriver rt) {
        return trialEstimate(b, Plan.Pinning.benchmarkParams(c), rt, HOST_CPUS).plus(plan.cooldown());
    }

    private static final int HOST_CPUS = Runtime.getRuntime().availableProcessors();
    /** The launch a benchmark's own estimate allows for; a slower runtime's excess is added per launch. */
    static final Duration FAST_LAUNCH = Duration.ofMillis(500);

    /**
     * One trial of a case in a runtime, without the cooldown: the benchmark's estimate at the host's speed; the
     * runtime's launch; its {@link RuntimeDriver#cpuSlowdown} applied to the benchmark's CPU-bound part (a model's
     * batches in a TCG guest); and, for a trial of many launches, the runtime's launch beyond {@link #FAST_LAUNCH} for
     * each further one, those at once sharing the host's {@code cpus} (twenty TCG guests booting on 2 CPUs; a cluster's
     * pods do not, {@link RuntimeDriver#launchesOnThisHost}). It sets
     * the trial's timeout (3 times it plus 60 s, unless --timeout) and the progress ETA.
     */
    static Duration trialEstimate(Benchmark b, Params p, RuntimeDriver rt, int cpus) {
        Duration d = b.expectedDuration(p).plus(rt.launchOverhead());
        double slower = rt.cpuSlowdown() - 1;
        if (slower > 0) {
            d = d.plusMillis((long) (b.cpuBoundDuration(p).toMillis() * Math.min(slower, 1000)));
        }
        int more = b.launches(p) - 1;
        Duration excess = rt.launchOverhead().minus(FAST_LAUNCH);
        if (more > 0 && excess.isPositive()) {
            int atOnce = Math.max(1, rt.launchesOnThisHost() ? Math.min(b.launchesAtOnce(p), cpus) : b.launchesAtOnce(p));
            d = d.plus(excess.multipliedBy(Math.ceilDiv(more, atOnce)));
        }
        return d;
    }

    /**
     * One case of the plan: its trials (rounds x runtimes) and expected duration. With adaptive repetitions the
     * figures are the maximum ({@code adaptive}: the run may stop a case earlier).
     */
    public record CaseEstimate(String benchmark, Map<String, String> params, int warmups, int repetitions,
                               boolean adaptive, long trials, Duration duration) {
    }

    /** Every case the plan runs, in order, with its trials and expected duration. Runs nothing. */
    public List<CaseEstimate> estimate() {
        List<CaseEstimate> out = new ArrayList<>();
        for (Benchmark b : benchmarks) {
            for (Params c : cases(b)) {
                int rounds = plan.warmups() + repetitions(b);
                Duration d = Duration.ZERO;
                for (RuntimeDriver rt : runtimes) {
                    d = d.plus(planned(b, c, rt).multipliedBy(rounds));
                }
                out.add(new CaseEstimate(b.id(), c.values(), plan.warmups(), repetitions(b), adaptive(b),
                        (long) rounds * runtimes.size(), d));
            }
        }
        return out;
    }

    /**
     * A benchmark's cases under the plan's placement: each of its own cases once per CPU set of {@code --cpuset}
     * (a pinned one carries the set in its parameters, so it is stored and reported as a case of its own).
     */
    List<Params> cases(Benchmark b) {
        return plan.pinning().expand(b.cases(plan.params().get(b.id())));
    }

    /** The context of one trial of an expanded case: the benchmark's own parameters, the case's pinned limits. */
    private TrialContext context(RuntimeDriver rt, Params c, Duration timeout, String name) {
        return new TrialContext(rt, image, plan.pinning().limits(plan.limits(), c), Plan.Pinning.benchmarkParams(c),
                timeout, name);
    }

    /** Measured rounds of a benchmark's cases: its own (startup's iterations) or the plan's (the maximum when adaptive). */
    int repetitions(Benchmark b) {
        return b.repetitions(plan.params().get(b.id())).orElse(plan.maxRepetitions());
    }

    /** Whether the plan's adaptive repetitions apply to the benchmark (not when it fixes its own). */
    private boolean adaptive(Benchmark b) {
        return plan.adaptive() != null && b.repetitions(plan.params().get(b.id())).isEmpty();
    }

    /** Runs every trial; returns normally when done, or early (without error) when the process is shutting down. */
    public void execute(String runId, Progress progress) throws InterruptedException {
        boolean first = true;
        for (Benchmark b : benchmarks) {
            List<Params> cases = cases(b);
            if (!cases.isEmpty() && !runtimes.isEmpty() && !Cleanup.shuttingDown()) {
                Params c0 = cases.get(0);
                if (b.warmHarness(context(runtimes.get(0), c0, plan.trialTimeout(b.expectedDuration(
                        Plan.Pinning.benchmarkParams(c0))), "isobench-" + runId + "-" + b.id() + "-hw"))) {
                    first = false;
                }
            }
            for (Params c : cases) {
                if (caseDone(runId, b, c)) {
                    continue; // a resumed run finished this case before it stopped
                }
                String paramsJson = io.isobench.util.Json.write(c.values());
                Map<String, Integer> consecutiveFailures = new HashMap<>();
                java.util.Set<String> unsupportedSeen = new java.util.HashSet<>();
                Map<String, List<Double>> primary = new HashMap<>(); // first metric's values per runtime
                int rounds = plan.warmups() + repetitions(b);
                boolean adaptive = adaptive(b);
                int measured = 0;
                String stop = null;
                for (int round = 0; round < rounds && stop == null; round++) {
                    boolean warmup = round < plan.warmups();
                    int rep = warmup ? round + 1 : round - plan.warmups() + 1;
                    for (RuntimeDriver rt : runtimes) {
                        if (Cleanup.shuttingDown()) {
                            return;
                        }
                        int fails = consecutiveFailures.getOrDefault(rt.id(), 0);
                        if (fails >= MAX_CONSECUTIVE_FAILURES) {
                            progress.trialSkipped(rt.id() + " " + b.id() + " skipped (failed " + fails + " times in a row)",
                                    planned(b, c, rt));
                            continue;
                        }
                        Store.DoneTrial stored = done.get(key(b.id(), paramsJson, rt.id(), rep, warmup));
                        if (stored != null) {
                            // stored before the run was resumed: counts as if it had just run
                            consecutiveFailures.put(rt.id(), stored.ok() ? 0 : fails + 1);
                            if (stored.ok() && !warmup && stored.firstValue() != null) {
                                primary.computeIfAbsent(rt.id(), k -> new ArrayList<>()).add(stored.firstValue());
                            }
                            continue;
                        }
                        String unsupported = b.unsupported(rt, c);
                        if (unsupported != null) {
                            // a case this runtime cannot run (no create/start split for a prewarmed start): one
                            // recorded failure with the reason, then every planned trial of it is skipped
                            if (unsupportedSeen.add(rt.id())) {
                                store.recordTrial(new TrialRecord(runId, b.id(), c.values(), rt.id(), rep, warmup,
                                        Instant.now(), 0, List.of(), "skipped: " + unsupported, ""));
                            }
                            progress.trialSkipped(rt.id() + " " + b.id() + " skipped: " + unsupported, planned(b, c, rt));
                            continue;
                        }
                        if (!first) {
                            // the other work on the host is read in the cooldown's last moments (the previous
                            // trial's instances are down by then): a cooldown no longer for it
                            Duration rest = plan.cooldown().minus(io.isobench.host.OthersLoad.DURATION);
                            if (rest.isPositive()) {
                                Thread.sleep(rest);
                            }
                        }
                        first = false;
                        // a cluster's pods run on its nodes: this host's other work says nothing of their trials
                        Double others = rt.launchesOnThisHost() ? othersLoad.measure() : null;
                        String of = warmup ? "/" + plan.warmups() : (adaptive ? "/≤" : "/") + repetitions(b);
                        List<Sample> samples = trial(runId, b, c, rt, rep, of, warmup, progress, others);
                        consecutiveFailures.put(rt.id(), samples == null ? fails + 1 : 0);
                        if (samples != null && !warmup && !samples.isEmpty()) {
                            primary.computeIfAbsent(rt.id(), k -> new ArrayList<>()).add(samples.get(0).value());
                        }
                    }
                    if (!warmup) {
                        measured = rep;
                        stop = adaptive ? adaptiveStop(rep, primary) : null;
                        int left = rounds - round - 1;
                        if (stop != null && left > 0) {
                            Duration saved = Duration.ZERO;
                            for (RuntimeDriver rt : runtimes) {
                                saved = saved.plus(planned(b, c, rt).multipliedBy(left));
                            }
                            progress.dropped((long) left * runtimes.size(), saved, b.id() + " " + c.values()
                                    + ": stopped after " + rep + " repetitions (" + stop + "); " + left * runtimes.size()
                                    + " trials dropped");
                        }
                    }
                }
                if (Cleanup.shuttingDown()) {
                    return;
                }
                if (stop == null) {
                    stop = !adaptive ? "fixed repetitions"
                            : "maximum of " + plan.adaptive().max() + " repetitions reached before the CI target ("
                            + worstHalfWidth(primary) + ")";
                }
                store.recordStop(runId, b.id(), c.values(), measured, stop);
            }
        }
    }

    /** Null to go on; otherwise why adaptive repetitions may stop after {@code rep} rounds. */
    String adaptiveStop(int rep, Map<String, List<Double>> primary) {
        Plan.Adaptive a = plan.adaptive();
        if (a == null || rep < a.min() || rep >= a.max() || primary.isEmpty()) {
            return null;
        }
        for (List<Double> v : primary.values()) {
            if (relativeHalfWidth(v) > a.ciTarget()) {
                return null;
            }
        }
        return String.format(Locale.ROOT, "CI target met: 95%% CI half-width within %.1f%% of the median for every runtime",
                a.ciTarget() * 100);
    }

    static double relativeHalfWidth(List<Double> v) {
        double[] a = v.stream().mapToDouble(Double::doubleValue).toArray();
        double m = io.isobench.analysis.Statistics.median(a);
        return m == 0 ? Double.POSITIVE_INFINITY : io.isobench.analysis.Statistics.medianCi(a).halfWidth() / Math.abs(m);
    }

    private static String worstHalfWidth(Map<String, List<Double>> primary) {
        return primary.entrySet().stream().max(java.util.Comparator.comparingDouble(e -> relativeHalfWidth(e.getValue())))
                .map(e -> String.format(Locale.ROOT, "widest: %s at %.1f%%", e.getKey(), relativeHalfWidth(e.getValue()) * 100))
                .orElse("no samples");
    }

    /** Runs one trial and stores it; returns its samples, or null when it failed. */
    private List<Sample> trial(String runId, Benchmark b, Params c, RuntimeDriver rt, int rep, String of, boolean warmup,
                               Progress progress, Double othersRunnable) throws InterruptedException {
        // the runtime's measured launch (a TCG guest's boot: a minute on a loaded host) is part of what a trial takes;
        // without it a slow but healthy VM boot was killed at the benchmark's own estimate x 3 + 60 s (66 s for startup)
        Duration timeout = plan.trialTimeout(trialEstimate(b, Plan.Pinning.benchmarkParams(c), rt, HOST_CPUS));
        // safeName: runtime ids may hold characters container ids refuse (docker:runc, runsc@20240729-systrap)
        String name = "isobench-" + runId + "-" + b.id() + "-" + io.isobench.runtime.Trials.safeName(rt.id()) + "-" + (warmup ? "w" : "r") + rep
                + "-" + Long.toHexString(System.nanoTime() & 0xffff);
        TrialContext ctx = context(rt, c, timeout, name);
        Instant started = Instant.now();
        long t0 = System.nanoTime();
        List<Sample> samples = List.of();
        String failure = null;
        String raw;
        try {
            TrialOutcome o = b.run(ctx);
            samples = o.samples();
            raw = o.rawOutput();
        } catch (TrialFailure f) {
            failure = f.reason();
            raw = f.rawOutput();
        } catch (Proc.ProcInterruptedException e) {
            throw new InterruptedException(e.getMessage());
        } catch (RuntimeException e) {
            failure = "internal error: " + e;
            raw = "";
        }
        if (Cleanup.shuttingDown()) {
            return null; // a trial cut short by Ctrl-C is not a measurement
        }
        double elapsedMs = (System.nanoTime() - t0) / 1e6;
        store.recordTrial(new TrialRecord(runId, b.id(), c.values(), rt.id(), rep, warmup, started, elapsedMs,
                samples, failure, raw, othersRunnable));
        String what = String.format(Locale.ROOT, "%s %s %s%s%s", rt.id(), b.id(), warmup ? "warmup " : "rep ", rep, of);
        if (failure != null) {
            progress.trialDone(what + ": FAILED: " + failure, planned(b, c, rt));
        } else {
            Sample s = samples.get(0);
            progress.trialDone(String.format(Locale.ROOT, "%s: %s=%.4g %s", what, s.metric().name(), s.value(),
                    s.metric().unit()), planned(b, c, rt));
        }
        return failure == null ? samples : null;
    }

    /** Run ids sort by time and are short enough to type: 20261123-011500-3fa2. */
    public static String newRunId() {
        var now = java.time.LocalDateTime.now(java.time.ZoneOffset.UTC);
        // 48 random bits: runs from many machines meet in one team store (push), so ids must not collide there
        return String.format(Locale.ROOT, "%1$tY%1$tm%1$td-%1$tH%1$tM%1$tS-%2$012x", now,
                new java.security.SecureRandom().nextLong() & 0xffff_ffff_ffffL);
    }
}
