package io.isobench.report;

import io.isobench.analysis.HostLoad;
import io.isobench.analysis.ResultStats;
import io.isobench.analysis.Statistics;
import io.isobench.analysis.Summary;
import io.isobench.runtime.Runtimes;
import io.isobench.store.StoredRun;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** One run prepared for reports: its stored data, statistics, baseline, and the notes a fair reading needs. */
public record ReportRun(StoredRun run, List<ResultStats> stats, String baseline) {

    public static ReportRun of(StoredRun run) {
        Object b = run.header().plan().get("baseline");
        String baseline = b == null ? io.isobench.plan.Defaults.BASELINE : b.toString();
        return new ReportRun(run, Summary.of(run, baseline), baseline);
    }

    /** Runtimes in the run's order that have results. */
    public List<String> measuredRuntimes() {
        List<String> l = new ArrayList<>();
        for (StoredRun.RuntimeRow r : run.runtimes()) {
            if (stats.stream().anyMatch(s -> s.runtime().equals(r.runtime()))) {
                l.add(r.runtime());
            }
        }
        return l;
    }

    public String kindOf(String runtime) {
        return run.runtimes().stream().filter(r -> r.runtime().equals(runtime)).map(StoredRun.RuntimeRow::kind)
                .findFirst().orElse("?");
    }

    /** Results grouped by (benchmark, case params, metric), in measured order; each list in runtime order. */
    public Map<String, List<ResultStats>> groups() {
        Map<String, List<ResultStats>> g = new LinkedHashMap<>();
        for (ResultStats s : stats) {
            g.computeIfAbsent(groupKey(s), k -> new ArrayList<>()).add(s);
        }
        return g;
    }

    static String groupKey(ResultStats s) {
        return s.benchmark() + "\u0000" + s.paramsKey() + "\u0000" + s.metric();
    }

    /**
     * Null for a run that ran in one go; else when {@code run --resume} took it up again: its trials come from more
     * than one isobench process, and time passed between them.
     */
    public static String resumedNote(StoredRun run) {
        if (run.resumptions().isEmpty()) {
            return null;
        }
        List<String> parts = new ArrayList<>();
        for (StoredRun.Resumption r : run.resumptions()) {
            parts.add(r.resumedAt() + " (it was " + r.previousStatus() + ", " + r.trialsMissing() + " planned trials missing)");
        }
        return "This run was resumed (isobench run --resume) at " + String.join(", then at ", parts)
                + ": its trials were taken by more than one isobench process, with a pause between them.";
    }

    /**
     * What a reader must know to read the numbers fairly: unconfined baseline vs limited sandboxes, emulated
     * VMs, gVisor's platform, runtimes that could not apply limits, a busy host, samples too few for verdicts, then
     * every report view's notes (e.g. what preceded every startup launch) and early stops.
     */
    public List<String> fairnessNotes() {
        List<String> notes = new ArrayList<>();
        String resumed = resumedNote(run);
        if (resumed != null) {
            notes.add(resumed);
        }
        Map<String, Object> plan = run.header().plan();
        if (plan.get("limits") instanceof Map<?, ?> lim) {
            notes.add(String.format(Locale.ROOT, "Sandboxes were limited to %s CPUs and %s MiB of memory; the %s baseline ran unconfined.",
                    lim.get("cpus"), lim.get("memory_bytes") instanceof Number n ? n.longValue() / (1024 * 1024) : "?", baseline));
        }
        String placement = placementNote(plan, baseline);
        if (placement != null) {
            notes.add(placement);
        }
        for (StoredRun.RuntimeRow r : run.runtimes()) {
            if (!r.available()) {
                continue;
            }
            Map<String, Object> d = r.details();
            notes.addAll(Runtimes.caveats(r.runtime(), d)); // emulation, platform: the runtime's driver knows its caveats
            // RunService writes "limits: not applied (...)" from this same detail: one check covers both
            if (d.get("limits_enforced") instanceof String s && s.startsWith("none")) {
                notes.add(r.runtime() + " ran without the plan's CPU and memory limits: " + s + ".");
            }
        }
        String busy = HostLoad.busyWarning(run);
        if (busy != null) {
            notes.add("Warning: " + busy + ".");
        }
        if (stats.stream().anyMatch(s -> Statistics.TOO_FEW.equals(s.verdict()))) {
            notes.add("Some comparisons have too few samples for the rank test to ever be significant "
                    + "(they show \"too few samples\"); use --repetitions 5 or more, or --repetitions auto.");
        }
        notes.addAll(ReportViews.notes(this));
        for (StoredRun.StopRow st : run.stops()) {
            if (!st.reason().equals("fixed repetitions")) {
                notes.add(st.benchmark() + " " + st.paramsJson() + ": " + st.reason() + " (" + st.repetitions() + " repetitions).");
            }
        }
        return notes;
    }

    /** The results of one benchmark, in measured order. */
    public List<ResultStats> of(String benchmark) {
        return stats.stream().filter(s -> s.benchmark().equals(benchmark)).toList();
    }

    /** The result of (benchmark, case, metric, runtime), or null. */
    public ResultStats find(String benchmark, String paramsKey, String metric, String runtime) {
        return stats.stream().filter(s -> s.benchmark().equals(benchmark) && s.paramsKey().equals(paramsKey)
                && s.metric().equals(metric) && s.runtime().equals(runtime)).findFirst().orElse(null);
    }

    /** "k=v k=v" of a result's params. */
    public static String params(Map<String, Object> p) {
        StringBuilder sb = new StringBuilder();
        p.forEach((k, v) -> sb.append(sb.isEmpty() ? "" : " ").append(k).append('=').append(v));
        return sb.toString();
    }

    /**
     * What --cpuset and --numa did: pinned cases are their own cases ("cpuset" in their parameters), the baseline pinned
     * by taskset to the same set; a NUMA setting with its effect ("no effect: 1 NUMA node"). Null for the default.
     */
    static String placementNote(Map<String, Object> plan, String baseline) {
        if (!(plan.get("placement") instanceof Map<?, ?> pl)) {
            return null;
        }
        List<String> parts = new ArrayList<>();
        if (pl.get("cpuset") instanceof List<?> sets && !sets.equals(List.of("none"))) {
            List<String> pinned = sets.stream().map(String::valueOf).filter(x -> !x.equals("none")).toList();
            parts.add("Cases with cpuset=" + String.join(" / cpuset=", pinned) + " pinned every sandbox (VMs: every vCPU "
                    + "thread, one to one) to those host CPUs and the " + baseline + " baseline with taskset"
                    + (sets.contains("none") ? "; the cases without cpuset ran unpinned, so each pair shows what pinning "
                    + "changes for the same runtime" : ""));
        }
        if (pl.get("numa") instanceof String numa && !numa.equals("none")) {
            parts.add("NUMA placement " + numa + ": " + (pl.get("numa_effect") instanceof String e ? e : "recorded"));
        }
        return parts.isEmpty() ? null : String.join(". ", parts) + ".";
    }
}
