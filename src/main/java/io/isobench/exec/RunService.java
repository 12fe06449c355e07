package io.isobench.exec;

import io.isobench.bench.Benchmark;
import io.isobench.bench.registry.Benchmarks;
import io.isobench.host.HostFacts;
import io.isobench.host.HostProbe;
import io.isobench.host.KvmProbe;
import io.isobench.image.BuiltTool;
import io.isobench.image.ImageBuilder;
import io.isobench.image.WorkloadImage;
import io.isobench.measure.SelfUsage;
import io.isobench.plan.Plan;
import io.isobench.plan.PlanLoader;
import io.isobench.proc.Cleanup;
import io.isobench.proc.Proc;
import io.isobench.proc.ProcResult;
import io.isobench.runtime.Availability;
import io.isobench.runtime.ProbeContext;
import io.isobench.runtime.RuntimeDriver;
import io.isobench.runtime.Runtimes;
import io.isobench.store.Store;
import io.isobench.store.StoredRun;
import io.isobench.store.TrialRecord;
import io.isobench.util.UserException;
import io.isobench.util.Version;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * One run end to end: probe the host and the runtimes, build the workload image, record the run's
 * provenance, execute the trials, and close the run (completed, or interrupted on Ctrl-C). The CLI and the
 * integration tests both go through here.
 */
public final class RunService {
    private final Store store;
    private final ImageBuilder images;
    private final PrintStream err;
    private String fleetId;
    private String fleetNode;

    public RunService(Store store, ImageBuilder images, PrintStream err) {
        this.store = store;
        this.images = images;
        this.err = err;
    }

    /** Tags the runs this service makes as a node's runs of a fleet ({@code run --fleet ID --fleet-node NODE}). */
    public RunService fleet(String id, String node) {
        this.fleetId = id;
        this.fleetNode = node;
        return this;
    }

    public static Path defaultImageCache() {
        return io.isobench.util.CacheDir.root().resolve("images");
    }

    /** Probes every runtime in parallel (each probe has its own timeouts). Order is the registry's. */
    public static List<Availability> probeAll(List<RuntimeDriver> drivers, ProbeContext ctx) {
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Availability>> fs = new ArrayList<>();
            for (RuntimeDriver d : drivers) {
                fs.add(ex.submit(() -> {
                    try {
                        return d.probe(ctx);
                    } catch (RuntimeException e) {
                        return Availability.no(d.id(), null, "probe failed: " + e.getMessage());
                    }
                }));
            }
            List<Availability> out = new ArrayList<>();
            for (Future<Availability> f : fs) {
                try {
                    out.add(f.get());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
            return out;
        }
    }

    /** What a run needs before its first trial: host facts, the runtimes and their probes, image, benchmarks. */
    private record Prepared(HostFacts host, List<RuntimeDriver> wanted, List<Availability> avail,
                            List<RuntimeDriver> usable, WorkloadImage image, List<Benchmark> runnable,
                            Map<String, String> skippedBenches) {
    }

    /** Sweeps what dead isobench processes left, probes the host and marks its dead runs abandoned. */
    private HostFacts sweepAndProbeHost() {
        for (String what : Janitor.sweep(err)) {
            err.println("isobench: removed " + what + " left by an isobench process that died");
        }
        HostFacts host = new HostProbe().probe(KvmProbe.shared());
        for (String id : store.abandonDeadRuns(host.hostname())) {
            err.println("isobench: run " + id + " was left 'running' by a process that died; marked abandoned");
        }
        return host;
    }

    /**
     * Runs the plan {@code k} times, one stored run after the other (each interleaving its runtimes round by round
     * against its own baseline), and returns their ids: the independent replications `compare A1..Ak -- B1..Bk`
     * tests at the run level. Stops early when isobench is shutting down.
     */
    public List<String> runs(Plan plan, int k, boolean quiet) {
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= k && !Cleanup.shuttingDown(); i++) {
            if (!quiet && k > 1) {
                err.printf("isobench: run %d of %d%n", i, k);
            }
            ids.add(run(plan, quiet));
        }
        return ids;
    }

    /** Runs the plan and returns the run id. The caller reads results back from the store. */
    public String run(Plan plan, boolean quiet) {
        // before anything takes an address (probes included): the block, and no overlap with the host's networks
        io.isobench.runtime.AddressPool.configure(plan.subnet());
        io.isobench.runtime.AddressPool.checkHost();
        HostFacts host = sweepAndProbeHost();
        Prepared pr = prepare(plan, host);
        List<RuntimeDriver> wanted = pr.wanted();
        List<Availability> avail = pr.avail();
        List<RuntimeDriver> usable = pr.usable();
        WorkloadImage image = pr.image();
        String runId = Executor.newRunId();
        Instant started = Instant.now();
        store.createRun(runId, started, Version.get(), host.toMap(), plan.toMap(), toolVersions(image));
        if (fleetId != null) {
            store.tagFleet(runId, fleetId, fleetNode != null ? fleetNode : host.hostname());
        }
        for (int i = 0; i < wanted.size(); i++) {
            Availability a = avail.get(i);
            RuntimeDriver d = wanted.get(i);
            Map<String, Object> details = new LinkedHashMap<>(a.details());
            if (a.available() && !d.id().equals(io.isobench.plan.Defaults.BASELINE)) {
                // record the plan's limits only where the runtime applies them; say so where it cannot
                Object enforced = details.get("limits_enforced");
                details.put("limits", enforced instanceof String e && e.startsWith("none")
                        ? "not applied (" + e + ")" : plan.limits().toMap());
            }
            store.addRuntime(runId, d.id(), d.kind(), a.available(), a.version(), a.reason(), details);
        }
        pr.skippedBenches().forEach((bench, why) -> store.recordTrial(new TrialRecord(runId, bench,
                plan.params().get(bench).values(), "all", 0, false, Instant.now(), 0, List.of(), "benchmark skipped: " + why, "")));
        Executor ex = new Executor(store, plan, usable, pr.runnable(), image);
        store.setTrialsPlanned(runId, ex.totalTrials());
        if (!quiet) {
            err.printf("isobench: run %s: %d trials over %s, about %s; database %s%n", runId, ex.totalTrials(),
                    String.join(", ", usable.stream().map(RuntimeDriver::id).toList()),
                    human(ex.expectedDuration()), store.location());
        }
        return execute(runId, ex, ex.totalTrials(), quiet);
    }

    /**
     * {@code run --resume}: finishes an interrupted or abandoned run of this host under its own id, with its stored
     * plan and runtimes, running exactly the planned trials the store lacks. Refuses (one line) an unknown id, a
     * completed or still running run, a run of another host, a runtime that no longer works, or a workload image
     * that changed since (its samples would not measure the same binaries).
     */
    public String resume(String idOrPrefix, boolean quiet) {
        HostFacts host = sweepAndProbeHost();
        String runId = store.resolveRunId(idOrPrefix);
        Store.RunState st = store.runState(runId);
        if (!java.util.Objects.equals(st.host(), host.hostname())) {
            throw new UserException("run " + runId + " ran on host '" + st.host() + "', not on this one ('"
                    + host.hostname() + "'): it can only be resumed there");
        }
        switch (st.status()) {
            case "interrupted", "abandoned" -> { }
            case "completed" -> throw new UserException("run " + runId + " is completed: nothing to resume");
            case "running" -> throw new UserException("run " + runId + " is still running (pid " + st.pid() + ")");
            default -> throw new UserException("run " + runId + " has status '" + st.status() + "' and cannot be resumed");
        }
        StoredRun stored = store.loadRun(runId);
        Plan plan = PlanLoader.stored(stored.header().plan());
        io.isobench.runtime.AddressPool.configure(plan.subnet());
        io.isobench.runtime.AddressPool.checkHost();
        List<String> used = stored.runtimes().stream().filter(StoredRun.RuntimeRow::available)
                .map(StoredRun.RuntimeRow::runtime).toList();
        // the same runtimes, in the same order, as the run had: each must still work
        Plan same = new Plan(used, plan.benchmarks(), plan.repetitions(), plan.warmups(), plan.cooldown(), plan.timeout(),
                plan.baseline(), plan.limits(), plan.params(), plan.preset(), plan.adaptive(), plan.subnet(), plan.runscBinary(), plan.pinning());
        Prepared pr = prepare(same, host);
        if (pr.usable().size() != used.size()) {
            List<String> gone = new ArrayList<>();
            for (int i = 0; i < pr.wanted().size(); i++) {
                if (!pr.avail().get(i).available()) {
                    gone.add(pr.wanted().get(i).id() + " (" + pr.avail().get(i).reason() + ")");
                }
            }
            throw new UserException("run " + runId + " cannot be resumed: runtime " + String.join(", ", gone)
                    + " no longer works here");
        }
        Object storedHash = stored.header().tools().get("workload_image") instanceof Map<?, ?> wi ? wi.get("hash") : null;
        if (!pr.image().hash().equals(storedHash)) {
            throw new UserException("run " + runId + " cannot be resumed: the workload image changed since it started ("
                    + storedHash + " -> " + pr.image().hash() + "; a tool or data file on the host changed)");
        }
        Executor ex = new Executor(store, same, pr.usable(), pr.runnable(), pr.image()).resuming(runId);
        long missing = ex.missingTrials();
        if (!store.resumeRun(runId, Instant.now(), missing)) {
            throw new UserException("run " + runId + " was resumed by another isobench process meanwhile");
        }
        err.printf("isobench: resuming run %s (%s): %d of %d planned trials missing, over %s; database %s%n", runId,
                st.status(), missing, ex.totalTrials(), String.join(", ", used), store.location());
        return execute(runId, ex, missing, quiet);
    }

    /** Runs the executor's trials and closes the run: completed, or interrupted on Ctrl-C. */
    private String execute(String runId, Executor ex, long trials, boolean quiet) {
        Cleanup.Action markInterrupted = Cleanup.register("run " + runId, () -> {
            SelfUsage u = SelfUsage.now();
            store.finishRun(runId, "interrupted", u.cpuSeconds(), u.peakRssBytes());
            err.println("isobench: run " + runId + " interrupted; samples taken so far are stored in " + store.location());
        });
        try (Progress p = Progress.create(trials, ex.expectedDuration(), quiet, err)) {
            ex.execute(runId, p);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            markInterrupted.close();
            return runId;
        } catch (RuntimeException | Error e) {
            // an internal error (the store's disk full, a server gone, a bug): the run ends 'failed' with the reason,
            // never left 'running'; the caller prints one line and exits 1
            if (Cleanup.shuttingDown()) {
                markInterrupted.close(); // torn down under the trial by Ctrl-C: interrupted, not failed
                throw e;
            }
            markInterrupted.disarm();
            fail(runId, e);
            throw e;
        }
        if (Cleanup.shuttingDown()) {
            markInterrupted.close(); // no-op when the shutdown hook already ran it
            return runId;
        }
        // normal end: unregister the interrupt marker without running it, then close the run
        SelfUsage u = SelfUsage.now();
        store.finishRun(runId, "completed", u.cpuSeconds(), u.peakRssBytes());
        markInterrupted.disarm();
        return runId;
    }

    /**
     * Marks the run failed with {@code e}'s message; says so on stderr when even that cannot be written, unless
     * {@code e} is the store's own failure (then the caller's one line is all: the store went away).
     */
    private void fail(String runId, Throwable e) {
        String reason = String.valueOf(e.getMessage()).strip().replaceAll("\\s*\\R\\s*", "; ");
        try {
            SelfUsage u = SelfUsage.now();
            store.failRun(runId, (e instanceof Store.StoreException ? "" : e.getClass().getSimpleName() + ": ") + reason,
                    u.cpuSeconds(), u.peakRssBytes());
        } catch (RuntimeException again) {
            if (e instanceof Store.StoreException) {
                return; // the store itself is gone: the caller's one line says so; the next run marks this one abandoned
            }
            err.println("isobench: run " + runId + " could not be marked failed either (" + again.getMessage()
                    + "); the next run marks it abandoned");
        }
    }

    private Prepared prepare(Plan plan, HostFacts host) {
        List<RuntimeDriver> wanted = new ArrayList<>();
        for (RuntimeDriver d : Runtimes.all()) {
            if (plan.runtimes().isEmpty() || plan.runtimes().contains(d.id())) {
                wanted.add(d);
            }
        }
        // keep the user's order when runtimes were named
        if (!plan.runtimes().isEmpty()) {
            wanted.sort(java.util.Comparator.comparingInt(d -> plan.runtimes().indexOf(d.id())));
        }
        ProbeContext pctx = new ProbeContext(images, plan.limits());
        List<Availability> avail = probeAll(wanted, pctx);
        List<RuntimeDriver> usable = new ArrayList<>();
        for (int i = 0; i < wanted.size(); i++) {
            Availability a = avail.get(i);
            if (a.available()) {
                usable.add(wanted.get(i));
            } else if (!plan.runtimes().isEmpty() || !a.reason().startsWith("not installed")) {
                err.println("isobench: skipping runtime " + a.id() + ": " + a.reason());
            }
        }
        if (usable.isEmpty()) {
            throw new UserException("no usable runtime among " + String.join(", ",
                    wanted.stream().map(RuntimeDriver::id).toList()) + " (see 'isobench doctor')");
        }
        if (usable.stream().noneMatch(d -> d.id().equals(plan.baseline()))) {
            err.println("isobench: the baseline '" + plan.baseline() + "' is not in this run; costs will show as n/a");
        }

        List<Benchmark> benches = plan.benchmarks().stream().map(id -> Benchmarks.byId(id).orElseThrow()).toList();
        Set<String> tools = new LinkedHashSet<>();
        Set<BuiltTool> built = new LinkedHashSet<>();
        benches.forEach(b -> tools.addAll(b.tools()));
        benches.forEach(b -> built.addAll(b.builtTools()));
        Set<String> hostFiles = new LinkedHashSet<>();
        Map<String, String> imageFiles = new LinkedHashMap<>();
        benches.forEach(b -> hostFiles.addAll(b.hostFiles()));
        benches.forEach(b -> imageFiles.putAll(b.imageFiles()));
        WorkloadImage image = images.build(tools, List.copyOf(built), hostFiles, imageFiles, true);
        List<Benchmark> runnable = new ArrayList<>();
        Map<String, String> skippedBenches = new LinkedHashMap<>(); // benchmark -> why
        for (Benchmark b : benches) {
            List<String> needs = new ArrayList<>(b.tools());
            b.builtTools().forEach(t -> needs.add(t.name()));
            needs.addAll(b.hostFiles());
            List<String> missing = needs.stream().filter(image.missingTools()::contains).toList();
            List<String> reasons = missing.stream().map(image.missingReasons()::get).filter(r -> r != null).toList();
            List<String> plain = missing.stream().filter(m -> !image.missingReasons().containsKey(m)).toList();
            if (missing.isEmpty()) {
                runnable.add(b);
            } else {
                List<String> whys = new ArrayList<>(reasons);
                if (!plain.isEmpty()) {
                    whys.add(0, "needs " + String.join(", ", plain) + ", not installed (run 'isobench setup')");
                }
                String why = String.join("; ", whys);
                err.println("isobench: skipping benchmark " + b.id() + ": " + why);
                skippedBenches.put(b.id(), why);
            }
        }

        return new Prepared(host, wanted, avail, usable, image, runnable, skippedBenches);
    }

    private Map<String, Object> toolVersions(WorkloadImage image) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("workload_image", Map.of("hash", image.hash(), "files", image.files(), "bytes", image.bytes(),
                "path", image.rootfs().toString()));
        for (var e : image.tools().entrySet()) {
            m.put(e.getKey(), toolVersion(e.getValue()));
        }
        m.put("java", System.getProperty("java.vm.name") + " " + Runtime.version());
        m.put("process_launch", io.isobench.proc.Launched.describe());
        return m;
    }

    static String toolVersion(String path) {
        ProcResult r = Proc.of(path, "--version").timeout(Duration.ofSeconds(10)).run();
        String text = r.stdout().isBlank() ? r.stderr() : r.stdout();
        if (r.exitCode() != 0 || text.isBlank()) {
            // nginx and ab know only -V ("nginx version: nginx/1.22.1", "This is ApacheBench, Version 2.3 ...")
            r = Proc.of(path, "-V").timeout(Duration.ofSeconds(10)).run();
            text = r.stdout().isBlank() ? r.stderr() : r.stdout();
        }
        if (r.exitCode() != 0 || text.isBlank()) {
            r = Proc.of(path, "--help").timeout(Duration.ofSeconds(10)).run();
            text = r.stdout().isBlank() ? r.stderr() : r.stdout();
        }
        return text.strip().lines().findFirst().orElse("unknown");
    }

    static String human(Duration d) {
        long s = d.toSeconds();
        return s >= 120 ? (s / 60) + " min" : s + " s";
    }
}
