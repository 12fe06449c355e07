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

    @Mixin
    CommonOptions common;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (Store store = common.openStore()) {
            List<Store.RunRow> runs = store.listRuns();
            if (json) {
                List<Map<String, Object>> l = new ArrayList<>();
                for (Store.RunRow r : runs) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("run_id", r.id());
                    m.put("started_at", r.startedAt());
                    m.put("finished_at", r.finishedAt());
                    m.put("status", r.status());
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
                out.println("no runs in " + store.location() + " (start one with 'isobench run')");
                return 0;
            }
            out.printf("%-21s %-20s %-11s %7s %8s  %s%n", "run", "started (UTC)", "status", "trials", "failures", "benchmarks");
            for (Store.RunRow r : runs) {
                out.printf("%-21s %-20s %-11s %7d %8d  %s%n", r.id(), r.startedAt().replace('T', ' ').replaceAll("\\.\\d+Z$", ""),
                        r.status(), r.trials(), r.failures(), r.plan().get("benchmarks"));
            }
            return 0;
        }
    }
}
