package io.isobench.analysis;

import io.isobench.store.StoredRun;
import io.isobench.util.Json;
import org.apache.commons.statistics.descriptive.Max;
import org.apache.commons.statistics.descriptive.Mean;
import org.apache.commons.statistics.descriptive.Median;
import org.apache.commons.statistics.descriptive.Min;
import org.apache.commons.statistics.descriptive.StandardDeviation;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Turns a stored run's measured samples into per-group statistics with the cost against the baseline. */
public final class Summary {
    private Summary() {
    }

    public static List<ResultStats> of(StoredRun run, String baseline) {
        // group key: benchmark, metric, params, runtime — in first-seen order
        Map<List<String>, List<StoredRun.SampleRow>> groups = new LinkedHashMap<>();
        for (StoredRun.SampleRow s : run.samples()) {
            if (s.warmup()) {
                continue;
            }
            groups.computeIfAbsent(List.of(s.benchmark(), s.metric(), s.paramsJson(), s.runtime()), k -> new ArrayList<>()).add(s);
        }
        Map<List<String>, Double> baselineMedians = new LinkedHashMap<>();
        List<ResultStats> stats = new ArrayList<>();
        for (var e : groups.entrySet()) {
            double[] v = e.getValue().stream().mapToDouble(StoredRun.SampleRow::value).toArray();
            StoredRun.SampleRow first = e.getValue().get(0);
            double median = Median.withDefaults().evaluate(v);
            stats.add(new ResultStats(first.benchmark(), first.metric(), first.unit(), first.higherIsBetter(),
                    Json.readMap(first.paramsJson()), first.paramsJson(), first.runtime(), v.length, median,
                    Mean.of(v).getAsDouble(), v.length > 1 ? StandardDeviation.of(v).getAsDouble() : 0.0,
                    Min.of(v).getAsDouble(), Max.of(v).getAsDouble(), null));
            if (first.runtime().equals(baseline)) {
                baselineMedians.put(List.of(first.benchmark(), first.metric(), first.paramsJson()), median);
            }
        }
        List<String> order = runtimeOrder(run);
        List<ResultStats> out = new ArrayList<>();
        for (ResultStats s : stats) {
            Double base = baselineMedians.get(List.of(s.benchmark(), s.metric(), s.paramsKey()));
            out.add(new ResultStats(s.benchmark(), s.metric(), s.unit(), s.higherIsBetter(), s.params(), s.paramsKey(),
                    s.runtime(), s.n(), s.median(), s.mean(), s.stddev(), s.min(), s.max(),
                    costFactor(s.median(), base, s.higherIsBetter())));
        }
        // order: cases and metrics as they were measured, runtimes in the run's order
        List<String> caseOrder = out.stream().map(r -> r.benchmark() + " " + r.paramsKey()).distinct().toList();
        List<String> metricOrder = out.stream().map(ResultStats::metric).distinct().toList();
        out.sort(java.util.Comparator.<ResultStats>comparingInt(r -> caseOrder.indexOf(r.benchmark() + " " + r.paramsKey()))
                .thenComparingInt(r -> metricOrder.indexOf(r.metric()))
                .thenComparingInt(r -> order.indexOf(r.runtime())));
        return out;
    }

    /** >1 means worse than the baseline whatever the metric's direction; null without a usable baseline. */
    public static Double costFactor(double median, Double baselineMedian, boolean higherIsBetter) {
        if (baselineMedian == null) {
            return null;
        }
        double r = higherIsBetter ? baselineMedian / median : median / baselineMedian;
        return Double.isFinite(r) ? r : null;
    }

    private static List<String> runtimeOrder(StoredRun run) {
        return run.runtimes().stream().map(StoredRun.RuntimeRow::runtime).toList();
    }
}
