package io.isobench.report;

import io.isobench.analysis.ResultStats;
import io.isobench.store.StoredRun;

import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The report's content as Markdown tables (for issues, papers' appendices, pull requests). */
public final class MarkdownReport implements ReportWriter {
    @Override
    public void write(List<ReportRun> runs, Writer out) throws IOException {
        StringBuilder m = new StringBuilder("# What isolation costs\n");
        for (ReportRun r : runs) {
            StoredRun.Header h = r.run().header();
            m.append("\n## Run ").append(h.id()).append(" (").append(h.status()).append(")\n\n");
            m.append("Host: ").append(h.host().get("cpu_model")).append(", ").append(h.host().get("cpus")).append(" CPUs, kernel ")
                    .append(h.host().get("kernel")).append(", cgroup ").append(h.host().get("cgroup")).append(". isobench ")
                    .append(h.version()).append(".\n\n| runtime | version | how it ran / why not |\n|---|---|---|\n");
            for (StoredRun.RuntimeRow rt : r.run().runtimes()) {
                m.append("| ").append(rt.runtime()).append(" | ").append(rt.version() == null ? "" : cell(rt.version())).append(" | ")
                        .append(cell(rt.available() ? ReportRun.params(rt.details()) : "unavailable: " + rt.reason())).append(" |\n");
            }
            m.append("\n### Cost of isolation (factor vs ").append(r.baseline()).append(", above 1 = worse; 95% CI; verdict)\n\n");
            List<String> rts = r.measuredRuntimes().stream().filter(x -> !x.equals(r.baseline())).toList();
            m.append("| benchmark | case | metric |");
            rts.forEach(x -> m.append(' ').append(x).append(" |"));
            m.append("\n|---|---|---|");
            rts.forEach(x -> m.append("---:|"));
            m.append('\n');
            for (List<ResultStats> g : r.groups().values()) {
                ResultStats f = g.get(0);
                m.append("| ").append(f.benchmark()).append(" | ").append(cell(ReportRun.params(f.params()))).append(" | ")
                        .append(f.metric()).append(" (").append(f.unit()).append(") |");
                for (String rt : rts) {
                    ResultStats s = g.stream().filter(x -> x.runtime().equals(rt)).findFirst().orElse(null);
                    m.append(' ').append(s == null || s.ratioToBaseline() == null ? "–" : String.format(Locale.ROOT, "%.3f [%.3f–%.3f] %s",
                            s.ratioToBaseline(), s.ratioCi95Low(), s.ratioCi95High(), s.verdict())).append(" |");
                }
                m.append('\n');
            }
            m.append("\n### Medians\n\n| benchmark | case | metric | runtime | median | 95% CI | n | cv |\n|---|---|---|---|---:|---|---:|---:|\n");
            for (ResultStats s : r.stats()) {
                m.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s–%s | %d | %s |%n", s.benchmark(),
                        cell(ReportRun.params(s.params())), s.metric(), s.runtime(), TextSummary.num(s.median()),
                        TextSummary.num(s.ci95Low()), TextSummary.num(s.ci95High()), s.n(),
                        Double.isFinite(s.cv()) ? String.format(Locale.ROOT, "%.1f%%", s.cv() * 100) : "–"));
            }
            startup(m, r);
            footprint(m, r);
            loadProfile(m, r);
            servers(m, r);
            List<String> notes = r.fairnessNotes();
            if (!notes.isEmpty()) {
                m.append("\n### Fairness notes\n\n");
                notes.forEach(n -> m.append("- ").append(n).append('\n'));
            }
            if (!r.run().failures().isEmpty()) {
                m.append("\n### Failures\n\n| runtime | benchmark | repetition | reason |\n|---|---|---:|---|\n");
                for (StoredRun.FailureRow f : r.run().failures()) {
                    m.append("| ").append(f.runtime()).append(" | ").append(f.benchmark()).append(" | ").append(f.repetition())
                            .append(f.warmup() ? " (warmup)" : "").append(" | ").append(cell(f.reason())).append(" |\n");
                }
            }
        }
        out.write(m.toString());
    }

    /** Per readiness and delay: p50/p95/max/mean of ready_ms and the median of each other milestone, per runtime and N. */
    private static void startup(StringBuilder m, ReportRun r) {
        List<ResultStats> ready = r.stats().stream().filter(s -> s.benchmark().equals("startup") && s.metric().equals("ready_ms")).toList();
        if (ready.isEmpty()) {
            return;
        }
        List<String> phases = List.of("setup_ms", "spawned_ms", "booted_ms", "first_line_ms", "teardown_ms", "all_ready_ms");
        List<String> present = phases.stream().filter(p -> r.stats().stream()
                .anyMatch(s -> s.benchmark().equals("startup") && s.metric().equals(p))).toList();
        m.append("\n### Startup\n\nTime from launch to ready (host monotonic clock; first-line: first stdout line, http: first 2xx "
                + "answer through the runtime's network path, exit: the runtime's launcher exited 0, hyperfine's quantity, "
                + "nothing read from it meanwhile), every instance of every run one sample (runs: launches back-to-back "
                + "within an iteration); other columns: median ms from launch at which that milestone was reached "
                + "(– where the runtime does not expose it).\n\n"
                + "| readiness | delay ms | runtime | instances | ready p50 | p95 | max | mean | n |");
        present.forEach(p -> m.append(' ').append(p).append(" |"));
        m.append("\n|---|---:|---|---:|---:|---:|---:|---:|---:|");
        present.forEach(p -> m.append("---:|"));
        m.append('\n');
        for (ResultStats s : ready) {
            m.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s | %d |", s.params().get("readiness"),
                    s.params().get("delay_ms"), s.runtime(), s.params().get("instances"), TextSummary.num(s.median()),
                    TextSummary.num(s.p95()), TextSummary.num(s.max()), TextSummary.num(s.mean()), s.n()));
            for (String p : present) {
                ResultStats x = r.stats().stream().filter(o -> o.benchmark().equals("startup") && o.metric().equals(p)
                        && o.runtime().equals(s.runtime()) && o.paramsKey().equals(s.paramsKey())).findFirst().orElse(null);
                m.append(' ').append(x == null ? "–" : TextSummary.num(x.median())).append(" |");
            }
            m.append('\n');
        }
    }

    private static void footprint(StringBuilder m, ReportRun r) {
        List<ResultStats> fp = r.stats().stream().filter(s -> s.benchmark().equals("footprint")).toList();
        if (fp.isEmpty()) {
            return;
        }
        List<String> metrics = List.of("pss_mib_per_instance", "uss_mib_per_instance", "rss_mib_per_instance",
                "memavailable_mib_per_instance", "pss_mib_single", "pss_mib_total");
        m.append("\n### Footprint (MiB, medians; PSS per instance = (PSS(N) − PSS(1)) ÷ (N − 1))\n\n| case | runtime |");
        metrics.forEach(x -> m.append(' ').append(x).append(" |"));
        m.append("\n|---|---|");
        metrics.forEach(x -> m.append("---:|"));
        m.append('\n');
        Map<String, List<ResultStats>> byCase = new LinkedHashMap<>();
        fp.forEach(s -> byCase.computeIfAbsent(s.paramsKey(), k -> new ArrayList<>()).add(s));
        for (List<ResultStats> c : byCase.values()) {
            for (String rt : r.measuredRuntimes()) {
                if (c.stream().noneMatch(s -> s.runtime().equals(rt))) {
                    continue;
                }
                m.append("| ").append(cell(ReportRun.params(c.get(0).params()))).append(" | ").append(rt).append(" |");
                for (String x : metrics) {
                    ResultStats s = c.stream().filter(o -> o.runtime().equals(rt) && o.metric().equals(x)).findFirst().orElse(null);
                    m.append(' ').append(s == null ? "–" : TextSummary.num(s.median())).append(" |");
                }
                m.append('\n');
            }
        }
    }

    /** The papers' server tables (nginx, redis, mysql). */
    private static void servers(StringBuilder m, ReportRun r) {
        for (ServerTables.Table t : ServerTables.of(r)) {
            m.append("\n### ").append(cell(t.title())).append("\n\n").append(cell(t.caption())).append("\n\n|");
            t.header().forEach(c -> m.append(' ').append(cell(c)).append(" |"));
            m.append("\n|---|");
            for (int c = 1; c < t.header().size(); c++) {
                m.append("---:|");
            }
            m.append('\n');
            for (List<String> row : t.rows()) {
                m.append('|');
                row.forEach(c -> m.append(' ').append(cell(c)).append(" |"));
                m.append('\n');
            }
        }
    }

    /** Load profile: the series as one row per second (mean of that second's points), CPU % and RSS per runtime. */
    private static void loadProfile(StringBuilder m, ReportRun r) {
        List<TimeSeries> all = TimeSeries.of(r.run()).stream().filter(t -> t.benchmark().equals("load-profile")).toList();
        if (all.isEmpty()) {
            return;
        }
        m.append("\n### Load profile (CPU % of one core and RSS MiB of the instance's host processes; per second: mean of its "
                + "sampling points, median over repetitions at each point)\n");
        Map<String, List<TimeSeries>> byCase = new LinkedHashMap<>();
        all.forEach(t -> byCase.computeIfAbsent(ReportRun.params(t.params()), k -> new ArrayList<>()).add(t));
        for (var e : byCase.entrySet()) {
            List<TimeSeries> cpu = e.getValue().stream().filter(t -> t.metric().equals("cpu_percent")).toList();
            List<TimeSeries> rss = e.getValue().stream().filter(t -> t.metric().equals("rss_mib")).toList();
            m.append("\n").append(cell(e.getKey())).append("\n\n| second | phase |");
            cpu.forEach(t -> m.append(' ').append(t.runtime()).append(" CPU % |"));
            rss.forEach(t -> m.append(' ').append(t.runtime()).append(" RSS MiB |"));
            m.append("\n|---:|---|");
            for (int i = 0; i < cpu.size() + rss.size(); i++) {
                m.append("---:|");
            }
            m.append('\n');
            double end = e.getValue().stream().mapToDouble(t -> t.t().length == 0 ? 0 : t.t()[t.t().length - 1]).max().orElse(0);
            Map<String, Double> phases = e.getValue().get(0).phaseStart();
            for (int sec = 0; sec < Math.ceil(end); sec++) {
                final double from = sec;
                String phase = phases.entrySet().stream().filter(p -> p.getValue() <= from + 1e-9).reduce((a, b) -> b)
                        .map(Map.Entry::getKey).orElse(phases.keySet().stream().findFirst().orElse(""));
                m.append("| ").append(sec).append("–").append(sec + 1).append(" | ").append(phase).append(" |");
                for (TimeSeries t : cpu) {
                    m.append(' ').append(TextSummary.num(t.meanBetween(from, from + 1))).append(" |");
                }
                for (TimeSeries t : rss) {
                    m.append(' ').append(TextSummary.num(t.meanBetween(from, from + 1))).append(" |");
                }
                m.append('\n');
            }
        }
    }

    static String cell(String s) {
        return s.replace("|", "\\|").replace("\n", " ");
    }
}
