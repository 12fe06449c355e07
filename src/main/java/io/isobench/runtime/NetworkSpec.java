package io.isobench.runtime;

import java.util.List;

/**
 * The workload needs the host to reach it over TCP: it will listen on {@code tcpPorts} (on all of its addresses)
 * and the driver makes each reachable from the host through the runtime's own network path, never through any
 * address outside loopback and the namespaces, bridges and NICs isobench itself creates. See
 * {@link Sandbox#endpoint(int)} and {@link Sandbox#networkPath()}.
 */
public record NetworkSpec(List<Integer> tcpPorts) {
    public NetworkSpec {
        tcpPorts = List.copyOf(tcpPorts);
        for (int p : tcpPorts) {
            if (p <= 0 || p > 65535) {
                throw new IllegalArgumentException("bad TCP port " + p);
            }
        }
    }

    public static NetworkSpec tcp(Integer... ports) {
        return new NetworkSpec(List.of(ports));
    }
}
