package io.isobench.runtime.containerd;

import io.isobench.proc.Proc;
import io.isobench.proc.ProcResult;
import io.isobench.runtime.Leftovers;
import io.isobench.util.Tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What a dead isobench left in containerd: in the running daemon's {@code isobench} namespace, containers labelled
 * {@code io.isobench.pid} with a dead pid (task killed and deleted, then the container with its snapshot), then container
 * snapshots labelled so that no container owned (a create cut short); a standalone containerd whose socket is in a dead
 * work dir gets the same for all its containers, then is stopped (its root, images included, goes with the scratch dir).
 * Imported images are not leftovers: {@link ContainerdImage} keeps one per hash a live isobench uses and prunes the rest.
 */
enum ContainerdLeftovers implements Leftovers {
    INSTANCE;

    @Override
    public List<String> sweep(List<Path> deadWorkDirs) {
        List<String> done = new ArrayList<>();
        if (Tools.which("ctr") == null) {
            return done;
        }
        if (Containerd.answers(Containerd.SYSTEM_SOCKET.toString())) {
            done.addAll(removeDead(Containerd.SYSTEM_SOCKET.toString(), false));
        }
        for (Path d : deadWorkDirs) {
            Path sock = d.resolve(Containerd.DIR).resolve("containerd.sock");
            if (Files.exists(sock) && Containerd.answers(sock.toString())) {
                done.addAll(removeDead(sock.toString(), true));
                for (long pid : daemonPids(d.resolve(Containerd.DIR).resolve("config.toml").toString())) {
                    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
                    done.add("standalone containerd " + pid + " of " + d);
                }
            }
        }
        return done;
    }

    /** Where the runc shim keeps runc's state of isobench's namespace (the shim's default root, whichever daemon). */
    static final Path RUNC_ROOT = Path.of("/run/containerd/runc", Containerd.NAMESPACE);
    private static final Duration SETTLE = Duration.ofSeconds(20);

    /**
     * At exit, after every sandbox's own teardown: what this process started at {@code address} and is still there.
     * A {@code ctr run} killed by Ctrl-C in the middle of its create call leaves the daemon finishing that call after the
     * sandbox's teardown ran (a task, its shim and runc state that no listing showed then), so this sweeps until two
     * rounds in a row find nothing (at most {@link #SETTLE}): containers labelled with this pid or in {@code ids} (task
     * killed and deleted, container deleted), runc state of {@code ids} under {@link #RUNC_ROOT}
     * ({@code runc delete --force}), and shims of {@code ids} on this daemon still running (SIGKILL).
     */
    static void removeOwn(String address, java.util.Set<String> ids) {
        long self = ProcessHandle.current().pid();
        long end = System.nanoTime() + SETTLE.toNanos();
        int quiet = 0;
        while (quiet < 2 && System.nanoTime() < end) {
            boolean found = false;
            ProcResult ls = Proc.of(Containerd.ctrAt(address, "container", "list")).timeout(Containerd.CALL_TIMEOUT).run();
            if (ls.ok()) {
                for (String name : names(ls.stdout())) {
                    if (ids.contains(name) || labelPid(address, name) == self) {
                        found = true;
                        Proc.of(Containerd.ctrAt(address, "task", "kill", "-s", "SIGKILL", name)).timeout(Containerd.CALL_TIMEOUT).run();
                        Proc.of(Containerd.ctrAt(address, "task", "delete", "--force", name)).timeout(Containerd.CALL_TIMEOUT).run();
                        Proc.of(Containerd.ctrAt(address, "container", "delete", name)).timeout(Containerd.CALL_TIMEOUT).run();
                    }
                }
            }
            String runc = Tools.which("runc");
            for (String id : ids) {
                if (runc != null && Files.isDirectory(RUNC_ROOT.resolve(id), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    found = true;
                    Proc.of(runc, "--root", RUNC_ROOT.toString(), "delete", "--force", id).timeout(Containerd.CALL_TIMEOUT).run();
                }
            }
            for (String key : snapshotKeys(address)) {
                if (ids.contains(key)) {
                    found = true;
                    removeSnapshot(address, key);
                }
            }
            for (long shim : shims(address, ids)) {
                found = true;
                ProcessHandle.of(shim).ifPresent(ProcessHandle::destroyForcibly);
            }
            quiet = found ? 0 : quiet + 1;
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Shim processes serving one of {@code ids} in isobench's namespace of the daemon at {@code address}. */
    static List<Long> shims(String address, java.util.Set<String> ids) {
        List<Long> l = new ArrayList<>();
        if (ids.isEmpty()) {
            return l;
        }
        try (var procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    List<String> argv = List.of(Files.readString(p.resolve("cmdline")).split("\0"));
                    if (isShimOf(argv, address, ids)) {
                        l.add(Long.parseLong(p.getFileName().toString()));
                    }
                } catch (IOException | RuntimeException ignored) {
                    // gone
                }
            }
        } catch (IOException ignored) {
            // no /proc
        }
        return l;
    }

    /** Whether {@code argv} is a containerd shim's ({@code containerd-shim-* -namespace isobench -id ID -address A}). */
    static boolean isShimOf(List<String> argv, String address, java.util.Set<String> ids) {
        if (argv.isEmpty() || !Path.of(argv.get(0)).getFileName().toString().startsWith("containerd-shim")) {
            return false;
        }
        int ns = argv.indexOf("-namespace");
        int id = argv.indexOf("-id");
        int addr = argv.indexOf("-address");
        return ns >= 0 && ns + 1 < argv.size() && argv.get(ns + 1).equals(Containerd.NAMESPACE)
                && id >= 0 && id + 1 < argv.size() && ids.contains(argv.get(id + 1))
                && addr >= 0 && addr + 1 < argv.size() && argv.get(addr + 1).equals(address);
    }

    /** Containers of isobench's namespace at {@code address} whose pid label is dead (or all, for a dead process's daemon). */
    private static List<String> removeDead(String address, boolean all) {
        List<String> done = new ArrayList<>();
        ProcResult ls = Proc.of(Containerd.ctrAt(address, "container", "list")).timeout(Containerd.CALL_TIMEOUT).run();
        if (!ls.ok()) {
            return done;
        }
        for (String name : names(ls.stdout())) {
            long pid = all ? -1 : labelPid(address, name);
            if (all || (pid > 0 && !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))) {
                Proc.of(Containerd.ctrAt(address, "task", "kill", "-s", "SIGKILL", name)).timeout(Containerd.CALL_TIMEOUT).run();
                Proc.of(Containerd.ctrAt(address, "task", "delete", "--force", name)).timeout(Containerd.CALL_TIMEOUT).run();
                if (Proc.of(Containerd.ctrAt(address, "container", "delete", name)).timeout(Containerd.CALL_TIMEOUT).run().ok()) {
                    done.add("containerd container " + name);
                }
            }
        }
        for (String key : snapshotKeys(address)) {
            if (key.startsWith("sha256:")) {
                continue; // an image's unpacked layer: the image's, not a container's
            }
            long pid = all ? -1 : snapshotPid(address, key);
            if ((all || (pid > 0 && !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)))
                    && removeSnapshot(address, key)) {
                done.add("containerd snapshot " + key);
            }
        }
        return done;
    }

    private static List<String> snapshot(String address, String... args) {
        List<String> a = new ArrayList<>(List.of("snapshots", "--snapshotter", ContainerdImage.SNAPSHOTTER));
        a.addAll(List.of(args));
        return Containerd.ctrAt(address, a.toArray(String[]::new));
    }

    /** Keys of the snapshots of isobench's namespace (a container's snapshot is keyed by its id). */
    static List<String> snapshotKeys(String address) {
        ProcResult ls = Proc.of(snapshot(address, "ls")).timeout(Containerd.CALL_TIMEOUT).run();
        return ls.ok() ? names(ls.stdout()) : List.of();
    }

    private static boolean removeSnapshot(String address, String key) {
        return Proc.of(snapshot(address, "rm", key)).timeout(Containerd.CALL_TIMEOUT).run().ok();
    }

    /** The io.isobench.pid label of a snapshot ({@code ctr snapshots info} JSON, as a container's), or -1. */
    private static long snapshotPid(String address, String key) {
        ProcResult info = Proc.of(snapshot(address, "info", key)).timeout(Containerd.CALL_TIMEOUT).run();
        return info.ok() ? labelPid(info.stdout()) : -1;
    }

    /** Container names from {@code ctr container list} (a header line, then one container a line). */
    static List<String> names(String list) {
        return list.lines().skip(1).map(l -> l.strip().split("\\s+")[0]).filter(n -> !n.isEmpty()).toList();
    }

    /** The container's io.isobench.pid label ({@code ctr container info} JSON), or -1. */
    static long labelPid(String address, String name) {
        ProcResult info = Proc.of(Containerd.ctrAt(address, "container", "info", name)).timeout(Containerd.CALL_TIMEOUT).run();
        return info.ok() ? labelPid(info.stdout()) : -1;
    }

    static long labelPid(String infoJson) {
        var m = java.util.regex.Pattern.compile("\"" + java.util.regex.Pattern.quote(Containerd.PID_LABEL)
                + "\"\\s*:\\s*\"(\\d+)\"").matcher(infoJson);
        return m.find() ? io.isobench.util.Pid.parse(m.group(1)) : -1;
    }

    /** Processes whose command line names {@code config} (containerd --config CONFIG). */
    private static List<Long> daemonPids(String config) {
        List<Long> pids = new ArrayList<>();
        try (var procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    String cmd = Files.readString(p.resolve("cmdline")).replace('\0', ' ');
                    if (cmd.contains("--config " + config)) {
                        pids.add(Long.parseLong(p.getFileName().toString()));
                    }
                } catch (IOException ignored) {
                    // gone
                }
            }
        } catch (IOException ignored) {
            // no /proc
        }
        return pids;
    }
}
