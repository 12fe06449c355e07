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
    /** Adaptive repetitions: at least this many, at most ADAPTIVE_MAX unless auto:N says otherwise. */
    public static final int ADAPTIVE_MIN = 5;
    public static final int ADAPTIVE_MAX = 30;
    /** Adaptive repetitions stop when the 95 % CI half-width of the median is within this fraction of it. */
    public static final double CI_TARGET = 0.02;

    /**
     * The "quick" preset: what `isobench study` runs so that a first answer comes in minutes: shorter
     * cooldowns, sequential 1 MiB memory writes only (the full plan adds random access and 1 KiB blocks), and still
     * 5 repetitions (with 3 no difference can ever be significant in a rank test). Trials stay at 5 s: sysbench
     * 1.0.20 has no warm-up option, and under gVisor (ptrace) the first ~0.7 s of a trial run slow, so 1 s trials
     * overstate its cost about fourfold (measured: 1 MiB writes cost 4.1x at 1 s, 1.35x at 3 s, 1.22x at 5 s). ml (when
     * selected) trains ResNet-18 for 2 batches of 4, so that a TCG guest finishes it in minutes. Values are plan keys
     * (top level) or bench.param.
     */
    public static final Map<String, String> QUICK = Map.of(
            "repetitions", "5",
            "warmups", "1",
            "cooldown", "1s",
            "cpu.time", "5s",
            "memory.time", "5s",
            "memory.access_mode", "seq",
            "memory.block_size", "1M",
            "network.time", "5s",
            "ml.model", "resnet18",
            "ml.batches", "2");

    /**
     * The "ml-paper" preset: the papers' TensorFlow CPU run (ResNet-50, synthetic ImageNet, training, batch 32, 100
     * batches) with PyTorch; on a 2-core host one trial takes tens of minutes, under TCG hours.
     */
    public static final Map<String, String> ML_PAPER = Map.of(
            "benchmarks", "ml",
            "ml.model", "resnet50",
            "ml.mode", "train",
            "ml.batch", "32",
            "ml.batches", "100");

    /** Every preset by name (besides "default", which is {@link Defaults} itself). */
    public static final Map<String, Map<String, String>> PRESETS = Map.of("quick", QUICK, "ml-paper", ML_PAPER);

    private Defaults() {
    }

    /** CPU limit for sandboxes: every host CPU (limits must not throttle a benchmark that the baseline runs unthrottled). */
    public static double cpus() {
        return Runtime.getRuntime().availableProcessors();
    }
}
