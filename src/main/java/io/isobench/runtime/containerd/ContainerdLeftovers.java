package io.isobench.runtime.containerd;

import io.isobench.proc.Proc;
import io.isobench.proc.ProcResult;
import io.isobench.runtime.Leftovers;
import io.isobench.util.Tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a dead isobench left in containerd: in the running daemon's {@code isobench} namespace, containers labelled
 * {@code io.isobench.pid} with a dead pid (task killed and deleted, then the container); a standalone containerd whose
 * socket is in a dead work dir gets the same for all its containers, then is stopped.
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

    /** At exit: containers of isobench's namespace at {@code address} labelled with this process's pid. */
    static void removeOwn(String address) {
        long self = ProcessHandle.current().pid();
        ProcResult ls = Proc.of(Containerd.ctrAt(address, "container", "list")).timeout(Containerd.CALL_TIMEOUT).run();
        if (!ls.ok()) {
            return;
        }
        for (String name : names(ls.stdout())) {
            if (labelPid(address, name) == self) {
                Proc.of(Containerd.ctrAt(address, "task", "kill", "-s", "SIGKILL", name)).timeout(Containerd.CALL_TIMEOUT).run();
                Proc.of(Containerd.ctrAt(address, "task", "delete", "--force", name)).timeout(Containerd.CALL_TIMEOUT).run();
                Proc.of(Containerd.ctrAt(address, "container", "delete", name)).timeout(Containerd.CALL_TIMEOUT).run();
            }
        }
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
        return done;
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
