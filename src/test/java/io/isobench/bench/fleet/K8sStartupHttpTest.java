package io.isobench.bench.fleet;

import com.sun.net.httpserver.HttpServer;
import io.isobench.bench.Params;
import io.isobench.bench.TrialContext;
import io.isobench.bench.TrialOutcome;
import io.isobench.image.WorkloadImage;
import io.isobench.plan.Plan;
import io.isobench.plan.PlanLoader;
import io.isobench.runtime.Limits;
import io.isobench.runtime.k8s.K8sTestDrivers;
import io.isobench.runtime.k8s.MockCluster;
import io.isobench.runtime.k8s.SimulatedKubelet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * startup's http readiness with k8s:default on the mock API server: the simulated kubelet gives each pod a loopback
 * address as its IP, where the test's HTTP server answers (standing in for the pod's http-probe), so the instance is
 * ready at the first 2xx through the driver's endpoint, and the raw output names the path. Not a figure of a pod.
 */
class K8sStartupHttpTest {
    final MockCluster mock = new MockCluster();
    SimulatedKubelet kubelet;
    HttpServer http;

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

    @Test
    void anInstanceIsReadyAtTheFirstAnswerThroughThePodIp() throws Exception {
        String ip = "127.0.0." + ThreadLocalRandom.current().nextInt(2, 250);
        try {
            http = HttpServer.create(new InetSocketAddress(InetAddress.getByName(ip), StartupBenchmark.HTTP_PORT), 16);
        } catch (IOException e) {
            Assumptions.abort("port " + StartupBenchmark.HTTP_PORT + " on " + ip + " is taken on this host: " + e.getMessage());
        }
        http.createContext("/", ex -> {
            // as the pod's probe would: nothing answers 2xx before the container runs
            boolean running = mock.client.pods().inNamespace(MockCluster.NAMESPACE).list().getItems().stream()
                    .anyMatch(p -> p.getStatus() != null && "Running".equals(p.getStatus().getPhase()));
            byte[] b = (running ? "ok\n" : "container not running\n").getBytes(StandardCharsets.US_ASCII);
            ex.sendResponseHeaders(running ? 200 : 503, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        http.start();
        kubelet = new SimulatedKubelet(mock, pod -> SimulatedKubelet.Behaviour.runsForever());
        kubelet.podIp = pod -> ip;
        Plan plan = new PlanLoader().top("benchmarks", "startup", "--benchmarks").set("startup.instances=1", "--set")
                .set("startup.readiness=http", "--set").set("startup.iterations=1", "--set").build();
        Params params = new StartupBenchmark().cases(plan.params().get("startup")).get(0);
        WorkloadImage image = new WorkloadImage("0123456789ab" + "c".repeat(52), Path.of("/nonexistent"),
                Map.of("busybox", "/bin/busybox", "http-probe", "/opt/isobench/http-probe"), 2, 1, List.of(), Map.of(), Map.of());
        TrialContext ctx = new TrialContext(K8sTestDrivers.k8s("default", mock,
                Map.of("ISOBENCH_K8S_IMAGE", "registry.example:5000/isobench-workload")), image, new Limits(1, 256L << 20),
                params, Duration.ofSeconds(60), "isobench-k8sstartup-" + ProcessHandle.current().pid());
        TrialOutcome o = new StartupBenchmark().run(ctx);
        assertThat(o.rawOutput()).contains("network path of instance 0: k8s pod IP " + ip);
        assertThat(o.samples()).filteredOn(s -> s.metric().name().equals("ready_ms")).singleElement()
                .satisfies(s -> assertThat(s.value()).isPositive());
        assertThat(o.samples()).extracting(s -> s.metric().name()).contains("created_ms", "scheduled_ms", "initialized_ms");
        assertThat(mock.client.pods().inNamespace(MockCluster.NAMESPACE).list().getItems()).isEmpty();
    }
}
