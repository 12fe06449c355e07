package io.isobench.analysis;

import io.isobench.store.StoredRun;
import io.isobench.util.Json;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Compares runs result by result: for every (benchmark, metric, params, runtime) measured on both sides, the change
 * from A to B as a factor (above 1 = B is worse, whatever the metric's direction), its distribution-free 95 %
 * interval, a Mann–Whitney test and a verdict on the Benjamini–Hochberg adjusted p-value. A regression is a
 * significant change worse than the threshold.
 *
 * <p>A sandboxed runtime is judged by its cost factor against the baseline interleaved in its own run (method
 * {@link #COST}), so that drift of the host between runs, which moves baseline and runtime alike, cancels: with one
 * run per side on per-round factors (the runtime's samples over the baseline's of the same round), with several
 * runs per side on each run's cost factor (runs are the unit of replication). The baseline itself is compared raw
 * and labelled {@link #DRIFT}: it shows how much the host moved and is never a regression. A runtime whose case has
 * no baseline result is compared raw ({@link #RAW}).
 */
public final class Comparison {
    /** Host facts that make two runs incomparable when they differ. */
    static final List<String> HOST_KEYS = List.of("cpu_model", "cpus", "memory_bytes", "kernel", "cgroup", "hostname");
    /** Plan keys whose difference changes what is measured (runtimes/benchmarks only select what is compared). */
    static final Set<String> IGNORED_PLAN_KEYS = Set.of("runtimes", "benchmarks", "preset");

    /** Method: change of the cost factor against each run's own interleaved baseline. */
    public static final String COST = "cost";
    /** Method: the baseline's own values compared raw; their change is the host's drift. */
    public static final String DRIFT = "host drift";
    /**
     * Method: the baseline's own values compared raw between runs of different hosts: their change is how the hosts
     * differ, not drift (and never a regression).
     */
    public static final String HOST_DIFFERENCE = "host difference";
    /** Method: raw values (no baseline result in that case). */
    public static final String RAW = "raw";

    private Comparison() {
    }

    /**
     * One compared result.
     *
     * @param nA, nB        measured samples pooled over each side's runs
     * @param medianA       median of A's pooled samples (raw values, whatever the method)
     * @param change        B against A, above 1 = worse: for {@link #COST} costB / costA, else the raw cost factor
     * @param method        {@link #COST}, {@link #DRIFT} or {@link #RAW}
     * @param costA, costB  for {@link #COST}: each side's cost factor against its baseline (median of per-round
     *                      factors with one run, median of the runs' factors with several)
     * @param unitsA        what the test compared on side A: rounds or samples (one run), or runs
     * @param replication   "runs" when both sides have several runs (a run-level test), else "samples"
     * @param ciLevel       the interval's guaranteed confidence (below 0.95 when too few samples or runs reach it)
     * @param pAdjusted     {@code pValue} adjusted by Benjamini–Hochberg over the comparison's tested runtime results
     *                      (host drift lines: over the tested drift lines)
     * @param builds        null when the runtime ran the same build on both sides (or records none); else which builds
     *                      ran, e.g. "different gVisor builds: A 20221219.0, sha256 …; B 20240729.0, sha256 …"
     * @param busyRuns      the runs (either side) that measured this case while the host was busy with other work
     *                      ({@link HostLoad}); empty when none did
     * @param withheld      a regression by the test and the threshold, not called one because {@code busyRuns} is not
     *                      empty: inconclusive (the load, not the runtime, may have moved it)
     */
    public record Change(String benchmark, String metric, String unit, boolean higherIsBetter, Map<String, Object> params,
                         String runtime, int nA, int nB, double medianA, double medianB, Double change, Double ciLow,
                         Double ciHigh, String verdict, Double pValue, boolean regression, String method, Double costA,
                         Double costB, int unitsA, int unitsB, String replication, Double ciLevel, Double pAdjusted,
                         String builds, List<String> busyRuns, boolean withheld) {
        /** A line of the baseline itself: host drift, or the difference between hosts. */
        public boolean baselineLine() {
            return method.equals(DRIFT) || method.equals(HOST_DIFFERENCE);
        }
    }

    /**
     * A comparison of one or more runs per side; {@code hostsA} and {@code hostsB} name each side's hosts (see
     * {@link Hosts}), in run order without repeats.
     */
    public record Result(List<Change> changes, String baseline, int runsA, int runsB, List<String> hostsA, List<String> hostsB,
                         boolean acrossHosts) {
        public boolean regression() {
            return changes.stream().anyMatch(Change::regression);
        }

        /** Regressions withheld because a run measured their case on a busy host: the verdict is inconclusive. */
        public boolean inconclusive() {
            return changes.stream().anyMatch(Change::withheld);
        }

        /** Tested runtime results: the family the correction (and the CI gate) runs over; host drift is its own. */
        public int tested() {
            return (int) changes.stream().filter(c -> c.pAdjusted() != null && !c.baselineLine()).count();
        }

        public int testedDrift() {
            return (int) changes.stream().filter(c -> c.pAdjusted() != null && c.baselineLine()).count();
        }

        /** What the baseline's lines are called: host drift, or host difference when the runs come from several hosts. */
        public String baselineMethod() {
            return acrossHosts ? HOST_DIFFERENCE : DRIFT;
        }

        /** True when a verdict rests on samples within single runs, blind to run-to-run variance. */
        public boolean singleRun() {
            return runsA < 2 || runsB < 2;
        }

        /** Runs per side from which a run-level test can reach p < 0.05 at all. */
        public static int runsForAnyVerdict() {
            return Statistics.smallestSufficientN(Statistics.ALPHA);
        }

        /** Runs per side from which one lone change among {@code tested()} results can survive the correction. */
        public int runsForLoneChange() {
            return Statistics.smallestSufficientN(Statistics.ALPHA / Math.max(1, tested()));
        }
    }

    /** One run per side (see {@link #compare(List, List, double)}). */
    public static List<Change> compare(StoredRun a, StoredRun b, double threshold) {
        return compare(List.of(a), List.of(b), threshold).changes();
    }

    public static Result compare(List<StoredRun> as, List<StoredRun> bs, double threshold) {
        String baseline = baselineOf(as.get(0));
        List<Side> sa = as.stream().map(Side::new).toList();
        List<Side> sb = bs.stream().map(Side::new).toList();
        Map<List<String>, Boolean> direction = new LinkedHashMap<>();
        Map<List<String>, String> units = new LinkedHashMap<>();
        for (StoredRun r : as) {
            for (StoredRun.SampleRow s : r.samples()) {
                direction.putIfAbsent(key(s), s.higherIsBetter());
                units.putIfAbsent(key(s), s.unit());
            }
        }
        boolean runLevel = as.size() > 1 && bs.size() > 1;
        java.util.Set<String> hostKeys = new java.util.LinkedHashSet<>();
        as.forEach(r -> hostKeys.add(Hosts.key(r.header().host())));
        bs.forEach(r -> hostKeys.add(Hosts.key(r.header().host())));
        boolean acrossHosts = hostKeys.size() > 1;
        Map<String, String> builds = new LinkedHashMap<>(); // per runtime; "" = one build
        Map<String, HostLoad.Load> loads = new LinkedHashMap<>(); // by run id, in run order; runs that record it
        for (StoredRun r : concat(as, bs)) {
            HostLoad.Load l = HostLoad.load(r);
            if (l != null) {
                loads.put(r.header().id(), l);
            }
        }
        List<Change> raw = new ArrayList<>();
        for (List<String> k : direction.keySet()) {
            List<Side> ha = sa.stream().filter(s -> s.values.containsKey(k)).toList();
            List<Side> hb = sb.stream().filter(s -> s.values.containsKey(k)).toList();
            if (ha.isEmpty() || hb.isEmpty()) {
                continue;
            }
            boolean hib = direction.get(k);
            List<String> bk = List.of(k.get(0), k.get(1), k.get(2), baseline);
            String method = k.get(3).equals(baseline) ? (acrossHosts ? HOST_DIFFERENCE : DRIFT)
                    : ha.stream().allMatch(s -> s.values.containsKey(bk)) && hb.stream().allMatch(s -> s.values.containsKey(bk))
                    ? COST : RAW;
            double[] pooledA = pooled(ha, k);
            double[] pooledB = pooled(hb, k);
            double[] xa;
            double[] xb;
            if (runLevel) { // one value per run: its cost factor, or its median
                xa = ha.stream().mapToDouble(s -> method.equals(COST) ? Statistics.median(s.costs(k, bk, hib))
                        : Statistics.median(s.values.get(k))).toArray();
                xb = hb.stream().mapToDouble(s -> method.equals(COST) ? Statistics.median(s.costs(k, bk, hib))
                        : Statistics.median(s.values.get(k))).toArray();
            } else { // samples (or per-round factors), each run's against its own baseline, pooled over a side's runs
                xa = ha.stream().flatMapToDouble(s -> Arrays.stream(method.equals(COST) ? s.costs(k, bk, hib) : s.values.get(k))).toArray();
                xb = hb.stream().flatMapToDouble(s -> Arrays.stream(method.equals(COST) ? s.costs(k, bk, hib) : s.values.get(k))).toArray();
            }
            Double change;
            Statistics.Interval ci;
            Double costA = null;
            Double costB = null;
            if (method.equals(COST)) { // costs are oriented (above 1 = worse): lower is better
                costA = Statistics.median(xa);
                costB = Statistics.median(xb);
                change = costA == 0 ? null : costB / costA;
                ci = Statistics.ratioCi(xb, xa);
            } else {
                change = Summary.costFactor(Statistics.median(xb), Statistics.median(xa), hib);
                ci = Statistics.costCi(xa, xb, hib);
            }
            Double p = Statistics.testP(xa, xb);
            raw.add(new Change(k.get(0), k.get(1), units.get(k), hib, Json.readMap(k.get(2)), k.get(3), pooledA.length,
                    pooledB.length, Statistics.median(pooledA), Statistics.median(pooledB), change,
                    ci == null ? null : ci.low(), ci == null ? null : ci.high(),
                    p == null ? (runLevel ? "too few runs" : Statistics.TOO_FEW) : null, p, false, method, costA, costB,
                    xa.length, xb.length, runLevel ? "runs" : "samples", ci == null ? null : ci.level(), null,
                    builds.computeIfAbsent(k.get(3), rt -> Objects.requireNonNullElse(builds(rt, as, bs), "")),
                    busyRuns(loads, k.get(0), k.get(2)), false));
        }
        // two families, each corrected on its own: the runtimes' changes (what can be a regression) and the host's drift
        Double[] runtimes = Statistics.adjustBh(raw.stream().map(c -> c.baselineLine() ? null : c.pValue()).toArray(Double[]::new));
        Double[] drift = Statistics.adjustBh(raw.stream().map(c -> c.baselineLine() ? c.pValue() : null).toArray(Double[]::new));
        Double[] adjusted = new Double[raw.size()];
        for (int i = 0; i < raw.size(); i++) {
            adjusted[i] = raw.get(i).baselineLine() ? drift[i] : runtimes[i];
        }
        List<Change> out = new ArrayList<>();
        for (int i = 0; i < raw.size(); i++) {
            Change c = raw.get(i);
            Double q = adjusted[i];
            String verdict = q == null ? c.verdict() : q < Statistics.ALPHA ? "differs" : "within noise";
            boolean worse = q != null && q < Statistics.ALPHA && !c.baselineLine() && c.change() != null
                    && c.change() > 1 + threshold;
            boolean withheld = worse && !c.busyRuns().isEmpty();
            out.add(new Change(c.benchmark(), c.metric(), c.unit(), c.higherIsBetter(), c.params(), c.runtime(), c.nA(),
                    c.nB(), c.medianA(), c.medianB(), c.change(), c.ciLow(), c.ciHigh(), verdict, c.pValue(),
                    worse && !withheld, c.method(), c.costA(), c.costB(), c.unitsA(), c.unitsB(), c.replication(),
                    c.ciLevel(), q, c.builds().isEmpty() ? null : c.builds(), c.busyRuns(), withheld));
        }
        return new Result(out, baseline, as.size(), bs.size(), hostNames(as), hostNames(bs), acrossHosts);
    }

    /** The runs that measured case (benchmark, params as stored) while the host was busy. */
    private static List<String> busyRuns(Map<String, HostLoad.Load> loads, String benchmark, String paramsJson) {
        List<String> busy = new ArrayList<>();
        loads.forEach((id, l) -> {
            if (l.busyCases().containsKey(List.of(benchmark, paramsJson))) {
                busy.add(id);
            }
        });
        return List.copyOf(busy);
    }

    private static List<String> hostNames(List<StoredRun> runs) {
        return runs.stream().map(r -> Hosts.name(r.header().host())).distinct().toList();
    }

    /**
     * Null when every run of both sides ran the same build of {@code runtime} (or none records one); else which builds
     * ran on each side: one label must never stand for two builds (e.g. two gVisor releases) without saying so.
     */
    static String builds(String runtime, List<StoredRun> as, List<StoredRun> bs) {
        List<String> a = buildsOf(runtime, as);
        List<String> b = buildsOf(runtime, bs);
        java.util.Set<String> whats = new java.util.LinkedHashSet<>();
        java.util.Set<String> ids = new java.util.LinkedHashSet<>();
        for (StoredRun r : concat(as, bs)) {
            io.isobench.runtime.RuntimeDriver.Build x = buildOf(runtime, r);
            if (x != null) {
                whats.add(x.what());
            }
            ids.add(x == null ? "" : x.id());
        }
        if (whats.isEmpty() || ids.size() < 2) {
            return null;
        }
        return "different " + String.join("/", whats) + " builds: A " + String.join(" + ", a) + "; B " + String.join(" + ", b);
    }

    private static List<StoredRun> concat(List<StoredRun> a, List<StoredRun> b) {
        List<StoredRun> l = new ArrayList<>(a);
        l.addAll(b);
        return l;
    }

    private static List<String> buildsOf(String runtime, List<StoredRun> runs) {
        return runs.stream().map(r -> buildOf(runtime, r)).map(x -> x == null ? "build not recorded" : x.display()).distinct().toList();
    }

    private static io.isobench.runtime.RuntimeDriver.Build buildOf(String runtime, StoredRun r) {
        return r.runtimes().stream().filter(x -> x.runtime().equals(runtime)).findFirst()
                .map(x -> io.isobench.runtime.Runtimes.build(runtime, x.details())).orElse(null);
    }

    /** The runtime a run's costs are measured against (its plan's baseline). */
    static String baselineOf(StoredRun r) {
        return r.header().plan().get("baseline") instanceof String s ? s : io.isobench.plan.Defaults.BASELINE;
    }

    private static double[] pooled(List<Side> sides, List<String> k) {
        return sides.stream().flatMapToDouble(s -> Arrays.stream(s.values.get(k))).toArray();
    }

    /** One run's measured samples by result, and by result and round (repetition). */
    private static final class Side {
        final Map<List<String>, double[]> values;
        final Map<List<String>, Map<Integer, List<Double>>> rounds = new LinkedHashMap<>();

        Side(StoredRun r) {
            values = groups(r);
            for (StoredRun.SampleRow s : r.samples()) {
                if (!s.warmup() && !s.isSeriesPoint()) {
                    rounds.computeIfAbsent(key(s), x -> new TreeMap<>()).computeIfAbsent(s.repetition(), x -> new ArrayList<>())
                            .add(s.value());
                }
            }
        }

        /**
         * Cost factors of result {@code k} against the baseline result {@code bk}, one per round measured in both
         * (the runtime's and the baseline's medians of that round: the executor interleaves them, so they share the
         * host's state); when fewer than two rounds pair up, each sample against the baseline's median.
         */
        double[] costs(List<String> k, List<String> bk, boolean hib) {
            Map<Integer, List<Double>> x = rounds.get(k);
            Map<Integer, List<Double>> b = rounds.get(bk);
            List<Double> c = new ArrayList<>();
            for (var e : x.entrySet()) {
                List<Double> bv = b.get(e.getKey());
                if (bv != null) {
                    Double f = Summary.costFactor(median(e.getValue()), median(bv), hib);
                    if (f != null) {
                        c.add(f);
                    }
                }
            }
            if (c.size() < 2) {
                c.clear();
                double bm = Statistics.median(values.get(bk));
                for (double v : values.get(k)) {
                    Double f = Summary.costFactor(v, bm, hib);
                    if (f != null) {
                        c.add(f);
                    }
                }
            }
            return c.stream().mapToDouble(Double::doubleValue).toArray();
        }

        private static double median(List<Double> v) {
            return Statistics.median(v.stream().mapToDouble(Double::doubleValue).toArray());
        }
    }

    /**
     * Reasons the runs may not be comparable, one line per distinct fact: a host fact once for the whole comparison
     * (its value on each side, or per run where a side's runs differ), a plan or runtime difference once with the runs
     * it concerns (each run against the first of side A).
     */
    public static List<String> warnings(List<StoredRun> as, List<StoredRun> bs) {
        if (as.size() == 1 && bs.size() == 1) {
            return warnings(as.get(0), bs.get(0));
        }
        List<String> w = new ArrayList<>();
        for (String k : HOST_KEYS) {
            Map<String, List<String>> va = hostValues(as, k);
            Map<String, List<String>> vb = hostValues(bs, k);
            if (va.size() > 1 || vb.size() > 1 || !va.keySet().equals(vb.keySet())) {
                w.add("different hosts: " + k + " is " + describe(va) + " in A and " + describe(vb) + " in B");
            }
        }
        Map<String, List<String>> facts = new LinkedHashMap<>();
        List<StoredRun> others = new ArrayList<>(as.subList(1, as.size()));
        others.addAll(bs);
        for (StoredRun r : others) {
            for (String x : warnings(as.get(0), r)) {
                if (!x.startsWith("different hosts: ")) {
                    facts.computeIfAbsent(x, f -> new ArrayList<>()).add(r.header().id());
                }
            }
        }
        facts.forEach((x, ids) -> w.add(x.startsWith("run ") ? x
                : as.get(0).header().id() + " vs " + String.join(", ", ids) + ": " + x));
        return w;
    }

    /** Each distinct value of host fact k (quoted) with the runs that have it, in run order. */
    private static Map<String, List<String>> hostValues(List<StoredRun> runs, String k) {
        Map<String, List<String>> m = new LinkedHashMap<>();
        for (StoredRun r : runs) {
            m.computeIfAbsent("'" + r.header().host().get(k) + "'", v -> new ArrayList<>()).add(r.header().id());
        }
        return m;
    }

    private static String describe(Map<String, List<String>> values) {
        if (values.size() == 1) {
            return values.keySet().iterator().next();
        }
        List<String> l = new ArrayList<>();
        values.forEach((v, ids) -> l.add(v + " (" + String.join(", ", ids) + ")"));
        return String.join(", ", l);
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
            String busy = HostLoad.busyWarning(r);
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
