package io.isobench.report;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/** sysbench memory: no section of its own (the generic results chart it), a note on what 1 KiB blocks measure. */
final class MemoryView implements ReportView {
    static final String BENCH = "memory";

    @Override
    public String title() {
        return "Memory";
    }

    @Override
    public Map<String, List<String>> metrics() {
        return Map.of(BENCH, List.of());
    }

    @Override
    public List<String> notes(ReportRun r) {
        return r.of(BENCH).stream().anyMatch(s -> Objects.equals(s.params().get("block_size"), "1K"))
                ? List.of("memory at 1 KiB blocks is dominated by per-operation overhead, not bandwidth; compare with the 1 MiB case.")
                : List.of();
    }
}
