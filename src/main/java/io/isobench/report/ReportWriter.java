package io.isobench.report;

import java.io.IOException;
import java.io.Writer;
import java.util.List;

/** Renders one or more runs in one format (html, md, csv, json). */
public interface ReportWriter {
    void write(List<ReportRun> runs, Writer out) throws IOException;

    static ReportWriter forFormat(String format) {
        return switch (format) {
            case "html" -> new HtmlReport();
            case "md" -> new MarkdownReport();
            case "csv" -> new CsvReport();
            case "json" -> new JsonReport();
            default -> throw new io.isobench.util.UserException("unknown format '" + format + "' (html, md, csv, json)");
        };
    }
}
