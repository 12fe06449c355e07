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
 * produced.
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

        Path png = dir.resolve("report.png");
        ProcResult shot = Proc.of(chromium(dir.resolve("p2"), "--hide-scrollbars", "--window-size=1200,1800",
                "--screenshot=" + png, html.toUri().toString())).timeout(Duration.ofSeconds(90)).run();
        assertThat(shot.exitCode()).as(shot.stderr()).isZero();
        byte[] b = Files.readAllBytes(png);
        assertThat(b.length).isGreaterThan(20_000);
        assertThat(new String(b, 1, 3, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("PNG");
    }
}
