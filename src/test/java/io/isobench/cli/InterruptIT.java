package io.isobench.cli;

import io.isobench.IntegrationSupport;
import io.isobench.proc.Proc;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Ctrl-C in the middle of a run of the shipped jar: the process exits, the run is marked interrupted
 * with the samples taken so far, and no container, cgroup or temp dir is left.
 */
class InterruptIT {
    @TempDir
    Path dir;

    @Test
    void sigintTearsEverythingDownAndKeepsSamples() throws Exception {
        assumeTrue(IntegrationSupport.isRoot(), "integration tests need root");
        Path jar = Path.of("target/isobench.jar");
        assumeTrue(Files.exists(jar), "needs the packaged jar (mvn verify)");
        Path db = dir.resolve("i.db");
        ProcessBuilder pb = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED", "-jar", jar.toString(), "run", "--db", db.toString(),
                "--runtimes", "runc,runsc", "--benchmarks", "cpu", "--repetitions", "20", "--warmups", "0",
                "--cooldown", "0s", "--set", "cpu.time=3s");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        StringBuilder log = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            // wait until two trials are stored, so the third is running inside a sandbox
            while ((line = r.readLine()) != null) {
                log.append(line).append('\n');
                if (line.startsWith("[2/")) {
                    break;
                }
            }
            Thread.sleep(1000);
            Proc.of("kill", "-INT", Long.toString(p.pid())).timeout(Duration.ofSeconds(5)).run();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as(log.toString()).isTrue();
            while ((line = r.readLine()) != null) {
                log.append(line).append('\n');
            }
        } finally {
            p.destroyForcibly();
        }
        assertThat(log).contains("interrupted");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("run (\\d{8}-\\d{6}-[0-9a-f]{4}):").matcher(log);
        assertThat(m.find()).as(log.toString()).isTrue();
        IntegrationSupport.assertNothingLeft("isobench-" + m.group(1));
        assertThat(IntegrationSupport.leftoverWorkDirs(p.pid())).isEmpty();
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + db);
             var rs = c.createStatement().executeQuery(
                     "SELECT status, (SELECT count(*) FROM trials), harness_cpu_seconds FROM runs")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("interrupted");
            assertThat(rs.getInt(2)).isGreaterThanOrEqualTo(2);
            assertThat(rs.getDouble(3)).isPositive();
        }
    }
}
