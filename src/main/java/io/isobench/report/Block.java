package io.isobench.report;

import io.isobench.analysis.ResultStats;

import java.util.List;
import java.util.Map;

/**
 * A format-neutral piece of a report: report views describe their sections as blocks, and {@link HtmlReport} and
 * {@link MarkdownReport} only render them (Markdown renders charts as their title; the figures behind a chart are in a
 * table block beside it). Text in blocks is plain text (tool output included): every renderer escapes it.
 */
public sealed interface Block {
    /** A heading; level 1 = a run, 2 = a section, 3 = a part of a section. */
    record Heading(int level, String text) implements Block {
    }

    /** A paragraph; {@code muted} for captions and explanations a reader may skip. */
    record Paragraph(String text, boolean muted) implements Block {
        public Paragraph(String text) {
            this(text, false);
        }
    }

    /** A bullet list (fairness notes, caveats). */
    record Notes(List<String> items) implements Block {
    }

    /** The meaning of the cost colours (verdicts). */
    record Legend() implements Block {
    }

    /** A table: a header row and rows of typed cells (each row as long as the header). */
    record Table(List<String> header, List<List<Cell>> rows) implements Block {
    }

    /**
     * Horizontal bars, one per runtime: median with the 95% CI of the median as whiskers and the cost factor.
     * {@code labels}: a runtime's row label (e.g. with "(TCG)"); {@code kinds}: its kind (native, container, sandbox, vm).
     */
    record BarChart(String title, List<ResultStats> rows, Map<String, String> labels, Map<String, String> kinds,
                    String caption) implements Block {
    }

    /**
     * Horizontal bars in groups (e.g. one group per host, one bar per runtime in each): each bar a value with an optional
     * interval as whiskers, and a dashed reference line (e.g. 1× = the baseline's cost). Markdown renders it as a table
     * with text bars.
     */
    record GroupedBarChart(String title, String unit, List<BarGroup> groups, Double reference, String referenceLabel,
                           String caption) implements Block {
    }

    /** One group of a {@link GroupedBarChart}. */
    record BarGroup(String label, List<Bar> bars) {
    }

    /** One bar: its label, colour, value, interval (null ends: none) and a short note shown after the value. */
    record Bar(String label, String color, double value, Double low, Double high, String note) {
    }

    /** Lines over categorical x positions (e.g. instance counts), one per series. */
    record LineChart(String title, String xLabel, String yLabel, List<String> xs, List<Svg.Series> series, String caption)
            implements Block {
    }

    /** Lines over time with labelled vertical markers (e.g. where load starts). */
    record TimeSeriesChart(String title, String xLabel, String yLabel, List<Svg.XySeries> series, Map<String, Double> markers,
                           String caption) implements Block {
    }

    /**
     * Instances of one launch on one time axis (ms from its start), one lane each in launch order: a thin line from the
     * instance's intended launch to when the harness launched it, then one segment per milestone reached, to ready or,
     * for an instance that failed or was never ready, a red end. {@code shown} of {@code total} lanes are drawn.
     */
    record Waterfall(String title, List<Lane> lanes, int total, String caption) implements Block {
        /**
         * @param marks milestones after the launch in time order (name, ms), the last one the end: "ready", "failed" or
         *              "not ready" (then {@code ok} is false)
         */
        public record Lane(String label, double intendedMs, double launchedMs, List<Mark> marks, boolean ok) {
        }

        public record Mark(String name, double atMs) {
        }
    }

    /** A fold: {@code summary} always shown, {@code body} on demand ({@code open}: unfolded at first). */
    record Details(String summary, boolean open, List<Block> body) implements Block {
    }

    /** A table cell. */
    sealed interface Cell {
        /** Plain text. */
        record Text(String text) implements Cell {
        }

        /** Text with a second, smaller line (e.g. a metric and its unit). */
        record Label(String text, String sub) implements Cell {
        }

        /** A number, right-aligned, NaN shown as "–". */
        record Num(double value) implements Cell {
        }

        /** A median with its 95% CI. */
        record ValueCi(double median, double low, double high) implements Cell {
        }

        /** A cost factor against the baseline with its CI, coloured by its verdict. */
        record Cost(ResultStats stats) implements Cell {
        }

        /** Text written by a view for a cost (e.g. a server table's), coloured by the verdict of {@code stats}. */
        record Verdict(String text, ResultStats stats) implements Cell {
        }

        /** Preformatted text (raw tool output), kept as it is and folded when long. */
        record Code(String text) implements Cell {
        }

        /** A missing value. */
        record Empty() implements Cell {
        }

        static Cell text(Object o) {
            return new Text(String.valueOf(o));
        }

        static Cell num(double v) {
            return new Num(v);
        }
    }
}
