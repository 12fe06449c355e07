package io.isobench.runtime.engine;

import io.isobench.proc.ProcResult;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The reason of a failed docker run is the engine's error, not the forwarding warning it prints first. */
class DockerDriverTest {
    @Test
    void reasonSkipsTheForwardingWarning() throws Exception {
        String stderr = Files.readString(Path.of("src/test/resources/fixtures/docker/run-runsc-netstack-bridge.stderr.txt"));
        assertThat(stderr).startsWith(DockerDriver.FORWARDING_WARNING);
        ProcResult r = new ProcResult(List.of("docker", "run"), 125, false, "", stderr, Duration.ofMillis(700));
        assertThat(DockerDriver.reason(r))
                .startsWith("docker: Error response from daemon: OCI runtime start failed")
                .contains("cannot run with network enabled in root network namespace")
                .endsWith("(exit code 125)");
    }
}
