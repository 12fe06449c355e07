package io.isobench.bench.fleet;

import io.isobench.bench.TrialContext;
import io.isobench.image.WorkloadImage;
import io.isobench.runtime.LaunchSpec;
import io.isobench.runtime.NetworkSpec;
import io.isobench.runtime.RuntimeDriver;
import io.isobench.runtime.Sandbox;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Up to N instances of a long-lived workload that prints one line when it is ready (startup, footprint).
 * Launches run concurrently, each on its own (platform) thread, a single one on the caller's; an instance is ready at
 * the host monotonic time its first stdout line was read, its first 2xx HTTP answer, or its launcher's exit
 * ({@link Readiness}). {@link #close()} tears every instance down, also those whose launch is still under
 * way, so a trial never leaves one behind.
 */
final class Fleet implements AutoCloseable {
    /** busybox from the image: one line on stdout, then idle until killed. Same paths natively and in sandboxes. */
    static List<String> readyCommand(WorkloadImage image) {
        String bb = busybox(image);
        return List.of(bb, "sh", "-c", "echo ready; exec " + bb + " sleep 3600");
    }

    /** busybox from the image: one line on stdout, then exit 0 (readiness {@code exit}: run to completion). */
    static List<String> exitCommand(WorkloadImage image) {
        return List.of(busybox(image), "sh", "-c", "echo ready");
    }

    private static String busybox(WorkloadImage image) {
        String bb = image.tools().get("busybox");
        if (bb == null) {
            throw new IllegalStateException("the workload image has no busybox");
        }
        return bb;
    }

    /** When an instance counts as ready. */
    enum Readiness {
        /** its first stdout line */
        LINE,
        /** the first 2xx HTTP answer on the port given */
        HTTP,
        /**
         * its launcher exited with status 0: the workload ran to completion and the runtime cleaned up after it. Nothing
         * is read from it meanwhile ({@link LaunchSpec#runToCompletion()}), so no first line is recorded.
         */
        EXIT
    }

    private final TrialContext ctx;
    private final List<String> argv;
    private final int capacity;
    private final AtomicReferenceArray<Sandbox> sandboxes;
    private final AtomicReferenceArray<String> launchErrors;
    private final AtomicLongArray readyAt;
    private final AtomicLongArray lineAt;
    private final Integer httpPort;
    private final Readiness readiness;
    private final long exitDeadline;
    private final AtomicReferenceArray<HttpPoller.Target> watches;
    private volatile HttpPoller poller;
    private final AtomicLongArray teardownNanos;
    private final List<Thread> launchers = new ArrayList<>();
    /** How long {@link #close()} waits in all for launches under way. */
    static final Duration LAUNCH_WAIT = Duration.ofMinutes(3);
    private volatile boolean closed;
    private volatile CountDownLatch pending = new CountDownLatch(0);
    /** Scheduled launches ({@link #launchAt}): intended time, when the harness called the driver, when a launch failed. */
    private final AtomicLongArray intendedAt;
    private final AtomicLongArray calledAt;
    private final AtomicLongArray failedAt;
    /** Prewarmed instances ({@link #prewarm}), started instead of launched; null in a cold fleet. */
    private volatile AtomicReferenceArray<io.isobench.runtime.Prewarmed> pool;
    private final AtomicLongArray createNanos;

    Fleet(TrialContext ctx, int capacity) {
        this(ctx, capacity, readyCommand(ctx.image()));
    }

    Fleet(TrialContext ctx, int capacity, List<String> argv) {
        this(ctx, capacity, argv, null);
    }

    /**
     * @param httpPort null: an instance is ready at its first stdout line. Otherwise the workload serves HTTP on this
     *                 TCP port, the launch asks the driver for a network path to it ({@link LaunchSpec#withNetwork}),
     *                 and an instance is ready at the first 2xx response through {@link Sandbox#endpoint(int)}
     *                 ({@link HttpPoller}); its first stdout line is still recorded ({@link #firstLineMs}).
     */
    Fleet(TrialContext ctx, int capacity, List<String> argv, Integer httpPort) {
        this(ctx, capacity, argv, httpPort == null ? Readiness.LINE : Readiness.HTTP, httpPort, 0);
    }

    /**
     * An instance is ready when its launcher exits with status 0 ({@link Sandbox#exitedAtNanos()}); one that exits
     * otherwise or is still running at {@code deadlineNanos} counts as a launch error with its output.
     */
    static Fleet untilExit(TrialContext ctx, int capacity, List<String> argv, long deadlineNanos) {
        return new Fleet(ctx, capacity, argv, Readiness.EXIT, null, deadlineNanos);
    }

    private Fleet(TrialContext ctx, int capacity, List<String> argv, Readiness readiness, Integer httpPort,
                  long exitDeadline) {
        this.ctx = ctx;
        this.httpPort = httpPort;
        this.readiness = readiness;
        this.exitDeadline = exitDeadline;
        this.lineAt = new AtomicLongArray(capacity);
        this.watches = new AtomicReferenceArray<>(capacity);
        this.argv = List.copyOf(argv);
        this.capacity = capacity;
        this.sandboxes = new AtomicReferenceArray<>(capacity);
        this.launchErrors = new AtomicReferenceArray<>(capacity);
        this.readyAt = new AtomicLongArray(capacity);
        this.teardownNanos = new AtomicLongArray(capacity);
        this.intendedAt = new AtomicLongArray(capacity);
        this.calledAt = new AtomicLongArray(capacity);
        this.failedAt = new AtomicLongArray(capacity);
        this.createNanos = new AtomicLongArray(capacity);
    }

    /**
     * Instance idx's name: the trial's prefix and the index, zero-padded to the fleet's width so that no name is a
     * prefix of another (runsc resolves an id by prefix: with 11 instances "-1" was ambiguous with "-10" while that one
     * lived, so instance 1's kill and delete failed and its container was left behind).
     */
    String instanceName(int idx) {
        int width = Integer.toString(Math.max(0, capacity - 1)).length();
        return ctx.instancePrefix() + "-" + String.format(java.util.Locale.ROOT, "%0" + width + "d", idx);
    }

    /** Instance idx's launch spec; its line listener counts down whichever latch is pending when the line comes. */
    private LaunchSpec spec(int idx) {
        LaunchSpec.LineListener onLine = readiness == Readiness.EXIT ? null : (line, t) -> {
            if (lineAt.compareAndSet(idx, 0, t) && readiness == Readiness.LINE && readyAt.compareAndSet(idx, 0, t)) {
                pending.countDown();
            }
        };
        return ctx.launchSpec(argv).name(instanceName(idx)).onLine(onLine)
                .runToCompletion(readiness == Readiness.EXIT)
                .network(httpPort == null ? null : NetworkSpec.tcp(httpPort)).build();
    }

    /**
     * Creates every instance ahead of its start ({@link RuntimeDriver#prewarm}), concurrently on platform threads, and
     * waits for them all; one that cannot be created is a launch error (counted, not dropped). Then {@link #launchAt}
     * only starts them.
     */
    void prewarm() throws InterruptedException {
        AtomicReferenceArray<io.isobench.runtime.Prewarmed> p = new AtomicReferenceArray<>(capacity);
        pool = p;
        List<Thread> ts = new ArrayList<>();
        for (int i = 0; i < capacity; i++) {
            final int idx = i;
            Runnable create = () -> {
                long t0 = System.nanoTime();
                try {
                    p.set(idx, ctx.driver().prewarm(spec(idx)));
                    createNanos.set(idx, System.nanoTime() - t0);
                } catch (RuntimeDriver.LaunchException | RuntimeException e) {
                    launchErrors.set(idx, "prewarm: " + e.getMessage());
                }
            };
            if (capacity == 1) {
                create.run();
            } else {
                ts.add(Thread.ofPlatform().daemon().stackSize(256 * 1024).name("prewarm-" + i).start(create));
            }
        }
        for (Thread t : ts) {
            t.join();
        }
    }

    /**
     * Open loop: launches instance i at {@code t0 + offsets[i]} (host monotonic ns), each on its own platform thread
     * that this (calling) thread starts {@link #THREAD_LEAD_NANOS} ahead and that waits for its time; nothing waits for
     * a launch; records the intended time and
     * when the harness called the driver ({@link #latenessMs}). An instance that failed to prewarm is skipped (its
     * launch error stands). A single instance launches on the calling thread.
     */
    void launchAt(long t0, long[] offsets) throws InterruptedException {
        CountDownLatch latch = new CountDownLatch(offsets.length);
        pending = latch;
        for (int i = 0; i < offsets.length; i++) {
            long at = t0 + offsets[i];
            intendedAt.set(i, at);
            if (launchErrors.get(i) != null) {
                failedAt.set(i, at);
                latch.countDown();
                continue;
            }
            final int idx = i;
            if (offsets.length == 1) {
                parkUntil(at);
                start(idx, latch);
                continue;
            }
            // the thread is started ahead and waits for its time itself: its creation is not on the launch's path
            parkUntil(at - THREAD_LEAD_NANOS);
            Thread t = Thread.ofPlatform().daemon().stackSize(256 * 1024).name("launch-" + i).start(() -> {
                try {
                    parkUntil(at);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                start(idx, latch);
            });
            synchronized (launchers) {
                launchers.add(t);
            }
        }
    }

    /** How long before its scheduled time a launch's thread is started ({@link #launchAt}). */
    static final long THREAD_LEAD_NANOS = 20_000_000;

    /** Sleeps until the host monotonic time {@code at}. */
    private static void parkUntil(long at) throws InterruptedException {
        for (long left = at - System.nanoTime(); left > 0; left = at - System.nanoTime()) {
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            java.util.concurrent.locks.LockSupport.parkNanos(left);
        }
    }

    /** One scheduled launch: the prewarmed instance's start, else the driver's launch. */
    private void start(int idx, CountDownLatch latch) {
        if (closed) {
            launchErrors.set(idx, "not launched: the trial had ended");
            latch.countDown();
            return;
        }
        calledAt.set(idx, System.nanoTime());
        AtomicReferenceArray<io.isobench.runtime.Prewarmed> p = pool;
        if (p == null) {
            launchOne(idx, spec(idx), latch);
            return;
        }
        try {
            Sandbox s = p.get(idx).start();
            sandboxes.set(idx, s);
            afterLaunch(idx, s, latch);
        } catch (RuntimeDriver.LaunchException | RuntimeException e) {
            launchErrors.set(idx, String.valueOf(e.getMessage()));
            failedAt.set(idx, System.nanoTime());
            latch.countDown();
        }
    }

    /** Milliseconds from instance i's intended launch to when the harness called the driver (scheduled launches). */
    double latenessMs(int i) {
        return (calledAt.get(i) - intendedAt.get(i)) / 1e6;
    }

    /** Host monotonic times of instance i: intended launch, driver called, ready, failed (0: not reached). */
    long intendedAtNanos(int i) {
        return intendedAt.get(i);
    }

    long calledAtNanos(int i) {
        return calledAt.get(i);
    }

    long readyAtNanos(int i) {
        return readyAt.get(i);
    }

    long failedAtNanos(int i) {
        return failedAt.get(i);
    }

    /** Milliseconds instance i's prewarm (create) took; NaN in a cold fleet or when it failed. */
    double createMs(int i) {
        long c = createNanos.get(i);
        return pool == null || c == 0 ? Double.NaN : c / 1e6;
    }

    /**
     * Launches instances [from, to), {@code delay} apart, each on its own platform thread; a single instance on the
     * calling thread, so that no thread start comes right before its launch (with exit readiness this returns once
     * it has exited).
     */
    void launch(int from, int to, Duration delay) throws InterruptedException {
        CountDownLatch latch = new CountDownLatch(to - from);
        pending = latch;
        for (int i = from; i < to; i++) {
            if (i > from && !delay.isZero()) {
                Thread.sleep(delay);
            }
            final int idx = i;
            // exit readiness reads nothing while the workload runs: no listener, and the launcher is started quietly
            LaunchSpec.LineListener onLine = readiness == Readiness.EXIT ? null : (line, t) -> {
                if (lineAt.compareAndSet(idx, 0, t) && readiness == Readiness.LINE && readyAt.compareAndSet(idx, 0, t)) {
                    latch.countDown();
                }
            };
            LaunchSpec launchSpec = ctx.launchSpec(argv).name(instanceName(i)).onLine(onLine)
                    .runToCompletion(readiness == Readiness.EXIT)
                    .network(httpPort == null ? null : NetworkSpec.tcp(httpPort)).build();
            if (httpPort != null && poller == null) {
                poller = new HttpPoller();
            }
            if (to - from == 1) {
                launchOne(idx, launchSpec, latch);
                continue;
            }
            // platform threads: starting a process blocks in native code (fork/exec) and pins a virtual thread's carrier,
            // so on virtual threads only as many launches as CPUs were ever in flight (1024 native: 9.9 s vs 5.2 s)
            Thread t = Thread.ofPlatform().daemon().stackSize(256 * 1024).name("launch-" + i)
                    .start(() -> launchOne(idx, launchSpec, latch));
            synchronized (launchers) {
                launchers.add(t);
            }
        }
    }

    private void launchOne(int idx, LaunchSpec spec, CountDownLatch latch) {
        try {
            Sandbox s = ctx.driver().launch(spec);
            sandboxes.set(idx, s);
            afterLaunch(idx, s, latch);
        } catch (RuntimeDriver.LaunchException | RuntimeException e) {
            launchErrors.set(idx, String.valueOf(e.getMessage()));
            failedAt.set(idx, System.nanoTime());
            latch.countDown();
        }
    }

    /**
     * A launch returned: a fleet closed meanwhile closes it at once (none outlives the fleet) and counts it as not
     * launched, unless it was already ready (a line can come before a start command returns); else it is watched.
     */
    private void afterLaunch(int idx, Sandbox s, CountDownLatch latch) {
        if (closed && readyAt.get(idx) != 0) {
            return; // ready (its first line came before the launch call returned) and the trial ended: close() tears it down
        }
        if (closed) {
            s.close(); // the fleet was closed while this launch was under way
            launchErrors.set(idx, "launched after the trial ended");
            latch.countDown();
            return;
        }
        watch(idx, s, latch);
    }

    /** After the launch: HTTP readiness watches the endpoint, exit readiness waits for the exit (line: the listener). */
    private void watch(int idx, Sandbox s, CountDownLatch latch) {
        if (httpPort != null) {
            HttpPoller hp;
            synchronized (this) {
                if (poller == null) {
                    poller = new HttpPoller();
                }
                hp = poller;
            }
            java.net.InetSocketAddress ep;
            try {
                ep = s.endpoint(httpPort);
            } catch (IllegalStateException e) { // a remote sandbox's address can fail to come (no pod IP in time)
                failedAt.set(idx, System.nanoTime());
                launchErrors.set(idx, "no endpoint: " + e.getMessage());
                latch.countDown();
                return;
            }
            watches.set(idx, hp.watch(ep, s.launchedAtNanos(), at -> {
                if (readyAt.compareAndSet(idx, 0, at)) {
                    latch.countDown();
                }
            }));
        } else if (readiness == Readiness.EXIT) {
            awaitExit(idx, s, latch);
        }
    }

    /** Exit readiness: waits for instance idx's launcher; ready at its exit time when it exits 0, else a launch error. */
    private void awaitExit(int idx, Sandbox s, CountDownLatch latch) {
        io.isobench.proc.ProcResult r = s.await(Duration.ofNanos(Math.max(0, exitDeadline - System.nanoTime())));
        long at = s.exitedAtNanos();
        if (!r.timedOut() && r.exitCode() == 0 && at > 0) {
            readyAt.compareAndSet(idx, 0, at);
        } else {
            String out = (r.stdout() + r.stderr()).strip();
            failedAt.set(idx, System.nanoTime());
            launchErrors.set(idx, (r.timedOut() ? "still running at the trial's timeout (killed)"
                    : "exited with status " + r.exitCode()) + (out.isEmpty() ? "" : ": "
                    + (out.length() > 500 ? out.substring(0, 500) + "…" : out)));
        }
        latch.countDown();
    }

    /** Waits until every instance of the last launch is ready or failed to launch, or the deadline passes. */
    boolean awaitReady(long deadlineNanos) throws InterruptedException {
        long left = deadlineNanos - System.nanoTime();
        return pending.await(Math.max(0, left), TimeUnit.NANOSECONDS);
    }

    int capacity() {
        return capacity;
    }

    boolean ready(int i) {
        return readyAt.get(i) != 0;
    }

    String launchError(int i) {
        return launchErrors.get(i);
    }

    Sandbox sandbox(int i) {
        return sandboxes.get(i);
    }

    /** Milliseconds from the instance's launch (Sandbox.launchedAtNanos) to its first stdout line. */
    double readyMs(int i) {
        return (readyAt.get(i) - sandboxes.get(i).launchedAtNanos()) / 1e6;
    }

    /** Milliseconds from the earliest launch to the latest readiness over every launched instance. */
    double allReadyMs() {
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (int i = 0; i < capacity; i++) {
            Sandbox s = sandboxes.get(i);
            if (s != null && ready(i)) {
                first = Math.min(first, s.launchedAtNanos());
                last = Math.max(last, readyAt.get(i));
            }
        }
        return first == Long.MAX_VALUE ? Double.NaN : (last - first) / 1e6;
    }

    /** Milliseconds from the instance's launch to its first stdout line, NaN when it printed none. */
    double firstLineMs(int i) {
        long t = lineAt.get(i);
        return t == 0 ? Double.NaN : (t - sandboxes.get(i).launchedAtNanos()) / 1e6;
    }

    /** The driver's phases of instance i as milliseconds from its launch (name -> ms), in order. */
    Map<String, Double> phaseMs(int i) {
        Sandbox s = sandboxes.get(i);
        Map<String, Double> m = new java.util.LinkedHashMap<>();
        if (s != null) {
            for (Sandbox.Phase p : s.phases()) {
                m.putIfAbsent(p.name(), (p.atNanos() - s.launchedAtNanos()) / 1e6);
            }
        }
        return m;
    }

    /** Why instance i's last HTTP readiness attempt failed, or null (line readiness, or never watched). */
    String httpLastError(int i) {
        HttpPoller.Target t = watches.get(i);
        return t == null ? null : t.lastError();
    }

    /** Total HTTP readiness attempts (0 for line readiness). */
    long httpAttempts() {
        HttpPoller p = poller;
        return p == null ? 0 : p.attempts();
    }

    double teardownMs(int i) {
        return teardownNanos.get(i) / 1e6;
    }

    /** Host pids of instances [from, to) (deduplicated), and how many each instance reported. */
    List<Long> hostPids(int from, int to, List<Integer> perInstance) {
        Set<Long> pids = new LinkedHashSet<>();
        for (int i = from; i < to; i++) {
            Sandbox s = sandboxes.get(i);
            List<Long> p = s == null ? List.of() : s.hostPids();
            perInstance.add(p.size());
            pids.addAll(p);
        }
        return new ArrayList<>(pids);
    }

    /** The first lines of output of a few instances that did not become ready (after they were closed). */
    String outputOfNotReady(int max) {
        StringBuilder sb = new StringBuilder();
        int shown = 0;
        for (int i = 0; i < capacity && shown < max; i++) {
            Sandbox s = sandboxes.get(i);
            if (s == null || ready(i)) {
                continue;
            }
            String out = s.await(Duration.ofSeconds(2)).combinedOutput();
            String http = httpLastError(i);
            if (http != null) {
                sb.append("--- instance ").append(i).append(" (").append(s.id()).append(") via ").append(s.networkPath())
                        .append(": last HTTP attempt: ").append(http).append('\n');
            }
            sb.append("--- instance ").append(i).append(" (").append(s.id()).append(") output:\n")
                    .append(out.length() > 2000 ? out.substring(0, 2000) + "…\n" : out);
            shown++;
        }
        return sb.toString();
    }

    /**
     * Closes every instance one after the other, timing each close(); first waits for every launch still under way
     * (also when interrupted: the interrupt is kept for the caller), up to {@link #LAUNCH_WAIT} in all. A launch that
     * returns after that closes its own sandbox at once ({@code closed}), so none outlives the fleet.
     */
    @Override
    public void close() {
        closed = true;
        List<Thread> ts;
        synchronized (launchers) {
            ts = List.copyOf(launchers);
        }
        boolean interrupted = false;
        long end = System.nanoTime() + LAUNCH_WAIT.toNanos();
        for (Thread t : ts) {
            while (t.isAlive() && System.nanoTime() < end) {
                try {
                    t.join(Duration.ofNanos(Math.max(1, end - System.nanoTime())));
                } catch (InterruptedException e) {
                    interrupted = true; // Ctrl-C: still wait, or a launch under way would leave its sandbox behind
                }
            }
        }
        HttpPoller hp = poller;
        if (hp != null) {
            hp.close();
        }
        AtomicReferenceArray<io.isobench.runtime.Prewarmed> p = pool;
        for (int i = 0; i < capacity; i++) {
            Sandbox s = sandboxes.get(i);
            if (s != null) {
                long t0 = System.nanoTime();
                s.close();
                teardownNanos.set(i, System.nanoTime() - t0);
            } else if (p != null && p.get(i) != null) {
                p.get(i).close(); // created, never started
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
