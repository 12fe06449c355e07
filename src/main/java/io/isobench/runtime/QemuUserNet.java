package io.isobench.runtime;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A VM's network path: QEMU user-mode networking (libslirp) with {@code restrict=on}, so that the guest has no
 * route to the host or beyond, and one host forward per workload port from {@code 127.0.0.1:HOSTPORT} (loopback
 * only) to the guest's {@value #GUEST_IP}. Host ports are free ephemeral ports picked here and reserved in this
 * process until {@link #close()}, so two VMs launched in a row never get the same one; QEMU binds them when it
 * starts (a port taken by another program in between makes QEMU fail, which is a failed launch).
 */
final class QemuUserNet implements SandboxNetwork {
    static final String GUEST_IP = "10.0.2.15";
    static final String GUEST_CIDR = GUEST_IP + "/24";
    static final String GATEWAY = "10.0.2.2";
    /** restrict=on: slirp refuses what the guest opens towards the host or beyond (its own DHCP still answers); the host forwards get in. */
    static final String OPTIONS = "restrict=on,ipv6=off,net=10.0.2.0/24,host=" + GATEWAY;
    private static final Set<Integer> RESERVED = new HashSet<>();

    private final Map<Integer, Integer> hostPorts; // guest port -> host port
    private final String nicDevice;
    private final String accel;

    private QemuUserNet(Map<Integer, Integer> hostPorts, String nicDevice, String accel) {
        this.hostPorts = hostPorts;
        this.nicDevice = nicDevice;
        this.accel = accel;
    }

    /** Picks and reserves a free loopback port for each of {@code spec}'s ports. */
    static QemuUserNet create(NetworkSpec spec, String nicDevice, String accel) throws RuntimeDriver.LaunchException {
        Map<Integer, Integer> ports = new LinkedHashMap<>();
        try {
            for (int p : spec.tcpPorts()) {
                if (!ports.containsKey(p)) {
                    ports.put(p, reserveFreePort());
                }
            }
        } catch (IOException e) {
            release(ports.values());
            throw new RuntimeDriver.LaunchException("no free port on 127.0.0.1 for a host forward: " + e.getMessage(), e);
        }
        return new QemuUserNet(ports, nicDevice, accel);
    }

    private static int reserveFreePort() throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            synchronized (RESERVED) {
                if (RESERVED.add(port)) {
                    return port;
                }
            }
        }
        throw new IOException("every port the kernel offered is already reserved by this process");
    }

    private static void release(Iterable<Integer> ports) {
        synchronized (RESERVED) {
            for (int p : ports) {
                RESERVED.remove(p);
            }
        }
    }

    /** QEMU's netdev and NIC: {@code -netdev user,...,hostfwd=... -device NIC,netdev=n0}. */
    List<String> qemuArgs() {
        String fwd = hostPorts.entrySet().stream()
                .map(e -> ",hostfwd=tcp:127.0.0.1:" + e.getValue() + "-" + GUEST_IP + ":" + e.getKey())
                .collect(Collectors.joining());
        return List.of("-netdev", "user,id=n0," + OPTIONS + fwd,
                "-device", nicDevice + ",netdev=n0");
    }

    /** Kernel parameters telling the guest's /init to configure eth0 before the workload starts. */
    List<String> kernelParams() {
        return List.of("isobench.ip=" + GUEST_CIDR, "isobench.gw=" + GATEWAY);
    }

    @Override
    public InetSocketAddress endpoint(int port) {
        Integer h = hostPorts.get(port);
        if (h == null) {
            throw new IllegalStateException("port " + port + " was not in the launch's network spec " + hostPorts.keySet());
        }
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), h);
    }

    @Override
    public String description() {
        String fwd = hostPorts.entrySet().stream()
                .map(e -> "127.0.0.1:" + e.getValue() + "->" + GUEST_IP + ":" + e.getKey())
                .collect(Collectors.joining(", "));
        return "QEMU user-mode network (slirp, restrict=on: guest cannot initiate traffic) " + nicDevice + ", hostfwd "
                + fwd + ", accel=" + accel;
    }

    @Override
    public void close() {
        release(hostPorts.values());
    }
}
