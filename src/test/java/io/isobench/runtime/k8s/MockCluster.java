package io.isobench.runtime.k8s;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * fabric8's mock API server in CRUD mode (objects are stored, listed, watched and deleted as a real API server does,
 * without any controller or kubelet), plus what CRUD mode lacks and the tests need: pod logs served from
 * {@link #logs} (the simulated kubelet writes them) and injected error answers (409 Conflict, 410 Gone) for requests
 * matching a method and a path fragment, either instead of the request or after letting it through (an answer lost
 * on the way back).
 */
public final class MockCluster implements AutoCloseable {
    public static final String NAMESPACE = "isobench-test";
    private static final Pattern TAIL_LINES = Pattern.compile("[?&]tailLines=(\\d+)");
    private static final Pattern LOG = Pattern.compile("/api/v1/namespaces/([^/]+)/pods/([^/?]+)/log");
    private static final Pattern PORT_FORWARD = Pattern.compile("/api/v1/namespaces/([^/]+)/pods/([^/?]+)/portforward\\?ports=(\\d+)");

    public final KubernetesMockServer server;
    public final KubernetesClient client;
    public final KubeCluster cluster;
    /** Pod name -> its container's log so far. */
    public final Map<String, String> logs = new ConcurrentHashMap<>();
    /** The path (with its query) of every pod log request, in order. */
    public final List<String> logRequests = new CopyOnWriteArrayList<>();
    /** The path (with its query) of every pod portforward request (a websocket upgrade CRUD mode does not serve). */
    public final List<String> portForwardRequests = new CopyOnWriteArrayList<>();
    /**
     * Null: portforward requests get CRUD mode's answer (none that a client can use). Else the pod's address by its
     * name: the request is upgraded to a websocket that plays the kubelet's side of the port-forward protocol
     * ({@link KubeletPortForward}) to that address and the asked port.
     */
    public volatile java.util.function.Function<String, java.net.InetAddress> portForwardTo;
    private final List<Injection> injections = new CopyOnWriteArrayList<>();

    /** An error answer for the next {@code times} requests with this method whose path contains {@code fragment}. */
    public static final class Injection {
        final String method;
        final String fragment;
        final int code;
        final boolean afterDelegate;
        final AtomicInteger left;
        public final AtomicInteger hits = new AtomicInteger();

        Injection(String method, String fragment, int code, boolean afterDelegate, int times) {
            this.method = method;
            this.fragment = fragment;
            this.code = code;
            this.afterDelegate = afterDelegate;
            this.left = new AtomicInteger(times);
        }
    }

    public MockCluster() {
        Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
        KubernetesMixedDispatcher crud = new KubernetesMixedDispatcher(responses);
        Dispatcher d = new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest r) {
                for (Injection i : injections) {
                    if (i.method.equals(r.getMethod()) && r.getPath().contains(i.fragment) && i.left.getAndDecrement() > 0) {
                        i.hits.incrementAndGet();
                        if (i.afterDelegate) {
                            crud.dispatch(r);
                        }
                        return status(i.code, i.code == 409 ? "AlreadyExists" : "Expired",
                                i.code == 409 ? "object already exists (injected)" : "too old resource version (injected)");
                    }
                }
                Matcher pf = PORT_FORWARD.matcher(r.getPath());
                if ("GET".equals(r.getMethod()) && pf.find()) {
                    portForwardRequests.add(r.getPath());
                    java.util.function.Function<String, java.net.InetAddress> to = portForwardTo;
                    if (to != null) {
                        return new MockResponse().withWebSocketUpgrade(new KubeletPortForward(
                                new java.net.InetSocketAddress(to.apply(pf.group(2)), Integer.parseInt(pf.group(3)))));
                    }
                }
                Matcher m = LOG.matcher(r.getPath());
                if ("GET".equals(r.getMethod()) && m.find()) {
                    logRequests.add(r.getPath());
                    String log = logs.get(m.group(2));
                    Matcher tail = TAIL_LINES.matcher(r.getPath());
                    if (log != null && tail.find()) { // as the kubelet does: the last N lines only
                        List<String> lines = log.lines().toList();
                        log = String.join("\n", lines.subList(Math.max(0, lines.size() - Integer.parseInt(tail.group(1))),
                                lines.size())) + "\n";
                    }
                    return log == null ? status(400, "BadRequest", "container is waiting to start")
                            : new MockResponse().setResponseCode(200).setBody(log);
                }
                return crud.dispatch(r);
            }

            @Override
            public void shutdown() {
                crud.shutdown();
            }
        };
        server = new KubernetesMockServer(new Context(), new MockWebServer(), responses, d, false);
        server.init();
        client = server.createClient();
        cluster = new KubeCluster(client, NAMESPACE);
    }

    static MockResponse status(int code, String reason, String message) {
        return new MockResponse().setResponseCode(code).setBody("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
                + "\"message\":\"" + message + "\",\"reason\":\"" + reason + "\",\"code\":" + code + "}");
    }

    /** Answers the next {@code times} matching requests with {@code code}, without handling them. */
    public Injection inject(String method, String fragment, int code, int times) {
        Injection i = new Injection(method, fragment, code, false, times);
        injections.add(i);
        return i;
    }

    /** Handles the next matching request, then answers {@code code} instead of its result (a lost answer). */
    public Injection injectAfter(String method, String fragment, int code) {
        Injection i = new Injection(method, fragment, code, true, 1);
        injections.add(i);
        return i;
    }

    @Override
    public void close() {
        client.close();
        server.destroy();
    }

    /**
     * The kubelet's side of one port-forward stream (the portforward subresource's websocket, channel protocol v4 as
     * kubectl and fabric8 speak it): on open it connects to the pod's port and announces the port on the data (0) and
     * error (1) channels (two bytes, little endian, after the channel byte); then every binary message on channel 0 is
     * written to the connection, and what the connection sends comes back as channel-0 messages. The connection's
     * end closes the websocket, and the websocket's close ends the connection.
     */
    static final class KubeletPortForward extends io.fabric8.mockwebserver.http.WebSocketListener {
        private final java.net.InetSocketAddress target;
        private volatile java.net.Socket socket;

        KubeletPortForward(java.net.InetSocketAddress target) {
            this.target = target;
        }

        @Override
        public void onOpen(io.fabric8.mockwebserver.http.WebSocket ws, io.fabric8.mockwebserver.http.Response response) {
            byte lo = (byte) (target.getPort() & 0xff);
            byte hi = (byte) (target.getPort() >> 8);
            try {
                java.net.Socket s = new java.net.Socket();
                s.connect(target, 5000);
                socket = s;
            } catch (java.io.IOException e) {
                ws.send(new byte[]{0, lo, hi});
                ws.send(new byte[]{1, lo, hi});
                ws.send(("\u0001" + "dial " + target + ": " + e.getMessage()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
                ws.close(1000, "connect failed");
                return;
            }
            ws.send(new byte[]{0, lo, hi});
            ws.send(new byte[]{1, lo, hi});
            Thread.ofPlatform().daemon().name("mock-kubelet-portforward").start(() -> {
                byte[] buf = new byte[8192];
                try (var in = socket.getInputStream()) {
                    int n;
                    while ((n = in.read(buf)) >= 0) {
                        byte[] msg = new byte[n + 1];
                        System.arraycopy(buf, 0, msg, 1, n);
                        ws.send(msg); // channel 0
                    }
                } catch (java.io.IOException e) {
                    // the websocket closed the connection
                }
                ws.close(1000, "connection closed");
            });
        }

        @Override
        public void onMessage(io.fabric8.mockwebserver.http.WebSocket ws, byte[] bytes) {
            java.net.Socket s = socket;
            if (s == null || bytes.length < 2 || bytes[0] != 0) {
                return;
            }
            try {
                s.getOutputStream().write(bytes, 1, bytes.length - 1);
            } catch (java.io.IOException e) {
                ws.close(1000, "write failed");
            }
        }

        @Override
        public void onMessage(io.fabric8.mockwebserver.http.WebSocket ws, io.fabric8.mockwebserver.http.ByteString bytes) {
            onMessage(ws, bytes.toByteArray());
        }

        @Override
        public void onClosing(io.fabric8.mockwebserver.http.WebSocket ws, int code, String reason) {
            closeSocket();
        }

        @Override
        public void onClosed(io.fabric8.mockwebserver.http.WebSocket ws, int code, String reason) {
            closeSocket();
        }

        @Override
        public void onFailure(io.fabric8.mockwebserver.http.WebSocket ws, Throwable t, io.fabric8.mockwebserver.http.Response r) {
            closeSocket();
        }

        private void closeSocket() {
            java.net.Socket s = socket;
            if (s != null) {
                try {
                    s.close();
                } catch (java.io.IOException e) {
                    // closed already
                }
            }
        }
    }
}
