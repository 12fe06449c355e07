package io.isobench.analysis;

import io.isobench.store.StoredRun;
import io.isobench.util.Json;
import org.apache.commons.statistics.descriptive.Max;
import org.apache.commons.statistics.descriptive.Mean;
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
        // group key: benchmark, metric, params, runtime — in first-seen (measured) order
        Map<List<String>, List<StoredRun.SampleRow>> groups = new LinkedHashMap<>();
        for (StoredRun.SampleRow s : run.samples()) {
            if (s.warmup() || s.isSeriesPoint()) {
                continue; // time-series points are charted, their benchmark's summary metrics carry the statistics
            }
            groups.computeIfAbsent(List.of(s.benchmark(), s.metric(), s.paramsJson(), s.runtime()), k -> new ArrayList<>()).add(s);
        }
        Map<List<String>, double[]> baselineValues = new LinkedHashMap<>();
        groups.forEach((k, rows) -> {
            if (k.get(3).equals(baseline)) {
                baselineValues.put(k.subList(0, 3), values(rows));
            }
        });
        List<ResultStats> out = new ArrayList<>();
        for (var e : groups.entrySet()) {
            double[] v = values(e.getValue());
            StoredRun.SampleRow first = e.getValue().get(0);
            double[] base = baselineValues.get(e.getKey().subList(0, 3));
            out.add(stats(first, v, base, first.runtime().equals(baseline)));
        }
        // many results judged at once: control the false discovery rate over every runtime-vs-baseline test
        // (the family: results whose test could be significant at all; "too few samples" stays out of m)
        Double[] adjusted = Statistics.adjustBh(out.stream().map(r -> Statistics.DIFFERS.equals(r.verdict())
                || Statistics.WITHIN_NOISE.equals(r.verdict()) ? (r.pValue() == null || r.pValue().isNaN() ? Double.valueOf(1) : r.pValue())
                : null).toArray(Double[]::new));
        for (int i = 0; i < out.size(); i++) {
            out.set(i, out.get(i).withAdjusted(adjusted[i]));
        }
        List<String> order = run.runtimes().stream().map(StoredRun.RuntimeRow::runtime).toList();
        // order: cases and metrics as they were measured, runtimes in the run's order
        List<String> caseOrder = out.stream().map(r -> r.benchmark() + " " + r.paramsKey()).distinct().toList();
        List<String> metricOrder = out.stream().map(ResultStats::metric).distinct().toList();
        out.sort(java.util.Comparator.<ResultStats>comparingInt(r -> caseOrder.indexOf(r.benchmark() + " " + r.paramsKey()))
                .thenComparingInt(r -> metricOrder.indexOf(r.metric()))
                .thenComparingInt(r -> order.indexOf(r.runtime())));
        return out;
    }

    private static double[] values(List<StoredRun.SampleRow> rows) {
        return rows.stream().mapToDouble(StoredRun.SampleRow::value).toArray();
    }

    static ResultStats stats(StoredRun.SampleRow first, double[] v, double[] base, boolean isBaseline) {
        double median = Statistics.median(v);
        double mean = Mean.of(v).getAsDouble();
        double sd = v.length > 1 ? StandardDeviation.of(v).getAsDouble() : 0.0;
        Statistics.Interval ci = Statistics.medianCi(v);
        Double cost = null;
        Double costLo = null;
        Double costHi = null;
        Double costLevel = null;
        String verdict = null;
        Double p = null;
        if (base != null) {
            cost = costFactor(median, Statistics.median(base), first.higherIsBetter());
            Statistics.Interval cci = Statistics.costCi(base, v, first.higherIsBetter());
            if (cci != null) {
                costLo = cci.low();
                costHi = cci.high();
                costLevel = cci.level();
            }
            if (isBaseline) {
                verdict = "baseline";
            } else {
                verdict = Statistics.verdict(base, v);
                if (base.length > 1 && v.length > 1) {
                    p = Statistics.mannWhitneyP(base, v);
                }
            }
        }
        return new ResultStats(first.benchmark(), first.metric(), first.unit(), first.higherIsBetter(),
                Json.readMap(first.paramsJson()), first.paramsJson(), first.runtime(), v.length, median, mean, sd,
                Min.of(v).getAsDouble(), Max.of(v).getAsDouble(), Statistics.coefficientOfVariation(mean, sd),
                ci.low(), ci.high(), cost, costLo, costHi, verdict, p, v, Statistics.percentile(v, 0.95), ci.level(), costLevel,
                null);
    }

    /**
     * >1 means worse than the baseline whatever the metric's direction; null without a usable baseline, and when either
     * median is not above zero (a ratio of a negative or zero quantity, e.g. a MemAvailable drop that noise made
     * negative, is no cost factor).
     */
    public static Double costFactor(double median, Double baselineMedian, boolean higherIsBetter) {
        if (baselineMedian == null || !(median > 0) || !(baselineMedian > 0)) {
            return null;
        }
        double r = higherIsBetter ? baselineMedian / median : median / baselineMedian;
        return Double.isFinite(r) ? r : null;
    }
}
