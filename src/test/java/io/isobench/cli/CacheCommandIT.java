package io.isobench.cli;

import io.isobench.proc.Proc;
import io.isobench.proc.ProcResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code isobench cache} and {@code cache prune} from the packaged jar on a cache of its own ($XDG_CACHE_HOME): the
 * listing, a dry run, a prune held off by another process's lock on the cache (a POSIX lock, as a running isobench
 * holds), then the prune; and a run's own use of the cache: its image is marked used and survives a prune.
 */
class CacheCommandIT {
    @TempDir
    Path dir;

    private ProcResult isobench(Path xdg, String... args) {
        Path jar = Path.of("target/isobench.jar").toAbsolutePath();
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> argv = new java.util.ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-jar", jar.toString()));
        argv.addAll(List.of(args));
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("XDG_CACHE_HOME", xdg.toString());
        return Proc.of(argv).env(env).timeout(Duration.ofSeconds(300)).run();
    }

    @Test
    void listsPrunesWhatIsOldAndWaitsForNoOneElsesLock() throws Exception {
        assumeTrue(Files.exists(Path.of("target/isobench.jar")), "needs the packaged jar (mvn verify)");
        Path xdg = dir.resolve("xdg");
        Path root = xdg.resolve("isobench");
        Path old = Files.createDirectories(root.resolve("images/0123456789abcdef/rootfs"));
        Files.writeString(old.resolve("big"), "x".repeat(3 << 20));
        Files.setLastModifiedTime(old.getParent(), FileTime.from(Instant.now().minus(Duration.ofDays(45))));
        Path recent = Files.createDirectories(root.resolve("images/fedcba9876543210/rootfs"));

        ProcResult list = isobench(xdg, "cache");
        assertThat(list.exitCode()).as(list.combinedOutput()).isZero();
        assertThat(list.stdout()).contains("cache " + root + ": 3.0 MiB").containsPattern("workload images +2 +3\\.0 MiB");

        ProcResult dry = isobench(xdg, "cache", "prune", "--dry-run");
        assertThat(dry.stdout()).contains("would remove " + old.getParent(), "would remove 1 entries, 3.0 MiB; kept 1");
        assertThat(old).exists();

        ProcResult bad = isobench(xdg, "cache", "prune", "--unused-for", "soon");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.stderr()).contains("--unused-for: not a duration").doesNotContain("Exception");

        // another process holds the cache's lock shared, as every isobench that uses the cache does (fcntl, as Java's)
        Process holder = new ProcessBuilder("python3", "-c", "import fcntl,sys,time\nf=open(sys.argv[1],'a+')\n"
                + "fcntl.lockf(f, fcntl.LOCK_SH)\nprint('held', flush=True)\ntime.sleep(120)", root.resolve(".lock").toString())
                .redirectErrorStream(true).start();
        try {
            assertThat(new BufferedReader(new InputStreamReader(holder.getInputStream())).readLine()).isEqualTo("held");
            ProcResult busy = isobench(xdg, "cache", "prune");
            assertThat(busy.exitCode()).isEqualTo(1);
            assertThat(busy.stderr()).contains("another isobench process is using the cache");
            assertThat(old).exists();
        } finally {
            holder.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }

        ProcResult prune = isobench(xdg, "cache", "prune");
        assertThat(prune.exitCode()).as(prune.combinedOutput()).isZero();
        assertThat(prune.stdout()).contains("removed " + old.getParent(), "removed 1 entries, 3.0 MiB; kept 1");
        assertThat(old.getParent()).doesNotExist();
        assertThat(recent).exists();

        // a run builds its image into this cache and marks it used: a prune of all but the last minute keeps it
        ProcResult run = isobench(xdg, "run", "--db", dir.resolve("r.db").toString(), "--runtimes", "native", "--benchmarks",
                "cpu", "--repetitions", "1", "--warmups", "0", "--cooldown", "0s", "--set", "cpu.time=1s", "--quiet");
        assertThat(run.exitCode()).as(run.combinedOutput()).isZero();
        Files.setLastModifiedTime(recent.getParent(), FileTime.from(Instant.now().minus(Duration.ofHours(2))));
        ProcResult after = isobench(xdg, "cache", "prune", "--unused-for", "1h");
        assertThat(after.exitCode()).as(after.combinedOutput()).isZero();
        assertThat(recent.getParent()).as("not used for 2 h").doesNotExist();
        try (var s = Files.list(root.resolve("images"))) {
            assertThat(s.filter(p -> !p.getFileName().toString().startsWith(".")).toList()).as("the run's image").hasSize(1);
        }
    }
}
