package io.isobench.report;

import io.isobench.analysis.ResultStats;
import io.isobench.util.Json;

import java.io.IOException;
import java.io.Writer;
import java.util.List;

/**
 * The report's results table as CSV: one row per (run, benchmark, params, metric, runtime); {@code host} is the run's
 * hostname (its cost factors are against its own run's baseline, on that host).
 */
public final class CsvReport implements ReportWriter {
    static final String HEADER = "run_id,benchmark,params,metric,unit,higher_is_better,runtime,n,median,mean,stddev,min,max,cv,"
            + "ci95_low,ci95_high,ratio_to_baseline,ratio_ci95_low,ratio_ci95_high,verdict,p_value,host";

    @Override
    public void write(List<ReportRun> runs, Writer out) throws IOException {
        StringBuilder sb = new StringBuilder(HEADER).append('\n');
        for (ReportRun r : runs) {
            for (ResultStats s : r.stats()) {
                sb.append(String.join(",", field(r.run().header().id()), field(s.benchmark()), field(Json.write(s.params())),
                        field(s.metric()), field(s.unit()), String.valueOf(s.higherIsBetter()), field(s.runtime()),
                        String.valueOf(s.n()), d(s.median()), d(s.mean()), d(s.stddev()), d(s.min()), d(s.max()), d(s.cv()),
                        d(s.ci95Low()), d(s.ci95High()), d(s.ratioToBaseline()), d(s.ratioCi95Low()), d(s.ratioCi95High()),
                        field(s.verdict()), d(s.pValue()), field(io.isobench.analysis.Hosts.name(r.run().header().host()))))
                        .append('\n');
            }
        }
        out.write(sb.toString());
    }

    static String d(Double v) {
        return v == null || !Double.isFinite(v) ? "" : String.valueOf(v);
    }

    /** RFC 4180 quoting. */
    public static String field(String s) {
        if (s == null) {
            return "";
        }
        if (s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r")) {
            return "\"" + s.replace("\"", "\"\"") + "\"";
        }
        return s;
    }
}
