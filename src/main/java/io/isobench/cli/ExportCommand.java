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
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** `isobench export RUN --format csv|json`: every raw sample of a run, one per row, warmups included and tagged. */
@Command(name = "export", mixinStandardHelpOptions = true, description = "Export a run's raw samples (one per row; warmups tagged).")
public final class ExportCommand implements Callable<Integer> {
    @Parameters(paramLabel = "RUN", description = "a run id, unique prefix, or 'latest'")
    String run;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "csv", description = "csv (default) or json")
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
            StoredRun r = store.loadRun(store.resolveRunId(run));
            String id = r.header().id();
            switch (format) {
                case "csv" -> {
                    out.println("run_id,benchmark,params,runtime,repetition,warmup,metric,unit,higher_is_better,value,series");
                    for (StoredRun.SampleRow s : r.samples()) {
                        out.println(String.join(",", CsvReport.field(id), CsvReport.field(s.benchmark()), CsvReport.field(s.paramsJson()),
                                CsvReport.field(s.runtime()), String.valueOf(s.repetition()), String.valueOf(s.warmup()),
                                CsvReport.field(s.metric()), CsvReport.field(s.unit()), String.valueOf(s.higherIsBetter()),
                                String.valueOf(s.value()), s.seriesJson() == null ? "" : CsvReport.field(s.seriesJson())));
                    }
                }
                case "json" -> out.println(Json.pretty(r.samples().stream().map(s -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("run_id", id);
                    m.put("benchmark", s.benchmark());
                    m.put("params", Json.readMap(s.paramsJson()));
                    m.put("runtime", s.runtime());
                    m.put("repetition", s.repetition());
                    m.put("warmup", s.warmup());
                    m.put("metric", s.metric());
                    m.put("unit", s.unit());
                    m.put("higher_is_better", s.higherIsBetter());
                    m.put("value", s.value());
                    if (s.seriesJson() != null) {
                        m.put("series", Json.readMap(s.seriesJson()));
                    }
                    return m;
                }).toList()));
                default -> throw new UserException("--format: unknown format '" + format + "' (csv, json)");
            }
            out.flush();
            return 0;
        }
    }
}
