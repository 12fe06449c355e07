package io.isobench.runtime.containerd;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import io.isobench.proc.Proc;
import io.isobench.proc.ProcResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The docker archive containerd imports: digests that name what they hash, a layer with numeric owners. */
class ContainerdImageTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void archiveDigestsMatchItsFilesAndTheLayerHasNumericOwners() throws Exception {
        Path rootfs = dir.resolve("rootfs");
        Files.createDirectories(rootfs.resolve("usr/bin"));
        Files.writeString(rootfs.resolve("usr/bin/hello"), "#!/bin/sh\necho hello\n");
        Files.createSymbolicLink(rootfs.resolve("bin"), Path.of("usr/bin"));
        Path out = dir.resolve("image.tar");
        ContainerdImage.Archive a = ContainerdImage.writeArchive(rootfs, dir.resolve("parts"), out, "amd64");
        assertThat(a.file()).isEqualTo(out);

        Path x = dir.resolve("x");
        Files.createDirectories(x);
        ProcResult untar = Proc.of("tar", "-C", x.toString(), "-xf", out.toString()).timeout(Duration.ofMinutes(1)).run();
        assertThat(untar.ok()).as(untar.combinedOutput()).isTrue();
        JsonNode manifest = JSON.readTree(x.resolve("manifest.json").toFile());
        assertThat(manifest.isArray()).isTrue();
        assertThat(manifest).hasSize(1);
        String configName = manifest.get(0).get("Config").asText();
        String layerName = manifest.get(0).get("Layers").get(0).asText();
        assertThat(manifest.get(0).get("Layers")).hasSize(1);

        Path config = x.resolve(configName);
        Path layer = x.resolve(layerName);
        assertThat("sha256:" + ContainerdImage.sha256(config)).isEqualTo(a.configDigest());
        assertThat(configName).isEqualTo(a.configDigest().substring("sha256:".length()) + ".json");
        assertThat("sha256:" + ContainerdImage.sha256(layer)).isEqualTo(a.layerDigest());
        JsonNode c = JSON.readTree(config.toFile());
        assertThat(c.get("rootfs").get("type").asText()).isEqualTo("layers");
        assertThat(c.get("rootfs").get("diff_ids").get(0).asText()).isEqualTo(a.layerDigest());
        assertThat(c.get("os").asText()).isEqualTo("linux");
        assertThat(c.get("architecture").asText()).isEqualTo("amd64");

        ProcResult list = Proc.of("tar", "--numeric-owner", "-tvf", layer.toString()).timeout(Duration.ofMinutes(1)).run();
        assertThat(list.ok()).as(list.combinedOutput()).isTrue();
        List<String> lines = list.stdout().lines().toList();
        assertThat(lines).anyMatch(l -> l.endsWith("./usr/bin/hello")).anyMatch(l -> l.contains("./bin -> usr/bin"));
        long uid = (Integer) Files.getAttribute(rootfs.resolve("usr/bin/hello"), "unix:uid");
        long gid = (Integer) Files.getAttribute(rootfs.resolve("usr/bin/hello"), "unix:gid");
        // "-rw-r--r-- 0/0 21 date ./usr/bin/hello": owners as numbers, the files' own
        assertThat(lines).allMatch(l -> l.split("\\s+")[1].equals(uid + "/" + gid), "numeric owner " + uid + "/" + gid);
        ProcResult names = Proc.of("tar", "-tvf", layer.toString()).timeout(Duration.ofMinutes(1)).run();
        assertThat(names.stdout().lines().toList()).as("no owner names stored").allMatch(l -> l.split("\\s+")[1].matches("\\d+/\\d+"));
        assertThat(Files.exists(dir.resolve("parts").resolve(layerName))).isTrue();
    }

    @Test
    void staleImagesAreIsobenchsOtherHashesOnly() {
        String keep = "isobench/workload:" + "b".repeat(64);
        assertThat(ContainerdImage.stale(List.of("isobench/workload:" + "a".repeat(64), keep, "docker.io/library/busybox:latest",
                "isobench/other:1"), keep)).containsExactly("isobench/workload:" + "a".repeat(64));
    }

    @Test
    void configAndManifestNameTheirParts() throws Exception {
        JsonNode m = JSON.readTree(ContainerdImage.manifest("c.json", "l/layer.tar"));
        assertThat(m.get(0).get("Config").asText()).isEqualTo("c.json");
        assertThat(m.get(0).get("RepoTags")).isEmpty();
        JsonNode c = JSON.readTree(ContainerdImage.config("arm64", "sha256:" + "0".repeat(64)));
        assertThat(c.get("architecture").asText()).isEqualTo("arm64");
        assertThat(c.at("/config/Env/0").asText()).startsWith("PATH=");
    }
}
