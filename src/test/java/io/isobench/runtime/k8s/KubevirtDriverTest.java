package io.isobench.runtime.k8s;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.isobench.proc.ProcResult;
import io.isobench.runtime.Availability;
import io.isobench.runtime.LaunchSpec;
import io.isobench.runtime.Limits;
import io.isobench.runtime.Sandbox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** kubevirt against the mock API server: unavailable without KubeVirt's CRD, and a VMI's lifecycle and phases with it. */
class KubevirtDriverTest {
    final MockCluster mock = new MockCluster();
    final KubevirtDriver driver = new KubevirtDriver(() -> mock.cluster,
            Map.of(KubevirtDriver.DISK_ENV, "registry.example/isobench-disk:1")::get);

    @AfterEach
    void stop() {
        mock.close();
    }

    void installKubevirt() {
        mock.client.apiextensions().v1().customResourceDefinitions().resource(new CustomResourceDefinitionBuilder()
                .withNewMetadata().withName(KubevirtDriver.CRD).endMetadata()
                .withNewSpec().withGroup("kubevirt.io").withScope("Namespaced")
                .withNewNames().withKind("VirtualMachineInstance").withPlural("virtualmachineinstances").endNames()
                .addNewVersion().withName("v1").withServed(true).withStorage(true).endVersion().endSpec().build()).create();
    }

    List<GenericKubernetesResource> vmis() {
        return mock.client.genericKubernetesResources(VmiSandbox.VMI).inNamespace(MockCluster.NAMESPACE).list().getItems();
    }

    @Test
    void withoutKubevirtsCrdItIsUnavailableWithTheReason() {
        Availability a = driver.probe(mock.cluster);
        assertThat(a.available()).isFalse();
        assertThat(a.reason()).isEqualTo("KubeVirt is not installed on this cluster (no CustomResourceDefinition "
                + "virtualmachineinstances.kubevirt.io)");
    }

    @Test
    void aVmiRunsToCompletionWithPhasesFromItsTransitionTimestampsAndIsDeleted() throws Exception {
        installKubevirt();
        Availability a = driver.probe(mock.cluster);
        assertThat(a.available()).as(a.reason()).isTrue();
        assertThat(a.details()).containsEntry("kubevirt_crd_versions", "v1");
        LaunchSpec spec = LaunchSpec.builder("isobench-startup-1-1", PodSandboxTest.IMAGE, new Limits(1.5, 512L << 20))
                .argv(List.of("/usr/bin/echo", "a \"quoted\" word")).runToCompletion(true).build();
        assertThatThrownBy(() -> driver.launch(spec.withOnLine((l, t) -> { })))
                .hasMessageContaining("serial console");
        try (Sandbox s = driver.launch(spec)) {
            GenericKubernetesResource vmi = vmis().get(0);
            String yaml = io.fabric8.kubernetes.client.utils.Serialization.asYaml(vmi);
            assertThat(yaml).contains("cores: 2", "image: \"registry.example/isobench-disk:1\"", "bus: \"virtio\"");
            @SuppressWarnings("unchecked")
            Map<String, Object> spec0 = (Map<String, Object>) vmi.getAdditionalProperties().get("spec");
            assertThat(spec0.get("volumes").toString()).contains(
                    "#cloud-config\nruncmd:\n  - [\"/usr/bin/echo\", \"a \\\"quoted\\\" word\"]\n  - [poweroff]\n");
            // what KubeVirt's controllers would write: Scheduled at +1 s, Running at +2 s, then Succeeded
            Instant t0 = vmi.getMetadata().getCreationTimestamp() == null ? Instant.now().truncatedTo(ChronoUnit.SECONDS)
                    : Instant.parse(vmi.getMetadata().getCreationTimestamp());
            vmi.getMetadata().setCreationTimestamp(t0.toString());
            vmi.getAdditionalProperties().put("status", Map.of("phase", "Succeeded", "phaseTransitionTimestamps", List.of(
                    Map.of("phase", "Scheduled", "phaseTransitionTimestamp", t0.plusSeconds(1).toString()),
                    Map.of("phase", "Running", "phaseTransitionTimestamp", t0.plusSeconds(2).toString()))));
            mock.client.genericKubernetesResources(VmiSandbox.VMI).inNamespace(MockCluster.NAMESPACE).resource(vmi).update();
            ProcResult r = s.await(Duration.ofSeconds(20));
            assertThat(r.ok()).as(r.stderr()).isTrue();
            List<Sandbox.Phase> p = s.phases();
            assertThat(p).extracting(Sandbox.Phase::name).containsExactly("created", "scheduled", "containers_ready");
            assertThat((p.get(2).atNanos() - p.get(1).atNanos()) / 1_000_000).isEqualTo(1000L);
        }
        assertThat(vmis()).isEmpty();
    }

    /** A VMI's ports: the interface declares them, the endpoint is the VMI's IP when this host reaches it, no port-forward. */
    @Test
    void aVmiWithPortsIsReachedAtItsIpOrRefusedWithTheReason() throws Exception {
        installKubevirt();
        try (java.net.ServerSocket server = new java.net.ServerSocket(0, 4, java.net.InetAddress.getLoopbackAddress())) {
            int port = server.getLocalPort();
            LaunchSpec spec = LaunchSpec.builder("isobench-nginx-1-1", PodSandboxTest.IMAGE, new Limits(1, 512L << 20))
                    .argv(List.of("/usr/sbin/nginx")).network(io.isobench.runtime.NetworkSpec.tcp(port)).build();
            try (Sandbox s = driver.launch(spec)) {
                GenericKubernetesResource vmi = vmis().get(0);
                String yaml = io.fabric8.kubernetes.client.utils.Serialization.asYaml(vmi);
                assertThat(yaml).contains("masquerade", "port: " + port, "pod: {}");
                // what KubeVirt writes once the guest's interface is up
                vmi.getAdditionalProperties().put("status", Map.of("phase", "Running",
                        "interfaces", List.of(Map.of("name", "default", "ipAddress", "127.0.0.1"))));
                mock.client.genericKubernetesResources(VmiSandbox.VMI).inNamespace(MockCluster.NAMESPACE).resource(vmi).update();
                assertThat(s.endpoint(port)).isEqualTo(new java.net.InetSocketAddress("127.0.0.1", port));
                assertThat(s.networkPath()).startsWith("k8s pod IP 127.0.0.1 (status.interfaces[0].ipAddress, masquerade");
            }
            LaunchSpec unreachable = spec.toBuilder().name("isobench-nginx-1-2").build();
            try (Sandbox s = ((VmiSandbox) driver.launch(unreachable)).ipWait(Duration.ofSeconds(5))) {
                GenericKubernetesResource vmi = vmis().get(0);
                vmi.getAdditionalProperties().put("status", Map.of("phase", "Running",
                        "interfaces", List.of(Map.of("name", "default", "ipAddress", "192.0.2.9"))));
                mock.client.genericKubernetesResources(VmiSandbox.VMI).inNamespace(MockCluster.NAMESPACE).resource(vmi).update();
                assertThatThrownBy(() -> s.endpoint(port)).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("192.0.2.9 is not reachable from isobench's host")
                        .hasMessageContaining("no port-forward path");
            }
            LaunchSpec noIp = spec.toBuilder().name("isobench-nginx-1-3").build();
            try (Sandbox s = ((VmiSandbox) driver.launch(noIp)).ipWait(Duration.ofSeconds(1))) {
                assertThatThrownBy(() -> s.endpoint(port)).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("no IP (status.interfaces[0].ipAddress) after 1 s");
            }
        }
        KubevirtDriver forced = new KubevirtDriver(() -> mock.cluster, Map.of(KubevirtDriver.DISK_ENV,
                "registry.example/isobench-disk:1", "ISOBENCH_K8S_NETWORK", "port-forward")::get);
        assertThatThrownBy(() -> forced.launch(LaunchSpec.builder("isobench-x-1", PodSandboxTest.IMAGE, new Limits(1, 1L << 30))
                .argv(List.of("/bin/true")).network(io.isobench.runtime.NetworkSpec.tcp(80)).build()))
                .hasMessageContaining("kubevirt has no port-forward path");
        assertThat(vmis()).isEmpty();
    }
}
