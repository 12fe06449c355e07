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
            pids.addAll(pidsUnder(dir));
        }
        return new ArrayList<>(pids);
    }

    /**
     * The processes in the cgroup directory {@code dir} and in its descendants: a runtime may nest cgroups in the one
     * it was given (systemd-nspawn its {@code payload} and {@code supervisor}, LXC a {@code .lxc}). Never throws.
     */
    public static List<Long> pidsUnder(Path dir) {
        Set<Long> pids = new LinkedHashSet<>();
        try (var walk = Files.walk(dir)) {
            for (Path procs : walk.filter(p -> p.getFileName().toString().equals("cgroup.procs")).toList()) {
                try {
                    for (String line : Files.readAllLines(procs)) {
                        if (!line.isBlank()) {
                            pids.add(Long.parseLong(line.strip()));
                        }
                    }
                } catch (IOException | RuntimeException gone) {
                    // that cgroup went away while we read it
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // the cgroup went away while we read it
        }
        return new ArrayList<>(pids);
    }

    /**
     * Removes the cgroup directory {@code dir} after its descendants, deepest first (what a runtime nested in it); a
     * cgroup that still has processes stays, and so does everything above it. A cgroup whose last processes are still
     * exiting refuses rmdir (EBUSY) for a moment although none is listed: that is retried for up to
     * {@link #SETTLE_MS} ms. True when {@code dir} is gone. Never throws.
     */
    public static boolean removeTree(Path dir) {
        if (!Files.isDirectory(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return !Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS);
        }
        List<Path> below = new ArrayList<>();
        try (var walk = Files.walk(dir)) {
            walk.filter(x -> !x.equals(dir) && Files.isDirectory(x, java.nio.file.LinkOption.NOFOLLOW_LINKS)).forEach(below::add);
        } catch (IOException | RuntimeException gone) {
            // went meanwhile
        }
        below.sort(java.util.Comparator.comparingInt(Path::getNameCount).reversed());
        for (Path d : below) {
            rmdirSettling(d);
        }
        return rmdirSettling(dir);
    }

    /** How long an rmdir refused while a cgroup's last processes exit is retried (they are gone within milliseconds). */
    static final long SETTLE_MS = 1000;

    /**
     * rmdir of one cgroup: true when it is gone. EBUSY with no process listed and no child cgroup means its last
     * tasks are still exiting (a container just SIGKILLed): retried every 10 ms for up to {@link #SETTLE_MS} ms; a
     * listed process or a child cgroup is an answer at once.
     */
    static boolean rmdirSettling(Path d) {
        long end = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(SETTLE_MS);
        while (true) {
            try {
                Files.deleteIfExists(d);
                return true;
            } catch (IOException e) {
                if (System.nanoTime() > end || !settling(d)) {
                    return false;
                }
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    /** Whether cgroup {@code d} holds no listed process and no child cgroup (so a refused rmdir is only a moment). */
    private static boolean settling(Path d) {
        try (var s = Files.list(d)) {
            if (s.anyMatch(x -> Files.isDirectory(x, java.nio.file.LinkOption.NOFOLLOW_LINKS))) {
                return false;
            }
            return Files.readString(d.resolve("cgroup.procs")).isBlank();
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** The names of the top-level cgroups, in any hierarchy, that start with {@code prefix}. Never throws. */
    public static Set<String> topLevel(String prefix) {
        Set<String> names = new java.util.TreeSet<>();
        for (Path base : hierarchies()) {
            try (var s = Files.newDirectoryStream(base, p -> p.getFileName().toString().startsWith(prefix)
                    && Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS))) {
                s.forEach(p -> names.add(p.getFileName().toString()));
            } catch (IOException | RuntimeException ignored) {
                // not a cgroup file system
            }
        }
        return names;
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

    /**
     * Removes the instance's cgroup (retried while its last processes exit, {@link #rmdirSettling}) and isobench's
     * parent cgroup where the runtime left them empty.
     */
    public static void removeIfEmpty(String cgroupsPath) {
        removeIfEmpty(cgroupsPath, false);
    }

    /**
     * As {@link #removeIfEmpty}, after removing the cgroup's own empty descendants deepest first (LXC nests a {@code .lxc}
     * cgroup in the unified tree); a cgroup that still has processes stays, and so do its ancestors.
     */
    public static void removeTreeIfEmpty(String cgroupsPath) {
        removeIfEmpty(cgroupsPath, true);
    }

    private static void removeIfEmpty(String cgroupsPath, boolean tree) {
        String rel = cgroupsPath.startsWith("/") ? cgroupsPath.substring(1) : cgroupsPath;
        for (Path base : hierarchies()) {
            Path d = base.resolve(rel).normalize();
            if (!d.startsWith(base) || d.equals(base) || !(tree ? removeTree(d) : rmdirSettling(d))) {
                continue; // an absent cgroup counts as removed: its empty parents still go
            }
            for (d = d.getParent(); d != null && d.startsWith(base) && !d.equals(base)
                    && !(base.equals(ROOT.resolve("cpuset")) && d.equals(base.resolve("isobench"))); d = d.getParent()) { // see prepareCpusetParent
                try {
                    Files.deleteIfExists(d); // rmdir: only succeeds on an empty cgroup (a parent: never waited for)
                } catch (IOException e) {
                    break;
                }
            }
        }
    }
}
