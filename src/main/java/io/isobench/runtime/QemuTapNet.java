package io.isobench.runtime;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * A VM's network path through a tap device: {@link NetNs#createWithTap()} makes a namespace whose veth end is
 * bridged to a tap, QEMU is started inside that namespace ({@code nsenter}) and attaches its virtio-net NIC to the
 * tap (userspace backend, {@code vhost=off}), and the guest takes the namespace's sandbox address. The host
 * reaches the guest's ports directly at that address, as it reaches a container's, and the guest's own kernel
 * accepts the connections (listen backlogs, many clients), unlike slirp's relay. No route leads anywhere else.
 */
final class QemuTapNet implements QemuNet {
    private final NetNs ns;
    private final String nicDevice;
    private final String accel;

    private QemuTapNet(NetNs ns, String nicDevice, String accel) {
        this.ns = ns;
        this.nicDevice = nicDevice;
        this.accel = accel;
    }

    static QemuTapNet create(String nicDevice, String accel) throws RuntimeDriver.LaunchException {
        return new QemuTapNet(NetNs.createWithTap(), nicDevice, accel);
    }

    /** The netdev options for the namespace's tap: no scripts (isobench configured it), no vhost. */
    static String netdev() {
        return "tap,id=n0,ifname=" + NetNs.TAP + ",script=no,downscript=no,vhost=off";
    }

    @Override
    public List<String> qemuArgs() {
        return List.of("-netdev", netdev(), "-device", nicDevice + ",netdev=n0");
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
        return "tap: " + ns.description() + ", " + nicDevice + " (QEMU userspace virtio-net backend, vhost=off), accel=" + accel;
    }

    @Override
    public void close() {
        ns.close();
    }
}
