package io.isobench.runtime.incus;

import io.isobench.proc.Proc;
import io.isobench.proc.ProcResult;
import io.isobench.runtime.HostSetup;
import io.isobench.util.Tools;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code setup} step of the Incus family, run only with the user's consent ({@code --yes} or a yes on a
 * terminal): on Debian 12 adds bookworm-backports (the only Debian 12 suite with incus) in {@link #SOURCES}, installs
 * the {@code incus} package (from backports there, from the main archive on Debian 13 and Ubuntu), starts {@code incusd}
 * where no service manager runs it (detached, log in the root-only {@link #LOG_DIR}; left running at exit, like the
 * Docker engine, with the command that stops it printed), and makes isobench's {@code dir} storage pool
 * ({@link Incus#POOL}). No {@code incus admin init}: no bridge, no default-profile change; isobench launches its
 * instances with {@code --no-profiles} on its own pool.
 */
final class IncusSetup implements HostSetup {
    static final IncusSetup INSTANCE = new IncusSetup();
    static final Path SOURCES = Path.of("/etc/apt/sources.list.d/isobench-backports.list");
    static final Path KEYRING = Path.of("/usr/share/keyrings/debian-archive-keyring.gpg");
    static final Path LOG_DIR = Path.of("/var/log/isobench-incus");
    static final Path OS_RELEASE = Path.of("/etc/os-release");
    static final Duration DAEMON_WAIT = Duration.ofSeconds(60);

    private IncusSetup() {
    }

    @Override
    public String title() {
        return "Incus";
    }

    /** The fields of an os-release file (ID, VERSION_CODENAME...), quotes removed. */
    static Map<String, String> osRelease(String text) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : text.lines().toList()) {
            int eq = line.indexOf('=');
            if (eq > 0 && !line.startsWith("#")) {
                m.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip().replaceAll("^[\"']|[\"']$", ""));
            }
        }
        return m;
    }

    /** The backports suite to add for incus on this OS ("bookworm-backports" on Debian 12), or null when the main archive has it. */
    static String backportsSuite(Map<String, String> os) {
        return "debian".equals(os.get("ID")) && "bookworm".equals(os.get("VERSION_CODENAME")) ? "bookworm-backports" : null;
    }

    /** The sources line for {@code suite}, signed by Debian's archive keyring. */
    static String sourcesLine(String suite) {
        return "deb [signed-by=" + KEYRING + "] http://deb.debian.org/debian " + suite + " main";
    }

    private static String suite() {
        try {
            return backportsSuite(osRelease(Files.readString(OS_RELEASE)));
        } catch (IOException e) {
            return null;
        }
    }

    /** incusd: on PATH, or where Debian's package puts it (its systemd unit starts it from there). */
    static String incusd() {
        String d = Tools.which("incusd");
        if (d != null) {
            return d;
        }
        for (String p : List.of("/usr/libexec/incus/incusd", "/usr/lib/incus/incusd", "/opt/incus/bin/incusd")) {
            if (Files.isExecutable(Path.of(p))) {
                return p;
            }
        }
        return null;
    }

    @Override
    public List<String> plan() {
        List<String> l = new ArrayList<>();
        boolean installed = Tools.which("incus") != null;
        String suite = suite();
        if (!installed) {
            if (suite != null && !Files.exists(SOURCES)) {
                l.add("add " + suite + " to apt's sources (writes " + SOURCES + ": " + sourcesLine(suite) + ")");
            }
            l.add("apt-get install " + (suite != null ? "-t " + suite + " " : "") + "incus");
        }
        if (!installed || !Incus.running()) {
            l.add("start incusd where no service manager runs it (detached, log in " + LOG_DIR + ")");
        }
        if (!installed || !Incus.running() || !Incus.poolExists()) {
            l.add("make the storage pool '" + Incus.POOL + "' (dir driver) if it is missing");
        }
        return l;
    }

    @Override
    public boolean apply(PrintStream err) {
        if (!"root".equals(System.getProperty("user.name"))) {
            err.println("isobench: Incus setup needs root; skipping it");
            return false;
        }
        if (Tools.which("incus") == null && !install(err)) {
            return false;
        }
        if (!Incus.running() && !startDaemon(err)) {
            return false;
        }
        if (!Incus.poolExists()) {
            ProcResult r = Incus.call("storage", "create", Incus.POOL, "dir");
            if (!r.ok()) {
                err.println("isobench: could not make the Incus storage pool: " + r.failureSummary());
                return false;
            }
            err.println("isobench: made the Incus storage pool '" + Incus.POOL + "' (dir); undo: incus storage delete " + Incus.POOL);
        }
        return true;
    }

    private static boolean install(PrintStream err) {
        String suite = suite();
        Map<String, String> env = Map.of("DEBIAN_FRONTEND", "noninteractive");
        if (suite != null && !Files.exists(SOURCES)) {
            try {
                Path tmp = SOURCES.resolveSibling(SOURCES.getFileName() + ".tmp");
                Files.writeString(tmp, "# Written by isobench setup for the incus package (only " + suite
                        + " has it on this release); delete this file to undo\n" + sourcesLine(suite) + "\n");
                Files.move(tmp, SOURCES, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                err.println("isobench: could not write " + SOURCES + ": " + e.getMessage());
                return false;
            }
            err.println("isobench: wrote " + SOURCES + " (" + suite + "); undo: rm " + SOURCES + " && apt-get update");
        }
        err.println("isobench: apt-get update");
        ProcResult up = Proc.of("apt-get", "update", "-q").env(env).timeout(Duration.ofMinutes(5)).run();
        if (!up.ok()) {
            err.println("isobench: apt-get update failed (" + up.failureSummary() + "); trying the install anyway");
        }
        List<String> argv = new ArrayList<>(List.of("apt-get", "install", "-y", "-q", "--no-install-recommends"));
        if (suite != null) {
            argv.addAll(List.of("-t", suite));
        }
        argv.add("incus");
        err.println("isobench: " + String.join(" ", argv));
        ProcResult r = Proc.of(argv).env(env).timeout(Duration.ofMinutes(20)).run();
        if (!r.ok() || Tools.which("incus") == null) {
            err.println("isobench: installing incus failed: " + r.failureSummary());
            return false;
        }
        err.println("isobench: installed incus; undo: apt-get purge incus incus-base incus-client && apt-get autoremove");
        return true;
    }

    /**
     * Starts incusd detached (own session: Ctrl-C on isobench does not stop it), log in {@link #LOG_DIR} (mode 0700),
     * and waits until it answers. It keeps running after isobench exits, as a service would.
     */
    static boolean startDaemon(PrintStream err) {
        String incusd = incusd();
        if (incusd == null) {
            err.println("isobench: incusd not found (apt-get install incus)");
            return false;
        }
        try {
            Files.createDirectories(LOG_DIR);
            Files.setPosixFilePermissions(LOG_DIR, PosixFilePermissions.fromString("rwx------"));
            Path log = LOG_DIR.resolve("incusd.log");
            List<String> argv = new ArrayList<>();
            if (Tools.which("setsid") != null) {
                argv.add(Tools.which("setsid"));
            }
            argv.addAll(List.of(incusd, "--group", "incus-admin", "--logfile", log.toString()));
            Process p = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(LOG_DIR.resolve("incusd.out").toFile()))
                    .start();
            ProcResult ready = Proc.of(incusd, "waitready", "--timeout", Long.toString(DAEMON_WAIT.toSeconds()))
                    .timeout(DAEMON_WAIT.plusSeconds(5)).run();
            if (!ready.ok() || !p.isAlive()) {
                err.println("isobench: incusd did not come up (" + ready.failureSummary() + "); see " + LOG_DIR);
                return false;
            }
            err.println("isobench: started incusd (pid " + p.pid() + "), log " + log + "; stop it with: incus admin shutdown");
            return true;
        } catch (IOException e) {
            err.println("isobench: could not start incusd: " + e.getMessage());
            return false;
        }
    }
}
