package io.isobench.runtime.vm;

import io.isobench.runtime.RuntimeDriver;
import io.isobench.runtime.vm.guest.TapNet;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * QEMU on a {@link TapNet}: its virtio-net NIC attaches to the namespace's tap (userspace backend, {@code vhost=off}).
 */
final class QemuTapNet implements QemuNet {
    private final TapNet tap;
    private final String nicDevice;
    private final String accel;

    private QemuTapNet(TapNet tap, String nicDevice, String accel) {
        this.tap = tap;
        this.nicDevice = nicDevice;
        this.accel = accel;
    }

    static QemuTapNet create(String nicDevice, String accel) throws RuntimeDriver.LaunchException {
        return new QemuTapNet(TapNet.create(), nicDevice, accel);
    }

    /** The netdev options for the namespace's tap: no scripts (isobench configured it), no vhost. */
    static String netdev() {
        return "tap,id=n0,ifname=" + TapNet.DEVICE + ",script=no,downscript=no,vhost=off";
    }

    @Override
    public List<String> qemuArgs() {
        return List.of("-netdev", netdev(), "-device", nicDevice + ",netdev=n0");
    }

    @Override
    public List<String> kernelParams() {
        return tap.kernelParams();
    }

    @Override
    public List<String> wrap(List<String> argv) {
        return tap.wrap(argv);
    }

    @Override
    public void guestNetworkUp() {
        tap.guestNetworkUp();
    }

    @Override
    public String upReport() {
        return tap.upReport();
    }

    @Override
    public InetSocketAddress endpoint(int port) {
        return tap.endpoint(port);
    }

    @Override
    public String description() {
        return tap.description() + ", " + nicDevice + " (QEMU userspace virtio-net backend, vhost=off), accel=" + accel;
    }

    @Override
    public void close() {
        tap.close();
    }
}
