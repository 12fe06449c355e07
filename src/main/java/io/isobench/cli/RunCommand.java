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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** `isobench run`: measure, store every sample, print the summary (or the JSON contract). */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Run benchmarks in every selected runtime, store every sample, print a summary.")
public final class RunCommand implements Callable<Integer> {
    @Mixin
    RunOptions options;

    @Option(names = "--quick", description = "the quick preset that 'study' uses (5 repetitions of 5 s trials, 1 s cooldown, 1 MiB sequential memory writes only); flags still override")
    boolean quick;

    @Option(names = "--preset", paramLabel = "NAME", description = "a named preset under the plan file and flags: quick "
            + "(as --quick) or ml-paper (the papers' ResNet-50 training: ml, batch 32, 100 batches)")
    String preset;

    @Option(names = "--runs", paramLabel = "K", defaultValue = "1",
            description = "make K separate stored runs of the plan, one after the other (default 1): the replications "
                    + "'compare A1..AK -- B1..BK' tests at the run level (runs, not samples, are the unit of replication)")
    int runs;

    @Option(names = "--resume", paramLabel = "RUN_ID", description = "finish an interrupted or abandoned run of this "
            + "host: run exactly the trials its stored plan still lacks, under the same run id (its plan and runtimes "
            + "are the stored ones: no plan options with it)")
    String resume;

    @Option(names = "--json", description = "print the run as JSON on stdout (no progress bar; with --runs K > 1, an array of runs)")
    boolean json;

    @Option(names = "--quiet", description = "no progress output on stderr")
    boolean quiet;

    @Option(names = "--dry-run", description = "print the cases, trials and estimated duration; run nothing, touch no database")
    boolean dryRun;

    @Option(names = "--fleet", paramLabel = "FLEET_ID", description = "tag the run as a node's run of this fleet "
            + "('isobench fleet run' gives it to every node's agent; 'list --fleet' and 'fleet status' find it)")
    String fleet;

    @Option(names = "--fleet-node", paramLabel = "NODE", description = "with --fleet: the node's name as the cluster "
            + "engine knows it (default: this host's name)")
    String fleetNode;

    @Mixin
    CommonOptions common;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (runs < 1 || runs > 100) {
            throw new UserException("--runs: must be between 1 and 100, got " + runs);
        }
        if (fleetNode != null && fleet == null) {
            throw new UserException("--fleet-node: only with --fleet");
        }
        if (fleet != null && !fleet.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}")) {
            throw new UserException("--fleet: '" + fleet + "' is not a fleet id (letters, digits, '.', '_', '-'; at most 63)");
        }
        if (resume != null) {
            if (fleet != null) {
                throw new UserException("--fleet: a resumed run keeps the fleet it had; give no --fleet with --resume");
            }
            if (quick || preset != null || options.given() || runs != 1 || dryRun) {
                throw new UserException("--resume runs the stored plan of the run: give no plan options (nor --runs or --dry-run) with it");
            }
            return execute(null, resume, 1, json, quiet, common, spec.commandLine().getOut(), null, null);
        }
        if (quick && preset != null && !preset.equals("quick")) {
            throw new UserException("--quick and --preset " + preset + " are two presets: give one");
        }
        Plan plan = options.build(quick ? "quick" : preset == null ? "default" : preset);
        if (dryRun) {
            DryRun.print(plan, json, spec.commandLine().getOut());
            return 0;
        }
        return execute(plan, null, runs, json, quiet, common, spec.commandLine().getOut(), fleet, fleetNode);
    }

    static int execute(Plan plan, boolean json, boolean quiet, CommonOptions common, PrintWriter out) {
        return execute(plan, null, 1, json, quiet, common, out, null, null);
    }

    /** Runs {@code plan} K times (K stored runs), or with {@code resumeId} finishes that stored run. */
    private static int execute(Plan plan, String resumeId, int k, boolean json, boolean quiet, CommonOptions common,
                               PrintWriter out, String fleet, String fleetNode) {
        try (Store store = common.openStore()) {
            RunService svc = new RunService(store, new ImageBuilder(RunService.defaultImageCache()), System.err)
                    .fleet(fleet, fleetNode);
            List<String> ids = resumeId != null ? List.of(svc.resume(resumeId, json || quiet)) : svc.runs(plan, k, json || quiet);
            if (Cleanup.shuttingDown()) {
                return 130;
            }
            List<Object> all = new ArrayList<>();
            for (String runId : ids) {
                StoredRun run = store.loadRun(runId);
                String baseline = plan != null ? plan.baseline() : String.valueOf(run.header().plan().get("baseline"));
                var stats = Summary.of(run, baseline);
                if (json) {
                    all.add(RunJson.of(run, stats));
                } else {
                    out.println();
                    TextSummary.print(out, run, stats, baseline);
                    out.printf("%nstored as run %s in %s (isobench show %s)%n", runId, store.location(), runId);
                }
            }
            if (json) {
                out.println(Json.pretty(k == 1 ? all.get(0) : all));
            } else if (ids.size() > 1) {
                out.printf("%n%d runs: %s%nto compare them at the run level with later runs: isobench compare %s -- "
                        + "<runs of the other side>%n", ids.size(), String.join(" ", ids), String.join(" ", ids));
            }
            return 0;
        }
    }
}
