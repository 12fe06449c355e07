package io.isobench.runtime;

import java.util.List;

/**
 * A VM's network path as QEMU sees it: the netdev and NIC arguments, the kernel parameters that tell the guest's
 * /init its address, how QEMU itself must be started (e.g. inside a namespace), and what happens once the
 * guest's eth0 is up. Two kinds: {@link QemuTapNet} (a tap device in an isobench namespace: the guest's own TCP
 * stack answers the host, as a server's would) and {@link QemuUserNet} (slirp: no root needed, but QEMU's user-space
 * TCP relay takes few simultaneous connections).
 */
interface QemuNet extends SandboxNetwork {
    /** QEMU's {@code -netdev}, {@code -device} (and monitor) arguments. */
    List<String> qemuArgs();

    /** Kernel parameters for the guest's /init: {@code isobench.ip=ADDR/LEN} and, if any, {@code isobench.gw=GW}. */
    List<String> kernelParams();

    /** {@code argv} (QEMU's command line) as it must be run for this path. */
    List<String> wrap(List<String> argv);

    /** Called once the guest reported BEGIN (its eth0 is up). */
    void guestNetworkUp();

    /** A line for the trial's raw output about what {@link #guestNetworkUp()} did, or why it failed; null: nothing to say. */
    String upReport();
}
