package io.isobench.runtime;

import io.isobench.proc.Launched;
import io.isobench.proc.Proc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * A cgroup of its own, with no limits, for an instance whose runtime makes none (the native baseline, bwrap,
 * systemd-nspawn): {@code /isobench/isobench-PID-N} in every hierarchy that governs how a workload is scheduled and
 * charged (cgroup v1: cpu, cpuacct, memory, blkio, pids; v2: the unified tree), as an OCI runtime puts each container at
 * {@code /isobench/NAME}; on a hybrid host also in name=systemd and the controller-less unified tree, where
 * systemd-nspawn nests its own cgroups (removed with the instance's: {@link Cgroups#removeTree}).
 * <p>
 * Why: the CPU scheduler shares a cgroup out as one entity among its siblings. A workload left in the caller's cgroup
 * competes task by task with every other process there, a container as one entity: with four busy loops on this
 * 2-CPU host, native {@code sysbench cpu} got 38 % of its idle rate in the root cgroup and runc 99 %, so runc looked 2.5
 * times faster than the bare host; in a cgroup of its own, native got 91 %.
 * <p>
 * The launcher's child joins it between its clone and its exec ({@link Launched#start(List, Map,
 * io.isobench.proc.LineSink, List)}), so the program never runs outside it; the join (about 10 µs per hierarchy here)
 * is taken out of the launch time, and the cgroup is made before the launch's clock starts: both are isobench's
 * bookkeeping, not the runtime's. Teardown kills what is left in it (a daemon that left the launcher's process tree
 * too) and removes it; {@link #sweepDead} removes those of an isobench that died.
 */
public final class OwnCgroup implements AutoCloseable {
    /** cgroup v1 controllers whose hierarchies the instance joins (cpuset is left out: a new one has no cpus). */
    static final List<String> V1_CONTROLLERS = List.of("cpu", "cpuacct", "memory", "blkio", "pids");
    /** v1's named hierarchy where systemd (and systemd-nspawn without systemd) keeps its cgroups. */
    static final String NAMED_SYSTEMD = "name=systemd";
    /** cgroup v2 controllers enabled for {@code /isobench}'s children where the unified tree holds them. */
    static final List<String> V2_CONTROLLERS = List.of("cpu", "memory", "io", "pids");
    static final String PARENT = "isobench";
    private static final Pattern NAME = Pattern.compile("isobench-(\\d+)-\\d+");
    private static final AtomicLong SEQ = new AtomicLong();
    private static final Duration TRIAL_TIMEOUT = Duration.ofSeconds(10);
    private static final Object LOCK = new Object();
    private static volatile String checked; // "" when usable, else why not; null before the first check

    /** A mounted hierarchy: its mount point, whether it is cgroup2, and its v1 controllers. */
    record Hierarchy(Path mount, boolean v2, Set<String> controllers) {
    }

    /** This process's cgroups not yet closed; the last to close removes the empty parents. */
    private static final java.util.concurrent.atomic.AtomicInteger LIVE = new java.util.concurrent.atomic.AtomicInteger();
    /** Parents ({@code /isobench} of each hierarchy) known to exist, so that a create does not look again. */
    private static final Set<Path> PARENTS = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private final String name;
    private final List<Path> dirs;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    private OwnCgroup(String name, List<Path> dirs) {
        this.name = name;
        this.dirs = List.copyOf(dirs);
    }

    /** The cgroup's path within each hierarchy, {@code /isobench/isobench-PID-N}. */
    public String path() {
        return "/" + PARENT + "/" + name;
    }

    /** The {@code cgroup.procs} file of each hierarchy, for the launcher's child to join. */
    public List<Path> procsFiles() {
        return dirs.stream().map(d -> d.resolve("cgroup.procs")).toList();
    }

    /**
     * The processes in it now. One hierarchy's list is the instance's: its launcher joined every hierarchy at once,
     * before its exec, and whatever it starts inherits them all.
     */
    public List<Long> pids() {
        return dirs.isEmpty() ? List.of() : Cgroups.pidsUnder(dirs.getFirst()); // with what a runtime nested in it
    }

    /**
     * Kills what is left in it and removes it (retried while killed processes are still exiting); the last one of
     * this process to go also removes {@code /isobench} where nothing else is in it. Never throws; a second call does
     * nothing.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        List<Long> left = pids();
        if (!left.isEmpty()) {
            Proc.killAndWait(left, Duration.ofSeconds(5));
        }
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        for (Path d : dirs) {
            // with what a runtime nested in it (systemd-nspawn's payload and supervisor in name=systemd and unified)
            while (!Cgroups.removeTree(d) && System.nanoTime() < end) {
                Proc.killAndWait(Cgroups.pidsUnder(d), Duration.ofMillis(200));
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        if (LIVE.decrementAndGet() == 0) {
            // not on every close: with many instances at once, each attempt would fail (and cost) but the last one's
            for (Path d : dirs) {
                PARENTS.remove(d.getParent());
                removeIfEmpty(d.getParent()); // as Cgroups.removeIfEmpty does for the OCI runtimes' cgroups
            }
        }
    }

    /**
     * A new cgroup of its own. Call only when {@link #unavailableReason()} is null.
     *
     * @throws IOException when a hierarchy refused it (what was made is removed again)
     */
    public static OwnCgroup create() throws IOException {
        return create(hierarchies());
    }

    /**
     * For one launch: a new cgroup of its own, or null where instances cannot have one here
     * ({@link #unavailableReason()}, recorded in the runtime's details).
     */
    public static OwnCgroup forLaunch() throws RuntimeDriver.LaunchException {
        if (unavailableReason() != null) {
            return null;
        }
        try {
            return create();
        } catch (IOException e) {
            throw new RuntimeDriver.LaunchException(e.getMessage(), e);
        }
    }

    static OwnCgroup create(List<Hierarchy> hierarchies) throws IOException {
        if (hierarchies.isEmpty()) {
            throw new IOException("no cgroup hierarchy with cpu, memory, blkio or pids is mounted");
        }
        String name = "isobench-" + ProcessHandle.current().pid() + "-" + SEQ.incrementAndGet();
        List<Path> made = new ArrayList<>();
        try {
            for (Hierarchy h : hierarchies) {
                Path parent = h.mount().resolve(PARENT);
                Path dir = parent.resolve(name);
                for (int attempt = 0; ; attempt++) {
                    try {
                        if (!PARENTS.contains(parent)) {
                            mkdirIfAbsent(parent);
                            if (h.v2()) {
                                enableV2Controllers(h.mount(), parent);
                            }
                            PARENTS.add(parent);
                        }
                        Files.createDirectory(dir); // fails if it exists: a fresh name, so it is ours
                        break;
                    } catch (NoSuchFileException e) {
                        PARENTS.remove(parent);
                        if (attempt >= 3) {
                            throw e;
                        }
                        // another teardown (another run's, or a runc container's) removed the empty /isobench: again
                    }
                }
                made.add(dir);
            }
        } catch (IOException | RuntimeException e) {
            for (Path d : made) {
                removeIfEmpty(d);
                removeIfEmpty(d.getParent()); // /isobench too, when this made it
            }
            throw new IOException("cannot create the cgroup /" + PARENT + "/" + name + ": " + e.getMessage(), e);
        }
        LIVE.incrementAndGet();
        return new OwnCgroup(name, made);
    }

    private static void mkdirIfAbsent(Path dir) throws IOException {
        try {
            Files.createDirectory(dir);
        } catch (java.nio.file.FileAlreadyExistsException e) {
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                throw e;
            }
        }
    }

    /**
     * cgroup v2: the controllers of {@link #V2_CONTROLLERS} that the root offers are enabled for the root's and
     * {@code /isobench}'s children, so that each instance is its own entity for them (what runc does for its cgroups).
     * A controller the kernel refuses is left out (the instance is then grouped for it at the nearest enabling parent).
     */
    static void enableV2Controllers(Path mount, Path parent) {
        Set<String> offered = words(mount.resolve("cgroup.controllers"));
        for (Path level : List.of(mount, parent)) {
            Set<String> enabled = words(level.resolve("cgroup.subtree_control"));
            for (String c : V2_CONTROLLERS) {
                if (offered.contains(c) && !enabled.contains(c)) {
                    try {
                        Files.writeString(level.resolve("cgroup.subtree_control"), "+" + c);
                    } catch (IOException e) {
                        // e.g. busy: left out
                    }
                }
            }
        }
    }

    private static Set<String> words(Path file) {
        try {
            return Set.of(Files.readString(file).strip().split("\\s+"));
        } catch (IOException e) {
            return Set.of();
        }
    }

    /** The hierarchies an instance joins, from /proc/self/mountinfo. */
    static List<Hierarchy> hierarchies() {
        try {
            return parseMountinfo(Files.readString(Path.of("/proc/self/mountinfo")));
        } catch (IOException e) {
            return List.of();
        }
    }

    /**
     * The cgroup mounts of a mountinfo text: the cgroup2 mount, the v1 mounts holding one of {@link #V1_CONTROLLERS},
     * and v1's {@code name=systemd} (each hierarchy once, at its first mount point). The controller-less trees of a
     * hybrid host (its unified tree, name=systemd) are joined too: systemd-nspawn nests its {@code payload} and
     * {@code supervisor} cgroups in its cgroup there, which must be the instance's (removed with it), not the root's.
     */
    static List<Hierarchy> parseMountinfo(String mountinfo) {
        List<Hierarchy> l = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (String line : mountinfo.lines().toList()) {
            int sep = line.indexOf(" - ");
            if (sep < 0) {
                continue;
            }
            String[] pre = line.substring(0, sep).split(" ");
            String[] post = line.substring(sep + 3).split(" ");
            if (pre.length < 5 || post.length < 3) {
                continue;
            }
            String fs = post[0];
            Path mount = Path.of(io.isobench.util.MountInfo.unescape(pre[4]));
            if (fs.equals("cgroup2")) {
                if (seen.add("cgroup2")) {
                    l.add(new Hierarchy(mount, true, Set.of()));
                }
            } else if (fs.equals("cgroup")) {
                Set<String> opts = new LinkedHashSet<>(List.of(post[2].split(",")));
                Set<String> ctl = new LinkedHashSet<>(opts);
                ctl.retainAll(V1_CONTROLLERS);
                if (ctl.isEmpty() && opts.contains(NAMED_SYSTEMD)) {
                    ctl.add(NAMED_SYSTEMD);
                }
                if (!ctl.isEmpty() && seen.add(String.join(",", ctl))) {
                    l.add(new Hierarchy(mount, false, ctl));
                }
            }
        }
        return l;
    }

    /**
     * Null when instances can run in a cgroup of their own here, else why not (they then run in isobench's cgroups).
     * Found once per process by trying: a cgroup is made and {@code true} runs in it, within 10 s.
     */
    public static String unavailableReason() {
        String c = checked;
        if (c == null) {
            synchronized (LOCK) {
                if (checked == null) {
                    checked = trial();
                }
                c = checked;
            }
        }
        return c.isEmpty() ? null : c;
    }

    private static String trial() {
        if ("0".equals(System.getenv("ISOBENCH_OWN_CGROUP"))) {
            return "disabled by ISOBENCH_OWN_CGROUP=0, for measuring isobench itself";
        }
        OwnCgroup cg;
        try {
            cg = create();
        } catch (IOException e) {
            return e.getMessage();
        }
        try {
            Launched l = Launched.start(List.of("true"), null, null, cg.procsFiles());
            if (!l.waitFor(TRIAL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                l.killTree();
                return "a process put into a cgroup of its own did not finish within " + TRIAL_TIMEOUT.toSeconds() + " s";
            }
            return l.exitValue() == 0 ? "" : "a process put into a cgroup of its own exited " + l.exitValue() + ": "
                    + l.stderr().strip();
        } catch (IOException e) {
            return e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        } finally {
            cg.close();
        }
    }

    /** How instances are placed, for a runtime's recorded details (the "cgroup" key). */
    public static String describe() {
        String why = unavailableReason();
        if (why != null) {
            return "isobench's own (" + why + ")";
        }
        List<String> where = new ArrayList<>();
        for (Hierarchy h : hierarchies()) {
            where.add(h.v2() ? "unified" : String.join(",", h.controllers()));
        }
        String how = io.isobench.proc.Spawner.shared() != null ? "joined before the exec, the join not timed"
                : "joined just after the start (no isobench-spawn helper: its first instants ran in isobench's cgroups)";
        return "own, unlimited: /" + PARENT + "/isobench-PID-N (" + String.join("; ", where) + "), " + how;
    }

    /** The details entry for a runtime whose instances run in a cgroup of their own. */
    public static Map<String, Object> details() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("cgroup", describe());
        return d;
    }

    /** Kills the processes of, and removes, the cgroups {@code /isobench/isobench-PID-N} whose PID is dead. */
    public static List<String> sweepDead() {
        List<String> removed = new ArrayList<>();
        for (Hierarchy h : hierarchies()) {
            Path parent = h.mount().resolve(PARENT);
            if (!Files.isDirectory(parent, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            try (var s = Files.list(parent)) {
                for (Path d : s.toList()) {
                    var m = NAME.matcher(d.getFileName().toString());
                    long pid = m.matches() ? io.isobench.util.Pid.parse(m.group(1)) : -1;
                    if (pid <= 0 || ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)
                            || !Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS)
                            || io.isobench.util.TrustedPath.untrusted(d) != null) { // a delegated cgroup: not ours to kill in
                        continue;
                    }
                    Proc.killAndWait(Cgroups.pidsUnder(d), Duration.ofSeconds(5));
                    if (Cgroups.removeTree(d)) {
                        removed.add("cgroup " + d);
                    }
                }
            } catch (IOException | RuntimeException e) {
                // gone meanwhile
            }
            removeIfEmpty(parent);
        }
        return removed;
    }

    /** rmdir: only an empty cgroup goes; true when it is gone. */
    private static boolean removeIfEmpty(Path dir) {
        try {
            Files.deleteIfExists(dir);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
