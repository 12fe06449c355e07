package io.isobench.report;

import io.isobench.util.Json;

import java.io.IOException;
import java.io.Writer;
import java.util.List;

/** The report as JSON: the run JSON contract (as `show --json`) for each run, in an array. */
public final class JsonReport implements ReportWriter {
    @Override
    public void write(List<ReportRun> runs, Writer out) throws IOException {
        out.write(Json.pretty(runs.stream().map(r -> RunJson.of(r.run(), r.stats())).toList()));
        out.write('\n');
    }
}
