package io.isobench.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Finds the host processes of a container through its cgroup (v1 controllers, v2 or hybrid's unified tree). */
public final class Cgroups {
    /** The CFS period every CPU limit uses (OCI bundles, LXC configs). */
    public static final long CPU_PERIOD_US = 100_000;

    private static final Path ROOT = Path.of("/sys/fs/cgroup");

    private Cgroups() {
    }

    public static List<Long> pids(String cgroupsPath) {
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
        for (Path base : hierarchies()) {
            Path d = base.resolve(rel);
            if (Files.isDirectory(d)) {
                dirs.add(d);
            }
        }
        return dirs;
    }

    /** The cgroup v2 root and every v1 controller hierarchy (cpu, memory, cpuset, blkio, ... and unified). */
    private static List<Path> hierarchies() {
        List<Path> l = new ArrayList<>();
        l.add(ROOT);
        try (var s = Files.list(ROOT)) {
            s.filter(p -> Files.isDirectory(p) && !Files.isSymbolicLink(p)).forEach(l::add);
        } catch (IOException ignored) {
            // no cgroup file system
        }
        return l;
    }

    /**
     * cgroup v1's cpuset: a new cgroup has no CPUs and no memory nodes. runc copies its parent's into every level it
     * creates; runsc does not, so a pinned runsc container whose runsc had to create {@code /isobench} there failed
     * ("write …/cpuset/isobench/NAME/cpuset.cpus: permission denied": not a subset of the empty parent's). Makes
     * {@code /isobench} in the cpuset hierarchy with the root's CPUs and memory nodes where it is missing or empty; it
     * stays (as Docker's {@code /docker} does): {@link #removeIfEmpty} leaves it. Never throws.
     */
    public static void prepareCpusetParent() {
        Path root = ROOT.resolve("cpuset");
        if (!Files.isRegularFile(root.resolve("cpuset.cpus"))) {
            return; // no v1 cpuset hierarchy (v2: the cpuset controller takes its parent's CPUs)
        }
        Path parent = root.resolve("isobench");
        try {
            try {
                Files.createDirectory(parent);
            } catch (java.nio.file.FileAlreadyExistsException exists) {
                // made before
            }
            for (String f : List.of("cpuset.cpus", "cpuset.mems")) {
                if (Files.readString(parent.resolve(f)).isBlank()) {
                    Files.writeString(parent.resolve(f), Files.readString(root.resolve(f)).strip());
                }
            }
        } catch (IOException | RuntimeException e) {
            // the runtime then says why, in its own words
        }
    }

    /** Removes the instance's cgroup and isobench's parent cgroup where the runtime left them empty. */
    public static void removeIfEmpty(String cgroupsPath) {
        String rel = cgroupsPath.startsWith("/") ? cgroupsPath.substring(1) : cgroupsPath;
        for (Path base : hierarchies()) {
            Path d = base.resolve(rel);
            while (d != null && d.startsWith(base) && !d.equals(base)
                    && !(base.equals(ROOT.resolve("cpuset")) && d.equals(base.resolve("isobench")))) { // see prepareCpusetParent
                try {
                    Files.deleteIfExists(d); // rmdir: only succeeds on an empty cgroup
                } catch (IOException e) {
                    break;
                }
                d = d.getParent();
            }
        }
    }

    /**
     * As {@link #removeIfEmpty}, after removing the cgroup's own empty descendants deepest first (LXC nests a {@code .lxc}
     * cgroup in the unified tree); a cgroup that still has processes stays, and so do its ancestors.
     */
    public static void removeTreeIfEmpty(String cgroupsPath) {
        String rel = cgroupsPath.startsWith("/") ? cgroupsPath.substring(1) : cgroupsPath;
        for (Path base : hierarchies()) {
            Path d = base.resolve(rel);
            if (!d.startsWith(base) || d.equals(base) || !Files.isDirectory(d, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            try (var walk = Files.walk(d)) {
                walk.filter(x -> Files.isDirectory(x, java.nio.file.LinkOption.NOFOLLOW_LINKS) && !x.equals(d))
                        .sorted(java.util.Comparator.comparingInt(Path::getNameCount).reversed())
                        .forEach(x -> {
                            try {
                                Files.deleteIfExists(x); // rmdir: only an empty cgroup goes
                            } catch (IOException e) {
                                // still in use
                            }
                        });
            } catch (IOException | java.io.UncheckedIOException e) {
                // gone meanwhile
            }
        }
        removeIfEmpty(cgroupsPath);
    }
}
