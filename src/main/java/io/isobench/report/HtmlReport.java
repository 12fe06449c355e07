package io.isobench.report;

import io.isobench.analysis.ResultStats;
import io.isobench.analysis.Statistics;
import io.isobench.util.Version;

import java.io.IOException;
import java.io.Writer;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * One self-contained HTML file: no network, no script; charts are inline SVG. Renders each run's {@link RunDocument}
 * (the cost overview first, provenance folded) and knows no benchmark or metric. Wide tables scroll inside their own
 * box and charts scale down, so nothing overflows a 1280-pixel window.
 */
public final class HtmlReport implements ReportWriter {
    static final String CSS = """
            body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px auto;max-width:1200px;color:#222;padding:0 16px}
            h1{font-size:26px;margin-bottom:4px}h2{border-bottom:2px solid #ddd;padding-bottom:4px;margin-top:40px}
            h3{margin-top:28px}.meta{color:#666}table{border-collapse:collapse;margin:8px 0}
            td,th{border:1px solid #ddd;padding:4px 8px;vertical-align:top;text-align:left}th{background:#f5f5f5}
            td.long{overflow-wrap:anywhere;min-width:12em}td small,td .sub{color:#666;font-size:11px}
            .scroll{overflow-x:auto;max-width:100%}
            td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
            .worse{background:#f8d7da}.worse2{background:#f1aeb5}.better{background:#d4edda}.noise{background:#eef0f2}
            .few{background:#fff;color:#666;font-style:italic}.baseline{background:#fafafa;color:#666}
            .legend span{display:inline-block;padding:2px 8px;margin:0 6px 4px 0;border:1px solid #ddd}
            .notes li{margin:4px 0}details{margin:8px 0}summary{cursor:pointer;color:#333;font-weight:600}
            figure{margin:16px 0}figcaption{color:#555;font-size:12px;max-width:760px}
            svg.chart{max-width:100%;height:auto}
            svg.chart .ctitle{font-weight:600;font-size:13px}svg.chart .tick{font-size:11px;fill:#555}
            svg.chart .grid{stroke:#e5e5e5}svg.chart .rlabel{font-size:12px}svg.chart .val{font-size:12px}
            svg.chart .err{stroke:#222;stroke-width:1.5}pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f7f7f7;padding:6px;max-height:12em;overflow:auto;max-width:40em;margin:0}
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

    /** Distinct colors per runtime for line charts (kinds repeat among runtimes). */
    static String lineColor(int i) {
        String[] p = {"#4e79a7", "#59a14f", "#f28e2b", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};
        return p[i % p.length];
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
                        + "medians with distribution-free 95% confidence intervals (order statistics; † where the samples allow less); verdicts from two-sided Mann–Whitney U tests with p-values adjusted by Benjamini–Hochberg (5% false discovery rate).</p>\n");
        MultiHostReport multi = MultiHostReport.of(runs);
        if (multi.multiHost()) {
            h.append("<section class=\"hosts\" id=\"hosts\">");
            multi.blocks().forEach(b -> block(h, b));
            h.append("</section>\n");
        }
        for (ReportRun r : runs) {
            h.append("<section class=\"run\" id=\"run-").append(Html.esc(r.run().header().id())).append("\">");
            RunDocument.of(r).forEach(b -> block(h, b));
            h.append("</section>\n");
        }
        h.append("</body></html>\n");
        out.write(h.toString());
    }

    static void block(StringBuilder h, Block block) {
        switch (block) {
            case Block.Heading x -> {
                int level = Math.min(6, x.level() + 1);
                h.append("<h").append(level).append('>').append(Html.esc(x.text())).append("</h").append(level).append(">\n");
            }
            case Block.Paragraph x -> h.append(x.muted() ? "<p class=\"meta\">" : "<p>").append(Html.esc(x.text())).append("</p>\n");
            case Block.Notes x -> {
                h.append("<ul class=\"notes\">");
                x.items().forEach(n -> h.append("<li>").append(Html.esc(n)).append("</li>"));
                h.append("</ul>\n");
            }
            case Block.Legend x -> h.append("<p class=\"legend\"><span class=\"worse\">significantly worse</span>"
                    + "<span class=\"worse2\">≥ 1.5× and significant</span><span class=\"better\">significantly better</span>"
                    + "<span class=\"noise\">within noise</span><span class=\"few\">too few samples</span></p>\n");
            case Block.Table x -> table(h, x);
            case Block.BarChart x -> figure(h, Svg.bars(x.title(), x.rows(), rt -> color(x.kinds().getOrDefault(rt, "?")),
                    rt -> x.labels().getOrDefault(rt, rt)), x.caption());
            case Block.GroupedBarChart x -> figure(h, Svg.groupedBars(x.title(), x.unit(), x.groups(), x.reference(),
                    x.referenceLabel()), x.caption());
            case Block.LineChart x -> figure(h, Svg.lines(x.title(), x.xLabel(), x.yLabel(), x.xs(), x.series()), x.caption());
            case Block.TimeSeriesChart x -> figure(h, Svg.timeSeries(x.title(), x.xLabel(), x.yLabel(), x.series(), x.markers()),
                    x.caption());
            case Block.Waterfall x -> figure(h, Svg.waterfall(x.title(), x.lanes()), x.caption());
            case Block.Details x -> {
                h.append(x.open() ? "<details open>" : "<details>").append("<summary>").append(Html.esc(x.summary()))
                        .append("</summary>\n");
                x.body().forEach(b -> block(h, b));
                h.append("</details>\n");
            }
        }
    }

    private static void figure(StringBuilder h, String svg, String caption) {
        h.append("<figure>").append(svg).append("<figcaption>").append(Html.esc(caption)).append("</figcaption></figure>\n");
    }

    private static void table(StringBuilder h, Block.Table t) {
        h.append("<div class=\"scroll\"><table>");
        if (t.header().stream().anyMatch(c -> !c.isEmpty())) {
            h.append("<tr>");
            // metric names may break after an underscore, so wide tables of them fit
            t.header().forEach(c -> h.append("<th>").append(Html.esc(c).replace("_", "_<wbr>")).append("</th>"));
            h.append("</tr>");
        }
        for (List<Block.Cell> row : t.rows()) {
            h.append("<tr>");
            row.forEach(c -> cell(h, c));
            h.append("</tr>");
        }
        h.append("</table></div>\n");
    }

    private static void cell(StringBuilder h, Block.Cell c) {
        switch (c) {
            case Block.Cell.Text x -> h.append(longestWord(x.text()) > 30 ? "<td class=\"long\">" : "<td>")
                    .append(Html.esc(x.text())).append("</td>");
            case Block.Cell.Label x -> h.append("<td>").append(Html.esc(x.text())).append("<br><span class=\"sub\">")
                    .append(Html.esc(x.sub())).append("</span></td>");
            case Block.Cell.Num x -> h.append("<td class=\"num\">").append(Double.isFinite(x.value()) ? Html.esc(Svg.num(x.value())) : "–")
                    .append("</td>");
            case Block.Cell.ValueCi x -> h.append("<td class=\"num\">").append(Html.esc(Svg.num(x.median())))
                    .append(" <small>(").append(Html.esc(Svg.num(x.low()))).append("–").append(Html.esc(Svg.num(x.high())))
                    .append(")</small></td>");
            case Block.Cell.Cost x -> {
                ResultStats s = x.stats();
                h.append("<td class=\"num ").append(cssClass(s)).append("\" title=\"").append(Html.esc(s.verdict()))
                        .append(s.pValue() == null ? "" : String.format(Locale.ROOT, ", p=%.3g", s.pValue())).append("\">")
                        .append(String.format(Locale.ROOT, "%.3f×", s.ratioToBaseline()));
                if (s.ratioCi95Low() != null) {
                    h.append(String.format(Locale.ROOT, "<br><small>[%.3f–%.3f]</small>", s.ratioCi95Low(), s.ratioCi95High()));
                }
                h.append("</td>");
            }
            case Block.Cell.Verdict x -> h.append("<td class=\"num ").append(cssClass(x.stats())).append("\">")
                    .append(Html.esc(x.text())).append("</td>");
            case Block.Cell.Code x -> h.append("<td><pre>").append(Html.esc(x.text())).append("</pre></td>");
            case Block.Cell.Empty x -> h.append("<td class=\"num\">–</td>");
        }
    }

    private static int longestWord(String s) {
        int max = 0;
        for (String w : s.split("\\s+")) {
            max = Math.max(max, w.length());
        }
        return max;
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
}
