package io.isobench.plan;

import java.time.Duration;
import java.util.Map;

/** Every default of a run in one place (shown by --help). */
public final class Defaults {
    /** Benchmarks of a run that names none (disk benchmarks write files and run long: only when asked for). */
    public static final java.util.List<String> BENCHMARKS = java.util.List.of("cpu", "memory");
    public static final int REPETITIONS = 5;
    public static final int WARMUPS = 1;
    public static final Duration COOLDOWN = Duration.ofSeconds(5);
    public static final String BASELINE = "native";
    public static final String MEMORY_LIMIT = "2G";
    /** Adaptive repetitions: at least this many, at most ADAPTIVE_MAX unless auto:N says otherwise. */
    public static final int ADAPTIVE_MIN = 5;
    public static final int ADAPTIVE_MAX = 30;
    /** Adaptive repetitions stop when the 95 % CI half-width of the median is within this fraction of it. */
    public static final double CI_TARGET = 0.02;

    /**
     * The "quick" preset: what `isobench study` runs so that a first answer comes in minutes: shorter
     * trials and cooldowns, same workloads, and still 5 repetitions (with 3 no difference can ever be
     * significant in a rank test). Values are plan keys (top level) or bench.param.
     */
    public static final Map<String, String> QUICK = Map.of(
            "repetitions", "5",
            "warmups", "1",
            "cooldown", "1s",
            "cpu.time", "2s",
            "memory.time", "1s");

    private Defaults() {
    }

    /** CPU limit for sandboxes: every host CPU (limits must not throttle a benchmark that the baseline runs unthrottled). */
    public static double cpus() {
        return Runtime.getRuntime().availableProcessors();
    }
}
