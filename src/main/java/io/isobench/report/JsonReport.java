package io.isobench.report;

import io.isobench.util.Json;

import java.io.IOException;
import java.io.Writer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The report as JSON: the run JSON contract (as `show --json`) for each run, in an array. When the runs come from more
 * than one host, each run's object also has {@code hosts}: the side-by-side section of {@link MultiHostReport} (the
 * same in every element, so that the array stays the array it always was and {@code .[0].hosts} reads it).
 */
public final class JsonReport implements ReportWriter {
    @Override
    public void write(List<ReportRun> runs, Writer out) throws IOException {
        MultiHostReport multi = MultiHostReport.of(runs);
        Map<String, Object> hosts = multi.multiHost() ? multi.json() : null;
        out.write(Json.pretty(runs.stream().map(r -> {
            Map<String, Object> m = new LinkedHashMap<>(RunJson.of(r.run(), r.stats()));
            if (hosts != null) {
                m.put("hosts", hosts);
            }
            return m;
        }).toList()));
        out.write('\n');
    }
}
