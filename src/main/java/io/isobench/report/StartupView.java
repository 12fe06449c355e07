package io.isobench.report;

import io.isobench.analysis.ResultStats;
import io.isobench.bench.fleet.StartupBenchmark;
import io.isobench.runtime.Sandbox;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Startup scaling: per (delay, readiness), instances vs p50 and p95 of ready_ms, one pair of lines per runtime, and a
 * table with the ready figures and the median time from launch of every milestone present; the note on what preceded
 * each launch (cooldown or back-to-back).
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

    @Override
    public String title() {
        return "Startup scaling";
    }

    @Override
    public Map<String, List<String>> metrics() {
        List<String> all = new ArrayList<>(List.of(READY));
        all.addAll(MILESTONES);
        return Map.of(BENCH, all);
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
                + "from it meanwhile) — with N instances launched at once; every instance of every run of every iteration is "
                + "one sample (runs: launches back-to-back within an iteration). Solid: median (p50); dashed: p95. The other "
                + "columns give the median time from launch at which each milestone was reached; a runtime's own milestones "
                + "(setup, spawned, booted) appear only where its driver exposes them.", true));
        Map<String, List<ResultStats>> bySeries = new LinkedHashMap<>();
        for (ResultStats s : ready) {
            String key = "delay " + s.params().get("delay_ms") + " ms, readiness " + s.params().get("readiness");
            bySeries.computeIfAbsent(key, k -> new ArrayList<>()).add(s);
        }
        for (var e : bySeries.entrySet()) {
            List<ResultStats> rs = e.getValue();
            List<String> xs = rs.stream().map(s -> Long.parseLong(String.valueOf(s.params().get("instances"))))
                    .distinct().sorted().map(String::valueOf).toList();
            List<String> rts = r.measuredRuntimes().stream().filter(rt -> rs.stream().anyMatch(s -> s.runtime().equals(rt))).toList();
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
            b.add(new Block.Heading(3, e.getKey()));
            b.add(new Block.LineChart("startup · " + READY + " vs instances (" + e.getKey() + ")", "concurrent instances",
                    READY, xs, series, e.getKey() + " — per instance count: median and 95th percentile of every instance's "
                    + "time to ready"));
            b.add(table(r, rs, rts));
        }
        return b;
    }

    /** Per runtime and instance count: ready p50, p95, max, mean, n and the median of every milestone present. */
    private static Block.Table table(ReportRun r, List<ResultStats> ready, List<String> rts) {
        List<String> present = MILESTONES.stream().filter(m -> ready.stream()
                .anyMatch(s -> r.find(BENCH, s.paramsKey(), m, s.runtime()) != null)).toList();
        List<String> header = new ArrayList<>(List.of("runtime", "instances", "ready p50 ms", "p95", "max", "mean", "n"));
        present.forEach(m -> header.add(m + " p50"));
        List<List<Block.Cell>> rows = new ArrayList<>();
        for (String rt : rts) {
            ready.stream().filter(s -> s.runtime().equals(rt))
                    .sorted(java.util.Comparator.comparingLong(s -> Long.parseLong(String.valueOf(s.params().get("instances")))))
                    .forEach(s -> {
                        List<Block.Cell> row = new ArrayList<>(List.of(Block.Cell.text(TextSummary.label(r.run(), rt)),
                                Block.Cell.text(s.params().get("instances")), Block.Cell.num(s.median()), Block.Cell.num(s.p95()),
                                Block.Cell.num(s.max()), Block.Cell.num(s.mean()), Block.Cell.text(s.n())));
                        for (String m : present) {
                            ResultStats x = r.find(BENCH, s.paramsKey(), m, rt);
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
