package io.isobench.runtime.vm;

import io.isobench.host.HostFacts;
import io.isobench.runtime.engine.DockerDriver;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class KataConfigTest {
    static String fixture(String name) throws IOException {
        try (InputStream in = KataConfigTest.class.getResourceAsStream("/fixtures/kata/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void kataEnvJsonNamesQemuWithMachineAndVersion() throws IOException {
        KataConfig c = KataConfig.fromKataEnv(fixture("kata-env-qemu.json")).orElseThrow();
        assertThat(c.hypervisor()).isEqualTo("QEMU (machine q35)");
        assertThat(c.path()).isEqualTo("/opt/kata/bin/qemu-system-x86_64");
        assertThat(c.version()).isEqualTo("QEMU emulator version 7.2.0 (kata-static)");
        assertThat(c.config()).isEqualTo("/opt/kata/share/defaults/kata-containers/configuration-qemu.toml");
        assertThat(c.describe()).isEqualTo("QEMU (machine q35) at /opt/kata/bin/qemu-system-x86_64, QEMU emulator version 7.2.0 (kata-static)");
    }

    @Test
    void configurationTomlNamesFirecracker() throws IOException {
        KataConfig c = KataConfig.fromToml(fixture("configuration-fc.toml"), "/etc/kata-containers/configuration.toml").orElseThrow();
        assertThat(c.hypervisor()).isEqualTo("Firecracker");
        assertThat(c.path()).isEqualTo("/root/opt/kata/bin/firecracker");
    }

    @Test
    void otherHypervisorsAndGarbage() {
        assertThat(KataConfig.fromToml("# c\n[hypervisor.clh]\npath = \"/opt/kata/bin/cloud-hypervisor\"\n[agent.kata]\npath = \"x\"\n", "f")
                .orElseThrow()).extracting(KataConfig::hypervisor, KataConfig::path)
                .containsExactly("Cloud Hypervisor", "/opt/kata/bin/cloud-hypervisor");
        assertThat(KataConfig.fromToml("[agent.kata]\n", "f")).isEmpty();
        assertThat(KataConfig.fromKataEnv("not json")).isEmpty();
        assertThat(KataConfig.fromKataEnv("{\"Hypervisor\":{\"Path\":\"/usr/bin/firecracker\",\"Version\":\"unknown\"}}")
                .orElseThrow().hypervisor()).isEqualTo("Firecracker");
        assertThat(KataConfig.labelForBinary("qemu-kvm", null)).isEqualTo("QEMU");
        assertThat(KataConfig.labelForBinary("x", "/opt/kata/share/defaults/kata-containers/configuration-clh.toml"))
                .isEqualTo("Cloud Hypervisor");
    }

    @Test
    void doctorReasonOnThisKindOfHost() {
        var kvm = new HostFacts.KvmStatus(true, false, "KVM_CREATE_VM failed");
        String r = KataDriver.reason(false, null, kvm, List.of());
        assertThat(r).startsWith("not installed (kata-runtime and containerd-shim-kata-v2 not found")
                .contains("KVM is present, unusable (KVM_CREATE_VM failed)");
        String ok = KataDriver.reason(true, new KataConfig("Cloud Hypervisor", null, null, null),
                new HostFacts.KvmStatus(true, true, "ok"), List.of("docker:kata-clh"));
        assertThat(ok).isEqualTo("measured through the engine as docker:kata-clh (Kata with Cloud Hypervisor)");
    }

    @Test
    void engineRuntimesRecognizedAsKataAndLabelled() {
        assertThat(KataDriver.isKata("kata-fc", null)).isTrue();
        assertThat(KataDriver.isKata("vm", Map.of("runtimeType", "io.containerd.kata.v2"))).isTrue();
        assertThat(KataDriver.isKata("runc", Map.of("path", "/usr/bin/runc"))).isFalse();
        DockerDriver d = new DockerDriver("kata-qemu");
        assertThat(d.kind()).isEqualTo("vm");
        assertThat(d.caveats("docker:kata-qemu", Map.of(DockerDriver.KATA_HYPERVISOR, "QEMU (machine q35)")))
                .singleElement().asString().contains("docker:kata-qemu ran every container in its own Kata VM (hypervisor: QEMU (machine q35))");
        assertThat(new DockerDriver("runc").caveats("docker:runc", Map.of())).isEmpty();
    }
}
