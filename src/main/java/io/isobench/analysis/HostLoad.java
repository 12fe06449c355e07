package io.isobench.analysis;

import io.isobench.store.StoredRun;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Whether the host was busy with other work during a run. Runs since the trials record it are judged by the other
 * work measured just before each trial ({@link StoredRun.TrialLoad}: runnable tasks that were not isobench's, read
 * when the run's own instances were down); a case whose measured trials saw on average at least {@link #limit} such
 * tasks ran on a busy host. Older runs only have the 1-minute load average at their start, which mostly reflects the
 * minute before (isobench's own earlier work included): a hint, never a verdict.
 *
 * <p>A busy host makes every figure noisier, and it moves latencies unevenly: a launch of a few milliseconds waits
 * for a CPU proportionally longer than one of half a second, so even cost factors shift. {@code compare} therefore
 * withholds a regression of a case measured on a busy host (inconclusive, exit 3).
 */
public final class HostLoad {
    /** Others' runnable tasks per CPU (at least {@link #MIN_BUSY}) from which the host counts as busy. */
    static final double BUSY_PER_CPU = 0.25;
    /** The least mean of others' runnable tasks that counts as busy, whatever the CPUs (half a task). */
    static final double MIN_BUSY = 0.5;
    /** Load average per CPU at a run's start above which an old run (no per-trial figures) is called busy. */
    static final double START_BUSY_PER_CPU = 0.5;

    private HostLoad() {
    }

    /** The mean of others' runnable tasks from which a host of {@code cpus} CPUs counts as busy. */
    public static double limit(int cpus) {
        return Math.max(MIN_BUSY, BUSY_PER_CPU * cpus);
    }

    /**
     * The other work measured during a run: over its measured trials, how many were measured, the mean and the
     * maximum of others' runnable tasks; {@code busyCases} are the cases (benchmark and parameters as stored) whose
     * trials averaged {@link #limit} or more, each with its mean.
     */
    public record Load(int trials, double mean, double max, int cpus, Map<List<String>, Double> busyCases) {
        public boolean busy() {
            return mean >= limit(cpus) || !busyCases.isEmpty();
        }
    }

    /** The run's measured other work; null for a run whose trials do not record it (made before isobench did). */
    public static Load load(StoredRun run) {
        List<StoredRun.TrialLoad> measured = run.loads().stream().filter(l -> !l.warmup()).toList();
        if (measured.isEmpty()) {
            return null;
        }
        int cpus = cpus(run);
        Map<List<String>, List<Double>> byCase = new LinkedHashMap<>();
        double sum = 0;
        double max = 0;
        for (StoredRun.TrialLoad l : measured) {
            sum += l.othersRunnable();
            max = Math.max(max, l.othersRunnable());
            byCase.computeIfAbsent(List.of(l.benchmark(), l.paramsJson()), k -> new ArrayList<>()).add(l.othersRunnable());
        }
        Map<List<String>, Double> busy = new LinkedHashMap<>();
        byCase.forEach((k, v) -> {
            double m = v.stream().mapToDouble(Double::doubleValue).average().orElse(0);
            if (m >= limit(cpus)) {
                busy.put(k, m);
            }
        });
        return new Load(measured.size(), sum / measured.size(), max, cpus, busy);
    }

    private static int cpus(StoredRun run) {
        return run.header().host().get("cpus") instanceof Number n ? Math.max(1, n.intValue()) : 1;
    }

    /**
     * A warning sentence for a stored run, or null when the host looked idle (or load was not recorded). It says
     * whether the load also biased the cost factors: it did where the native baseline ran in isobench's own cgroup
     * (runs before the baseline had a cgroup of its own, or hosts where it cannot have one: its "cgroup" detail).
     */
    public static String busyWarning(StoredRun run) {
        Boolean nativeOwnCgroup = run.runtimes().stream()
                .filter(r -> r.available() && r.runtime().equals("native"))
                .map(r -> r.details().get("cgroup") instanceof String s && s.startsWith("own"))
                .findFirst().orElse(null);
        Load load = load(run);
        String busy = load != null ? duringRun(load) : atStart(run.header().host());
        if (busy == null) {
            return null;
        }
        if (Boolean.FALSE.equals(nativeOwnCgroup)) {
            return busy + ", and cost factors too low: the native baseline ran in isobench's cgroup, sharing the CPUs "
                    + "with that work task by task, while each sandbox's own cgroup got a share as a whole";
        }
        if (Boolean.TRUE.equals(nativeOwnCgroup)) {
            return busy + " (the native baseline, like each sandbox, ran in a cgroup of its own, so the CPU scheduler "
                    + "shared the CPUs out to both alike; latencies of short launches still stretch unevenly)";
        }
        return busy;
    }

    static String duringRun(Load l) {
        if (!l.busy()) {
            return null;
        }
        String cases = l.busyCases().isEmpty() ? "" : "; busy while measuring " + l.busyCases().size()
                + (l.busyCases().size() == 1 ? " case: " : " cases: ") + describe(l.busyCases());
        return String.format(Locale.ROOT, "the host was busy during the run (other work: %.2f runnable tasks on "
                        + "average before its %d measured trials, at most %.1f, on %d CPUs; busy from %.2f%s): other "
                        + "work competes with the benchmarks and makes results noisier",
                l.mean(), l.trials(), l.max(), l.cpus(), limit(l.cpus()), cases);
    }

    private static String describe(Map<List<String>, Double> cases) {
        List<String> out = new ArrayList<>();
        cases.forEach((k, m) -> {
            String p = io.isobench.bench.Params.display(io.isobench.util.Json.readMap(k.get(1)));
            out.add(k.get(0) + (p.isEmpty() ? "" : " " + p) + String.format(Locale.ROOT, " (%.2f)", m));
        });
        int shown = Math.min(out.size(), 5);
        return String.join(", ", out.subList(0, shown)) + (out.size() > shown ? ", …" : "");
    }

    /** For a run without per-trial figures: the load average at its start. */
    static String atStart(Map<String, Object> host) {
        if (!(host.get("loadavg_start") instanceof Number start) || !(host.get("cpus") instanceof Number cpus)) {
            return null;
        }
        if (start.doubleValue() <= START_BUSY_PER_CPU * cpus.doubleValue()) {
            return null;
        }
        return String.format(Locale.ROOT, "the host may have been busy when the run started (load average %.2f on %d "
                + "CPUs; this run does not record the other work during its trials, and the load average also counts "
                + "the minute before): other work competes with the benchmarks and makes results noisier",
                start.doubleValue(), cpus.intValue());
    }
}
