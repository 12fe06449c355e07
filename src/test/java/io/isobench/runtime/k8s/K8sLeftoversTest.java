package io.isobench.runtime.k8s;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The janitor's sweep: only objects in a dead work dir's ledger that still carry the recorded launch token go. */
class K8sLeftoversTest {
    @Test
    void onlyLedgeredObjectsWithTheirTokenAreDeleted(@TempDir Path dead) throws Exception {
        try (MockCluster mock = new MockCluster()) {
            for (String[] p : new String[][]{{"left-1", "tok1"}, {"reused-2", "someone-else"}, {"other-3", "tok3"}}) {
                Pod pod = new PodBuilder().withNewMetadata().withName(p[0]).addToLabels(PodManifests.LAUNCH, p[1])
                        .endMetadata().withNewSpec().addNewContainer().withName("w").withImage("x").endContainer().endSpec().build();
                mock.client.pods().inNamespace(MockCluster.NAMESPACE).resource(pod).create();
            }
            Files.writeString(dead.resolve(K8sLeftovers.LEDGER), "pod isobench-test left-1 tok1\n"
                    + "pod isobench-test reused-2 tok2\npod isobench-test gone-4 tok4\n");
            assertThat(K8sLeftovers.INSTANCE.sweep(List.of(), () -> {
                throw new AssertionError("no ledger: the cluster must not be asked");
            })).isEmpty();
            List<String> done = K8sLeftovers.INSTANCE.sweep(List.of(dead), () -> mock.cluster);
            assertThat(done).containsExactly("Kubernetes pod isobench-test/left-1");
            assertThat(mock.client.pods().inNamespace(MockCluster.NAMESPACE).list().getItems())
                    .extracting(p -> p.getMetadata().getName()).containsExactlyInAnyOrder("reused-2", "other-3");
        }
    }
}
