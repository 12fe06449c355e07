package io.isobench.runtime;

/**
 * A way of running the workload image: the native baseline, an OCI runtime, an engine, a VM monitor.
 * Implementations are registered in {@link Runtimes}; a new runtime is one class plus one line there.
 */
public interface RuntimeDriver {
    /** Stable id used on the command line and in stored results ("native", "runc", "runsc"...). */
    String id();

    /** "native", "container", "sandbox" or "vm": how strong the boundary is, for reports. */
    String kind();

    /** One line for `doctor` and `--help`. */
    String description();

    /**
     * Tries the runtime for real (with timeouts) and says whether it works here, its version, and
     * otherwise why not. Must not throw.
     */
    Availability probe(ProbeContext ctx);

    /** Starts one instance. Only called after a successful probe in the same process. */
    Sandbox launch(LaunchSpec spec) throws LaunchException;

    /**
     * Why this runtime cannot create an instance ahead of its start ({@link #prewarm}), or null when it can. Must not
     * throw or probe: {@code doctor} lists it, and startup's {@code mode=prewarmed} skips a runtime with this reason.
     */
    default String prewarmUnsupported() {
        return "this runtime does not split creating an instance from starting it";
    }

    /**
     * Creates one instance without starting its workload (a warm pool's member); {@link Prewarmed#start()} runs it.
     * The spec's line listener and network apply as for {@link #launch}; a wrapper and run-to-completion do not.
     * Only where {@link #prewarmUnsupported()} is null; otherwise it throws with that reason.
     */
    default Prewarmed prewarm(LaunchSpec spec) throws LaunchException {
        throw new LaunchException("cannot prewarm: " + prewarmUnsupported());
    }

    /**
     * Whether {@link LaunchSpec#wrapper()} is honoured: the wrapper is put in front of the host launcher, whose
     * process tree is then every host process of the instance (true for native and the OCI CLIs; false where
     * the instance's processes are not the launcher's descendants, as with the Docker engine, or where the
     * launcher is not a host command line one can wrap).
     */
    default boolean supportsWrapper() {
        return false;
    }

    /** Typical time from launch to the workload's start plus teardown, for run-time estimates only (never measured results). */
    default java.time.Duration launchOverhead() {
        return java.time.Duration.ofMillis(500);
    }

    /**
     * How many times longer CPU-bound work takes in an instance than on the host, for run-time estimates and trial
     * timeouts only (never a measured result): 1 unless the runtime emulates the CPU (QEMU under TCG measures it in its
     * probe). A benchmark's {@code Benchmark.cpuBoundDuration} part is stretched by it.
     */
    default double cpuSlowdown() {
        return 1;
    }

    /**
     * Whether an instance starts on this host, so that launches at once share its CPUs (for estimates only); false
     * where a cluster schedules them on its nodes (Kubernetes).
     */
    default boolean launchesOnThisHost() {
        return true;
    }

    /**
     * Packages that provide this runtime on Debian/Ubuntu, with why; {@code setup} installs those of every registered
     * driver that {@link #installedBySetup()}. Empty when not packaged.
     */
    default java.util.List<AptPackage> packages() {
        return java.util.List.of();
    }

    /** Whether `setup` (the quick study) installs {@link #packages()}; false for runtimes only some hosts can run. */
    default boolean installedBySetup() {
        return true;
    }

    /** What `setup` changes on the host for this runtime after installing its packages (drivers of a family share one). */
    default java.util.Optional<HostSetup> hostSetup() {
        return java.util.Optional.empty();
    }

    /** How to find and remove what a dead isobench left of this runtime (drivers of a family share one), if anything. */
    default java.util.Optional<Leftovers> leftovers() {
        return java.util.Optional.empty();
    }

    /**
     * What a reader must know about results of this runtime that ran with {@code details} (as {@link #probe} recorded
     * them; also for runs stored by older versions): emulation, platform. One sentence each, naming {@code runtimeId}.
     */
    default java.util.List<String> caveats(String runtimeId, java.util.Map<String, Object> details) {
        return java.util.List.of();
    }

    /**
     * A short mark for the runtime's name in tables ("TCG") with the one line that explains it, when results with these
     * details must not be read like the runtime's usual ones; null otherwise.
     */
    default Mark mark(java.util.Map<String, Object> details) {
        return null;
    }

    /**
     * How this runtime saves a running instance and restores it ({@code startup.mode=restore}); empty when it cannot
     * here, with the reason in {@link #restoreUnsupported()}. Asked after a successful probe.
     */
    default java.util.Optional<Checkpointer> checkpointer() {
        return java.util.Optional.empty();
    }

    /** Why {@link #checkpointer()} is empty (for doctor and skipped restore cases); null when it is present. */
    default String restoreUnsupported() {
        return checkpointer().isPresent() ? null
                : id() + " has no checkpoint/restore that isobench drives (no way to save a running instance to files)";
    }

    /** A tag shown after the runtime's name, e.g. "(TCG)", and its explanation. */
    record Mark(String tag, String note) {
    }

    /**
     * Which build of the software that decides this runtime's cost ran, from the {@code details} its probe recorded
     * (e.g. gVisor's version and sha256), or null when the runtime records none. Two runs whose builds differ must not
     * share a line under one label without saying so ({@code compare}, multi-host reports).
     */
    default Build build(java.util.Map<String, Object> details) {
        return null;
    }

    /**
     * A build: {@code what} is the software ("gVisor"), {@code id} what tells builds apart (version and sha256), and
     * {@code display} how a reader sees it ("20240729.0, sha256 0a1b2c3d4e5f").
     */
    record Build(String what, String id, String display) {
    }

    /** The launch could not happen (bundle write failed, launcher missing...). */
    class LaunchException extends Exception {
        public LaunchException(String message) {
            super(message);
        }

        public LaunchException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
