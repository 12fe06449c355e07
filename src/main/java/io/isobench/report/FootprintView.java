package io.isobench.report;

import io.isobench.analysis.ResultStats;
import io.isobench.bench.fleet.FootprintBenchmark;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Footprint: marginal PSS per instance as bars, and the per-instance figures with their cross-check as a table. */
final class FootprintView implements ReportView {
    static final String BENCH = "footprint";
    private static final String PSS = FootprintBenchmark.PSS_PER_INSTANCE.name();
    /** Table columns, shown where some runtime has them. */
    private static final List<String> COLUMNS = List.of(PSS, FootprintBenchmark.USS_PER_INSTANCE.name(),
            FootprintBenchmark.RSS_PER_INSTANCE.name(), FootprintBenchmark.MEMAVAILABLE_PER_INSTANCE.name(),
            FootprintBenchmark.PSS_SINGLE.name(), FootprintBenchmark.PSS_TOTAL.name(),
            FootprintBenchmark.GUEST_RAM_PER_INSTANCE.name(), FootprintBenchmark.VMM_OVERHEAD_PER_INSTANCE.name());

    @Override
    public String title() {
        return "Footprint";
    }

    @Override
    public Map<String, List<String>> metrics() {
        return Map.of(BENCH, COLUMNS);
    }

    @Override
    public List<Block> blocks(ReportRun r) {
        List<ResultStats> fp = r.of(BENCH);
        if (fp.isEmpty()) {
            return List.of();
        }
        List<Block> b = new ArrayList<>();
        b.add(new Block.Paragraph("Idle memory of the host processes each runtime reports for an instance (MiB, medians over "
                + "repetitions). PSS per instance = marginal cost of one more instance: (PSS at N − PSS at 1) ÷ (N − 1); USS and "
                + "RSS per instance: total at N ÷ N; MemAvailable drop ÷ N is a whole-host cross-check (noisy on a shared host).",
                true));
        Map<String, List<ResultStats>> byCase = new LinkedHashMap<>();
        fp.forEach(s -> byCase.computeIfAbsent(s.paramsKey(), k -> new ArrayList<>()).add(s));
        for (List<ResultStats> c : byCase.values()) {
            String caseText = ReportRun.params(c.get(0).params());
            b.add(new Block.Heading(3, caseText));
            List<ResultStats> pss = c.stream().filter(s -> s.metric().equals(PSS)).toList();
            if (!pss.isEmpty()) {
                b.add(ResultsView.bars(r, "footprint · PSS per additional instance [MiB, lower is better]", pss,
                        caseText + " — bars: median over repetitions; whiskers: 95% CI of the median"));
            }
            List<String> cols = COLUMNS.stream().filter(m -> c.stream().anyMatch(s -> s.metric().equals(m))).toList();
            List<String> header = new ArrayList<>(List.of("runtime"));
            header.addAll(cols);
            header.add("note");
            List<List<Block.Cell>> rows = new ArrayList<>();
            for (String rt : r.measuredRuntimes()) {
                if (c.stream().noneMatch(s -> s.runtime().equals(rt))) {
                    continue;
                }
                List<Block.Cell> row = new ArrayList<>(List.of(Block.Cell.text(TextSummary.label(r.run(), rt))));
                for (String m : cols) {
                    ResultStats s = r.find(BENCH, c.get(0).paramsKey(), m, rt);
                    row.add(s == null ? new Block.Cell.Empty() : Block.Cell.num(s.median()));
                }
                Object guest = r.run().runtimes().stream().filter(x -> x.runtime().equals(rt)).findFirst()
                        .map(x -> x.details().get("memory")).orElse(null);
                row.add(Block.Cell.text(guest == null ? "" : "configured guest memory " + guest + " (reported apart; not subtracted)"));
                rows.add(row);
            }
            b.add(new Block.Table(header, rows));
        }
        return b;
    }
}
