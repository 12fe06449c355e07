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

    /**
     * The one way to make a spec: {@code name}, {@code image} and {@code limits} are required; the rest defaults to
     * no argv (set it), an empty environment, no line listener, no wrapper, no scratch storage, no network, and not
     * run to completion. A trial gets one pre-filled from its context ({@code TrialContext.launchSpec}).
     */
    public static Builder builder(String name, WorkloadImage image, Limits limits) {
        return new Builder(name, image, limits);
    }

    /** The image's init, for system containers: busybox's applet beside the busybox binary. */
    public String imageInit() throws RuntimeDriver.LaunchException {
        String bb = image.tools().get("busybox");
        if (bb == null) {
            throw new RuntimeDriver.LaunchException("the workload image has no init (busybox is not in it)");
        }
        try {
            return java.nio.file.Path.of(bb).toRealPath().getParent().resolve("init").toString();
        } catch (java.io.IOException e) {
            return java.nio.file.Path.of(bb).getParent().resolve("init").toString();
        }
    }

    /** A builder holding every field of this spec. */
    public Builder toBuilder() {
        return new Builder(name, image, limits).argv(argv).env(env).onLine(onLine).wrapper(wrapper)
                .scratchBytes(scratchBytes).network(network).runToCompletion(runToCompletion);
    }

    /** This spec with host-reachable TCP ports (see {@link NetworkSpec}). */
    public LaunchSpec withNetwork(NetworkSpec n) {
        return toBuilder().network(n).build();
    }

    /** This spec with scratch storage of {@code bytes} (null: none). */
    public LaunchSpec withScratch(Long bytes) {
        return toBuilder().scratchBytes(bytes).build();
    }

    /** This spec with another environment. */
    public LaunchSpec withEnv(Map<String, String> e) {
        return toBuilder().env(e).build();
    }

    /** This spec for a workload that runs to completion (see {@code runToCompletion}); returns a copy. */
    public LaunchSpec runningToCompletion() {
        return toBuilder().runToCompletion(true).build();
    }

    /** This spec with another stdout line listener. */
    public LaunchSpec withOnLine(LineListener l) {
        return toBuilder().onLine(l).build();
    }

    /** Collects a {@link LaunchSpec}'s fields; see {@link #builder} for the defaults. Not thread-safe. */
    public static final class Builder {
        private String name;
        private final WorkloadImage image;
        private final Limits limits;
        private List<String> argv = List.of();
        private Map<String, String> env = Map.of();
        private LineListener onLine;
        private List<String> wrapper = List.of();
        private Long scratchBytes;
        private NetworkSpec network;
        private boolean runToCompletion;

        private Builder(String name, WorkloadImage image, Limits limits) {
            this.name = name;
            this.image = image;
            this.limits = limits;
        }

        /** Another instance name (e.g. one per instance of a fleet). */
        public Builder name(String n) {
            this.name = n;
            return this;
        }

        public Builder argv(List<String> a) {
            this.argv = a;
            return this;
        }

        public Builder env(Map<String, String> e) {
            this.env = e;
            return this;
        }

        /** May be null: nothing reads the workload's stdout while it runs. */
        public Builder onLine(LineListener l) {
            this.onLine = l;
            return this;
        }

        public Builder wrapper(List<String> w) {
            this.wrapper = w;
            return this;
        }

        /** Null: no scratch storage. */
        public Builder scratchBytes(Long bytes) {
            this.scratchBytes = bytes;
            return this;
        }

        /** Null: no network beyond loopback. */
        public Builder network(NetworkSpec n) {
            this.network = n;
            return this;
        }

        public Builder runToCompletion(boolean r) {
            this.runToCompletion = r;
            return this;
        }

        /** @throws IllegalStateException without a name or an argv */
        public LaunchSpec build() {
            if (name == null || name.isEmpty()) {
                throw new IllegalStateException("a launch spec needs an instance name");
            }
            if (argv == null || argv.isEmpty()) {
                throw new IllegalStateException("a launch spec needs an argv");
            }
            return new LaunchSpec(name, image, argv, env, limits, onLine, wrapper, scratchBytes, network,
                    runToCompletion);
        }
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
