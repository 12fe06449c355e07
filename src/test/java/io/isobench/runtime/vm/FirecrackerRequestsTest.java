package io.isobench.runtime.vm;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.isobench.host.HostFacts;
import io.isobench.util.Json;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every request body the Firecracker driver sends, validated against the definitions of Firecracker's published
 * OpenAPI document (fixtures/firecracker/firecracker-api-excerpt.yaml, origin in COMMANDS.md). Strict: an object may
 * carry only the properties its definition lists (Firecracker's API rejects unknown fields), so a misspelled field fails.
 */
class FirecrackerRequestsTest {
    static JsonNode definitions;

    /** Which definition a PUT to each path carries, from the document's paths section. */
    static String definitionFor(String path) {
        if (path.equals("/machine-config")) {
            return "MachineConfiguration";
        }
        if (path.equals("/boot-source")) {
            return "BootSource";
        }
        if (path.startsWith("/drives/")) {
            return "Drive";
        }
        if (path.startsWith("/network-interfaces/")) {
            return "NetworkInterface";
        }
        if (path.equals("/actions")) {
            return "InstanceActionInfo";
        }
        if (path.equals("/snapshot/create")) {
            return "SnapshotCreateParams";
        }
        if (path.equals("/snapshot/load")) {
            return "SnapshotLoadParams";
        }
        throw new AssertionError("the driver PUTs to a path the test does not know: " + path);
    }

    @BeforeAll
    static void load() throws IOException {
        try (InputStream in = FirecrackerRequestsTest.class.getResourceAsStream("/fixtures/firecracker/firecracker-api-excerpt.yaml")) {
            JsonNode doc = new YAMLMapper().readTree(in);
            assertThat(doc.get("swagger").asString()).isEqualTo("2.0");
            definitions = doc.get("definitions").deepCopy();
        }
        for (var e : definitions.properties()) {
            if (e.getValue() instanceof ObjectNode o && "object".equals(o.path("type").asString(""))) {
                o.put("additionalProperties", false);
            }
        }
    }

    static List<String> errors(String definition, String json) {
        ObjectNode schema = Json.MAPPER.createObjectNode();
        schema.set("definitions", definitions);
        schema.put("$ref", "#/definitions/" + definition);
        Schema s = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4)
                .getSchema(Json.MAPPER.writeValueAsString(schema), InputFormat.JSON);
        return s.validate(Json.MAPPER.readTree(json)).stream().map(Error::getMessage).toList();
    }

    static void assertValid(List<FirecrackerDriver.Request> requests) {
        for (FirecrackerDriver.Request r : requests) {
            assertThat(errors(definitionFor(r.path()), r.body())).as("PUT %s %s", r.path(), r.body()).isEmpty();
        }
    }

    @Test
    void everyBodyOfAFullLaunchMatchesTheDocument() {
        var rs = FirecrackerDriver.requests(2, 512, "/vmlinux", "/initrd",
                FirecrackerDriver.bootArgs("00ff", true, List.of("isobench.ip=198.18.0.2/30")), "/scratch.raw", "ibtap");
        assertThat(rs).extracting(FirecrackerDriver.Request::path).containsExactly("/machine-config", "/boot-source",
                "/drives/scratch", "/network-interfaces/eth0", "/actions");
        assertValid(rs);
        Map<?, ?> mc = Json.MAPPER.readValue(rs.get(0).body(), Map.class);
        assertThat(mc.get("vcpu_count")).isEqualTo(2);
        assertThat(mc.get("mem_size_mib")).isEqualTo(512);
        Map<?, ?> bs = Json.MAPPER.readValue(rs.get(1).body(), Map.class);
        assertThat((String) bs.get("boot_args")).contains("console=ttyS0", "reboot=k", "isobench.nonce=00ff",
                "isobench.out=ttyS0", "isobench.halt=reboot", "isobench.scratch=vda", "isobench.ip=198.18.0.2/30");
        assertThat(rs.get(4).body()).isEqualTo("{\"action_type\":\"InstanceStart\"}");
    }

    @Test
    void minimalLaunchHasNoDriveNorNic() {
        var rs = FirecrackerDriver.requests(1, 128, "/k", "/i", FirecrackerDriver.bootArgs("1", false, List.of()), null, null);
        assertThat(rs).extracting(FirecrackerDriver.Request::path).containsExactly("/machine-config", "/boot-source", "/actions");
        assertValid(rs);
    }

    @Test
    void snapshotBodiesMatchTheDocument() {
        var create = FirecrackerDriver.snapshotCreate("/w/snap");
        var load = FirecrackerDriver.snapshotLoad("/w/snap", "ibtap");
        assertValid(List.of(create, load, FirecrackerDriver.snapshotLoad("/w/snap", null)));
        assertThat(errors("Vm", FirecrackerDriver.vmState(true))).isEmpty();
        assertThat(FirecrackerDriver.vmState(true)).isEqualTo("{\"state\":\"Paused\"}");
        assertThat(FirecrackerDriver.vmState(false)).isEqualTo("{\"state\":\"Resumed\"}");
        Map<String, Object> c = Json.MAPPER.readValue(create.body(), new tools.jackson.core.type.TypeReference<>() { });
        assertThat(c).containsEntry("snapshot_type", "Full").containsEntry("snapshot_path", "/w/snap/vm.state")
                .containsEntry("mem_file_path", "/w/snap/vm.mem");
        Map<String, Object> l = Json.MAPPER.readValue(load.body(), new tools.jackson.core.type.TypeReference<>() { });
        assertThat(l).containsEntry("resume_vm", true).doesNotContainKey("mem_file_path");
        assertThat(l.get("mem_backend")).isEqualTo(Map.of("backend_type", "File", "backend_path", "/w/snap/vm.mem"));
        assertThat(load.body()).contains("\"network_overrides\":[{\"iface_id\":\"eth0\",\"host_dev_name\":\"ibtap\"}]");
    }

    /** The snapshot definitions catch wrong bodies too: both memory sources, a snapshot type the API lacks, no path. */
    @Test
    void theDocumentCatchesWrongSnapshotBodies() {
        assertThat(errors("SnapshotCreateParams", "{\"snapshot_path\":\"/s\"}")).isNotEmpty();
        assertThat(errors("SnapshotCreateParams", "{\"snapshot_path\":\"/s\",\"mem_file_path\":\"/m\",\"snapshot_type\":\"Incremental\"}"))
                .isNotEmpty();
        assertThat(errors("SnapshotLoadParams", "{\"mem_backend\":{\"backend_type\":\"File\",\"backend_path\":\"/m\"}}")).isNotEmpty();
        assertThat(errors("SnapshotLoadParams", "{\"snapshot_path\":\"/s\",\"mem_backend\":{\"backend_type\":\"Disk\",\"backend_path\":\"/m\"}}"))
                .isNotEmpty();
        assertThat(errors("Vm", "{\"state\":\"Stopped\"}")).isNotEmpty();
    }

    /** The validation can fail: a misspelled field, a missing required one, a vCPU count the API refuses. */
    @Test
    void theDocumentCatchesWrongBodies() {
        assertThat(errors("MachineConfiguration", "{\"vcpu_count\":2,\"mem_size_mb\":512}")).isNotEmpty();
        assertThat(errors("MachineConfiguration", "{\"vcpu_count\":64,\"mem_size_mib\":512}")).isNotEmpty();
        assertThat(errors("BootSource", "{\"boot_args\":\"x\"}")).isNotEmpty();
        assertThat(errors("Drive", "{\"drive_id\":\"a\",\"is_root_device\":false,\"cache_type\":\"None\"}")).isNotEmpty();
        assertThat(errors("InstanceActionInfo", "{\"action_type\":\"Start\"}")).isNotEmpty();
    }

    @Test
    void jailerArgvPutsFirecrackersArgumentsAfterTheSeparator() {
        List<String> a = FirecrackerDriver.jailerArgv("/usr/bin/jailer", "/usr/bin/firecracker", "isobench-1",
                Path.of("/tmp/w/firecracker/jail"), true);
        assertThat(a).containsSubsequence("--id", "isobench-1", "--exec-file", "/usr/bin/firecracker", "--chroot-base-dir",
                "/tmp/w/firecracker/jail", "--cgroup-version", "2", "--", "--api-sock", "/run/firecracker.socket");
        assertThat(a.indexOf("--api-sock")).isGreaterThan(a.indexOf("--"));
        assertThat(FirecrackerDriver.jailerArgv("j", "f", "i", Path.of("/b"), false)).doesNotContain("--cgroup-version");
    }

    @Test
    void jailIdIsShortAndSafe() {
        assertThat(FirecrackerDriver.jailId("isobench-startup_r1.x")).isEqualTo("isobench-startup-r1-x");
        String longName = "isobench-" + "a".repeat(100);
        assertThat(FirecrackerDriver.jailId(longName)).hasSizeLessThanOrEqualTo(64).matches("[A-Za-z0-9-]+");
    }

    @Test
    void pathsInsideTheChroot() {
        assertThat(FirecrackerDriver.path(Path.of("/w/jail/firecracker/x/root/initrd"), Path.of("/w/jail/firecracker/x/root"), "/"))
                .isEqualTo("/initrd");
        assertThat(FirecrackerDriver.path(Path.of("/w/fc/x/initrd"), Path.of("/w/fc/x"), null)).isEqualTo("/w/fc/x/initrd");
    }

    /** Doctor's reason on this kind of host: both facts, from the KVM probe's own words. */
    @Test
    void unavailableSaysBinaryAndKvm() {
        var kvm = new HostFacts.KvmStatus(true, false, "KVM_CREATE_VM failed");
        String why = FirecrackerDriver.unavailable(null, kvm);
        assertThat(why).contains("firecracker not found", "not package", "KVM is present, unusable (KVM_CREATE_VM failed)");
        assertThat(FirecrackerDriver.unavailable("/usr/bin/firecracker", kvm)).doesNotContain("not found").contains("unusable");
        assertThat(FirecrackerDriver.unavailable("/usr/bin/firecracker", new HostFacts.KvmStatus(true, true, "ok"))).isNull();
    }
}
