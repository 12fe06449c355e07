package io.isobench.report;

import java.util.List;
import java.util.Map;

/**
 * One benchmark family's view in the reports: its section (tables, charts, notes as format-neutral {@link Block}s) and
 * the notes a fair reading of its figures needs. Views name the metrics they show through the benchmarks' metric
 * constants and declare them in {@link #metrics()}, which a unit test checks against {@code Benchmarks.all()}.
 * A new view is one class plus one line in {@link ReportViews#all()}.
 */
public interface ReportView {
    /** The section's heading. */
    String title();

    /** Metric names this view names, per benchmark id (the benchmarks it is about; the generic view: none). */
    Map<String, List<String>> metrics();

    /** The section's blocks, or an empty list when the run has nothing for this view; none by default (a view of notes only). */
    default List<Block> blocks(ReportRun r) {
        return List.of();
    }

    /** What a reader must know to read this view's figures (fairness notes, terminal summary); none by default. */
    default List<String> notes(ReportRun r) {
        return List.of();
    }

    /** The benchmark ids this view is about. */
    default java.util.Set<String> benchmarks() {
        return metrics().keySet();
    }
}
