package io.isobench.cli;

import io.isobench.IntegrationSupport;
import io.isobench.proc.Proc;
import io.isobench.util.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Ctrl-C (SIGINT) in the middle of a run of the shipped jar, while a trial runs inside a sandbox: the process
 * exits, the run is marked interrupted with the samples taken so far, and no container, cgroup or temp dir is
 * left. Once with plain pipes, once under a pseudo-terminal where the progress bar is active.
 */
class InterruptIT {
    @TempDir
    Path dir;

    @Test
    void sigintWithoutTerminal() throws Exception {
        interrupt(false);
    }

    /** Nothing the progress bar uses may take SIGINT away from the JVM's shutdown hooks. */
    @Test
    void sigintUnderATerminal() throws Exception {
        assumeTrue(Tools.which("script") != null, "script(1) from util-linux is needed for a pty");
        interrupt(true);
    }

    /**
     * SIGKILL runs no cleanup at all: the samples already taken must still be in the database, and the next
     * isobench run must remove the dead process's containers and work dir and mark its run abandoned.
     */
    @Test
    void sigkillLeftoversAreSweptByTheNextRun() throws Exception {
        assumeTrue(IntegrationSupport.isRoot(), "integration tests need root");
        Path jar = Path.of("target/isobench.jar").toAbsolutePath();
        assumeTrue(Files.exists(jar), "needs the packaged jar (mvn verify)");
        Path db = dir.resolve("k.db");
        Process p = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED", "-jar", jar.toString(), "run", "--db", db.toString(),
                "--runtimes", "runc", "--benchmarks", "cpu", "--repetitions", "20", "--warmups", "0",
                "--cooldown", "0s", "--set", "cpu.time=5s", "--quiet")
                .redirectErrorStream(true).redirectOutput(dir.resolve("k.log").toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (trials(db) < 1) {
                assertThat(System.nanoTime()).as("a first trial within 90 s").isLessThan(deadline);
                Thread.sleep(200);
            }
            Thread.sleep(1500); // the second trial's container is running now
            p.destroyForcibly();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            p.destroyForcibly();
        }
        String runId;
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + db);
             var rs = c.createStatement().executeQuery("SELECT id, status, (SELECT count(*) FROM samples) FROM runs")) {
            assertThat(rs.next()).isTrue();
            runId = rs.getString(1);
            assertThat(rs.getString(2)).isEqualTo("running");
            assertThat(rs.getInt(3)).as("samples committed before the kill").isGreaterThanOrEqualTo(4);
        }
        assertThat(IntegrationSupport.leftoverContainers("runc", "isobench-" + runId))
                .as("SIGKILL leaves the running container behind (this is what the sweep is for)").isNotEmpty();

        io.isobench.exec.Janitor.sweep(System.err);
        try (var store = io.isobench.store.Store.open(db)) {
            assertThat(store.abandonDeadRuns(new io.isobench.host.HostProbe().probe(
                    new io.isobench.host.KvmProbe(Duration.ofSeconds(1), dir.resolve("no-kvm"))).hostname())).containsExactly(runId);
        }
        IntegrationSupport.assertNothingLeft("isobench-" + runId);
        assertThat(IntegrationSupport.leftoverWorkDirs(p.pid())).isEmpty();
    }

    private void interrupt(boolean pty) throws Exception {
        assumeTrue(IntegrationSupport.isRoot(), "integration tests need root");
        Path jar = Path.of("target/isobench.jar").toAbsolutePath();
        assumeTrue(Files.exists(jar), "needs the packaged jar (mvn verify)");
        Path db = dir.resolve("i.db");
        List<String> cmd = List.of(ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED", "-jar", jar.toString(), "run", "--db", db.toString(),
                "--runtimes", "runc,runsc", "--benchmarks", "cpu", "--repetitions", "20", "--warmups", "0",
                "--cooldown", "0s", "--set", "cpu.time=3s");
        ProcessBuilder pb = pty
                // script(1) runs the command on a new pty and copies what it prints to our pipe
                ? new ProcessBuilder("script", "-qefc", String.join(" ", cmd), "/dev/null")
                : new ProcessBuilder(cmd);
        pb.redirectErrorStream(true);
        Process launcher = pb.start();
        StringBuffer log = new StringBuffer();
        Thread drain = Thread.ofVirtual().start(() -> {
            try (InputStream in = launcher.getInputStream()) {
                byte[] b = new byte[4096];
                int n;
                while ((n = in.read(b)) > 0) {
                    log.append(new String(b, 0, n, StandardCharsets.UTF_8));
                }
            } catch (Exception ignored) {
                // process ended
            }
        });
        try {
            ProcessHandle jvm = pty ? findJvm(launcher.toHandle()) : launcher.toHandle();
            // wait until one trial is stored, then a little longer so the next runs inside a sandbox
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (trials(db) < 1) {
                assertThat(System.nanoTime()).as("a first trial within 90 s: " + log).isLessThan(deadline);
                Thread.sleep(200);
            }
            Thread.sleep(1500);
            Proc.of("kill", "-INT", Long.toString(jvm.pid())).timeout(Duration.ofSeconds(5)).run();
            assertThat(launcher.waitFor(60, TimeUnit.SECONDS)).as(log.toString()).isTrue();
            drain.join(Duration.ofSeconds(5));
            assertThat(jvm.isAlive()).isFalse();

            assertThat(log.toString()).contains("interrupted");
            Matcher m = Pattern.compile("run (\\d{8}-\\d{6}-[0-9a-f]{4,12}):").matcher(log);
            assertThat(m.find()).as(log.toString()).isTrue();
            IntegrationSupport.assertNothingLeft("isobench-" + m.group(1));
            assertThat(IntegrationSupport.leftoverWorkDirs(jvm.pid())).isEmpty();
            try (var c = DriverManager.getConnection("jdbc:sqlite:" + db);
                 var rs = c.createStatement().executeQuery(
                         "SELECT status, (SELECT count(*) FROM trials), (SELECT count(*) FROM samples), harness_cpu_seconds FROM runs")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("interrupted");
                assertThat(rs.getInt(2)).isGreaterThanOrEqualTo(1);
                assertThat(rs.getInt(3)).isGreaterThanOrEqualTo(4);
                assertThat(rs.getDouble(4)).isPositive();
            }
        } finally {
            launcher.descendants().forEach(ProcessHandle::destroyForcibly);
            launcher.destroyForcibly();
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
            return 0; // not created yet
        }
    }

    private static ProcessHandle findJvm(ProcessHandle launcher) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            var jvm = launcher.descendants().filter(h -> h.info().command().map(c -> c.endsWith("/java")).orElse(false))
                    .findFirst();
            if (jvm.isPresent()) {
                return jvm.get();
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no java process under script");
    }
}
