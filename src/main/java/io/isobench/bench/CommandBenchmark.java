package io.isobench.bench;

import io.isobench.proc.ProcResult;
import io.isobench.runtime.LaunchSpec;
import io.isobench.runtime.RuntimeDriver;
import io.isobench.runtime.Sandbox;

import java.util.List;

/**
 * A benchmark that is one command in one fresh sandbox whose output is parsed into samples (sysbench,
 * fio...). Subclasses give the argv and the parser; launching, timeouts, teardown and failure records
 * are here.
 */
public abstract class CommandBenchmark implements Benchmark {

    protected abstract List<String> command(TrialContext ctx);

    /** The workload's environment besides the one every driver gives (none unless a benchmark needs it). */
    protected java.util.Map<String, String> env(TrialContext ctx) {
        return java.util.Map.of();
    }

    /** Parses the tool's stdout; throws {@link ParseException} when it is not what the tool prints on success. */
    protected abstract List<Sample> parse(String stdout, Params params) throws ParseException;

    @Override
    public TrialOutcome run(TrialContext ctx) throws TrialFailure {
        LaunchSpec spec = ctx.launchSpec(command(ctx)).env(env(ctx)).build();
        ProcResult r;
        String placement;
        try (Sandbox s = ctx.driver().launch(spec)) {
            placement = s.cpuPlacement();
            r = s.await(ctx.timeout());
        } catch (RuntimeDriver.LaunchException e) {
            throw new TrialFailure("launch failed: " + e.getMessage(), "");
        }
        if (r.timedOut()) {
            throw new TrialFailure("timed out after " + ctx.timeout().toSeconds() + " s; sandbox killed",
                    r.combinedOutput());
        }
        if (r.exitCode() != 0) {
            throw new TrialFailure(r.failureSummary(), r.combinedOutput());
        }
        // how the sandbox was pinned beyond its CPU set (a VM's vCPU threads), first in the raw output
        String raw = (placement == null ? "" : "isobench: cpu placement: " + placement + "\n") + r.combinedOutput();
        try {
            return new TrialOutcome(parse(r.stdout(), ctx.params()), raw);
        } catch (ParseException e) {
            throw failure("", e, raw);
        }
    }

    /**
     * The trial failure for a parse or check failure: "check failed: ..." when the tool said it did not do what was
     * asked, else "unexpected [tool ]output: ...".
     */
    public static TrialFailure failure(String tool, ParseException e, String rawOutput) {
        return new TrialFailure(e instanceof CheckFailed ? "check failed: " + e.getMessage()
                : "unexpected " + (tool.isEmpty() ? "" : tool + " ") + "output: " + e.getMessage(), rawOutput);
    }

    /** The tool's output did not contain what a successful run prints. */
    public static class ParseException extends Exception {
        public ParseException(String message) {
            super(message);
        }
    }

    /**
     * The tool ran and reported that it did not do what was asked (errors, failed requests, no events, short copy);
     * the message quotes the tool's own words. Such a trial measured something else, so it fails.
     */
    public static class CheckFailed extends ParseException {
        public CheckFailed(String message) {
            super(message);
        }
    }
}
