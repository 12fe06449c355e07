package io.isobench.report;

import io.isobench.analysis.Hosts;
import io.isobench.analysis.ResultStats;
import io.isobench.runtime.RuntimeDriver;
import io.isobench.runtime.Runtimes;
import io.isobench.store.Store;
import io.isobench.store.StoredRun;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Several runs side by side, one column per run, the columns grouped by host (e.g. every node's run of a fleet study).
 * Every cost factor is the one its own run computed against its own interleaved baseline, on its own host: a host's
 * runtime is never divided by another host's native. Shows per benchmark, case, metric and runtime each column's cost,
 * the baseline's own median per column (how fast each host is), the host facts and runtime builds that differ between
 * the columns, and a grouped bar chart per result with hosts as groups.
 *
 * <p>Use from code: {@code MultiHostReport.of(store, runIds)} (or {@link #of(List)} over prepared runs), then
 * {@link #lines()}, {@link #differingFacts()} or {@link #blocks()}; the writers put {@link #blocks()} before the runs'
 * own sections whenever a report spans several hosts.
 */
public final class MultiHostReport {
    /** One column: a run, the host it ran on, and the column's label (the host, with the run when a host has several). */
    public record Column(String host, String hostKey, String label, ReportRun run) {
    }

    /**
     * One row: a result (benchmark, case, metric) of one runtime with each column's statistics (null where that run
     * has no such result); for the baseline row its raw medians, for the others the cost factors against each run's own
     * baseline. {@code builds}: null, or which builds of the runtime ran where when they differ between columns.
     */
    public record Line(String benchmark, Map<String, Object> params, String paramsKey, String metric, String unit,
                       boolean higherIsBetter, String runtime, boolean baseline, List<ResultStats> perColumn, String builds) {
    }

    /** A host fact (or a runtime's version and build) with its value per column. */
    public record Fact(String name, List<String> perColumn) {
        public boolean differs() {
            return new LinkedHashSet<>(perColumn).size() > 1;
        }
    }

    private final List<Column> columns;

    private MultiHostReport(List<Column> columns) {
        this.columns = columns;
    }

    /** The runs {@code ids} (ids, prefixes or "latest") of {@code store}, in that order. */
    public static MultiHostReport of(Store store, Collection<String> ids) {
        List<ReportRun> runs = new ArrayList<>();
        for (String id : ids) {
            runs.add(ReportRun.of(store.loadRun(store.resolveRunId(id))));
        }
        return of(runs);
    }

    /** Columns in host order (hosts as first seen), each host's runs in the given order. */
    public static MultiHostReport of(List<ReportRun> runs) {
        Map<String, List<ReportRun>> byHost = new LinkedHashMap<>();
        for (ReportRun r : runs) {
            byHost.computeIfAbsent(Hosts.key(r.run().header().host()), k -> new ArrayList<>()).add(r);
        }
        Map<String, Integer> nameUse = new LinkedHashMap<>();
        List<Column> cols = new ArrayList<>();
        for (var e : byHost.entrySet()) {
            String name = Hosts.name(e.getValue().get(0).run().header().host());
            int nth = nameUse.merge(name, 1, Integer::sum);
            String host = nth == 1 ? name : name + " (" + nth + ")"; // same hostname, other hardware
            for (ReportRun r : e.getValue()) {
                String label = e.getValue().size() == 1 ? host : host + " · " + r.run().header().id();
                cols.add(new Column(host, e.getKey(), label, r));
            }
        }
        return new MultiHostReport(List.copyOf(cols));
    }

    public List<Column> columns() {
        return columns;
    }

    /** The distinct hosts, in column order. */
    public List<String> hosts() {
        return columns.stream().map(Column::host).distinct().toList();
    }

    /** Whether the runs come from more than one host. */
    public boolean multiHost() {
        return hosts().size() > 1;
    }

    /** Every result of any column, baseline first within each (benchmark, case, metric), runtimes as first seen. */
    public List<Line> lines() {
        Map<String, ResultStats> first = new LinkedHashMap<>();
        Map<String, Set<String>> runtimesOf = new LinkedHashMap<>();
        for (Column c : columns) {
            for (ResultStats s : c.run().stats()) {
                String g = ReportRun.groupKey(s);
                first.putIfAbsent(g, s);
                runtimesOf.computeIfAbsent(g, k -> new LinkedHashSet<>()).add(s.runtime());
            }
        }
        Set<String> baselines = new LinkedHashSet<>();
        columns.forEach(c -> baselines.add(c.run().baseline()));
        List<Line> out = new ArrayList<>();
        for (var e : first.entrySet()) {
            ResultStats f = e.getValue();
            List<String> rts = new ArrayList<>(runtimesOf.get(e.getKey()));
            rts.sort(java.util.Comparator.comparingInt(rt -> baselines.contains(rt) ? 0 : 1)); // stable: baseline first
            for (String rt : rts) {
                List<ResultStats> per = new ArrayList<>();
                for (Column c : columns) {
                    per.add(c.run().find(f.benchmark(), f.paramsKey(), f.metric(), rt));
                }
                out.add(new Line(f.benchmark(), f.params(), f.paramsKey(), f.metric(), f.unit(), f.higherIsBetter(), rt,
                        baselines.contains(rt), per, builds(rt)));
            }
        }
        return out;
    }

    /** Null when every column that has {@code runtime} ran one build of it; else "different gVisor builds: host a, …". */
    String builds(String runtime) {
        Set<String> ids = new LinkedHashSet<>();
        Set<String> whats = new LinkedHashSet<>();
        List<String> where = new ArrayList<>();
        for (Column c : columns) {
            StoredRun.RuntimeRow row = row(c, runtime);
            if (row == null || !row.available()) {
                continue;
            }
            RuntimeDriver.Build b = Runtimes.build(runtime, row.details());
            ids.add(b == null ? "" : b.id());
            if (b != null) {
                whats.add(b.what());
            }
            where.add(c.label() + " " + (b == null ? "build not recorded" : b.display()));
        }
        return whats.isEmpty() || ids.size() < 2 ? null
                : "different " + String.join("/", whats) + " builds: " + String.join("; ", where);
    }

    private static StoredRun.RuntimeRow row(Column c, String runtime) {
        return c.run().run().runtimes().stream().filter(r -> r.runtime().equals(runtime)).findFirst().orElse(null);
    }

    /**
     * Host facts (CPU model, cores, memory, architecture, OS, kernel, cgroup mode, KVM, governor), isobench's version,
     * and each measured runtime's version with its build and mark (e.g. "(TCG)"), per column; all of them, whether
     * they differ or not ({@link Fact#differs()}).
     */
    public List<Fact> facts() {
        Map<String, List<String>> m = new LinkedHashMap<>();
        for (Column c : columns) {
            Hosts.facts(c.run().run().header().host()).forEach((k, v) -> m.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
            m.computeIfAbsent("isobench", x -> new ArrayList<>()).add(String.valueOf(c.run().run().header().version()));
        }
        Set<String> rts = new LinkedHashSet<>();
        columns.forEach(c -> rts.addAll(c.run().measuredRuntimes()));
        for (String rt : rts) {
            List<String> v = new ArrayList<>();
            for (Column c : columns) {
                StoredRun.RuntimeRow r = row(c, rt);
                v.add(r == null ? "not in this run" : runtimeFact(rt, r));
            }
            m.put("runtime " + rt, v);
        }
        List<Fact> out = new ArrayList<>();
        m.forEach((k, v) -> out.add(new Fact(k, List.copyOf(v))));
        return out;
    }

    /** The facts whose values differ between the columns. */
    public List<Fact> differingFacts() {
        return facts().stream().filter(Fact::differs).toList();
    }

    private static String runtimeFact(String rt, StoredRun.RuntimeRow r) {
        if (!r.available()) {
            return "unavailable: " + r.reason();
        }
        StringBuilder sb = new StringBuilder(Objects.toString(r.version(), "version not recorded"));
        RuntimeDriver.Build b = Runtimes.build(rt, r.details());
        if (b != null) {
            sb.append(" (").append(b.what()).append(' ').append(b.display()).append(')');
        }
        RuntimeDriver.Mark mark = Runtimes.mark(rt, r.details());
        if (mark != null) {
            sb.append(" (").append(mark.tag()).append(')');
        }
        return sb.toString();
    }

    /** "native" when every run has the same baseline, else "each run's own baseline (native, …)". */
    private String baselineName() {
        List<String> b = columns.stream().map(c -> c.run().baseline()).distinct().toList();
        return b.size() == 1 ? b.get(0) : "each run's own baseline (" + String.join(", ", b) + ")";
    }

    /** The side-by-side section as blocks: overview table, differing facts, charts with hosts as groups. */
    public List<Block> blocks() {
        String base = baselineName();
        List<Block> b = new ArrayList<>();
        b.add(new Block.Heading(1, (multiHost() ? "Hosts side by side: " + String.join(", ", hosts())
                : "Runs side by side: " + hosts().get(0)) + " (" + columns.size() + (columns.size() == 1 ? " run)" : " runs)")));
        b.add(new Block.Paragraph("Each column is one run; each cost factor is against the " + base + " measured in that same "
                + "run, on that same host (interleaved with the runtimes), never against another host's. The " + base
                + " rows give each host's own median, raw: how fast the hosts themselves are. Colour: that run's verdict "
                + "(Mann–Whitney U, Benjamini–Hochberg adjusted over the run's results)."));
        b.add(new Block.Legend());
        List<String> header = new ArrayList<>(List.of("benchmark", "case", "metric", "runtime"));
        columns.forEach(c -> header.add(c.label()));
        List<List<Block.Cell>> rows = new ArrayList<>();
        List<Line> lines = lines();
        for (Line l : lines) {
            List<Block.Cell> row = new ArrayList<>(List.of(Block.Cell.text(l.benchmark()), Block.Cell.text(ReportRun.params(l.params())),
                    new Block.Cell.Label(l.metric(), l.unit() + (l.higherIsBetter() ? ", higher is better" : ", lower is better")),
                    l.baseline() ? new Block.Cell.Label(l.runtime(), "median, raw") : l.builds() == null
                            ? Block.Cell.text(l.runtime()) : new Block.Cell.Label(l.runtime(), l.builds())));
            for (ResultStats s : l.perColumn()) {
                if (s == null) {
                    row.add(new Block.Cell.Empty());
                } else if (l.baseline()) {
                    row.add(new Block.Cell.ValueCi(s.median(), s.ci95Low(), s.ci95High()));
                } else {
                    row.add(s.ratioToBaseline() == null ? new Block.Cell.Empty() : new Block.Cell.Cost(s));
                }
            }
            rows.add(row);
        }
        b.add(new Block.Table(header, rows));
        List<Fact> facts = facts();
        List<Fact> differ = facts.stream().filter(Fact::differs).toList();
        b.add(new Block.Heading(2, "What differs between the " + (multiHost() ? "hosts" : "runs")));
        if (differ.isEmpty()) {
            b.add(new Block.Paragraph("No recorded host fact, isobench version or runtime build differs.", true));
        } else {
            List<String> fh = new ArrayList<>(List.of("fact"));
            columns.forEach(c -> fh.add(c.label()));
            List<List<Block.Cell>> fr = new ArrayList<>();
            for (Fact f : differ) {
                List<Block.Cell> row = new ArrayList<>(List.of(Block.Cell.text(f.name())));
                f.perColumn().forEach(v -> row.add(Block.Cell.text(v)));
                fr.add(row);
            }
            b.add(new Block.Table(fh, fr));
        }
        List<String> same = facts.stream().filter(f -> !f.differs()).map(f -> f.name() + ": " + f.perColumn().get(0)).toList();
        if (!same.isEmpty()) {
            b.add(new Block.Paragraph("The same everywhere: " + String.join("; ", same) + ".", true));
        }
        b.add(new Block.Heading(2, "Cost per host"));
        b.addAll(charts(lines, base));
        return b;
    }

    /** One grouped bar chart per (benchmark, case, metric): a group per column (host), a bar per runtime, 1× marked. */
    private List<Block> charts(List<Line> lines, String base) {
        Map<String, List<Line>> byResult = new LinkedHashMap<>();
        for (Line l : lines) {
            if (!l.baseline()) {
                byResult.computeIfAbsent(l.benchmark() + "\u0000" + l.paramsKey() + "\u0000" + l.metric(), k -> new ArrayList<>()).add(l);
            }
        }
        List<String> runtimeOrder = lines.stream().filter(l -> !l.baseline()).map(Line::runtime).distinct().toList();
        Map<String, List<Block>> byBenchmark = new LinkedHashMap<>();
        for (List<Line> ls : byResult.values()) {
            Line f = ls.get(0);
            List<Block.BarGroup> groups = new ArrayList<>();
            for (int i = 0; i < columns.size(); i++) {
                List<Block.Bar> bars = new ArrayList<>();
                for (Line l : ls) {
                    ResultStats s = l.perColumn().get(i);
                    if (s != null && s.ratioToBaseline() != null) {
                        bars.add(new Block.Bar(l.runtime() + (l.builds() == null ? "" : " *"),
                                HtmlReport.lineColor(runtimeOrder.indexOf(l.runtime())), s.ratioToBaseline(), s.ratioCi95Low(),
                                s.ratioCi95High(), s.verdict() == null ? null : s.verdict()));
                    }
                }
                if (!bars.isEmpty()) {
                    groups.add(new Block.BarGroup(columns.get(i).label(), bars));
                }
            }
            if (groups.isEmpty()) {
                continue;
            }
            boolean starred = ls.stream().anyMatch(l -> l.builds() != null);
            String caption = ReportRun.params(f.params()) + " — bars: cost factor against each host's own " + base
                    + " (above 1 = worse); whiskers: its 95% CI" + (starred ? "; *: a different build ran on some hosts ("
                    + String.join("; ", ls.stream().map(Line::builds).filter(Objects::nonNull).toList()) + ")" : "");
            byBenchmark.computeIfAbsent(f.benchmark(), k -> new ArrayList<>()).add(new Block.GroupedBarChart(
                    f.benchmark() + " · " + f.metric() + ": cost per host", "×", groups, 1.0, "1× = each host's own " + base,
                    caption));
        }
        List<Block> b = new ArrayList<>();
        byBenchmark.forEach((bench, charts) -> b.add(new Block.Details(bench + ": " + charts.size()
                + (charts.size() == 1 ? " chart" : " charts") + " (hosts as groups)", true, charts)));
        return b;
    }

    /**
     * The side-by-side section as JSON (the {@code hosts} field of {@code report --format json} over several hosts):
     * the columns, the baseline, a result per benchmark, case, metric and runtime with each column's statistics
     * (baseline rows: the host's own median, raw; other rows: the cost factor against that run's own baseline, with its
     * CI and verdict; null where the run has no such result), and the facts that differ between the columns.
     */
    public Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("hosts", hosts());
        List<Map<String, Object>> cols = new ArrayList<>();
        for (Column c : columns) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("label", c.label());
            x.put("host", c.host());
            x.put("run_id", c.run().run().header().id());
            x.put("baseline", c.run().baseline());
            cols.add(x);
        }
        m.put("columns", cols);
        m.put("baseline", baselineName());
        List<Map<String, Object>> results = new ArrayList<>();
        for (Line l : lines()) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("benchmark", l.benchmark());
            x.put("params", l.params());
            x.put("metric", l.metric());
            x.put("unit", l.unit());
            x.put("higher_is_better", l.higherIsBetter());
            x.put("runtime", l.runtime());
            x.put("is_baseline", l.baseline());
            x.put("builds", l.builds());
            List<Map<String, Object>> per = new ArrayList<>();
            for (ResultStats st : l.perColumn()) {
                if (st == null) {
                    per.add(null);
                    continue;
                }
                Map<String, Object> y = new LinkedHashMap<>();
                y.put("n", st.n());
                y.put("median", finite(st.median()));
                y.put("ci95_low", finite(st.ci95Low()));
                y.put("ci95_high", finite(st.ci95High()));
                y.put("ci95_level", finite(st.ci95Level()));
                y.put("ratio_to_baseline", st.ratioToBaseline());
                y.put("ratio_ci95_low", st.ratioCi95Low());
                y.put("ratio_ci95_high", st.ratioCi95High());
                y.put("ratio_ci95_level", st.ratioCiLevel());
                y.put("verdict", st.verdict());
                y.put("p_adjusted", st.pAdjusted());
                per.add(y);
            }
            x.put("per_column", per);
            results.add(x);
        }
        m.put("results", results);
        List<Map<String, Object>> facts = new ArrayList<>();
        for (Fact f : differingFacts()) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("name", f.name());
            x.put("per_column", f.perColumn());
            facts.add(x);
        }
        m.put("differing_facts", facts);
        return m;
    }

    private static Double finite(double d) {
        return Double.isFinite(d) ? d : null;
    }

    /** The side-by-side table as text (for {@code show} over several runs). */
    public void print(PrintWriter out) {
        String base = baselineName();
        out.printf("%s: %s%n", multiHost() ? "hosts side by side" : "runs side by side",
                String.join(", ", columns.stream().map(c -> c.label() + " = run " + c.run().run().header().id()).toList()));
        out.println("each cost factor is against the " + base + " of its own run on its own host (never another host's); "
                + base + " rows: that host's own median, raw");
        List<Fact> differ = differingFacts();
        if (!differ.isEmpty()) {
            out.println();
            out.println("what differs:");
            for (Fact f : differ) {
                List<String> parts = new ArrayList<>();
                for (int i = 0; i < columns.size(); i++) {
                    parts.add(columns.get(i).label() + ": " + f.perColumn().get(i));
                }
                out.printf("  %-16s %s%n", f.name(), String.join(" | ", parts));
            }
        }
        int w = Math.max(14, columns.stream().mapToInt(c -> c.label().length()).max().orElse(0) + 2);
        String last = null;
        for (Line l : lines()) {
            String g = l.benchmark() + " · " + l.metric() + " [" + l.unit() + ", " + (l.higherIsBetter() ? "higher" : "lower")
                    + " is better]  " + TextSummary.params(l.params());
            if (!g.equals(last)) {
                out.println();
                out.println(g);
                StringBuilder h = new StringBuilder(String.format(Locale.ROOT, "  %-18s", "runtime"));
                columns.forEach(c -> h.append(String.format(Locale.ROOT, " %" + w + "s", c.label())));
                out.println(h);
                last = g;
            }
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "  %-18s", l.runtime()));
            for (ResultStats s : l.perColumn()) {
                String cell = s == null ? "-" : l.baseline() ? TextSummary.num(s.median())
                        : s.ratioToBaseline() == null ? "n/a" : String.format(Locale.ROOT, "%.3fx%s", s.ratioToBaseline(),
                        io.isobench.analysis.Statistics.DIFFERS.equals(s.verdict()) ? "*" : "");
                row.append(String.format(Locale.ROOT, " %" + w + "s", cell));
            }
            out.println(row);
            if (l.builds() != null) {
                out.println("    " + l.builds());
            }
        }
        out.println();
        out.println("*: differs from that host's own " + base + " (p_adj < 0.05); run 'isobench show RUN' for each run's "
                + "intervals and verdicts");
        out.flush();
    }
}
