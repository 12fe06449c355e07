package io.isobench.runtime;

import io.isobench.proc.Cleanup;
import io.isobench.proc.Proc;
import io.isobench.proc.ProcResult;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A sandbox whose workload's stdout/stderr are those of one host launcher process ({@code runc run},
 * {@code runsc run}, the native process itself...). Output is pumped on (platform) threads; stdout is split
 * into lines and handed to the spec's listener with the host monotonic time it was read at. Teardown is
 * the launcher's process tree plus a driver-specific action, registered with {@link Cleanup} so Ctrl-C
 * runs it too.
 */
public class ProcessSandbox implements Sandbox {
    private static final int MAX_CAPTURE = 8 * 1024 * 1024;

    private final String id;
    private final Process process;
    private final long launchedAt;
    private final List<String> argv;
    private final StringBuilder out = new StringBuilder();
    private final StringBuilder err = new StringBuilder();
    private final java.util.concurrent.Future<?> outPump;
    private final java.util.concurrent.Future<?> errPump;
    /**
     * Output pumps run on platform threads (a read on a process pipe blocks in native code and pins a virtual
     * thread's carrier; with more than ~128 long-lived sandboxes, 2 pumps each, the 256 carriers ran out and later
     * pumps never ran), reused from a cache: creating a thread per launch put ~0.1 ms and a scheduling delay between
     * a workload's first line and its reader. Idle threads end after 30 s.
     */
    private static final java.util.concurrent.ExecutorService PUMPS = new java.util.concurrent.ThreadPoolExecutor(0,
            Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new java.util.concurrent.SynchronousQueue<>(),
            Thread.ofPlatform().daemon().name("pump-", 0).stackSize(256 * 1024).factory());
    private final Cleanup.Action cleanup;
    private final Supplier<List<Long>> extraPids;
    private volatile String scratchStorage;
    private volatile SandboxNetwork network;
    private volatile java.util.Set<Integer> ports = java.util.Set.of();
    private final List<Phase> phases = new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * @param teardown  runs after the launcher tree is killed (container delete, bundle removal...)
     * @param extraPids host pids that belong to the instance but are not descendants of the launcher
     *                  (e.g. found through its cgroup); may return an empty list
     */
    public ProcessSandbox(String id, List<String> argv, LaunchSpec spec, Runnable teardown,
                          Supplier<List<Long>> extraPids, java.util.Map<String, String> env) throws RuntimeDriver.LaunchException {
        this(id, argv, spec, teardown, extraPids, env, -1);
    }

    /**
     * @param launchedAt System.nanoTime() at which the instance's launch really began, when the driver did work
     *                   before starting this launcher (e.g. booting a system container's init); -1 for "now"
     */
    public ProcessSandbox(String id, List<String> argv, LaunchSpec spec, Runnable teardown,
                          Supplier<List<Long>> extraPids, java.util.Map<String, String> env, long launchedAt)
            throws RuntimeDriver.LaunchException {
        if (!spec.wrapper().isEmpty() && (argv.size() < spec.wrapper().size()
                || !argv.subList(0, spec.wrapper().size()).equals(spec.wrapper()))) {
            // the driver did not put the wrapper in front of its launcher: refuse rather than run unobserved
            throw new RuntimeDriver.LaunchException("this runtime cannot run its launcher under a wrapper ("
                    + spec.wrapper().get(0) + ")");
        }
        this.id = id;
        this.argv = List.copyOf(argv);
        this.extraPids = extraPids;
        ProcessBuilder pb = new ProcessBuilder(argv);
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        if (env != null) {
            pb.environment().clear();
            pb.environment().putAll(env);
        }
        // registered before start so that an interrupt between start and return still tears down
        final Process[] holder = new Process[1];
        this.cleanup = Cleanup.register("sandbox " + id, () -> {
            if (holder[0] != null) {
                Proc.killTree(holder[0].toHandle());
                try {
                    holder[0].waitFor(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            teardown.run();
        });
        if (Cleanup.shuttingDown()) {
            cleanup.close();
            throw new RuntimeDriver.LaunchException("isobench is shutting down");
        }
        long spawnAt = System.nanoTime();
        this.launchedAt = launchedAt >= 0 ? launchedAt : spawnAt;
        try {
            this.process = pb.start();
            holder[0] = process;
            if (launchedAt >= 0) {
                phases.add(new Phase(Phase.SETUP, spawnAt)); // the driver's setup before its launcher took time
            }
            phases.add(new Phase(Phase.SPAWNED, System.nanoTime()));
        } catch (IOException e) {
            cleanup.close();
            throw new RuntimeDriver.LaunchException("cannot start " + argv.get(0) + ": " + e.getMessage(), e);
        }
        if (cleanup.isDone()) {
            // the shutdown hook ran our teardown between registration and start: undo the start
            Proc.killTree(process.toHandle());
            teardown.run();
            throw new RuntimeDriver.LaunchException("isobench is shutting down");
        }
        LaunchSpec.LineListener listener = spec.onLine();
        this.outPump = PUMPS.submit(() -> pump(process.getInputStream(), out, listener));
        this.errPump = PUMPS.submit(() -> pump(process.getErrorStream(), err, null));
    }

    private static void pump(InputStream in, StringBuilder sink, LaunchSpec.LineListener listener) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                long t = System.nanoTime();
                if (listener != null) {
                    listener.line(line, t);
                }
                synchronized (sink) {
                    if (sink.length() < MAX_CAPTURE) {
                        sink.append(line).append('\n');
                    }
                }
            }
        } catch (IOException ignored) {
            // the launcher was killed
        }
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public long launchedAtNanos() {
        return launchedAt;
    }

    @Override
    public ProcResult await(Duration timeout) {
        boolean finished;
        try {
            finished = process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            close();
            Thread.currentThread().interrupt();
            throw new Proc.ProcInterruptedException(argv);
        }
        long elapsed = System.nanoTime() - launchedAt;
        if (!finished) {
            close();
        }
        joinPumps();
        String o;
        String e;
        synchronized (out) {
            o = out.toString();
        }
        synchronized (err) {
            e = err.toString();
        }
        return new ProcResult(argv, finished ? process.exitValue() : -1, !finished, o, e, Duration.ofNanos(elapsed));
    }

    private static void awaitPump(java.util.concurrent.Future<?> pump) throws InterruptedException {
        try {
            pump.get(5, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            // a pump that failed or still reads (a descendant holds the pipe open): take what was captured
        }
    }

    private void joinPumps() {
        try {
            awaitPump(outPump);
            awaitPump(errPump);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public List<Long> hostPids() {
        Set<Long> pids = new LinkedHashSet<>();
        if (process.isAlive()) {
            pids.add(process.pid());
            process.descendants().forEach(d -> pids.add(d.pid()));
        }
        pids.addAll(extraPids.get());
        return new ArrayList<>(pids);
    }

    /** Records a milestone the driver observed (e.g. {@link Phase#BOOTED}); returns this. */
    public ProcessSandbox phase(String name, long atNanos) {
        phases.add(new Phase(name, atNanos));
        phases.sort(java.util.Comparator.comparingLong(Phase::atNanos));
        return this;
    }

    @Override
    public List<Phase> phases() {
        return List.copyOf(phases);
    }

    /** Records where this instance's scratch storage lives (see {@link Sandbox#scratchStorage()}); returns this. */
    public ProcessSandbox scratchStorage(String description) {
        this.scratchStorage = description;
        return this;
    }

    @Override
    public String scratchStorage() {
        return scratchStorage;
    }

    /**
     * Records how the host reaches this instance; returns this. The driver still owns the network's teardown
     * (it must outlive the container and go after it), normally in its teardown action. A null {@code n} (the launch
     * asked for no network) changes nothing.
     */
    public ProcessSandbox network(SandboxNetwork n, NetworkSpec spec) {
        if (n == null) {
            return this;
        }
        this.network = n;
        this.ports = java.util.Set.copyOf(spec.tcpPorts());
        return this;
    }

    @Override
    public java.net.InetSocketAddress endpoint(int port) {
        SandboxNetwork n = network;
        if (n == null) {
            return Sandbox.super.endpoint(port);
        }
        if (!ports.contains(port)) {
            throw new IllegalStateException("port " + port + " was not in the launch's network spec " + ports);
        }
        return n.endpoint(port);
    }

    @Override
    public String networkPath() {
        SandboxNetwork n = network;
        return n == null ? null : n.description();
    }

    @Override
    public void close() {
        cleanup.close();
    }
}
