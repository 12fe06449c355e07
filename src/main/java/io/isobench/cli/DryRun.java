package io.isobench.cli;

import io.isobench.bench.Benchmark;
import io.isobench.bench.registry.Benchmarks;
import io.isobench.exec.Executor;
import io.isobench.plan.Plan;
import io.isobench.runtime.RuntimeDriver;
import io.isobench.runtime.Runtimes;
import io.isobench.runtime.UnsupportedDriver;
import io.isobench.util.Json;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code run --dry-run}: the plan's cases, trials and expected duration from each trial's expected seconds
 * ({@link Executor#estimate()}). Probes nothing, launches nothing, opens no database: the runtimes are the named
 * ones, else every registered one that has a driver (a real run measures only those its probes find usable).
 */
final class DryRun {
    private DryRun() {
    }

    /** The plan's expected wall time over the runtimes a dry run assumes (a fleet bounds each node's job by it). */
    static Duration expected(Plan plan) {
        return new Executor(null, plan, runtimes(plan), benchmarks(plan), null).expectedDuration();
    }

    private static List<RuntimeDriver> runtimes(Plan plan) {
        boolean named = !plan.runtimes().isEmpty();
        List<RuntimeDriver> runtimes = new ArrayList<>(Runtimes.all().stream()
                .filter(d -> named ? plan.runtimes().contains(d.id()) : !(d instanceof UnsupportedDriver)).toList());
        if (named) {
            runtimes.sort(java.util.Comparator.comparingInt(d -> plan.runtimes().indexOf(d.id())));
        }
        return runtimes;
    }

    private static List<Benchmark> benchmarks(Plan plan) {
        return plan.benchmarks().stream().map(id -> Benchmarks.byId(id).orElseThrow()).toList();
    }

    static void print(Plan plan, boolean json, PrintWriter out) {
        boolean named = !plan.runtimes().isEmpty();
        List<RuntimeDriver> runtimes = runtimes(plan);
        List<Benchmark> benches = benchmarks(plan);
        Executor ex = new Executor(null, plan, runtimes, benches, null);
        List<Executor.CaseEstimate> cases = ex.estimate();
        long trials = cases.stream().mapToLong(Executor.CaseEstimate::trials).sum();
        Duration total = ex.expectedDuration();
        List<String> ids = runtimes.stream().map(RuntimeDriver::id).toList();
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("runtimes", ids);
            m.put("runtimes_probed", false);
            List<Object> cs = new ArrayList<>();
            for (Executor.CaseEstimate c : cases) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("benchmark", c.benchmark());
                e.put("params", c.params());
                e.put("warmups", c.warmups());
                e.put("repetitions", c.repetitions());
                e.put("adaptive", c.adaptive());
                e.put("trials", c.trials());
                e.put("expected_seconds", c.duration().toSeconds());
                cs.add(e);
            }
            m.put("cases", cs);
            m.put("trials", trials);
            m.put("expected_seconds", total.toSeconds());
            out.println(Json.pretty(m));
            return;
        }
        out.println("isobench run --dry-run: nothing is run and no database is touched");
        out.println("runtimes: " + String.join(", ", ids) + (named ? "" : " (every registered one, not probed: a run "
                + "measures only the usable ones; name them with --runtimes for a closer estimate)"));
        out.printf(Locale.ROOT, "%-14s %-44s %-14s %7s %12s%n", "benchmark", "case", "rounds", "trials", "expected");
        for (Executor.CaseEstimate c : cases) {
            String rounds = c.warmups() + "w + " + (c.adaptive() ? "≤" : "") + c.repetitions();
            out.printf(Locale.ROOT, "%-14s %-44s %-14s %7d %12s%n", c.benchmark(), caseLabel(c, cases), rounds,
                    c.trials(), human(c.duration()));
        }
        out.printf(Locale.ROOT, "total: %d trials, about %s%s%n", trials, human(total),
                cases.stream().anyMatch(Executor.CaseEstimate::adaptive) ? " at most (adaptive repetitions may stop earlier)" : "");
        out.println("(each trial: the benchmark's expected duration + the runtime's launch overhead + the cooldown of "
                + plan.cooldown().toSeconds() + " s)");
    }

    /** The parameters that tell a benchmark's cases apart ("-" when it has one case). */
    static String caseLabel(Executor.CaseEstimate c, List<Executor.CaseEstimate> all) {
        List<Map<String, String>> same = all.stream().filter(x -> x.benchmark().equals(c.benchmark()))
                .map(Executor.CaseEstimate::params).toList();
        Set<String> varying = new LinkedHashSet<>();
        for (String k : c.params().keySet()) {
            if (same.stream().map(p -> p.get(k)).distinct().count() > 1) {
                varying.add(k);
            }
        }
        if (varying.isEmpty()) {
            return "-";
        }
        List<String> kv = varying.stream().map(k -> k + "=" + c.params().get(k)).toList();
        return String.join(" ", kv);
    }

    static String human(Duration d) {
        long s = d.toSeconds();
        return s < 60 ? s + " s" : s < 3600 ? String.format(Locale.ROOT, "%d min %02d s", s / 60, s % 60)
                : String.format(Locale.ROOT, "%d h %02d min", s / 3600, s % 3600 / 60);
    }
}
