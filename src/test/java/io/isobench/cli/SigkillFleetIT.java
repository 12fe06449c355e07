package io.isobench.cli;

import io.isobench.IntegrationSupport;
import io.isobench.proc.Proc;
import io.isobench.proc.ProcResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * SIGKILL while 64 runc instances are starting (startup with 64 instances): nothing cleans up then. The next run's
 * janitor must remove everything of the killed run: its runc containers, cgroups, launcher processes, namespaces and
 * work dirs.
 */
class SigkillFleetIT {
    @TempDir
    Path dir;

    @Test
    void sigkillDuringA64InstanceRuncStartupThenANewRunLeavesNothing() throws Exception {
        assumeTrue(IntegrationSupport.isRoot(), "integration tests need root");
        Path jar = Path.of("target/isobench.jar").toAbsolutePath();
        assumeTrue(Files.exists(jar), "needs the packaged jar (mvn verify)");
        String java = ProcessHandle.current().info().command().orElse("java");
        Path log = dir.resolve("k.log");
        Process p = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-jar", jar.toString(), "run", "--db",
                dir.resolve("k.db").toString(), "--runtimes", "runc", "--benchmarks", "startup", "--warmups", "0",
                "--cooldown", "0s", "--set", "startup.instances=64", "--set", "startup.iterations=3")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        String prefix;
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
            Pattern runLine = Pattern.compile("run (\\d{8}-\\d{6}-[0-9a-f]{4,12}):");
            Matcher m;
            while (!(m = runLine.matcher(Files.readString(log))).find()) {
                assertThat(System.nanoTime()).as("the run starts within 180 s: " + Files.readString(log)).isLessThan(deadline);
                Thread.sleep(100);
            }
            prefix = "isobench-" + m.group(1);
            // in the middle of the 64 launches: some containers exist, more are being created
            while (IntegrationSupport.leftoverContainers("runc", prefix).size() < 8) {
                assertThat(System.nanoTime()).as("runc containers appear: " + Files.readString(log)).isLessThan(deadline);
                Thread.sleep(20);
            }
            p.destroyForcibly();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            p.destroyForcibly();
        }
        long dead = p.pid();
        Thread.sleep(1000); // what the dead process started settles (launchers the spawn helper kills, detached containers stay)
        assertThat(IntegrationSupport.leftoverContainers("runc", prefix)).as("SIGKILL left containers (what the janitor is for)")
                .isNotEmpty();

        ProcResult next = Proc.of(java, "--enable-native-access=ALL-UNNAMED", "-jar", jar.toString(), "run", "--db",
                dir.resolve("n.db").toString(), "--runtimes", "native", "--benchmarks", "cpu", "--repetitions", "1",
                "--warmups", "0", "--cooldown", "0s", "--set", "cpu.time=1s", "--quiet").timeout(Duration.ofSeconds(300)).run();
        assertThat(next.exitCode()).as(next.combinedOutput()).isZero();
        assertThat(next.stderr()).contains("left by an isobench process that died");

        IntegrationSupport.assertNothingLeft(prefix);
        assertThat(IntegrationSupport.leftoverWorkDirs(dead)).isEmpty();
        List<String> procs = ProcessHandle.allProcesses().filter(h -> Proc.running(h.pid()))
                .filter(h -> h.info().arguments().map(a -> String.join(" ", a).contains(prefix)).orElse(false))
                .map(h -> h.pid() + " " + h.info().commandLine().orElse("")).toList();
        assertThat(procs).as("processes of the killed run").isEmpty();
        ProcResult ns = Proc.of("ip", "netns", "list").timeout(Duration.ofSeconds(10)).run();
        assertThat(ns.stdout()).doesNotContain("isobench-" + dead + "-");
    }
}
