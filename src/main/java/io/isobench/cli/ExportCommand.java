package io.isobench.cli;

import io.isobench.report.CsvReport;
import io.isobench.store.Store;
import io.isobench.store.StoredRun;
import io.isobench.util.Json;
import io.isobench.util.UserException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * `isobench export RUN... --format csv|json`: every raw sample, one per row (warmups included and tagged), each
 * benchmark parameter a column {@code param_<name>} and each time-series coordinate a column {@code series_<name>}
 * (empty where a row has none), so pandas.read_csv / DuckDB's read_csv load it as is.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Export runs' raw samples: one row per sample (warmups tagged), parameters as param_<name> columns.")
public final class ExportCommand implements Callable<Integer> {
    static final List<String> FIXED = List.of("run_id", "host", "benchmark", "runtime", "repetition", "warmup", "metric", "unit",
            "higher_is_better", "value");

    @Parameters(paramLabel = "RUN", arity = "1..*", description = "run ids, unique prefixes, or 'latest'")
    List<String> runs;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "csv", description = "csv (default) or json (an array of flat objects)")
    String format;

    @Mixin
    CommonOptions common;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (!format.equals("csv") && !format.equals("json")) {
            throw new UserException("--format: unknown format '" + format + "' (csv, json)");
        }
        try (Store store = common.openExistingStore()) {
            List<StoredRun> loaded = new ArrayList<>();
            for (String id : runs.stream().map(store::resolveRunId).distinct().toList()) {
                loaded.add(store.loadRun(id));
            }
            List<Map<String, Object>> rows = rows(loaded);
            Set<String> columns = new LinkedHashSet<>(FIXED);
            rows.forEach(r -> columns.addAll(r.keySet()));
            if (format.equals("csv")) {
                out.println(String.join(",", columns.stream().map(CsvReport::field).toList()));
                for (Map<String, Object> r : rows) {
                    out.println(String.join(",", columns.stream().map(c -> {
                        Object v = r.get(c);
                        return v == null ? "" : v instanceof String t ? CsvReport.field(t) : String.valueOf(v);
                    }).toList()));
                }
            } else {
                // every object has every column (null where absent): one schema for pandas.read_json and DuckDB
                out.println(Json.pretty(rows.stream().map(r -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    columns.forEach(c -> m.put(c, r.get(c)));
                    return m;
                }).toList()));
            }
            out.flush();
            return 0;
        }
    }

    /** One flat row per sample; parameter and series columns in the order they first appear. */
    static List<Map<String, Object>> rows(List<StoredRun> runs) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (StoredRun run : runs) {
            Object host = run.header().host().get("hostname");
            for (StoredRun.SampleRow s : run.samples()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("run_id", run.header().id());
                m.put("host", host == null ? null : host.toString());
                m.put("benchmark", s.benchmark());
                m.put("runtime", s.runtime());
                m.put("repetition", s.repetition());
                m.put("warmup", s.warmup());
                m.put("metric", s.metric());
                m.put("unit", s.unit());
                m.put("higher_is_better", s.higherIsBetter());
                m.put("value", s.value());
                Json.readMap(s.paramsJson()).forEach((k, v) -> m.put("param_" + k, v == null ? null : v.toString()));
                if (s.seriesJson() != null) {
                    Json.readMap(s.seriesJson()).forEach((k, v) -> m.put("series_" + k, v == null ? null : v.toString()));
                }
                rows.add(m);
            }
        }
        return rows;
    }
}
