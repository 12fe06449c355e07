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

    public Executor(Store store, Plan plan, List<RuntimeDriver> runtimes, List<Benchmark> benchmarks, WorkloadImage image) {
        this.store = store;
        this.plan = plan;
        this.runtimes = runtimes;
        this.benchmarks = benchmarks;
        this.image = image;
    }

    /** The number of trials the plan will run (for progress). */
    public long totalTrials() {
        long n = 0;
        for (Benchmark b : benchmarks) {
            n += (long) b.cases(plan.params().get(b.id())).size() * (plan.warmups() + plan.repetitions()) * runtimes.size();
        }
        return n;
    }

    /** Expected wall time (for the message before a run starts). */
    public Duration expectedDuration() {
        Duration d = Duration.ZERO;
        for (Benchmark b : benchmarks) {
            for (Params c : b.cases(plan.params().get(b.id()))) {
                long trials = (long) (plan.warmups() + plan.repetitions()) * runtimes.size();
                d = d.plus(b.expectedDuration(c).plusMillis(500).plus(plan.cooldown()).multipliedBy(trials));
            }
        }
        return d;
    }

    /** Runs every trial; returns normally when done, or early (without error) when the process is shutting down. */
    public void execute(String runId, Progress progress) throws InterruptedException {
        boolean first = true;
        for (Benchmark b : benchmarks) {
            for (Params c : b.cases(plan.params().get(b.id()))) {
                Map<String, Integer> consecutiveFailures = new HashMap<>();
                int rounds = plan.warmups() + plan.repetitions();
                for (int round = 0; round < rounds; round++) {
                    boolean warmup = round < plan.warmups();
                    int rep = warmup ? round + 1 : round - plan.warmups() + 1;
                    for (RuntimeDriver rt : runtimes) {
                        if (Cleanup.shuttingDown()) {
                            return;
                        }
                        int fails = consecutiveFailures.getOrDefault(rt.id(), 0);
                        if (fails >= MAX_CONSECUTIVE_FAILURES) {
                            progress.trialDone(rt.id() + " " + b.id() + " skipped (failed " + fails + " times in a row)");
                            continue;
                        }
                        if (!first) {
                            Thread.sleep(plan.cooldown());
                        }
                        first = false;
                        boolean ok = trial(runId, b, c, rt, rep, warmup, progress);
                        consecutiveFailures.put(rt.id(), ok ? 0 : fails + 1);
                    }
                }
            }
        }
    }

    private boolean trial(String runId, Benchmark b, Params c, RuntimeDriver rt, int rep, boolean warmup,
                          Progress progress) throws InterruptedException {
        Duration timeout = plan.trialTimeout(b.expectedDuration(c));
        String name = "isobench-" + runId + "-" + b.id() + "-" + rt.id() + "-" + (warmup ? "w" : "r") + rep
                + "-" + Long.toHexString(System.nanoTime() & 0xffff);
        TrialContext ctx = new TrialContext(rt, image, plan.limits(), c, timeout, name);
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
            return false; // a trial cut short by Ctrl-C is not a measurement
        }
        double elapsedMs = (System.nanoTime() - t0) / 1e6;
        store.recordTrial(new TrialRecord(runId, b.id(), c.values(), rt.id(), rep, warmup, started, elapsedMs,
                samples, failure, raw));
        String what = String.format(Locale.ROOT, "%s %s %s%s", rt.id(), b.id(), warmup ? "warmup " : "rep ", rep);
        if (failure != null) {
            progress.trialDone(what + ": FAILED: " + failure);
        } else {
            Sample s = samples.get(0);
            progress.trialDone(String.format(Locale.ROOT, "%s: %s=%.4g %s", what, s.metric().name(), s.value(), s.metric().unit()));
        }
        return failure == null;
    }

    /** Run ids sort by time and are short enough to type: 20261123-011500-3fa2. */
    public static String newRunId() {
        var now = java.time.LocalDateTime.now(java.time.ZoneOffset.UTC);
        return String.format(Locale.ROOT, "%1$tY%1$tm%1$td-%1$tH%1$tM%1$tS-%2$04x", now,
                new java.security.SecureRandom().nextInt(0x10000));
    }
}
