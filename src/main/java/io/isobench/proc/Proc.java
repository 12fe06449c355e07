package io.isobench.proc;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs external programs: always an argv list (never a shell string), always a timeout, output
 * pumped on virtual threads so hundreds of processes can be watched at once, and the whole process
 * tree killed when the timeout passes.
 */
public final class Proc {
    /** Output beyond this many bytes per stream is dropped (the head is kept) so a chatty tool cannot exhaust memory. */
    static final int MAX_CAPTURE = 8 * 1024 * 1024;

    private final List<String> argv;
    private Duration timeout = Duration.ofSeconds(30);
    private Path dir;
    private Map<String, String> env = Map.of();
    private byte[] stdin;

    private Proc(List<String> argv) {
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("empty argv");
        }
        this.argv = List.copyOf(argv);
    }

    public static Proc of(String... argv) {
        return new Proc(List.of(argv));
    }

    public static Proc of(List<String> argv) {
        return new Proc(argv);
    }

    public Proc timeout(Duration t) {
        this.timeout = t;
        return this;
    }

    public Proc dir(Path d) {
        this.dir = d;
        return this;
    }

    public Proc env(Map<String, String> e) {
        this.env = Map.copyOf(e);
        return this;
    }

    public Proc stdin(String s) {
        this.stdin = s.getBytes(StandardCharsets.UTF_8);
        return this;
    }

    /** Runs to completion or timeout. A program that cannot be started gives exit code 127 and the reason in stderr. */
    public ProcResult run() {
        long t0 = System.nanoTime();
        Process p;
        try {
            p = builder().start();
        } catch (IOException e) {
            return new ProcResult(argv, 127, false, "", "cannot start " + argv.get(0) + ": " + e.getMessage(),
                    Duration.ofNanos(System.nanoTime() - t0));
        }
        return await(p, t0);
    }

    ProcessBuilder builder() {
        ProcessBuilder pb = new ProcessBuilder(argv);
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        pb.environment().putAll(env);
        if (stdin == null) {
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        }
        return pb;
    }

    private ProcResult await(Process p, long t0) {
        Capture out = Capture.start(p.getInputStream());
        Capture err = Capture.start(p.getErrorStream());
        if (stdin != null) {
            try (var os = p.getOutputStream()) {
                os.write(stdin);
            } catch (IOException ignored) {
                // the program may exit without reading its input
            }
        }
        boolean finished;
        try {
            finished = p.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            killTree(p.toHandle());
            Thread.currentThread().interrupt();
            throw new ProcInterruptedException(argv);
        }
        long elapsed = System.nanoTime() - t0;
        if (!finished) {
            killTree(p.toHandle());
            try {
                p.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return new ProcResult(argv, finished ? p.exitValue() : -1, !finished, out.text(), err.text(),
                Duration.ofNanos(elapsed));
    }

    /** Kills a process and all its descendants, children first (SIGKILL). */
    public static void killTree(ProcessHandle h) {
        killDescendants(h.pid());
        h.destroyForcibly();
    }

    /** SIGKILL to every descendant of {@code pid}, children first; not to {@code pid} itself. */
    static void killDescendants(long pid) {
        for (long d : descendants(pid)) {
            ProcessHandle.of(d).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    /** Whether this kernel has /proc/PID/task/TID/children (CONFIG_PROC_CHILDREN): looked at once, for this JVM's main thread. */
    private static final boolean CHILDREN_FILES = java.nio.file.Files.exists(
            java.nio.file.Path.of("/proc/self/task/" + ProcessHandle.current().pid() + "/children"));

    /**
     * SIGKILLs {@code pids} and waits until none is {@link #running} or {@code bound} has passed (polled every 20 ms);
     * an interrupt ends the wait early and is kept.
     */
    public static void killAndWait(java.util.List<Long> pids, java.time.Duration bound) {
        pids.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
        long end = System.nanoTime() + bound.toNanos();
        while (pids.stream().anyMatch(Proc::running) && System.nanoTime() < end) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Whether {@code pid} exists and is not a zombie (PID 1 here may be slow to reap what it inherits). */
    public static boolean running(long pid) {
        try {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", Long.toString(pid), "stat"));
            return !stat.substring(stat.lastIndexOf(')') + 1).strip().startsWith("Z");
        } catch (java.io.IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * The pids of {@code pid}'s descendants, children before grandchildren. Read from
     * /proc/PID/task/TID/children, which costs the size of the tree; {@link ProcessHandle#descendants()} reads every
     * process of the host instead (with 1024 sandboxes, ~5 ms per call, per teardown). Falls back to it where the
     * kernel has no children files.
     */
    public static List<Long> descendants(long pid) {
        if (!CHILDREN_FILES) {
            return ProcessHandle.of(pid).map(h -> h.descendants().map(ProcessHandle::pid).toList()).orElse(List.of());
        }
        List<Long> out = new ArrayList<>();
        java.util.ArrayDeque<Long> queue = new java.util.ArrayDeque<>(List.of(pid));
        java.util.Set<Long> seen = new java.util.HashSet<>();
        while (!queue.isEmpty()) {
            long p = queue.poll();
            for (long c : children(p)) {
                if (seen.add(c)) {
                    out.add(c);
                    queue.add(c);
                }
            }
        }
        return out;
    }

    private static List<Long> children(long pid) {
        List<Long> kids = new ArrayList<>();
        try (var tasks = java.nio.file.Files.newDirectoryStream(java.nio.file.Path.of("/proc", Long.toString(pid), "task"))) {
            for (java.nio.file.Path t : tasks) {
                try {
                    for (String c : java.nio.file.Files.readString(t.resolve("children")).trim().split("\\s+")) {
                        if (!c.isEmpty()) {
                            kids.add(Long.parseLong(c));
                        }
                    }
                } catch (IOException | NumberFormatException e) {
                    // the task ended
                }
            }
        } catch (IOException e) {
            // the process ended
        }
        return kids;
    }

    /** Convenience: first line of stdout of a short command, or null when it fails. */
    public static String firstLine(Duration timeout, String... argv) {
        ProcResult r = of(argv).timeout(timeout).run();
        if (!r.ok()) {
            return null;
        }
        String s = r.stdout().isBlank() ? r.stderr() : r.stdout();
        String line = s.strip().lines().findFirst().orElse("");
        return line.isEmpty() ? null : line;
    }

    /** Reads a stream fully on a virtual thread, keeping at most {@link #MAX_CAPTURE} bytes. */
    static final class Capture {
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
        private boolean over;
        private final Thread thread;

        private Capture(InputStream in) {
            this.thread = Thread.ofVirtual().start(() -> pump(in));
        }

        static Capture start(InputStream in) {
            return new Capture(in);
        }

        private void pump(InputStream in) {
            byte[] b = new byte[8192];
            try (in) {
                int n;
                while ((n = in.read(b)) >= 0) {
                    synchronized (buf) {
                        int room = MAX_CAPTURE - buf.size();
                        if (room > 0) {
                            buf.write(b, 0, Math.min(room, n));
                        }
                        if (n > room && !over) { // read on (the process must not block), keep nothing more
                            over = true;
                            buf.writeBytes(("\n[isobench: output over " + (MAX_CAPTURE >> 20) + " MiB; the rest was dropped]\n")
                                    .getBytes(StandardCharsets.UTF_8));
                        }
                    }
                }
            } catch (IOException ignored) {
                // stream closed because the process was killed
            } catch (Throwable t) { // an Error too: the capture ends, the caller's wait does not hang
                System.err.println("isobench: output reader of a command: " + t);
            }
        }

        String text() {
            try {
                thread.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            synchronized (buf) {
                return buf.toString(StandardCharsets.UTF_8);
            }
        }
    }

    /** Thrown when the harness is interrupted (Ctrl-C) while waiting on a process; the process tree is already killed. */
    public static final class ProcInterruptedException extends RuntimeException {
        public ProcInterruptedException(List<String> argv) {
            super("interrupted while running " + argv.get(0));
        }
    }
}
