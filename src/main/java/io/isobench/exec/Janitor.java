package io.isobench.exec;


import io.isobench.image.ImageBuilder;
import io.isobench.proc.Proc;
import io.isobench.runtime.Leftovers;
import io.isobench.runtime.RuntimeDriver;
import io.isobench.runtime.Runtimes;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Removes what an isobench process that died without running its cleanup (SIGKILL, OOM kill, power loss) left
 * behind: its work dir under the temp dir, its network namespaces, its ftrace instances and private tracefs mount, and
 * whatever each runtime family says is its own ({@link RuntimeDriver#leftovers()}: OCI containers whose bundles lived
 * in the work dir, LXC containers, labelled Docker containers and networks, QEMU processes...). Only things provably
 * owned by a dead isobench process are touched: work dirs are named isobench-PID-*, and a family removes only what
 * lies in such a dir or is labelled with a dead pid.
 */
public final class Janitor {
    private static final Pattern WORK_DIR = Pattern.compile("isobench-(\\d+)-\\d+");

    private Janitor() {
    }

    /** Returns a line per thing removed (for the user). */
    public static List<String> sweep(PrintStream err) {
        List<String> done = new ArrayList<>();
        List<Path> dead = deadWorkDirs();
        List<Leftovers> families = Runtimes.known().stream().map(RuntimeDriver::leftovers).flatMap(Optional::stream)
                .distinct().toList();
        // e.g. LXC: lxc-stop talks to the container's monitor, which may live in one of the namespaces swept below
        families.stream().filter(Leftovers::beforeNetnsSweep).forEach(f -> done.addAll(f.sweep(dead)));
        for (String ns : io.isobench.runtime.NetNs.sweepDead()) {
            done.add("network namespace " + ns);
        }
        done.addAll(io.isobench.measure.Tracefs.sweepDead());
        families.stream().filter(f -> !f.beforeNetnsSweep()).forEach(f -> done.addAll(f.sweep(dead)));
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

    /** Whether {@code pid} exists and is not a zombie (PID 1 here may be slow to reap what it inherits). */
    public static boolean running(long pid) {
        return Proc.running(pid);
    }
}
