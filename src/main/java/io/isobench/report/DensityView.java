package io.isobench.report;

import java.util.List;
import java.util.Map;

/** density: no section of its own (the generic results view has its rows), a note on what stops it and what it counts. */
final class DensityView implements ReportView {
    static final String BENCH = "density";

    @Override
    public String title() {
        return "Density";
    }

    @Override
    public Map<String, List<String>> metrics() {
        return Map.of(BENCH, List.of());
    }

    @Override
    public List<String> notes(ReportRun r) {
        return r.of(BENCH).isEmpty() ? List.of()
                : List.of("density's instance count is what fit before the first limit: the memory budget (MemAvailable's drop, "
                + "which counts whatever else the host allocated meanwhile), the safety reserve, the instance cap or a failure; "
                + "each trial's raw output says which. A count at max_instances is the cap, not the runtime's limit.");
    }
}
