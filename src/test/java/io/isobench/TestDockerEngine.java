package io.isobench;

import io.isobench.proc.Proc;
import io.isobench.runtime.engine.DockerEngine;
import io.isobench.runtime.engine.DockerNetwork;
import io.isobench.util.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Docker engine for integration tests: when none is running, {@link #start} starts one with the safe flags and a
 * private config file that registers the runsc entries of 'isobench setup' (so /etc/docker/daemon.json is never
 * involved); {@link #stop} removes what the test JVM made in it (its bridge network, the images it imported) and
 * stops it, leaving no trace: dockerd's key file and the empty parent cgroups of its containers go too. An engine
 * that was already running is used as it is and left running.
 */
public final class TestDockerEngine {
    static final Path DAEMON_JSON = Path.of("/etc/docker/daemon.json");
    static final Path KEY_JSON = Path.of("/etc/docker/key.json");

    private final long started;
    private final List<String> imagesBefore;
    private final boolean keyJsonBefore;
    private final byte[] daemonJsonBefore;

    private TestDockerEngine(long started, List<String> imagesBefore, boolean keyJsonBefore, byte[] daemonJsonBefore) {
        this.started = started;
        this.imagesBefore = imagesBefore;
        this.keyJsonBefore = keyJsonBefore;
        this.daemonJsonBefore = daemonJsonBefore;
    }

    public static TestDockerEngine start(Path dir) throws IOException {
        byte[] daemonJson = Files.exists(DAEMON_JSON) ? Files.readAllBytes(DAEMON_JSON) : null;
        boolean keyJson = Files.exists(KEY_JSON);
        Path conf = dir.resolve("daemon.json");
        DockerEngine.installRunscWrapper();
        Files.writeString(conf, Json.write(Map.of("runtimes", DockerEngine.runscEntries())));
        long pid = DockerEngine.startIfNotRunning(dir.resolve("dockerd.log"), List.of("--config-file", conf.toString()),
                Duration.ofSeconds(60));
        return new TestDockerEngine(pid, workloadImages(), keyJson, daemonJson);
    }

    /** Whether this test started the engine (then it registers every runsc entry). */
    public boolean startedHere() {
        return started > 0;
    }

    public static List<String> workloadImages() {
        return Proc.of("docker", "images", "--format", "{{.Repository}}:{{.Tag}}", "isobench/workload")
                .timeout(Duration.ofSeconds(20)).run().stdout().lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    }

    /** Docker networks named isobench-PID of this JVM. */
    public static List<String> myNetworks() {
        return Proc.of("docker", "network", "ls", "--format", "{{.Name}}").timeout(Duration.ofSeconds(20)).run().stdout()
                .lines().filter(n -> n.equals("isobench-" + ProcessHandle.current().pid())).toList();
    }

    public void stop() throws IOException {
        DockerNetwork.removeNow();
        assertThat(myNetworks()).as("this JVM's docker network after removal").isEmpty();
        assertThat(Files.exists(DAEMON_JSON) ? Files.readAllBytes(DAEMON_JSON) : null).as("daemon.json unchanged")
                .isEqualTo(daemonJsonBefore);
        if (started <= 0) {
            return;
        }
        for (String tag : workloadImages()) {
            if (!imagesBefore.contains(tag)) {
                Proc.of("docker", "rmi", tag).timeout(Duration.ofSeconds(30)).run();
            }
        }
        assertThat(DockerEngine.stop(started, Duration.ofSeconds(30))).as("dockerd stops").isTrue();
        if (!keyJsonBefore) {
            Files.deleteIfExists(KEY_JSON);
        }
        try (var hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
            for (Path h : hierarchies.toList()) {
                try {
                    Files.deleteIfExists(h.resolve("docker")); // rmdir: only when empty
                } catch (IOException ignored) {
                    // not empty or not a hierarchy
                }
            }
        }
    }
}
