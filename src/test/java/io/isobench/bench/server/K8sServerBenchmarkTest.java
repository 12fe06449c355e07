package io.isobench.bench.server;

import com.sun.net.httpserver.HttpServer;
import io.isobench.bench.Params;
import io.isobench.bench.Sample;
import io.isobench.bench.TrialContext;
import io.isobench.bench.TrialFailure;
import io.isobench.bench.TrialOutcome;
import io.isobench.image.WorkloadImage;
import io.isobench.runtime.Limits;
import io.isobench.runtime.RuntimeDriver;
import io.isobench.runtime.k8s.K8sTestDrivers;
import io.isobench.runtime.k8s.MockCluster;
import io.isobench.runtime.k8s.SimulatedKubelet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The nginx benchmark's own code path (ServerTrial: launch with ports, endpoint, readiness, the real {@code ab} on
 * this host, ab's parser) with {@code k8s:default} on fabric8's mock API server: the simulated kubelet gives the pod a
 * loopback address as its IP, where the test serves the benchmark's page with the JDK's HTTP server standing in for
 * the pod's nginx (no kubelet runs the pod's command here). It proves the pod-IP path end to end through the bench
 * code, and that a pod without an IP becomes a recorded trial failure with the reason; not any figure of a real pod.
 */
class K8sServerBenchmarkTest {
    static final String IMAGE_REPO = "registry.example:5000/isobench-workload";
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
        }
        mock.close();
    }

    static WorkloadImage image() {
        return new WorkloadImage("0123456789ab" + "c".repeat(52), Path.of("/nonexistent"),
                Map.of("busybox", "/bin/busybox", "nginx", "/usr/sbin/nginx", "ab", "/usr/bin/ab",
                        "redis-server", "/usr/bin/redis-server", "redis-benchmark", "/usr/bin/redis-benchmark"), 5, 1, List.of(),
                Map.of(), Map.of(NginxBenchmark.CONF, "/img/nginx.conf", NginxBenchmark.PAGE_FILE, "/img/index.html"));
    }

    static TrialContext ctx(RuntimeDriver d) {
        Params p = new Params(Map.of("client", "ab", "requests", "2000", "concurrency", "4", "warmup", "0s",
                "placement", "none", "wrk_duration", "2s", "wrk_threads", "1", "wrk_connections", "4"));
        return new TrialContext(d, image(), new Limits(1, 256L << 20), p, Duration.ofSeconds(60),
                "isobench-k8snginx-" + ProcessHandle.current().pid());
    }

    RuntimeDriver driver(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(Map.of("ISOBENCH_K8S_IMAGE", IMAGE_REPO));
        env.putAll(extra);
        return K8sTestDrivers.k8s("default", mock, env);
    }

    @Test
    void anNginxTrialRunsAbAgainstThePodIp() throws Exception {
        String ip = "127.0.0." + ThreadLocalRandom.current().nextInt(2, 250);
        try {
            http = HttpServer.create(new InetSocketAddress(InetAddress.getByName(ip), NginxBenchmark.PORT), 128);
        } catch (IOException e) {
            Assumptions.abort("port " + NginxBenchmark.PORT + " on " + ip + " is taken on this host: " + e.getMessage());
        }
        byte[] page = NginxBenchmark.page().getBytes(StandardCharsets.US_ASCII);
        http.createContext("/", ex -> {
            ex.getResponseHeaders().add("Content-Type", "text/html");
            ex.sendResponseHeaders(200, page.length);
            ex.getResponseBody().write(page);
            ex.close();
        });
        http.setExecutor(Executors.newFixedThreadPool(4));
        http.start();
        kubelet = new SimulatedKubelet(mock, pod -> SimulatedKubelet.Behaviour.runsForever());
        kubelet.podIp = pod -> ip;
        TrialOutcome o = new NginxBenchmark().run(ctx(driver(Map.of())));
        assertThat(o.rawOutput()).contains("isobench: network path: k8s pod IP " + ip)
                .contains("isobench: endpoint: " + ip + ":" + NginxBenchmark.PORT)
                .contains("Complete requests:      2000").contains("--- server log ---");
        double rps = o.samples().stream().filter(s -> s.metric().name().equals(NginxBenchmark.REQUESTS_PER_SECOND))
                .mapToDouble(Sample::value).findFirst().orElseThrow();
        assertThat(rps).isPositive();
        assertThat(mock.client.pods().inNamespace(MockCluster.NAMESPACE).list().getItems()).as("the pod is deleted").isEmpty();
    }

    /**
     * From "outside the cluster" (the pod IP is routed nowhere) the trial goes through fabric8's port-forward, the mock
     * playing the kubelet's end of each stream to the test's server: ab's requests all arrive, and the raw output says
     * the figures include the tunnel.
     */
    @Test
    void anNginxTrialFromOutsideTheClusterGoesThroughTheLabelledPortForward() throws Exception {
        String ip = "127.0.0." + ThreadLocalRandom.current().nextInt(2, 250);
        try {
            http = HttpServer.create(new InetSocketAddress(InetAddress.getByName(ip), NginxBenchmark.PORT), 128);
        } catch (IOException e) {
            Assumptions.abort("port " + NginxBenchmark.PORT + " on " + ip + " is taken on this host: " + e.getMessage());
        }
        byte[] page = NginxBenchmark.page().getBytes(StandardCharsets.US_ASCII);
        java.util.concurrent.atomic.AtomicInteger served = new java.util.concurrent.atomic.AtomicInteger();
        http.createContext("/", ex -> {
            served.incrementAndGet();
            ex.sendResponseHeaders(200, page.length);
            ex.getResponseBody().write(page);
            ex.close();
        });
        http.setExecutor(Executors.newFixedThreadPool(4));
        http.start();
        kubelet = new SimulatedKubelet(mock, pod -> SimulatedKubelet.Behaviour.runsForever());
        kubelet.podIp = pod -> "192.0.2.79";
        mock.portForwardTo = pod -> addr(ip);
        TrialContext ctx = ctx(driver(Map.of()));
        TrialContext small = new TrialContext(ctx.driver(), ctx.image(), ctx.limits(), ctx.params().with("requests", "300"),
                ctx.timeout(), ctx.instancePrefix());
        TrialOutcome o = new NginxBenchmark().run(small);
        assertThat(o.rawOutput()).contains("isobench: network path: k8s port-forward (API server tunnel): 127.0.0.1:")
                .contains("includes that tunnel").contains("pod IP 192.0.2.79 is not reachable")
                .contains("Complete requests:      300").contains("Failed requests:        0");
        assertThat(served.get()).as("every request reached the pod's server").isGreaterThanOrEqualTo(300);
        assertThat(mock.portForwardRequests).hasSizeGreaterThanOrEqualTo(300);
        assertThat(mock.client.pods().inNamespace(MockCluster.NAMESPACE).list().getItems()).isEmpty();
    }

    /**
     * The redis benchmark's code path against a real redis-server at the pod IP: the test starts it when the simulated
     * kubelet gives the pod its IP, with the password the driver put in the pod's environment (as the pod's own start
     * script would read it), so readiness (AUTH + PING) and redis-benchmark run for real through the pod-IP path.
     */
    @Test
    void aRedisTrialRunsRedisBenchmarkAgainstThePodIp() throws Exception {
        String ip = "127.0.0." + ThreadLocalRandom.current().nextInt(2, 250);
        try (var probe = new java.net.ServerSocket(RedisBenchmark.PORT, 1, addr(ip))) {
            // free
        } catch (IOException e) {
            Assumptions.abort("port " + RedisBenchmark.PORT + " on " + ip + " is taken on this host: " + e.getMessage());
        }
        List<Process> servers = new java.util.concurrent.CopyOnWriteArrayList<>();
        kubelet = new SimulatedKubelet(mock, pod -> SimulatedKubelet.Behaviour.runsForever());
        kubelet.podIp = pod -> {
            String password = pod.getSpec().getContainers().get(0).getEnv().stream()
                    .filter(e -> e.getName().equals(ServerSecret.ENV)).findFirst().orElseThrow().getValue();
            try {
                servers.add(new ProcessBuilder("/usr/bin/redis-server", "--bind", ip, "--port",
                        Integer.toString(RedisBenchmark.PORT), "--requirepass", password, "--save", "", "--appendonly", "no",
                        "--protected-mode", "no", "--dir", System.getProperty("java.io.tmpdir"))
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return ip;
        };
        try {
            Params p = new Params(Map.of("command", "set", "requests", "5000", "concurrency", "4", "pipeline", "1",
                    "data_size", "3", "warmup_requests", "0", "placement", "none"));
            TrialContext c = ctx(driver(Map.of()));
            TrialOutcome o = new RedisBenchmark().run(new TrialContext(c.driver(), c.image(), c.limits(), p, c.timeout(),
                    "isobench-k8sredis-" + ProcessHandle.current().pid()));
            assertThat(o.rawOutput()).contains("isobench: network path: k8s pod IP " + ip).contains(" -a *** ")
                    .doesNotContainPattern("-a [0-9a-f]{32}");
            assertThat(o.samples()).filteredOn(s -> s.metric().name().equals("requests_per_second"))
                    .singleElement().satisfies(s -> assertThat(s.value()).isPositive());
            assertThat(servers).hasSize(1);
        } finally {
            for (Process pr : servers) {
                pr.destroy();
                pr.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
            }
        }
        assertThat(mock.client.pods().inNamespace(MockCluster.NAMESPACE).list().getItems()).isEmpty();
    }

    static InetAddress addr(String ip) {
        try {
            return InetAddress.getByName(ip);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aPodWithoutAnIpIsARecordedFailureWithTheReason() {
        kubelet = new SimulatedKubelet(mock, pod -> SimulatedKubelet.Behaviour.runsForever()); // no IP ever
        assertThatThrownBy(() -> new NginxBenchmark().run(ctx(driver(Map.of("ISOBENCH_K8S_IP_WAIT", "2")))))
                .isInstanceOfSatisfying(TrialFailure.class, f -> {
                    assertThat(f.reason()).startsWith("no endpoint for the server's port 8080: pod ")
                            .contains("no IP (status.podIP) after 2 s");
                    assertThat(f.rawOutput()).contains("isobench: network path: not chosen yet").contains("--- server log ---");
                });
        assertThat(mock.client.pods().inNamespace(MockCluster.NAMESPACE).list().getItems()).isEmpty();
    }
}
