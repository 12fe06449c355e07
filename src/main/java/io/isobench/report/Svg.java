package io.isobench.report;

import io.isobench.analysis.ResultStats;

import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/** Inline SVG charts written directly (no chart library, no script): readable in any browser and in print. */
public final class Svg {
    static final int WIDTH = 760;
    /** Narrowest and widest row-label column of a bar chart (px); labels that do not fit are abbreviated. */
    static final int LABEL_MIN = 90;
    static final int LABEL_MAX = 240;
    /** Estimated width of one character (px) at 12 px (rlabel, val) and at 13 px bold (ctitle): generous, so text fits. */
    static final double CHAR = 7.2;
    static final double TITLE_CHAR = 8.2;
    static final int VALUE = 210;
    static final int ROW = 26;
    static final int TOP = 30;
    static final int AXIS = 34;

    private Svg() {
    }

    /** The opening {@code <svg>} element of a chart ({@code cssClass}), its accessible title and the visible title line. */
    private static void open(StringBuilder sb, String cssClass, String title, int height) {
        sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"%s\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"%s\">", cssClass, WIDTH, height, WIDTH, height, Html.esc(title)));
        sb.append("<title>").append(Html.esc(title)).append("</title>");
        sb.append("<text x=\"0\" y=\"18\" class=\"ctitle\">").append(fit(title, WIDTH, TITLE_CHAR)).append("</text>");
    }

    /** Five horizontal grid lines from 0 to {@code ymax} over the plot area, with their tick labels on the left. */
    private static void yGrid(StringBuilder sb, double ymax, int left, int top, int plotW, int plotH) {
        for (int i = 0; i <= 4; i++) {
            double v = ymax * i / 4;
            double y = top + plotH - plotH * (double) i / 4;
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" class=\"grid\"/>", left, y, left + plotW, y));
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" class=\"tick\" text-anchor=\"end\">%s</text>",
                    left - 6, y + 4, Html.esc(tick(v))));
        }
    }

    /**
     * Horizontal bars: one per runtime at its median, with the 95 % CI of the median as an error bar, and the
     * median and cost factor printed at the end of the bar.
     */
    public static String bars(String title, List<ResultStats> rows, Function<String, String> colorOf) {
        return bars(title, rows, colorOf, Function.identity());
    }

    /** As above, with {@code labelOf} giving each runtime's row label (e.g. marking emulated VMs). */
    public static String bars(String title, List<ResultStats> rows, Function<String, String> colorOf,
                              Function<String, String> labelOf) {
        double max = 0;
        for (ResultStats r : rows) {
            max = Math.max(max, Math.max(r.ci95High(), r.median()));
        }
        double xmax = niceCeiling(max <= 0 ? 1 : max);
        int longest = rows.stream().mapToInt(r -> labelOf.apply(r.runtime()).length()).max().orElse(0);
        int labelW = (int) Math.max(LABEL_MIN, Math.min(LABEL_MAX, Math.ceil(longest * CHAR) + 16));
        int plot = WIDTH - labelW - VALUE;
        int height = TOP + rows.size() * ROW + AXIS;
        StringBuilder sb = new StringBuilder();
        open(sb, "chart", title, height);
        // grid and axis
        for (int i = 0; i <= 4; i++) {
            double v = xmax * i / 4;
            double x = labelW + plot * (double) i / 4;
            sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" class=\"grid\"/>",
                    x, TOP - 4, x, TOP + rows.size() * ROW));
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" class=\"tick\" text-anchor=\"middle\">%s</text>",
                    x, TOP + rows.size() * ROW + 16, Html.esc(tick(v))));
        }
        for (int i = 0; i < rows.size(); i++) {
            ResultStats r = rows.get(i);
            double y = TOP + i * ROW;
            double w = plot * r.median() / xmax;
            double lo = labelW + plot * r.ci95Low() / xmax;
            double hi = labelW + plot * r.ci95High() / xmax;
            double cy = y + ROW / 2.0 - 2;
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" class=\"rlabel\" text-anchor=\"end\">%s</text>",
                    labelW - 8, cy + 4, fit(labelOf.apply(r.runtime()), labelW - 12, CHAR)));
            sb.append(String.format(Locale.ROOT, "<rect class=\"bar\" x=\"%d\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" fill=\"%s\">"
                            + "<title>%s: median %s %s (95%% CI %s–%s, n=%d)</title></rect>",
                    labelW, y + 3, Math.max(0.5, w), ROW - 10, colorOf.apply(r.runtime()), Html.esc(r.runtime()),
                    Html.esc(num(r.median())), Html.esc(r.unit()), Html.esc(num(r.ci95Low())), Html.esc(num(r.ci95High())), r.n()));
            sb.append(String.format(Locale.ROOT, "<line class=\"err\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", lo, cy, hi, cy));
            sb.append(String.format(Locale.ROOT, "<line class=\"err\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", lo, cy - 5, lo, cy + 5));
            sb.append(String.format(Locale.ROOT, "<line class=\"err\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", hi, cy - 5, hi, cy + 5));
            String cost = r.ratioToBaseline() == null ? "" : String.format(Locale.ROOT, "   cost %.3f×", r.ratioToBaseline());
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" class=\"val\">%s</text>",
                    WIDTH - VALUE + 8, cy + 4, fit(num(r.median()) + cost, VALUE - 12, CHAR)));
        }
        sb.append("</svg>");
        return sb.toString();
    }

    /**
     * Horizontal bars in groups: a group's label on a row of its own, then one bar per member with its interval as
     * whiskers and its value (and note) at the end, and a dashed vertical line at {@code reference} (null: none).
     */
    public static String groupedBars(String title, String unit, List<Block.BarGroup> groups, Double reference,
                                     String referenceLabel) {
        double max = reference == null ? 0 : reference;
        int rows = 0;
        int longest = 0;
        for (Block.BarGroup g : groups) {
            rows += 1 + g.bars().size();
            longest = Math.max(longest, g.label().length());
            for (Block.Bar b : g.bars()) {
                max = Math.max(max, Math.max(b.value(), b.high() == null ? 0 : b.high()));
                longest = Math.max(longest, b.label().length() + 2);
            }
        }
        double xmax = niceCeiling(max <= 0 ? 1 : max);
        int labelW = (int) Math.max(LABEL_MIN, Math.min(LABEL_MAX, Math.ceil(longest * CHAR) + 16));
        int plot = WIDTH - labelW - VALUE;
        int bottom = TOP + rows * ROW;
        int height = bottom + AXIS + (reference == null ? 0 : 14);
        StringBuilder sb = new StringBuilder();
        open(sb, "chart grouped", title, height);
        for (int i = 0; i <= 4; i++) {
            double v = xmax * i / 4;
            double x = labelW + plot * (double) i / 4;
            sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" class=\"grid\"/>",
                    x, TOP - 4, x, bottom));
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" class=\"tick\" text-anchor=\"middle\">%s</text>",
                    x, bottom + 16, Html.esc(tick(v))));
        }
        int row = 0;
        for (Block.BarGroup g : groups) {
            double gy = TOP + row * ROW + ROW / 2.0 + 2;
            sb.append(String.format(Locale.ROOT, "<text x=\"0\" y=\"%.1f\" class=\"rlabel glabel\" font-weight=\"600\">%s</text>",
                    gy, fit(g.label(), WIDTH - VALUE, CHAR)));
            row++;
            for (Block.Bar b : g.bars()) {
                double y = TOP + row * ROW;
                double cy = y + ROW / 2.0 - 2;
                sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" class=\"rlabel\" text-anchor=\"end\">%s</text>",
                        labelW - 8, cy + 4, fit(b.label(), labelW - 24, CHAR)));
                sb.append(String.format(Locale.ROOT, "<rect class=\"bar\" x=\"%d\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" fill=\"%s\">"
                                + "<title>%s · %s: %s %s%s</title></rect>", labelW, y + 3, Math.max(0.5, plot * b.value() / xmax),
                        ROW - 10, b.color(), Html.esc(g.label()), Html.esc(b.label()), Html.esc(num(b.value())), Html.esc(unit),
                        b.low() == null ? "" : Html.esc(" (95% CI " + num(b.low()) + "–" + num(b.high()) + ")")));
                if (b.low() != null && b.high() != null) {
                    double lo = labelW + plot * b.low() / xmax;
                    double hi = labelW + plot * b.high() / xmax;
                    sb.append(String.format(Locale.ROOT, "<line class=\"err\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", lo, cy, hi, cy));
                    sb.append(String.format(Locale.ROOT, "<line class=\"err\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", lo, cy - 5, lo, cy + 5));
                    sb.append(String.format(Locale.ROOT, "<line class=\"err\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", hi, cy - 5, hi, cy + 5));
                }
                String text = num(b.value()) + (unit.isEmpty() ? "" : unit) + (b.note() == null ? "" : "  " + b.note());
                sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" class=\"val\">%s</text>",
                        WIDTH - VALUE + 8, cy + 4, fit(text, VALUE - 12, CHAR)));
                row++;
            }
        }
        if (reference != null) {
            double x = labelW + plot * reference / xmax;
            sb.append(String.format(Locale.ROOT, "<line class=\"reference\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#555\" "
                    + "stroke-dasharray=\"4 3\"/>", x, TOP - 4, x, bottom));
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" class=\"tick\" text-anchor=\"middle\">%s</text>", x,
                    bottom + 30, fit(referenceLabel, 2 * Math.min(x, WIDTH - x), CHAR)));
        }
        sb.append("</svg>");
        return sb.toString();
    }

    /** One line of a {@link #lines} chart: y per x position (NaN where there is no value). */
    public record Series(String label, String color, boolean dashed, double[] y) {
    }

    /**
     * A line chart over categorical x positions (e.g. instance counts 1, 4, 8, 16…, evenly spaced), y from 0:
     * one polyline with point markers per series, and a legend.
     */
    public static String lines(String title, String xLabel, String yLabel, List<String> xs, List<Series> series) {
        double max = 0;
        for (Series se : series) {
            for (double v : se.y()) {
                if (Double.isFinite(v)) {
                    max = Math.max(max, v);
                }
            }
        }
        double ymax = niceCeiling(max <= 0 ? 1 : max);
        int left = 60;
        int right = legendWidth(series.stream().map(Series::label).toList());
        int plotH = 240;
        int top = TOP + 6;
        int height = top + plotH + 46;
        int plotW = WIDTH - left - right;
        StringBuilder sb = new StringBuilder();
        open(sb, "chart lines", title, height);
        yGrid(sb, ymax, left, top, plotW, plotH);
        int n = xs.size();
        double[] px = new double[n];
        for (int i = 0; i < n; i++) {
            px[i] = n == 1 ? left + plotW / 2.0 : left + 10 + (plotW - 20) * (double) i / (n - 1);
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" class=\"tick\" text-anchor=\"middle\">%s</text>",
                    px[i], top + plotH + 16, Html.esc(xs.get(i))));
        }
        sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" class=\"tick\" text-anchor=\"middle\">%s</text>",
                left + plotW / 2.0, top + plotH + 36, Html.esc(xLabel)));
        sb.append(String.format(Locale.ROOT, "<text x=\"12\" y=\"%.1f\" class=\"tick\" text-anchor=\"middle\" "
                + "transform=\"rotate(-90 12 %.1f)\">%s</text>", top + plotH / 2.0, top + plotH / 2.0, Html.esc(yLabel)));
        int li = 0;
        for (Series se : series) {
            StringBuilder pts = new StringBuilder();
            StringBuilder marks = new StringBuilder();
            for (int i = 0; i < n && i < se.y().length; i++) {
                double v = se.y()[i];
                if (!Double.isFinite(v)) {
                    continue;
                }
                double y = top + plotH - plotH * v / ymax;
                pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", px[i], y));
                marks.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"><title>%s at %s: %s</title></circle>",
                        px[i], y, se.color(), Html.esc(se.label()), Html.esc(xs.get(i)), Html.esc(num(v))));
            }
            sb.append(String.format(Locale.ROOT, "<polyline class=\"series\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s points=\"%s\"/>",
                    se.color(), se.dashed() ? " stroke-dasharray=\"6 4\"" : "", pts.toString().strip()));
            sb.append(marks);
            double ly = top + 8 + li * 18;
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\"%s/>",
                    WIDTH - right + 14, ly, WIDTH - right + 40, ly, se.color(), se.dashed() ? " stroke-dasharray=\"6 4\"" : ""));
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" class=\"rlabel\">%s</text>",
                    WIDTH - right + 46, ly + 4, fit(se.label(), right - 50, CHAR)));
            li++;
        }
        sb.append("</svg>");
        return sb.toString();
    }

    /** One line of a {@link #timeSeries} chart: y at each x (seconds). */
    public record XySeries(String label, String color, double[] x, double[] y) {
    }

    /**
     * A line chart over a numeric x axis (time in seconds), y from 0: one polyline per series (no point markers, the
     * series are dense), a dashed vertical line with its label at each marker (e.g. where the load starts), a legend.
     */
    public static String timeSeries(String title, String xLabel, String yLabel, List<XySeries> series,
                                    java.util.Map<String, Double> markers) {
        double xmaxRaw = 0;
        double ymaxRaw = 0;
        for (XySeries se : series) {
            for (int i = 0; i < se.x().length; i++) {
                xmaxRaw = Math.max(xmaxRaw, se.x()[i]);
                if (Double.isFinite(se.y()[i])) {
                    ymaxRaw = Math.max(ymaxRaw, se.y()[i]);
                }
            }
        }
        double xmax = niceCeiling(xmaxRaw <= 0 ? 1 : xmaxRaw);
        double ymax = niceCeiling(ymaxRaw <= 0 ? 1 : ymaxRaw);
        int left = 60;
        int right = legendWidth(series.stream().map(XySeries::label).toList());
        int plotH = 220;
        int top = TOP + 6;
        int height = top + plotH + 46;
        int plotW = WIDTH - left - right;
        StringBuilder sb = new StringBuilder();
        open(sb, "chart timeseries", title, height);
        yGrid(sb, ymax, left, top, plotW, plotH);
        for (int i = 0; i <= 5; i++) {
            double v = xmax * i / 5;
            double x = left + plotW * (double) i / 5;
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" class=\"tick\" text-anchor=\"middle\">%s</text>",
                    x, top + plotH + 16, Html.esc(tick(v))));
        }
        sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" class=\"tick\" text-anchor=\"middle\">%s</text>",
                left + plotW / 2.0, top + plotH + 36, Html.esc(xLabel)));
        sb.append(String.format(Locale.ROOT, "<text x=\"12\" y=\"%.1f\" class=\"tick\" text-anchor=\"middle\" "
                + "transform=\"rotate(-90 12 %.1f)\">%s</text>", top + plotH / 2.0, top + plotH / 2.0, Html.esc(yLabel)));
        for (var m : markers.entrySet()) {
            double x = left + plotW * m.getValue() / xmax;
            sb.append(String.format(Locale.ROOT, "<line class=\"marker\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#888\" "
                    + "stroke-dasharray=\"3 3\"/>", x, top, x, top + plotH));
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" class=\"tick\">%s</text>", x + 4, top + 10,
                    fit(m.getKey(), WIDTH - right - x - 6, CHAR)));
        }
        int li = 0;
        for (XySeries se : series) {
            StringBuilder pts = new StringBuilder();
            for (int i = 0; i < se.x().length; i++) {
                if (Double.isFinite(se.y()[i])) {
                    pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", left + plotW * se.x()[i] / xmax,
                            top + plotH - plotH * se.y()[i] / ymax));
                }
            }
            sb.append(String.format(Locale.ROOT, "<polyline class=\"series\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" "
                    + "points=\"%s\"><title>%s</title></polyline>", se.color(), pts.toString().strip(), Html.esc(se.label())));
            double ly = top + 8 + li * 18;
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\"/>",
                    WIDTH - right + 14, ly, WIDTH - right + 40, ly, se.color()));
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" class=\"rlabel\">%s</text>",
                    WIDTH - right + 46, ly + 4, fit(se.label(), right - 50, CHAR)));
            li++;
        }
        sb.append("</svg>");
        return sb.toString();
    }

    /** Colours of a waterfall's segments by the milestone that ends them; anything else grey. */
    static String milestoneColor(String name) {
        return switch (name) {
            case "setup" -> "#bab0ac";
            case "spawned" -> "#4e79a7";
            case "booted" -> "#76b7b2";
            case "started" -> "#b07aa1";
            case "first line" -> "#edc948";
            case "ready" -> "#59a14f";
            case "failed", "not ready" -> "#e15759";
            default -> "#9c755f";
        };
    }

    /**
     * A waterfall: one lane per instance on one time axis (ms): a grey line from its intended to its actual launch,
     * then a segment to each milestone coloured by that milestone, the last one ready (green) or a failure (red, with a
     * cross); a legend of the milestones present above the plot.
     */
    public static String waterfall(String title, List<Block.Waterfall.Lane> lanes) {
        double xmaxRaw = 0;
        java.util.LinkedHashSet<String> names = new java.util.LinkedHashSet<>();
        for (Block.Waterfall.Lane l : lanes) {
            xmaxRaw = Math.max(xmaxRaw, Math.max(l.intendedMs(), l.launchedMs()));
            for (Block.Waterfall.Mark k : l.marks()) {
                if (Double.isFinite(k.atMs())) {
                    xmaxRaw = Math.max(xmaxRaw, k.atMs());
                }
                names.add(k.name());
            }
        }
        double xmax = niceCeiling(xmaxRaw <= 0 ? 1 : xmaxRaw);
        int left = 60;
        int right = 20;
        int plotW = WIDTH - left - right;
        int lane = Math.max(3, Math.min(12, 360 / Math.max(1, lanes.size())));
        int top = TOP + 26; // title, then the legend line
        int plotH = lane * lanes.size();
        int height = top + plotH + 46;
        StringBuilder sb = new StringBuilder();
        open(sb, "chart waterfall", title, height);
        double lx = left;
        for (String n : names) { // the legend: a swatch and the milestone's name
            sb.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%d\" width=\"12\" height=\"10\" fill=\"%s\"/>",
                    lx, TOP - 2, milestoneColor(n)));
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" class=\"tick\">%s</text>", lx + 16, TOP + 7,
                    fit(n, 120, 6.6)));
            lx += 24 + Math.min(120, n.length() * 6.6);
        }
        for (int i = 0; i <= 5; i++) {
            double v = xmax * i / 5;
            double x = left + plotW * (double) i / 5;
            sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" class=\"grid\"/>",
                    x, top, x, top + plotH));
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" class=\"tick\" text-anchor=\"middle\">%s</text>",
                    x, top + plotH + 16, Html.esc(tick(v))));
        }
        sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" class=\"tick\" text-anchor=\"middle\">%s</text>",
                left + plotW / 2.0, top + plotH + 36, "ms from the first scheduled launch"));
        sb.append(String.format(Locale.ROOT, "<text x=\"12\" y=\"%.1f\" class=\"tick\" text-anchor=\"middle\" "
                + "transform=\"rotate(-90 12 %.1f)\">instance</text>", top + plotH / 2.0, top + plotH / 2.0));
        java.util.function.DoubleUnaryOperator px = ms -> left + plotW * Math.max(0, ms) / xmax;
        StringBuilder all = sb;
        for (int i = 0; i < lanes.size(); i++) {
            Block.Waterfall.Lane l = lanes.get(i);
            StringBuilder g = new StringBuilder();
            double y = top + i * lane;
            double h = Math.max(2, lane - 1);
            double cy = y + h / 2;
            if (lane >= 10 && (i % Math.max(1, lanes.size() / 8) == 0)) {
                g.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" class=\"tick\" text-anchor=\"end\">%s</text>",
                        left - 4, cy + 4, fit(l.label(), left - 26, 6.6)));
            }
            if (l.launchedMs() > l.intendedMs()) {
                g.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#999\" "
                        + "stroke-width=\"1\"><title>%s: scheduled %s ms, launched %s ms</title></line>", px.applyAsDouble(l.intendedMs()), cy,
                        px.applyAsDouble(l.launchedMs()), cy, Html.esc(l.label()), num(l.intendedMs()), num(l.launchedMs())));
            }
            double from = l.launchedMs();
            StringBuilder tip = new StringBuilder(l.label() + ": launched " + num(l.launchedMs()) + " ms");
            for (Block.Waterfall.Mark k : l.marks()) {
                if (!Double.isFinite(k.atMs())) {
                    continue;
                }
                tip.append(", ").append(k.name()).append(' ').append(num(k.atMs()));
                double x0 = px.applyAsDouble(from);
                double x1 = px.applyAsDouble(Math.max(from, k.atMs()));
                g.append(String.format(Locale.ROOT, "<rect class=\"seg\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                        + "fill=\"%s\"><title>%s: %s at %s ms</title></rect>", x0, y, Math.max(0.8, x1 - x0), h,
                        milestoneColor(k.name()), Html.esc(l.label()), Html.esc(k.name()), num(k.atMs())));
                from = Math.max(from, k.atMs());
            }
            if (!l.ok()) {
                double x = px.applyAsDouble(from);
                g.append(String.format(Locale.ROOT, "<path class=\"fail\" d=\"M%.1f %.1fL%.1f %.1fM%.1f %.1fL%.1f %.1f\" "
                        + "stroke=\"#b00\" stroke-width=\"1.5\"/>", x - 3, cy - 3, x + 3, cy + 3, x - 3, cy + 3, x + 3, cy - 3));
            }
            all.append("<g class=\"lane\"><title>").append(Html.esc(tip.toString())).append("</title>").append(g).append("</g>");
        }
        sb.append("</svg>");
        return sb.toString();
    }

    /** The legend column of a line chart (px): room for its longest label, within limits (longer ones are abbreviated). */
    private static int legendWidth(List<String> labels) {
        int longest = labels.stream().mapToInt(String::length).max().orElse(0);
        return (int) Math.max(120, Math.min(300, Math.ceil(longest * CHAR) + 56));
    }

    /**
     * Escaped text that fits in {@code px} pixels at {@code charPx} per character: as it is, or cut with "…" and the
     * full text as its {@code <title>} (a tooltip, and what screen readers say).
     */
    static String fit(String text, double px, double charPx) {
        int max = (int) Math.floor(px / charPx);
        if (text.length() <= max) {
            return Html.esc(text);
        }
        String cut = text.substring(0, Math.max(1, max - 1)).strip() + "…";
        return Html.esc(cut) + "<title>" + Html.esc(text) + "</title>";
    }

    /** The smallest 1, 2, 2.5 or 5 times a power of ten at or above v. */
    static double niceCeiling(double v) {
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[]{1, 2, 2.5, 5, 10}) {
            if (m * p >= v) {
                return m * p;
            }
        }
        return 10 * p;
    }

    /** Axis labels: at most 4 significant digits, no trailing zeros (0, 0.25, 500, 1000, 2500). */
    static String tick(double v) {
        if (v == 0) {
            return "0";
        }
        return new java.math.BigDecimal(v).round(new java.math.MathContext(4)).stripTrailingZeros().toPlainString();
    }

    static String num(double v) {
        return TextSummary.num(v);
    }
}
