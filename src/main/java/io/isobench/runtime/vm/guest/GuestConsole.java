package io.isobench.runtime.vm.guest;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Frames a guest's workload output. The guest's /init writes {@code @@ISOBENCH-BEGIN <nonce>@@} before the
 * workload and {@code @@ISOBENCH-EXIT <nonce> <rc>@@} after it, with a nonce that is new for every launch and
 * only known to the host and the guest's kernel command line, so neither firmware, kernel messages nor a
 * workload that prints marker-like text can be mistaken for framing. Markers are matched anywhere in a line
 * (firmware escape sequences may precede them); output that precedes an EXIT marker on the same line (a
 * workload whose last line has no newline) is a line of output. Trailing CRs are dropped.
 */
public final class GuestConsole {
    /** Called for every line of framed output. */
    @FunctionalInterface
    public interface Sink {
        void line(String line, long nanoTime);
    }

    private final String begin;
    private final Pattern exit;
    private final Sink sink;
    private volatile Runnable onBegin;
    private final StringBuilder framed = new StringBuilder();
    private boolean inside;
    private long beginNanos = -1;
    private long exitNanos = -1;
    private Integer exitCode;

    public GuestConsole(String nonce, Sink sink) {
        if (!nonce.matches("[A-Za-z0-9]+")) {
            throw new IllegalArgumentException("nonce must be alphanumeric");
        }
        this.begin = "@@ISOBENCH-BEGIN " + nonce + "@@";
        this.exit = Pattern.compile("@@ISOBENCH-EXIT " + nonce + " (-?\\d{1,3})@@");
        this.sink = sink;
    }

    /** Runs {@code r} on the reading thread when the BEGIN marker arrives, before any framed line is passed on. */
    public void onBegin(Runnable r) {
        this.onBegin = r;
    }

    /**
     * For a guest restored from a snapshot taken after its BEGIN marker: its output is framed from the first line on
     * (no BEGIN will come), and no boot is recorded.
     */
    public synchronized void resumeInside() {
        inside = true;
    }

    public static String beginMarker(String nonce) {
        return "@@ISOBENCH-BEGIN " + nonce + "@@";
    }

    public synchronized void line(String raw, long nanoTime) {
        String line = raw.endsWith("\r") ? raw.substring(0, raw.length() - 1) : raw;
        if (exitCode != null) {
            return;
        }
        if (!inside) {
            int b = line.indexOf(begin);
            if (b < 0) {
                return;
            }
            inside = true;
            beginNanos = nanoTime;
            Runnable r = onBegin;
            if (r != null) {
                r.run();
            }
            line = line.substring(b + begin.length());
            if (line.isEmpty()) {
                return;
            }
        }
        Matcher m = exit.matcher(line);
        if (m.find()) {
            exitCode = Integer.parseInt(m.group(1));
            exitNanos = nanoTime;
            inside = false;
            String before = line.substring(0, m.start());
            if (!before.isEmpty()) {
                emit(before, nanoTime);
            }
            return;
        }
        emit(line, nanoTime);
    }

    private void emit(String line, long nanoTime) {
        if (framed.length() < io.isobench.proc.Launched.MAX_CAPTURE) { // the console's lines are capped by its reader
            framed.append(line).append('\n');
        }
        if (sink != null) {
            sink.line(line, nanoTime);
        }
    }

    /** The workload's output between the markers. */
    public synchronized String output() {
        return framed.toString();
    }

    /** The workload's exit status from the EXIT marker; null when the guest never reported one. */
    public synchronized Integer exitCode() {
        return exitCode;
    }

    public synchronized boolean begun() {
        return beginNanos >= 0;
    }

    /** Host nanoTime at which the BEGIN marker was read, or -1. */
    public synchronized long beginNanos() {
        return beginNanos;
    }

    /** Host nanoTime at which the EXIT marker was read, or -1. */
    public synchronized long exitNanos() {
        return exitNanos;
    }

    private static final Pattern CLOCKSOURCE = Pattern.compile("clocksource (\\S+)");

    /** The guest's clock source from its /init's console line or from a trial's "isobench: guest clocksource" line, or null. */
    public static String clocksource(String consoleLog) {
        // the last one: the kernel may switch sources during boot ("Switched to clocksource X"); /init's line comes after
        Matcher m = CLOCKSOURCE.matcher(consoleLog);
        String last = null;
        while (m.find()) {
            last = m.group(1);
        }
        return last;
    }
}
