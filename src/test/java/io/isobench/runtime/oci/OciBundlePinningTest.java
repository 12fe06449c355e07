package io.isobench.runtime.oci;

import io.isobench.image.WorkloadImage;
import io.isobench.runtime.LaunchSpec;
import io.isobench.runtime.Limits;
import io.isobench.util.CpuSet;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class OciBundlePinningTest {
    private static final WorkloadImage IMAGE = new WorkloadImage("a".repeat(64), Path.of("/img/rootfs"), Map.of(), 0, 0,
            List.of(), Map.of(), Map.of());

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cpu(Limits l) {
        LaunchSpec spec = LaunchSpec.builder("isobench-p", IMAGE, l).argv(List.of("/bin/true")).build();
        Map<String, Object> linux = (Map<String, Object>) OciBundle.config(spec, "/isobench/p").get("linux");
        return (Map<String, Object>) ((Map<String, Object>) linux.get("resources")).get("cpu");
    }

    @Test
    void aPinnedSandboxGetsTheSetAsCpusetCpusAndNodesAsMems() {
        Map<String, Object> cpu = cpu(new Limits(2, 1L << 30).pinned(CpuSet.parse("1,0", "t"), "0"));
        assertThat(cpu).containsEntry("cpus", "0-1").containsEntry("mems", "0").containsEntry("quota", 200_000L);
    }

    @Test
    void anUnpinnedSandboxHasNoCpusetAtAll() {
        assertThat(cpu(new Limits(2, 1L << 30))).doesNotContainKeys("cpus", "mems");
    }
}
