package io.isobench.cli;

import io.isobench.analysis.Summary;
import io.isobench.plan.Defaults;
import io.isobench.report.MultiHostReport;
import io.isobench.report.ReportRun;
import io.isobench.report.RunJson;
import io.isobench.report.TextSummary;
import io.isobench.store.Store;
import io.isobench.store.StoredRun;
import io.isobench.util.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * `isobench show RUN…`: the summary of a stored run, or its JSON; several runs (e.g. from several hosts) side by side,
 * each cost factor against its own run's baseline.
 */
@Command(name = "show", mixinStandardHelpOptions = true, description = {"Show a stored run's summary.",
        "Several runs (e.g. one per host) are shown side by side: each runtime's cost against its own run's baseline on its "
                + "own host, and the host facts that differ."})
public final class ShowCommand implements Callable<Integer> {
    @Parameters(paramLabel = "RUN_ID", arity = "1..*", description = "run ids, unique prefixes of them, or 'latest'")
    List<String> runIds;

    @Option(names = "--json", description = "the run as JSON (same contract as run --json); several runs: an array of them")
    boolean json;

    @Mixin
    CommonOptions common;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (Store store = common.openExistingStore()) {
            if (runIds.size() > 1) {
                List<ReportRun> runs = new ArrayList<>();
                for (String id : runIds) {
                    runs.add(ReportRun.of(store.loadRun(store.resolveRunId(id))));
                }
                if (json) {
                    out.println(Json.pretty(runs.stream().map(r -> RunJson.of(r.run(), r.stats())).toList()));
                } else {
                    MultiHostReport.of(runs).print(out);
                }
                return 0;
            }
            StoredRun run = store.loadRun(store.resolveRunId(runIds.get(0)));
            Object b = run.header().plan().get("baseline");
            String baseline = b == null ? Defaults.BASELINE : b.toString();
            var stats = Summary.of(run, baseline);
            Store.FleetTag fleet = store.fleetOf(run.header().id());
            if (json) {
                java.util.Map<String, Object> m = new java.util.LinkedHashMap<>(RunJson.of(run, stats));
                if (fleet != null) {
                    m.put("fleet", java.util.Map.of("id", fleet.fleetId(), "node", String.valueOf(fleet.node())));
                }
                out.println(Json.pretty(m));
            } else {
                TextSummary.print(out, run, stats, baseline);
                if (fleet != null) {
                    out.printf("%nfleet %s, node %s (isobench fleet status %s; isobench list --fleet %s)%n", fleet.fleetId(),
                            fleet.node(), fleet.fleetId(), fleet.fleetId());
                }
            }
            return 0;
        }
    }
}
