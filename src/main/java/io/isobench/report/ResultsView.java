package io.isobench.report;

import io.isobench.analysis.ResultStats;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The generic view of every benchmark: the cost overview (a row per benchmark, case and metric, a column per runtime,
 * each cell the cost factor with its CI and verdict), one bar chart per (case, metric), and every median in a table.
 * It names no benchmark and no metric. A metric whose samples are all one constant multiple of an earlier metric of
 * the same case (sysbench memory's operations/s and MiB/s) has the same cost factors: it shares that metric's row
 * and chart instead of repeating them.
 */
final class ResultsView implements ReportView {
    /** Relative tolerance of "proportional": the tools round what they print. */
    private static final double PROPORTIONAL = 1e-3;

    @Override
    public String title() {
        return "All results";
    }

    @Override
    public Map<String, List<String>> metrics() {
        return Map.of();
    }

    /** The cost overview: what each runtime costs against the baseline, per benchmark, case and metric. */
    static List<Block> overview(ReportRun r) {
        List<String> rts = r.measuredRuntimes().stream().filter(x -> !x.equals(r.baseline())).toList();
        List<Block> b = new ArrayList<>();
        b.add(new Block.Paragraph("Cost factor of each runtime against " + r.baseline() + " (median ratio, oriented so that "
                + "above 1 is always worse), with its distribution-free 95% CI; colour: verdict of a two-sided Mann–Whitney U test, Benjamini–Hochberg adjusted."));
        b.add(new Block.Legend());
        List<String> header = new ArrayList<>(List.of("benchmark", "case", "metric"));
        rts.forEach(x -> header.add(TextSummary.label(r.run(), x)));
        Map<String, List<String>> same = duplicates(r);
        List<List<Block.Cell>> rows = new ArrayList<>();
        for (var e : r.groups().entrySet()) {
            if (same.containsKey(e.getKey())) {
                continue;
            }
            if (e.getValue().stream().noneMatch(s -> rts.contains(s.runtime()) && s.ratioToBaseline() != null)) {
                continue; // only the baseline has it: nothing to compare
            }
            ResultStats f = e.getValue().get(0);
            List<Block.Cell> row = new ArrayList<>(List.of(Block.Cell.text(f.benchmark()), Block.Cell.text(ReportRun.params(f.params())),
                    new Block.Cell.Label(f.metric() + alsoFor(same, e.getKey()), f.unit() + (f.higherIsBetter() ? ", higher is better"
                            : ", lower is better"))));
            for (String rt : rts) {
                ResultStats s = e.getValue().stream().filter(x -> x.runtime().equals(rt)).findFirst().orElse(null);
                row.add(s == null || s.ratioToBaseline() == null ? new Block.Cell.Empty() : new Block.Cell.Cost(s));
            }
            rows.add(row);
        }
        b.add(new Block.Table(header, rows));
        List<String> missing = r.run().runtimes().stream().filter(x -> !r.measuredRuntimes().contains(x.runtime()))
                .map(x -> x.runtime() + (x.available() ? " (no results)" : " (unavailable: " + x.reason() + ")")).toList();
        if (!missing.isEmpty()) {
            b.add(new Block.Paragraph("Not measured: " + String.join("; ", missing) + ".", true));
        }
        return b;
    }

    /** " (≡ a, b)" naming the metrics that share this group's row and chart, else "". */
    private static String alsoFor(Map<String, List<String>> same, String groupKey) {
        List<String> also = same.values().stream().filter(v -> v.get(0).equals(groupKey)).map(v -> v.get(1)).toList();
        return also.isEmpty() ? "" : " (≡ " + String.join(", ", also) + ")";
    }

    @Override
    public List<Block> blocks(ReportRun r) {
        if (r.stats().isEmpty()) {
            return List.of();
        }
        Map<String, List<String>> same = duplicates(r);
        Map<String, List<Block>> byBenchmark = new LinkedHashMap<>();
        for (var e : r.groups().entrySet()) {
            if (same.containsKey(e.getKey())) {
                continue;
            }
            List<ResultStats> g = e.getValue();
            ResultStats f = g.get(0);
            String title = f.benchmark() + " · " + f.metric() + " [" + f.unit() + ", " + (f.higherIsBetter() ? "higher" : "lower")
                    + " is better]";
            List<String> also = same.values().stream().filter(v -> v.get(0).equals(e.getKey())).map(v -> v.get(1)).toList();
            String caption = ReportRun.params(f.params()) + " — bars: median; whiskers: 95% CI of the median; n per runtime: "
                    + String.join(", ", g.stream().map(s -> s.runtime() + " " + s.n()).toList())
                    + (also.isEmpty() ? "" : "; " + String.join(", ", also) + ": a constant multiple of this metric in every "
                    + "sample (same cost factors), not charted apart");
            byBenchmark.computeIfAbsent(f.benchmark(), k -> new ArrayList<>()).add(bars(r, title, g, caption));
        }
        List<Block> b = new ArrayList<>();
        byBenchmark.forEach((bench, charts) -> b.add(new Block.Details(bench + ": " + charts.size()
                + (charts.size() == 1 ? " chart" : " charts") + " (median and 95% CI per runtime)", !ReportViews.hasOwnView(bench), charts)));
        b.add(new Block.Details("every median with its 95% CI, n and coefficient of variation", false, List.of(medians(r))));
        return b;
    }

    /** A bar chart of one group's results, runtimes labelled (e.g. "(TCG)") and coloured by kind. */
    static Block.BarChart bars(ReportRun r, String title, List<ResultStats> g, String caption) {
        Map<String, String> labels = new LinkedHashMap<>();
        Map<String, String> kinds = new LinkedHashMap<>();
        g.forEach(s -> {
            labels.put(s.runtime(), TextSummary.label(r.run(), s.runtime()));
            kinds.put(s.runtime(), r.kindOf(s.runtime()));
        });
        return new Block.BarChart(title, g, labels, kinds, caption);
    }

    private static Block.Table medians(ReportRun r) {
        List<List<Block.Cell>> rows = new ArrayList<>();
        for (ResultStats s : r.stats()) {
            rows.add(List.of(Block.Cell.text(s.benchmark()), Block.Cell.text(ReportRun.params(s.params())),
                    new Block.Cell.Label(s.metric(), s.unit()), Block.Cell.text(TextSummary.label(r.run(), s.runtime())),
                    new Block.Cell.ValueCi(s.median(), s.ci95Low(), s.ci95High()), Block.Cell.text(s.n()),
                    Block.Cell.text(Double.isFinite(s.cv()) ? String.format(Locale.ROOT, "%.1f%%", s.cv() * 100) : "–")));
        }
        return new Block.Table(List.of("benchmark", "case", "metric", "runtime", "median (95% CI)", "n", "cv"), rows);
    }

    /**
     * Groups that repeat an earlier group of the same case: key → [the earlier group's key, this group's metric]. A
     * group repeats another when both have the same direction and runtimes (two or more), the same number of samples
     * per runtime, and every sample is the same nonzero multiple of the other's.
     */
    static Map<String, List<String>> duplicates(ReportRun r) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        List<Map.Entry<String, List<ResultStats>>> groups = new ArrayList<>(r.groups().entrySet());
        for (int i = 0; i < groups.size(); i++) {
            for (int j = 0; j < i; j++) {
                var a = groups.get(j);
                var b = groups.get(i);
                if (!out.containsKey(a.getKey()) && proportional(a.getValue(), b.getValue())) {
                    out.put(b.getKey(), List.of(a.getKey(), b.getValue().get(0).metric()));
                    break;
                }
            }
        }
        return out;
    }

    private static boolean proportional(List<ResultStats> a, List<ResultStats> b) {
        ResultStats fa = a.get(0);
        ResultStats fb = b.get(0);
        if (!fa.benchmark().equals(fb.benchmark()) || !fa.paramsKey().equals(fb.paramsKey()) || fa.metric().equals(fb.metric())
                || fa.higherIsBetter() != fb.higherIsBetter() || a.size() != b.size() || a.size() < 2) {
            return false;
        }
        double k = Double.NaN;
        for (int i = 0; i < a.size(); i++) {
            ResultStats x = a.get(i);
            ResultStats y = b.get(i);
            if (!x.runtime().equals(y.runtime()) || x.values().length != y.values().length || x.values().length == 0) {
                return false;
            }
            for (int v = 0; v < x.values().length; v++) {
                if (x.values()[v] == 0 || y.values()[v] == 0) {
                    return false;
                }
                double q = y.values()[v] / x.values()[v];
                if (Double.isNaN(k)) {
                    k = q;
                } else if (Math.abs(q - k) > PROPORTIONAL * Math.abs(k)) {
                    return false;
                }
            }
        }
        return true;
    }
}
