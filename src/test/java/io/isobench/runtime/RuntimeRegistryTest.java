package io.isobench.runtime;

import io.isobench.setup.Installer;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** What exec, setup and report get from the registry instead of naming runtimes. */
class RuntimeRegistryTest {
    @Test
    void idsAreUniqueAndTheBaselineComesFirst() {
        List<String> ids = Runtimes.known().stream().map(RuntimeDriver::id).toList();
        assertThat(ids).doesNotHaveDuplicates().first().isEqualTo(io.isobench.plan.Defaults.BASELINE);
        assertThat(ids).contains("runc", "runsc", "bwrap", "nspawn", "lxc", "lxc-system", "docker:runc", "docker:runsc",
                "qemu", "qemu-microvm", "k8s:default", "kubevirt");
    }

    @Test
    void caveatsComeFromTheStoredIdAndDetails() {
        assertThat(Runtimes.caveats("qemu", Map.of("accel", "tcg"))).singleElement().asString()
                .startsWith("qemu ran under TCG emulation").contains("must not be read as KVM numbers");
        assertThat(Runtimes.caveats("qemu-microvm", Map.of("accel", "kvm"))).isEmpty();
        assertThat(Runtimes.caveats("runsc", Map.of("platform", "systrap"))).containsExactly(
                "runsc used gVisor's systrap platform; system-call heavy results depend on it.");
        // an engine runtime the engine here may not have registered: still known by its family
        assertThat(Runtimes.caveats("docker:runsc-kvm", Map.of("platform", "kvm"))).singleElement().asString()
                .startsWith("docker:runsc-kvm used gVisor's kvm platform");
        assertThat(Runtimes.caveats("docker:runc", Map.of())).isEmpty();
        assertThat(Runtimes.caveats("no-such-runtime", Map.of("accel", "tcg", "platform", "ptrace"))).isEmpty();
        assertThat(Runtimes.caveats("runc", Map.of("accel", "tcg"))).isEmpty(); // a detail means something only to its driver
    }

    @Test
    void onlyEmulatedVmsGetAMark() {
        RuntimeDriver.Mark m = Runtimes.mark("qemu-microvm", Map.of("accel", "tcg"));
        assertThat(m).isNotNull();
        assertThat(m.tag()).isEqualTo("TCG");
        assertThat(m.note()).contains("software emulation");
        assertThat(Runtimes.mark("qemu", Map.of("accel", "kvm"))).isNull();
        assertThat(Runtimes.mark("runsc", Map.of("accel", "tcg"))).isNull();
        assertThat(Runtimes.mark("unknown", Map.of("accel", "tcg"))).isNull();
    }

    @Test
    void setupInstallsEachRuntimePackageOnce() {
        List<Installer.Need> needs = Installer.defaultPackages();
        List<String> pkgs = needs.stream().map(Installer.Need::pkg).toList();
        assertThat(pkgs).doesNotHaveDuplicates().contains("runc", "runsc", "bubblewrap", "systemd-container", "lxc",
                "docker.io", "qemu-system-x86", "busybox-static", "sysbench").doesNotContain("crun");
        Installer.Need busybox = needs.stream().filter(n -> n.pkg().equals("busybox-static")).findFirst().orElseThrow();
        assertThat(busybox.why()).contains("/init", "workload image"); // the VM family's reason and the tools' reason
        Installer.Need lxc = needs.stream().filter(n -> n.pkg().equals("lxc")).findFirst().orElseThrow();
        assertThat(lxc.probeCommand()).isEqualTo("lxc-execute");
    }

    @Test
    void familiesShareOneLeftoverSweepAndOneHostSetup() {
        List<Leftovers> sweeps = Runtimes.known().stream().map(RuntimeDriver::leftovers).flatMap(Optional::stream).toList();
        List<Leftovers> distinct = sweeps.stream().distinct().toList();
        // runc, crun, runsc (one per CLI, and one per runsc executable beside the installed one); lxc + lxc-system;
        // docker:*; containerd:*; incus + incus-vm; qemu + qemu-microvm (+ firecracker); k8s:* + kubevirt
        long otherRunsc = Runtimes.known().stream().map(RuntimeDriver::id).filter(id -> id.matches("runsc@[^-]+")).count();
        assertThat(distinct).hasSize(9 + (int) otherRunsc);
        assertThat(distinct.stream().filter(Leftovers::beforeNetnsSweep)).hasSize(1);
        assertThat(Runtimes.known().stream().map(RuntimeDriver::hostSetup).flatMap(Optional::stream).distinct()
                .map(HostSetup::title)).containsExactly("newer gVisor (runsc)", "Docker engine", "Incus");
    }

    @Test
    void leftoverSweepsDoNothingWithoutDeadWorkDirs() {
        // the OCI, LXC and QEMU sweeps only look inside dead work dirs; none here, so nothing may be touched (Docker's
        // and Incus's find theirs by an owner label/key instead: IncusIT and the Docker ITs cover those)
        Runtimes.known().stream().map(RuntimeDriver::leftovers).flatMap(Optional::stream).distinct()
                .filter(l -> !l.getClass().getSimpleName().startsWith("Docker") && !l.getClass().getSimpleName().startsWith("Incus")
                        && !l.getClass().getSimpleName().startsWith("Containerd")) // by label in a running daemon
                .forEach(l -> assertThat(l.sweep(List.of())).as(l.toString()).isEmpty());
    }
}
