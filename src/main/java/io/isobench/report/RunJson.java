package io.isobench.report;

import io.isobench.analysis.ResultStats;
import io.isobench.store.StoredRun;
import io.isobench.util.Json;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON contract of `run --json` and `show --json`. Later versions add fields; none is ever renamed
 * or removed.
 */
public final class RunJson {
    private RunJson() {
    }

    private static Double finite(double d) {
        return Double.isFinite(d) ? d : null;
    }

    /**
     * The other work measured before the run's measured trials ({@link io.isobench.analysis.HostLoad}): null for a run
     * that does not record it.
     */
    static Map<String, Object> hostLoad(StoredRun run) {
        io.isobench.analysis.HostLoad.Load l = io.isobench.analysis.HostLoad.load(run);
        if (l == null) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("trials", l.trials());
        m.put("others_runnable_mean", l.mean());
        m.put("others_runnable_max", l.max());
        m.put("busy_from", io.isobench.analysis.HostLoad.limit(l.cpus()));
        m.put("busy", l.busy());
        List<Map<String, Object>> cases = new ArrayList<>();
        l.busyCases().forEach((k, mean) -> {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("benchmark", k.get(0));
            c.put("params", io.isobench.util.Json.readMap(k.get(1)));
            c.put("others_runnable_mean", mean);
            cases.add(c);
        });
        m.put("busy_cases", cases);
        return m;
    }

    public static Map<String, Object> of(StoredRun run, List<ResultStats> stats) {
        StoredRun.Header h = run.header();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("run_id", h.id());
        m.put("started_at", h.startedAt());
        m.put("finished_at", h.finishedAt());
        m.put("status", h.status());
        m.put("resumptions", run.resumptions().stream().map(r -> Map.of("resumed_at", r.resumedAt(),
                "previous_status", r.previousStatus(), "trials_missing", r.trialsMissing())).toList());
        m.put("isobench_version", h.version());
        m.put("host", h.host());
        m.put("host_load", hostLoad(run));
        m.put("plan", h.plan());
        m.put("tools", h.tools());
        List<Map<String, Object>> runtimes = new ArrayList<>();
        for (StoredRun.RuntimeRow r : run.runtimes()) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("id", r.runtime());
            x.put("kind", r.kind());
            x.put("available", r.available());
            x.put("version", r.version());
            x.put("reason", r.reason());
            x.put("details", r.details());
            runtimes.add(x);
        }
        m.put("runtimes", runtimes);
        List<Map<String, Object>> results = new ArrayList<>();
        for (ResultStats s : stats) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("benchmark", s.benchmark());
            x.put("metric", s.metric());
            x.put("unit", s.unit());
            x.put("higher_is_better", s.higherIsBetter());
            x.put("params", s.params());
            x.put("runtime", s.runtime());
            x.put("n", s.n());
            x.put("median", s.median());
            x.put("mean", s.mean());
            x.put("stddev", s.stddev());
            x.put("min", s.min());
            x.put("max", s.max());
            x.put("p95", s.p95());
            x.put("ratio_to_baseline", s.ratioToBaseline());
            x.put("cv", finite(s.cv()));
            x.put("ci95_low", s.ci95Low());
            x.put("ci95_high", s.ci95High());
            x.put("ratio_ci95_low", s.ratioCi95Low());
            x.put("ratio_ci95_high", s.ratioCi95High());
            x.put("verdict", s.verdict());
            x.put("p_value", s.pValue());
            x.put("p_adjusted", s.pAdjusted()); // Benjamini-Hochberg over the run's runtime-vs-baseline results
            x.put("ci95_level", s.ci95Level()); // the median interval's own confidence (< 0.95 at n <= 5)
            x.put("ratio_ci95_level", s.ratioCiLevel()); // the cost interval's guaranteed confidence
            results.add(x);
        }
        m.put("results", results);
        List<Map<String, Object>> failures = new ArrayList<>();
        for (StoredRun.FailureRow f : run.failures()) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("runtime", f.runtime());
            x.put("benchmark", f.benchmark());
            x.put("params", Json.readMap(f.paramsJson()));
            x.put("repetition", f.repetition());
            x.put("warmup", f.warmup());
            x.put("reason", f.reason());
            failures.add(x);
        }
        m.put("failures", failures);
        List<Map<String, Object>> stops = new ArrayList<>();
        for (StoredRun.StopRow s : run.stops()) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("benchmark", s.benchmark());
            x.put("params", Json.readMap(s.paramsJson()));
            x.put("repetitions", s.repetitions());
            x.put("reason", s.reason());
            stops.add(x);
        }
        m.put("stops", stops);
        Map<String, Object> harness = new LinkedHashMap<>();
        harness.put("cpu_seconds", h.harnessCpuSeconds());
        harness.put("peak_rss_bytes", h.harnessPeakRssBytes());
        m.put("harness", harness);
        return m;
    }
}
