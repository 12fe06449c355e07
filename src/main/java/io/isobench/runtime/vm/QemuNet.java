package io.isobench.runtime.vm;

import io.isobench.runtime.vm.guest.GuestNet;

import java.util.List;

/**
 * A VM's network path as QEMU sees it: a {@link GuestNet} plus QEMU's netdev and NIC arguments. Two kinds:
 * {@link QemuTapNet} (a tap device in an isobench namespace, {@link io.isobench.runtime.vm.guest.TapNet}: the guest's
 * own TCP stack answers the host, as a server's would) and {@link QemuUserNet} (slirp: no root needed, but QEMU's
 * user-space TCP relay takes few simultaneous connections).
 */
interface QemuNet extends GuestNet {
    /** QEMU's {@code -netdev}, {@code -device} (and monitor) arguments. */
    List<String> qemuArgs();
}
