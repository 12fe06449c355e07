package io.isobench.report;

import io.isobench.proc.Proc;
import io.isobench.proc.ProcResult;
import io.isobench.util.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The HTML report in a real browser: headless Chromium (Debian's package) loads it from a file with no
 * network, and the rendered DOM must hold the charts with their bars and whiskers; a screenshot must be
 * produced; at 1280 pixels wide nothing may overflow the page and no chart text may be clipped
 * ({@link #LAYOUT_PROBE}, run in a copy of the report, writes its findings into the DOM).
 * {@code -Disobench.report=FILE} also checks that report (e.g. one of a real run).
 */
class ReportChromiumIT {
    @TempDir
    Path dir;

    static List<String> chromium(Path profile, String... args) {
        List<String> argv = new java.util.ArrayList<>(List.of(Tools.which("chromium"), "--headless", "--no-sandbox",
                "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-quic", "--user-data-dir=" + profile));
        argv.addAll(List.of(args));
        return argv;
    }

    /**
     * Opens every fold, then lists: page-level horizontal overflow; any element past the viewport's right edge that is
     * not inside a box that scrolls on its own (.scroll); SVG text whose box leaves its chart (getBBox against the
     * viewBox, and the rendered box against the svg's, which also covers rotated labels); and whether the first table
     * (the cost overview) needs to scroll. Written into {@code <pre id="layout">}.
     */
    static final String LAYOUT_PROBE = """
            <script>
            (function () {
              var out = [];
              document.querySelectorAll('details').forEach(function (d) { d.open = true; });
              var de = document.documentElement, W = de.clientWidth;
              if (de.scrollWidth > W + 1) out.push('page overflow: scrollWidth ' + de.scrollWidth + ' > ' + W);
              document.querySelectorAll('body *').forEach(function (e) {
                if (e.closest('.scroll') || e.closest('svg')) return;
                var r = e.getBoundingClientRect();
                if (r.right > W + 1) out.push('past the right edge: ' + e.tagName + ' ' + e.className + ' right=' + Math.round(r.right));
              });
              document.querySelectorAll('svg').forEach(function (svg) {
                var vb = svg.viewBox.baseVal, sr = svg.getBoundingClientRect();
                if (sr.right > W + 1) out.push('chart past the right edge: ' + Math.round(sr.right));
                svg.querySelectorAll('text').forEach(function (t) {
                  var b = t.getBBox(), r = t.getBoundingClientRect(), what = ' "' + t.textContent + '"';
                  if (!t.hasAttribute('transform') && (b.x < -0.5 || b.y < -0.5 || b.x + b.width > vb.width + 0.5
                      || b.y + b.height > vb.height + 0.5)) out.push('clipped (bbox)' + what);
                  if (r.left < sr.left - 0.5 || r.right > sr.right + 0.5 || r.top < sr.top - 0.5 || r.bottom > sr.bottom + 0.5)
                    out.push('clipped (rendered)' + what);
                });
              });
              var box = document.querySelector('.scroll');
              if (box && box.scrollWidth > box.clientWidth + 1) out.push('cost overview scrolls: ' + box.scrollWidth + ' > ' + box.clientWidth);
              var pre = document.createElement('pre');
              pre.id = 'layout';
              pre.textContent = 'checked ' + document.querySelectorAll('svg text').length + ' svg texts\\n' + out.join('\\n');
              document.body.appendChild(pre);
            })();
            </script>
            """;

    /** The probe's findings on {@code html} at 1280 × 900 (the first line says how many SVG texts it checked). */
    static List<String> layoutFindings(Path dir, Path html) throws Exception {
        Path probe = dir.resolve("probe-" + html.getFileName());
        Files.writeString(probe, Files.readString(html).replace("</body>", LAYOUT_PROBE + "</body>"));
        ProcResult dom = Proc.of(chromium(dir.resolve("p-" + html.getFileName()), "--window-size=1280,900", "--dump-dom",
                probe.toUri().toString())).timeout(Duration.ofSeconds(90)).run();
        assertThat(dom.exitCode()).as(dom.stderr()).isZero();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?s)<pre id=\"layout\">(.*?)</pre>").matcher(dom.stdout());
        assertThat(m.find()).as("the probe ran").isTrue();
        return m.group(1).lines().toList();
    }

    /** The fixture with long runtime names (emulated qemu-microvm, a Docker runtime) and startup and footprint results. */
    static io.isobench.store.StoredRun longNames() {
        io.isobench.store.StoredRun b = ReportFixtures.runWithStartupAndFootprint();
        java.util.function.UnaryOperator<String> n = rt -> switch (rt) {
            case "qemu" -> "qemu-microvm";
            case "runsc" -> "docker:runsc-netstack";
            default -> rt;
        };
        return new io.isobench.store.StoredRun(b.header(),
                b.runtimes().stream().map(r -> new io.isobench.store.StoredRun.RuntimeRow(n.apply(r.runtime()), r.kind(),
                        r.available(), r.version(), r.reason(), r.details())).toList(),
                b.samples().stream().map(x -> new io.isobench.store.StoredRun.SampleRow(x.benchmark(), x.paramsJson(),
                        n.apply(x.runtime()), x.repetition(), x.warmup(), x.metric(), x.unit(), x.higherIsBetter(), x.value(),
                        x.seriesJson())).toList(), b.failures(), b.stops());
    }

    @Test
    void nothingOverflowsOrIsClippedAt1280Pixels() throws Exception {
        assumeTrue(Tools.which("chromium") != null, "Debian's chromium is not installed");
        Path html = dir.resolve("long.html");
        try (Writer w = Files.newBufferedWriter(html)) {
            new HtmlReport().write(List.of(ReportRun.of(longNames())), w);
        }
        assertThat(Files.readString(html)).contains("qemu-microvm (TCG)").contains("docker:runsc-netstack");
        List<String> findings = layoutFindings(dir, html);
        assertThat(findings.get(0)).matches("checked [1-9][0-9]+ svg texts");
        assertThat(findings.subList(1, findings.size())).isEmpty();
        // the probe can fail: a too-wide element outside a scroll box and a label past its chart are found
        Path bad = dir.resolve("bad.html");
        Files.writeString(bad, "<!DOCTYPE html><html><body><div style=\"width:1500px\">wide</div><svg viewBox=\"0 0 100 40\" "
                + "width=\"100\" height=\"40\"><text x=\"60\" y=\"20\">a label too long for this chart</text></svg></body></html>");
        assertThat(layoutFindings(dir, bad)).anyMatch(f -> f.startsWith("page overflow"))
                .anyMatch(f -> f.startsWith("clipped (bbox) \"a label too long"));
        String real = System.getProperty("isobench.report");
        if (real != null) {
            List<String> r = layoutFindings(dir, Path.of(real));
            assertThat(r.subList(1, r.size())).as(real).isEmpty();
        }
    }

    /** The startup waterfall and in-flight charts: nothing clipped at 1280 pixels, lanes and segments in the DOM, a screenshot. */
    @Test
    void startupWaterfallRendersInChromium() throws Exception {
        assumeTrue(Tools.which("chromium") != null, "Debian's chromium is not installed");
        Path html = dir.resolve("arrivals.html");
        try (Writer w = Files.newBufferedWriter(html)) {
            new HtmlReport().write(List.of(ReportRun.of(ReportFixtures.runWithArrivals())), w);
        }
        List<String> findings = layoutFindings(dir, html);
        assertThat(findings.subList(1, findings.size())).isEmpty();
        ProcResult dom = Proc.of(chromium(dir.resolve("pw"), "--dump-dom", html.toUri().toString()))
                .timeout(Duration.ofSeconds(90)).run();
        assertThat(dom.exitCode()).as(dom.stderr()).isZero();
        assertThat(ReportWritersTest.count(dom.stdout(), "<rect class=\"seg\"")).isEqualTo(10 + 3 * 9 + 3);
        Path png = Path.of(System.getProperty("isobench.waterfall.png", dir.resolve("waterfall.png").toString()));
        ProcResult shot = Proc.of(chromium(dir.resolve("pw2"), "--hide-scrollbars", "--window-size=1280,2400",
                "--screenshot=" + png, html.toUri().toString())).timeout(Duration.ofSeconds(90)).run();
        assertThat(shot.exitCode()).as(shot.stderr()).isZero();
        assertThat(Files.size(png)).isGreaterThan(20_000);
    }

    @Test
    void chartsRenderInChromium() throws Exception {
        assumeTrue(Tools.which("chromium") != null, "Debian's chromium is not installed");
        Path html = dir.resolve("report.html");
        try (Writer w = Files.newBufferedWriter(html)) {
            new HtmlReport().write(List.of(ReportRun.of(ReportFixtures.run())), w);
        }
        ProcResult dom = Proc.of(chromium(dir.resolve("p1"), "--dump-dom", html.toUri().toString()))
                .timeout(Duration.ofSeconds(90)).run();
        assertThat(dom.exitCode()).as(dom.stderr()).isZero();
        String d = dom.stdout();
        assertThat(ReportWritersTest.count(d, "<svg ")).isEqualTo(2);
        assertThat(ReportWritersTest.count(d, "<rect class=\"bar\"")).isEqualTo(8);
        assertThat(d).contains("Cost of isolation").contains("class=\"num worse2\"");
        assertThat(d.indexOf("Cost of isolation")).as("answer first").isLessThan(d.indexOf("Host, provenance"));

        Path png = dir.resolve("report.png");
        ProcResult shot = Proc.of(chromium(dir.resolve("p2"), "--hide-scrollbars", "--window-size=1280,1800",
                "--screenshot=" + png, html.toUri().toString())).timeout(Duration.ofSeconds(90)).run();
        assertThat(shot.exitCode()).as(shot.stderr()).isZero();
        byte[] b = Files.readAllBytes(png);
        assertThat(b.length).isGreaterThan(20_000);
        assertThat(new String(b, 1, 3, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("PNG");
    }
}
