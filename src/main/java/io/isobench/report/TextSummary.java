package io.isobench.report;

import io.isobench.analysis.ResultStats;
import io.isobench.analysis.Statistics;
import io.isobench.runtime.Runtimes;
import io.isobench.store.StoredRun;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The human summary after a run and in `show`: per benchmark, case and metric, one line per runtime with
 * median, its CI, p95, max, n and the cost against the baseline ("1.12x worse").
 */
public final class TextSummary {
    private TextSummary() {
    }

    public static void print(PrintWriter out, StoredRun run, List<ResultStats> stats, String baseline) {
        StoredRun.Header h = run.header();
        out.printf("run %s  %s  (%s → %s)%n", h.id(), h.status(), h.startedAt(), h.finishedAt() == null ? "…" : h.finishedAt());
        String resumed = ReportRun.resumedNote(run);
        if (resumed != null) {
            out.println(resumed);
        }
        Map<String, Object> host = h.host();
        out.printf("host: %s%s, %s CPUs, %s, kernel %s, cgroup %s%n",
                host.get("hostname") == null ? "" : host.get("hostname") + ": ", host.get("cpu_model"), host.get("cpus"),
                mib(host.get("memory_bytes")), host.get("kernel"), host.get("cgroup"));
        String busy = io.isobench.analysis.HostLoad.busyWarning(run);
        if (busy != null) {
            out.println("WARNING: " + busy);
        }
        for (StoredRun.RuntimeRow r : run.runtimes()) {
            if (r.available()) {
                out.printf("  %-12s %s %s%n", r.runtime(), Objects.toString(r.version(), ""),
                        r.details().isEmpty() ? "" : r.details().entrySet().stream()
                                .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", ", "[", "]")));
            } else {
                out.printf("  %-12s skipped: %s%n", r.runtime(), r.reason());
            }
        }
        String lastGroup = null;
        for (ResultStats s : stats) {
            String group = s.benchmark() + " " + s.metric() + " " + s.paramsKey();
            if (!group.equals(lastGroup)) {
                out.println();
                out.printf("%s · %s [%s, %s is better]  %s%n", s.benchmark(), s.metric(), s.unit(),
                        s.higherIsBetter() ? "higher" : "lower", params(s.params()));
                out.printf("  %-18s %12s %23s %10s %10s %4s %6s  %s%n", "runtime", "median", "95% CI of median", "p95", "max", "n", "cv",
                        "cost vs " + baseline);
                lastGroup = group;
            }
            out.printf("  %-18s %12s %23s %10s %10s %4d %6s  %s%n", label(run, s.runtime()), num(s.median()),
                    num(s.ci95Low()) + " – " + num(s.ci95High()) + (short95(s.ci95Level()) ? "†" : ""), num(s.p95()), num(s.max()), s.n(),
                    Double.isFinite(s.cv()) ? String.format(Locale.ROOT, "%.1f%%", s.cv() * 100) : "-", cost(s, baseline));
        }
        out.println();
        out.println("CI: distribution-free 95% intervals (the median's from order statistics, the cost factor's from both "
                + "medians' intervals); verdict: two-sided Mann-Whitney U, p-values adjusted by " + Statistics.CORRECTION
                + " over the run's results, differs when p_adj < 0.05 (\"too few samples\": no result could be "
                + "significant with this n; use more repetitions)");
        double shortest = stats.stream().flatMapToDouble(s -> java.util.stream.DoubleStream.of(s.ci95Level(),
                s.ratioCiLevel() == null ? 1 : s.ratioCiLevel())).filter(l -> l > 0).min().orElse(1);
        if (short95(shortest)) {
            out.printf(Locale.ROOT, "†: as wide as the samples allow and still short of 95%% (at least %.1f%%; n = 5 gives "
                    + "[min, max] at 93.75%%): use more repetitions%n", Math.floor(shortest * 1000) / 10);
        }
        for (StoredRun.StopRow st : run.stops()) {
            if (!st.reason().equals("fixed repetitions")) {
                out.printf("%s %s: stopped after %d repetitions: %s%n", st.benchmark(),
                        params(io.isobench.util.Json.readMap(st.paramsJson())), st.repetitions(), st.reason());
            }
        }
        ReportViews.notes(new ReportRun(run, stats, baseline)).forEach(out::println);
        run.runtimes().stream().map(r -> Runtimes.mark(r.runtime(), r.details())).filter(java.util.Objects::nonNull).distinct()
                .forEach(m -> out.println("(" + m.tag() + "): " + m.note()));
        if (!run.failures().isEmpty()) {
            out.println();
            out.printf("failures (%d; raw tool output is in the database, table failures):%n", run.failures().size());
            for (StoredRun.FailureRow f : run.failures()) {
                out.printf("  %s %s rep %d%s: %s%n", f.runtime(), f.benchmark(), f.repetition(), f.warmup() ? " (warmup)" : "",
                        f.reason());
            }
        }
        if (h.harnessCpuSeconds() != null) {
            out.printf("%nharness (isobench itself): %.2f s CPU, peak RSS %s%n", h.harnessCpuSeconds(),
                    mib(h.harnessPeakRssBytes()));
        }
        out.flush();
    }

    /**
     * The runtime's name, with its driver's mark when its results must not be read like the runtime's usual ones (e.g.
     * "(TCG)" for a VM under emulation, so nobody reads it as a KVM figure).
     */
    public static String label(StoredRun run, String runtime) {
        return run.runtimes().stream().filter(r -> r.runtime().equals(runtime)).map(r -> Runtimes.mark(runtime, r.details()))
                .filter(java.util.Objects::nonNull).findFirst().map(m -> runtime + " (" + m.tag() + ")").orElse(runtime);
    }

    static String cost(ResultStats s, String baseline) {
        if (s.runtime().equals(baseline)) {
            return "baseline";
        }
        Double r = s.ratioToBaseline();
        if (r == null) {
            return s.verdict() == null ? "n/a (no " + baseline + " result)"
                    : "n/a (no ratio: a median is not above 0): " + s.verdict();
        }
        double pct = (r - 1) * 100;
        String word = Math.abs(pct) < 0.05 ? "same" : (pct > 0 ? String.format(Locale.ROOT, "%.1f%% worse", pct)
                : String.format(Locale.ROOT, "%.1f%% better", -pct));
        String ci = s.ratioCi95Low() == null ? "" : String.format(Locale.ROOT, " [%.3f–%.3f]%s", s.ratioCi95Low(),
                s.ratioCi95High(), s.ratioCiLevel() != null && short95(s.ratioCiLevel()) ? "†" : "");
        return String.format(Locale.ROOT, "%.3fx%s %s: %s", r, ci, word, s.verdict());
    }

    /** An interval whose confidence is below 95 % (too few samples to reach it). */
    static boolean short95(double level) {
        return level < Statistics.LEVEL - 1e-9;
    }

    static String params(Map<String, Object> p) {
        return io.isobench.bench.Params.display(p);
    }

    static String num(double v) {
        double a = Math.abs(v);
        if (a >= 1000) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        if (a >= 10) {
            return String.format(Locale.ROOT, "%.2f", v);
        }
        return String.format(Locale.ROOT, "%.3f", v);
    }

    static String mib(Object bytes) {
        if (!(bytes instanceof Number n)) {
            return "?";
        }
        return String.format(Locale.ROOT, "%.0f MiB", n.doubleValue() / (1024 * 1024));
    }
}
