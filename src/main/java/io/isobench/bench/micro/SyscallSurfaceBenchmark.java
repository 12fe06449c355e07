package io.isobench.bench.micro;

import io.isobench.bench.Benchmark;
import io.isobench.bench.CommandBenchmark;
import io.isobench.bench.Metric;
import io.isobench.bench.ParamSpec;
import io.isobench.bench.Params;
import io.isobench.bench.Sample;
import io.isobench.bench.TrialContext;
import io.isobench.bench.TrialFailure;
import io.isobench.bench.TrialOutcome;
import io.isobench.image.BuiltTool;
import io.isobench.measure.FtraceSyscalls;
import io.isobench.measure.SyscallTable;
import io.isobench.measure.TracedSyscalls;
import io.isobench.proc.ProcResult;
import io.isobench.proc.WorkDir;
import io.isobench.runtime.LaunchSpec;
import io.isobench.runtime.RuntimeDriver;
import io.isobench.runtime.Sandbox;
import io.isobench.util.Tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * Syscall coverage: the distinct host system calls made by the instance's host processes while a fixed workload
 * (the syscall probe running each of its calls briefly) runs, from the launch to the end of the sandbox's
 * teardown. Traced with ftrace ({@link FtraceSyscalls}): every process isobench starts for the instance (launcher,
 * runtime helpers, shims, the sandbox, gofer, VMM, and the workload itself when it runs on the host kernel) with
 * its threads and descendants, plus host pids the driver reports ({@link Sandbox#hostPids()}) that isobench did not
 * start, from when first seen. Not counted: isobench's JVM (the tracer included), the JDK's spawn helper before
 * it executes the launcher, processes isobench's pid polling starts, isobench's preparation tools. Where ftrace cannot be used, the launcher runs under {@code strace -f -c} for drivers
 * that support a wrapper ({@link LaunchSpec#wrapper()}); gVisor's ptrace platform cannot run under strace.
 * The method is the first line of every trial's raw output.
 */
public final class SyscallSurfaceBenchmark implements Benchmark {
    public static final Metric DISTINCT_SYSCALLS = new Metric("distinct_syscalls", "syscalls", false);
    /** Set to a directory to keep each trial's raw ftrace lines there (for capturing test fixtures). */
    static final String DUMP_ENV = "ISOBENCH_FTRACE_DUMP";
    private static final Duration POLL = Duration.ofMillis(100);

    @Override
    public String id() {
        return "syscall-surface";
    }

    @Override
    public String description() {
        return "distinct host system calls of the runtime's host processes (ftrace raw_syscalls, strace -f where "
                + "ftrace is unavailable) while the syscall probe runs each call briefly; the sorted list and the "
                + "method are in each trial's raw output";
    }

    @Override
    public List<ParamSpec> params() {
        return List.of(ParamSpec.of("time", "1s", ParamSpec.Type.DURATION,
                "how long the fixed workload runs (split over the probe's 5 calls)"));
    }

    @Override
    public Set<String> tools() {
        return Set.of();
    }

    @Override
    public List<BuiltTool> builtTools() {
        return List.of(SyscallBenchmark.PROBE);
    }

    @Override
    public List<Metric> metrics() {
        return List.of(DISTINCT_SYSCALLS);
    }

    @Override
    public List<Params> cases(Params resolved) {
        return List.of(resolved);
    }

    @Override
    public Duration expectedDuration(Params p) {
        // tracing slows the runtime's own start (runc, runsc) several times over
        return p.getDuration("time").plusSeconds(5);
    }

    private static List<String> probeArgv(TrialContext ctx) {
        long perCall = Math.max(1, ctx.params().getDuration("time").toMillis() / SyscallBenchmark.CALLS.size());
        return List.of(ctx.image().tools().get(SyscallBenchmark.PROBE.name()), Long.toString(perCall),
                String.join(",", SyscallBenchmark.CALLS));
    }

    @Override
    public TrialOutcome run(TrialContext ctx) throws TrialFailure {
        String why = FtraceSyscalls.unavailableReason();
        if (why == null) {
            return withFtrace(ctx);
        }
        return withStrace(ctx, why);
    }

    private TrialOutcome withFtrace(TrialContext ctx) throws TrialFailure {
        LaunchSpec spec = ctx.launchSpec(probeArgv(ctx)).build();
        String dumpDir = System.getenv(DUMP_ENV);
        FtraceSyscalls trace;
        try {
            trace = FtraceSyscalls.start(SyscallTable.host(), dumpDir != null);
        } catch (IOException e) {
            return withStrace(ctx, "ftrace unavailable: " + e.getMessage());
        }
        ProcResult r;
        TracedSyscalls.Result seen;
        String header;
        try (trace) {
            header = "method: " + trace.describe() + "\n";
            try (Sandbox s = ctx.driver().launch(spec)) {
                // a platform thread: what it starts (an engine CLI asked for pids) is known by its thread id and not counted
                Thread poller = Thread.ofPlatform().daemon().name("isobench-surface-pids").start(() -> {
                    trace.accountingThread();
                    while (!Thread.currentThread().isInterrupted()) {
                        trace.follow(s.hostPids());
                        try {
                            Thread.sleep(POLL);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                });
                try {
                    r = s.await(ctx.timeout());
                } finally {
                    poller.interrupt();
                }
            } catch (RuntimeDriver.LaunchException e) {
                throw new TrialFailure("launch failed: " + e.getMessage(), header);
            }
            try {
                seen = trace.stop();
            } catch (IOException e) {
                throw new TrialFailure("ftrace: " + e.getMessage(), header + "workload output:\n" + r.combinedOutput());
            }
            String losses = trace.bufferLosses();
            header += "counted: every host process isobench started for the instance from launch to the end of its "
                    + "teardown (launcher, runtime helpers, shims, sandbox, gofer, VMM; the workload when it runs on "
                    + "the host kernel), their threads and descendants, and host pids of the instance not started by "
                    + "isobench from when first seen; not counted: isobench's JVM (the tracer included), the JDK "
                    + "spawn helper before it executes the launcher, what isobench's pid polling starts, isobench's "
                    + "preparation tools on a cold cache " + new java.util.TreeSet<>(TracedSyscalls.PREPARATION_TOOLS)
                    + ", engine daemons shared by every container\n"
                    + seen.describe()
                    + (losses.isEmpty() ? "ring buffer losses: none\n" : "INCOMPLETE: the ring buffer dropped events ("
                    + losses + "): the reader fell behind, and calls made only then are missing from the list\n")
                    + (trace.filterProblem() == null ? "" : "note: " + trace.filterProblem() + "\n");
            if (dumpDir != null) {
                saveDump(Path.of(dumpDir), ctx.instancePrefix(), trace.dump());
            }
        }
        String raw = header + "workload output:\n" + r.combinedOutput();
        if (r.timedOut()) {
            throw new TrialFailure("timed out after " + ctx.timeout().toSeconds() + " s; sandbox killed", raw);
        }
        if (r.exitCode() != 0) {
            throw new TrialFailure(r.failureSummary(), raw);
        }
        if (seen.names().isEmpty()) {
            throw new TrialFailure("ftrace saw no system calls of the instance", raw);
        }
        return outcome(seen.names(), raw);
    }

    private static TrialOutcome outcome(List<String> names, String raw) {
        return new TrialOutcome(List.of(new Sample(DISTINCT_SYSCALLS, names.size())),
                "distinct_syscalls=" + names.size() + " syscalls=" + String.join(",", names) + "\n" + raw);
    }

    private static void saveDump(Path dir, String name, String text) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("ftrace-" + name + ".txt"), text);
        } catch (IOException e) {
            System.err.println("isobench: cannot write the ftrace dump to " + dir + ": " + e.getMessage());
        }
    }

    /** The fallback: the driver's launcher under strace -f -c (its whole process tree). */
    private TrialOutcome withStrace(TrialContext ctx, String ftraceProblem) throws TrialFailure {
        String strace = Tools.which("strace");
        if (!ctx.driver().supportsWrapper() || strace == null) {
            throw new TrialFailure(ftraceProblem + "; and " + (strace == null ? "strace is not installed"
                    : "runtime " + ctx.driver().id() + " cannot start its launcher under strace (its host processes "
                    + "are not the launcher's process tree)") + ", so its host system calls cannot be traced", "");
        }
        Path out = WorkDir.get().resolve("strace-" + ctx.instancePrefix() + ".txt");
        List<String> wrapper = List.of(strace, "-f", "-c", "-qq", "-o", out.toString());
        LaunchSpec spec = ctx.launchSpec(probeArgv(ctx)).wrapper(wrapper).build();
        ProcResult r;
        String summary;
        try {
            try (Sandbox s = ctx.driver().launch(spec)) {
                r = s.await(ctx.timeout());
            } catch (RuntimeDriver.LaunchException e) {
                throw new TrialFailure("launch failed: " + e.getMessage(), "");
            }
            summary = Files.exists(out) ? Files.readString(out) : "";
        } catch (IOException e) {
            throw new TrialFailure("cannot read strace output: " + e.getMessage(), "");
        } finally {
            try {
                Files.deleteIfExists(out);
            } catch (IOException ignored) {
                // the work dir goes at exit anyway
            }
        }
        String raw = "method: strace -f -c of the launcher's process tree (" + ftraceProblem + ")\n"
                + "strace -f -c summary:\n" + summary + "\nworkload output:\n" + r.combinedOutput();
        if (r.timedOut()) {
            throw new TrialFailure("timed out after " + ctx.timeout().toSeconds() + " s; sandbox killed", raw);
        }
        if (r.exitCode() != 0) {
            throw new TrialFailure("under strace: " + r.failureSummary(), raw);
        }
        List<String> names;
        try {
            names = StraceSummary.names(StraceSummary.parse(summary));
        } catch (CommandBenchmark.ParseException e) {
            throw new TrialFailure("unexpected strace output: " + e.getMessage(), raw);
        }
        if (names.isEmpty()) {
            throw new TrialFailure("strace saw no system calls", raw);
        }
        return outcome(names, raw);
    }

    @Override
    public boolean runByDefault() {
        return false;
    }
}
