package io.isobench.exec;

import io.isobench.image.ImageBuilder;
import io.isobench.proc.Proc;
import io.isobench.proc.ProcResult;
import io.isobench.runtime.Cgroups;
import io.isobench.runtime.DockerDriver;
import io.isobench.runtime.DockerNetwork;
import io.isobench.util.Tools;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Removes what an isobench process that died without running its cleanup (SIGKILL, OOM kill, power loss) left
 * behind: its work dir under the temp dir, the OCI containers whose bundles lived there, its LXC containers (their
 * lxcpath is in the work dir), its Docker containers (labelled {@code io.isobench.pid=PID}), the containerd tasks a
 * failed docker:runsc start left (their ids are in cidfiles in the work dir) and its Docker bridge network. Only
 * things provably owned by a dead isobench process are touched: work dirs are named isobench-PID-*, a container is
 * removed only when its bundle, lxcpath or cidfile is inside such a dir or its label names a dead pid.
 */
public final class Janitor {
    private static final Pattern WORK_DIR = Pattern.compile("isobench-(\\d+)-\\d+");
    private static final Duration CLI_TIMEOUT = Duration.ofSeconds(20);

    private Janitor() {
    }

    /** Returns a line per thing removed (for the user). */
    public static List<String> sweep(PrintStream err) {
        List<String> done = new ArrayList<>();
        List<Path> dead = deadWorkDirs();
        // LXC first: lxc-stop talks to the container's monitor, which may live in one of the namespaces swept below
        sweepLxc(dead, done);
        for (String ns : io.isobench.runtime.NetNs.sweepDead()) {
            done.add("network namespace " + ns);
        }
        sweepDocker(dead, done);
        if (dead.isEmpty()) {
            return done;
        }
        sweepOci(dead, done);
        for (Path d : dead) {
            try {
                ImageBuilder.deleteTree(d);
                done.add("work dir " + d);
            } catch (RuntimeException e) {
                err.println("isobench: cannot remove stale " + d + ": " + e.getMessage());
            }
        }
        return done;
    }

    /** Work dirs (isobench-PID-*) under the temp dir whose PID is not alive. */
    static List<Path> deadWorkDirs() {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        List<Path> dead = new ArrayList<>();
        try (var s = Files.list(tmp)) {
            for (Path p : s.toList()) {
                Matcher m = WORK_DIR.matcher(p.getFileName().toString());
                if (m.matches() && Files.isDirectory(p)) {
                    long pid = Long.parseLong(m.group(1));
                    if (ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true)) {
                        dead.add(p);
                    }
                }
            }
        } catch (IOException e) {
            return List.of();
        }
        return dead;
    }

    private static void sweepOci(List<Path> dead, List<String> done) {
        for (String rt : List.of("runc", "runsc", "crun")) {
            if (Tools.which(rt) == null) {
                continue;
            }
            ProcResult r = Proc.of(rt, "list").timeout(CLI_TIMEOUT).run();
            if (!r.ok()) {
                continue;
            }
            for (String line : r.stdout().lines().skip(1).toList()) {
                String[] f = line.strip().split("\\s+");
                if (f.length < 4 || !f[0].startsWith("isobench-")) {
                    continue;
                }
                String id = f[0];
                boolean ours = dead.stream().anyMatch(d -> line.contains(d.toString() + "/"));
                if (ours) {
                    Proc.of(rt, "kill", id, "KILL").timeout(CLI_TIMEOUT).run();
                    Proc.of(rt, "delete", "--force", id).timeout(CLI_TIMEOUT).run();
                    done.add(rt + " container " + id);
                }
            }
        }
    }

    /** Whether {@code pid} exists and is not a zombie (PID 1 here may be slow to reap what it inherits). */
    public static boolean running(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return !stat.substring(stat.lastIndexOf(')') + 1).strip().startsWith("Z");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Docker containers labelled with a dead isobench pid of this pid namespace ({@code docker rm -f}), containerd tasks of the cidfiles in
     * dead work dirs that Docker no longer knows (a failed runsc start), then the dead processes' bridge networks.
     * Nothing when no engine answers.
     */
    private static void sweepDocker(List<Path> dead, List<String> done) {
        if (Tools.which("docker") == null || !Files.exists(Path.of("/var/run/docker.sock"))) {
            return;
        }
        String label = DockerNetwork.PID_LABEL;
        ProcResult ps = Proc.of(Tools.which("docker"), "ps", "-a", "--filter", "label=" + label, "--filter",
                "label=" + DockerNetwork.PIDNS_LABEL + "=" + DockerNetwork.pidNamespace(), "--format",
                "{{.ID}} {{.Label \"" + label + "\"}} {{.Names}}").timeout(CLI_TIMEOUT).run();
        if (!ps.ok()) {
            return; // no engine running: its containers are not running either
        }
        for (String line : ps.stdout().lines().toList()) {
            String[] f = line.strip().split(" ");
            if (f.length == 3 && f[1].matches("\\d+") && !DockerDriver.alive(Long.parseLong(f[1]))
                    && Proc.of(Tools.which("docker"), "rm", "-f", f[0]).timeout(CLI_TIMEOUT).run().ok()) {
                done.add("docker container " + f[2]);
            }
        }
        for (Path d : dead) {
            try (var files = Files.list(d)) {
                for (Path cid : files.filter(p -> p.getFileName().toString().endsWith(".cid")).toList()) {
                    if (DockerDriver.removeLeftTask(cid)) {
                        done.add("containerd task of " + cid.getFileName());
                    }
                }
            } catch (IOException ignored) {
                // the dir went meanwhile
            }
        }
        for (String n : DockerNetwork.sweepDead()) {
            done.add("docker network " + n);
        }
    }

    /**
     * LXC containers whose lxcpath ({@code WORKDIR/lxc/NAME}, one per container) is in a dead work dir: {@code lxc-stop -k}; when that
     * cannot reach the container (its command socket lived in a network namespace that is gone), the processes of
     * its payload and monitor cgroups are killed.
     */
    private static void sweepLxc(List<Path> dead, List<String> done) {
        for (Path d : dead) {
            Path lxc = d.resolve("lxc");
            if (!Files.isDirectory(lxc)) {
                continue;
            }
            try (var s = Files.list(lxc)) {
                for (Path path : s.filter(Files::isDirectory).toList()) {
                    String name = path.getFileName().toString();
                    List<Long> pids = new ArrayList<>(Cgroups.pids("/lxc.payload." + name));
                    pids.addAll(Cgroups.pids("/lxc.monitor." + name));
                    if (pids.isEmpty()) {
                        continue;
                    }
                    if (Tools.which("lxc-stop") != null) {
                        Proc.of(Tools.which("lxc-stop"), "-k", "-n", name, "-P", path.toString()).timeout(CLI_TIMEOUT).run();
                    }
                    for (long pid : pids) {
                        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                    }
                    long end = System.nanoTime() + CLI_TIMEOUT.toNanos();
                    while (pids.stream().anyMatch(Janitor::running) && System.nanoTime() < end) {
                        try {
                            Thread.sleep(50);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            break;
                        }
                    }
                    Cgroups.removeIfEmpty("/lxc.payload." + name);
                    Cgroups.removeIfEmpty("/lxc.monitor." + name);
                    done.add("lxc container " + name);
                }
            } catch (IOException ignored) {
                // the dir went meanwhile
            }
        }
    }
}
