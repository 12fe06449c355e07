package io.isobench.proc;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@link Launched} through the JDK's {@link ProcessBuilder}: the fallback when the {@link Spawner} helper cannot be
 * built or started. Every start costs the JVM's launch path, and the child closes every fd the JVM holds, so with
 * many sandboxes (each holding two pipes here) every start gets slower.
 */
final class JdkLaunched implements Launched {
    /**
     * Output pumps run on platform threads (a read on a process pipe blocks in native code and pins a virtual
     * thread's carrier; with more than ~128 long-lived sandboxes, 2 pumps each, the 256 carriers ran out and later
     * pumps never ran), reused from a cache. Idle threads end after 30 s.
     */
    private static final ExecutorService PUMPS = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS,
            new SynchronousQueue<>(), Thread.ofPlatform().daemon().name("pump-", 0).stackSize(256 * 1024).factory());

    private final Process process;
    private final String argv0;
    private final long spawned;
    private final long spawnStart;
    private final StringBuilder out = new StringBuilder();
    private final StringBuilder err = new StringBuilder();
    private final Future<?> outPump;
    private final Future<?> errPump;
    private volatile long exitedAt = -1;

    private JdkLaunched(Process process, String argv0, long spawnStart, long spawned, LineSink lines) {
        this.process = process;
        this.argv0 = argv0;
        this.spawnStart = spawnStart;
        this.spawned = spawned;
        this.outPump = PUMPS.submit(() -> pump(process.getInputStream(), out, lines, this::overflow));
        this.errPump = PUMPS.submit(() -> pump(process.getErrorStream(), err, null, this::overflow));
        process.onExit().thenRun(this::markExited); // completed by the JDK's reaper thread
    }

    static JdkLaunched start(List<String> argv, Map<String, String> env, LineSink lines) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(argv);
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        if (env != null) {
            pb.environment().clear();
            pb.environment().putAll(env);
        }
        long t0 = System.nanoTime();
        Process p = pb.start();
        return new JdkLaunched(p, argv.get(0), t0, System.nanoTime(), lines);
    }

    /**
     * Writes the started process's pid into each {@code cgroup.procs} file of {@code cgroups}; on failure kills it and
     * throws. Returns {@code l}.
     */
    static JdkLaunched join(JdkLaunched l, List<java.nio.file.Path> cgroups) throws IOException {
        try {
            for (java.nio.file.Path procs : cgroups) {
                java.nio.file.Files.writeString(procs, Long.toString(l.pid()), java.nio.file.StandardOpenOption.WRITE);
            }
        } catch (IOException e) {
            if (!l.process.isAlive()) {
                return l; // it ended before it could be moved: it ran, briefly, where isobench runs
            }
            l.killTree();
            throw new IOException("cannot put \"" + l.argv0 + "\" into its cgroup: " + e.getMessage(), e);
        }
        return l;
    }

    /**
     * Lines of {@code in} to {@code listener} and {@code sink} (at most {@link #MAX_CAPTURE}); a line longer than
     * {@link #MAX_LINE} is never held: the process is killed and {@code overflow} is called. Any Throwable ends the
     * pump, never the run.
     */
    static void pump(InputStream in, StringBuilder sink, LineSink listener, Runnable overflow) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            StringBuilder line = new StringBuilder();
            char[] buf = new char[8192];
            int n;
            boolean over = false;
            while ((n = r.read(buf)) >= 0) {
                int from = 0;
                for (int i = 0; i < n; i++) {
                    if (buf[i] == '\n') {
                        if (!over) {
                            line.append(buf, from, i - from);
                            int len = line.length() > 0 && line.charAt(line.length() - 1) == '\r' ? line.length() - 1 : line.length();
                            deliver(line.substring(0, len), sink, listener);
                        }
                        line.setLength(0);
                        from = i + 1;
                    }
                }
                if (!over && line.length() + (n - from) > MAX_LINE) {
                    over = true;
                    line = new StringBuilder();
                    overflow.run();
                }
                if (!over) {
                    line.append(buf, from, n - from);
                }
            }
            if (!over && !line.isEmpty()) {
                deliver(line.toString(), sink, listener);
            }
        } catch (IOException ignored) {
            // the process was killed
        } catch (Throwable t) { // an Error too: this stream ends, the process is not waited on forever
            System.err.println("isobench: output reader: " + t);
        }
    }

    /** A line past {@link #MAX_LINE}: stderr says so, and the process is killed (the trial fails, the run goes on). */
    private void overflow() {
        synchronized (err) {
            err.append('\n').append(Launched.overflowMessage()).append('\n');
        }
        killTree();
    }

    private static void deliver(String line, StringBuilder sink, LineSink listener) {
        if (listener != null) {
            try {
                listener.line(line, System.nanoTime());
            } catch (RuntimeException e) {
                System.err.println("isobench: line listener: " + e);
            }
        }
        synchronized (sink) {
            if (sink.length() < MAX_CAPTURE) {
                sink.append(line).append('\n');
            }
        }
    }

    @Override
    public long pid() {
        return process.pid();
    }

    @Override
    public long spawnedNanos() {
        return spawned;
    }

    @Override
    public long spawnStartNanos() {
        return spawnStart;
    }

    @Override
    public boolean waitFor(long timeout, TimeUnit unit) throws InterruptedException {
        return process.waitFor(timeout, unit);
    }

    @Override
    public int exitValue() {
        return process.exitValue();
    }

    @Override
    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public long exitedNanos() {
        if (exitedAt < 0 && !process.isAlive()) {
            markExited(); // waitFor can return before onExit's completion ran
        }
        return exitedAt;
    }

    /** The first look at the exit stands. */
    private synchronized void markExited() {
        if (exitedAt < 0) {
            exitedAt = System.nanoTime();
        }
    }

    @Override
    public void awaitOutput(Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        for (Future<?> f : List.of(outPump, errPump)) {
            try {
                f.get(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (ExecutionException | TimeoutException e) {
                // a pump that failed or still reads (a descendant holds the pipe open): take what was captured
            }
        }
    }

    @Override
    public String stdout() {
        synchronized (out) {
            return out.toString();
        }
    }

    @Override
    public String stderr() {
        synchronized (err) {
            return err.toString();
        }
    }

    @Override
    public void killTree() {
        Proc.killTree(process.toHandle());
    }
}
