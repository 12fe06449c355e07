package io.isobench.runtime.engine;

import io.isobench.proc.Proc;
import io.isobench.proc.ProcResult;
import io.isobench.runtime.HostSetup;
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
 * leave the host's network alone ({@code --iptables=false --ip-forward=false --bridge=none}; isobench
 * runs containers with {@code --network=none}, or on its own bridge network when a workload needs ports: that needs
 * neither NAT nor forwarding), logging to {@code /var/log/isobench-dockerd.log}, and registers gVisor's runsc in
 * {@code /etc/docker/daemon.json} (see {@link #runscEntries()}) by merging into the existing file, after a backup,
 * then SIGHUP.
 */
public final class DockerEngine {
    public static final List<String> SAFE_FLAGS = List.of("--iptables=false", "--ip-forward=false", "--bridge=none");
    public static final Path LOG = Path.of("/var/log/isobench-dockerd.log");
    static final Path PID_FILE = Path.of("/var/run/docker.pid");
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);

    /** The `setup` step for every docker:* runtime: {@link #plan()} and {@link #setUp()} on the host's engine. */
    static final HostSetup SETUP = new HostSetup() {
        @Override
        public String title() {
            return "Docker engine";
        }

        @Override
        public List<String> plan() {
            return new DockerEngine(System.err).plan();
        }

        @Override
        public boolean apply(PrintStream err) {
            return new DockerEngine(err).setUp();
        }
    };

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

    /**
     * Where every engine-registered runsc writes a Sentry panic ({@code --panic-log}; gVisor has no per-container
     * name for it, so all of them append to one file). Without it a container whose Sentry panicked fails with exit
     * code 2 and no output; {@link DockerDriver} shows what was appended while a failed container ran.
     */
    public static final Path RUNSC_PANIC_LOG = Path.of("/var/log/isobench/runsc-panic.log");
    static final String PANIC_LOG_ARG = "--panic-log=" + RUNSC_PANIC_LOG;

    /**
     * The runsc entries isobench needs under "runtimes" (each also with {@link #PANIC_LOG_ARG}): {@code runsc} with {@code --network=none} (what every launch
     * without ports uses: runsc's default netstack refuses to start on some hosts, see below), and two variants for
     * launches whose workload needs ports, tried in this order by docker:runsc's probe: {@code runsc-netstack}
     * ({@code --network=sandbox}, gVisor's own TCP/IP stack) and {@code runsc-hostinet} ({@code --network=host}: the
     * host kernel's TCP/IP inside the container's network namespace; old runsc releases refuse netstack on new
     * kernels). All three use runsc's default platform, so they differ only in the network flag.
     */
    public static Map<String, Map<String, Object>> runscEntries() {
        String runsc = Tools.which("runsc");
        String path = runsc == null ? "/usr/bin/runsc" : runsc;
        Map<String, Map<String, Object>> all = new LinkedHashMap<>();
        for (String[] e : new String[][]{{"runsc", path, "--network=none"}, {"runsc-netstack", path, "--network=sandbox"},
                {"runsc-netstack-hidden", RUNSC_SYSCTL_HIDDEN.toString(), "--network=sandbox"},
                {"runsc-hostinet", path, "--network=host"}}) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("path", e[1]);
            m.put("runtimeArgs", List.of(e[2], PANIC_LOG_ARG));
            all.put(e[0], m);
        }
        // platform and version variants (runsc-ptrace, runsc@20240729-systrap...), each with its two ports variants
        io.isobench.runtime.oci.RunscDriver.engineVariants().forEach((name, exeAndFlag) -> {
            for (String[] net : new String[][]{{"", "--network=none"}, {DockerDriver.NETSTACK_SUFFIX, "--network=sandbox"},
                    {DockerDriver.HOSTINET_SUFFIX, "--network=host"}}) {
                List<String> args = new ArrayList<>();
                if (!exeAndFlag.get(1).isEmpty()) {
                    args.add(exeAndFlag.get(1));
                }
                args.add(net[1]);
                args.add(PANIC_LOG_ARG);
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("path", exeAndFlag.get(0));
                m.put("runtimeArgs", List.copyOf(args));
                all.putIfAbsent(name + net[0], m);
            }
        });
        return all;
    }

    /**
     * The engine runtime {@code runsc-netstack-hidden}'s executable: runsc started in a private mount namespace where
     * /proc/sys/net is an empty tmpfs. Old runsc releases take a sysctl file under /proc/sys/net/core as proof of the
     * root network namespace and refuse their netstack; kernels now show those files in every namespace. Hiding them
     * from runsc's host processes defeats only that test (the sandbox still joins the container's namespace).
     */
    public static final Path RUNSC_SYSCTL_HIDDEN = Path.of("/usr/local/lib/isobench/runsc-sysctl-hidden");

    /** Writes {@link #RUNSC_SYSCTL_HIDDEN} for the runsc found now (idempotent); false when there is no runsc. */
    public static boolean installRunscWrapper() throws IOException {
        String runsc = Tools.which("runsc");
        if (runsc == null) {
            return false;
        }
        if (!runsc.matches("[/A-Za-z0-9._+-]+")) {
            throw new IOException("unexpected characters in runsc's path: " + runsc);
        }
        String script = "#!/bin/sh\n"
                + "# Written by isobench setup: " + runsc + " with /proc/sys/net hidden from its host processes (see\n"
                + "# isobench's README, Docker section). Registered with dockerd as runtime runsc-netstack-hidden.\n"
                + "exec unshare --mount --propagation private /bin/sh -c "
                + "'mount -t tmpfs -o size=4k,mode=0555 isobench-hidden-net-sysctl /proc/sys/net && exec \"$@\"' "
                + "runsc-sysctl-hidden " + runsc + " \"$@\"\n";
        if (Files.exists(RUNSC_SYSCTL_HIDDEN) && Files.readString(RUNSC_SYSCTL_HIDDEN).equals(script)) {
            return true;
        }
        Files.createDirectories(RUNSC_SYSCTL_HIDDEN.getParent());
        Path tmp = RUNSC_SYSCTL_HIDDEN.resolveSibling(RUNSC_SYSCTL_HIDDEN.getFileName() + ".tmp");
        Files.writeString(tmp, script);
        Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.move(tmp, RUNSC_SYSCTL_HIDDEN, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return true;
    }

    /**
     * What {@link #registerRunsc()} changed: whether the file existed before, and where its previous version was
     * copied (null when there was no file: then undoing is deleting it; no empty marker file is written, because
     * an empty daemon.json put back by hand is not the same as no file).
     */
    public record Change(boolean existed, Path backup) {
    }

    /**
     * Makes sure daemon.json registers the runsc entries ({@link #runscEntries()}): reads the file (if any), adds
     * or updates those entries under "runtimes" keeping every other key, copies the old file next to it and writes
     * the merged one. Returns null when nothing had to change. A file that is not a JSON object is left alone
     * (IOException).
     */
    public Change registerRunsc() throws IOException {
        installRunscWrapper();
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
        boolean changed = false;
        for (var e : runscEntries().entrySet()) {
            if (!e.getValue().equals(runtimes.get(e.getKey()))) {
                runtimes.put(e.getKey(), e.getValue());
                changed = true;
            }
        }
        if (!changed) {
            return null;
        }
        conf.put("runtimes", runtimes);
        Files.createDirectories(daemonJson.toAbsolutePath().getParent());
        Path backup = null;
        if (existed) {
            backup = daemonJson.resolveSibling(daemonJson.getFileName() + ".isobench-backup-"
                    + Instant.now().getEpochSecond());
            Files.copy(daemonJson, backup, StandardCopyOption.COPY_ATTRIBUTES, StandardCopyOption.REPLACE_EXISTING);
        }
        Path tmp = daemonJson.resolveSibling(daemonJson.getFileName() + ".isobench-tmp");
        Files.writeString(tmp, Json.pretty(conf) + "\n");
        Files.move(tmp, daemonJson, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return new Change(existed, backup);
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
                Change change = registerRunsc();
                if (change != null) {
                    err.println("isobench: registered " + String.join(", ", runscEntries().keySet()) + " in " + daemonJson
                            + (change.backup() == null ? " (there was no such file before: delete it to undo)"
                            : " (previous version: " + change.backup() + ")"));
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
            l.add("register runsc (--network=none), runsc-netstack, runsc-netstack-hidden (writes " + RUNSC_SYSCTL_HIDDEN + ") and runsc-hostinet (for workloads with ports), "
                    + "and each runsc's platform and version variants (runsc-<platform>, runsc@<version>[-<platform>], each with -netstack and -hostinet) in "
                    + daemonJson + " if missing (merged, old file backed up)");
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
