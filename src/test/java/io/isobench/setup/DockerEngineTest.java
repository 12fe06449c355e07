package io.isobench.setup;

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
        Path backup = engine(json).registerRunsc();
        assertThat(backup).isNotNull();
        assertThat(Files.readString(backup)).isEqualTo(old);
        Map<String, Object> now = Json.readMap(Files.readString(json));
        assertThat(now).containsEntry("log-level", "warn").containsEntry("data-root", "/srv/docker");
        @SuppressWarnings("unchecked")
        Map<String, Object> rts = (Map<String, Object>) now.get("runtimes");
        assertThat(rts).containsEntry("kata", Map.of("path", "/opt/kata")).containsKey("runsc");
        @SuppressWarnings("unchecked")
        Map<String, Object> runsc = (Map<String, Object>) rts.get("runsc");
        assertThat(runsc).containsEntry("runtimeArgs", List.of("--network=none"));
        // a second time: nothing to do, no second backup
        assertThat(engine(json).registerRunsc()).isNull();
    }

    @Test
    void createsTheFileWhenAbsent() throws IOException {
        Path json = dir.resolve("etc/docker/daemon.json");
        assertThat(engine(json).registerRunsc()).isNotNull();
        assertThat(Json.readMap(Files.readString(json))).containsKey("runtimes");
    }

    @Test
    void leavesAnInvalidFileAlone() throws IOException {
        Path json = dir.resolve("daemon.json");
        Files.writeString(json, "{not json");
        assertThatThrownBy(() -> engine(json).registerRunsc()).isInstanceOf(IOException.class).hasMessageContaining("not touching");
        assertThat(Files.readString(json)).isEqualTo("{not json");
    }
}
