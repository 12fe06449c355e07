package io.isobench.runtime.k8s;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.LocalPortForward;
import io.fabric8.kubernetes.client.dsl.PodResource;
import io.isobench.proc.Cleanup;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How isobench's host reaches the TCP ports of one {@code k8s:*} pod or {@code kubevirt} VMI, and the label of that path
 * for results. Two paths: the pod's own IP ({@code status.podIP}; a VMI's {@code status.interfaces[0].ipAddress}), which
 * is what a process on a node of the cluster (a fleet agent) reaches, since pod IPs are routed to every node by the
 * cluster's network plugin; or, when isobench's host does not route to it, a port-forward through the API server
 * (a websocket stream API server → kubelet → the pod's network namespace), whose throughput and latency include that
 * tunnel and so are not the pod's network cost. Which one is decided by a probe of the pod IP (a TCP connect: an answer,
 * even a refusal, proves a route), or forced with {@value #ENV}. Port-forwards are closed by {@link #close()} and by a
 * {@link Cleanup} action.
 */
final class PodNetwork implements AutoCloseable {
    /** {@code auto} (default: probe the pod IP), {@code pod-ip} or {@code port-forward}. */
    static final String ENV = "ISOBENCH_K8S_NETWORK";
    static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);
    static final String POD_IP_LABEL = "k8s pod IP";
    static final String PORT_FORWARD_LABEL = "k8s port-forward (API server tunnel)";

    /** The path a launch asks for. */
    enum Mode {
        AUTO, POD_IP, PORT_FORWARD;

        /** The mode of {@value #ENV}'s value (null or blank: auto). */
        static Mode parse(String v) throws IllegalArgumentException {
            if (v == null || v.isBlank()) {
                return AUTO;
            }
            return switch (v.strip().toLowerCase(Locale.ROOT)) {
                case "auto" -> AUTO;
                case "pod-ip" -> POD_IP;
                case "port-forward" -> PORT_FORWARD;
                default -> throw new IllegalArgumentException("$" + ENV + " is '" + v + "': auto, pod-ip or port-forward");
            };
        }
    }

    private final Map<Integer, InetSocketAddress> endpoints;
    private final String description;
    private final List<LocalPortForward> forwards;
    private final Cleanup.Action cleanup;

    private PodNetwork(Map<Integer, InetSocketAddress> endpoints, String description, List<LocalPortForward> forwards,
                       Cleanup.Action cleanup) {
        this.endpoints = endpoints;
        this.description = description;
        this.forwards = forwards;
        this.cleanup = cleanup;
    }

    /**
     * Null when {@code ip:port} answers a TCP connect within {@code timeout} (a connection, or a refusal: either proves
     * the host routes to the address), else why not (unreachable network or host, no answer).
     */
    static String unreachable(String ip, int port, Duration timeout) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getByName(ip), port), (int) timeout.toMillis());
            return null;
        } catch (ConnectException e) {
            String m = String.valueOf(e.getMessage());
            // "Connection refused": something at that address answered with a reset
            return m.contains("refused") ? null : "connect to " + ip + ":" + port + ": " + m;
        } catch (IOException e) {
            return "connect to " + ip + ":" + port + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        }
    }

    /** The pod IP path: every port at the pod's own address. */
    static PodNetwork podIp(String ip, List<Integer> ports, String how) {
        Map<Integer, InetSocketAddress> m = new LinkedHashMap<>();
        InetAddress a;
        try {
            a = InetAddress.getByName(ip);
        } catch (IOException e) {
            throw new IllegalStateException("the pod's IP '" + ip + "' is not an address: " + e.getMessage(), e);
        }
        ports.forEach(p -> m.put(p, new InetSocketAddress(a, p)));
        return new PodNetwork(m, POD_IP_LABEL + " " + ip + " (" + how + "): the pod's own network path, as a process on "
                + "a node of the cluster reaches it", List.of(), null);
    }

    /**
     * The port-forward path: one {@link LocalPortForward} per port on 127.0.0.1 (an ephemeral port) to the pod's port,
     * through the API server and the kubelet.
     *
     * @param why why the pod IP is not used (the probe's answer, or the forced mode)
     */
    static PodNetwork portForward(PodResource pod, String podId, List<Integer> ports, String why) {
        List<LocalPortForward> fw = new ArrayList<>();
        Map<Integer, InetSocketAddress> m = new LinkedHashMap<>();
        Cleanup.Action action = Cleanup.register("close the port-forwards to Kubernetes pod " + podId, () -> closeAll(fw));
        try {
            for (int p : ports) {
                LocalPortForward f = pod.portForward(p, InetAddress.getLoopbackAddress(), 0);
                synchronized (fw) {
                    fw.add(f);
                }
                m.put(p, new InetSocketAddress(f.getLocalAddress(), f.getLocalPort()));
            }
        } catch (KubernetesClientException | IllegalStateException e) {
            closeAll(fw);
            action.disarm();
            throw new IllegalStateException("port-forward to pod " + podId + " failed: " + KubeCluster.oneLine(e), e);
        }
        StringBuilder sb = new StringBuilder(PORT_FORWARD_LABEL + ": ");
        m.forEach((p, a) -> sb.append(a.getAddress().getHostAddress()).append(':').append(a.getPort()).append(" -> pod ")
                .append(podId).append(':').append(p).append(", "));
        sb.append("a websocket stream through the API server and the node's kubelet; what is measured through it includes "
                + "that tunnel, not only the pod's network (").append(why).append(')');
        return new PodNetwork(m, sb.toString(), fw, action);
    }

    private static void closeAll(List<LocalPortForward> fw) {
        synchronized (fw) {
            for (LocalPortForward f : fw) {
                try {
                    f.close();
                } catch (IOException | RuntimeException e) {
                    // the process's exit closes its sockets anyway
                }
            }
        }
    }

    /** The host-side address of {@code port}. */
    InetSocketAddress endpoint(int port) {
        InetSocketAddress a = endpoints.get(port);
        if (a == null) {
            throw new IllegalStateException("port " + port + " was not asked for (ports " + endpoints.keySet() + ")");
        }
        return a;
    }

    String description() {
        return description;
    }

    /** Whether the path is a port-forward (the forwards are open until close). */
    boolean forwarded() {
        return !forwards.isEmpty();
    }

    /** The forwards, for tests. */
    List<LocalPortForward> forwards() {
        return List.copyOf(forwards);
    }

    @Override
    public void close() {
        closeAll(forwards);
        if (cleanup != null) {
            cleanup.disarm();
        }
    }
}
