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

    /** Every host process that belongs to this instance (launcher, shim, sandbox, workload...), for accounting. */
    List<Long> hostPids();

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

    @Override
    void close();
}
