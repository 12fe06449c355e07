package io.isobench.report;

import io.isobench.analysis.ResultStats;

import java.io.IOException;
import java.io.Writer;
import java.util.List;
import java.util.Locale;

/**
 * The report's content as Markdown (for issues, papers' appendices, pull requests): each run's {@link RunDocument}
 * with charts left out (the figures behind each chart are in a table beside it) and folds shown as a bold line. Knows
 * no benchmark or metric. All text is escaped ({@link #md}), so tool output cannot break a table or inject markup.
 */
public final class MarkdownReport implements ReportWriter {
    /** A failure's raw output in a table cell: its last characters only. */
    static final int CODE_TAIL = 300;

    @Override
    public void write(List<ReportRun> runs, Writer out) throws IOException {
        StringBuilder m = new StringBuilder("# What isolation costs\n");
        MultiHostReport multi = MultiHostReport.of(runs);
        if (multi.multiHost()) {
            multi.blocks().forEach(b -> block(m, b));
        }
        for (ReportRun r : runs) {
            RunDocument.of(r).forEach(b -> block(m, b));
        }
        out.write(m.toString());
    }

    static void block(StringBuilder m, Block block) {
        switch (block) {
            case Block.Heading x -> m.append(blankLineBefore(m) ? "" : "\n").append("#".repeat(Math.min(6, x.level() + 1))).append(' ')
                    .append(md(x.text(), " ")).append("\n\n");
            case Block.Paragraph x -> m.append(x.muted() ? "_" + md(x.text(), " ").strip() + "_" : md(x.text(), " ")).append("\n\n");
            case Block.Notes x -> {
                x.items().forEach(n -> m.append("- ").append(md(n, " ")).append('\n'));
                m.append('\n');
            }
            case Block.Legend x -> {
                // the verdict is written in every cost cell
            }
            case Block.Table x -> table(m, x);
            case Block.BarChart x -> {
                // charts are HTML-only; their figures are in the tables
            }
            case Block.GroupedBarChart x -> groupedBars(m, x);
            case Block.LineChart x -> {
            }
            case Block.TimeSeriesChart x -> {
            }
            case Block.Waterfall x -> waterfall(m, x);
            case Block.Details x -> {
                StringBuilder body = new StringBuilder("\n\n");
                x.body().forEach(b -> block(body, b));
                if (!body.toString().isBlank()) { // a fold of charts only has nothing to show here
                    m.append("**").append(md(x.summary(), " ")).append("**").append(body);
                }
            }
        }
    }

    /** Widest text bar of a grouped bar chart (characters). */
    static final int TEXT_BAR = 24;

    /** A grouped bar chart as a table: group, bar, value with its interval, and a bar of block characters to scale. */
    private static void groupedBars(StringBuilder m, Block.GroupedBarChart c) {
        double max = c.reference() == null ? 0 : c.reference();
        for (Block.BarGroup g : c.groups()) {
            for (Block.Bar b : g.bars()) {
                max = Math.max(max, b.value());
            }
        }
        m.append("**").append(md(c.title(), " ")).append("**\n\n");
        List<List<Block.Cell>> rows = new java.util.ArrayList<>();
        for (Block.BarGroup g : c.groups()) {
            boolean first = true;
            for (Block.Bar b : g.bars()) {
                int n = max <= 0 ? 0 : (int) Math.round(TEXT_BAR * b.value() / max);
                int ref = c.reference() == null || max <= 0 ? -1 : (int) Math.round(TEXT_BAR * c.reference() / max);
                StringBuilder bar = new StringBuilder();
                for (int i = 0; i < Math.max(n, ref + 1); i++) {
                    bar.append(i == ref ? '┃' : i < n ? '█' : ' ');
                }
                String value = TextSummary.num(b.value()) + c.unit() + (b.low() == null ? "" : " [" + TextSummary.num(b.low())
                        + "–" + TextSummary.num(b.high()) + "]") + (b.note() == null ? "" : " " + b.note());
                rows.add(List.of(Block.Cell.text(first ? g.label() : ""), Block.Cell.text(b.label()), Block.Cell.text(value),
                        Block.Cell.text(bar.toString().stripTrailing())));
                first = false;
            }
        }
        table(m, new Block.Table(List.of("", "", "value", c.reference() == null ? "" : "┃ = " + c.referenceLabel()), rows));
        if (!c.caption().isEmpty()) {
            m.append('_').append(md(c.caption(), " ").strip()).append("_\n\n");
        }
    }

    /** Markdown has no chart: the waterfall's first lanes as a table (launch, each milestone, end), and how many more. */
    static final int WATERFALL_ROWS = 12;

    private static void waterfall(StringBuilder m, Block.Waterfall w) {
        m.append("**").append(md(w.title(), " ")).append("**\n\n");
        List<List<Block.Cell>> rows = new java.util.ArrayList<>();
        for (Block.Waterfall.Lane l : w.lanes().subList(0, Math.min(WATERFALL_ROWS, w.lanes().size()))) {
            StringBuilder marks = new StringBuilder();
            l.marks().forEach(k -> marks.append(marks.isEmpty() ? "" : ", ").append(k.name()).append(' ').append(TextSummary.num(k.atMs())));
            rows.add(List.of(Block.Cell.text(l.label()), Block.Cell.num(l.intendedMs()), Block.Cell.num(l.launchedMs()),
                    Block.Cell.text(marks), Block.Cell.text(l.ok() ? "ready" : "NOT READY")));
        }
        table(m, new Block.Table(List.of("instance", "scheduled ms", "launched ms", "milestones (ms from the start)", "outcome"), rows));
        int more = w.total() - rows.size();
        if (more > 0) {
            m.append("_").append(md("… and " + more + " more instances (the HTML report draws " + w.lanes().size() + ")", " "))
                    .append("_\n\n");
        }
    }

    private static boolean blankLineBefore(StringBuilder m) {
        int n = m.length();
        return n >= 2 && m.charAt(n - 1) == '\n' && m.charAt(n - 2) == '\n';
    }

    private static void table(StringBuilder m, Block.Table t) {
        m.append('|');
        t.header().forEach(c -> m.append(' ').append(md(c, "<br>")).append(" |"));
        m.append("\n|");
        boolean[] numeric = new boolean[t.header().size()];
        for (List<Block.Cell> row : t.rows()) {
            for (int i = 0; i < row.size() && i < numeric.length; i++) {
                Block.Cell c = row.get(i);
                numeric[i] |= c instanceof Block.Cell.Num || c instanceof Block.Cell.Cost || c instanceof Block.Cell.ValueCi;
            }
        }
        for (boolean n : numeric) {
            m.append(n ? "---:|" : "---|");
        }
        m.append('\n');
        for (List<Block.Cell> row : t.rows()) {
            m.append('|');
            row.forEach(c -> m.append(' ').append(cell(c)).append(" |"));
            m.append('\n');
        }
        m.append('\n');
    }

    private static String cell(Block.Cell c) {
        return switch (c) {
            case Block.Cell.Text x -> md(x.text(), "<br>");
            case Block.Cell.Label x -> md(x.text(), "<br>") + " (" + md(x.sub(), "<br>") + ")";
            case Block.Cell.Num x -> Double.isFinite(x.value()) ? TextSummary.num(x.value()) : "–";
            case Block.Cell.ValueCi x -> TextSummary.num(x.median()) + " (" + TextSummary.num(x.low()) + "–"
                    + TextSummary.num(x.high()) + ")";
            case Block.Cell.Cost x -> cost(x.stats());
            case Block.Cell.Verdict x -> md(x.text(), "<br>");
            case Block.Cell.Code x -> {
                String s = x.text().strip();
                yield md(s.length() > CODE_TAIL ? "…" + s.substring(s.length() - CODE_TAIL) : s, "<br>");
            }
            case Block.Cell.Empty x -> "–";
        };
    }

    private static String cost(ResultStats s) {
        String ci = s.ratioCi95Low() == null ? "" : String.format(Locale.ROOT, " [%.3f–%.3f]", s.ratioCi95Low(), s.ratioCi95High());
        return String.format(Locale.ROOT, "%.3f×%s %s", s.ratioToBaseline(), ci, s.verdict() == null ? "" : md(s.verdict(), " ")).strip();
    }

    /**
     * Text as Markdown that shows it literally: backslashes, pipes, backticks and asterisks escaped,
     * {@code <} and {@code >} as entities (no raw HTML), line breaks as {@code newline} ("<br>" in table cells).
     */
    static String md(String s, String newline) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\', '|', '`', '*' -> b.append('\\').append(c);
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '\r' -> {
                }
                case '\n' -> b.append(newline);
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
