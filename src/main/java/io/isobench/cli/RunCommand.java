package io.isobench.cli;

import io.isobench.analysis.Summary;
import io.isobench.exec.RunService;
import io.isobench.image.ImageBuilder;
import io.isobench.plan.Plan;
import io.isobench.proc.Cleanup;
import io.isobench.report.RunJson;
import io.isobench.report.TextSummary;
import io.isobench.store.Store;
import io.isobench.store.StoredRun;
import io.isobench.util.Json;
import io.isobench.util.UserException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** `isobench run`: measure, store every sample, print the summary (or the JSON contract). */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Run benchmarks in every selected runtime, store every sample, print a summary.")
public final class RunCommand implements Callable<Integer> {
    @Mixin
    RunOptions options;

    @Option(names = "--quick", description = "the quick preset that 'study' uses (5 repetitions of 5 s trials, 1 s cooldown, 1 MiB sequential memory writes only); flags still override")
    boolean quick;

    @Option(names = "--resume", paramLabel = "RUN_ID", description = "finish an interrupted or abandoned run of this "
            + "host: run exactly the trials its stored plan still lacks, under the same run id (its plan and runtimes "
            + "are the stored ones: no plan options with it)")
    String resume;

    @Option(names = "--json", description = "print the run as JSON on stdout (no progress bar)")
    boolean json;

    @Option(names = "--quiet", description = "no progress output on stderr")
    boolean quiet;

    @Mixin
    CommonOptions common;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (resume != null) {
            if (quick || options.given()) {
                throw new UserException("--resume runs the stored plan of the run: give no plan options with it");
            }
            return execute(null, resume, json, quiet, common, spec.commandLine().getOut());
        }
        Plan plan = options.build(quick ? "quick" : "default");
        return execute(plan, json, quiet, common, spec.commandLine().getOut());
    }

    static int execute(Plan plan, boolean json, boolean quiet, CommonOptions common, PrintWriter out) {
        return execute(plan, null, json, quiet, common, out);
    }

    /** Runs {@code plan}, or with {@code resumeId} finishes that stored run. */
    private static int execute(Plan plan, String resumeId, boolean json, boolean quiet, CommonOptions common,
                               PrintWriter out) {
        try (Store store = common.openStore()) {
            RunService svc = new RunService(store, new ImageBuilder(RunService.defaultImageCache()), System.err);
            String runId = resumeId != null ? svc.resume(resumeId, json || quiet) : svc.run(plan, json || quiet);
            if (Cleanup.shuttingDown()) {
                return 130;
            }
            StoredRun run = store.loadRun(runId);
            String baseline = plan != null ? plan.baseline() : String.valueOf(run.header().plan().get("baseline"));
            var stats = Summary.of(run, baseline);
            if (json) {
                out.println(Json.pretty(RunJson.of(run, stats)));
            } else {
                out.println();
                TextSummary.print(out, run, stats, baseline);
                out.printf("%nstored as run %s in %s (isobench show %s)%n", runId, store.file(), runId);
            }
            return 0;
        }
    }
}
