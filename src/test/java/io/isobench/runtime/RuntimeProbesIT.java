package io.isobench.runtime;

import io.isobench.IntegrationSupport;
import io.isobench.exec.RunService;
import io.isobench.host.HostProbe;
import io.isobench.image.ImageBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Probes the real runtimes that .ci/run installs; the answers must match what this kind of host can do. */
class RuntimeProbesIT {
    @TempDir
    static Path cache;
    static Map<String, Availability> byId;

    @BeforeAll
    static void probe() {
        assumeTrue(IntegrationSupport.isRoot(), "integration tests need root");
        List<Availability> all = RunService.probeAll(Runtimes.all(),
                new ProbeContext(new ImageBuilder(cache), new Limits(1, 512L << 20)));
        byId = all.stream().collect(Collectors.toMap(Availability::id, Function.identity()));
    }

    @Test
    void nativeRuncAndRunscWork() {
        assertThat(byId.get("native").available()).isTrue();
        assertThat(byId.get("runc").available()).as(String.valueOf(byId.get("runc").reason())).isTrue();
        assertThat(byId.get("runc").version()).matches("\\d+\\.\\d+.*");
        Availability runsc = byId.get("runsc");
        assertThat(runsc.available()).as(String.valueOf(runsc.reason())).isTrue();
        assertThat(runsc.details()).containsEntry("platform", "ptrace");
        long pid = ProcessHandle.current().pid();
        for (String rt : List.of("runc", "runsc", "crun")) {
            IntegrationSupport.assertNothingLeft("isobench-probe-" + rt + "-" + pid + "-");
        }
    }

    /** Each gVisor platform is probed for real; the ones this host or this runsc cannot run say why. */
    @Test
    void runscPlatformsSayWhyTheyAreUnavailable() {
        Availability runsc = byId.get("runsc");
        assumeTrue(runsc.available(), "runsc works");
        assertThat(runsc.details()).containsKeys("runsc_version", "runsc_sha256", "runsc_source");
        Availability ptrace = byId.get("runsc-ptrace");
        assertThat(ptrace.available()).as(String.valueOf(ptrace.reason())).isTrue();
        assertThat(ptrace.details()).containsEntry("platform", "ptrace");
        if (runsc.version().compareTo("0.0~2023") < 0) { // Debian 12's 0.0~20221219.0: ptrace and kvm only
            assertThat(byId.get("runsc-systrap").available()).isFalse();
            assertThat(byId.get("runsc-systrap").reason()).contains("has no systrap platform");
        }
        if (!java.nio.file.Files.exists(Path.of("/dev/kvm"))) {
            assertThat(byId.get("runsc-kvm").available()).isFalse();
            assertThat(byId.get("runsc-kvm").reason()).startsWith("KVM is unusable here (no /dev/kvm");
        }
    }

    @Test
    void crunRunsOnHybridCgroupsWithV1Limits() {
        assumeTrue(new HostProbe().cgroupMode().equals("hybrid"), "only hybrid hosts need crun's unified tree hidden");
        Availability crun = byId.get("crun");
        assertThat(crun.available()).as(String.valueOf(crun.reason())).isTrue();
        assertThat(crun.details()).containsEntry("limits_enforced", "cpu, memory (cgroup v1)");
    }

    @Test
    void papersRuntimesWithoutDriverSayNotInstalled() {
        for (String id : List.of("firecracker", "kata")) {
            assertThat(byId.get(id).available()).isFalse();
            assertThat(byId.get(id).reason()).startsWith("not installed");
        }
    }

    /** scripts/test-deps.sh installs incus; IncusIT sets up its daemon. incus-vm needs KVM and says so without it. */
    @Test
    void incusVmSaysWhyWithoutKvm() {
        assumeTrue(!io.isobench.host.KvmProbe.shared().probe().usable(), "only hosts without usable KVM");
        assertThat(byId.get("incus-vm").available()).isFalse();
        assertThat(byId.get("incus-vm").reason()).startsWith("KVM is not usable here");
    }
}
