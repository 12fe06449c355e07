package io.isobench.bench;

import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;

/**
 * A workload measured the same way in every runtime. Benchmarks never know which runtime they run in:
 * they launch sandboxes through {@link TrialContext#driver()}. A new benchmark is one class plus one
 * line in {@link Benchmarks}.
 */
public interface Benchmark {
    String id();

    String description();

    /** Every parameter with its default; shown by `run --help` and validated before a run starts. */
    List<ParamSpec> params();

    /** Host executables that must be in the workload image (copied with their library closure). */
    Set<String> tools();

    /** Tools isobench compiles itself into the image (e.g. a static C probe); missing ones skip the benchmark like missing tools. */
    default List<io.isobench.image.BuiltTool> builtTools() {
        return List.of();
    }

    /**
     * Host files or directories the workload needs besides its tools' binaries and libraries (a server's data files:
     * MariaDB's share/ directory), copied into the image at the same paths; a missing one skips the benchmark.
     */
    default Set<String> hostFiles() {
        return Set.of();
    }

    /**
     * Files isobench writes for the workload (a relative name such as {@code nginx/nginx.conf} to content), e.g. a
     * server's config and a static page. They are in the image and on the host at the same path, found through
     * {@link io.isobench.image.WorkloadImage#dataFiles()}; part of the image's content hash. Prefix names with the
     * benchmark's id.
     */
    default java.util.Map<String, String> imageFiles() {
        return java.util.Map.of();
    }

    /** Metrics this benchmark reports. */
    List<Metric> metrics();

    /**
     * The cases one run measures: each is a full parameter set (a list parameter such as memory's access
     * modes becomes one case per item). Each case is measured separately and summarized separately.
     */
    List<Params> cases(Params resolved);

    /** Roughly how long one trial of a case takes on the host, for timeouts and the progress ETA. */
    Duration expectedDuration(Params casePrams);

    /**
     * The part of {@link #expectedDuration} that is a fixed amount of CPU work at the host's speed (a model's batches),
     * which takes longer in a runtime that emulates the CPU ({@link io.isobench.runtime.RuntimeDriver#cpuSlowdown}). A
     * benchmark that runs for a set time, or is paced by the runtime's launches or I/O, has none.
     */
    default Duration cpuBoundDuration(Params casePrams) {
        return Duration.ZERO;
    }

    /**
     * How many instances one trial launches in all ({@code startup}'s, {@code footprint}'s): each costs the runtime's
     * {@link io.isobench.runtime.RuntimeDriver#launchOverhead}, for the estimate and the trial's timeout.
     */
    default int launches(Params casePrams) {
        return 1;
    }

    /**
     * How many of {@link #launches} run at once (they share the host's CPUs: the estimate counts a runtime's launch
     * once per CPU's worth of them); 1 when the trial launches one instance after another.
     */
    default int launchesAtOnce(Params casePrams) {
        return 1;
    }

    /**
     * How many measured repetitions this benchmark's cases get, when the benchmark decides it itself (startup's
     * {@code iterations}); empty means the plan's repetitions (fixed or adaptive). Runtimes stay interleaved.
     */
    default OptionalInt repetitions(Params resolved) {
        return OptionalInt.empty();
    }

    /** Whether a plain `run` without --benchmarks measures it (slow benchmarks are selected explicitly). */
    default boolean runByDefault() {
        return true;
    }

    /**
     * Why {@code driver} cannot run case {@code c} at all (e.g. startup's prewarmed mode in a runtime that does not
     * split create from start), or null. The executor records one failure with this reason and skips the case's
     * trials in that runtime. Must not probe or launch anything.
     */
    default String unsupported(io.isobench.runtime.RuntimeDriver driver, Params c) {
        return null;
    }

    /** One repetition in the context's runtime. */
    TrialOutcome run(TrialContext ctx) throws TrialFailure, InterruptedException;

    /**
     * Called once per run before the benchmark's first trial (and before that trial's cooldown), whatever the plan's
     * warmups: a benchmark whose samples are the harness's own timings warms isobench's launch path here (spawn
     * helper, JIT of the launch, reap and readiness code), unsampled. {@code ctx} is the first case in the first runtime.
     * Returns whether it launched anything (the first trial then follows the plan's cooldown, as every other).
     */
    default boolean warmHarness(TrialContext ctx) throws InterruptedException {
        return false;
    }
}
