package io.isobench.runtime;

import io.isobench.proc.ProcResult;

import java.time.Duration;
import java.util.List;

/**
 * One running instance of a workload in a runtime. Created by {@link RuntimeDriver#launch}; the workload
 * starts at once. {@link #close()} tears everything down (processes, container state, bundles, temp
 * dirs) and is idempotent; it also runs from the shutdown hook on Ctrl-C.
 */
public interface Sandbox extends AutoCloseable {
    String id();

    /**
     * Host monotonic time (System.nanoTime) at which the driver began this launch: the setup it does on the
     * runtime's behalf (bundle, network namespace and veth, VM image) counts, as an engine's own setup does.
     */
    long launchedAtNanos();

    /** Waits for the workload to exit; at the timeout the sandbox is killed and the result says timedOut. */
    ProcResult await(Duration timeout);

    /**
     * Host monotonic time (System.nanoTime, the clock of {@link #launchedAtNanos()}) at which the runtime's launcher
     * process was seen to exit (a container's {@code run} command after its own cleanup, a VM's QEMU after the guest
     * powered off), or -1 while it runs.
     */
    long exitedAtNanos();

    /**
     * A VM's configured guest memory in bytes, which its VMM maps as one anonymous region of exactly that size (so
     * footprint can tell guest RAM from VMM overhead); 0 for everything that is not a VM.
     */
    default long guestMemoryBytes() {
        return 0;
    }

    /** Every host process that belongs to this instance (launcher, shim, sandbox, workload...), for accounting. */
    List<Long> hostPids();

    /**
     * How the sandbox was pinned beyond {@link Limits#cpuset()} itself (a VM's vCPU threads one to one); null when
     * there is nothing more to say.
     */
    default String cpuPlacement() {
        return null;
    }

    /**
     * Where the scratch storage of {@link LaunchSpec#scratchBytes()} lives, e.g. "bind mount of a host directory on
     * ext4 (/dev/vda)"; null when none was asked for.
     */

    default String scratchStorage() {
        return null;
    }

    /**
     * The host-side address of the workload's TCP {@code port}, one of {@link LaunchSpec#network()}'s ports.
     *
     * @throws IllegalStateException when no network was asked for or the port was not among those asked for
     */
    default java.net.InetSocketAddress endpoint(int port) {
        throw new IllegalStateException("this sandbox has no network (LaunchSpec.network was null)");
    }

    /** How the host reaches the workload (see {@link SandboxNetwork#description()}); null when no network was asked for. */
    default String networkPath() {
        return null;
    }

    /**
     * Milestones of this launch that the driver itself observed, in order, as host monotonic times
     * (System.nanoTime, the clock of {@link #launchedAtNanos()}); only those the runtime exposes, so the list may be
     * empty. Names are from {@link Phase}: {@link Phase#SETUP} (the driver's host-side setup is done and it starts
     * the runtime's launcher), {@link Phase#SPAWNED} (the launcher process runs), {@link Phase#BOOTED} (the
     * runtime's own init or guest is up, before the workload starts: a system container's init, a VM's /init);
     * Kubernetes drivers: {@link Phase#CREATED}, {@link Phase#SCHEDULED}, {@link Phase#INITIALIZED},
     * {@link Phase#CONTAINERS_READY} from the API's own timestamps;
     * {@link Phase#STARTED} (a prewarmed instance's start command returned: {@link Prewarmed#start()}).
     */
    default List<Phase> phases() {
        return List.of();
    }

    /** One milestone of a launch: its name and the host monotonic time it was reached. */
    record Phase(String name, long atNanos) {
        public static final String SETUP = "setup";
        public static final String SPAWNED = "spawned";
        /** Kubernetes: the API server accepted the object (isobench's clock when the create call returned). */
        public static final String CREATED = "created";
        /** Kubernetes: the pod's PodScheduled condition (a KubeVirt VMI's Scheduled phase). */
        public static final String SCHEDULED = "scheduled";
        /** Kubernetes: the pod's Initialized condition (init containers done, volumes set up). */
        public static final String INITIALIZED = "initialized";
        /** Kubernetes: the pod's ContainersReady condition (a KubeVirt VMI's Running phase). */
        public static final String CONTAINERS_READY = "containers_ready";
        public static final String BOOTED = "booted";
        public static final String STARTED = "started";
        /** Every phase name a driver may report, in launch order. */
        public static final List<String> NAMES = List.of(SETUP, SPAWNED, CREATED, SCHEDULED, INITIALIZED,
                CONTAINERS_READY, BOOTED, STARTED);
    }

    @Override
    void close();
}
