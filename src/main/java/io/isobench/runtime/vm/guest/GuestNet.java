package io.isobench.runtime.vm.guest;

import io.isobench.runtime.SandboxNetwork;

import java.util.List;

/**
 * A VM guest's network path, whatever the VMM: the kernel parameters that tell the guest's /init its address, how the
 * VMM process must be started (e.g. inside a namespace), and what happens once the guest's eth0 is up (the BEGIN
 * marker). A VMM adds its own device arguments (see {@code QemuNet}).
 */
public interface GuestNet extends SandboxNetwork {
    /** Kernel parameters for the guest's /init: {@code isobench.ip=ADDR/LEN} and, if any, {@code isobench.gw=GW}. */
    List<String> kernelParams();

    /** {@code argv} (the VMM's command line) as it must be run for this path. */
    List<String> wrap(List<String> argv);

    /** Called once the guest reported BEGIN (its eth0 is up). */
    void guestNetworkUp();

    /** A line for the trial's raw output about what {@link #guestNetworkUp()} did, or why it failed; null: nothing to say. */
    String upReport();
}
