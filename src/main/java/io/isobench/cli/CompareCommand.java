package io.isobench.cli;

import io.isobench.analysis.Comparison;
import io.isobench.analysis.Statistics;
import io.isobench.store.Store;
import io.isobench.store.StoredRun;
import io.isobench.util.Json;
import io.isobench.util.Units;
import io.isobench.util.UserException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * `isobench compare A B` or `isobench compare A1 A2 ... -- B1 B2 ...`: what changed from A to B; exit code 1 on a
 * significant regression (a CI gate). Sandboxed runtimes are judged by their cost against each run's own baseline.
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = {"Compare runs result by result: each sandboxed runtime by the change of its cost factor against "
                + "its own run's baseline (host drift cancels), the baseline itself raw (\"host drift\"); 95%% CI, "
                + "Mann-Whitney test, p-values adjusted by Benjamini-Hochberg over all results.",
                "Several runs per side (RUN_A... -- RUN_B...) test at the run level: runs are the unit of replication "
                        + "(make them with 'run --runs K').",
                "Exit code 1 when some result got significantly worse by more than the threshold; 3 (inconclusive) when "
                        + "such a result was measured on a busy host in some run, and nothing else got worse; else 0."})
public final class CompareCommand implements Callable<Integer> {
    /** Exit code of a comparison whose only regressions were measured on a busy host: re-run on a quiet host. */
    static final int INCONCLUSIVE = 3;

    @Parameters(paramLabel = "RUN", arity = "1..*", // picocli checks arity per chunk around "--": split() checks the sides
            description = "A then B (id, unique prefix, or 'latest'); or several runs per side: A1 A2 ... -- B1 B2 ...")
    List<String> runs;

    @Option(names = "--threshold", paramLabel = "PERCENT", defaultValue = "5%",
            description = "smallest worsening that counts as a regression (default 5%%)")
    String threshold;

    @Option(names = "--json", description = "machine-readable output")
    boolean json;

    @Mixin
    CommonOptions common;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        double t = parsePercent(threshold);
        PrintWriter out = spec.commandLine().getOut();
        List<List<String>> sides = split(runs, spec.commandLine().getParseResult().expandedArgs());
        try (Store store = common.openExistingStore()) {
            List<StoredRun> ra = new ArrayList<>();
            for (String id : sides.get(0)) {
                ra.add(store.loadRun(store.resolveRunId(id)));
            }
            List<StoredRun> rb = new ArrayList<>();
            for (String id : sides.get(1)) {
                rb.add(store.loadRun(store.resolveRunId(id)));
            }
            Comparison.Result result = Comparison.compare(ra, rb, t);
            List<Comparison.Change> changes = result.changes();
            List<String> warnings = Comparison.warnings(ra, rb);
            boolean regression = result.regression();
            if (json || changes.isEmpty()) { // the text output has them among its lines: once is enough
                for (String w : warnings) {
                    spec.commandLine().getErr().println("isobench: warning: " + w);
                }
            }
            if (changes.isEmpty()) {
                throw new UserException("runs " + ids(ra) + " and " + ids(rb) + " have no result in common");
            }
            String note = result.singleRun() ? singleRunNote(result) : null;
            if (json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("run_a", ra.get(0).header().id());
                m.put("run_b", rb.get(0).header().id());
                m.put("runs_a", ra.stream().map(r -> r.header().id()).toList());
                m.put("runs_b", rb.stream().map(r -> r.header().id()).toList());
                m.put("threshold", t);
                m.put("baseline", result.baseline());
                m.put("across_hosts", result.acrossHosts());
                m.put("hosts_a", result.hostsA());
                m.put("hosts_b", result.hostsB());
                m.put("correction", Statistics.CORRECTION);
                m.put("tested", result.tested());
                m.put("tested_drift", result.testedDrift());
                m.put("note", note);
                m.put("warnings", warnings);
                m.put("regression", regression);
                m.put("inconclusive", !regression && result.inconclusive());
                List<Map<String, Object>> l = new ArrayList<>();
                for (Comparison.Change c : changes) {
                    Map<String, Object> x = new LinkedHashMap<>();
                    x.put("benchmark", c.benchmark());
                    x.put("metric", c.metric());
                    x.put("unit", c.unit());
                    x.put("higher_is_better", c.higherIsBetter());
                    x.put("params", c.params());
                    x.put("runtime", c.runtime());
                    x.put("n_a", c.nA());
                    x.put("n_b", c.nB());
                    x.put("median_a", c.medianA());
                    x.put("median_b", c.medianB());
                    x.put("change", c.change());
                    x.put("change_ci95_low", c.ciLow());
                    x.put("change_ci95_high", c.ciHigh());
                    x.put("verdict", c.verdict());
                    x.put("p_value", c.pValue());
                    x.put("regression", c.regression());
                    x.put("method", c.method());
                    x.put("cost_a", c.costA());
                    x.put("cost_b", c.costB());
                    x.put("replication", c.replication());
                    x.put("units_a", c.unitsA());
                    x.put("units_b", c.unitsB());
                    x.put("change_ci_level", c.ciLevel());
                    x.put("p_adjusted", c.pAdjusted());
                    x.put("builds", c.builds());
                    x.put("busy_runs", c.busyRuns());
                    x.put("withheld", c.withheld());
                    l.add(x);
                }
                m.put("changes", l);
                out.println(Json.pretty(m));
            } else {
                print(out, ra, rb, result, warnings, t, note);
            }
            return regression ? 1 : result.inconclusive() ? INCONCLUSIVE : 0;
        }
    }

    private static void print(PrintWriter out, List<StoredRun> ra, List<StoredRun> rb, Comparison.Result result,
                              List<String> warnings, double t, String note) {
        String base = result.baseline();
        out.printf(Locale.ROOT, "A = %s, B = %s; change = B relative to A (above 1 = B is worse); threshold %.1f%%%n",
                ids(ra), ids(rb), t * 100);
        if (result.acrossHosts()) {
            out.printf("ACROSS HOSTS: A ran on %s, B on %s. Each runtime's cost factor is against its own run's %s, on "
                            + "its own host (never one host's %s against another's); the %s lines compare the hosts' %s "
                            + "itself: a difference between hosts, not drift%n", String.join(", ", result.hostsA()),
                    String.join(", ", result.hostsB()), base, base, Comparison.HOST_DIFFERENCE, base);
        }
        String baseMethod = result.baselineMethod();
        out.printf("method: each runtime by its cost factor against its own run's %s (%s), so %s cancels; "
                        + "%s itself raw (%s); unit of replication: %s%n", base,
                result.singleRun() ? "per round: runtime / " + base + " of the same round" : "one factor per run",
                result.acrossHosts() ? "the hosts' speed" : "host drift", base, baseMethod,
                result.singleRun() ? "samples within each run" : "runs");
        out.printf("verdicts: Mann-Whitney U, p adjusted by %s over the %d tested runtime results (false discovery rate "
                + "5%%; %s lines over their own %d); a regression is p_adj < 0.05 and worse than the threshold; %s is "
                + "never a regression%n", Statistics.CORRECTION, result.tested(), baseMethod, result.testedDrift(), baseMethod);
        if (note != null) {
            out.println("NOTE: " + note);
        }
        for (String w : warnings) {
            out.println("WARNING: " + w);
        }
        out.printf("%n%-8s %-24s %-10s %-15s %12s %12s %8s %21s %7s  %s%n", "bench", "metric", "runtime", "method", "A",
                "B", "change", "95% CI", "p_adj", "verdict");
        for (Comparison.Change c : result.changes()) {
            boolean cost = c.method().equals(Comparison.COST);
            String va = cost ? String.format(Locale.ROOT, "%.3fx", c.costA()) : String.format(Locale.ROOT, "%.4g", c.medianA());
            String vb = cost ? String.format(Locale.ROOT, "%.3fx", c.costB()) : String.format(Locale.ROOT, "%.4g", c.medianB());
            String ci = c.ciLow() == null ? "" : String.format(Locale.ROOT, "[%.3f–%.3f]", c.ciLow(), c.ciHigh());
            if (c.ciLevel() != null && c.ciLevel() < Statistics.LEVEL - 1e-9) {
                ci += String.format(Locale.ROOT, " ≥%.1f%%", Math.floor(c.ciLevel() * 1000) / 10);
            }
            out.printf(Locale.ROOT, "%-8s %-24s %-10s %-15s %12s %12s %8s %21s %7s  %s%s%n", c.benchmark(), c.metric(),
                    c.runtime(), c.method(), va, vb,
                    c.change() == null ? "n/a" : String.format(Locale.ROOT, "%.3fx", c.change()), ci,
                    c.pAdjusted() == null ? "-" : String.format(Locale.ROOT, "%.3g", c.pAdjusted()),
                    c.verdict(), (c.regression() ? "  REGRESSION" : c.withheld() ? "  REGRESSION? (busy host)"
                            : !c.busyRuns().isEmpty() && c.verdict().equals("differs") ? "  (busy host)" : "")
                            + (c.builds() == null ? "" : "  [" + c.builds().substring(0, c.builds().indexOf(':')) + "]"));
            String p = io.isobench.bench.Params.display(c.params());
            if (!p.isEmpty()) {
                out.printf("         %s%n", p);
            }
            if (c.builds() != null) {
                out.printf("         %s: %s%n", c.runtime(), c.builds());
            }
        }
        out.println();
        out.println("A, B: for method cost, the runtime's cost factor against its run's " + base + " (above 1 = worse); "
                + "otherwise the median. 95% CI: distribution-free (order statistics of the medians); '≥N%' marks an "
                + "interval as wide as the data allow that still guarantees less than 95% (too few samples or runs)");
        if (result.regression()) {
            out.println("verdict: REGRESSION (significant and worse than the threshold)");
        } else if (result.inconclusive()) {
            List<String> busy = result.changes().stream().filter(Comparison.Change::withheld)
                    .flatMap(c -> c.busyRuns().stream()).distinct().toList();
            out.println("verdict: INCONCLUSIVE: every regression (significant and worse than the threshold) was measured "
                    + "while the host was busy with other work (run" + (busy.size() == 1 ? " " : "s ") + String.join(", ", busy) + "), which moves "
                    + "latencies unevenly; re-run " + (busy.size() == 1 ? "it" : "them") + " on a quiet host");
        } else {
            out.println("verdict: no regression");
        }
    }

    /** What a single-run verdict cannot see, and how many runs would. */
    static String singleRunNote(Comparison.Result r) {
        return String.format(Locale.ROOT, "%s: the test treats the samples within a run as independent, so the verdict "
                        + "cannot account for run-to-run variance (samples of one run are correlated; this raises false "
                        + "alarms). For a run-level test give several runs per side (isobench run --runs K; compare "
                        + "A1..AK -- B1..BK): at least %d per side can reach p < 0.05, %d let a lone change among these %d "
                        + "results survive the correction",
                r.runsA() < 2 && r.runsB() < 2 ? "one run per side" : "one run on one side",
                Comparison.Result.runsForAnyVerdict(), r.runsForLoneChange(), r.tested());
    }

    private static String ids(List<StoredRun> runs) {
        return runs.stream().map(r -> r.header().id()).collect(Collectors.joining(" "));
    }

    /**
     * A then B, or the runs before and after "--". Picocli consumes the "--" itself (everything after it is
     * positional), so the B side is as many runs as the command line has after its "--".
     */
    static List<List<String>> split(List<String> positional, List<String> args) {
        int dash = args.indexOf("--");
        if (dash < 0) {
            if (positional.size() != 2) {
                throw new UserException("compare: give two runs (A B), or several per side separated by '--' "
                        + "(A1 A2 -- B1 B2); got " + positional.size());
            }
            return List.of(List.of(positional.get(0)), List.of(positional.get(1)));
        }
        int nb = args.size() - dash - 1;
        if (nb < 1 || nb >= positional.size()) {
            throw new UserException("compare: give at least one run on each side of '--'");
        }
        return List.of(positional.subList(0, positional.size() - nb), positional.subList(positional.size() - nb, positional.size()));
    }

    static double parsePercent(String s) {
        double d = Units.parsePercent(s, "--threshold");
        if (d < 0 || d >= 10) {
            throw new UserException("--threshold: out of range: '" + s + "'");
        }
        return d;
    }
}
