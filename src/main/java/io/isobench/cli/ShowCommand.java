package io.isobench.cli;

import io.isobench.analysis.Summary;
import io.isobench.plan.Defaults;
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
import java.util.concurrent.Callable;

/** `isobench show RUN`: the summary of a stored run, or its JSON. */
@Command(name = "show", mixinStandardHelpOptions = true, description = "Show a stored run's summary.")
public final class ShowCommand implements Callable<Integer> {
    @Parameters(paramLabel = "RUN_ID", description = "a run id, a unique prefix of one, or 'latest'")
    String runId;

    @Option(names = "--json", description = "the run as JSON (same contract as run --json)")
    boolean json;

    @Mixin
    CommonOptions common;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (Store store = common.openExistingStore()) {
            StoredRun run = store.loadRun(store.resolveRunId(runId));
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
