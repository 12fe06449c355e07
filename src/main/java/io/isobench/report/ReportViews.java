package io.isobench.report;

import java.util.ArrayList;
import java.util.List;

/** The registry of report views, in the order their sections appear; the generic results view comes last. */
public final class ReportViews {
    private ReportViews() {
    }

    public static List<ReportView> all() {
        return List.of(new StartupView(), new FootprintView(), new LoadProfileView(), new ServersView(), new MemoryView(),
                new NetworkView(), new DensityView(), new ResultsView());
    }

    /** Every view's notes for this run, in view order. */
    public static List<String> notes(ReportRun r) {
        List<String> notes = new ArrayList<>();
        all().forEach(v -> notes.addAll(v.notes(r)));
        return notes;
    }

    /** Whether a view other than the generic one is about {@code benchmark}. */
    static boolean hasOwnView(String benchmark) {
        return all().stream().anyMatch(v -> !(v instanceof ResultsView) && v.benchmarks().contains(benchmark)
                && !v.metrics().get(benchmark).isEmpty());
    }
}
