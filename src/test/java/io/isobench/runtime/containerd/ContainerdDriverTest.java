package io.isobench.runtime.containerd;

import io.isobench.image.WorkloadImage;
import io.isobench.runtime.LaunchSpec;
import io.isobench.runtime.Limits;
import io.isobench.runtime.Runtimes;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** ctr's command line, shim discovery and what ctr prints, without containerd running. */
class ContainerdDriverTest {
    private static final Path FIXTURES = Path.of("src/test/resources/fixtures/ctr");
    private static final WorkloadImage IMAGE = new WorkloadImage("a".repeat(64),
            Path.of("/var/cache/isobench/images/abc/rootfs"), Map.of(), 0, 0, List.of(), Map.of(), Map.of());

    private static LaunchSpec spec(Long scratchBytes) {
        return LaunchSpec.builder("isobench-t1", IMAGE, new Limits(1.5, 256L << 20))
                .argv(List.of("/usr/bin/sysbench", "cpu", "run")).scratchBytes(scratchBytes).build();
    }

    @Test
    void shimBinariesNameTheirRuntimesV2First() {
        assertThat(ContainerdDriver.runtimes(List.of("containerd", "containerd-shim", "containerd-shim-runc-v1",
                "containerd-shim-runc-v2", "containerd-shim-runsc-v1", "containerd-shim-kata-v2", "ctr")))
                .containsExactly("io.containerd.kata.v2", "io.containerd.runc.v2", "io.containerd.runc.v1",
                        "io.containerd.runsc.v1");
        assertThat(ContainerdDriver.shimBinary("io.containerd.runsc.v1")).isEqualTo("containerd-shim-runsc-v1");
    }

    @Test
    void kindFollowsTheShim() {
        assertThat(ContainerdDriver.forId("containerd:io.containerd.runc.v2").orElseThrow().kind()).isEqualTo("container");
        assertThat(ContainerdDriver.forId("containerd:io.containerd.runsc.v1").orElseThrow().kind()).isEqualTo("sandbox");
        assertThat(ContainerdDriver.forId("containerd:io.containerd.kata.v2").orElseThrow().kind()).isEqualTo("vm");
        assertThat(ContainerdDriver.forId("containerd:")).isEmpty();
        assertThat(Runtimes.forStoredId("containerd:io.containerd.runc.v2")).isPresent();
    }

    @Test
    void runArgsWithoutNetworkOrScratch() {
        String ref = ContainerdImage.ref(IMAGE);
        List<String> a = ContainerdDriver.runArgs("io.containerd.runc.v2", spec(null), ref, "isobench-t1",
                "/isobench/isobench-t1", null, null, 42);
        assertThat(ref).isEqualTo("isobench/workload:" + "a".repeat(64));
        assertThat(a).startsWith("run", "--snapshotter", "overlayfs", "--read-only", "--rm", "--runtime", "io.containerd.runc.v2",
                "--cgroup", "/isobench/isobench-t1", "--cpus", "1.5", "--memory-limit", Long.toString(256L << 20),
                "--label", "io.isobench.pid=42", "--snapshotter-label", "io.isobench.pid=42")
                .endsWith(ref, "isobench-t1", "/usr/bin/sysbench", "cpu", "run")
                .doesNotContain("--with-ns", "--rootfs", "/var/cache/isobench/images/abc/rootfs");
        assertThat(String.join(" ", a)).contains("dst=/tmp").doesNotContain("dst=/scratch");
    }

    @Test
    void runArgsWithNetnsAndScratch() {
        List<String> a = ContainerdDriver.runArgs("io.containerd.runc.v2", spec(1L << 20), ContainerdImage.ref(IMAGE),
                "isobench-t1", "/isobench/isobench-t1",
                Path.of("/tmp/isobench-1-2/scratch/t1"), Path.of("/run/netns/isobench-1-3"), 42);
        assertThat(a).containsSequence("--with-ns", "network:/run/netns/isobench-1-3")
                .containsSequence("--mount", "type=bind,src=/tmp/isobench-1-2/scratch/t1,dst=/scratch,options=rbind:rw")
                .contains("ISOBENCH_SCRATCH=/scratch");
    }

    @Test
    void containerIdsAreValidForContainerdAndKeepTheRunIdPrefix() {
        // the name from the first real run, which ctr refused: too long, and ':' is not allowed
        String name = "isobench-20261202-180133-755d-syscall-containerd:io.containerd.runc.v2-w1-e61e";
        assertThat(ContainerdDriver.containerId(name)).isEqualTo("isobench-20261202-180133-755d-syscall-ctrd-runc.v2-w1-e61e");
        String longer = "isobench-20261202-180133-755d-startup-containerd:io.containerd.runc.v2-r1-i12-n64-delay-100-x-abcdef";
        String id = ContainerdDriver.containerId(longer);
        assertThat(id).hasSizeLessThanOrEqualTo(ContainerdDriver.MAX_ID).startsWith("isobench-20261202-180133-755d-")
                .matches("[A-Za-z0-9]+([._-][A-Za-z0-9]+)*");
        assertThat(ContainerdDriver.containerId(longer + "2")).isNotEqualTo(id);
        assertThat(ContainerdDriver.containerId("isobench-probe-containerd-io.containerd.runc.v2--1-2"))
                .matches("[A-Za-z0-9]+([._-][A-Za-z0-9]+)*");
    }

    @Test
    void parsesCtrOutputs() throws Exception {
        assertThat(ContainerdDriver.version(Files.readString(FIXTURES.resolve("version.txt")))).isEqualTo("1.6.20~ds1");
        assertThat(ContainerdLeftovers.labelPid(Files.readString(FIXTURES.resolve("container-info.json")))).isEqualTo(12345);
        assertThat(ContainerdLeftovers.labelPid("{\"Labels\": {}}")).isEqualTo(-1);
        assertThat(ContainerdLeftovers.names(Files.readString(FIXTURES.resolve("container-list.txt"))))
                .containsExactly("isobench-fx-1");
    }

    @Test
    void standaloneConfigKeepsEverythingInItsDir() {
        String c = Containerd.config(Path.of("/run/isobench/1-abc/containerd"), Path.of("/var/tmp/isobench/1-abc/containerd"));
        assertThat(c).contains("root = \"/var/tmp/isobench/1-abc/containerd/root\"")
                .contains("state = \"/run/isobench/1-abc/containerd/state\"")
                .contains("address = \"/run/isobench/1-abc/containerd/containerd.sock\"");
    }
    /** Only a shim of one of our ids, in isobench's namespace, on our daemon's socket, is ours to kill. */
    @Test
    void aShimIsOursOnlyByNamespaceIdAndAddress() {
        java.util.Set<String> ids = java.util.Set.of("isobench-20261203-000000-ab12-startup-1");
        String sock = "/run/containerd/containerd.sock";
        List<String> ours = List.of("/usr/bin/containerd-shim-runc-v2", "-namespace", "isobench", "-id",
                "isobench-20261203-000000-ab12-startup-1", "-address", sock);
        assertThat(ContainerdLeftovers.isShimOf(ours, sock, ids)).isTrue();
        assertThat(ContainerdLeftovers.isShimOf(List.of("/usr/bin/containerd-shim-runc-v2", "-namespace", "moby", "-id",
                "isobench-20261203-000000-ab12-startup-1", "-address", sock), sock, ids)).as("another namespace").isFalse();
        assertThat(ContainerdLeftovers.isShimOf(List.of("/usr/bin/containerd-shim-runc-v2", "-namespace", "isobench", "-id",
                "isobench-other", "-address", sock), sock, ids)).as("another process's container").isFalse();
        assertThat(ContainerdLeftovers.isShimOf(ours, "/other/containerd.sock", ids)).as("another daemon").isFalse();
        assertThat(ContainerdLeftovers.isShimOf(List.of("/usr/bin/sleep", "-namespace", "isobench", "-id",
                "isobench-20261203-000000-ab12-startup-1", "-address", sock), sock, ids)).as("not a shim").isFalse();
    }
}
