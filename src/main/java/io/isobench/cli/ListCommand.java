package io.isobench.cli;

import io.isobench.store.Store;
import io.isobench.util.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** `isobench list`: the stored runs, newest first. */
@Command(name = "list", mixinStandardHelpOptions = true, description = "List stored runs, newest first.")
public final class ListCommand implements Callable<Integer> {
    @Option(names = "--json", description = "machine-readable output")
    boolean json;

    @Option(names = "--host", paramLabel = "HOSTNAME", description = "only runs made on this host")
    String host;

    @Option(names = "--status", paramLabel = "STATUS", description = "only runs with this status (running, completed, interrupted, abandoned)")
    String status;

    @Option(names = "--since", paramLabel = "DATE", description = "only runs started at or after DATE (YYYY-MM-DD or an ISO-8601 instant, UTC)")
    String since;

    @Option(names = "--until", paramLabel = "DATE", description = "only runs started before DATE (YYYY-MM-DD: before that day; or an ISO-8601 instant, UTC)")
    String until;

    @Option(names = "--fleet", paramLabel = "FLEET_ID", description = "only the runs of this fleet ('isobench fleet run')")
    String fleet;

    @Mixin
    CommonOptions common;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (Store store = common.openExistingStore()) {
            List<Store.RunRow> runs = store.listRuns(new Store.RunFilter(host, status, instant("--since", since), instant("--until", until), fleet));
            if (json) {
                List<Map<String, Object>> l = new ArrayList<>();
                for (Store.RunRow r : runs) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("run_id", r.id());
                    m.put("started_at", r.startedAt());
                    m.put("finished_at", r.finishedAt());
                    m.put("status", r.status());
                    m.put("host", r.host());
                    m.put("fleet", r.fleetId());
                    m.put("isobench_version", r.version());
                    m.put("runtimes", r.plan().get("runtimes"));
                    m.put("benchmarks", r.plan().get("benchmarks"));
                    m.put("trials", r.trials());
                    m.put("failures", r.failures());
                    l.add(m);
                }
                out.println(Json.pretty(l));
                return 0;
            }
            if (runs.isEmpty()) {
                boolean filtered = host != null || status != null || since != null || until != null || fleet != null;
                out.println(filtered ? "no runs match in " + store.location() : "no runs in " + store.location() + " (start one with 'isobench run')");
                return 0;
            }
            int w = Math.max(21, runs.stream().mapToInt(r -> r.id().length()).max().orElse(0));
            int hw = Math.max(4, runs.stream().mapToInt(r -> String.valueOf(r.host()).length()).max().orElse(0));
            boolean fleets = runs.stream().anyMatch(r -> r.fleetId() != null);
            int fw = fleets ? Math.max(5, runs.stream().mapToInt(r -> String.valueOf(r.fleetId()).length()).max().orElse(0)) : 0;
            String fmt = "%-" + w + "s %-" + hw + "s %-20s %-11s %7s %8s  " + (fleets ? "%-" + fw + "s  " : "%s") + "%s%n";
            out.printf(fmt, "run", "host", "started (UTC)", "status", "trials", "failures", fleets ? "fleet" : "", "benchmarks");
            for (Store.RunRow r : runs) {
                out.printf(fmt, r.id(), r.host() == null ? "-" : r.host(), r.startedAt().replace('T', ' ').replaceAll("\\.\\d+Z$", ""),
                        r.status(), r.trials(), r.failures(), fleets ? (r.fleetId() == null ? "-" : r.fleetId()) : "",
                        r.plan().get("benchmarks"));
            }
            return 0;
        }
    }

    /** YYYY-MM-DD (midnight UTC) or an ISO-8601 instant; null stays null. */
    static java.time.Instant instant(String option, String text) {
        if (text == null) {
            return null;
        }
        try {
            return text.length() == 10 ? java.time.LocalDate.parse(text).atStartOfDay(java.time.ZoneOffset.UTC).toInstant()
                    : java.time.Instant.parse(text);
        } catch (java.time.format.DateTimeParseException e) {
            throw new io.isobench.util.UserException(option + ": '" + text + "' is not a date (YYYY-MM-DD) or an instant (2026-03-01T10:00:00Z)");
        }
    }
}
