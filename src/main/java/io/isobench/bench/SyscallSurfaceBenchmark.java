package io.isobench.bench;

import io.isobench.image.BuiltTool;
import io.isobench.proc.ProcResult;
import io.isobench.runtime.LaunchSpec;
import io.isobench.runtime.RuntimeDriver;
import io.isobench.runtime.Sandbox;
import io.isobench.util.WorkDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Syscall coverage: how many distinct host system calls the instance's host processes make while a fixed
 * workload (the syscall probe running each of its calls briefly) runs. The driver's launcher is started
 * under {@code strace -f -c -qq} ({@link LaunchSpec#wrapper()}), so the whole host process tree is traced:
 * for native that is the workload itself; for runc the runtime's processes plus the workload, whose calls go
 * straight to the host kernel; for gVisor the runsc processes (Sentry, Gofer), which serve the workload's
 * calls themselves. Runtimes that cannot run their launcher under a wrapper fail the trial with that reason.
 */
public final class SyscallSurfaceBenchmark implements Benchmark {
    public static final Metric DISTINCT_SYSCALLS = new Metric("distinct_syscalls", "syscalls", false);

    @Override
    public String id() {
        return "syscall-surface";
    }

    @Override
    public String description() {
        return "distinct host system calls of the runtime's host processes (strace -f -c) while the syscall "
                + "probe runs each call briefly; the sorted list is in each trial's raw output";
    }

    @Override
    public List<ParamSpec> params() {
        return List.of(ParamSpec.of("time", "1s", ParamSpec.Type.DURATION,
                "how long the fixed workload runs (split over the probe's 5 calls)"));
    }

    /** strace runs on the host; listing it here makes a missing strace skip the benchmark with the usual reason. */
    @Override
    public Set<String> tools() {
        return Set.of("strace");
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

    @Override
    public TrialOutcome run(TrialContext ctx) throws TrialFailure {
        if (!ctx.driver().supportsWrapper()) {
            throw new TrialFailure("runtime " + ctx.driver().id() + " cannot start its launcher under strace "
                    + "(its host processes are not the launcher's process tree), so its host syscalls are not traced", "");
        }
        long perCall = Math.max(1, ctx.params().getDuration("time").toMillis() / SyscallBenchmark.CALLS.size());
        List<String> argv = List.of(ctx.image().tools().get(SyscallBenchmark.PROBE.name()), Long.toString(perCall),
                String.join(",", SyscallBenchmark.CALLS));
        Path out = WorkDir.get().resolve("strace-" + ctx.instancePrefix() + ".txt");
        List<String> wrapper = List.of(ctx.image().tools().get("strace"), "-f", "-c", "-qq", "-o", out.toString());
        LaunchSpec spec = new LaunchSpec(ctx.instancePrefix(), ctx.image(), argv, Map.of(), ctx.limits(), null, wrapper);
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
        String raw = "strace -f -c summary:\n" + summary + "\nworkload output:\n" + r.combinedOutput();
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
        return new TrialOutcome(List.of(new Sample(DISTINCT_SYSCALLS, names.size())),
                "distinct_syscalls=" + names.size() + " syscalls=" + String.join(",", names) + "\n\n" + raw);
    }

    @Override
    public boolean runByDefault() {
        return false;
    }
}
