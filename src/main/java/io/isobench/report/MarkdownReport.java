package io.isobench.report;

import io.isobench.analysis.ResultStats;
import io.isobench.store.StoredRun;

import java.io.IOException;
import java.io.Writer;
import java.util.List;
import java.util.Locale;

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

    static String cell(String s) {
        return s.replace("|", "\\|").replace("\n", " ");
    }
}
