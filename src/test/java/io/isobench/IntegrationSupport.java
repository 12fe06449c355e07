package io.isobench;

import io.isobench.proc.Proc;
import io.isobench.proc.ProcResult;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Helpers for integration tests that drive real runtimes: leftover checks as a user would make them. */
public final class IntegrationSupport {
    private IntegrationSupport() {
    }

    public static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** Container ids isobench left in a runtime's default state root (what `runc list` shows). */
    public static List<String> leftoverContainers(String runtime) {
        ProcResult r = Proc.of(runtime, "list", "-q").timeout(Duration.ofSeconds(20)).run();
        if (r.exitCode() == 127) {
            return List.of();
        }
        return r.stdout().lines().map(String::strip).filter(l -> l.startsWith("isobench-")).toList();
    }

    /** isobench cgroups left under any controller. */
    public static List<Path> leftoverCgroups() {
        List<Path> l = new ArrayList<>();
        for (String c : List.of("", "unified", "memory", "pids", "cpu", "systemd", "cpuset", "blkio", "devices", "freezer")) {
            Path p = Path.of("/sys/fs/cgroup", c, "isobench");
            if (Files.isDirectory(p)) {
                l.add(p);
            }
        }
        return l;
    }

    public static List<Path> leftoverWorkDirs(long pid) {
        try (var s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return s.filter(p -> p.getFileName().toString().startsWith("isobench-" + pid + "-")).toList();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static void assertNothingLeft() {
        assertThat(leftoverContainers("runc")).as("runc list").isEmpty();
        assertThat(leftoverContainers("runsc")).as("runsc list").isEmpty();
        assertThat(leftoverCgroups()).as("cgroups").isEmpty();
    }
}
