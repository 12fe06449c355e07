package io.isobench.runtime.containerd;

import io.isobench.IntegrationSupport;
import io.isobench.proc.Proc;
import io.isobench.proc.ProcResult;
import io.isobench.util.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Ctrl-C while 8 {@code containerd:io.containerd.runc.v2} instances are being launched at once (startup with 8
 * instances, back to back), at a few moments after the first trial: afterwards containerd's isobench namespace has no
 * container or task of the run, runc's state root for it has no container, no mount (the containers' overlay rootfs)
 * names the run, and no shim of the run is running.
 */
class ContainerdInterruptIT {
    @TempDir
    Path dir;

    @Test
    void ctrlCDuringEightConcurrentLaunchesLeavesNothing() throws Exception {
        assumeTrue(IntegrationSupport.isRoot(), "integration tests need root");
        assumeTrue(Tools.which("ctr") != null && Tools.which("containerd-shim-runc-v2") != null, "containerd not installed");
        Path jar = Path.of("target/isobench.jar").toAbsolutePath();
        assumeTrue(Files.exists(jar), "needs the packaged jar (mvn verify)");
        for (int round = 0; round < 3; round++) {
            Path db = dir.resolve("c" + round + ".db");
            Path log = dir.resolve("c" + round + ".log");
            Process p = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                    "--enable-native-access=ALL-UNNAMED", "-jar", jar.toString(), "run", "--db", db.toString(),
                    "--runtimes", ContainerdCrunIT.RUNC_V2, "--benchmarks", "startup", "--warmups", "0", "--cooldown", "0s",
                    "--set", "startup.instances=8", "--set", "startup.iterations=200")
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            String runId;
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
                while (trials(db) < 1) {
                    assertThat(System.nanoTime()).as("a first trial within 180 s: " + Files.readString(log)).isLessThan(deadline);
                    Thread.sleep(100);
                }
                Thread.sleep(150 + 400L * round); // somewhere in the next 8 launches
                assertThat(Proc.of("kill", "-INT", Long.toString(p.pid())).timeout(Duration.ofSeconds(5)).run().ok()).isTrue();
                assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("exits after Ctrl-C").isTrue();
            } finally {
                p.destroyForcibly();
            }
            Matcher m = Pattern.compile("run (\\d{8}-\\d{6}-[0-9a-f]{4,12}):").matcher(Files.readString(log));
            assertThat(m.find()).as(Files.readString(log)).isTrue();
            runId = m.group(1);
            String prefix = ContainerdDriver.containerId("isobench-" + runId);
            assertThat(leftovers(prefix)).as("round %d, run %s: %s", round, runId, Files.readString(log)).isEmpty();
        }
    }

    /** Everything of containers whose id starts with {@code prefix}: containerd containers and tasks, runc state, shims. */
    static List<String> leftovers(String prefix) throws Exception {
        List<String> l = new ArrayList<>();
        // the host's containerd when it answers; else isobench ran a standalone one in its work dir, gone with it
        for (String what : Containerd.answers(Containerd.SYSTEM_SOCKET.toString()) ? List.of("containers", "tasks") : List.<String>of()) {
            ProcResult r = Proc.of("ctr", "-n", Containerd.NAMESPACE, what, "ls").timeout(Duration.ofSeconds(20)).run();
            assertThat(r.ok()).as(r.failureSummary()).isTrue();
            r.stdout().lines().skip(1).map(x -> x.strip().split("\\s+")[0]).filter(x -> x.startsWith(prefix))
                    .forEach(x -> l.add("ctr " + what + ": " + x));
        }
        Path root = ContainerdLeftovers.RUNC_ROOT;
        if (Files.isDirectory(root)) {
            try (var s = Files.list(root)) {
                s.map(x -> x.getFileName().toString()).filter(x -> x.startsWith(prefix)).forEach(x -> l.add("runc state: " + x));
            }
        }
        // a container's rootfs: an overlay mount on its bundle's rootfs dir, named by its id
        Files.readAllLines(Path.of("/proc/self/mountinfo")).stream().filter(x -> x.contains(prefix))
                .forEach(x -> l.add("mount: " + x));
        ProcessHandle.allProcesses().filter(h -> h.info().command().orElse("").contains("containerd-shim")
                && h.info().arguments().map(a -> String.join(" ", a).contains(prefix)).orElse(false))
                .forEach(h -> l.add("shim " + h.pid()));
        ProcessHandle.allProcesses().filter(h -> h.info().arguments().map(a -> String.join(" ", a).contains(prefix)).orElse(false))
                .filter(h -> Proc.running(h.pid())).forEach(h -> l.add("process " + h.pid() + " " + h.info().commandLine().orElse("")));
        return l;
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
