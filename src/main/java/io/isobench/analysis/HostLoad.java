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

    /** A warning sentence, or null when the host looked idle (or load was not recorded). */
    public static String busyWarning(Map<String, Object> host) {
        if (!(host.get("loadavg_start") instanceof Number start) || !(host.get("cpus") instanceof Number cpus)) {
            return null;
        }
        // isobench's own trials add about one runnable task while they run: only the start is free of them
        double limit = BUSY_PER_CPU * cpus.doubleValue();
        if (start.doubleValue() > limit) {
            return String.format(Locale.ROOT, "the host was busy when the run started (load average %.2f on %d CPUs): "
                    + "other work competes with the benchmarks and makes results noisier, and cost factors too low: "
                    + "the native baseline shares the CPUs with that work task by task, while each sandbox's own cgroup "
                    + "gets a share as a whole", start.doubleValue(), cpus.intValue());
        }
        return null;
    }
}
