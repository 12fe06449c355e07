package io.isobench.runtime.vm;

import io.isobench.runtime.LoopbackPorts;
import io.isobench.runtime.NetworkSpec;
import io.isobench.runtime.RuntimeDriver;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * A VM's network path: QEMU user-mode networking (libslirp) with {@code restrict=on}, so that the guest has no
 * route to the host or beyond, and one host forward per workload port from {@code 127.0.0.1:HOSTPORT} (loopback
 * only) to the guest's {@value #GUEST_IP}. Host ports are free ephemeral ports picked here and reserved in this
 * process until {@link #close()}, so two VMs launched in a row never get the same one.
 *
 * <p>The forwards are added through QEMU's monitor (a unix socket in the work dir, {@code hostfwd_add}) when the
 * guest reports BEGIN, i.e. once its eth0 is up, not on QEMU's command line: a command-line forward listens from
 * QEMU's start and accepts (and holds) connections while the guest still boots, so a readiness check that
 * connects would pass seconds before any server exists. Added at BEGIN, the port refuses connections until then,
 * and afterwards a connection to a port nothing listens on in the guest is reset, as with the other runtimes.
 */
final class QemuUserNet implements QemuNet {
    static final String GUEST_IP = "10.0.2.15";
    static final String GUEST_CIDR = GUEST_IP + "/24";
    static final String GATEWAY = "10.0.2.2";
    /** restrict=on: slirp refuses what the guest opens towards the host or beyond (its own DHCP still answers); the host forwards get in. */
    static final String OPTIONS = "restrict=on,ipv6=off,net=10.0.2.0/24,host=" + GATEWAY;
    private static final AtomicInteger SEQ = new AtomicInteger();
    private static final String PROMPT = "(qemu) ";

    private final Map<Integer, Integer> hostPorts; // guest port -> host port
    private final String nicDevice;
    private final String accel;
    private final Path monitor;
    private volatile String problem;
    private volatile long forwardsMillis = -1;

    private QemuUserNet(Map<Integer, Integer> hostPorts, String nicDevice, String accel, Path monitor) {
        this.hostPorts = hostPorts;
        this.nicDevice = nicDevice;
        this.accel = accel;
        this.monitor = monitor;
    }

    /**
     * Picks and reserves a free loopback port for each of {@code spec}'s ports; QEMU's monitor socket will be in
     * {@code dir} (short name: unix socket paths are limited to 107 bytes).
     */
    static QemuUserNet create(NetworkSpec spec, String nicDevice, String accel, Path dir) throws RuntimeDriver.LaunchException {
        Map<Integer, Integer> ports = new LinkedHashMap<>();
        try {
            for (int p : spec.tcpPorts()) {
                if (!ports.containsKey(p)) {
                    ports.put(p, LoopbackPorts.reserve());
                }
            }
        } catch (IOException e) {
            LoopbackPorts.release(ports.values());
            throw new RuntimeDriver.LaunchException("no free port on 127.0.0.1 for a host forward: " + e.getMessage(), e);
        }
        return new QemuUserNet(ports, nicDevice, accel, dir.resolve("mon" + SEQ.incrementAndGet() + ".sock"));
    }

    /** QEMU's netdev, NIC and monitor: {@code -netdev user,... -device NIC,netdev=n0 -monitor unix:...}. */
    @Override
    public List<String> qemuArgs() {
        return List.of("-netdev", "user,id=n0," + OPTIONS, "-device", nicDevice + ",netdev=n0",
                "-monitor", "unix:" + monitor + ",server=on,wait=off");
    }

    /** The monitor commands that add the forwards. */
    List<String> forwardCommands() {
        return hostPorts.entrySet().stream()
                .map(e -> "hostfwd_add n0 tcp:127.0.0.1:" + e.getValue() + "-" + GUEST_IP + ":" + e.getKey()).toList();
    }

    /**
     * Adds the host forwards through QEMU's monitor (called once the guest's network is up). A failure is kept
     * and reported by {@link #problem()}; the ports then refuse connections.
     */
    void addForwards() {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(monitor));
            StringBuilder seen = new StringBuilder(readToPrompt(ch));
            for (String cmd : forwardCommands()) {
                ch.write(ByteBuffer.wrap((cmd + "\n").getBytes(StandardCharsets.US_ASCII)));
                String out = readToPrompt(ch);
                seen.append(out);
                // the first line is HMP's readline echo of the command (with cursor escapes); what follows it up to the
                // prompt is the reply: nothing on success, else e.g. "Could not set up host forwarding rule '...'"
                int nl = out.indexOf("\r\n");
                String reply = nl < 0 ? "" : out.substring(nl + 2, out.length() - PROMPT.length()).strip();
                if (!reply.isEmpty()) {
                    problem = "QEMU monitor: " + cmd + ": " + reply;
                    return;
                }
            }
        } catch (IOException e) {
            problem = "cannot add the host forwards through QEMU's monitor " + monitor + ": " + e.getMessage();
        }
    }

    /** Reads the monitor until its prompt (at most 5 s). */
    private static String readToPrompt(SocketChannel ch) throws IOException {
        StringBuilder sb = new StringBuilder();
        ByteBuffer buf = ByteBuffer.allocate(4096);
        long end = System.nanoTime() + 5_000_000_000L;
        while (!sb.toString().endsWith(PROMPT)) {
            if (System.nanoTime() > end) {
                throw new IOException("no monitor prompt within 5 s (read: " + sb + ")");
            }
            buf.clear();
            int n = ch.read(buf);
            if (n < 0) {
                throw new IOException("monitor closed (read: " + sb + ")");
            }
            sb.append(new String(buf.array(), 0, n, StandardCharsets.ISO_8859_1));
        }
        return sb.toString();
    }

    /** Why the forwards could not be added, or null. */
    String problem() {
        return problem;
    }

    @Override
    public List<String> wrap(List<String> argv) {
        return argv;
    }

    @Override
    public void guestNetworkUp() {
        long t = System.nanoTime();
        addForwards();
        forwardsMillis = (System.nanoTime() - t) / 1_000_000;
    }

    @Override
    public String upReport() {
        return problem != null ? problem : "host forwards added at BEGIN in " + forwardsMillis + " ms";
    }

    /** Kernel parameters telling the guest's /init to configure eth0 before the workload starts. */
    @Override
    public List<String> kernelParams() {
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
        LoopbackPorts.release(hostPorts.values());
        try {
            Files.deleteIfExists(monitor);
        } catch (IOException ignored) {
            // in the work dir, which goes at exit anyway
        }
    }
}
