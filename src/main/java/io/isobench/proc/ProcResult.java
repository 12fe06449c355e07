package io.isobench.proc;

import java.time.Duration;
import java.util.List;

/**
 * What one external process did: its argv, exit code (or -1 when killed at the timeout),
 * captured output and the wall time measured on the host's monotonic clock.
 */
public record ProcResult(List<String> argv, int exitCode, boolean timedOut, String stdout, String stderr,
                         Duration elapsed) {

    public boolean ok() {
        return !timedOut && exitCode == 0;
    }

    /** stdout and stderr together, for failure records (raw tool output is always kept). */
    public String combinedOutput() {
        StringBuilder sb = new StringBuilder();
        if (!stdout.isEmpty()) {
            sb.append(stdout);
        }
        if (!stderr.isEmpty()) {
            if (!sb.isEmpty() && sb.charAt(sb.length() - 1) != '\n') {
                sb.append('\n');
            }
            sb.append("--- stderr ---\n").append(stderr);
        }
        return sb.toString();
    }

    /** One line that says why the process did not succeed (for reasons shown to users). */
    public String failureSummary() {
        if (timedOut) {
            return "timed out after " + elapsed.toMillis() + " ms: " + String.join(" ", argv);
        }
        String tail = lastLine(stderr.isBlank() ? stdout : stderr);
        return "exit code " + exitCode + (tail.isEmpty() ? "" : ": " + tail);
    }

    static String lastLine(String s) {
        String[] lines = s.strip().split("\n");
        return lines.length == 0 ? "" : lines[lines.length - 1].strip();
    }
}
