package io.isobench.plan;

import java.time.Duration;
import java.util.Map;

/** Every default of a run in one place (shown by --help). */
public final class Defaults {
    public static final int REPETITIONS = 5;
    public static final int WARMUPS = 1;
    public static final Duration COOLDOWN = Duration.ofSeconds(5);
    public static final String BASELINE = "native";
    public static final String MEMORY_LIMIT = "2G";

    /**
     * The "quick" preset: what `isobench study` runs so that a first answer comes in minutes. Fewer,
     * shorter repetitions; same workloads. Values are plan keys (top level) or bench.param.
     */
    public static final Map<String, String> QUICK = Map.of(
            "repetitions", "3",
            "warmups", "1",
            "cooldown", "2s",
            "cpu.time", "3s",
            "memory.time", "2s");

    private Defaults() {
    }

    /** CPU limit for sandboxes: every host CPU (limits must not throttle a benchmark that the baseline runs unthrottled). */
    public static double cpus() {
        return Runtime.getRuntime().availableProcessors();
    }
}
