package io.isobench.report;

import io.isobench.bench.fleet.LoadProfileBenchmark;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Load profile: CPU % and RSS over time, one line per runtime (median over repetitions at each point), per case, and
 * the same series as one row per second (mean of that second's points).
 */
final class LoadProfileView implements ReportView {
    static final String BENCH = "load-profile";
    private static final List<String> SERIES = List.of(LoadProfileBenchmark.CPU_SERIES.name(),
            LoadProfileBenchmark.RSS_SERIES.name());

    @Override
    public String title() {
        return "Load profile";
    }

    @Override
    public Map<String, List<String>> metrics() {
        return Map.of(BENCH, SERIES);
    }

    @Override
    public List<Block> blocks(ReportRun r) {
        List<TimeSeries> all = TimeSeries.of(r.run()).stream().filter(t -> t.benchmark().equals(BENCH)).toList();
        if (all.isEmpty()) {
            return List.of();
        }
        List<Block> b = new ArrayList<>();
        b.add(new Block.Paragraph("CPU (100 % = one core) and resident memory of the host processes each runtime reports "
                + "for one instance of isobench's HTTP probe, sampled at a fixed interval while it idles and then while a host client "
                + "sends a fixed rate of requests (one TCP connection each) through the runtime's network path. Each line is the "
                + "median over measured repetitions at each sampling point.", true));
        Map<String, List<TimeSeries>> byCase = new LinkedHashMap<>();
        all.forEach(t -> byCase.computeIfAbsent(ReportRun.params(t.params()), k -> new ArrayList<>()).add(t));
        List<String> rts = r.measuredRuntimes();
        for (var e : byCase.entrySet()) {
            b.add(new Block.Heading(3, e.getKey()));
            List<TimeSeries> shown = new ArrayList<>();
            for (String metric : SERIES) {
                List<Svg.XySeries> lines = new ArrayList<>();
                Map<String, Double> markers = new LinkedHashMap<>();
                String unit = "";
                for (TimeSeries t : e.getValue()) {
                    if (!t.metric().equals(metric)) {
                        continue;
                    }
                    shown.add(t);
                    unit = t.unit();
                    int i = Math.max(0, rts.indexOf(t.runtime()));
                    lines.add(new Svg.XySeries(TextSummary.label(r.run(), t.runtime()), HtmlReport.lineColor(i), t.t(), t.y()));
                    t.phaseStart().entrySet().stream().skip(1) // the first phase starts with the chart
                            .forEach(p -> markers.merge(p.getKey() + " starts", p.getValue(), Math::min));
                }
                if (lines.isEmpty()) {
                    continue;
                }
                b.add(new Block.TimeSeriesChart("load-profile · " + metric + " over time [" + unit + "]",
                        "seconds from the start of sampling", metric + " [" + unit + "]", lines, markers,
                        e.getKey() + " — repetitions per runtime: " + String.join(", ", e.getValue().stream()
                                .filter(t -> t.metric().equals(metric)).map(t -> t.runtime() + " " + t.repetitions()).toList())));
            }
            b.add(new Block.Details("per second: mean of each second's sampling points", false, List.of(perSecond(shown))));
        }
        return b;
    }

    private static Block.Table perSecond(List<TimeSeries> series) {
        List<String> header = new ArrayList<>(List.of("second", "phase"));
        series.forEach(t -> header.add(t.runtime() + " " + t.metric() + " [" + t.unit() + "]"));
        List<List<Block.Cell>> rows = new ArrayList<>();
        double end = series.stream().mapToDouble(t -> t.t().length == 0 ? 0 : t.t()[t.t().length - 1]).max().orElse(0);
        Map<String, Double> phases = series.isEmpty() ? Map.of() : series.get(0).phaseStart();
        for (int sec = 0; sec < Math.ceil(end); sec++) {
            final double from = sec;
            String phase = phases.entrySet().stream().filter(p -> p.getValue() <= from + 1e-9).reduce((x, y) -> y)
                    .map(Map.Entry::getKey).orElse(phases.keySet().stream().findFirst().orElse(""));
            List<Block.Cell> row = new ArrayList<>(List.of(Block.Cell.text(sec + "–" + (sec + 1)), Block.Cell.text(phase)));
            series.forEach(t -> row.add(Block.Cell.num(t.meanBetween(from, from + 1))));
            rows.add(row);
        }
        return new Block.Table(header, rows);
    }
}
