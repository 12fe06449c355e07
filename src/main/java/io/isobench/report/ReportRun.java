package io.isobench.report;

import io.isobench.analysis.HostLoad;
import io.isobench.analysis.ResultStats;
import io.isobench.analysis.Statistics;
import io.isobench.analysis.Summary;
import io.isobench.store.StoredRun;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

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
     * What preceded every startup launch, or null when the run has no startup results: the plan's cooldown, with the host
     * idle, or, for cases with startup.runs, the previous launch's teardown. A sub-millisecond launch right after idle is
     * much slower on a VM than back-to-back (hyperfine's default), so the regime must travel with the figure. Shared by
     * {@link #fairnessNotes()} and {@link TextSummary}.
     */
    static String startupNote(Map<String, Object> plan, List<ResultStats> stats) {
        List<ResultStats> startup = stats.stream().filter(s -> s.benchmark().equals("startup")).toList();
        if (startup.isEmpty()) {
            return null;
        }
        Object cooldown = plan.get("cooldown");
        String c = cooldown == null ? "?" : cooldown.toString();
        boolean noCooldown;
        try {
            noCooldown = io.isobench.util.Units.parseDuration(c, "cooldown").isZero();
        } catch (io.isobench.util.UserException e) {
            noCooldown = false; // not recorded as a duration: say only what is known
        }
        // cases with startup.runs > 1 carry "runs"; the others launched once per iteration
        java.util.SortedSet<String> runs = new java.util.TreeSet<>();
        boolean single = false;
        for (ResultStats s : startup) {
            Object r = s.params().get("runs");
            if (r == null) {
                single = true;
            } else {
                runs.add(r.toString());
            }
        }
        List<String> parts = new ArrayList<>();
        if (!runs.isEmpty()) {
            parts.add("cases with runs=" + String.join("/", runs) + " launched that many times back-to-back in every "
                    + "iteration, each launch right after the previous one's teardown (hyperfine's regime), after an "
                    + "unsampled warm-up launch that followed the cooldown of " + c + ".");
        }
        if (single) {
            parts.add(noCooldown
                    ? "one launch per iteration, each right after the previous iteration was stored (cooldown 0s): near "
                    + "to, not the same as, hyperfine's back-to-back runs (isobench's bookkeeping comes between launches; "
                    + "startup.runs gives hyperfine's regime)."
                    : "every iteration's launch followed the run's cooldown of " + c + " with the host idle. On a VM a "
                    + "short launch right after idle can take far longer than back-to-back (on the 2-vCPU dev host: 0.55 ms "
                    + "native back-to-back, 1.0 ms after 50 ms idle, hyperfine's own runs included); compare startup "
                    + "figures only between runs with the same cooldown and runs; startup.runs gives hyperfine's "
                    + "back-to-back regime.");
        }
        return "startup: " + String.join(" ", parts);
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
     * VMs, gVisor's platform, runtimes that could not apply limits, a busy host, samples too few for verdicts, what
     * preceded every startup launch.
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
        for (StoredRun.RuntimeRow r : run.runtimes()) {
            if (!r.available()) {
                continue;
            }
            Map<String, Object> d = r.details();
            if ("tcg".equals(d.get("accel"))) {
                notes.add(r.runtime() + " ran under TCG emulation (no usable KVM): its figures are not those of a "
                        + "hardware-virtualized VM and must not be read as KVM numbers.");
            }
            if (d.get("platform") != null && r.runtime().contains("runsc")) {
                notes.add(r.runtime() + " used gVisor's " + d.get("platform") + " platform; system-call heavy results depend on it.");
            }
            // RunService writes "limits: not applied (...)" from this same detail: one check covers both
            if (d.get("limits_enforced") instanceof String s && s.startsWith("none")) {
                notes.add(r.runtime() + " ran without the plan's CPU and memory limits: " + s + ".");
            }
        }
        String busy = HostLoad.busyWarning(run.header().host());
        if (busy != null) {
            notes.add("Warning: " + busy + ".");
        }
        if (stats.stream().anyMatch(s -> Statistics.TOO_FEW.equals(s.verdict()))) {
            notes.add("Some comparisons have too few samples for the rank test to ever be significant "
                    + "(they show \"too few samples\"); use --repetitions 5 or more, or --repetitions auto.");
        }
        if (stats.stream().anyMatch(s -> s.benchmark().equals("memory") && Objects.equals(s.params().get("block_size"), "1K"))) {
            notes.add("memory at 1 KiB blocks is dominated by per-operation overhead, not bandwidth; compare with the 1 MiB case.");
        }
        if (stats.stream().anyMatch(s -> s.benchmark().equals("network"))) {
            StringBuilder n = new StringBuilder("network: client on the host, server in the sandbox, over each runtime's "
                    + "own network path (every trial's raw output starts with it and the CPU placement)");
            for (StoredRun.RuntimeRow r : run.runtimes()) {
                if (r.available() && r.details().get("network_with_ports") != null) {
                    n.append("; ").append(r.runtime()).append(": ").append(r.details().get("network_with_ports"));
                }
            }
            notes.add(n.append('.').toString());
        }
        String startup = startupNote(plan, stats);
        if (startup != null) {
            notes.add(startup);
        }
        for (StoredRun.StopRow st : run.stops()) {
            if (!st.reason().equals("fixed repetitions")) {
                notes.add(st.benchmark() + " " + st.paramsJson() + ": " + st.reason() + " (" + st.repetitions() + " repetitions).");
            }
        }
        return notes;
    }

    /** "k=v k=v" of a result's params. */
    public static String params(Map<String, Object> p) {
        StringBuilder sb = new StringBuilder();
        p.forEach((k, v) -> sb.append(sb.isEmpty() ? "" : " ").append(k).append('=').append(v));
        return sb.toString();
    }
}
