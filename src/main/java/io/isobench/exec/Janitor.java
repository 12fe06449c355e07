package io.isobench.exec;

import io.isobench.image.ImageBuilder;
import io.isobench.proc.Proc;
import io.isobench.proc.ProcResult;
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
 * behind: its work dir under the temp dir, the OCI containers whose bundles lived there and the QEMU processes
 * whose files (initramfs, console log) are there. Only things provably owned by a dead isobench process are
 * touched: work dirs are named isobench-PID-*, and a container or VM is removed only when its bundle or files are
 * inside such a dir.
 */
public final class Janitor {
    private static final Pattern WORK_DIR = Pattern.compile("isobench-(\\d+)-\\d+");
    private static final Duration CLI_TIMEOUT = Duration.ofSeconds(20);

    private Janitor() {
    }

    /** Returns a line per thing removed (for the user). */
    public static List<String> sweep(PrintStream err) {
        List<String> done = new ArrayList<>();
        for (String ns : io.isobench.runtime.NetNs.sweepDead()) {
            done.add("network namespace " + ns);
        }
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
            return done;
        }
        if (dead.isEmpty()) {
            return done;
        }
        for (long pid : io.isobench.runtime.QemuDriver.killOrphans(dead)) {
            done.add("QEMU process " + pid);
        }
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
}
