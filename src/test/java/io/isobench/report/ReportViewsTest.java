package io.isobench.report;

import io.isobench.bench.Benchmark;
import io.isobench.bench.registry.Benchmarks;
import io.isobench.bench.Metric;
import io.isobench.store.StoredRun;
import org.junit.jupiter.api.Test;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** Report views name only what their benchmarks report; the writers name nothing; duplicates are not repeated. */
class ReportViewsTest {
    /** "view: benchmark/metric" for every metric a view names that its benchmark does not report (or an unknown benchmark). */
    static List<String> unknownNames(ReportView v) {
        List<String> bad = new ArrayList<>();
        v.metrics().forEach((bench, metrics) -> {
            Benchmark b = Benchmarks.byId(bench).orElse(null);
            if (b == null) {
                bad.add(v.title() + ": unknown benchmark " + bench);
                return;
            }
            List<String> reported = b.metrics().stream().map(Metric::name).toList();
            metrics.stream().filter(m -> !reported.contains(m)).forEach(m -> bad.add(v.title() + ": " + bench + "/" + m));
        });
        return bad;
    }

    @Test
    void everyViewNamesOnlyMetricsItsBenchmarkReports() {
        assertThat(ReportViews.all()).isNotEmpty();
        for (ReportView v : ReportViews.all()) {
            assertThat(unknownNames(v)).as(v.title()).isEmpty();
        }
        // the check can fail: a renamed metric or benchmark is caught
        ReportView renamed = new ReportView() {
            @Override
            public String title() {
                return "renamed";
            }

            @Override
            public Map<String, List<String>> metrics() {
                return Map.of("startup", List.of("ready_ms", "readiness_ms"), "no-such-bench", List.of());
            }

            @Override
            public List<Block> blocks(ReportRun r) {
                return List.of();
            }
        };
        assertThat(unknownNames(renamed)).containsExactlyInAnyOrder("renamed: startup/readiness_ms",
                "renamed: unknown benchmark no-such-bench");
    }

    @Test
    void writersAndTheGenericViewNameNoBenchmarkAndNoMetric() throws Exception {
        List<String> names = new ArrayList<>();
        for (Benchmark b : Benchmarks.all()) {
            names.add(b.id());
            b.metrics().forEach(m -> names.add(m.name()));
        }
        Path dir = Path.of("src/main/java/io/isobench/report");
        for (String f : List.of("HtmlReport.java", "MarkdownReport.java", "RunDocument.java", "ResultsView.java", "Svg.java",
                "TextSummary.java")) {
            String src = Files.readString(dir.resolve(f));
            for (String n : names) {
                assertThat(src).as(f).doesNotContainPattern(Pattern.quote("\"" + n + "\""));
            }
        }
    }

    /** The fixed run plus operations_per_second = 1024 × throughput in every memory sample, as sysbench reports at 1 KiB. */
    private static StoredRun withProportionalOps() {
        StoredRun base = ReportFixtures.run();
        List<StoredRun.SampleRow> s = new ArrayList<>(base.samples());
        for (StoredRun.SampleRow x : base.samples()) {
            if (x.benchmark().equals("memory")) {
                s.add(new StoredRun.SampleRow(x.benchmark(), x.paramsJson(), x.runtime(), x.repetition(), x.warmup(),
                        "operations_per_second", "ops/s", true, x.value() * 1024 * (1 + 1e-6 * x.repetition())));
                s.add(new StoredRun.SampleRow(x.benchmark(), x.paramsJson(), x.runtime(), x.repetition(), x.warmup(),
                        "other_per_second", "ops/s", true, x.value() + 100 * x.repetition()));
            }
        }
        return new StoredRun(base.header(), base.runtimes(), s, base.failures(), base.stops());
    }

    @Test
    void aMetricProportionalToAnotherSharesItsRowAndChart() throws Exception {
        ReportRun rr = ReportRun.of(withProportionalOps());
        assertThat(ResultsView.duplicates(rr).values()).extracting(v -> v.get(1)).containsExactly("operations_per_second");
        StringWriter w = new StringWriter();
        new HtmlReport().write(List.of(rr), w);
        String html = w.toString();
        // cpu, memory throughput (standing for operations/s too), memory other: 3 charts, not 4
        assertThat(ReportWritersTest.count(html, "<svg ")).isEqualTo(3);
        assertThat(html).contains("throughput_mib_per_s (≡ operations_per_second)")
                .contains("operations_per_second: a constant multiple of this metric in every sample");
        assertThat(html).doesNotContain("memory · operations_per_second");
        StringWriter m = new StringWriter();
        new MarkdownReport().write(List.of(rr), m);
        assertThat(m.toString()).contains("| memory | access_mode=seq block_size=1K | throughput_mib_per_s (≡ operations_per_second)")
                .contains("| other_per_second (ops/s, higher is better) |");
    }

    @Test
    void markdownEscapesToolText() throws Exception {
        StoredRun base = ReportFixtures.run();
        List<StoredRun.RuntimeRow> rts = new ArrayList<>();
        for (StoredRun.RuntimeRow r : base.runtimes()) {
            rts.add(r.runtime().equals("crun") ? new StoredRun.RuntimeRow("crun", "container", false, "1.8`x`", "exit 1: a|b `c` <script>\nnext *line*", Map.of()) : r);
        }
        List<StoredRun.FailureRow> f = List.of(new StoredRun.FailureRow("runsc", "cpu", "{\"max_prime\":\"20000\"}", 3, false,
                "bad | pipe\nand <b>tag</b> `tick`", "out | put\\"));
        StringWriter w = new StringWriter();
        new MarkdownReport().write(List.of(ReportRun.of(new StoredRun(base.header(), rts, base.samples(), f, base.stops()))), w);
        String md = w.toString();
        assertThat(md).contains("unavailable: exit 1: a\\|b \\`c\\` &lt;script&gt;<br>next \\*line\\*")
                .contains("bad \\| pipe<br>and &lt;b&gt;tag&lt;/b&gt; \\`tick\\`").contains("out \\| put\\\\ |")
                .doesNotContain("<script>").doesNotContain("<b>");
        // every table row has as many unescaped cell separators as its header
        String[] lines = md.split("\n");
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].startsWith("|") && i + 1 < lines.length && lines[i + 1].startsWith("|---")) {
                int cols = separators(lines[i]);
                for (int j = i + 1; j < lines.length && lines[j].startsWith("|"); j++) {
                    assertThat(separators(lines[j])).as(lines[j]).isEqualTo(cols);
                }
            }
        }
        assertThat(MarkdownReport.md("a|b", " ")).isEqualTo("a\\|b");
        assertThat(MarkdownReport.md("x\r\ny", "<br>")).isEqualTo("x<br>y");
    }

    /** Pipes not preceded by an odd number of backslashes. */
    private static int separators(String line) {
        int n = 0;
        int bs = 0;
        for (char c : line.toCharArray()) {
            if (c == '|' && bs % 2 == 0) {
                n++;
            }
            bs = c == '\\' ? bs + 1 : 0;
        }
        return n;
    }
}
