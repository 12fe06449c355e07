package io.isobench.report;

import io.isobench.util.UserException;
import org.junit.jupiter.api.Test;

import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReportWritersTest {
    static String render(String format) throws Exception {
        StringWriter w = new StringWriter();
        ReportWriter.forFormat(format).write(List.of(ReportRun.of(ReportFixtures.run())), w);
        return w.toString();
    }

    static int count(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    @Test
    void htmlIsSelfContainedWithOneChartPerCaseAndMetric() throws Exception {
        String html = render("html");
        assertThat(html).startsWith("<!DOCTYPE html>").contains("</html>");
        assertThat(html).doesNotContain("<script").doesNotContain("src=\"http").doesNotContain("href=\"http")
                .doesNotContain("@import").doesNotContain("url(");
        assertThat(count(html, "<svg ")).isEqualTo(2);               // cpu eps, memory throughput
        assertThat(count(html, "class=\"bar\"")).isEqualTo(8);      // 4 runtimes x 2 charts
        assertThat(count(html, "class=\"err\"")).isEqualTo(8 * 3);  // whisker + 2 caps per bar
        // verdict colors: runsc and qemu are clearly slower; runc is not
        assertThat(html).contains("class=\"num worse2\"").contains("class=\"num worse\"").contains("class=\"num noise\"");
        // provenance and fairness
        assertThat(html).contains("present, unusable (probe guest did not boot in 3 s)").contains("Test CPU")
                .contains("qemu ran under TCG emulation").contains("gVisor&#39;s ptrace platform")
                .contains("memory at 1 KiB blocks").contains("bwrap ran without the plan&#39;s CPU and memory limits");
        // failures are escaped, never injected
        assertThat(html).contains("&lt;sandbox&gt; killed &amp; removed").contains("partial &lt;output&gt;")
                .doesNotContain("<sandbox>");
        assertThat(html).contains("unavailable:").contains("crun");
        // emulated VMs are marked wherever their figures appear
        assertThat(html).contains("<th>qemu (TCG)</th>").contains(">qemu (TCG)</text>");
    }

    @Test
    void markdownHasTheCostTable() throws Exception {
        String md = render("md");
        assertThat(md).contains("| benchmark | case | metric | runc | runsc | qemu (TCG) |");
        assertThat(md).containsPattern("\\| cpu \\| max_prime=20000 \\| events_per_second \\(events/s, higher is better\\) \\| "
                + "1\\.00\\d× \\[[0-9.]+–[0-9.]+\\] (within noise|differs from baseline) \\| 1\\.20\\d× \\[");
        assertThat(md).contains("### Fairness notes").contains("### Failures");
        assertThat(md).doesNotContain("charts (median").contains("**every median with its 95% CI"); // no empty folds
        // answer first: the cost table comes before provenance
        assertThat(md).containsSubsequence("### Cost of isolation", "### Fairness notes", "### Host, provenance and runtimes");
    }

    @Test
    void csvHasOneRowPerResult() throws Exception {
        String csv = render("csv");
        List<String> lines = csv.lines().toList();
        assertThat(lines.get(0)).isEqualTo(CsvReport.HEADER);
        assertThat(lines).hasSize(1 + 8);
        assertThat(lines.get(1)).startsWith("20260101-000000-abcd,cpu,\"{\"\"max_prime\"\":\"\"20000\"\"}\",events_per_second,events/s,true,native,5,1800.0");
    }

    @Test
    void jsonIsTheRunContract() throws Exception {
        assertThat(render("json")).contains("\"run_id\" : \"20260101-000000-abcd\"").contains("\"ratio_ci95_low\"")
                .contains("\"verdict\" : \"differs from baseline\"");
    }

    @Test
    void unknownFormat() {
        assertThatThrownBy(() -> ReportWriter.forFormat("pdf")).isInstanceOf(UserException.class).hasMessageContaining("pdf");
    }

    @Test
    void ticks() {
        assertThat(Svg.tick(0)).isEqualTo("0");
        assertThat(Svg.tick(500)).isEqualTo("500");
        assertThat(Svg.tick(0.25)).isEqualTo("0.25");
        assertThat(Svg.tick(2500)).isEqualTo("2500");
        assertThat(Svg.niceCeiling(1810)).isEqualTo(2000);
        assertThat(Svg.niceCeiling(0.63)).isEqualTo(1);
        assertThat(Svg.niceCeiling(7050)).isEqualTo(10000);
    }

    @Test
    void serverTablesRowPerRuntimeWithTheCostBesideTheRate() throws Exception {
        assertThat(render("html")).doesNotContain("<h3>Servers</h3>");
        ReportRun rr = ReportRun.of(ReportFixtures.runWithServers());
        List<ServersView.Table> tables = ServersView.of(rr);
        assertThat(tables).extracting(ServersView.Table::title)
                .containsExactly("nginx · client=ab concurrency=100 requests=50000", "redis · concurrency=50");
        ServersView.Table nginx = tables.get(0);
        assertThat(nginx.header()).containsExactly("runtime", "req/s (median, 95% CI)", "cost vs native",
                "time per request ms (mean)", "failed", "connection total ms (median)", "n");
        assertThat(nginx.rows()).extracting(row -> row.get(0)).containsExactly("native", "runc", "runsc");
        assertThat(nginx.rows().get(0).get(1)).startsWith("11041.0 (");
        assertThat(nginx.rows().get(0).get(2)).isEqualTo("baseline");
        assertThat(nginx.rows().get(2).get(1)).startsWith("1148.0 (");
        assertThat(nginx.rows().get(2).get(2)).startsWith("9.62×"); // 11041 / 1148, oriented so that above 1 is worse
        assertThat(nginx.rows().get(2).get(6)).isEqualTo("3");
        ServersView.Table redis = tables.get(1);
        assertThat(redis.header()).containsExactly("runtime", "set req/s (median, 95% CI)", "set cost vs native",
                "get req/s (median, 95% CI)", "get cost vs native", "n");
        assertThat(redis.rows()).extracting(row -> row.get(0)).containsExactly("native", "runsc");
        assertThat(redis.rows().get(1).get(2)).startsWith("6.46×"); // 94302 / 14602
        StringWriter w = new StringWriter();
        new HtmlReport().write(List.of(rr), w);
        assertThat(w.toString()).contains("<h3>Servers</h3>", "<h4>nginx · client=ab concurrency=100 requests=50000</h4>",
                "14 474 req/s on runc").containsPattern("<td class=\"num few\">9\\.62× \\[9\\.56–9\\.69\\] too few samples");
        StringWriter md = new StringWriter();
        new MarkdownReport().write(List.of(rr), md);
        assertThat(md.toString()).contains("### nginx · client=ab concurrency=100 requests=50000",
                "| runtime | req/s (median, 95% CI) | cost vs native |").containsPattern("\\| runsc \\| 1148\\.0 \\(.*\\) \\| 9\\.62×");
    }

    @Test
    void startupScalingChartAndFootprintSectionOnlyWhenTheRunHasThem() throws Exception {
        assertThat(render("html")).doesNotContain("Startup").doesNotContain("<h3>Footprint");
        StringWriter w = new StringWriter();
        new HtmlReport().write(List.of(ReportRun.of(ReportFixtures.runWithStartupAndFootprint())), w);
        String html = w.toString();
        assertThat(html).contains("<h3>Startup</h3>").contains("<h3>Footprint</h3>");
        assertThat(count(html, "class=\"chart lines\"")).isEqualTo(1);              // one (delay, readiness) combination
        assertThat(count(html, "<polyline class=\"series\"")).isEqualTo(4);         // native and runc, p50 and p95 each
        assertThat(count(html, "stroke-dasharray")).isEqualTo(2 * 2);                 // p95 lines and their legend entries
        assertThat(html).contains(">native p50<").contains(">runc p95<");
        // x axis: instance counts in numeric order; point titles carry the values
        assertThat(html).containsSubsequence(">1</text>", ">4</text>", ">instances</text>");
        assertThat(html).contains("<title>native p50 at 1: 2.200</title>"); // 2 x 1.1, both iterations alike
        assertThat(html).contains("configured guest memory 512M");
        assertThat(html).contains("footprint · PSS per additional instance");
    }

    @Test
    void loadProfileTimeSeriesAreChartedAndKeptOutOfStatistics() throws Exception {
        ReportRun rr = ReportRun.of(ReportFixtures.runWithLoadProfile());
        assertThat(rr.stats()).filteredOn(x -> x.benchmark().equals("load-profile")).extracting(x -> x.metric())
                .containsOnly("load_cpu_percent"); // series points never become result groups
        List<TimeSeries> ts = TimeSeries.of(rr.run());
        assertThat(ts).hasSize(4);
        TimeSeries runcCpu = ts.stream().filter(t -> t.runtime().equals("runc") && t.metric().equals("cpu_percent")).findFirst().orElseThrow();
        assertThat(runcCpu.t()).hasSize(10).startsWith(0.1).endsWith(1.0);          // both reps on one 0.1 s grid
        assertThat(runcCpu.y()[0]).isEqualTo(1.5);                                   // idle: median of 1 and 2
        assertThat(runcCpu.y()[9]).isEqualTo(21.5);                                  // load: median of 21 and 22
        assertThat(runcCpu.phaseStart()).containsExactly(Map.entry("idle", 0.1), Map.entry("load", 0.6));
        assertThat(runcCpu.repetitions()).isEqualTo(2);
        StringWriter w = new StringWriter();
        new HtmlReport().write(List.of(rr), w);
        String html = w.toString();
        assertThat(html).contains("<h3>Load profile</h3>");
        assertThat(count(html, "class=\"chart timeseries\"")).isEqualTo(2);           // CPU % and RSS
        assertThat(count(html, "<polyline class=\"series\"")).isEqualTo(4);          // native and runc on each
        assertThat(count(html, ">load starts</text>")).isEqualTo(2);
        StringWriter m = new StringWriter();
        new MarkdownReport().write(List.of(rr), m);
        assertThat(m.toString()).contains("### Load profile").contains("| second | phase | native cpu_percent [%] | runc cpu_percent [%] "
                + "| native rss_mib [MiB] | runc rss_mib [MiB] |").contains("| 0–1 | idle |");
    }

    /** A Poisson case: no instances axis, a waterfall per runtime (a failed lane crossed) and instances in flight. */
    @Test
    void startupWaterfallAndInFlightPerCase() throws Exception {
        ReportRun rr = ReportRun.of(ReportFixtures.runWithArrivals());
        assertThat(rr.stats()).filteredOn(x -> x.benchmark().equals("startup")).extracting(x -> x.metric())
                .doesNotContain("instance_at_ms", "in_flight"); // series points never become result groups
        StringWriter w = new StringWriter();
        new HtmlReport().write(List.of(rr), w);
        String html = w.toString();
        assertThat(html).contains("<h4>poisson:20/s for 1s, seed 1, readiness first-line, mode cold</h4>");
        assertThat(count(html, "class=\"chart lines\"")).as("no instance count to scale over").isZero();
        assertThat(count(html, "class=\"chart waterfall\"")).isEqualTo(2);
        assertThat(count(html, "<g class=\"lane\">")).isEqualTo(20);
        assertThat(count(html, "<path class=\"fail\"")).as("runc's failed instance").isEqualTo(1);
        assertThat(html).contains("#2: launched 102.00 ms, setup 122.00, spawned 132.00, failed 162.00")
                .contains("runc: 10 instances of the first measured launch, 1 not ready");
        assertThat(count(html, "class=\"chart timeseries\"")).isEqualTo(1);
        assertThat(html).contains("instances in flight");
        StringWriter m = new StringWriter();
        new MarkdownReport().write(List.of(rr), m);
        assertThat(m.toString()).contains("**startup · waterfall · runc**")
                .contains("| #2 | 100.00 | 102.00 | setup 122.00, spawned 132.00, failed 162.00 | NOT READY |");
    }

    @Test
    void markdownHasStartupAndFootprintSections() throws Exception {
        StringWriter m = new StringWriter();
        new MarkdownReport().write(List.of(ReportRun.of(ReportFixtures.runWithStartupAndFootprint())), m);
        assertThat(m.toString()).contains("### Startup").containsPattern("\\| runc \\| 4 \\| [0-9.]+ \\| [0-9.]+ \\| – \\| [0-9.]+ \\| – \\| – \\| [0-9.]+ \\| 8 \\| [0-9.]+ \\|")
                .contains("### Footprint").contains("| runtime | pss_mib_per_instance | uss_mib_per_instance | note |")
                .contains("| runc | 2.015 | 1.500 | configured guest memory 512M (reported apart; not subtracted) |");
        StringWriter plain = new StringWriter();
        new MarkdownReport().write(List.of(ReportRun.of(ReportFixtures.run())), plain);
        assertThat(plain.toString()).doesNotContain("### Startup").doesNotContain("### Footprint").doesNotContain("### Load profile");
    }

    @Test
    void lineChartSkipsMissingPoints() {
        String svg = Svg.lines("t", "x", "y", List.of("1", "4", "8"),
                List.of(new Svg.Series("a", "#000", false, new double[]{1, Double.NaN, 3})));
        assertThat(count(svg, "<circle ")).isEqualTo(2);
        assertThat(svg).contains("points=\"").doesNotContain("NaN");
    }

    @Test
    void chartLabelsThatDoNotFitAreAbbreviatedWithTheFullTextAsTitle() {
        assertThat(Svg.fit("runc", 100, Svg.CHAR)).isEqualTo("runc");
        String long_ = "docker:runsc-netstack-with-a-very-long-name (TCG)";
        String fitted = Svg.fit(long_, 100, Svg.CHAR);
        assertThat(fitted).endsWith("…<title>" + long_ + "</title>").startsWith("docker:runsc");
        assertThat(fitted.substring(0, fitted.indexOf("<title>")).length()).isLessThanOrEqualTo((int) (100 / Svg.CHAR));
        // a bar chart widens its label column for "qemu-microvm (TCG)" instead of clipping it
        ReportRun rr = ReportRun.of(ReportFixtures.run());
        String svg = Svg.bars("t", rr.groups().values().iterator().next(), rt -> "#000", rt -> rt.equals("qemu") ? "qemu-microvm (TCG)" : rt);
        assertThat(svg).contains(">qemu-microvm (TCG)</text>");
    }
}
