package io.isobench.report;

import io.isobench.analysis.ResultStats;
import io.isobench.bench.server.MysqlBenchmark;
import io.isobench.bench.server.NginxBenchmark;
import io.isobench.bench.server.RedisBenchmark;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * The papers' server tables, one per benchmark case: a row per runtime with the headline rate (median, its 95% CI,
 * the cost factor against the baseline with its CI and verdict) and the medians of the other figures the papers
 * print beside it. nginx: one table per client/requests/concurrency; redis: one column per command; mysql: one
 * group of columns per sysbench test. Built from the same statistics as every other view. A column appears only when some runtime has that metric (ab and
 * wrk report different ones).
 */
final class ServersView implements ReportView {
    /** A table independent of its rendering: header cells, rows of cell text, and per cell the stats a cost cell stands for (else null), for styling. */
    record Table(String title, String caption, List<String> header, List<List<String>> rows, List<List<ResultStats>> cost) {
    }

    /** A benchmark's table layout: the param that becomes column groups (null: none), the main metric and the others. */
    private record Spec(String benchmark, String pivot, String main, List<String> others, String intro) {
    }

    private static final List<Spec> SPECS = List.of(
            new Spec("nginx", null, NginxBenchmark.REQUESTS_PER_SECOND,
                    List.of(NginxBenchmark.TIME_PER_REQUEST_MS, NginxBenchmark.TRANSFER_RATE_KIB_PER_S, NginxBenchmark.FAILED_REQUESTS,
                            NginxBenchmark.TOTAL_MEDIAN_MS, NginxBenchmark.LATENCY_P50_MS, NginxBenchmark.LATENCY_P99_MS,
                            NginxBenchmark.LATENCY_AVG_MS),
                    "nginx serving a static page inside each runtime, client on the host (the papers' table: ab -n 50000 -c 100 "
                            + "gave 14 474 req/s on runc and 310 on gVisor-ptrace)"),
            new Spec("redis", "command", RedisBenchmark.REQUESTS_PER_SECOND, List.of(),
                    "redis-server inside each runtime, redis-benchmark on the host, requests/s per command"),
            new Spec("mysql", "test", MysqlBenchmark.TPS.name(), List.of(MysqlBenchmark.QPS.name(), MysqlBenchmark.P95.name()),
                    "MariaDB inside each runtime (data on its own storage), sysbench OLTP from the host"));

    /** Column labels of the metrics above (nginx's and mysql's latencies read alike). */
    private static final Map<String, String> LABELS = Map.ofEntries(
            Map.entry(NginxBenchmark.REQUESTS_PER_SECOND, "req/s"), Map.entry(NginxBenchmark.TIME_PER_REQUEST_MS, "time per request ms (mean)"),
            Map.entry(NginxBenchmark.TRANSFER_RATE_KIB_PER_S, "transfer KiB/s"), Map.entry(NginxBenchmark.FAILED_REQUESTS, "failed"),
            Map.entry(NginxBenchmark.TOTAL_MEDIAN_MS, "connection total ms (median)"), Map.entry(NginxBenchmark.LATENCY_P50_MS, "p50 ms"),
            Map.entry(NginxBenchmark.LATENCY_P99_MS, "p99 ms"), Map.entry(NginxBenchmark.LATENCY_AVG_MS, "latency mean ms"),
            Map.entry(MysqlBenchmark.TPS.name(), "tx/s"), Map.entry(MysqlBenchmark.QPS.name(), "queries/s"),
            Map.entry(MysqlBenchmark.P95.name(), "p95 ms"));

    @Override
    public String title() {
        return "Servers";
    }

    @Override
    public Map<String, List<String>> metrics() {
        Map<String, List<String>> m = new LinkedHashMap<>();
        for (Spec s : SPECS) {
            List<String> l = new ArrayList<>(List.of(s.main()));
            l.addAll(s.others());
            m.put(s.benchmark(), l);
        }
        return m;
    }

    @Override
    public List<Block> blocks(ReportRun r) {
        List<Block> b = new ArrayList<>();
        for (Table t : of(r)) {
            b.add(new Block.Heading(3, t.title()));
            b.add(new Block.Paragraph(t.caption(), true));
            List<List<Block.Cell>> rows = new ArrayList<>();
            for (int i = 0; i < t.rows().size(); i++) {
                List<Block.Cell> row = new ArrayList<>();
                for (int c = 0; c < t.rows().get(i).size(); c++) {
                    String text = t.rows().get(i).get(c);
                    ResultStats cs = t.cost().get(i).get(c);
                    row.add(cs != null ? new Block.Cell.Verdict(text, cs) : new Block.Cell.Text(text));
                }
                rows.add(row);
            }
            b.add(new Block.Table(t.header(), rows));
        }
        return b;
    }

    static List<Table> of(ReportRun r) {
        List<Table> tables = new ArrayList<>();
        for (Spec spec : SPECS) {
            List<ResultStats> all = r.stats().stream().filter(s -> s.benchmark().equals(spec.benchmark())).toList();
            Map<String, List<ResultStats>> byCase = new LinkedHashMap<>();
            for (ResultStats s : all) {
                byCase.computeIfAbsent(caseKey(s, spec.pivot()), k -> new ArrayList<>()).add(s);
            }
            byCase.forEach((key, stats) -> tables.add(table(r, spec, key, stats)));
        }
        return tables;
    }

    private static String caseKey(ResultStats s, String pivot) {
        Map<String, Object> p = new TreeMap<>(s.params());
        if (pivot != null) {
            p.remove(pivot);
        }
        return ReportRun.params(p);
    }

    private static Table table(ReportRun r, Spec spec, String caseKey, List<ResultStats> stats) {
        List<String> pivots = new ArrayList<>();
        if (spec.pivot() == null) {
            pivots.add(null);
        } else {
            stats.stream().map(s -> String.valueOf(s.params().get(spec.pivot()))).distinct().forEach(pivots::add);
        }
        Set<String> present = new LinkedHashSet<>();
        stats.forEach(s -> present.add(s.metric()));
        List<String> others = spec.others().stream().filter(present::contains).toList();
        boolean hasMain = present.contains(spec.main());
        List<String> header = new ArrayList<>(List.of("runtime"));
        for (String pv : pivots) {
            String pre = pv == null ? "" : pv + " ";
            if (hasMain) {
                header.add(pre + LABELS.get(spec.main()) + " (median, 95% CI)");
                header.add(pre + "cost vs " + r.baseline());
            }
            others.forEach(m -> header.add(pre + LABELS.getOrDefault(m, m)));
        }
        header.add("n");
        List<List<String>> rows = new ArrayList<>();
        List<List<ResultStats>> cost = new ArrayList<>();
        for (String rt : r.measuredRuntimes()) {
            if (stats.stream().noneMatch(s -> s.runtime().equals(rt))) {
                continue;
            }
            List<String> row = new ArrayList<>(List.of(TextSummary.label(r.run(), rt)));
            List<ResultStats> costRow = new ArrayList<>();
            costRow.add(null);
            int n = 0;
            for (String pv : pivots) {
                if (hasMain) {
                    ResultStats m = find(stats, rt, spec.main(), spec.pivot(), pv);
                    row.add(m == null ? "–" : TextSummary.num(m.median()) + " (" + TextSummary.num(m.ci95Low()) + "–"
                            + TextSummary.num(m.ci95High()) + ")");
                    costRow.add(null);
                    row.add(m == null ? "–" : costCell(r, m));
                    costRow.add(m);
                    n = Math.max(n, m == null ? 0 : m.n());
                }
                for (String o : others) {
                    ResultStats x = find(stats, rt, o, spec.pivot(), pv);
                    row.add(x == null ? "–" : TextSummary.num(x.median()));
                    costRow.add(null);
                }
            }
            row.add(Integer.toString(n));
            costRow.add(null);
            rows.add(row);
            cost.add(costRow);
        }
        String title = spec.benchmark() + (caseKey.isEmpty() ? "" : " · " + caseKey);
        return new Table(title, spec.intro() + ". Other columns: medians over repetitions.", header, rows, cost);
    }

    private static String costCell(ReportRun r, ResultStats m) {
        if (m.runtime().equals(r.baseline())) {
            return "baseline";
        }
        if (m.ratioToBaseline() == null) {
            return "–";
        }
        String ci = m.ratioCi95Low() == null ? "" : String.format(Locale.ROOT, " [%.2f–%.2f]", m.ratioCi95Low(), m.ratioCi95High());
        return String.format(Locale.ROOT, "%.2f×%s %s", m.ratioToBaseline(), ci, Objects.requireNonNullElse(m.verdict(), ""))
                .strip();
    }

    private static ResultStats find(List<ResultStats> stats, String rt, String metric, String pivot, String pv) {
        return stats.stream().filter(s -> s.runtime().equals(rt) && s.metric().equals(metric)
                && (pivot == null || pv.equals(String.valueOf(s.params().get(pivot))))).findFirst().orElse(null);
    }
}
