package io.isobench.bench.server;

import io.isobench.IntegrationSupport;
import io.isobench.bench.Benchmark;
import io.isobench.bench.Params;
import io.isobench.bench.TrialContext;
import io.isobench.image.ImageBuilder;
import io.isobench.image.WorkloadImage;
import io.isobench.proc.Proc;
import io.isobench.proc.ProcResult;
import io.isobench.runtime.Limits;
import io.isobench.runtime.RuntimeDriver;
import io.isobench.runtime.Runtimes;
import io.isobench.util.Tools;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * While a benchmark's server runs, another local user (uid 65534, through setpriv) gets nothing from it: the fixed
 * credentials isobench used before no longer log in, and the trial's password is in no process's command line. With
 * the password, the server still reads and writes no file outside its own directory: MariaDB's benchmark account has
 * no FILE privilege, {@code secure_file_priv} is the trial's directory and {@code LOAD DATA LOCAL} is refused;
 * Redis has no CONFIG (so no {@code CONFIG SET dir}/{@code dbfilename} write), SAVE, DEBUG, MODULE or replication.
 */
class ServerLockdownIT {
    @TempDir
    static Path dir;

    @BeforeAll
    static void root() {
        assumeTrue(IntegrationSupport.isRoot(), "integration tests need root");
        for (String t : List.of("setpriv", "mariadbd", "mariadb", "redis-server", "redis-cli")) {
            assumeTrue(Tools.which(t) != null, t + " not installed");
        }
    }

    private static TrialContext context(String runtime, Benchmark b) {
        WorkloadImage image = new ImageBuilder(dir.resolve("images")).build(b.tools(), b.builtTools(), b.hostFiles(),
                b.imageFiles(), true);
        RuntimeDriver driver = Runtimes.all().stream().filter(d -> d.id().equals(runtime)).findFirst().orElseThrow();
        return new TrialContext(driver, image, new Limits(1, 1L << 30), new Params(Map.of()), Duration.ofSeconds(240),
                "isobench-lockit-" + b.id() + "-" + runtime + "-" + ProcessHandle.current().pid());
    }

    /** Runs argv as uid/gid 65534 with no supplementary groups: a local user who is not root. */
    private static ProcResult asNobody(String... argv) {
        List<String> a = new ArrayList<>(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"));
        a.addAll(List.of(argv));
        return Proc.of(a).timeout(Duration.ofSeconds(30)).run();
    }

    private static void assertNoCommandLineShows(String password) {
        ProcResult ps = asNobody("ps", "-e", "-ww", "-o", "args");
        assertThat(ps.ok()).as(ps.failureSummary()).isTrue();
        assertThat(ps.stdout()).as("every command line another user sees").isNotBlank().doesNotContain(password);
        ProcResult env = asNobody("ps", "e", "-e", "-ww", "-o", "args");
        assertThat(env.stdout()).doesNotContain(password);
    }

    @ParameterizedTest
    @ValueSource(strings = {"native", "runc"})
    void mariadbLetsNoOtherUserInAndReadsNoFileOutsideTheTrial(String runtime) throws Exception {
        MysqlBenchmark b = new MysqlBenchmark();
        TrialContext ctx = context(runtime, b);
        try (ServerSecret secret = ServerSecret.create()) {
            Path opts = MysqlBenchmark.clientOptions(secret);
            try (ServerTrial t = MysqlBenchmark.start(ctx, secret, 600L << 20, ServerTrial.Placement.plan("none", 1),
                    Duration.ofSeconds(180), opts)) {
                lockedDown(t, secret, opts);
            }
        }
        IntegrationSupport.assertNothingLeft(ctx.instancePrefix());
    }

    private static void lockedDown(ServerTrial t, ServerSecret secret, Path opts) {
        {
            String mariadb = Tools.which("mariadb");
            String port = Integer.toString(t.port());
            for (List<String> login : List.of(List.of("-u", "isobench", "-pisobench"), List.of("-u", "root"),
                    List.of("-u", "root", "-proot"))) {
                List<String> a = new ArrayList<>(List.of(mariadb, "--no-defaults", "-h", t.host(), "-P", port,
                        "--connect-timeout=5", "-N", "-B"));
                a.addAll(login);
                a.addAll(List.of("-e", "SELECT 1"));
                ProcResult r = asNobody(a.toArray(String[]::new));
                assertThat(r.exitCode()).as("login %s from uid 65534: %s", login, r.combinedOutput()).isNotZero();
                assertThat(r.stderr()).contains("Access denied");
            }
            assertNoCommandLineShows(secret.password());

            // with the trial's password: no file outside the trial's directory, in or out
            assertThat(sql(mariadb, opts, t, "SELECT @@local_infile, @@secure_file_priv").stdout().strip())
                    .matches("0\t.*/files/?");
            ProcResult grants = sql(mariadb, opts, t, "SHOW GRANTS");
            assertThat(grants.stdout()).contains("`sbtest`").doesNotContain("FILE").doesNotContain("ALL PRIVILEGES ON *.*");
            assertThat(sql(mariadb, opts, t, "SELECT LOAD_FILE('/etc/shadow') IS NULL").stdout().strip()).isEqualTo("1");
            assertThat(sql(mariadb, opts, t, "SELECT 1 INTO OUTFILE '/tmp/isobench-lockit-out'").exitCode()).isNotZero();
            assertThat(sql(mariadb, opts, t, "CREATE TABLE sbtest.f (a TEXT)").exitCode()).isZero();
            ProcResult local = sql(mariadb, opts, t, "LOAD DATA LOCAL INFILE '/etc/shadow' INTO TABLE sbtest.f");
            assertThat(local.exitCode()).as(local.combinedOutput()).isNotZero();
            assertThat(sql(mariadb, opts, t, "SELECT count(*) FROM sbtest.f").stdout().strip()).isEqualTo("0");
            assertThat(sql(mariadb, opts, t, "CREATE DATABASE other").exitCode()).as("no privilege beyond sbtest")
                    .isNotZero();
        }
    }

    private static ProcResult sql(String mariadb, Path opts, ServerTrial t, String query) {
        return Proc.of(mariadb, "--defaults-file=" + opts, "--local-infile=1", "-h", t.host(), "-P",
                Integer.toString(t.port()), "-N", "-B", "-e", query).timeout(Duration.ofSeconds(30)).run();
    }

    @ParameterizedTest
    @ValueSource(strings = {"native", "runc"})
    void redisLetsNoOtherUserInAndWritesNoFile(String runtime) throws Exception {
        RedisBenchmark b = new RedisBenchmark();
        TrialContext ctx = context(runtime, b);
        try (ServerSecret secret = ServerSecret.create();
             ServerTrial t = RedisBenchmark.start(ctx, secret, ServerTrial.Placement.plan("none", 1))) {
            String cli = Tools.which("redis-cli");
            String port = Integer.toString(t.port());
            // before: no password at all; now every command needs the trial's (Redis 7 says a disabled one is unknown
            // before it asks for the password)
            for (List<String> cmd : List.of(List.of("PING"), List.of("SET", "k", "v"), List.of("GET", "k"))) {
                List<String> a = new ArrayList<>(List.of(cli, "-h", t.host(), "-p", port));
                a.addAll(cmd);
                ProcResult r = asNobody(a.toArray(String[]::new));
                assertThat(r.combinedOutput()).as("%s from uid 65534", cmd).contains("NOAUTH");
            }
            for (List<String> cmd : List.of(List.of("CONFIG", "SET", "dir", "/etc"), List.of("SAVE"))) {
                List<String> a = new ArrayList<>(List.of(cli, "-h", t.host(), "-p", port));
                a.addAll(cmd);
                ProcResult r = asNobody(a.toArray(String[]::new));
                assertThat(r.combinedOutput()).as("%s from uid 65534", cmd).containsAnyOf("NOAUTH", "unknown command")
                        .doesNotContain("OK");
            }
            assertNoCommandLineShows(secret.password());

            // with the password: data commands work, nothing that writes files or reconfigures the server exists
            assertThat(redis(cli, t, secret, "SET", "k", "v").stdout().strip()).isEqualTo("OK");
            for (List<String> cmd : List.of(List.of("CONFIG", "SET", "dir", "/etc"),
                    List.of("CONFIG", "SET", "dbfilename", "shadow"), List.of("SAVE"), List.of("BGSAVE"),
                    List.of("DEBUG", "SLEEP", "0"), List.of("MODULE", "LOAD", "/tmp/x.so"),
                    List.of("REPLICAOF", "127.0.0.1", "1"), List.of("SLAVEOF", "127.0.0.1", "1"), List.of("FLUSHALL"),
                    List.of("KEYS", "*"), List.of("EVAL", "return 1", "0"), List.of("ACL", "LIST"))) {
                ProcResult r = redis(cli, t, secret, cmd.toArray(String[]::new));
                assertThat(r.combinedOutput()).as(String.join(" ", cmd)).contains("unknown command");
            }
            assertThat(redis(cli, t, secret, "GET", "k").stdout().strip()).isEqualTo("v");
        }
        IntegrationSupport.assertNothingLeft(ctx.instancePrefix());
    }

    /** redis-cli with the password from REDISCLI_AUTH (not its command line). */
    private static ProcResult redis(String cli, ServerTrial t, ServerSecret secret, String... cmd) {
        List<String> a = new ArrayList<>(List.of(cli, "-h", t.host(), "-p", Integer.toString(t.port())));
        a.addAll(List.of(cmd));
        return Proc.of(a).env(Map.of("REDISCLI_AUTH", secret.password())).timeout(Duration.ofSeconds(30)).run();
    }
}
