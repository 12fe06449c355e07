package io.isobench.analysis;

import java.util.Locale;
import java.util.Map;

/**
 * Whether the host was busy with other work during a run, from the 1-minute load averages recorded at its
 * start and end (host facts {@code loadavg_start}, {@code loadavg_end}). A busy host makes every figure of
 * the run noisier and can bias runtimes measured at different moments.
 */
public final class HostLoad {
    /** Load (runnable tasks) above which the host counts as busy, per CPU. */
    static final double BUSY_PER_CPU = 0.5;

    private HostLoad() {
    }

    /**
     * A warning sentence for a stored run, or null when the host looked idle (or load was not recorded). It says
     * whether the load also biased the cost factors: it did where the native baseline ran in isobench's own cgroup
     * (runs before the baseline had a cgroup of its own, or hosts where it cannot have one: its "cgroup" detail).
     */
    public static String busyWarning(io.isobench.store.StoredRun run) {
        Boolean nativeOwnCgroup = run.runtimes().stream()
                .filter(r -> r.available() && r.runtime().equals("native"))
                .map(r -> r.details().get("cgroup") instanceof String s && s.startsWith("own"))
                .findFirst().orElse(null);
        return busyWarning(run.header().host(), nativeOwnCgroup);
    }

    /**
     * @param nativeOwnCgroup whether the native baseline ran in a cgroup of its own (null: the run has no native)
     */
    static String busyWarning(Map<String, Object> host, Boolean nativeOwnCgroup) {
        if (!(host.get("loadavg_start") instanceof Number start) || !(host.get("cpus") instanceof Number cpus)) {
            return null;
        }
        // isobench's own trials add about one runnable task while they run: only the start is free of them
        double limit = BUSY_PER_CPU * cpus.doubleValue();
        if (start.doubleValue() <= limit) {
            return null;
        }
        String busy = String.format(Locale.ROOT, "the host was busy when the run started (load average %.2f on %d CPUs): "
                + "other work competes with the benchmarks and makes results noisier", start.doubleValue(), cpus.intValue());
        if (Boolean.FALSE.equals(nativeOwnCgroup)) {
            return busy + ", and cost factors too low: the native baseline ran in isobench's cgroup, sharing the CPUs "
                    + "with that work task by task, while each sandbox's own cgroup got a share as a whole";
        }
        if (Boolean.TRUE.equals(nativeOwnCgroup)) {
            return busy + " (the native baseline, like each sandbox, ran in a cgroup of its own, so the CPU scheduler "
                    + "shared the CPUs out to both alike)";
        }
        return busy;
    }
}
