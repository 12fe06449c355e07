package io.isobench.bench.fleet;

import io.isobench.bench.Benchmark;
import io.isobench.bench.Metric;
import io.isobench.bench.ParamSpec;
import io.isobench.bench.Params;
import io.isobench.bench.Sample;
import io.isobench.bench.TrialContext;
import io.isobench.bench.TrialFailure;
import io.isobench.bench.TrialOutcome;
import io.isobench.measure.ProcessMemory;
import io.isobench.util.Units;
import io.isobench.util.UserException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Density: idle instances (busybox prints one line, then sleeps) launched one after another, each once the previous one
 * is ready, until the next one would exceed the memory budget, would bring MemAvailable below the safety reserve, the
 * instance cap is reached, or a launch fails or is not ready in time. Memory used is MemAvailable's drop since the
 * first launch (the whole host's view, which is what protects it; it includes what no host pid shows, such as a VM's
 * kernel memory), and the next instance is assumed to cost what the ones so far cost on average. Reported: the count
 * reached, PSS per instance over every instance's host processes at the end ({@link ProcessMemory}), MemAvailable's drop
 * per instance, and the time from the first launch to the last instance's readiness; the reason it stopped is in the
 * raw output. Every instance is torn down afterwards (and on Ctrl-C, through each sandbox's cleanup registration).
 */
public final class DensityBenchmark implements Benchmark {
    private static final double MIB = 1024.0 * 1024.0;
    public static final Metric INSTANCES = new Metric("instances", "instances", true);
    public static final Metric PSS_PER_INSTANCE = new Metric("pss_mib_per_instance", "MiB", false);
    public static final Metric MEMAVAILABLE_PER_INSTANCE = new Metric("memavailable_mib_per_instance", "MiB", false);
    public static final Metric TIME_TO_REACH = new Metric("time_to_reach_ms", "ms", false);
    /** A single launch may take this long to be ready before density stops with a failure. */
    static final Duration READY_TIMEOUT = Duration.ofSeconds(120);

    @Override
    public String id() {
        return "density";
    }

    @Override
    public String description() {
        return "how many idle instances fit: launched one after another until a memory budget, a safety reserve of free "
                + "memory, an instance cap or a failure stops them; count, PSS per instance, time to reach";
    }

    @Override
    public List<ParamSpec> params() {
        return List.of(
                ParamSpec.of("budget", "auto", ParamSpec.Type.STRING, "memory the instances may use, as MemAvailable's drop: "
                        + "a size (e.g. 512M), or auto: share percent of MemAvailable at the start"),
                ParamSpec.of("share", "50", ParamSpec.Type.INT, "percent of MemAvailable that budget=auto gives").range(1, 90),
                ParamSpec.of("reserve", "2G", ParamSpec.Type.SIZE, "safety floor: no launch that would leave less "
                        + "MemAvailable than this (whatever the budget)"),
                ParamSpec.of("max_instances", "256", ParamSpec.Type.INT, "instance cap").range(1, 100_000),
                ParamSpec.of("settle", "1s", ParamSpec.Type.DURATION, "wait after the last instance is ready before PSS is read"));
    }

    @Override
    public Set<String> tools() {
        return Set.of(); // busybox is always in the image
    }

    @Override
    public List<Metric> metrics() {
        return List.of(INSTANCES, PSS_PER_INSTANCE, MEMAVAILABLE_PER_INSTANCE, TIME_TO_REACH);
    }

    @Override
    public List<Params> cases(Params resolved) {
        budgetBytes(resolved.get("budget"), 1L << 40, 50); // a bad budget is a user error before anything runs
        return List.of(resolved);
    }

    @Override
    public boolean runByDefault() {
        return false;
    }

    @Override
    public Duration expectedDuration(Params p) {
        return Duration.ofMillis(400 * p.getLong("max_instances") + 5000).plus(p.getDuration("settle"));
    }

    /** At most {@code max_instances}, one after another (each once the previous one is ready). */
    @Override
    public int launches(Params p) {
        return (int) p.getLong("max_instances");
    }

    /** The budget in bytes: a size as given, or {@code sharePercent} of {@code memAvailable} for {@code auto}. */
    static long budgetBytes(String budget, long memAvailable, long sharePercent) {
        String b = budget.strip();
        if (b.equals("auto")) {
            return Math.multiplyExact(memAvailable, sharePercent) / 100;
        }
        long v;
        try {
            v = Units.parseSize(b, "density.budget");
        } catch (UserException e) {
            throw new UserException("density.budget: '" + budget + "' is neither auto nor a size such as 512M");
        }
        if (v <= 0) {
            throw new UserException("density.budget must be more than 0");
        }
        return v;
    }

    /** What stops the fleet, fixed at the start: the budget (already capped by the reserve), the reserve and the cap. */
    record Limits(long budget, long reserve, int maxInstances, long availableAtStart) {
        /**
         * From the parameters and MemAvailable at the start: the budget never reaches into the reserve
         * (at most MemAvailable minus reserve, at least 0).
         */
        static Limits of(String budget, long sharePercent, long reserve, int maxInstances, long availableAtStart) {
            long b = Math.min(budgetBytes(budget, availableAtStart, sharePercent), Math.max(0, availableAtStart - reserve));
            return new Limits(b, reserve, maxInstances, availableAtStart);
        }

        /**
         * Null when one more instance may be launched with {@code running} instances up and MemAvailable now at
         * {@code availableNow}; else why not. The next instance is assumed to cost the average so far (0 for the first).
         */
        String stop(int running, long availableNow) {
            if (running >= maxInstances) {
                return "instance cap reached (max_instances=" + maxInstances + ")";
            }
            long used = Math.max(0, availableAtStart - availableNow);
            long next = running == 0 ? 0 : used / running;
            if (availableNow - next < reserve) {
                return String.format(Locale.ROOT, "safety reserve: MemAvailable %d MiB minus the next instance's ~%.1f MiB would "
                        + "fall below the reserve of %d MiB", availableNow >> 20, next / MIB, reserve >> 20);
            }
            if (used + next > budget) {
                return String.format(Locale.ROOT, "memory budget reached: %.1f MiB used + ~%.1f MiB for the next instance > "
                        + "budget %.1f MiB", used / MIB, next / MIB, budget / MIB);
            }
            return null;
        }
    }

    @Override
    public TrialOutcome run(TrialContext ctx) throws TrialFailure, InterruptedException {
        Params p = ctx.params();
        long avail0 = ProcessMemory.memAvailableBytes();
        if (avail0 < 0) {
            throw new TrialFailure("MemAvailable is not in /proc/meminfo: density cannot keep the host safe", "");
        }
        Limits lim = Limits.of(p.get("budget"), p.getLong("share"), Units.parseSize(p.get("reserve"), "density.reserve"),
                (int) p.getLong("max_instances"), avail0);
        long deadline = System.nanoTime() + ctx.timeout().toNanos();
        StringBuilder raw = new StringBuilder(String.format(Locale.ROOT, "MemAvailable at the start %d MiB; budget %d MiB, "
                + "reserve %d MiB, cap %d instances%n", avail0 >> 20, lim.budget() >> 20, lim.reserve() >> 20, lim.maxInstances()));
        Fleet fleet = new Fleet(ctx, lim.maxInstances());
        try {
            int running = 0;
            String stop;
            long first = -1;
            long lastReady = -1;
            while (true) {
                long availNow = ProcessMemory.memAvailableBytes();
                stop = lim.stop(running, availNow);
                if (stop != null) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    stop = "trial timeout (" + ctx.timeout().toSeconds() + " s) reached";
                    break;
                }
                fleet.launch(running, running + 1, Duration.ZERO);
                fleet.awaitReady(Math.min(deadline, System.nanoTime() + READY_TIMEOUT.toNanos()));
                if (fleet.launchError(running) != null) {
                    stop = "instance " + running + " failed to launch: " + fleet.launchError(running);
                    break;
                }
                if (!fleet.ready(running)) {
                    stop = "instance " + running + " not ready (no line on stdout) within its wait";
                    break;
                }
                if (first < 0) {
                    first = fleet.sandbox(running).launchedAtNanos();
                }
                lastReady = fleet.sandbox(running).launchedAtNanos() + Math.round(fleet.readyMs(running) * 1e6);
                running++;
            }
            raw.append("stopped at ").append(running).append(" instances: ").append(stop).append('\n');
            if (running == 0) {
                throw new TrialFailure("no instance came up: " + stop, raw + fleet.outputOfNotReady(1));
            }
            Thread.sleep(p.getDuration("settle"));
            List<Integer> perInstance = new ArrayList<>();
            List<Long> pids = fleet.hostPids(0, running, perInstance);
            ProcessMemory.Total t = ProcessMemory.sum(pids);
            long availEnd = ProcessMemory.memAvailableBytes();
            double pssPer = t.memory().pssBytes() / MIB / running;
            double availPer = (avail0 - availEnd) / MIB / running;
            double reachMs = (lastReady - first) / 1e6;
            raw.append(String.format(Locale.ROOT, "%d instances: %d host pids, PSS %.2f MiB in total, %.2f MiB per instance; "
                            + "MemAvailable %d MiB at the end (%.2f MiB less per instance); first launch to last ready %.1f ms%n",
                    running, pids.size(), t.memory().pssBytes() / MIB, pssPer, availEnd >> 20, availPer, reachMs));
            if (perInstance.contains(0)) {
                raw.append("INCOMPLETE: some instances reported no host pids: their memory is not in the PSS\n");
            }
            if (!t.unreadable().isEmpty()) {
                raw.append("INCOMPLETE: smaps_rollup unreadable or process gone for pids ").append(t.unreadable()).append('\n');
            }
            long c0 = System.nanoTime();
            fleet.close();
            raw.append(String.format(Locale.ROOT, "every instance torn down in %.0f ms%n", (System.nanoTime() - c0) / 1e6));
            List<Sample> s = new ArrayList<>(List.of(new Sample(INSTANCES, running), new Sample(PSS_PER_INSTANCE, pssPer),
                    new Sample(MEMAVAILABLE_PER_INSTANCE, availPer), new Sample(TIME_TO_REACH, reachMs)));
            return new TrialOutcome(s, raw.toString());
        } finally {
            fleet.close(); // idempotent: on a failure or an interrupt every instance goes too
        }
    }
}
