package io.isobench.cli;

import io.isobench.IntegrationSupport;
import io.isobench.proc.Proc;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The store's disk fills up in the middle of a run (a SQLite database on a 3 MiB tmpfs, filled once two trials are in):
 * the run ends 'failed' with the reason, isobench prints one line and exits 1, never leaving the run 'running'.
 */
class StoreFullIT {
    @TempDir
    Path dir;

    @Test
    void aFullDiskEndsTheRunFailedWithOneLineAndExit1() throws Exception {
        assumeTrue(IntegrationSupport.isRoot(), "mounting a tmpfs needs root");
        Path jar = Path.of("target/isobench.jar").toAbsolutePath();
        assumeTrue(Files.exists(jar), "needs the packaged jar (mvn verify)");
        Path fs = Files.createDirectory(dir.resolve("fs"));
        assertThat(Proc.of("mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", fs.toString()).timeout(Duration.ofSeconds(10))
                .run().ok()).isTrue();
        try {
            Path db = fs.resolve("s.db");
            Process p = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                    "--enable-native-access=ALL-UNNAMED", "-jar", jar.toString(), "run", "--db", db.toString(),
                    "--runtimes", "native", "--benchmarks", "cpu", "--repetitions", "100", "--warmups", "0",
                    "--cooldown", "0s", "--set", "cpu.time=1s", "--quiet")
                    .redirectOutput(dir.resolve("out").toFile()).redirectError(dir.resolve("err").toFile()).start();
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                while (trials(db) < 2) {
                    assertThat(System.nanoTime()).as("two trials within 120 s").isLessThan(deadline);
                    Thread.sleep(200);
                }
                fill(fs.resolve("fill"));
                assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("the run stops on the full disk").isTrue();
            } finally {
                p.destroyForcibly();
            }
            String err = Files.readString(dir.resolve("err")).lines().filter(l -> !l.startsWith("WARNING:"))
                    .filter(l -> !l.isBlank()).reduce("", (a, b) -> a + b + "\n");
            assertThat(p.exitValue()).as(err).isEqualTo(1);
            assertThat(err.lines()).as("one line").hasSize(1);
            assertThat(err).contains("full");
            Files.delete(fs.resolve("fill"));
            try (var c = DriverManager.getConnection("jdbc:sqlite:" + db);
                 var rs = c.createStatement().executeQuery("SELECT status, failure_reason FROM runs")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("failed");
                assertThat(rs.getString(2)).contains("full");
            }
        } finally {
            Proc.of("umount", "-l", fs.toString()).timeout(Duration.ofSeconds(10)).run();
        }
    }

    private static void fill(Path f) {
        try (FileOutputStream out = new FileOutputStream(f.toFile())) {
            byte[] b = new byte[4096];
            while (true) {
                out.write(b);
            }
        } catch (IOException e) {
            // ENOSPC: full
        }
    }

    private static int trials(Path db) {
        if (!Files.exists(db)) {
            return 0;
        }
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + db);
             var rs = c.createStatement().executeQuery("SELECT count(*) FROM trials")) {
            return rs.next() ? rs.getInt(1) : 0;
        } catch (Exception e) {
            return 0;
        }
    }
}
