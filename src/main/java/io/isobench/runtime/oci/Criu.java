package io.isobench.runtime.oci;

import io.isobench.proc.Proc;
import io.isobench.proc.ProcResult;
import io.isobench.util.Tools;

import java.time.Duration;

/** CRIU, which runc's checkpoint and restore call: usable only when {@code criu check} passes on this kernel. */
final class Criu {
    static final Duration CHECK_TIMEOUT = Duration.ofSeconds(30);
    private static volatile String problem;
    private static volatile boolean asked;

    private Criu() {
    }

    /** Null when {@code criu check} passes, else why runc cannot checkpoint here (asked once per process). */
    static String problem() {
        if (!asked) {
            synchronized (Criu.class) {
                if (!asked) {
                    problem = ask();
                    asked = true;
                }
            }
        }
        return problem;
    }

    private static String ask() {
        String criu = Tools.which("criu");
        if (criu == null) {
            return "runc checkpoints through CRIU, which is not installed (apt-get install criu; Debian 12's criu 3.17 "
                    + "is then tried with 'criu check')";
        }
        ProcResult r = Proc.of(criu, "check").timeout(CHECK_TIMEOUT).run();
        return r.ok() ? null : "runc checkpoints through CRIU, and 'criu check' fails on this kernel: " + reason(r);
    }

    /** The telling line of a failed {@code criu check}: its first "Error"/"Looks bad" line, else its last line. */
    static String reason(ProcResult r) {
        if (r.timedOut()) {
            return "no answer within " + CHECK_TIMEOUT.toSeconds() + " s";
        }
        java.util.List<String> lines = (r.stdout() + "\n" + r.stderr()).lines().map(String::strip)
                .filter(l -> !l.isEmpty()).toList();
        String telling = null;
        for (String l : lines) {
            if (telling == null && (l.startsWith("Error") || l.contains("Looks bad"))) {
                telling = l;
            }
        }
        if (telling == null && !lines.isEmpty()) {
            telling = lines.get(lines.size() - 1);
        }
        return (telling == null ? "no output" : telling) + " (exit code " + r.exitCode() + ")";
    }
}
