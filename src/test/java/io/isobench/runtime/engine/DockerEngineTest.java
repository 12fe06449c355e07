package io.isobench.runtime.engine;

import io.isobench.util.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Registering runsc in daemon.json merges, backs up, and is idempotent; it never clobbers other keys. */
class DockerEngineTest {
    @TempDir
    Path dir;

    DockerEngine engine(Path json) {
        return new DockerEngine(json, new PrintStream(new ByteArrayOutputStream()));
    }

    @Test
    void mergesIntoAnExistingFileAndKeepsABackup() throws IOException {
        Path json = dir.resolve("daemon.json");
        String old = "{\"log-level\":\"warn\",\"runtimes\":{\"kata\":{\"path\":\"/opt/kata\"}},\"data-root\":\"/srv/docker\"}";
        Files.writeString(json, old);
        DockerEngine.Change change = engine(json).registerRunsc();
        assertThat(change).isNotNull();
        assertThat(change.existed()).isTrue();
        assertThat(Files.readString(change.backup())).isEqualTo(old);
        Map<String, Object> now = Json.readMap(Files.readString(json));
        assertThat(now).containsEntry("log-level", "warn").containsEntry("data-root", "/srv/docker");
        @SuppressWarnings("unchecked")
        Map<String, Object> rts = (Map<String, Object>) now.get("runtimes");
        assertThat(rts).containsEntry("kata", Map.of("path", "/opt/kata"))
                .containsKeys("runsc", "runsc-netstack", "runsc-netstack-hidden", "runsc-hostinet");
        for (var e : Map.of("runsc", "--network=none", "runsc-netstack", "--network=sandbox",
                "runsc-netstack-hidden", "--network=sandbox", "runsc-hostinet", "--network=host").entrySet()) {
            @SuppressWarnings("unchecked")
            Map<String, Object> rt = (Map<String, Object>) rts.get(e.getKey());
            assertThat(rt).as(e.getKey()).containsEntry("runtimeArgs", List.of(e.getValue(),
                    "--panic-log=/var/log/isobench/runsc-panic.log"));
        }
        // a second time: nothing to do, no second backup
        assertThat(engine(json).registerRunsc()).isNull();
    }

    @Test
    void createsTheFileWhenAbsentWithoutAnEmptyMarker() throws IOException {
        Path json = dir.resolve("etc/docker/daemon.json");
        DockerEngine.Change change = engine(json).registerRunsc();
        assertThat(change).isEqualTo(new DockerEngine.Change(false, null));
        assertThat(Json.readMap(Files.readString(json))).containsKey("runtimes");
        try (var files = Files.list(json.getParent())) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("daemon.json");
        }
    }

    /** A file registering only the old runsc entry (an earlier setup) gets the two network variants, with a backup. */
    @Test
    void addsTheNetworkVariantsToAnEarlierRegistration() throws IOException {
        Path json = dir.resolve("daemon.json");
        String old = "{\"runtimes\":{\"runsc\":" + Json.write(DockerEngine.runscEntries().get("runsc")) + "}}";
        Files.writeString(json, old);
        DockerEngine.Change change = engine(json).registerRunsc();
        assertThat(change).isNotNull();
        assertThat(Files.readString(change.backup())).isEqualTo(old);
        assertThat(Files.readString(json)).contains("runsc-hostinet", "runsc-netstack");
        assertThat(engine(json).registerRunsc()).isNull();
    }

    @Test
    void leavesAnInvalidFileAlone() throws IOException {
        Path json = dir.resolve("daemon.json");
        Files.writeString(json, "{not json");
        assertThatThrownBy(() -> engine(json).registerRunsc()).isInstanceOf(IOException.class).hasMessageContaining("not touching");
        assertThat(Files.readString(json)).isEqualTo("{not json");
    }
}
