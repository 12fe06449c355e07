package io.isobench.report;

import io.isobench.analysis.ResultStats;
import io.isobench.analysis.Statistics;
import io.isobench.runtime.Runtimes;
import io.isobench.store.StoredRun;
import io.isobench.util.Json;
import io.isobench.util.Version;

import java.io.IOException;
import java.io.Writer;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One self-contained HTML file: no network, no script; charts are inline SVG. Per run: provenance, the cost
 * of isolation table (colored by verdict), fairness notes, one bar chart per benchmark case and metric with
 * CI error bars, and failures with their reasons.
 */
public final class HtmlReport implements ReportWriter {
    static final String CSS = """
            body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px auto;max-width:1500px;color:#222;padding:0 16px}
            h1{font-size:26px;margin-bottom:4px}h2{border-bottom:2px solid #ddd;padding-bottom:4px;margin-top:40px}
            h3{margin-top:28px}.meta{color:#666}table{border-collapse:collapse;margin:8px 0}
            td,th{border:1px solid #ddd;padding:4px 8px;vertical-align:top;text-align:left}th{background:#f5f5f5}
            table.kv{width:100%;table-layout:fixed}.kv td:first-child{width:230px}.kv td{overflow-wrap:anywhere}
            table.rt td:nth-child(-n+3){white-space:nowrap}table.rt td:last-child{overflow-wrap:anywhere}
            .scroll{overflow-x:auto;max-width:100%}table.cost{font-size:13px}
            table.cost td:nth-child(1),table.cost td:nth-child(3),table.cost th{white-space:nowrap}
            table.cost td:nth-child(2){min-width:9em}
            td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
            .worse{background:#f8d7da}.worse2{background:#f1aeb5}.better{background:#d4edda}.noise{background:#eef0f2}
            .few{background:#fff;color:#666;font-style:italic}.baseline{background:#fafafa;color:#666}
            .legend span{display:inline-block;padding:2px 8px;margin-right:6px;border:1px solid #ddd}
            .kv td:first-child{color:#555;white-space:nowrap}.notes li{margin:4px 0}
            figure{margin:16px 0}figcaption{color:#555;font-size:12px}
            svg.chart .ctitle{font-weight:600;font-size:13px}svg.chart .tick{font-size:11px;fill:#555}
            svg.chart .grid{stroke:#e5e5e5}svg.chart .rlabel{font-size:12px}svg.chart .val{font-size:12px}
            svg.chart .err{stroke:#222;stroke-width:1.5}pre{white-space:pre-wrap;background:#f7f7f7;padding:6px;max-height:12em;overflow:auto}
            """;

    /** Bar colors by runtime kind. */
    static String color(String kind) {
        return switch (kind) {
            case io.isobench.plan.Defaults.BASELINE -> "#4e79a7"; // the baseline driver's kind is its id
            case "container" -> "#59a14f";
            case "sandbox" -> "#f28e2b";
            case "vm" -> "#e15759";
            default -> "#76b7b2";
        };
    }

    @Override
    public void write(List<ReportRun> runs, Writer out) throws IOException {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">")
                .append("<title>isobench report: ").append(Html.esc(String.join(", ", runs.stream().map(r -> r.run().header().id()).toList())))
                .append("</title><style>").append(CSS).append("</style></head><body>\n");
        h.append("<h1>What isolation costs</h1><p class=\"meta\">isobench ").append(Html.esc(Version.get()))
                .append(" report, generated ").append(Html.esc(Instant.now().toString().replaceAll("\\.\\d+Z$", "Z")))
                .append(". Every figure below comes from samples stored in the run's database; "
                        + "medians with 95% bootstrap confidence intervals; verdicts from a two-sided Mann–Whitney U test at 5%.</p>\n");
        for (ReportRun r : runs) {
            run(h, r);
        }
        h.append("</body></html>\n");
        out.write(h.toString());
    }

    private void run(StringBuilder h, ReportRun r) {
        StoredRun.Header hd = r.run().header();
        h.append("<section class=\"run\" id=\"run-").append(Html.esc(hd.id())).append("\"><h2>Run ").append(Html.esc(hd.id()))
                .append(" <small class=\"meta\">").append(Html.esc(hd.status())).append("</small></h2>\n");
        provenance(h, r);
        costTable(h, r);
        List<String> notes = r.fairnessNotes();
        if (!notes.isEmpty()) {
            h.append("<h3>Fairness notes</h3><ul class=\"notes\">");
            notes.forEach(n -> h.append("<li>").append(Html.esc(n)).append("</li>"));
            h.append("</ul>\n");
        }
        startup(h, r);
        footprint(h, r);
        loadProfile(h, r);
        servers(h, r);
        charts(h, r);
        failures(h, r);
        h.append("</section>\n");
    }

    private void provenance(StringBuilder h, ReportRun r) {
        StoredRun.Header hd = r.run().header();
        Map<String, Object> host = hd.host();
        h.append("<h3>Host and provenance</h3><table class=\"kv\">");
        kv(h, "started – finished", hd.startedAt() + " – " + hd.finishedAt());
        kv(h, "isobench", hd.version());
        kv(h, "CPU", host.get("cpu_model") + " (" + host.get("cpus") + " CPUs)");
        kv(h, "memory", host.get("memory_bytes") instanceof Number n ? String.format(Locale.ROOT, "%.1f GiB", n.doubleValue() / (1L << 30)) : "?");
        kv(h, "OS / kernel", host.get("os") + " / " + host.get("kernel"));
        kv(h, "cgroup", host.get("cgroup"));
        if (host.get("kvm") instanceof Map<?, ?> kvm) {
            kv(h, "KVM", Boolean.TRUE.equals(kvm.get("usable")) ? "usable (" + kvm.get("detail") + ")"
                    : (Boolean.TRUE.equals(kvm.get("present")) ? "present, unusable (" : "absent (") + kvm.get("detail") + ")");
        }
        kv(h, "load average at start / end", orUnknown(host.get("loadavg_start")) + " / " + orUnknown(host.get("loadavg_end")));
        kv(h, "harness (isobench itself)", hd.harnessCpuSeconds() == null ? "?" : String.format(Locale.ROOT, "%.2f s CPU, peak RSS %d MiB",
                hd.harnessCpuSeconds(), hd.harnessPeakRssBytes() / (1024 * 1024)));
        for (var e : hd.tools().entrySet()) {
            kv(h, "tool " + e.getKey(), e.getValue() instanceof Map<?, ?> ? Json.write(e.getValue()) : e.getValue());
        }
        kv(h, "plan", Json.write(hd.plan()));
        h.append("</table>\n<h3>Runtimes</h3><table class=\"rt\"><tr><th>runtime</th><th>kind</th><th>version</th><th>how it ran / why not</th></tr>");
        for (StoredRun.RuntimeRow rt : r.run().runtimes()) {
            h.append("<tr><td>").append(Html.esc(rt.runtime())).append("</td><td>").append(Html.esc(rt.kind())).append("</td><td>")
                    .append(Html.esc(rt.version() == null ? "" : rt.version())).append("</td><td>")
                    .append(rt.available() ? Html.esc(ReportRun.params(rt.details())) : "<em>unavailable:</em> " + Html.esc(rt.reason()))
                    .append("</td></tr>");
        }
        h.append("</table>\n");
    }

    private static String orUnknown(Object o) {
        return o == null ? "not recorded" : o.toString();
    }

    private static void kv(StringBuilder h, String k, Object v) {
        h.append("<tr><td>").append(Html.esc(k)).append("</td><td>").append(Html.esc(v)).append("</td></tr>");
    }

    private void costTable(StringBuilder h, ReportRun r) {
        List<String> rts = r.measuredRuntimes().stream().filter(x -> !x.equals(r.baseline())).toList();
        h.append("<h3>Cost of isolation</h3><p>Cost factor against <b>").append(Html.esc(r.baseline()))
                .append("</b> (median ratio, oriented so that above 1 is always worse), with its 95% CI.</p>")
                .append("<p class=\"legend\"><span class=\"worse\">significantly worse</span><span class=\"worse2\">≥ 1.5× and significant</span>"
                        + "<span class=\"better\">significantly better</span><span class=\"noise\">within noise</span>"
                        + "<span class=\"few\">too few samples</span></p>");
        h.append("<div class=\"scroll\"><table class=\"cost\"><tr><th>benchmark</th><th>case</th><th>metric</th>");
        rts.forEach(x -> h.append("<th>").append(Html.esc(TextSummary.label(r.run(), x))).append("</th>"));
        h.append("</tr>");
        for (List<ResultStats> g : r.groups().values()) {
            ResultStats f = g.get(0);
            h.append("<tr><td>").append(Html.esc(f.benchmark())).append("</td><td>").append(Html.esc(ReportRun.params(f.params())))
                    .append("</td><td>").append(Html.esc(f.metric())).append(" <span class=\"meta\">(").append(Html.esc(f.unit()))
                    .append(f.higherIsBetter() ? ", ↑" : ", ↓").append(")</span></td>");
            for (String rt : rts) {
                ResultStats s = g.stream().filter(x -> x.runtime().equals(rt)).findFirst().orElse(null);
                if (s == null || s.ratioToBaseline() == null) {
                    h.append("<td class=\"num\">–</td>");
                    continue;
                }
                h.append("<td class=\"num ").append(cssClass(s)).append("\" title=\"").append(Html.esc(s.verdict()))
                        .append(s.pValue() == null ? "" : String.format(Locale.ROOT, ", p=%.3g", s.pValue())).append("\">")
                        .append(String.format(Locale.ROOT, "%.3f×", s.ratioToBaseline()));
                if (s.ratioCi95Low() != null) {
                    h.append(String.format(Locale.ROOT, "<br><small>[%.3f–%.3f]</small>", s.ratioCi95Low(), s.ratioCi95High()));
                }
                h.append("</td>");
            }
            h.append("</tr>");
        }
        h.append("</table></div>\n");
    }

    static String cssClass(ResultStats s) {
        if (s.verdict() == null) {
            return "";
        }
        return switch (s.verdict()) {
            case Statistics.DIFFERS -> s.ratioToBaseline() > 1 ? (s.ratioToBaseline() >= 1.5 ? "worse2" : "worse") : "better";
            case Statistics.WITHIN_NOISE -> "noise";
            case Statistics.TOO_FEW -> "few";
            default -> "baseline";
        };
    }

    private void charts(StringBuilder h, ReportRun r) {
        h.append("<h3>Results</h3>");
        String lastBench = null;
        for (List<ResultStats> g : r.groups().values()) {
            ResultStats f = g.get(0);
            if (!f.benchmark().equals(lastBench)) {
                h.append("<h4>").append(Html.esc(f.benchmark())).append("</h4>");
                lastBench = f.benchmark();
            }
            String title = f.benchmark() + " · " + f.metric() + " [" + f.unit() + ", " + (f.higherIsBetter() ? "higher" : "lower")
                    + " is better]";
            h.append("<figure>").append(Svg.bars(title, g, rt -> color(r.kindOf(rt)), rt -> TextSummary.label(r.run(), rt)))
                    .append("<figcaption>").append(Html.esc(ReportRun.params(f.params())))
                    .append(" — bars: median; whiskers: 95% CI of the median; n per runtime: ")
                    .append(Html.esc(String.join(", ", g.stream().map(s -> s.runtime() + " " + s.n()).toList())))
                    .append("</figcaption></figure>\n");
        }
    }

    /** Distinct colors per runtime for line charts (kinds repeat among runtimes). */
    static String lineColor(int i) {
        String[] p = {"#4e79a7", "#59a14f", "#f28e2b", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};
        return p[i % p.length];
    }

    /** The papers' server tables (nginx, redis, mysql), cost cells colored by verdict. */
    private static void servers(StringBuilder h, ReportRun r) {
        List<ServerTables.Table> tables = ServerTables.of(r);
        if (tables.isEmpty()) {
            return;
        }
        h.append("<h3>Servers</h3>");
        for (ServerTables.Table t : tables) {
            h.append("<h4>").append(Html.esc(t.title())).append("</h4><p class=\"meta\">").append(Html.esc(t.caption()))
                    .append("</p><div class=\"scroll\"><table class=\"server\"><tr>");
            t.header().forEach(c -> h.append("<th>").append(Html.esc(c)).append("</th>"));
            h.append("</tr>");
            for (int i = 0; i < t.rows().size(); i++) {
                List<String> row = t.rows().get(i);
                h.append("<tr><td>").append(Html.esc(row.get(0))).append("</td>");
                for (int c = 1; c < row.size(); c++) {
                    ResultStats cs = t.cost().get(i).get(c);
                    h.append("<td class=\"num").append(cs == null ? "" : " " + cssClass(cs)).append("\">")
                            .append(Html.esc(row.get(c))).append("</td>");
                }
                h.append("</tr>");
            }
            h.append("</table></div>\n");
        }
    }

    /** Startup scaling: instances vs p50 and p95 of ready_ms, one pair of lines per runtime, per (delay, readiness). */
    private void startup(StringBuilder h, ReportRun r) {
        List<ResultStats> ready = r.stats().stream().filter(s -> s.benchmark().equals("startup") && s.metric().equals("ready_ms")).toList();
        if (ready.isEmpty()) {
            return;
        }
        h.append("<h3>Startup scaling</h3><p>Time from each instance's launch to ready on the host's monotonic clock — readiness "
                + "first-line: its first line on stdout; http: the first 2xx answer of the HTTP probe inside it through the runtime's own "
                + "network path; exit: the runtime's launcher exited 0 (run to completion, hyperfine's quantity; nothing is read "
                + "from it meanwhile) — with N instances launched at once; every instance of every run of every iteration is "
                + "one sample (runs: launches back-to-back within an iteration). "
                + "Solid: median (p50); dashed: p95. The phase table gives the median time from launch at which each milestone "
                + "was reached; a runtime's own milestones (setup, spawned, booted) appear only where its driver exposes them.</p>");
        Map<String, List<ResultStats>> bySeries = new java.util.LinkedHashMap<>();
        for (ResultStats s : ready) {
            String key = "delay " + s.params().get("delay_ms") + " ms, readiness " + s.params().get("readiness");
            bySeries.computeIfAbsent(key, k -> new java.util.ArrayList<>()).add(s);
        }
        for (var e : bySeries.entrySet()) {
            List<String> xs = e.getValue().stream().map(s -> Long.parseLong(String.valueOf(s.params().get("instances"))))
                    .distinct().sorted().map(String::valueOf).toList();
            List<String> rts = r.measuredRuntimes().stream().filter(rt -> e.getValue().stream().anyMatch(s -> s.runtime().equals(rt))).toList();
            List<Svg.Series> series = new java.util.ArrayList<>();
            StringBuilder table = new StringBuilder("<table><tr><th>runtime</th><th>instances</th><th>p50 ms</th><th>p95 ms</th>"
                    + "<th>max ms</th><th>mean ms</th><th>n</th></tr>");
            for (int i = 0; i < rts.size(); i++) {
                String rt = rts.get(i);
                double[] p50 = new double[xs.size()];
                double[] p95 = new double[xs.size()];
                java.util.Arrays.fill(p50, Double.NaN);
                java.util.Arrays.fill(p95, Double.NaN);
                for (ResultStats s : e.getValue()) {
                    if (s.runtime().equals(rt)) {
                        int x = xs.indexOf(String.valueOf(s.params().get("instances")));
                        p50[x] = s.median();
                        p95[x] = s.p95();
                        table.append("<tr><td>").append(Html.esc(rt)).append("</td><td class=\"num\">").append(Html.esc(xs.get(x)))
                                .append("</td><td class=\"num\">").append(Html.esc(Svg.num(s.median())))
                                .append("</td><td class=\"num\">").append(Html.esc(Svg.num(s.p95())))
                                .append("</td><td class=\"num\">").append(Html.esc(Svg.num(s.max())))
                                .append("</td><td class=\"num\">").append(Html.esc(Svg.num(s.mean())))
                                .append("</td><td class=\"num\">").append(s.n()).append("</td></tr>");
                    }
                }
                series.add(new Svg.Series(rt + " p50", lineColor(i), false, p50));
                series.add(new Svg.Series(rt + " p95", lineColor(i), true, p95));
            }
            h.append("<figure>").append(Svg.lines("startup · ready_ms vs instances (" + e.getKey() + ")", "concurrent instances",
                    "ready_ms", xs, series)).append("<figcaption>").append(Html.esc(e.getKey()))
                    .append(" — per instance count: median and 95th percentile of every instance's time to ready</figcaption></figure>\n");
            h.append(table).append("</table>\n");
            phaseTable(h, r, e.getValue());
        }
    }

    /** Median ms from launch of every startup milestone present, per runtime and instance count of one series. */
    private static void phaseTable(StringBuilder h, ReportRun r, List<ResultStats> readyOfSeries) {
        List<String> order = List.of("setup_ms", "spawned_ms", "booted_ms", "first_line_ms", "ready_ms", "teardown_ms", "all_ready_ms");
        List<ResultStats> all = new java.util.ArrayList<>();
        for (ResultStats rd : readyOfSeries) {
            r.stats().stream().filter(s -> s.benchmark().equals("startup") && s.paramsKey().equals(rd.paramsKey())
                    && s.runtime().equals(rd.runtime())).forEach(all::add);
        }
        List<String> present = order.stream().filter(m -> all.stream().anyMatch(s -> s.metric().equals(m))).toList();
        if (present.size() <= 2) {
            return;
        }
        h.append("<table><tr><th>runtime</th><th>instances</th>");
        present.forEach(m -> h.append("<th>").append(Html.esc(m)).append(" p50</th>"));
        h.append("</tr>");
        for (ResultStats rd : readyOfSeries) {
            h.append("<tr><td>").append(Html.esc(rd.runtime())).append("</td><td class=\"num\">")
                    .append(Html.esc(String.valueOf(rd.params().get("instances")))).append("</td>");
            for (String m : present) {
                ResultStats s = all.stream().filter(x -> x.metric().equals(m) && x.runtime().equals(rd.runtime())
                        && x.paramsKey().equals(rd.paramsKey())).findFirst().orElse(null);
                h.append("<td class=\"num\">").append(s == null ? "–" : Html.esc(Svg.num(s.median()))).append("</td>");
            }
            h.append("</tr>");
        }
        h.append("</table>\n");
    }

    /** Load profile: CPU % and RSS over time, one line per runtime (median over repetitions at each point), per case. */
    private void loadProfile(StringBuilder h, ReportRun r) {
        List<TimeSeries> all = TimeSeries.of(r.run()).stream().filter(t -> t.benchmark().equals("load-profile")).toList();
        if (all.isEmpty()) {
            return;
        }
        h.append("<h3>Load profile</h3><p>CPU (100 % = one core) and resident memory of the host processes each runtime reports "
                + "for one instance of isobench's HTTP probe, sampled at a fixed interval while it idles and then while a host client "
                + "sends a fixed rate of requests (one TCP connection each) through the runtime's network path. Each line is the "
                + "median over measured repetitions at each sampling point.</p>");
        Map<String, List<TimeSeries>> byCase = new java.util.LinkedHashMap<>();
        all.forEach(t -> byCase.computeIfAbsent(ReportRun.params(t.params()), k -> new java.util.ArrayList<>()).add(t));
        List<String> rts = r.measuredRuntimes();
        for (var e : byCase.entrySet()) {
            for (String metric : List.of("cpu_percent", "rss_mib")) {
                List<Svg.XySeries> lines = new java.util.ArrayList<>();
                Map<String, Double> markers = new java.util.LinkedHashMap<>();
                String unit = "";
                for (TimeSeries t : e.getValue()) {
                    if (!t.metric().equals(metric)) {
                        continue;
                    }
                    unit = t.unit();
                    int i = Math.max(0, rts.indexOf(t.runtime()));
                    lines.add(new Svg.XySeries(TextSummary.label(r.run(), t.runtime()), lineColor(i), t.t(), t.y()));
                    t.phaseStart().entrySet().stream().skip(1) // the first phase starts with the chart
                            .forEach(p -> markers.merge(p.getKey() + " starts", p.getValue(), Math::min));
                }
                if (lines.isEmpty()) {
                    continue;
                }
                String title = "load-profile · " + metric + " over time [" + unit + "]";
                h.append("<figure>").append(Svg.timeSeries(title, "seconds from the start of sampling", metric + " [" + unit + "]",
                        lines, markers)).append("<figcaption>").append(Html.esc(e.getKey()))
                        .append(" — repetitions per runtime: ").append(Html.esc(String.join(", ", e.getValue().stream()
                                .filter(t -> t.metric().equals(metric)).map(t -> t.runtime() + " " + t.repetitions()).toList())))
                        .append("</figcaption></figure>\n");
            }
        }
    }

    /** Footprint: marginal PSS per instance as bars, and the per-instance figures with their cross-check as a table. */
    private void footprint(StringBuilder h, ReportRun r) {
        List<ResultStats> fp = r.stats().stream().filter(s -> s.benchmark().equals("footprint")).toList();
        if (fp.isEmpty()) {
            return;
        }
        h.append("<h3>Footprint</h3><p>Idle memory of the host processes each runtime reports for an instance. "
                + "PSS per instance = marginal cost of one more instance: (PSS at N − PSS at 1) ÷ (N − 1); USS and RSS per instance: "
                + "total at N ÷ N; "
                + "MemAvailable drop ÷ N is a whole-host cross-check (noisy on a shared host).</p>");
        Map<String, List<ResultStats>> byCase = new java.util.LinkedHashMap<>();
        fp.forEach(s -> byCase.computeIfAbsent(s.paramsKey(), k -> new java.util.ArrayList<>()).add(s));
        List<String> metrics = List.of("pss_mib_per_instance", "uss_mib_per_instance", "rss_mib_per_instance",
                "memavailable_mib_per_instance", "pss_mib_single", "pss_mib_total");
        for (List<ResultStats> c : byCase.values()) {
            List<ResultStats> pss = c.stream().filter(s -> s.metric().equals("pss_mib_per_instance")).toList();
            String caseText = ReportRun.params(c.get(0).params());
            if (!pss.isEmpty()) {
                h.append("<figure>").append(Svg.bars("footprint · PSS per additional instance [MiB, lower is better]", pss,
                        rt -> color(r.kindOf(rt)))).append("<figcaption>").append(Html.esc(caseText))
                        .append(" — bars: median over repetitions; whiskers: 95% CI of the median</figcaption></figure>\n");
            }
            h.append("<table><tr><th>runtime</th>");
            metrics.forEach(m -> h.append("<th>").append(Html.esc(m)).append("</th>"));
            h.append("<th>note</th></tr>");
            for (String rt : r.measuredRuntimes()) {
                if (c.stream().noneMatch(s -> s.runtime().equals(rt))) {
                    continue;
                }
                h.append("<tr><td>").append(Html.esc(rt)).append("</td>");
                for (String m : metrics) {
                    ResultStats s = c.stream().filter(x -> x.runtime().equals(rt) && x.metric().equals(m)).findFirst().orElse(null);
                    h.append("<td class=\"num\">").append(s == null ? "–" : Html.esc(Svg.num(s.median()))).append("</td>");
                }
                Object guest = r.run().runtimes().stream().filter(x -> x.runtime().equals(rt)).findFirst()
                        .map(x -> x.details().get("memory")).orElse(null);
                h.append("<td>").append(guest == null ? "" : "configured guest memory " + Html.esc(guest)
                        + " (reported apart; not subtracted)").append("</td></tr>");
            }
            h.append("</table>\n");
        }
    }

    private void failures(StringBuilder h, ReportRun r) {
        if (r.run().failures().isEmpty()) {
            return;
        }
        h.append("<h3>Failures</h3><table><tr><th>runtime</th><th>benchmark</th><th>case</th><th>repetition</th><th>reason</th><th>raw output (tail)</th></tr>");
        for (StoredRun.FailureRow f : r.run().failures()) {
            String raw = f.rawOutput();
            String tail = raw.length() > 2000 ? "…" + raw.substring(raw.length() - 2000) : raw;
            h.append("<tr><td>").append(Html.esc(f.runtime())).append("</td><td>").append(Html.esc(f.benchmark()))
                    .append("</td><td>").append(Html.esc(ReportRun.params(Json.readMap(f.paramsJson())))).append("</td><td>")
                    .append(f.repetition()).append(f.warmup() ? " (warmup)" : "").append("</td><td>").append(Html.esc(f.reason()))
                    .append("</td><td><pre>").append(Html.esc(tail)).append("</pre></td></tr>");
        }
        h.append("</table>\n");
    }
}
