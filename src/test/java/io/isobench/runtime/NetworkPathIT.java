package io.isobench.runtime;

import io.isobench.IntegrationSupport;
import io.isobench.TestDockerEngine;
import io.isobench.exec.RunService;
import io.isobench.image.ImageBuilder;
import io.isobench.image.WorkloadImage;
import io.isobench.proc.Proc;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The host reaches a server inside each runtime through the runtime's own network path, and nothing of that path
 * (namespace, veth) is left after close. The server is busybox httpd serving the image's own root, so the reply's
 * body is a file isobench wrote into the image. The Docker cases use a running engine, or start one with a private
 * config and stop it afterwards ({@link TestDockerEngine}): no container, network, image or daemon.json change is
 * left.
 */
public class NetworkPathIT {
    @TempDir
    static Path cache;
    static Map<String, Availability> byId;
    static Map<String, RuntimeDriver> drivers;
    static WorkloadImage image;
    static TestDockerEngine engine;

    @BeforeAll
    static void probe() throws Exception {
        assumeTrue(IntegrationSupport.isRoot(), "integration tests need root");
        if (io.isobench.util.Tools.which("dockerd") != null) {
            engine = TestDockerEngine.start(cache);
        }
        List<RuntimeDriver> all = Runtimes.all();
        drivers = all.stream().collect(Collectors.toMap(RuntimeDriver::id, Function.identity()));
        ImageBuilder builder = new ImageBuilder(cache);
        byId = RunService.probeAll(all, new ProbeContext(builder, new Limits(1, 512L << 20))).stream()
                .collect(Collectors.toMap(Availability::id, Function.identity()));
        image = builder.build(Set.of("true"), true);
    }

    @AfterAll
    static void stopEngine() throws Exception {
        if (engine != null) {
            engine.stop();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"native", "runc", "runsc", "bwrap", "nspawn", "lxc", "lxc-system", "docker:runc", "docker:runsc",
            "incus", "qemu", "qemu-microvm"})
    void hostReachesAServerInside(String id) throws Exception {
        Availability a = byId.get(id);
        assumeTrue(a != null && a.available(), id + " unavailable here: " + (a == null ? "no driver" : a.reason()));
        String name = "isobench-netit-" + Trials.safeName(id) + "-" + ProcessHandle.current().pid();
        LaunchSpec spec = LaunchSpec.builder(name, image, new Limits(1, 512L << 20))
                .argv(List.of(image.tools().get("busybox"), "httpd", "-f", "-p", "8080", "-h", "/"))
                .network(NetworkSpec.tcp(8080)).build();
        String path;
        InetSocketAddress ep;
        try (Sandbox s = drivers.get(id).launch(spec)) {
            ep = s.endpoint(8080);
            path = s.networkPath();
            assertThat(path).isNotBlank();
            assertThat(ep.getAddress().isLoopbackAddress() || ep.getAddress().getHostAddress().matches("198\\.1[89]\\..*"))
                    .as("endpoint %s is loopback, an isobench namespace or isobench's docker bridge", ep).isTrue();
            String body = get(ep, "/etc/hosts", Duration.ofSeconds(30));
            assertThat(body).as("GET /etc/hosts via %s", path).containsPattern("127\\.0\\.0\\.1\\s+localhost");
            System.err.printf("NetworkPathIT: %s: GET /etc/hosts %s (20 requests, new connection each) via %s%n",
                    id, timedGets(ep, 20), path);
        }
        if (id.startsWith("docker:")) {
            assertThat(Proc.of("docker", "ps", "-a", "--format", "{{.Names}}").timeout(Duration.ofSeconds(20)).run().stdout())
                    .as("docker containers after close").doesNotContain(name);
        }
        if (ep.getAddress().isLoopbackAddress()) {
            try (java.net.Socket probe = new java.net.Socket()) {
                assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> probe.connect(ep, 2000)))
                        .as("nothing listens on %s after close (%s)", ep, path).isInstanceOf(java.net.ConnectException.class);
            }
        }
        assertThat(Proc.of("ip", "netns", "list").timeout(Duration.ofSeconds(10)).run().stdout())
                .as("namespaces after close").doesNotContain("isobench-" + ProcessHandle.current().pid() + "-");
        assertThat(Proc.of("ip", "-o", "link").timeout(Duration.ofSeconds(10)).run().stdout())
                .as("veth ends after close (%s)", path).doesNotContain(path.replaceAll(".*veth pair (\\S+) .*", "$1") + ":");
    }

    /**
     * Median wall time of {@code n} GETs of /etc/hosts, each on a new connection, and how many got no reply (contended
     * host: indicative only). Not asserted: under gVisor hostinet (runsc 20221219) busybox httpd's blocking read of
     * the request sometimes returns EAGAIN, so httpd closes some connections without a reply.
     */
    static String timedGets(InetSocketAddress ep, int n) throws Exception {
        List<Double> ms = new java.util.ArrayList<>();
        int failed = 0;
        for (int i = 0; i < n; i++) {
            try (HttpClient c = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()) {
                long t0 = System.nanoTime();
                HttpResponse<String> r = c.send(HttpRequest.newBuilder(URI.create("http://" + ep.getAddress().getHostAddress()
                        + ":" + ep.getPort() + "/etc/hosts")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    ms.add((System.nanoTime() - t0) / 1e6);
                } else {
                    failed++;
                }
            } catch (java.io.IOException e) {
                failed++;
            }
        }
        java.util.Collections.sort(ms);
        return String.format("median %.2f ms, %d of %d without a reply", ms.isEmpty() ? Double.NaN : ms.get(ms.size() / 2),
                failed, n);
    }

    /** GETs {@code path} until it answers 200 or the time is up (the server may still be starting). */
    public static String get(InetSocketAddress ep, String path, Duration within) throws Exception {
        HttpClient c = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long end = System.nanoTime() + within.toNanos();
        Exception last = null;
        while (System.nanoTime() < end) {
            try {
                HttpResponse<String> r = c.send(HttpRequest.newBuilder(URI.create("http://"
                        + ep.getAddress().getHostAddress() + ":" + ep.getPort() + path)).timeout(Duration.ofSeconds(5))
                        .build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return r.body();
                }
                last = new IllegalStateException("HTTP " + r.statusCode());
            } catch (java.io.IOException e) {
                last = e;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no answer from " + ep + path + " within " + within, last);
    }
}
