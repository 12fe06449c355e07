package io.isobench.bench.disk;

import io.isobench.bench.CommandBenchmark;
import io.isobench.bench.Params;
import io.isobench.bench.Sample;
import io.isobench.bench.TrialContext;
import io.isobench.bench.TrialFailure;
import io.isobench.bench.TrialOutcome;
import io.isobench.proc.Proc;
import io.isobench.proc.ProcResult;
import io.isobench.runtime.LaunchSpec;
import io.isobench.runtime.RuntimeDriver;
import io.isobench.runtime.Sandbox;
import io.isobench.runtime.Scratch;
import io.isobench.util.Units;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * One disk trial: drops the host's page cache where allowed, launches one sandbox with scratch storage (the
 * runtime's own storage path, see {@link Scratch}) running a small /bin/sh script, and returns its result with a
 * header saying where the test file lived and whether the cache was dropped. The header goes first in the raw
 * output stored with every trial.
 */
final class DiskTrial {
    static final Path DROP_CACHES = Path.of("/proc/sys/vm/drop_caches");

    private DiskTrial() {
    }

    record Result(ProcResult proc, String header) {
        String rawOutput() {
            return header + proc.combinedOutput();
        }
    }

    /** The scratch size to ask for: the test file plus room for file system metadata (matters for VM disks only). */
    static long scratchBytes(long fileBytes) {
        return fileBytes + fileBytes / 4 + (64L << 20);
    }

    static long size(Params p, String name) {
        return Units.parseSize(p.get(name), name);
    }

    static Result run(TrialContext ctx, String script, long fileBytes) throws TrialFailure {
        String cache = dropHostPageCache();
        LaunchSpec spec = ctx.launchSpec(List.of("/bin/sh", "-c", script))
                .scratchBytes(scratchBytes(fileBytes)).build();
        ProcResult r;
        String storage;
        try (Sandbox s = ctx.driver().launch(spec)) {
            storage = s.scratchStorage();
            r = s.await(ctx.timeout());
        } catch (RuntimeDriver.LaunchException e) {
            throw new TrialFailure("launch failed: " + e.getMessage(), "isobench: page cache " + cache + "\n");
        }
        String header = "isobench: test file on " + (storage == null ? "unknown storage (driver gave none)" : storage)
                + "\nisobench: page cache " + cache + "\n";
        if (r.timedOut()) {
            throw new TrialFailure("timed out after " + ctx.timeout().toSeconds() + " s; sandbox killed",
                    header + r.combinedOutput());
        }
        if (r.exitCode() != 0) {
            throw new TrialFailure(r.failureSummary(), header + r.combinedOutput());
        }
        return new Result(r, header);
    }

    /**
     * {@code sync} then 3 into /proc/sys/vm/drop_caches, written from Java (no shell). Only root may; anything
     * else is said, not hidden. A VM's guest cache starts empty anyway: every trial boots a fresh guest.
     */
    static String dropHostPageCache() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return "not dropped (not root)";
        }
        ProcResult sync = Proc.of("sync").timeout(Duration.ofSeconds(120)).run();
        try {
            Files.writeString(DROP_CACHES, "3");
        } catch (IOException | UnsupportedOperationException e) {
            return "not dropped (" + DROP_CACHES + ": " + e.getMessage() + ")";
        }
        return "dropped on the host before the trial (sync" + (sync.ok() ? "" : " failed") + "; 3 > " + DROP_CACHES + ")";
    }

    /** Parses with {@code parser}, turning a parse error into a trial failure with the raw output. */
    static TrialOutcome outcome(Result r, Parser parser) throws TrialFailure {
        try {
            return new TrialOutcome(parser.parse(r.proc().stdout()), r.rawOutput());
        } catch (CommandBenchmark.ParseException e) {
            throw CommandBenchmark.failure("", e, r.rawOutput());
        }
    }

    @FunctionalInterface
    interface Parser {
        List<Sample> parse(String stdout) throws CommandBenchmark.ParseException;
    }

    static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
