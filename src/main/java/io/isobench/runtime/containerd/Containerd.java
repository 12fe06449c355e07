package io.isobench.runtime.containerd;

import io.isobench.proc.Cleanup;
import io.isobench.proc.Proc;
import io.isobench.proc.ProcResult;
import io.isobench.proc.WorkDir;
import io.isobench.runtime.RuntimeDriver.LaunchException;
import io.isobench.util.Tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The containerd daemon isobench's {@code ctr} calls talk to: the host's own when its socket answers (dockerd's or a
 * system containerd at {@link #SYSTEM_SOCKET}), else a standalone containerd started once per isobench process with a
 * config and state in a root-only directory of the work dir and its root (image content) in the scratch dir, stopped at exit (a {@link Cleanup} action registered
 * before the sandboxes', so it runs after them).
 */
final class Containerd {
    static final Path SYSTEM_SOCKET = Path.of("/run/containerd/containerd.sock");
    /** isobench's own containerd namespace: nothing of another user's is listed or touched. */
    static final String NAMESPACE = "isobench";
    static final String PID_LABEL = "io.isobench.pid";
    static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(5);
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(20);
    /** The standalone daemon's directory inside a work dir (the leftovers sweep finds it there). */
    static final String DIR = "containerd";

    private static Containerd instance;

    final String address;
    final Path state;
    final boolean standalone;
    /** Container ids this process ran here (swept once more at exit: {@link ContainerdLeftovers#removeOwn}). */
    final java.util.Set<String> launched = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Image refs this process found or imported here ({@link ContainerdImage#ensure}). */
    final java.util.Set<String> images = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private Containerd(String address, Path state, boolean standalone) {
        this.address = address;
        this.state = state;
        this.standalone = standalone;
    }

    /** The daemon this process uses: found or started on first call. */
    static synchronized Containerd get() throws LaunchException {
        if (instance == null) {
            Containerd c = answers(SYSTEM_SOCKET.toString()) ? new Containerd(SYSTEM_SOCKET.toString(),
                    Path.of("/run/containerd"), false) : startStandalone();
            // registered after a standalone daemon's stop, so it runs before it: a launch racing the shutdown hook
            // can leave a task that no sandbox teardown saw (found so on a Ctrl-C during 8 concurrent launches)
            Cleanup.register("containerd containers of this isobench", () -> ContainerdLeftovers.removeOwn(c.address, c.launched));
            instance = c;
        }
        return instance;
    }

    String description() {
        return standalone ? "standalone containerd started by isobench (config and state in its work dir, root in its scratch dir)"
                : "running containerd at " + address;
    }

    /** {@code ctr --address A -n isobench ARGS}. */
    List<String> ctr(String... args) {
        return ctrAt(address, args);
    }

    static List<String> ctrAt(String address, String... args) {
        String bin = Tools.which("ctr");
        List<String> l = new ArrayList<>(List.of(bin == null ? "ctr" : bin, "--address", address, "-n", NAMESPACE));
        l.addAll(List.of(args));
        return l;
    }

    /** Where the v2 shim keeps a task's bundle (its shim.pid too) while the task exists. */
    Path taskDir(String name) {
        return state.resolve("io.containerd.runtime.v2.task").resolve(NAMESPACE).resolve(name);
    }

    /** True when a containerd serves {@code address} (ctr version shows a server part) within a few seconds. */
    static boolean answers(String address) {
        if (!Files.exists(Path.of(address)) || Tools.which("ctr") == null) {
            return false;
        }
        ProcResult r = Proc.of(Tools.which("ctr"), "--address", address, "version").timeout(ANSWER_TIMEOUT).run();
        return r.ok() && r.stdout().contains("Server:");
    }

    /**
     * The standalone daemon's config: state and sockets inside {@code dir}, the root (image content and snapshots:
     * hundreds of MB) inside {@code bulk} on a disk file system, no CRI plugin.
     */
    static String config(Path dir, Path bulk) {
        String d = dir.toAbsolutePath().toString();
        String r = bulk.toAbsolutePath().toString();
        for (String x : List.of(d, r)) {
            if (!x.matches("[A-Za-z0-9_./-]+")) {
                throw new IllegalArgumentException("unexpected characters in " + x);
            }
        }
        return "version = 2\n"
                + "root = \"" + r + "/root\"\n"
                + "state = \"" + d + "/state\"\n"
                + "disabled_plugins = [\"io.containerd.grpc.v1.cri\"]\n"
                + "[grpc]\n  address = \"" + d + "/containerd.sock\"\n"
                + "[ttrpc]\n  address = \"" + d + "/containerd.sock.ttrpc\"\n"
                + "[debug]\n  address = \"" + d + "/debug.sock\"\n";
    }

    private static Containerd startStandalone() throws LaunchException {
        String bin = Tools.which("containerd");
        if (bin == null) {
            throw new LaunchException("no containerd answers at " + SYSTEM_SOCKET
                    + " and containerd is not installed (apt-get install containerd)");
        }
        Path dir = WorkDir.get().resolve(DIR);
        Path bulk = WorkDir.scratch().resolve(DIR); // image content and snapshots: on disk, not in /run's tmpfs
        Process p;
        try {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            Files.createDirectories(bulk);
            Files.setPosixFilePermissions(bulk, PosixFilePermissions.fromString("rwx------"));
            Files.writeString(dir.resolve("config.toml"), config(dir, bulk));
            p = new ProcessBuilder(bin, "--config", dir.resolve("config.toml").toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("containerd.log").toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        } catch (IOException e) {
            throw new LaunchException("cannot start a standalone containerd: " + e.getMessage(), e);
        }
        Cleanup.register("standalone containerd " + dir, () -> stop(p));
        String address = dir.resolve("containerd.sock").toString();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline && p.isAlive()) {
            if (Files.exists(Path.of(address)) && answers(address)) {
                return new Containerd(address, dir.resolve("state"), true);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        stop(p);
        String log = "";
        try {
            List<String> lines = Files.readAllLines(dir.resolve("containerd.log"));
            log = lines.isEmpty() ? "" : ": " + lines.get(lines.size() - 1);
        } catch (IOException ignored) {
            // no log
        }
        throw new LaunchException("a standalone containerd did not answer within 20 s" + log);
    }

    private static void stop(Process p) {
        p.destroy();
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
