package io.isobench.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Finds the host processes of a container through its cgroup (v1 controllers, v2 or hybrid's unified tree). */
final class Cgroups {
    private static final Path ROOT = Path.of("/sys/fs/cgroup");
    private static final List<String> CANDIDATES = List.of("", "unified", "memory", "pids", "cpu", "systemd");

    private Cgroups() {
    }

    static List<Long> pids(String cgroupsPath) {
        Set<Long> pids = new LinkedHashSet<>();
        for (Path dir : dirs(cgroupsPath)) {
            try (var walk = Files.walk(dir)) {
                for (Path procs : walk.filter(p -> p.getFileName().toString().equals("cgroup.procs")).toList()) {
                    for (String line : Files.readAllLines(procs)) {
                        if (!line.isBlank()) {
                            pids.add(Long.parseLong(line.strip()));
                        }
                    }
                }
            } catch (IOException | RuntimeException ignored) {
                // the cgroup went away while we read it
            }
        }
        return new ArrayList<>(pids);
    }

    private static List<Path> dirs(String cgroupsPath) {
        List<Path> dirs = new ArrayList<>();
        String rel = cgroupsPath.startsWith("/") ? cgroupsPath.substring(1) : cgroupsPath;
        for (String c : CANDIDATES) {
            Path d = (c.isEmpty() ? ROOT : ROOT.resolve(c)).resolve(rel);
            if (Files.isDirectory(d)) {
                dirs.add(d);
            }
        }
        return dirs;
    }

    /** Removes the instance's cgroup and isobench's parent cgroup where the runtime left them empty. */
    static void removeIfEmpty(String cgroupsPath) {
        String rel = cgroupsPath.startsWith("/") ? cgroupsPath.substring(1) : cgroupsPath;
        for (String c : CANDIDATES) {
            Path base = c.isEmpty() ? ROOT : ROOT.resolve(c);
            Path d = base.resolve(rel);
            while (d != null && d.startsWith(base) && !d.equals(base)) {
                try {
                    Files.deleteIfExists(d); // rmdir: only succeeds on an empty cgroup
                } catch (IOException e) {
                    break;
                }
                d = d.getParent();
            }
        }
    }
}
