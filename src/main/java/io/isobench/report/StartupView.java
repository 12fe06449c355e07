package io.isobench.report;

import io.isobench.analysis.ResultStats;
import io.isobench.bench.fleet.StartupBenchmark;
import io.isobench.runtime.Sandbox;
import io.isobench.store.StoredRun;
import io.isobench.util.Json;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Startup: per (arrival, readiness, mode), instances vs p50 and p95 of ready_ms (one pair of lines per runtime) where
 * the instance count is given, a table with the ready figures, p99 and success rate per launch, the harness's lateness
 * and the median time from launch of every milestone present; per case a waterfall of the first measured launch in
 * every runtime and its instances in flight; the note on what preceded each launch (cooldown or back-to-back).
 */
final class StartupView implements ReportView {
    static final String BENCH = "startup";
    private static final String READY = StartupBenchmark.READY_MS.name();
    /** Milestones in the order they happen, ready_ms left out (its own columns). */
    private static final List<String> MILESTONES;

    static {
        List<String> m = new ArrayList<>();
        Sandbox.Phase.NAMES.forEach(p -> m.add(StartupBenchmark.phaseMetric(p).name()));
        m.addAll(List.of(StartupBenchmark.FIRST_LINE_MS.name(), StartupBenchmark.TEARDOWN_MS.name(),
                StartupBenchmark.ALL_READY_MS.name()));
        MILESTONES = List.copyOf(m);
    }

    private static final String P99 = StartupBenchmark.READY_P99_MS.name();
    private static final String SUCCESS = StartupBenchmark.SUCCESS_RATE.name();
    private static final String LATE = StartupBenchmark.LATENESS_MS.name();
    private static final String CREATE = StartupBenchmark.CREATE_MS.name();
    private static final String IN_FLIGHT = StartupBenchmark.IN_FLIGHT.name();
    private static final String INSTANCE = StartupBenchmark.INSTANCE.name();
    /** Lanes drawn per waterfall at most; a larger launch shows every k-th instance. */
    static final int MAX_LANES = 64;

    @Override
    public String title() {
        return "Startup";
    }

    @Override
    public Map<String, List<String>> metrics() {
        List<String> all = new ArrayList<>(List.of(READY, P99, SUCCESS, LATE, CREATE, IN_FLIGHT, INSTANCE));
        all.addAll(MILESTONES);
        return Map.of(BENCH, all);
    }

    /** A case's arrival pattern as written in the plan: its arrival param, or burst/staggered from delay_ms. */
    static String arrival(Map<String, Object> params) {
        Object a = params.get("arrival");
        if (a != null) {
            return a + " for " + params.get("duration") + ", seed " + params.get("seed");
        }
        Object d = params.get("delay_ms");
        return d == null || d.toString().equals("0") ? "burst" : "staggered:" + d + "ms";
    }

    private static String mode(Map<String, Object> params) {
        Object m = params.get("mode");
        return m == null ? StartupBenchmark.COLD : m.toString();
    }

    @Override
    public List<Block> blocks(ReportRun r) {
        List<ResultStats> ready = r.of(BENCH).stream().filter(s -> s.metric().equals(READY)).toList();
        if (ready.isEmpty()) {
            return List.of();
        }
        List<Block> b = new ArrayList<>();
        b.add(new Block.Paragraph("Time from each instance's launch to ready on the host's monotonic clock — readiness "
                + "first-line: its first line on stdout; http: the first 2xx answer of the HTTP probe inside it through the runtime's own "
                + "network path; exit: the runtime's launcher exited 0 (run to completion, hyperfine's quantity; nothing is read "
                + "from it meanwhile). Arrivals are open loop: burst launches N instances at once, staggered one every delay, "
                + "poisson at random (seeded) for a duration; no launch waits for an earlier one. Mode cold times the whole "
                + "launch; prewarmed only the start of an instance created beforehand (create_ms), a distinct case. Every "
                + "instance that became ready is one ready_ms sample; p99 and success are per launch over every instance "
                + "launched, one that failed or was not ready in time counted as never ready. Solid: median (p50); dashed: "
                + "p95. The milestone columns give the median time from launch at which each was reached, where the driver "
                + "exposes it; late: how long after its scheduled time isobench itself called the runtime.", true));
        Map<String, List<ResultStats>> bySeries = new LinkedHashMap<>();
        for (ResultStats s : ready) {
            String key = arrival(s.params()) + ", readiness " + s.params().get("readiness") + ", mode " + mode(s.params())
                    + (s.params().get("runs") == null ? "" : ", runs " + s.params().get("runs"));
            bySeries.computeIfAbsent(key, k -> new ArrayList<>()).add(s);
        }
        for (var e : bySeries.entrySet()) {
            List<ResultStats> rs = e.getValue();
            List<String> rts = r.measuredRuntimes().stream().filter(rt -> rs.stream().anyMatch(s -> s.runtime().equals(rt))).toList();
            b.add(new Block.Heading(3, e.getKey()));
            if (rs.stream().allMatch(s -> s.params().get("instances") != null)) {
                b.add(scaling(r, e.getKey(), rs, rts));
            }
            b.add(table(r, rs, rts));
            List<String> cases = rs.stream().map(ResultStats::paramsKey).distinct().toList();
            for (int c = 0; c < cases.size(); c++) {
                String key = cases.get(c);
                Map<String, Object> params = rs.stream().filter(s -> s.paramsKey().equals(key)).findFirst().orElseThrow().params();
                List<Block> body = launchBlocks(r, key, rts);
                if (!body.isEmpty()) {
                    Object n = params.get("instances");
                    // the largest case of a group unfolded: it shows most of what the arrivals did
                    b.add(new Block.Details("Waterfall and instances in flight · " + e.getKey()
                            + (n == null ? "" : ", " + n + " instances"), c == cases.size() - 1, body));
                }
            }
        }
        return b;
    }

    /** Instances vs p50 and p95 of ready_ms, a pair of lines per runtime. */
    private static Block scaling(ReportRun r, String title, List<ResultStats> rs, List<String> rts) {
        List<String> xs = rs.stream().map(s -> Long.parseLong(String.valueOf(s.params().get("instances"))))
                .distinct().sorted().map(String::valueOf).toList();
        List<Svg.Series> series = new ArrayList<>();
        for (int i = 0; i < rts.size(); i++) {
            String rt = rts.get(i);
            double[] p50 = new double[xs.size()];
            double[] p95 = new double[xs.size()];
            Arrays.fill(p50, Double.NaN);
            Arrays.fill(p95, Double.NaN);
            for (ResultStats s : rs) {
                if (s.runtime().equals(rt)) {
                    int x = xs.indexOf(String.valueOf(s.params().get("instances")));
                    p50[x] = s.median();
                    p95[x] = s.p95();
                }
            }
            String label = TextSummary.label(r.run(), rt);
            series.add(new Svg.Series(label + " p50", HtmlReport.lineColor(i), false, p50));
            series.add(new Svg.Series(label + " p95", HtmlReport.lineColor(i), true, p95));
        }
        return new Block.LineChart("startup · " + READY + " vs instances (" + title + ")", "instances", READY, xs, series,
                title + " — per instance count: median and 95th percentile of every instance's time to ready");
    }

    /**
     * The first measured launch of a case in every runtime: its waterfall (one per runtime) and its instances in flight
     * (one line per runtime); empty for runs stored before isobench recorded them.
     */
    static List<Block> launchBlocks(ReportRun r, String paramsKey, List<String> rts) {
        List<Block> out = new ArrayList<>();
        List<Svg.XySeries> flight = new ArrayList<>();
        for (int k = 0; k < rts.size(); k++) {
            String rt = rts.get(k);
            List<StoredRun.SampleRow> points = firstLaunch(r, paramsKey, rt, INSTANCE);
            if (!points.isEmpty()) {
                out.add(waterfall(r, rt, points));
            }
            List<StoredRun.SampleRow> f = firstLaunch(r, paramsKey, rt, IN_FLIGHT);
            if (!f.isEmpty()) {
                double[] x = new double[f.size()];
                double[] y = new double[f.size()];
                for (int i = 0; i < f.size(); i++) {
                    x[i] = Double.parseDouble(String.valueOf(Json.readMap(f.get(i).seriesJson()).get("t_s")));
                    y[i] = f.get(i).value();
                }
                flight.add(new Svg.XySeries(TextSummary.label(r.run(), rt), HtmlReport.lineColor(k), x, y));
            }
        }
        if (!flight.isEmpty()) {
            out.add(new Block.TimeSeriesChart("startup · instances in flight (launched, not yet ready or failed)", "seconds "
                    + "from the first scheduled launch", "instances", flight, Map.of(), "The first measured launch of the case "
                    + "in each runtime: how many instances were between their launch and ready at each moment."));
        }
        return out;
    }

    /** Series points of {@code metric} from the lowest measured repetition (and run) of a case in a runtime, in stored order. */
    private static List<StoredRun.SampleRow> firstLaunch(ReportRun r, String paramsKey, String rt, String metric) {
        List<StoredRun.SampleRow> all = r.run().samples().stream().filter(s -> s.benchmark().equals(BENCH) && !s.warmup()
                && s.isSeriesPoint() && s.metric().equals(metric) && s.runtime().equals(rt) && s.paramsJson().equals(paramsKey)).toList();
        if (all.isEmpty()) {
            return all;
        }
        int rep = all.stream().mapToInt(StoredRun.SampleRow::repetition).min().orElseThrow();
        List<StoredRun.SampleRow> ofRep = all.stream().filter(s -> s.repetition() == rep).toList();
        String run = ofRep.stream().map(s -> String.valueOf(Json.readMap(s.seriesJson()).get("run"))).min(String::compareTo).orElseThrow();
        return ofRep.stream().filter(s -> String.valueOf(Json.readMap(s.seriesJson()).get("run")).equals(run)).toList();
    }

    private static Block waterfall(ReportRun r, String rt, List<StoredRun.SampleRow> points) {
        List<Block.Waterfall.Lane> lanes = new ArrayList<>();
        int step = (points.size() + MAX_LANES - 1) / MAX_LANES;
        int failed = 0;
        for (int i = 0; i < points.size(); i++) {
            Map<String, Object> p = Json.readMap(points.get(i).seriesJson());
            boolean ok = "ready".equals(p.get("outcome"));
            failed += ok ? 0 : 1;
            if (i % step != 0 && ok) {
                continue; // every step-th lane, and every instance that failed
            }
            List<Block.Waterfall.Mark> marks = new ArrayList<>();
            for (String ph : Sandbox.Phase.NAMES) {
                double v = num(p.get(ph + "_ms"));
                if (Double.isFinite(v)) {
                    marks.add(new Block.Waterfall.Mark(ph, v));
                }
            }
            marks.add(new Block.Waterfall.Mark(ok ? "ready" : String.valueOf(p.get("outcome")), num(ok ? p.get("ready_ms") : p.get("failed_ms"))));
            marks.sort(java.util.Comparator.comparingDouble(m -> Double.isFinite(m.atMs()) ? m.atMs() : Double.MAX_VALUE));
            lanes.add(new Block.Waterfall.Lane("#" + p.get("instance"), num(p.get("intended_ms")), points.get(i).value(), marks, ok));
        }
        String label = TextSummary.label(r.run(), rt);
        return new Block.Waterfall("startup · waterfall · " + label, lanes, points.size(), String.format(Locale.ROOT,
                "%s: %d instances of the first measured launch%s, %d not ready; one lane each in launch order (grey: from "
                        + "the scheduled time to isobench's call of the runtime), coloured to each milestone, green to ready, "
                        + "red cross: failed or never ready.", label, points.size(),
                step > 1 ? ", one in " + step + " drawn (and every one not ready)" : "", failed));
    }

    private static double num(Object o) {
        if (o == null) {
            return Double.NaN;
        }
        try {
            return Double.parseDouble(o.toString());
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    /**
     * Per runtime and case: ready p50, p95, max over instances, the median launch's p99 and success rate, the harness's
     * worst lateness, mean, n and the median of every milestone present.
     */
    private static Block.Table table(ReportRun r, List<ResultStats> ready, List<String> rts) {
        List<String> present = MILESTONES.stream().filter(m -> ready.stream()
                .anyMatch(s -> r.find(BENCH, s.paramsKey(), m, s.runtime()) != null)).toList();
        boolean created = ready.stream().anyMatch(s -> r.find(BENCH, s.paramsKey(), CREATE, s.runtime()) != null);
        List<String> header = new ArrayList<>(List.of("runtime", "instances", "ready p50 ms", "p95", "p99 (per launch)", "max",
                "success %", "late max ms", "mean", "n"));
        present.forEach(m -> header.add(m + " p50"));
        if (created) {
            header.add(CREATE + " p50");
        }
        List<List<Block.Cell>> rows = new ArrayList<>();
        for (String rt : rts) {
            ready.stream().filter(s -> s.runtime().equals(rt))
                    .sorted(java.util.Comparator.comparingLong(s -> s.params().get("instances") == null ? 0
                            : Long.parseLong(String.valueOf(s.params().get("instances")))))
                    .forEach(s -> {
                        ResultStats p99 = r.find(BENCH, s.paramsKey(), P99, rt);
                        ResultStats ok = r.find(BENCH, s.paramsKey(), SUCCESS, rt);
                        ResultStats late = r.find(BENCH, s.paramsKey(), LATE, rt);
                        Object n = s.params().get("instances");
                        List<Block.Cell> row = new ArrayList<>(List.of(Block.Cell.text(TextSummary.label(r.run(), rt)),
                                Block.Cell.text(n == null ? "poisson" : n), Block.Cell.num(s.median()), Block.Cell.num(s.p95()),
                                p99 == null ? new Block.Cell.Empty() : Block.Cell.num(p99.median()), Block.Cell.num(s.max()),
                                ok == null ? new Block.Cell.Empty() : Block.Cell.num(ok.median()),
                                late == null ? new Block.Cell.Empty() : Block.Cell.num(late.max()),
                                Block.Cell.num(s.mean()), Block.Cell.text(s.n())));
                        for (String m : present) {
                            ResultStats x = r.find(BENCH, s.paramsKey(), m, rt);
                            row.add(x == null ? new Block.Cell.Empty() : Block.Cell.num(x.median()));
                        }
                        if (created) {
                            ResultStats x = r.find(BENCH, s.paramsKey(), CREATE, rt);
                            row.add(x == null ? new Block.Cell.Empty() : Block.Cell.num(x.median()));
                        }
                        rows.add(row);
                    });
        }
        return new Block.Table(header, rows);
    }

    @Override
    public List<String> notes(ReportRun r) {
        String n = startupNote(r.run().header().plan(), r.stats());
        return n == null ? List.of() : List.of(n);
    }

    /**
     * What preceded every startup launch, or null when the run has no startup results: the plan's cooldown, with the host
     * idle, or, for cases with startup.runs, the previous launch's teardown. A sub-millisecond launch right after idle is
     * much slower on a VM than back-to-back (hyperfine's default), so the regime must travel with the figure.
     */
    static String startupNote(Map<String, Object> plan, List<ResultStats> stats) {
        List<ResultStats> startup = stats.stream().filter(s -> s.benchmark().equals(BENCH)).toList();
        if (startup.isEmpty()) {
            return null;
        }
        Object cooldown = plan.get("cooldown");
        String c = cooldown == null ? "?" : cooldown.toString();
        boolean noCooldown;
        try {
            noCooldown = io.isobench.util.Units.parseDuration(c, "cooldown").isZero();
        } catch (io.isobench.util.UserException e) {
            noCooldown = false; // not recorded as a duration: say only what is known
        }
        // cases with startup.runs > 1 carry "runs"; the others launched once per iteration
        java.util.SortedSet<String> runs = new java.util.TreeSet<>();
        boolean single = false;
        for (ResultStats s : startup) {
            Object r = s.params().get("runs");
            if (r == null) {
                single = true;
            } else {
                runs.add(r.toString());
            }
        }
        List<String> parts = new ArrayList<>();
        if (!runs.isEmpty()) {
            parts.add("cases with runs=" + String.join("/", runs) + " launched that many times back-to-back in every "
                    + "iteration, each launch right after the previous one's teardown (hyperfine's regime), after an "
                    + "unsampled warm-up launch that followed the cooldown of " + c + ".");
        }
        if (single) {
            parts.add(noCooldown
                    ? "one launch per iteration, each right after the previous iteration was stored (cooldown 0s): near "
                    + "to, not the same as, hyperfine's back-to-back runs (isobench's bookkeeping comes between launches; "
                    + "startup.runs gives hyperfine's regime)."
                    : "every iteration's launch followed the run's cooldown of " + c + " with the host idle. On a VM a "
                    + "short launch right after idle can take far longer than back-to-back (on the 2-vCPU dev host: 0.55 ms "
                    + "native back-to-back, 1.0 ms after 50 ms idle, hyperfine's own runs included); compare startup "
                    + "figures only between runs with the same cooldown and runs; startup.runs gives hyperfine's "
                    + "back-to-back regime.");
        }
        return "startup: " + String.join(" ", parts);
    }

}
