package io.isobench.runtime.incus;

import io.isobench.proc.Proc;
import io.isobench.proc.ProcResult;
import io.isobench.util.Tools;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The {@code incus} client: short calls with a timeout, and what every part of the family names the same way. */
final class Incus {
    /** Instances isobench makes are named {@code isobench-...} and carry this key with the owning isobench's pid. */
    static final String PID_KEY = "user.isobench.pid";
    /** The pid namespace of that pid (a pid is only proof of ownership in the namespace it was read in). */
    static final String PIDNS_KEY = "user.isobench.pidns";
    /** The storage pool isobench makes (dir driver) and launches every instance on. */
    static final String POOL = "isobench";
    /** Images isobench imports are aliased {@code isobench-<image hash>} and kept as a cache. */
    static final String IMAGE_ALIAS_PREFIX = "isobench-";
    static final Path SOCKET = Path.of("/var/lib/incus/unix.socket");
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

    private Incus() {
    }

    static String bin() {
        String b = Tools.which("incus");
        return b == null ? "incus" : b;
    }

    static ProcResult call(Duration timeout, String... args) {
        List<String> argv = new ArrayList<>();
        argv.add(bin());
        argv.addAll(List.of(args));
        return Proc.of(argv).timeout(timeout).run();
    }

    static ProcResult call(String... args) {
        return call(CALL_TIMEOUT, args);
    }

    /** Whether a daemon answers on the local socket. */
    static boolean running() {
        return Tools.which("incus") != null && Files.exists(SOCKET)
                && call(Duration.ofSeconds(10), "query", "/1.0").ok();
    }

    /** This process's pid namespace, as /proc/self/ns/pid names it ("unknown" when it cannot be read). */
    static String pidNamespace() {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString();
        } catch (java.io.IOException | UnsupportedOperationException e) {
            return "unknown";
        }
    }

    /** Whether isobench's storage pool exists. */
    static boolean poolExists() {
        return call("storage", "show", POOL).ok();
    }
}
