package io.isobench.runtime;

import io.isobench.image.WorkloadImage;

import java.util.List;
import java.util.Map;

/**
 * What to run in one sandbox instance.
 *
 * @param name         unique instance name (used for container ids; isobench-prefixed)
 * @param image        the workload image; its tools are at the same paths as on the host
 * @param argv         the workload command (absolute path first)
 * @param env          environment for the workload
 * @param limits       CPU and memory limits
 * @param onLine       called for every stdout line of the workload as it arrives, with the host's
 *                     monotonic time (System.nanoTime) at which it was read; may be null
 * @param wrapper      optional argv prefix for the driver's host launcher command (e.g. {@code strace -f -o F}),
 *                     so that a tool can observe the runtime's own host processes. Empty for none. Only drivers
 *                     whose {@link RuntimeDriver#supportsWrapper()} is true honour it; the others refuse a spec
 *                     with a wrapper ({@link RuntimeDriver.LaunchException}) rather than silently ignore it.
 * @param scratchBytes null: no scratch storage. Otherwise the driver makes a writable, empty directory on the
 *                     runtime's own storage path available to the workload (at {@value Scratch#PATH} inside
 *                     sandboxes; its path is always in the environment variable {@value Scratch#ENV}), says how
 *                     in {@link Sandbox#scratchStorage()}, and removes it at close(). Drivers that need a
 *                     fixed-size device (VMs) use this size; directories are not size-limited.
 * @param network      null: the workload needs no network (drivers give it loopback only, or nothing). Otherwise
 *                     the TCP ports the workload listens on, which the driver makes reachable from the host through
 *                     the runtime's own network path ({@link Sandbox#endpoint(int)}); drivers that cannot refuse
 *                     the launch ({@link RuntimeDriver.LaunchException}).
 * @param runToCompletion the workload runs to its end and is timed to its launcher's exit, as hyperfine times a
 *                     command: nothing is read from it while it runs. When the spec has no line listener (the
 *                     driver added none of its own either), its launcher is started with
 *                     {@link io.isobench.proc.Launched#startQuiet}, so that isobench does no work between the spawn
 *                     and the exit; its output is captured, not timed.
 */
public record LaunchSpec(String name, WorkloadImage image, List<String> argv, Map<String, String> env, Limits limits,
                         LineListener onLine, List<String> wrapper, Long scratchBytes, NetworkSpec network,
                         boolean runToCompletion) {

    public static final Map<String, String> DEFAULT_ENV = Map.of(
            "PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "HOME", "/root", "LC_ALL", "C");

    public LaunchSpec {
        wrapper = wrapper == null ? List.of() : List.copyOf(wrapper);
    }

    /** A spec without a wrapper, scratch storage or network. */
    public LaunchSpec(String name, WorkloadImage image, List<String> argv, Map<String, String> env, Limits limits,
                      LineListener onLine) {
        this(name, image, argv, env, limits, onLine, List.of(), null, null, false);
    }

    /** A spec with a launcher wrapper. */
    public LaunchSpec(String name, WorkloadImage image, List<String> argv, Map<String, String> env, Limits limits,
                      LineListener onLine, List<String> wrapper) {
        this(name, image, argv, env, limits, onLine, wrapper, null, null, false);
    }

    /** A spec with scratch storage. */
    public LaunchSpec(String name, WorkloadImage image, List<String> argv, Map<String, String> env, Limits limits,
                      LineListener onLine, Long scratchBytes) {
        this(name, image, argv, env, limits, onLine, List.of(), scratchBytes, null, false);
    }

    /** This spec with host-reachable TCP ports (see {@link NetworkSpec}). */
    public LaunchSpec withNetwork(NetworkSpec n) {
        return new LaunchSpec(name, image, argv, env, limits, onLine, wrapper, scratchBytes, n, runToCompletion);
    }

    /** This spec with scratch storage of {@code bytes} (null: none). */
    public LaunchSpec withScratch(Long bytes) {
        return new LaunchSpec(name, image, argv, env, limits, onLine, wrapper, bytes, network, runToCompletion);
    }

    /** This spec with another environment. */
    public LaunchSpec withEnv(Map<String, String> e) {
        return new LaunchSpec(name, image, argv, e, limits, onLine, wrapper, scratchBytes, network, runToCompletion);
    }

    /** This spec for a workload that runs to completion (see {@code runToCompletion}); returns a copy. */
    public LaunchSpec runningToCompletion() {
        return new LaunchSpec(name, image, argv, env, limits, onLine, wrapper, scratchBytes, network, true);
    }

    /** This spec with another stdout line listener. */
    public LaunchSpec withOnLine(LineListener l) {
        return new LaunchSpec(name, image, argv, env, limits, l, wrapper, scratchBytes, network, runToCompletion);
    }

    /** The launcher argv with the wrapper in front (for drivers that support wrappers). */
    public List<String> wrapped(List<String> launcher) {
        if (wrapper.isEmpty()) {
            return launcher;
        }
        List<String> l = new java.util.ArrayList<>(wrapper);
        l.addAll(launcher);
        return List.copyOf(l);
    }

    /** Receives stdout lines as they arrive. */
    @FunctionalInterface
    public interface LineListener {
        void line(String line, long nanoTime);
    }
}
