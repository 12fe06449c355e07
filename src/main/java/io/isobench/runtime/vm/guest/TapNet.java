package io.isobench.runtime.vm.guest;

import io.isobench.runtime.NetNs;
import io.isobench.runtime.RuntimeDriver;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * The VMM-neutral part of a guest's network through a tap device: {@link NetNs#createWithTap()} makes a namespace whose
 * veth end is bridged to a tap ({@link #DEVICE}), the VMM is started inside that namespace ({@code nsenter}) and
 * attaches the guest's NIC to the tap, and the guest takes the namespace's sandbox address with no gateway (no route
 * leads anywhere else). The host reaches the guest's ports at that address, as it reaches a container's, and the
 * guest's own kernel accepts the connections. Deleting the namespace removes tap and bridge.
 */
public final class TapNet implements GuestNet {
    /** The tap device's name inside the namespace. */
    public static final String DEVICE = NetNs.TAP;
    private final NetNs ns;

    private TapNet(NetNs ns) {
        this.ns = ns;
    }

    public static TapNet create() throws RuntimeDriver.LaunchException {
        return new TapNet(NetNs.createWithTap());
    }

    @Override
    public List<String> kernelParams() {
        return List.of("isobench.ip=" + ns.sandboxAddress().getHostAddress() + "/30"); // no gateway: nowhere to go
    }

    @Override
    public List<String> wrap(List<String> argv) {
        return ns.enter(argv);
    }

    @Override
    public void guestNetworkUp() {
        // nothing to add: the guest's address answers as soon as its eth0 is up
    }

    @Override
    public String upReport() {
        return null;
    }

    @Override
    public InetSocketAddress endpoint(int port) {
        return ns.endpoint(port);
    }

    @Override
    public String description() {
        return "tap: " + ns.description();
    }

    @Override
    public void close() {
        ns.close();
    }
}
