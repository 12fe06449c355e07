package io.isobench.setup;

import io.isobench.proc.Proc;
import io.isobench.proc.ProcResult;
import io.isobench.util.Json;
import io.isobench.util.Tools;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The Docker engine on hosts without an init system that starts it: starts {@code dockerd} with flags that
 * leave the host's network alone ({@code --iptables=false --ip-forward=false --bridge=none}; isobench always
 * runs containers with {@code --network=none}), logging to {@code /var/log/isobench-dockerd.log}, and registers
 * gVisor's runsc in {@code /etc/docker/daemon.json} (with {@code --network=none}, the only network mode runsc
 * starts with under Docker here) by merging into the existing file, after a backup, then SIGHUP.
 */
public final class DockerEngine {
    public static final List<String> SAFE_FLAGS = List.of("--iptables=false", "--ip-forward=false", "--bridge=none");
    public static final Path LOG = Path.of("/var/log/isobench-dockerd.log");
    static final Path PID_FILE = Path.of("/var/run/docker.pid");
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);

    private final Path daemonJson;
    private final PrintStream err;

    public DockerEngine(PrintStream err) {
        this(Path.of("/etc/docker/daemon.json"), err);
    }

    public DockerEngine(Path daemonJson, PrintStream err) {
        this.daemonJson = daemonJson;
        this.err = err;
    }

    /** Whether an engine answers {@code docker info} within a few seconds. */
    public static boolean running() {
        return Tools.which("docker") != null
                && Proc.of("docker", "info", "--format", "{{.ServerVersion}}").timeout(CALL_TIMEOUT).run().ok();
    }

    /**
     * Starts dockerd with the safe flags (plus {@code extraArgs}) when no engine answers, detached from
     * isobench, and waits until it answers. Returns its pid, or -1 when an engine was already running.
     */
    public static long startIfNotRunning(Path log, List<String> extraArgs, Duration wait) throws IOException {
        if (running()) {
            return -1;
        }
        String dockerd = Tools.which("dockerd");
        if (dockerd == null) {
            throw new IOException("dockerd not found (apt-get install docker.io)");
        }
        List<String> argv = new ArrayList<>();
        if (Tools.which("setsid") != null) {
            argv.add(Tools.which("setsid")); // its own session: Ctrl-C on isobench does not stop the engine
        }
        argv.add(dockerd);
        argv.addAll(SAFE_FLAGS);
        argv.addAll(extraArgs);
        Files.createDirectories(log.toAbsolutePath().getParent());
        Process p = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IOException("dockerd exited with code " + p.exitValue() + "; see " + log);
            }
            if (Proc.of("docker", "info", "--format", "{{.ServerVersion}}").timeout(Duration.ofSeconds(2)).run().ok()) {
                return p.pid();
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        Proc.killTree(p.toHandle());
        throw new IOException("dockerd did not answer within " + wait.toSeconds() + " s; see " + log);
    }

    /** Stops a dockerd this process started (SIGTERM, which also stops its containerd), waiting up to {@code wait}. */
    public static boolean stop(long pid, Duration wait) {
        var h = ProcessHandle.of(pid);
        if (h.isEmpty()) {
            return true;
        }
        h.get().destroy();
        try {
            h.get().onExit().get(wait.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (Exception e) {
            return !h.get().isAlive();
        }
    }

    /** The runsc entry isobench needs under "runtimes". */
    public static Map<String, Object> runscEntry() {
        String runsc = Tools.which("runsc");
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("path", runsc == null ? "/usr/bin/runsc" : runsc);
        m.put("runtimeArgs", List.of("--network=none"));
        return m;
    }

    /**
     * Makes sure daemon.json registers runsc: reads the file (if any), adds {@code runtimes.runsc} keeping every
     * other key, backs the old file up next to it and writes the merged one. Returns the backup path, or null when
     * nothing had to change. A file that is not a JSON object is left alone (IOException).
     */
    public Path registerRunsc() throws IOException {
        Map<String, Object> conf = new LinkedHashMap<>();
        boolean existed = Files.exists(daemonJson);
        if (existed) {
            String text = Files.readString(daemonJson);
            if (!text.isBlank()) {
                try {
                    conf.putAll(Json.readMap(text));
                } catch (RuntimeException e) {
                    throw new IOException(daemonJson + " is not a JSON object; not touching it: " + e.getMessage());
                }
            }
        }
        Map<String, Object> runtimes = new LinkedHashMap<>();
        Object old = conf.get("runtimes");
        if (old instanceof Map<?, ?> m) {
            m.forEach((k, v) -> runtimes.put(String.valueOf(k), v));
        } else if (old != null) {
            throw new IOException(daemonJson + ": \"runtimes\" is not an object; not touching it");
        }
        Map<String, Object> want = runscEntry();
        if (want.equals(runtimes.get("runsc"))) {
            return null;
        }
        runtimes.put("runsc", want);
        conf.put("runtimes", runtimes);
        Files.createDirectories(daemonJson.toAbsolutePath().getParent());
        Path backup = daemonJson.resolveSibling(daemonJson.getFileName() + ".isobench-backup-"
                + Instant.now().getEpochSecond());
        if (existed) {
            Files.copy(daemonJson, backup, StandardCopyOption.COPY_ATTRIBUTES);
        } else {
            Files.writeString(backup, ""); // records that there was no file before
        }
        Path tmp = daemonJson.resolveSibling(daemonJson.getFileName() + ".isobench-tmp");
        Files.writeString(tmp, Json.pretty(conf) + "\n");
        Files.move(tmp, daemonJson, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return backup;
    }

    /** Asks a running dockerd to reload daemon.json (runtimes are reloaded on SIGHUP). */
    public static boolean reload() {
        try {
            String pid = Files.readString(PID_FILE).strip();
            return Proc.of("kill", "-HUP", pid).timeout(CALL_TIMEOUT).run().ok();
        } catch (IOException e) {
            return false;
        }
    }

    /** The `setup` step: start the engine when it is down, register runsc, reload. Returns false on a problem. */
    public boolean setUp() {
        if (Tools.which("dockerd") == null) {
            err.println("isobench: docker.io is not installed; skipping the Docker engine step");
            return true;
        }
        boolean ok = true;
        if (Tools.which("runsc") != null) {
            try {
                Path backup = registerRunsc();
                if (backup != null) {
                    err.println("isobench: registered runsc in " + daemonJson + (Files.size(backup) == 0
                            ? " (there was no such file before; empty marker " + backup + ")"
                            : " (previous version: " + backup + ")"));
                    if (running() && !reload()) {
                        err.println("isobench: could not send SIGHUP to dockerd; restart it to use docker:runsc");
                        ok = false;
                    }
                }
            } catch (IOException e) {
                err.println("isobench: " + e.getMessage());
                ok = false;
            }
        }
        try {
            long pid = startIfNotRunning(LOG, List.of(), Duration.ofSeconds(30));
            if (pid > 0) {
                err.println("isobench: started dockerd (pid " + pid + ", " + String.join(" ", SAFE_FLAGS)
                        + "), log " + LOG + "; stop it with: kill $(cat " + PID_FILE + ")");
            }
        } catch (IOException e) {
            err.println("isobench: could not start dockerd: " + e.getMessage());
            ok = false;
        }
        return ok;
    }

    /** For messages: what {@link #setUp()} would do. */
    public List<String> plan() {
        List<String> l = new ArrayList<>();
        if (Tools.which("dockerd") == null) {
            return l;
        }
        if (Tools.which("runsc") != null) {
            l.add("register runsc (--network=none) in " + daemonJson + " if missing (merged, old file backed up)");
        }
        if (!running()) {
            l.add("start dockerd " + String.join(" ", SAFE_FLAGS) + " (log " + LOG + ")");
        }
        return l;
    }

    /** For tests and doctor: the result of {@code docker info} in one line, or why it failed. */
    static String describe() {
        ProcResult r = Proc.of("docker", "info", "--format", "{{.ServerVersion}}").timeout(CALL_TIMEOUT).run();
        return r.ok() ? r.stdout().strip() : r.failureSummary();
    }
}
