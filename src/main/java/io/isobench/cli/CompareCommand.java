package io.isobench.cli;

import io.isobench.analysis.Comparison;
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

/** `isobench compare A B`: what changed from run A to run B; exit code 1 on a significant regression (a CI gate). */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = {"Compare two runs result by result (change, 95%% CI, Mann-Whitney verdict).",
                "Exit code 1 when some result got significantly worse by more than the threshold, else 0."})
public final class CompareCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "RUN_A", description = "the reference run (id, unique prefix, or 'latest')")
    String a;

    @Parameters(index = "1", paramLabel = "RUN_B", description = "the run to judge")
    String b;

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
        try (Store store = common.openExistingStore()) {
            StoredRun ra = store.loadRun(store.resolveRunId(a));
            StoredRun rb = store.loadRun(store.resolveRunId(b));
            List<Comparison.Change> changes = Comparison.compare(ra, rb, t);
            List<String> warnings = Comparison.warnings(ra, rb);
            boolean regression = changes.stream().anyMatch(Comparison.Change::regression);
            for (String w : warnings) {
                System.err.println("isobench: warning: " + w);
            }
            if (changes.isEmpty()) {
                throw new UserException("runs " + ra.header().id() + " and " + rb.header().id() + " have no result in common");
            }
            if (json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("run_a", ra.header().id());
                m.put("run_b", rb.header().id());
                m.put("threshold", t);
                m.put("warnings", warnings);
                m.put("regression", regression);
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
                    l.add(x);
                }
                m.put("changes", l);
                out.println(Json.pretty(m));
            } else {
                out.printf("A = %s, B = %s; change = cost of B relative to A (above 1 = B is worse); threshold %.1f%%%n",
                        ra.header().id(), rb.header().id(), t * 100);
                for (String w : warnings) {
                    out.println("WARNING: " + w);
                }
                out.printf("%n%-8s %-24s %-10s %12s %12s %8s %19s  %s%n", "bench", "metric", "runtime", "median A",
                        "median B", "change", "95% CI", "verdict");
                for (Comparison.Change c : changes) {
                    out.printf(Locale.ROOT, "%-8s %-24s %-10s %12.4g %12.4g %8s %19s  %s%s%n", c.benchmark(), c.metric(),
                            c.runtime(), c.medianA(), c.medianB(), c.change() == null ? "n/a" : String.format(Locale.ROOT, "%.3fx", c.change()),
                            c.ciLow() == null ? "" : String.format(Locale.ROOT, "[%.3f–%.3f]", c.ciLow(), c.ciHigh()),
                            c.verdict(), c.regression() ? "  REGRESSION" : "");
                    String p = c.params().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" "));
                    if (!p.isEmpty()) {
                        out.printf("         %s%n", p);
                    }
                }
                out.println();
                out.println(regression ? "verdict: REGRESSION (significant and worse than the threshold)" : "verdict: no regression");
            }
            return regression ? 1 : 0;
        }
    }

    static double parsePercent(String s) {
        double d = Units.parsePercent(s, "--threshold");
        if (d < 0 || d >= 10) {
            throw new UserException("--threshold: out of range: '" + s + "'");
        }
        return d;
    }
}
