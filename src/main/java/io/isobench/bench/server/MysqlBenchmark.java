package io.isobench.bench.server;

import io.isobench.bench.Benchmark;
import io.isobench.bench.CommandBenchmark;
import io.isobench.bench.Metric;
import io.isobench.bench.ParamSpec;
import io.isobench.bench.Params;
import io.isobench.bench.Sample;
import io.isobench.bench.TrialContext;
import io.isobench.bench.TrialFailure;
import io.isobench.bench.TrialOutcome;
import io.isobench.bench.sysbench.Sysbench;
import io.isobench.bench.sysbench.SysbenchOutput;
import io.isobench.proc.Proc;
import io.isobench.proc.ProcResult;
import io.isobench.util.Tools;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * MariaDB inside the runtime, its data directory on the runtime's own storage (scratch): the system tables are
 * bootstrapped inside the sandbox ({@code mariadbd --bootstrap} fed the share/ SQL, as mariadb-install-db does, plus
 * a user and the sbtest database), then the server starts. From the host, sysbench prepares tables of a fixed size
 * (untimed), warms up, and runs oltp_read_write or oltp_read_only.
 */
public final class MysqlBenchmark implements Benchmark {
    static final int PORT = 3306;
    static final String SHARE = "/usr/share/mysql";
    static final String SQL_FILE = "mysql/isobench-users.sql";
    static final String USER = "isobench";
    public static final Metric TPS = new Metric("transactions_per_second", "tx/s", true);
    public static final Metric QPS = new Metric("queries_per_second", "queries/s", true);
    public static final Metric P95 = new Metric("latency_p95_ms", "ms", false);
    static final Metric AVG = new Metric("latency_avg_ms", "ms", false);
    static final Metric ERRORS = new Metric("ignored_errors_per_second", "errors/s", false);

    @Override
    public String id() {
        return "mysql";
    }

    @Override
    public String description() {
        return "MariaDB inside the runtime (data on its own storage), sysbench oltp_read_write/oltp_read_only on the host";
    }

    @Override
    public List<ParamSpec> params() {
        return List.of(
                ParamSpec.choice("test", "oltp_read_write,oltp_read_only", true, "sysbench test, one case each",
                        "oltp_read_write", "oltp_read_only", "oltp_point_select", "oltp_write_only"),
                ParamSpec.of("tables", "4", ParamSpec.Type.INT, "sysbench --tables, prepared before timing"),
                ParamSpec.of("table_size", "10000", ParamSpec.Type.INT, "rows per table (sysbench --table-size)"),
                ParamSpec.of("threads", "4", ParamSpec.Type.INT, "sysbench --threads: client connections"),
                ParamSpec.of("time", "10s", ParamSpec.Type.DURATION, "length of the measured run"),
                ParamSpec.of("warmup", "3s", ParamSpec.Type.DURATION, "untimed run of the same test before it (0s: none)"),
                ParamSpec.of("ready_timeout", "180s", ParamSpec.Type.DURATION,
                        "how long bootstrap + server start may take before the trial fails"),
                ServerTrial.placementParam());
    }

    @Override
    public Set<String> tools() {
        return Set.of("mariadbd", "sysbench", "mariadb");
    }

    @Override
    public Set<String> hostFiles() {
        return Set.of(SHARE);
    }

    @Override
    public Map<String, String> imageFiles() {
        return Map.of(SQL_FILE, usersSql());
    }

    /** Privileges the benchmark user has on sbtest (and nowhere else): what sysbench's prepare and run need. */
    static final List<String> DB_PRIVILEGES = List.of("Select", "Insert", "Update", "Delete", "Create", "Drop", "Index",
            "Alter", "Create_tmp_table", "Lock_tables");

    /**
     * Appended to the bootstrap SQL, before the line with the trial's password that the start script adds: bootstrap
     * runs without grant tables, so privileges go straight into the tables. No account but the benchmark's (the
     * bootstrap's password-less root accounts are deleted); no global privilege (no FILE, SUPER...); on sbtest only
     * what sysbench needs.
     */
    static String usersSql() {
        return """
                DELETE FROM mysql.global_priv WHERE User <> 'mariadb.sys';
                DELETE FROM mysql.proxies_priv;
                CREATE DATABASE sbtest;
                INSERT INTO mysql.db SET Host='%%', Db='sbtest', User='%1$s', %2$s;
                """.formatted(USER, String.join(", ", DB_PRIVILEGES.stream().map(x -> x + "_priv='Y'").toList()));
    }

    @Override
    public List<Metric> metrics() {
        return List.of(TPS, QPS, P95, AVG, ERRORS);
    }

    @Override
    public List<Params> cases(Params resolved) {
        return resolved.getList("test").stream().map(t -> resolved.with("test", t)).toList();
    }

    @Override
    public Duration expectedDuration(Params p) {
        // bootstrap + start (slow in user-space kernels and emulated VMs), prepare at ~2000 rows/s, warm-up, run
        long rows = p.getLong("tables") * p.getLong("table_size");
        return p.getDuration("time").plus(p.getDuration("warmup")).plusSeconds(30 + rows / 2000);
    }

    @Override
    public boolean runByDefault() {
        return false;
    }

    /**
     * Bootstraps the data dir on scratch, then execs the server. $0 mariadbd, $1 share dir, $2 extra SQL, $3 port,
     * $4 user; the password comes in {@link ServerSecret#ENV} (never on a command line) and leaves the environment
     * before the server starts. Socket and pid file are relative to the data dir (an absolute scratch path can
     * exceed the 107 bytes of a unix socket path). Native AIO is off in every runtime: mariadbd aborts on gVisor's
     * io_uring ("io_uring_wait_cqe()  returned -1"), and the same config must run everywhere. The server reads and
     * writes files only in the trial's own {@code files} directory ({@code secure_file_priv}) and refuses
     * {@code LOAD DATA LOCAL}.
     */
    static final String SCRIPT = """
            exec 2>&1
            P="$ISOBENCH_SERVER_PASSWORD"; unset ISOBENCH_SERVER_PASSWORD
            case "$P" in ''|*[!0-9a-f]*) echo "isobench: no usable password in the environment"; exit 1;; esac
            D="$ISOBENCH_SCRATCH/data"; F="$ISOBENCH_SCRATCH/files"
            mkdir -p "$D" "$F" || exit 1
            echo "isobench: bootstrapping system tables in $D"
            { echo 'create database if not exists mysql;'; echo 'use mysql;'; echo 'SET @auth_root_socket=NULL;';
              cat "$1/mysql_system_tables.sql" "$1/mysql_performance_tables.sql" "$1/mysql_system_tables_data.sql" "$2";
              echo "INSERT INTO mysql.global_priv VALUES ('%', '$4', JSON_OBJECT('access', 0, 'plugin', 'mysql_native_password', 'authentication_string', PASSWORD('$P')));"; } |
              "$0" --no-defaults --bootstrap --basedir=/usr --datadir="$D" --user=root --log-warnings=0 --innodb-use-native-aio=0 \
                --enforce-storage-engine= --max_allowed_packet=8M --net_buffer_length=16K || {
              echo "isobench: bootstrap failed"; exit 1; }
            P=
            echo "isobench: bootstrap done; starting the server"
            exec "$0" --no-defaults --basedir=/usr --datadir="$D" --user=root --bind-address=0.0.0.0 --port="$3" \
              --socket=mysqld.sock --pid-file=mysqld.pid --skip-name-resolve --max-connections=1000 \
              --innodb-use-native-aio=0 --secure-file-priv="$F" --local-infile=0
            """;

    /** Starts MariaDB for a trial with the given password (it reaches the server only through its environment). */
    static ServerTrial start(TrialContext ctx, ServerSecret secret, long scratch, ServerTrial.Placement placement,
                             Duration readyTimeout, Path clientOptions) throws TrialFailure, InterruptedException {
        String mariadb = ctx.image().tools().get("mariadb");
        List<String> argv = List.of(ctx.image().tools().get("busybox"), "sh", "-c", SCRIPT,
                ctx.image().tools().get("mariadbd"), SHARE, ctx.image().dataFiles().get(SQL_FILE), Integer.toString(PORT),
                USER);
        return ServerTrial.start(ctx, argv, Map.of(ServerSecret.ENV, secret.password()), PORT, scratch, placement,
                readyTimeout, ep -> selectOne(mariadb, clientOptions, ep));
    }

    /** The mariadb client's option file ({@code --defaults-file}): user and password, never on its command line. */
    static Path clientOptions(ServerSecret secret) {
        return secret.file("client.cnf", "[client]\nuser=" + USER + "\npassword=" + secret.password() + "\n");
    }

    @Override
    public TrialOutcome run(TrialContext ctx) throws TrialFailure, InterruptedException {
        Params p = ctx.params();
        long rows = p.getLong("tables") * p.getLong("table_size");
        long scratch = (512L << 20) + rows * 400; // redo log, system tablespace, ~250 B per sbtest row with index
        try (ServerSecret secret = ServerSecret.create();
             ServerTrial t = start(ctx, secret, scratch, ServerTrial.placement(ctx, p), p.getDuration("ready_timeout"),
                     clientOptions(secret))) {
            StringBuilder info = new StringBuilder();
            String sysbench = ctx.image().tools().get("sysbench");
            // user and password through sysbench's option file, not its command line
            Path auth = secret.file("sysbench.cfg", "mysql-user=" + USER + "\nmysql-password=" + secret.password() + "\n");
            List<String> common = List.of("--config-file=" + auth, "--db-driver=mysql", "--mysql-host=" + t.host(),
                    "--mysql-port=" + t.port(), "--mysql-db=sbtest", "--tables=" + p.get("tables"),
                    "--table-size=" + p.get("table_size"));
            long t0 = System.nanoTime();
            ProcResult prep = t.client(sysbench(sysbench, p.get("test"), common, List.of("--threads=" + Math.min(
                    p.getLong("tables"), p.getLong("threads"))), "prepare"));
            if (!prep.ok()) {
                throw t.clientFailure("sysbench prepare", prep);
            }
            info.append("isobench: prepared ").append(p.get("tables")).append(" tables x ").append(p.get("table_size"))
                    .append(" rows in ").append((System.nanoTime() - t0) / 1_000_000).append(" ms (untimed)\n");
            long warm = p.getDuration("warmup").toSeconds();
            List<String> threads = List.of("--threads=" + p.get("threads"), "--percentile=95");
            if (warm > 0) {
                List<String> w = new ArrayList<>(threads);
                w.add("--time=" + warm);
                ProcResult r = t.client(sysbench(sysbench, p.get("test"), common, w, "run"));
                if (!r.ok()) {
                    throw t.clientFailure("warm-up sysbench", r);
                }
                info.append("isobench: warm-up ").append(warm).append(" s (untimed)\n");
            }
            List<String> run = new ArrayList<>(threads);
            run.add("--time=" + Sysbench.seconds(p.getDuration("time")));
            List<String> cmd = sysbench(sysbench, p.get("test"), common, run, "run");
            info.append("isobench: client: ").append(String.join(" ", cmd)).append('\n');
            ProcResult r = t.client(cmd);
            if (!r.ok()) {
                throw t.clientFailure("sysbench " + p.get("test"), r);
            }
            String raw = t.rawOutput(info + r.stdout());
            try {
                return new TrialOutcome(parse(r.stdout()), raw);
            } catch (CommandBenchmark.ParseException e) {
                throw CommandBenchmark.failure("sysbench", e, raw);
            }
        }
    }

    private static List<String> sysbench(String sysbench, String test, List<String> common, List<String> extra, String verb) {
        List<String> a = new ArrayList<>(List.of(sysbench, test));
        a.addAll(common);
        a.addAll(extra);
        a.add(verb);
        return a;
    }

    static List<Sample> parse(String stdout) throws CommandBenchmark.ParseException {
        SysbenchOutput o = new SysbenchOutput(stdout);
        o.check();
        return List.of(
                new Sample(TPS, need(o.transactionsPerSecond(), "transactions per sec")),
                new Sample(QPS, need(o.queriesPerSecond(), "queries per sec")),
                new Sample(P95, need(o.latencyPercentileMs(), "95th percentile latency")),
                new Sample(AVG, need(o.latencyAvgMs(), "average latency")),
                new Sample(ERRORS, need(o.ignoredErrorsPerSecond(), "ignored errors")));
    }

    private static double need(OptionalDouble v, String what) throws CommandBenchmark.ParseException {
        if (v.isEmpty()) {
            throw new CommandBenchmark.ParseException("no " + what + " in sysbench's output");
        }
        return v.getAsDouble();
    }

    /** {@code SELECT 1} through the host's mariadb client (user and password from {@code options}) answers 1. */
    static void selectOne(String mariadb, Path options, InetSocketAddress ep) throws IOException {
        String client = mariadb != null ? mariadb : Tools.which("mariadb");
        ProcResult r = Proc.of(client, "--defaults-file=" + options, "-h", ep.getAddress().getHostAddress(), "-P",
                Integer.toString(ep.getPort()), "--connect-timeout=2", "-N", "-B", "-e", "SELECT 1")
                .timeout(Duration.ofSeconds(15)).run();
        if (!r.ok() || !r.stdout().strip().equals("1")) {
            throw new IOException("SELECT 1: " + (r.ok() ? "answered '" + r.stdout().strip() + "'"
                    : r.stderr().strip().lines().findFirst().orElse(r.failureSummary())));
        }
    }
}
