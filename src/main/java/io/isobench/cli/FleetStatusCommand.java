package io.isobench.cli;

import io.isobench.fleet.FleetEngine;
import io.isobench.fleet.FleetEngines;
import io.isobench.fleet.FleetService;
import io.isobench.store.Store;
import io.isobench.util.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** `isobench fleet status ID`: per node, the job's state on the engine, its run, trials done of planned. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Per node of a fleet: its job's state on the engine, its run, trials done of planned, why it failed.")
public final class FleetStatusCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FLEET_ID", description = "a fleet id, a unique prefix of one, or 'latest'")
    String fleetId;

    @Option(names = "--job-output", paramLabel = "DIR", description = "Slurm: where the fleet's jobs wrote their output (as given to fleet run), "
            + "DIR/FLEET_ID/NODE.out (a directory you own that the nodes see, e.g. in a shared home; default "
            + "~/.local/share/isobench/fleet); a failed node's last lines are shown with its reason")
    java.nio.file.Path jobOutput;

    @Option(names = "--json", description = "machine-readable output")
    boolean json;

    @Mixin
    CommonOptions common;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (Store store = common.openExistingStore()) {
            Store.FleetRow f = store.loadFleet(fleetId);
            List<FleetService.StatusRow> rows;
            try (FleetEngine engine = engineOrNone(f.engine(), jobOutput == null ? null : jobOutput.toAbsolutePath())) {
                rows = new FleetService(engine, store, System.err, Duration.ofSeconds(5)).status(f);
            }
            if (json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("fleet", f.id());
                m.put("engine", f.engine());
                m.put("status", f.status());
                m.put("created_at", f.createdAt());
                m.put("finished_at", f.finishedAt());
                m.put("mode", f.mode());
                List<Map<String, Object>> nodes = new ArrayList<>();
                for (FleetService.StatusRow r : rows) {
                    Map<String, Object> n = new LinkedHashMap<>();
                    n.put("node", r.node());
                    n.put("job", r.job());
                    n.put("state", r.phase());
                    n.put("run_id", r.runId());
                    n.put("run_status", r.runStatus());
                    n.put("trials", r.trials());
                    n.put("trials_planned", r.trialsPlanned());
                    n.put("reason", r.reason());
                    n.put("output", r.output() == null ? null
                            : Map.of("source", r.output().source(), "lines", r.output().lines()));
                    nodes.add(n);
                }
                m.put("nodes", nodes);
                out.println(Json.pretty(m));
                return 0;
            }
            out.printf("fleet %s on %s: %s (started %s%s, %s)%n", f.id(), f.engine(), f.status(), f.createdAt(),
                    f.finishedAt() == null ? "" : ", ended " + f.finishedAt(), f.mode());
            print(out, rows);
            return 0;
        }
    }

    /**
     * The fleet's engine, or, where it cannot be used from here (not built in, its client missing), one that says so
     * when asked for jobs: status then shows what the store recorded.
     */
    private static FleetEngine engineOrNone(String id, java.nio.file.Path jobOutput) {
        try {
            return FleetEngines.open(id, jobOutput);
        } catch (io.isobench.util.UserException e) {
            return new io.isobench.fleet.UnavailableEngine(id, e.getMessage());
        }
    }

    /** The per-node table (also printed at the end of `fleet run`). */
    static void print(PrintWriter out, List<FleetService.StatusRow> rows) {
        int nw = Math.max(4, rows.stream().mapToInt(r -> r.node().length()).max().orElse(0));
        int rw = Math.max(3, rows.stream().mapToInt(r -> String.valueOf(r.runId()).length()).max().orElse(0));
        String fmt = "%-" + nw + "s %-10s %-10s %-" + rw + "s %-11s %9s  %s%n";
        out.printf(fmt, "node", "job", "state", "run", "run status", "trials", "reason");
        for (FleetService.StatusRow r : rows) {
            out.printf(fmt, r.node(), r.job() == null ? "-" : r.job(), r.phase(), r.runId() == null ? "-" : r.runId(),
                    r.runStatus() == null ? "-" : r.runStatus(), r.trials() == null ? "-"
                            : r.trials() + "/" + (r.trialsPlanned() == null ? "?" : r.trialsPlanned()),
                    r.reason() == null ? "" : r.reason());
        }
        for (FleetService.StatusRow r : rows) {
            if (r.output() != null) {
                out.printf("%n%s: %s%n", r.node(), r.output().block());
            }
        }
        out.flush();
    }
}
