package io.isobench.runtime.k8s;

import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.Pod;
import io.isobench.proc.Cleanup;
import io.isobench.runtime.LaunchSpec;
import io.isobench.runtime.NetworkSpec;
import io.isobench.runtime.RuntimeDriver;
import io.isobench.runtime.Sandbox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The network path of k8s:* pods against the mock API server with the simulated kubelet, which gives the pod an IP:
 * a loopback address where the test runs a real HTTP server (so the pod-IP path is reached for real), or an address
 * this host has no route to (so the driver falls back to a port-forward through the API server). fabric8's mock in
 * CRUD mode does not serve the portforward websocket: one test checks the forward's construction (a local listener
 * on 127.0.0.1 whose connections go to the pod's portforward subresource with the right port), its label, and its
 * teardown against CRUD mode as is; another lets the mock play the kubelet's side of the websocket
 * ({@link MockCluster.KubeletPortForward}) so that bytes flow through fabric8's real client. Neither proves what a
 * real API server and kubelet do with the stream.
 */
class K8sNetworkTest {
    MockCluster mock;
    SimulatedKubelet kubelet;
    HttpServer http;

    @BeforeEach
    void start() {
        mock = new MockCluster();
    }

    @AfterEach
    void stop() {
        if (http != null) {
            http.stop(0);
        }
        if (kubelet != null) {
            kubelet.close();
            assertThat(kubelet.errors).as("the simulated kubelet's API errors").isEmpty();
        }
        mock.close();
    }

    K8sDriver driver(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(PodSandboxTest.ENV);
        env.putAll(extra);
        return new K8sDriver("default", () -> mock.cluster, env::get);
    }

    static LaunchSpec spec(int port) {
        return PodSandboxTest.spec(null, null).withNetwork(NetworkSpec.tcp(port));
    }

    /** A loopback address other than 127.0.0.1 (a pod IP of its own) and a free port on it. */
    static InetSocketAddress loopbackPodAddress() throws IOException {
        String ip = "127.0.0." + ThreadLocalRandom.current().nextInt(2, 250);
        try (var s = new java.net.ServerSocket(0, 1, InetAddress.getByName(ip))) {
            return new InetSocketAddress(InetAddress.getByName(ip), s.getLocalPort());
        }
    }

    Pod pod() {
        return mock.client.pods().inNamespace(MockCluster.NAMESPACE).list().getItems().get(0);
    }

    @Test
    void aPodWhoseIpTheHostReachesIsServedAtItsIpAndLabelledSo() throws Exception {
        InetSocketAddress at = loopbackPodAddress();
        http = HttpServer.create(at, 16);
        http.createContext("/", ex -> {
            byte[] b = "served at the pod IP\n".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        http.start();
        kubelet = new SimulatedKubelet(mock, p -> SimulatedKubelet.Behaviour.runsForever());
        kubelet.podIp = p -> at.getAddress().getHostAddress();
        try (Sandbox s = driver(Map.of()).launch(spec(at.getPort()))) {
            assertThat(pod().getSpec().getContainers().get(0).getPorts()).singleElement()
                    .satisfies(cp -> assertThat(cp.getContainerPort()).isEqualTo(at.getPort()))
                    .satisfies(cp -> assertThat(cp.getProtocol()).isEqualTo("TCP"));
            InetSocketAddress ep = s.endpoint(at.getPort());
            assertThat(ep).isEqualTo(at);
            assertThat(s.networkPath()).startsWith("k8s pod IP " + at.getAddress().getHostAddress())
                    .contains("a TCP connect from isobench's host was answered");
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://"
                    + ep.getAddress().getHostAddress() + ":" + ep.getPort() + "/")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.body()).isEqualTo("served at the pod IP\n");
            assertThatThrownBy(() -> s.endpoint(at.getPort() + 1)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("was not asked for");
        }
        assertThat(mock.client.pods().inNamespace(MockCluster.NAMESPACE).list().getItems()).isEmpty();
        assertThat(mock.portForwardRequests).isEmpty();
    }

    @Test
    void aPodIpTheHostDoesNotRouteToGoesThroughAPortForwardThatCloseTearsDown() throws Exception {
        kubelet = new SimulatedKubelet(mock, p -> SimulatedKubelet.Behaviour.runsForever());
        kubelet.podIp = p -> "192.0.2.77"; // TEST-NET-1: routed nowhere
        int cleanups = Cleanup.pending();
        InetSocketAddress ep;
        try (Sandbox s = driver(Map.of()).launch(spec(8080))) {
            ep = s.endpoint(8080);
            assertThat(ep.getAddress().isLoopbackAddress()).isTrue();
            assertThat(s.networkPath()).startsWith("k8s port-forward (API server tunnel): 127.0.0.1:" + ep.getPort()
                    + " -> pod " + s.id() + ":8080").contains("includes that tunnel")
                    .contains("pod IP 192.0.2.77 is not reachable from isobench's host");
            assertThat(Cleanup.pending()).as("pod deletion and the forward's close").isEqualTo(cleanups + 2);
            // a connection to the local end opens the pod's portforward subresource for that port; the CRUD mock does
            // not speak its websocket protocol, so the connection then ends
            try (Socket c = new Socket()) {
                c.connect(ep, 5000);
                c.setSoTimeout(10_000);
                InputStream in = c.getInputStream();
                try {
                    assertThat(in.read()).isEqualTo(-1);
                } catch (IOException reset) {
                    // a reset ends it as well
                }
            }
            String podName = s.id().substring(s.id().indexOf('/') + 1);
            assertThat(mock.portForwardRequests).isNotEmpty().allSatisfy(path -> assertThat(path)
                    .contains("/api/v1/namespaces/" + MockCluster.NAMESPACE + "/pods/" + podName + "/portforward")
                    .contains("ports=8080"));
        }
        assertThat(Cleanup.pending()).isEqualTo(cleanups);
        try (Socket c = new Socket()) {
            assertThatThrownBy(() -> c.connect(ep, 2000)).as("the forward's listener is closed").isInstanceOf(IOException.class);
        }
    }

    /**
     * With the mock playing the kubelet's side of the portforward websocket (to a real HTTP server on a loopback
     * address), bytes flow through fabric8's real port-forward client: a GET through the local end is answered.
     */
    @Test
    void anHttpRequestThroughThePortForwardReachesThePodsServer() throws Exception {
        InetSocketAddress at = loopbackPodAddress();
        http = HttpServer.create(at, 16);
        http.createContext("/", ex -> {
            byte[] b = "served through the tunnel\n".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        http.start();
        kubelet = new SimulatedKubelet(mock, p -> SimulatedKubelet.Behaviour.runsForever());
        kubelet.podIp = p -> "192.0.2.78"; // routed nowhere: the driver takes the port-forward
        mock.portForwardTo = pod -> at.getAddress();
        try (Sandbox s = driver(Map.of()).launch(spec(at.getPort()))) {
            InetSocketAddress ep = s.endpoint(at.getPort());
            assertThat(s.networkPath()).startsWith("k8s port-forward (API server tunnel)");
            for (int i = 0; i < 3; i++) { // each connection is a stream of its own
                HttpResponse<String> r = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
                        .send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ep.getPort() + "/"))
                                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.body()).isEqualTo("served through the tunnel\n");
            }
            assertThat(mock.portForwardRequests).isNotEmpty().allSatisfy(path -> assertThat(path).endsWith("ports=" + at.getPort()));
        }
    }

    @Test
    void aForcedPortForwardIsUsedEvenWhenThePodIpAnswers() throws Exception {
        kubelet = new SimulatedKubelet(mock, p -> SimulatedKubelet.Behaviour.runsForever());
        kubelet.podIp = p -> "127.0.0.1";
        try (Sandbox s = driver(Map.of(PodNetwork.ENV, "port-forward")).launch(spec(8080))) {
            assertThat(s.endpoint(8080).getAddress().isLoopbackAddress()).isTrue();
            assertThat(s.networkPath()).startsWith("k8s port-forward (API server tunnel)")
                    .contains("forced by $ISOBENCH_K8S_NETWORK=port-forward");
        }
        assertThatThrownBy(() -> driver(Map.of(PodNetwork.ENV, "vpn")).launch(spec(8080)))
                .isInstanceOf(RuntimeDriver.LaunchException.class).hasMessageContaining("auto, pod-ip or port-forward");
        assertThat(driver(Map.of(PodNetwork.ENV, "vpn")).probe(mock.cluster).reason()).contains("auto, pod-ip or port-forward");
    }

    @Test
    void aPodThatGetsNoIpFailsTheEndpointAfterTheWaitWithItsState() throws Exception {
        kubelet = new SimulatedKubelet(mock, p -> SimulatedKubelet.Behaviour.runsForever()); // no podIp
        try (Sandbox s = driver(Map.of(K8sDriver.IP_WAIT_ENV, "2")).launch(spec(8080))) {
            assertThatThrownBy(() -> s.endpoint(8080)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("no IP (status.podIP) after 2 s").hasMessageContaining("phase");
            assertThat(s.networkPath()).startsWith("not chosen yet");
        }
        assertThat(mock.client.pods().inNamespace(MockCluster.NAMESPACE).list().getItems()).isEmpty();
    }

    @Test
    void aPodThatCannotPullItsImageFailsTheEndpointAtOnceWithTheReason() throws Exception {
        kubelet = new SimulatedKubelet(mock, p -> SimulatedKubelet.Behaviour.waiting("ImagePullBackOff"));
        try (Sandbox s = driver(Map.of()).launch(spec(8080))) {
            assertThatThrownBy(() -> s.endpoint(8080)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("ImagePullBackOff");
        }
    }

    @Test
    void theProbeSaysHowPortsAreReached() {
        assertThat(driver(Map.of()).probe(mock.cluster).details().get("network").toString())
                .contains("k8s pod IP").contains("k8s port-forward (API server tunnel)");
    }
}
