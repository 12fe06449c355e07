package io.isobench.measure;

import io.isobench.proc.Proc;
import io.isobench.proc.ProcResult;
import io.isobench.proc.StateDir;
import io.isobench.util.Pid;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where the kernel's tracefs is. An existing mount is used as it is (/sys/kernel/tracing, or debugfs's
 * tracing/ directory); when there is none, isobench mounts tracefs privately at
 * {@code <state root>/tracefs-PID} ({@link StateDir}) for the duration of one trace and unmounts it afterwards, so the host's
 * mount table is left as it was. isobench works only in its own ftrace instances
 * ({@code instances/isobench-PID-N}), never in the global buffer other tools use.
 */
public final class Tracefs implements AutoCloseable {
    private static final Pattern OWN_MOUNT = Pattern.compile("tracefs-(\\d+)");
    private static final Pattern OWN_INSTANCE = Pattern.compile("isobench-(\\d+)-\\d+");
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private final Path root;
    private final boolean mountedByUs;

    private Tracefs(Path root, boolean mountedByUs) {
        this.root = root;
        this.mountedByUs = mountedByUs;
    }

    public Path root() {
        return root;
    }

    /** How it was found, for the raw output. */
    public String describe() {
        return root + (mountedByUs ? " (mounted by isobench for this trace)" : "");
    }

    /** The mounted tracefs, or a private mount of it. */
    public static Tracefs open() throws IOException {
        Path existing = mounted();
        if (existing != null) {
            return new Tracefs(existing, false);
        }
        Path dir = StateDir.root().resolve("tracefs-" + ProcessHandle.current().pid());
        Files.createDirectories(dir);
        ProcResult r = Proc.of("mount", "-t", "tracefs", "nodev", dir.toString()).timeout(TIMEOUT).run();
        if (!r.ok() || !Files.isDirectory(dir.resolve("instances"))) {
            Files.deleteIfExists(dir);
            throw new IOException("cannot mount tracefs: " + r.failureSummary());
        }
        return new Tracefs(dir, true);
    }

    /** The tracefs already mounted on this host, or null. */
    public static Path mounted() {
        List<String> lines;
        try {
            lines = Files.readAllLines(Path.of("/proc/self/mountinfo"));
        } catch (IOException e) {
            return null;
        }
        Path viaDebugfs = null;
        for (String line : lines) {
            MountInfo m = MountInfo.parse(line);
            if (m == null) {
                continue;
            }
            if (m.fsType().equals("tracefs") && Files.isDirectory(m.mountPoint().resolve("instances"))) {
                return m.mountPoint();
            }
            if (m.fsType().equals("debugfs") && Files.isDirectory(m.mountPoint().resolve("tracing/instances"))) {
                viaDebugfs = m.mountPoint().resolve("tracing");
            }
        }
        return viaDebugfs;
    }

    /** One /proc/self/mountinfo line: mount point (octal escapes decoded) and file system type. */
    record MountInfo(Path mountPoint, String fsType) {
        static MountInfo parse(String line) {
            String[] f = line.split(" ");
            int sep = List.of(f).indexOf("-");
            if (f.length < 5 || sep < 0 || sep + 1 >= f.length) {
                return null;
            }
            return new MountInfo(Path.of(io.isobench.util.MountInfo.unescape(f[4])), f[sep + 1]);
        }
    }

    @Override
    public void close() {
        if (mountedByUs) {
            unmount(root);
        }
    }

    private static boolean unmount(Path dir) {
        ProcResult r = Proc.of("umount", dir.toString()).timeout(TIMEOUT).run();
        if (!r.ok()) {
            r = Proc.of("umount", "-l", dir.toString()).timeout(TIMEOUT).run();
        }
        try {
            // rmdir only: never recursive into a file system that might still be mounted
            Files.deleteIfExists(dir);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * What dead isobench processes left: ftrace instances {@code isobench-PID-N} (in whatever tracefs is mounted)
     * and private mounts {@code <state root>/tracefs-PID} (directories checked with lstat: never a symlink). Returns a line
     * per thing removed.
     */
    public static List<String> sweepDead() {
        List<String> done = new ArrayList<>();
        Path tmp = StateDir.root();
        Path mounted = mounted();
        if (mounted != null) {
            done.addAll(sweepInstances(mounted));
        }
        try (var s = Files.list(tmp)) {
            for (Path p : s.toList()) {
                Matcher m = OWN_MOUNT.matcher(p.getFileName().toString());
                long pid = m.matches() ? Pid.parse(m.group(1)) : -1;
                if (pid > 0 && dead(pid) && Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    if (Files.isDirectory(p.resolve("instances"))) {
                        done.addAll(sweepInstances(p));
                    }
                    if (unmount(p)) {
                        done.add("tracefs mount " + p);
                    }
                }
            }
        } catch (IOException e) {
            // nothing to sweep
        }
        return done;
    }

    /** Removes the ftrace instances of dead isobench processes under {@code root}/instances. */
    static List<String> sweepInstances(Path root) {
        List<String> done = new ArrayList<>();
        try (var s = Files.list(root.resolve("instances"))) {
            for (Path p : s.toList()) {
                Matcher m = OWN_INSTANCE.matcher(p.getFileName().toString());
                long pid = m.matches() ? Pid.parse(m.group(1)) : -1;
                if (pid > 0 && dead(pid)) {
                    try {
                        Files.delete(p); // rmdir of an instance directory removes the instance
                        done.add("ftrace instance " + p.getFileName());
                    } catch (IOException e) {
                        // busy: left for the next sweep
                    }
                }
            }
        } catch (IOException e) {
            // no instances directory
        }
        return done;
    }

    private static boolean dead(long pid) {
        return ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true);
    }
}
