package io.isobench.analysis;

import io.isobench.store.StoredRun;
import io.isobench.util.Json;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Compares two runs result by result: for every (benchmark, metric, params, runtime) measured in both, the
 * change from A to B as a cost factor (above 1 = B is worse, whatever the metric's direction), its 95 %
 * bootstrap CI, and a Mann–Whitney verdict. A regression is a significant change worse than the threshold.
 */
public final class Comparison {
    /** Host facts that make two runs incomparable when they differ. */
    static final List<String> HOST_KEYS = List.of("cpu_model", "cpus", "memory_bytes", "kernel", "cgroup", "hostname");
    /** Plan keys whose difference changes what is measured (runtimes/benchmarks only select what is compared). */
    static final Set<String> IGNORED_PLAN_KEYS = Set.of("runtimes", "benchmarks", "preset");

    private Comparison() {
    }

    public record Change(String benchmark, String metric, String unit, boolean higherIsBetter, Map<String, Object> params,
                         String runtime, int nA, int nB, double medianA, double medianB, Double change, Double ciLow,
                         Double ciHigh, String verdict, Double pValue, boolean regression) {
    }

    public static List<Change> compare(StoredRun a, StoredRun b, double threshold) {
        Map<List<String>, double[]> va = groups(a);
        Map<List<String>, double[]> vb = groups(b);
        Map<List<String>, Boolean> direction = new LinkedHashMap<>();
        Map<List<String>, String> units = new LinkedHashMap<>();
        for (StoredRun.SampleRow s : a.samples()) {
            direction.putIfAbsent(key(s), s.higherIsBetter());
            units.putIfAbsent(key(s), s.unit());
        }
        List<Change> out = new ArrayList<>();
        for (var e : va.entrySet()) {
            double[] x = e.getValue();
            double[] y = vb.get(e.getKey());
            if (y == null) {
                continue;
            }
            List<String> k = e.getKey();
            boolean hib = direction.get(k);
            double ma = Statistics.median(x);
            double mb = Statistics.median(y);
            Double change = Summary.costFactor(mb, ma, hib);
            Statistics.Interval ci = Statistics.costCi(x, y, hib);
            String verdict = Statistics.verdict(x, y);
            if (verdict.equals(Statistics.DIFFERS)) {
                verdict = "differs";
            }
            Double p = x.length > 1 && y.length > 1 ? Statistics.mannWhitneyP(x, y) : null;
            boolean regression = verdict.equals("differs") && change != null && change > 1 + threshold;
            out.add(new Change(k.get(0), k.get(1), units.get(k), hib, Json.readMap(k.get(2)), k.get(3), x.length, y.length,
                    ma, mb, change, ci == null ? null : ci.low(), ci == null ? null : ci.high(), verdict, p, regression));
        }
        return out;
    }

    /** Reasons the two runs may not be comparable: different host facts or plan settings. */
    public static List<String> warnings(StoredRun a, StoredRun b) {
        List<String> w = new ArrayList<>();
        for (String k : HOST_KEYS) {
            Object x = a.header().host().get(k);
            Object y = b.header().host().get(k);
            if (!Objects.equals(x, y)) {
                w.add("different hosts: " + k + " is '" + x + "' in A and '" + y + "' in B");
            }
        }
        Map<String, Object> pa = new LinkedHashMap<>(a.header().plan());
        Map<String, Object> pb = new LinkedHashMap<>(b.header().plan());
        for (String k : pa.keySet()) {
            if (!IGNORED_PLAN_KEYS.contains(k) && !Objects.equals(pa.get(k), pb.get(k))) {
                w.add("different plans: " + k + " is " + Json.write(pa.get(k)) + " in A and " + Json.write(pb.get(k)) + " in B");
            }
        }
        for (String k : pb.keySet()) {
            if (!IGNORED_PLAN_KEYS.contains(k) && !pa.containsKey(k)) {
                w.add("different plans: " + k + " only in B");
            }
        }
        Map<String, List<Object>> va = versions(a);
        Map<String, List<Object>> vb = versions(b);
        va.forEach((rt, v) -> {
            if (vb.containsKey(rt) && !Objects.equals(v, vb.get(rt))) {
                w.add("runtime " + rt + " changed: " + v.get(0) + " " + Json.write(v.get(1)) + " in A, "
                        + vb.get(rt).get(0) + " " + Json.write(vb.get(rt).get(1)) + " in B");
            }
        });
        for (StoredRun r : List.of(a, b)) {
            String busy = HostLoad.busyWarning(r.header().host());
            if (busy != null) {
                w.add("run " + r.header().id() + ": " + busy);
            }
        }
        return w;
    }

    /** Version and details (platform, accel, limits...) of each available runtime, compared as values. */
    private static Map<String, List<Object>> versions(StoredRun r) {
        Map<String, List<Object>> m = new LinkedHashMap<>();
        for (StoredRun.RuntimeRow rt : r.runtimes()) {
            if (rt.available()) {
                m.put(rt.runtime(), List.of(String.valueOf(rt.version()), rt.details()));
            }
        }
        return m;
    }

    private static List<String> key(StoredRun.SampleRow s) {
        return List.of(s.benchmark(), s.metric(), s.paramsJson(), s.runtime());
    }

    private static Map<List<String>, double[]> groups(StoredRun r) {
        Map<List<String>, List<Double>> g = new LinkedHashMap<>();
        for (StoredRun.SampleRow s : r.samples()) {
            if (!s.warmup() && !s.isSeriesPoint()) {
                g.computeIfAbsent(key(s), k -> new ArrayList<>()).add(s.value());
            }
        }
        Map<List<String>, double[]> out = new LinkedHashMap<>();
        g.forEach((k, v) -> out.put(k, v.stream().mapToDouble(Double::doubleValue).toArray()));
        return out;
    }
}
