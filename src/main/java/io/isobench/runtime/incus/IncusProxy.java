package io.isobench.runtime.incus;

import io.isobench.proc.ProcResult;
import io.isobench.runtime.LoopbackPorts;
import io.isobench.runtime.NetworkSpec;
import io.isobench.runtime.RuntimeDriver.LaunchException;
import io.isobench.runtime.SandboxNetwork;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The network path of an Incus container: one {@code proxy} device per port, listening on a free 127.0.0.1 port of the
 * host (picked and reserved in this process) and connecting to the port on the container's loopback (Incus's forkproxy
 * copies the bytes in user space). No bridge, no NIC: the container has no address outside itself.
 */
final class IncusProxy implements SandboxNetwork {
    private final Map<Integer, Integer> hostPorts;

    private IncusProxy(Map<Integer, Integer> hostPorts) {
        this.hostPorts = hostPorts;
    }

    /** Adds the proxy devices to instance {@code name} (created, not started). */
    static IncusProxy create(String name, NetworkSpec spec) throws LaunchException {
        Map<Integer, Integer> ports = new LinkedHashMap<>();
        IncusProxy p = new IncusProxy(ports);
        try {
            for (int port : spec.tcpPorts()) {
                if (ports.containsKey(port)) {
                    continue;
                }
                int hp = LoopbackPorts.reserve();
                ports.put(port, hp);
                ProcResult r = Incus.call("config", "device", "add", name, "port" + port, "proxy",
                        "listen=tcp:127.0.0.1:" + hp, "connect=tcp:127.0.0.1:" + port, "bind=host");
                if (!r.ok()) {
                    throw new LaunchException("adding the proxy device for port " + port + " failed: " + r.failureSummary());
                }
            }
            return p;
        } catch (IOException e) {
            release(p);
            throw new LaunchException("no free port on 127.0.0.1 for a proxy device: " + e.getMessage(), e);
        } catch (LaunchException e) {
            release(p);
            throw e;
        }
    }

    /** Releases the host ports of {@code p} (null: nothing); the devices go with the instance. */
    static void release(IncusProxy p) {
        if (p == null) {
            return;
        }
        LoopbackPorts.release(p.hostPorts.values());
    }

    @Override
    public InetSocketAddress endpoint(int port) {
        Integer hp = hostPorts.get(port);
        if (hp == null) {
            throw new IllegalStateException("port " + port + " has no proxy device");
        }
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), hp);
    }

    @Override
    public String description() {
        return "Incus proxy devices (forkproxy, user-space copy) from 127.0.0.1 " + hostPorts
                + " to the container's loopback; no NIC";
    }

    @Override
    public void close() {
        release(this);
    }
}
