package io.isobench.runtime.host;

import io.isobench.proc.Proc;
import io.isobench.runtime.Cgroups;
import io.isobench.runtime.Leftovers;
import io.isobench.runtime.Trials;
import io.isobench.util.Tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * LXC containers (lxc and lxc-system) whose lxcpath ({@code WORKDIR/lxc/NAME}, one per container, a real directory, not a
 * symlink) is in a dead work dir: {@code lxc-stop -k -P LXCPATH}; when that cannot reach the container (its command
 * socket lived in a network namespace that is gone), the processes of its payload and monitor cgroups are killed, but
 * only when its monitor's command line names that lxcpath (a container of the same name elsewhere is never touched). Runs before the janitor deletes dead namespaces:
 * lxc-stop talks to the container's monitor, which may live in one of them.
 */
enum LxcLeftovers implements Leftovers {
    INSTANCE;

    @Override
    public boolean beforeNetnsSweep() {
        return true;
    }

    /**
     * Whether one of {@code monitors} is LXC's monitor of a container in {@code lxcpath} (its command line, "[lxc
     * monitor] LXCPATH NAME", names it): only then are the cgroups' processes this isobench's container's.
     */
    static boolean monitoredFrom(List<Long> monitors, Path lxcpath) {
        for (long pid : monitors) {
            try {
                String cmd = Files.readString(Path.of("/proc", Long.toString(pid), "cmdline")).replace('\0', ' ');
                if (cmd.contains(" " + lxcpath + " ") || cmd.contains(" " + lxcpath.getParent() + " ")) {
                    return true;
                }
            } catch (IOException | RuntimeException e) {
                // gone
            }
        }
        return false;
    }

    @Override
    public List<String> sweep(List<Path> deadWorkDirs) {
        List<String> done = new ArrayList<>();
        for (Path d : deadWorkDirs) {
            Path lxc = d.resolve("lxc");
            if (!Files.isDirectory(lxc, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            try (var s = Files.list(lxc)) {
                for (Path path : s.filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).toList()) {
                    String name = path.getFileName().toString();
                    if (!name.startsWith("isobench-")) {
                        continue;
                    }
                    List<Long> monitors = Cgroups.pids("/lxc.monitor." + name);
                    List<Long> pids = new ArrayList<>(Cgroups.pids("/lxc.payload." + name));
                    pids.addAll(monitors);
                    if (pids.isEmpty()) {
                        continue;
                    }
                    // asked before lxc-stop, which ends the monitor whose command line proves the container ours
                    boolean ours = monitoredFrom(monitors, path);
                    boolean stopped = false;
                    if (Tools.which("lxc-stop") != null) { // only ever reaches a container of this lxcpath
                        stopped = Proc.of(Tools.which("lxc-stop"), "-k", "-n", name, "-P", path.toString())
                                .timeout(Trials.CLI_TIMEOUT).run().ok();
                    }
                    if (!ours && !stopped) {
                        // a container of the same name elsewhere (another lxcpath) shares these cgroup names: not ours
                        continue;
                    }
                    if (!ours) {
                        pids.clear(); // lxc-stop ended ours; the cgroups' remaining processes are not provably ours
                    }
                    remove(name, pids);
                    done.add("lxc container " + name);
                }
            } catch (IOException ignored) {
                // the dir went meanwhile
            }
        }
        done.addAll(sweepWithoutWorkDir());
        done.addAll(sweepEmptyCgroups());
        return done;
    }

    /**
     * The cgroups LXC made for an isobench container ({@code lxc.payload.NAME}, {@code lxc.monitor.NAME} at the top of
     * every hierarchy) and left empty: its monitor removes them when the container stops, and one killed first (a
     * teardown that timed out on a saturated host, a SIGKILLed run) does not; ten such pairs were left in all ten
     * hierarchies after a 20-container footprint run here. Such a cgroup goes only when it holds no process and no
     * running process names the container (its {@code lxc-start}/{@code lxc-execute -n NAME}, its monitor
     * {@code [lxc monitor] LXCPATH NAME}): a container being started by a live run always has one.
     */
    static List<String> sweepEmptyCgroups() {
        List<String> done = new ArrayList<>();
        Set<String> names = new java.util.TreeSet<>();
        for (String prefix : List.of("lxc.payload.", "lxc.monitor.")) {
            for (String c : Cgroups.topLevel(prefix + "isobench-")) {
                names.add(c.substring(prefix.length()));
            }
        }
        if (names.isEmpty()) {
            return done; // the common case: no /proc scan
        }
        java.util.Collection<String> cmdlines = io.isobench.proc.CommandLines.all().values();
        for (String name : names) {
            if (io.isobench.proc.CommandLines.anyNames(cmdlines, name) || !Cgroups.pids("/lxc.payload." + name).isEmpty()
                    || !Cgroups.pids("/lxc.monitor." + name).isEmpty()) {
                continue;
            }
            Cgroups.removeTreeIfEmpty("/lxc.payload." + name);
            Cgroups.removeTreeIfEmpty("/lxc.monitor." + name);
            if (!Cgroups.topLevel("lxc.payload." + name).contains("lxc.payload." + name)
                    && !Cgroups.topLevel("lxc.monitor." + name).contains("lxc.monitor." + name)) {
                done.add("empty cgroups of lxc container " + name);
            }
        }
        return done;
    }

    /**
     * A container whose work dir is gone (deleted by hand, a reboot of /run's tmpfs without the processes going): its
     * monitor's command line still names the lxcpath inside that work dir, {@code [lxc monitor] LXCPATH NAME}. Only a
     * monitor whose lxcpath lies in an isobench work dir (the root-only state root) of a dead pid, that no longer
     * exists, counts: lxc-stop cannot reach it (no config), so its payload's and monitor's processes are killed.
     */
    static List<String> sweepWithoutWorkDir() {
        List<String> done = new ArrayList<>();
        for (var pr : io.isobench.proc.CommandLines.all().entrySet()) {
            String[] m = monitorOf(pr.getValue());
            if (m == null || Files.exists(Path.of(m[0]), LinkOption.NOFOLLOW_LINKS)
                    || !io.isobench.proc.WorkDir.inDeadWorkDir(m[0])) {
                continue;
            }
            String name = m[1];
            List<Long> pids = new ArrayList<>(Cgroups.pids("/lxc.payload." + name));
            pids.add(pr.getKey());
            remove(name, pids);
            done.add("lxc container " + name + " (its work dir was gone; found by its monitor)");
        }
        return done;
    }

    /** Kills the container's processes {@code pids} (waits at most a CLI timeout), then removes its empty cgroups. */
    private static void remove(String name, List<Long> pids) {
        Proc.killAndWait(pids, Trials.CLI_TIMEOUT);
        Cgroups.removeTreeIfEmpty("/lxc.payload." + name);
        Cgroups.removeTreeIfEmpty("/lxc.monitor." + name);
    }

    /**
     * {lxcpath, name} of an LXC monitor's command line ({@code [lxc monitor] LXCPATH NAME}, NUL-separated or not) for an
     * isobench container, else null.
     */
    static String[] monitorOf(String cmdline) {
        String c = cmdline.replace('\0', ' ').strip();
        String prefix = "[lxc monitor] ";
        if (!c.startsWith(prefix)) {
            return null;
        }
        String[] t = c.substring(prefix.length()).strip().split(" +");
        if (t.length != 2 || !t[0].startsWith("/") || !t[1].startsWith("isobench-") || !t[1].matches("[A-Za-z0-9_.-]+")) {
            return null;
        }
        return t;
    }
}
