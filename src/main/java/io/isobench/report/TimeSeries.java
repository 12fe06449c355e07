package io.isobench.report;

import io.isobench.analysis.Statistics;
import io.isobench.store.StoredRun;
import io.isobench.util.Json;
import io.isobench.util.Units;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The time-series points of a run (samples with {@code series_json}, e.g. load-profile's cpu_percent and rss_mib at
 * 10 Hz) folded into one line per (benchmark case, metric, runtime): the points of every measured repetition are
 * put on the sampling grid ({@code t_s} rounded to the case's {@code interval}) and each grid point is the median
 * over repetitions. Warmups are left out, as everywhere in statistics.
 *
 * @param benchmark  benchmark id
 * @param params     the case's params
 * @param metric     metric name
 * @param unit       its unit
 * @param runtime    runtime id
 * @param t          seconds from the series' start, ascending
 * @param y          median value at each t
 * @param phaseStart first t of each phase ("idle" -> 0.1, "load" -> 5.1), in order
 * @param repetitions how many repetitions contributed
 */
public record TimeSeries(String benchmark, Map<String, Object> params, String metric, String unit, String runtime,
                         double[] t, double[] y, Map<String, Double> phaseStart, int repetitions) {

    /** Every series of the run, in the order their first points were stored. */
    public static List<TimeSeries> of(StoredRun run) {
        Map<List<String>, Map<Long, List<Double>>> grid = new LinkedHashMap<>();
        Map<List<String>, Map<String, Double>> phases = new LinkedHashMap<>();
        Map<List<String>, java.util.Set<Integer>> reps = new LinkedHashMap<>();
        Map<List<String>, StoredRun.SampleRow> first = new LinkedHashMap<>();
        for (StoredRun.SampleRow s : run.samples()) {
            if (s.warmup() || !s.isSeriesPoint()) {
                continue;
            }
            Map<String, Object> at = Json.readMap(s.seriesJson());
            double t;
            try {
                t = Double.parseDouble(String.valueOf(at.get("t_s")));
            } catch (NumberFormatException e) {
                continue;
            }
            List<String> key = List.of(s.benchmark(), s.paramsJson(), s.metric(), s.runtime());
            first.putIfAbsent(key, s);
            double step = step(s.paramsJson());
            long slot = Math.round(t / step);
            grid.computeIfAbsent(key, k -> new TreeMap<>()).computeIfAbsent(slot, k -> new ArrayList<>()).add(s.value());
            reps.computeIfAbsent(key, k -> new java.util.HashSet<>()).add(s.repetition());
            Object phase = at.get("phase");
            if (phase != null) {
                phases.computeIfAbsent(key, k -> new LinkedHashMap<>()).merge(phase.toString(), gridTime(slot, step), Math::min);
            }
        }
        List<TimeSeries> out = new ArrayList<>();
        for (var e : grid.entrySet()) {
            StoredRun.SampleRow f = first.get(e.getKey());
            double step = step(f.paramsJson());
            double[] t = new double[e.getValue().size()];
            double[] y = new double[t.length];
            int i = 0;
            for (var p : e.getValue().entrySet()) {
                t[i] = gridTime(p.getKey(), step);
                y[i] = Statistics.median(p.getValue().stream().mapToDouble(Double::doubleValue).toArray());
                i++;
            }
            Map<String, Double> ph = new LinkedHashMap<>();
            phases.getOrDefault(e.getKey(), Map.of()).entrySet().stream().sorted(Map.Entry.comparingByValue())
                    .forEach(x -> ph.put(x.getKey(), x.getValue()));
            out.add(new TimeSeries(f.benchmark(), Json.readMap(f.paramsJson()), f.metric(), f.unit(), f.runtime(), t, y, ph,
                    reps.get(e.getKey()).size()));
        }
        return out;
    }

    /** The time of grid slot {@code slot}, to the microsecond (0.6, not 0.6000000000000001). */
    static double gridTime(long slot, double step) {
        return Math.round(slot * step * 1e6) / 1e6;
    }

    /** The sampling step of a case in seconds: its {@code interval} parameter, else 0.1 s. */
    static double step(String paramsJson) {
        Object iv = Json.readMap(paramsJson).get("interval");
        if (iv != null) {
            try {
                double s = Units.parseDuration(iv.toString(), "interval").toNanos() / 1e9;
                if (s > 0) {
                    return s;
                }
            } catch (RuntimeException ignored) {
                // fall back
            }
        }
        return 0.1;
    }

    /** The mean of y over [from, to) seconds (NaN when no point lies there). */
    public double meanBetween(double from, double to) {
        double sum = 0;
        int n = 0;
        for (int i = 0; i < t.length; i++) {
            if (t[i] >= from && t[i] < to) {
                sum += y[i];
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }
}
