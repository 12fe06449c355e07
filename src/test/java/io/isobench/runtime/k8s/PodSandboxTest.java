package io.isobench.runtime.k8s;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.node.v1.RuntimeClassBuilder;
import io.isobench.image.WorkloadImage;
import io.isobench.proc.Cleanup;
import io.isobench.proc.ProcResult;
import io.isobench.runtime.Availability;
import io.isobench.runtime.LaunchSpec;
import io.isobench.runtime.Limits;
import io.isobench.runtime.RuntimeDriver;
import io.isobench.runtime.Sandbox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * k8s:&lt;runtimeClass&gt; against fabric8's mock API server in CRUD mode with a simulated kubelet: the probe (RuntimeClass
 * and its declared overhead), the pod isobench creates, the sandbox lifecycle (create, watch, log, exit, delete), the
 * phases from the API's timestamps, and the error paths (409 on a create whose answer was lost, 410 on the watch, an
 * image that cannot be pulled). What a real kubelet and CRI do is not exercised here: scripts/k8s-e2e.sh does that.
 */
class PodSandboxTest {
    static final WorkloadImage IMAGE = new WorkloadImage("0123456789ab" + "c".repeat(52), Path.of("/nonexistent"),
            Map.of("true", "/usr/bin/true"), 1, 1, List.of(), Map.of(), Map.of());
    static final Map<String, String> ENV = Map.of(K8sDriver.IMAGE_ENV, "registry.example:5000/isobench-workload");

    MockCluster mock;
    SimulatedKubelet kubelet;

    @BeforeEach
    void start() {
        mock = new MockCluster();
        mock.client.resources(io.fabric8.kubernetes.api.model.node.v1.RuntimeClass.class).resource(new RuntimeClassBuilder()
                .withNewMetadata().withName("gvisor").endMetadata().withHandler("runsc")
                .withNewOverhead().addToPodFixed("memory", new Quantity("120Mi")).addToPodFixed("cpu", new Quantity("250m"))
                .endOverhead().build()).create();
    }

    @AfterEach
    void stop() {
        if (kubelet != null) {
            kubelet.close();
            assertThat(kubelet.errors).as("the simulated kubelet's API errors").isEmpty();
        }
        mock.close();
    }

    K8sDriver driver(String rc) {
        return new K8sDriver(rc, () -> mock.cluster, ENV::get);
    }

    static LaunchSpec spec(List<String> lines, Long scratch) {
        return LaunchSpec.builder("isobench-startup-4242-7", IMAGE, new Limits(1.5, 256L << 20))
                .argv(List.of("/usr/bin/echo", "hello")).env(Map.of("X", "1")).scratchBytes(scratch)
                .onLine(lines == null ? null : (l, t) -> lines.add(l)).build();
    }

    List<Pod> pods() {
        return mock.client.pods().inNamespace(MockCluster.NAMESPACE).list().getItems();
    }

    @Test
    void probeReadsTheRuntimeClassAndItsDeclaredOverhead() {
        Availability a = driver("gvisor").probe(mock.cluster);
        assertThat(a.available()).as(a.reason()).isTrue();
        assertThat(a.details()).containsEntry("handler", "runsc").containsEntry("pod_overhead", "cpu=250m, memory=120Mi")
                .containsEntry("namespace", MockCluster.NAMESPACE);
        assertThat(driver("gvisor").caveats("k8s:gvisor", a.details())).anyMatch(c -> c.contains("cpu=250m, memory=120Mi"));
        assertThat(driver("default").probe(mock.cluster).details()).containsEntry("pod_overhead", "none (no RuntimeClass)");
        Availability missing = driver("kata-qemu").probe(mock.cluster);
        assertThat(missing.available()).isFalse();
        assertThat(missing.reason()).isEqualTo("the cluster has no RuntimeClass kata-qemu");
        assertThat(K8sDriver.runtimeClasses(mock.cluster)).containsExactly("gvisor");
        Availability noImage = new K8sDriver("gvisor", () -> mock.cluster, k -> null).probe(mock.cluster);
        assertThat(noImage.reason()).startsWith("no workload image").contains(K8sDriver.IMAGE_ENV);
    }

    @Test
    void withoutAKubeconfigEveryK8sRuntimeIsUnavailableWithTheReason(@TempDir Path home) throws Exception {
        assertThat(KubeCluster.configMissing(Map.of(), home)).startsWith("no Kubernetes configuration");
        assertThat(KubeCluster.configMissing(Map.of("KUBECONFIG", home.resolve("nope").toString()), home))
                .contains("names no existing file");
        Files.createDirectories(home.resolve(".kube"));
        Files.writeString(home.resolve(".kube/config"), "apiVersion: v1\n");
        assertThat(KubeCluster.configMissing(Map.of(), home)).isNull();
        K8sDriver d = new K8sDriver("default", () -> {
            throw new KubeCluster.KubeException("no Kubernetes configuration (test)");
        }, ENV::get);
        Availability a = d.probe((io.isobench.runtime.ProbeContext) null);
        assertThat(a.available()).isFalse();
        assertThat(a.reason()).isEqualTo("no Kubernetes configuration (test)");
        assertThatThrownBy(() -> d.launch(spec(null, null))).isInstanceOf(RuntimeDriver.LaunchException.class)
                .hasMessage("no Kubernetes configuration (test)");
    }

    @Test
    void aPodRunsThroughItsLifecycleAndItsPhasesComeFromTheApiTimestamps() throws Exception {
        kubelet = new SimulatedKubelet(mock, p -> SimulatedKubelet.Behaviour.prints("hello\nworld\n"));
        List<String> lines = new CopyOnWriteArrayList<>();
        int cleanups = Cleanup.pending();
        Sandbox s = driver("gvisor").launch(spec(lines, 64L << 20));
        try {
            Pod pod = pods().get(0);
            assertThat(pod.getSpec().getRuntimeClassName()).isEqualTo("gvisor");
            assertThat(pod.getSpec().getRestartPolicy()).isEqualTo("Never");
            var c = pod.getSpec().getContainers().get(0);
            assertThat(c.getImage()).isEqualTo("registry.example:5000/isobench-workload:0123456789ab");
            assertThat(c.getCommand()).containsExactly("/usr/bin/echo", "hello");
            assertThat(c.getResources().getLimits()).containsEntry("cpu", new Quantity("1500m"))
                    .containsEntry("memory", new Quantity(Long.toString(256L << 20)));
            assertThat(c.getResources().getRequests()).isEqualTo(c.getResources().getLimits());
            assertThat(c.getEnv().stream().collect(Collectors.toMap(e -> e.getName(), e -> e.getValue())))
                    .containsEntry("X", "1").containsEntry("ISOBENCH_SCRATCH", "/scratch").containsKey("PATH");
            assertThat(c.getVolumeMounts()).extracting(m -> m.getMountPath()).containsExactly("/tmp", "/scratch");
            assertThat(pod.getMetadata().getLabels()).containsEntry("app.kubernetes.io/managed-by", "isobench")
                    .containsEntry("isobench.io/owner-pid", Long.toString(ProcessHandle.current().pid()))
                    .containsEntry("isobench.io/image-hash", "0123456789ab");
            assertThat(pod.getMetadata().getName()).startsWith("isobench-startup-4242-7-").hasSize(29);
            assertThat(Cleanup.pending()).isEqualTo(cleanups + 1);

            ProcResult r = s.await(Duration.ofSeconds(30));
            assertThat(r.ok()).as(r.stderr()).isTrue();
            assertThat(r.stdout()).isEqualTo("hello\nworld\n");
            assertThat(lines).containsExactly("hello", "world");
            assertThat(s.exitedAtNanos()).isGreaterThan(s.launchedAtNanos());
            assertThat(s.hostPids()).isEmpty();
            assertThat(s.scratchStorage()).startsWith("emptyDir");

            List<Sandbox.Phase> phases = s.phases();
            assertThat(phases).extracting(Sandbox.Phase::name).containsExactly("created", "scheduled", "initialized",
                    "containers_ready");
            long created = phases.get(0).atNanos();
            assertThat(created).isGreaterThan(s.launchedAtNanos());
            assertThat(phases.subList(1, 4)).extracting(p -> (p.atNanos() - created) / 1_000_000)
                    .containsExactly(1000L, 2000L, 3000L); // the kubelet's condition times: creation + 1, 2, 3 s
        } finally {
            s.close();
        }
        assertThat(pods()).isEmpty();
        assertThat(Cleanup.pending()).isEqualTo(cleanups);
        s.close(); // idempotent
    }

    @Test
    void aCreateWhoseAnswerWasLostIsAdoptedOnlyWhenThePodIsThisLaunchs() throws Exception {
        kubelet = new SimulatedKubelet(mock, p -> SimulatedKubelet.Behaviour.prints("ok\n"));
        MockCluster.Injection lost = mock.injectAfter("POST", "/pods", 409);
        try (Sandbox s = driver("default").launch(spec(null, null))) {
            assertThat(lost.hits.get()).isEqualTo(1);
            ProcResult r = s.await(Duration.ofSeconds(30));
            assertThat(r.ok()).as(r.stderr()).isTrue();
            assertThat(r.stdout()).isEqualTo("ok\n");
            assertThat(pods()).singleElement().satisfies(p -> assertThat(p.getSpec().getRuntimeClassName()).isNull());
        }
        assertThat(pods()).isEmpty();

        mock.inject("POST", "/pods", 409, 1); // refused, and no pod of ours exists under that name
        assertThatThrownBy(() -> driver("default").launch(spec(null, null))).isInstanceOf(RuntimeDriver.LaunchException.class)
                .hasMessageContaining("exists and is not this launch's");
        assertThat(pods()).isEmpty();
    }

    @Test
    void aWatchEndedWith410GoneIsReestablished() throws Exception {
        kubelet = new SimulatedKubelet(mock, p -> SimulatedKubelet.Behaviour.prints("after 410\n"));
        MockCluster.Injection gone = mock.inject("GET", "watch=true", 410, 1);
        List<String> lines = new CopyOnWriteArrayList<>();
        try (Sandbox s = driver("gvisor").launch(spec(lines, null))) {
            ProcResult r = s.await(Duration.ofSeconds(30));
            assertThat(r.ok()).as(r.stderr()).isTrue();
            assertThat(lines).containsExactly("after 410");
        }
        assertThat(gone.hits.get()).isEqualTo(1);
        assertThat(pods()).isEmpty();
    }

    @Test
    void anImageThatCannotBePulledFailsWithTheKubeletsReasonAndLeavesNoPod() throws Exception {
        kubelet = new SimulatedKubelet(mock, p -> SimulatedKubelet.Behaviour.waiting("ImagePullBackOff"));
        try (Sandbox s = driver("gvisor").launch(spec(null, null))) {
            ProcResult r = s.await(Duration.ofSeconds(30));
            assertThat(r.ok()).isFalse();
            assertThat(r.timedOut()).isFalse();
            assertThat(r.stderr()).contains("ImagePullBackOff", "registry.example:5000/isobench-workload:0123456789ab");
        }
        assertThat(pods()).isEmpty();
    }

    @Test
    void aWorkloadThatNeverEndsTimesOutAndIsDeleted() throws Exception {
        kubelet = new SimulatedKubelet(mock, p -> SimulatedKubelet.Behaviour.runsForever());
        List<String> lines = new CopyOnWriteArrayList<>();
        try (Sandbox s = driver("gvisor").launch(spec(lines, null))) {
            ProcResult r = s.await(Duration.ofMillis(1500));
            assertThat(r.timedOut()).isTrue();
            assertThat(s.exitedAtNanos()).isEqualTo(-1);
        }
        assertThat(pods()).isEmpty();
    }

    @Test
    void launchesTheDriverCannotServeAreRefused() {
        LaunchSpec wrapped = spec(null, null).toBuilder().wrapper(List.of("strace")).build();
        assertThatThrownBy(() -> driver("gvisor").launch(wrapped)).hasMessageContaining("cannot wrap");
        assertThat(pods()).isEmpty();
    }

    @Test
    void imageReferencesGetTheWorkloadHashUnlessTheyNameATagOrDigest() {
        LaunchSpec s = spec(null, null);
        assertThat(K8sDriver.imageRef("registry.example:5000/isobench-workload", s))
                .isEqualTo("registry.example:5000/isobench-workload:0123456789ab");
        assertThat(K8sDriver.imageRef("ghcr.io/me/workload:v1", s)).isEqualTo("ghcr.io/me/workload:v1");
        assertThat(K8sDriver.imageRef("ghcr.io/me/workload@sha256:abcd", s)).isEqualTo("ghcr.io/me/workload@sha256:abcd");
        assertThat(K8sDriver.forId("k8s:kata-qemu")).get().extracting(RuntimeDriver::id, RuntimeDriver::kind)
                .containsExactly("k8s:kata-qemu", "vm");
        assertThat(K8sDriver.forId("k8s:gvisor").orElseThrow().kind()).isEqualTo("sandbox");
        assertThat(K8sDriver.forId("docker:runc")).isEmpty();
    }
}
