package io.isobench.runtime;

import io.isobench.proc.Cleanup;
import io.isobench.proc.Launched;
import io.isobench.proc.Proc;
import io.isobench.proc.ProcResult;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A sandbox whose workload's stdout/stderr are those of one host launcher process ({@code runc run},
 * {@code runsc run}, the native process itself...), started by {@link Launched#start} (the isobench-spawn helper,
 * else the JDK); stdout is split into lines and handed to the spec's listener with the host monotonic time it was
 * read at. Teardown is the launcher's process tree plus a driver-specific action, registered with {@link Cleanup}
 * so Ctrl-C runs it too.
 */
public class ProcessSandbox implements Sandbox {
    private final String id;
    private final Launched process;
    /** System.nanoTime() before the start request, and the driver's own launch start (-1: none) */
    private final long spawnAt;
    private final long driverLaunchedAt;
    private volatile long launchedAt = -1; // resolved from the launcher's spawn report (for a quiet one: at its exit)
    private final List<String> argv;
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
        this(id, argv, spec, teardown, extraPids, env, launchedAt, null);
    }

    /**
     * @param cgroup the cgroup the launcher is started into (joined before its exec), for a runtime that makes none
     *               itself; this sandbox owns it from here on (its processes count as the instance's, and teardown
     *               kills what is left in it and removes it, before {@code teardown}); null: the launcher stays in
     *               isobench's cgroups
     */
    public ProcessSandbox(String id, List<String> argv, LaunchSpec spec, Runnable teardown,
                          Supplier<List<Long>> extraPids, java.util.Map<String, String> env, long launchedAt,
                          OwnCgroup cgroup)
            throws RuntimeDriver.LaunchException {
        // the cgroup's processes are the instance's too; teardown empties and removes it before the driver's own
        final Runnable teardownAll = cgroup == null ? teardown : () -> {
            cgroup.close();
            teardown.run();
        };
        final Supplier<List<Long>> pidsAll = cgroup == null ? extraPids : () -> {
            List<Long> l = new ArrayList<>(extraPids.get());
            l.addAll(cgroup.pids());
            return l;
        };
        if (!spec.wrapper().isEmpty() && (argv.size() < spec.wrapper().size()
                || !argv.subList(0, spec.wrapper().size()).equals(spec.wrapper()))) {
            // the driver did not put the wrapper in front of its launcher: refuse rather than run unobserved
            if (cgroup != null) {
                cgroup.close();
            }
            throw new RuntimeDriver.LaunchException("this runtime cannot run its launcher under a wrapper ("
                    + spec.wrapper().get(0) + ")");
        }
        this.id = id;
        this.argv = List.copyOf(argv);
        this.extraPids = pidsAll;
        // registered before start so that an interrupt between start and return still tears down
        final Launched[] holder = new Launched[1];
        this.cleanup = Cleanup.register("sandbox " + id, () -> {
            if (holder[0] != null) {
                holder[0].killTree();
                try {
                    holder[0].waitFor(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            teardownAll.run();
        });
        if (Cleanup.shuttingDown()) {
            cleanup.close();
            throw new RuntimeDriver.LaunchException("isobench is shutting down");
        }
        this.spawnAt = System.nanoTime();
        this.driverLaunchedAt = launchedAt;
        LaunchSpec.LineListener listener = spec.onLine();
        boolean quiet = spec.runToCompletion() && listener == null;
        try {
            List<java.nio.file.Path> cgroups = cgroup == null ? List.of() : cgroup.procsFiles();
            this.process = quiet ? Launched.startQuiet(argv, env, cgroups)
                    : Launched.start(argv, env, listener == null ? null : listener::line, cgroups);
            holder[0] = process;
            if (!quiet) {
                resolveSpawn();
            }
        } catch (IOException e) {
            cleanup.close();
            throw new RuntimeDriver.LaunchException("cannot start " + argv.get(0) + ": " + e.getMessage(), e);
        }
        if (cleanup.isDone()) {
            // the shutdown hook ran our teardown between registration and start: undo the start
            process.killTree();
            teardownAll.run();
            throw new RuntimeDriver.LaunchException("isobench is shutting down");
        }
    }

    /**
     * Sets the launch time and the spawn phases from the launcher's spawn report; waits for it (a quiet launcher
     * reports its spawn when it has exited or is killed).
     */
    private long resolveSpawn() {
        long at = launchedAt;
        if (at >= 0) {
            return at;
        }
        synchronized (phases) {
            if (launchedAt >= 0) {
                return launchedAt;
            }
            // the handoff to the launcher helper (spawnAt to its posix_spawnp) is isobench's transport, not the launch:
            // the launch's start moves later by that much, so setup and everything after the spawn still count
            // so is the child's cgroup join before its exec, when it was started into a cgroup of its own
            long handoff = Math.max(0, process.spawnStartNanos() - spawnAt) + process.cgroupJoinNanos();
            if (driverLaunchedAt >= 0) {
                phases.add(new Phase(Phase.SETUP, spawnAt + handoff)); // the driver's setup before its launcher took time
            }
            phases.add(new Phase(Phase.SPAWNED, process.spawnedNanos()));
            phases.sort(java.util.Comparator.comparingLong(Phase::atNanos));
            launchedAt = (driverLaunchedAt >= 0 ? driverLaunchedAt : spawnAt) + handoff;
            return launchedAt;
        }
    }

    @Override
    public String id() {
        return id;
    }

    /** For a launcher started quietly ({@link LaunchSpec#runToCompletion()}), this waits until it has exited. */
    @Override
    public long launchedAtNanos() {
        return resolveSpawn();
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
        long exited = finished ? process.exitedNanos() : -1;
        long end = exited > 0 ? exited : System.nanoTime(); // the helper's reap time when known
        if (!finished) {
            close();
        }
        long elapsed = end - resolveSpawn();
        try {
            process.awaitOutput(Duration.ofSeconds(5)); // a descendant may hold the pipes open: take what came
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        String o = process.stdout();
        String e = process.stderr();
        int rc = finished ? process.exitValue() : -1;
        Supplier<String> notes = failureNotes;
        if (rc != 0 && notes != null) {
            String n = notes.get();
            if (n != null && !n.isEmpty()) {
                e = e.isEmpty() || e.endsWith("\n") ? e + n : e + "\n" + n;
            }
        }
        return new ProcResult(argv, rc, !finished, o, e, Duration.ofNanos(elapsed));
    }

    private volatile Supplier<String> failureNotes;

    /**
     * What the runtime itself reported about a failed instance outside its launcher's output (e.g. runsc's panic log),
     * appended to the stderr of {@link #await} when the launcher did not exit 0; its last line becomes the failure's
     * reason. Returns this.
     */
    public ProcessSandbox onFailure(Supplier<String> notes) {
        this.failureNotes = notes;
        return this;
    }

    /**
     * Waits at most {@code timeout} for the launcher process itself to exit, not for its output (an OCI {@code create}
     * leaves the container's init holding stdout); its exit status, or -1 when it still runs. Never kills it.
     */
    public int awaitLauncher(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS) ? process.exitValue() : -1;
    }

    /** The launcher's output so far (for a failed {@code create}). */
    public String outputSoFar() {
        return (process.stdout() + process.stderr()).strip();
    }

    @Override
    public long exitedAtNanos() {
        return process.exitedNanos();
    }

    @Override
    public List<Long> hostPids() {
        Set<Long> pids = new LinkedHashSet<>();
        if (process.isAlive()) {
            pids.add(process.pid());
            pids.addAll(Proc.descendants(process.pid()));
        }
        pids.addAll(extraPids.get());
        return new ArrayList<>(pids);
    }

    /** Records a milestone the driver observed (e.g. {@link Phase#BOOTED}); returns this. */
    public ProcessSandbox phase(String name, long atNanos) {
        synchronized (phases) {
            phases.add(new Phase(name, atNanos));
            phases.sort(java.util.Comparator.comparingLong(Phase::atNanos));
        }
        return this;
    }

    /** For a quiet launcher, this waits until it has exited (see {@link #launchedAtNanos()}). */
    @Override
    public List<Phase> phases() {
        resolveSpawn();
        synchronized (phases) {
            return List.copyOf(phases);
        }
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
