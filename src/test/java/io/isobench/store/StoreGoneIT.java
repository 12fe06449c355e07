package io.isobench.store;

import io.isobench.IntegrationSupport;
import io.isobench.proc.Cleanup;
import io.isobench.proc.Proc;
import io.isobench.proc.ProcResult;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A PostgreSQL store that goes away mid-run (the server stopped) fails the run with one line, and what was committed
 * before stays. The test starts its own server (initdb in a temp dir, as the postgres user) so that stopping it
 * disturbs nothing else.
 */
class StoreGoneIT {
    static final Path PG_BIN = Path.of("/usr/lib/postgresql/15/bin");

    @Test
    void aServerStoppedMidRunFailsTheRunWithOneLineAndKeepsWhatWasCommitted() throws Exception {
        assumeTrue(IntegrationSupport.isRoot(), "integration tests need root (the server runs as postgres)");
        if (!Files.isExecutable(PG_BIN.resolve("initdb"))) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new AssertionError("CI=true: PostgreSQL 15 is not installed (scripts/test-deps.sh)");
            }
            assumeTrue(false, "PostgreSQL 15 is not installed (scripts/test-deps.sh installs it)");
        }
        Path dir = Files.createTempDirectory("isobench-pg-");
        Path data = dir.resolve("data");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Cleanup.Action teardown = Cleanup.register("test postgres " + dir, () -> {
            pgCtl(data, "stop", "-m", "immediate");
            Proc.of("rm", "-rf", dir.toString()).timeout(Duration.ofSeconds(30)).run();
        });
        try {
            check(Proc.of("chown", "postgres:postgres", dir.toString()).timeout(Duration.ofSeconds(10)).run());
            check(Proc.of("runuser", "-u", "postgres", "--", PG_BIN.resolve("initdb").toString(), "-D", data.toString(),
                    "-A", "trust", "-U", "postgres", "--no-sync").timeout(Duration.ofSeconds(120)).run());
            String opts = "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off";
            check(pgCtl(data, "start", "-w", "-t", "60", "-l", dir.resolve("server.log").toString(), "-o", opts));
            String url = "postgresql://postgres@127.0.0.1:" + port + "/postgres";

            Path log = dir.resolve("run.log");
            Process p = ManyWritersIT.isobench(log, "run", "--db", url, "--runtimes", "native", "--benchmarks", "syscall",
                    "--set", "syscall.call=getpid", "--set", "syscall.time=1s", "--repetitions", "40", "--warmups", "0",
                    "--cooldown", "0s", "--quiet");
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
                while (trials(url) < 2) {
                    assertThat(System.nanoTime()).as("two trials within 180 s: " + Files.readString(log)).isLessThan(deadline);
                    assertThat(p.isAlive()).as(Files.readString(log)).isTrue();
                    Thread.sleep(300);
                }
                check(pgCtl(data, "stop", "-m", "fast"));
                assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("the run ends when its store is gone").isTrue();
            } finally {
                p.destroyForcibly();
            }
            String out = Files.readString(log);
            assertThat(p.exitValue()).as(out).isEqualTo(1);
            List<String> lines = out.lines().filter(l -> !l.isBlank()).toList();
            assertThat(lines).as(out).filteredOn(l -> l.contains("went away")).hasSize(1);
            assertThat(out).as("no stack trace").doesNotContain("\tat ").doesNotContain("Exception:");
            assertThat(lines).as("one line about the failure: " + out).filteredOn(l -> l.startsWith("isobench:")).hasSize(1);

            check(pgCtl(data, "start", "-w", "-t", "60", "-l", dir.resolve("server.log").toString(), "-o", opts));
            assertThat(trials(url)).as("trials committed before the stop are kept").isGreaterThanOrEqualTo(2);
        } finally {
            teardown.close();
        }
    }

    private static ProcResult pgCtl(Path data, String... args) {
        List<String> cmd = new java.util.ArrayList<>(List.of("runuser", "-u", "postgres", "--", PG_BIN.resolve("pg_ctl").toString(),
                "-D", data.toString()));
        cmd.addAll(List.of(args));
        return Proc.of(cmd).timeout(Duration.ofSeconds(90)).run();
    }

    private static void check(ProcResult r) {
        assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isZero();
    }

    private static int trials(String url) {
        StoreLocation l = StoreLocation.parse(url);
        try (Connection c = DriverManager.getConnection(l.jdbcUrl(), l.connectionProperties());
             ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM trials")) {
            rs.next();
            return rs.getInt(1);
        } catch (java.sql.SQLException e) {
            return 0; // schema not made yet
        }
    }
}
