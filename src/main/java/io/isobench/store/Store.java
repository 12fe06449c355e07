package io.isobench.store;

import io.isobench.bench.Sample;
import io.isobench.util.Json;
import io.isobench.util.UserException;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The SQLite results store. The schema is managed by Flyway migrations (src/main/resources/db/migration).
 * Every trial is committed when it ends (WAL journal, synchronous=FULL), so a crash or Ctrl-C loses no sample
 * already taken. Methods are synchronized: the shutdown hook may mark a run interrupted while the main
 * thread is between trials.
 */
public final class Store implements AutoCloseable {
    private final Path file;
    private final Connection conn;

    private Store(Path file, Connection conn) {
        this.file = file;
        this.conn = conn;
    }

    /** Default location: $ISOBENCH_DB, else $XDG_DATA_HOME/isobench/isobench.db, else ~/.local/share/isobench/isobench.db. */
    public static Path defaultPath() {
        String env = System.getenv("ISOBENCH_DB");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        String xdg = System.getenv("XDG_DATA_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".local", "share");
        return base.resolve("isobench").resolve("isobench.db");
    }

    /** Opens (creating and migrating as needed). An unusable path is the user's to fix: {@link UserException}. */
    public static Store open(Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            if (Files.isDirectory(file)) {
                throw new UserException("database path " + file + " is a directory");
            }
            if (Files.exists(file) ? !Files.isWritable(file) : (parent != null && !Files.isWritable(parent))) {
                throw new UserException("database path " + file + " is not writable");
            }
        } catch (java.io.IOException e) {
            throw new UserException("cannot create the database directory for " + file + " ("
                    + e.getClass().getSimpleName().replace("Exception", "") + ": " + e.getMessage() + ")");
        }
        String url = "jdbc:sqlite:" + file.toAbsolutePath();
        try {
            Flyway.configure().dataSource(url, null, null).locations("classpath:db/migration")
                    .loggers("slf4j").load().migrate();
            Connection c = DriverManager.getConnection(url);
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=FULL");
                s.execute("PRAGMA foreign_keys=ON");
                s.execute("PRAGMA busy_timeout=10000");
            }
            return new Store(file, c);
        } catch (SQLException | FlywayException e) {
            throw new UserException("cannot open the database " + file + ": " + rootMessage(e), e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        String m = String.valueOf(t.getMessage()).strip();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl).strip() + " (--debug shows the rest)";
    }

    public Path file() {
        return file;
    }

    public synchronized void createRun(String id, Instant startedAt, String version, Map<String, Object> host,
                                       Map<String, Object> plan, Map<String, Object> tools) {
        exec("INSERT INTO runs(id, started_at, status, isobench_version, host_json, plan_json, tools_json, harness_pid, harness_host) "
                        + "VALUES (?,?,?,?,?,?,?,?,?)",
                id, startedAt.toString(), "running", version, Json.write(host), Json.write(plan), Json.write(tools),
                ProcessHandle.current().pid(), host.get("hostname"));
    }

    public synchronized void addRuntime(String runId, String runtime, String kind, boolean available, String version,
                                        String reason, Map<String, Object> details) {
        exec("INSERT INTO run_runtimes(run_id, runtime, kind, available, version, reason, details_json) VALUES (?,?,?,?,?,?,?)",
                runId, runtime, kind, available ? 1 : 0, version, reason, Json.write(details));
    }

    /** Records one finished trial with its samples (or its failure) in one transaction. Returns the trial id. */
    public synchronized long recordTrial(TrialRecord t) {
        try {
            conn.setAutoCommit(false);
            long trialId;
            try (PreparedStatement ps = conn.prepareStatement(
                    "INSERT INTO trials(run_id, benchmark, params_json, runtime, repetition, warmup, started_at, elapsed_ms, status, raw_output) "
                            + "VALUES (?,?,?,?,?,?,?,?,?,?)", Statement.RETURN_GENERATED_KEYS)) {
                bind(ps, t.runId(), t.benchmark(), Json.write(t.params()), t.runtime(), t.repetition(), t.warmup() ? 1 : 0,
                        t.startedAt().toString(), t.elapsedMs(), t.failureReason() == null ? "ok" : "failed", t.rawOutput());
                ps.executeUpdate();
                try (ResultSet rs = ps.getGeneratedKeys()) {
                    rs.next();
                    trialId = rs.getLong(1);
                }
            }
            String paramsJson = Json.write(t.params());
            try (PreparedStatement ps = conn.prepareStatement(
                    "INSERT INTO samples(trial_id, run_id, benchmark, params_json, runtime, repetition, warmup, metric, unit, higher_is_better, "
                            + "value, series_json) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)")) {
                for (Sample s : t.samples()) {
                    bind(ps, trialId, t.runId(), t.benchmark(), paramsJson, t.runtime(), t.repetition(), t.warmup() ? 1 : 0,
                            s.metric().name(), s.metric().unit(), s.metric().higherIsBetter() ? 1 : 0, s.value(),
                            s.series() == null ? null : Json.write(new java.util.TreeMap<>(s.series())));
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            if (t.failureReason() != null) {
                try (PreparedStatement ps = conn.prepareStatement(
                        "INSERT INTO failures(trial_id, run_id, runtime, benchmark, params_json, repetition, warmup, reason, raw_output) "
                                + "VALUES (?,?,?,?,?,?,?,?,?)")) {
                    bind(ps, trialId, t.runId(), t.runtime(), t.benchmark(), paramsJson, t.repetition(), t.warmup() ? 1 : 0,
                            t.failureReason(), t.rawOutput());
                    ps.executeUpdate();
                }
            }
            conn.commit();
            return trialId;
        } catch (SQLException e) {
            try {
                conn.rollback();
            } catch (SQLException ignored) {
                // the original error matters
            }
            throw new StoreException("cannot record a trial: " + e.getMessage(), e);
        } finally {
            try {
                conn.setAutoCommit(true);
            } catch (SQLException ignored) {
                // next statement reports it
            }
        }
    }

    public synchronized void recordStop(String runId, String benchmark, Map<String, String> params, int repetitions,
                                        String reason) {
        exec("INSERT INTO case_stops(run_id, benchmark, params_json, repetitions, reason) VALUES (?,?,?,?,?)",
                runId, benchmark, Json.write(params), repetitions, reason);
    }

    public synchronized void finishRun(String id, String status, double cpuSeconds, long peakRss) {
        exec("UPDATE runs SET finished_at=?, status=?, harness_cpu_seconds=?, harness_peak_rss_bytes=? WHERE id=?",
                Instant.now().toString(), status, cpuSeconds, peakRss, id);
        double load = new io.isobench.host.HostProbe().loadAverage();
        if (Double.isFinite(load)) {
            exec("UPDATE runs SET host_json=json_set(host_json, '$.loadavg_end', ?) WHERE id=?", load, id);
        }
    }

    /**
     * Marks runs of this host still "running" whose harness process is gone (killed with SIGKILL, out of memory,
     * power loss) as "abandoned". Their samples stay. Returns the ids.
     */
    public synchronized List<String> abandonDeadRuns(String hostname) {
        List<String> dead = new ArrayList<>();
        try (PreparedStatement ps = conn.prepareStatement(
                "SELECT id, harness_pid FROM runs WHERE status='running' AND harness_host=?")) {
            ps.setString(1, hostname);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long pid = rs.getLong(2);
                    if (pid != ProcessHandle.current().pid() && ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true)) {
                        dead.add(rs.getString(1));
                    }
                }
            }
        } catch (SQLException e) {
            throw new StoreException("cannot look for abandoned runs: " + e.getMessage(), e);
        }
        for (String id : dead) {
            exec("UPDATE runs SET status='abandoned' WHERE id=? AND status='running'", id);
        }
        return dead;
    }

    /** A trial already stored for a run: what {@code --resume} must not run again. */
    public record DoneTrial(String benchmark, String paramsJson, String runtime, int repetition, boolean warmup,
                            boolean ok, Double firstValue) {
    }

    /** Where a run stands for {@code --resume}: its status, the host and pid that ran it. */
    public record RunState(String id, String status, String host, Long pid) {
    }

    public synchronized RunState runState(String id) {
        try (PreparedStatement ps = conn.prepareStatement("SELECT id, status, harness_host, harness_pid FROM runs WHERE id=?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new UserException("no run '" + id + "' in " + file + " (see 'isobench list')");
                }
                return new RunState(rs.getString(1), rs.getString(2), rs.getString(3),
                        rs.getObject(4) == null ? null : rs.getLong(4));
            }
        } catch (SQLException e) {
            throw new StoreException("cannot read run " + id + ": " + e.getMessage(), e);
        }
    }

    /**
     * Every trial stored for the run (ok or failed, warmups included) with the value of its first sample (the one
     * adaptive repetitions judge; null for a failure or a trial without samples).
     */
    public synchronized List<DoneTrial> doneTrials(String runId) {
        List<DoneTrial> l = new ArrayList<>();
        try (PreparedStatement ps = conn.prepareStatement("SELECT t.benchmark, t.params_json, t.runtime, t.repetition, "
                + "t.warmup, t.status, (SELECT s.value FROM samples s WHERE s.trial_id=t.id AND s.series_json IS NULL "
                + "ORDER BY s.id LIMIT 1) FROM trials t WHERE t.run_id=? ORDER BY t.id")) {
            ps.setString(1, runId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    l.add(new DoneTrial(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4), rs.getInt(5) == 1,
                            "ok".equals(rs.getString(6)), rs.getObject(7) == null ? null : rs.getDouble(7)));
                }
            }
        } catch (SQLException e) {
            throw new StoreException("cannot read the trials of run " + runId + ": " + e.getMessage(), e);
        }
        return l;
    }

    /** Whether the case's measurement already ended (its stop is recorded): nothing of it is left to run. */
    public synchronized boolean caseStopped(String runId, String benchmark, Map<String, String> params) {
        try (PreparedStatement ps = conn.prepareStatement(
                "SELECT 1 FROM case_stops WHERE run_id=? AND benchmark=? AND params_json=?")) {
            bind(ps, runId, benchmark, Json.write(params));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        } catch (SQLException e) {
            throw new StoreException("cannot read the case stops of run " + runId + ": " + e.getMessage(), e);
        }
    }

    /**
     * Takes an interrupted or abandoned run up again in this process: status back to running with this pid, and a
     * {@code run_resumptions} row, in one transaction. False when the run is not (any more) in such a state, e.g.
     * another process resumed it first.
     */
    public synchronized boolean resumeRun(String id, Instant at, long trialsMissing) {
        try {
            conn.setAutoCommit(false);
            String previous;
            try (PreparedStatement ps = conn.prepareStatement("SELECT status FROM runs WHERE id=?")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    previous = rs.next() ? rs.getString(1) : null;
                }
            }
            long pid = ProcessHandle.current().pid();
            int n;
            try (PreparedStatement ps = conn.prepareStatement("UPDATE runs SET status='running', finished_at=NULL, "
                    + "harness_pid=? WHERE id=? AND status IN ('interrupted','abandoned')")) {
                bind(ps, pid, id);
                n = ps.executeUpdate();
            }
            if (n != 1) {
                conn.rollback();
                return false;
            }
            try (PreparedStatement ps = conn.prepareStatement("INSERT INTO run_resumptions(run_id, resumed_at, "
                    + "previous_status, harness_pid, trials_missing) VALUES (?,?,?,?,?)")) {
                bind(ps, id, at.toString(), previous, pid, trialsMissing);
                ps.executeUpdate();
            }
            conn.commit();
            return true;
        } catch (SQLException e) {
            try {
                conn.rollback();
            } catch (SQLException ignored) {
                // the original error matters
            }
            throw new StoreException("cannot resume run " + id + ": " + e.getMessage(), e);
        } finally {
            try {
                conn.setAutoCommit(true);
            } catch (SQLException ignored) {
                // next statement reports it
            }
        }
    }

    public synchronized List<StoredRun.Resumption> resumptions(String runId) {
        List<StoredRun.Resumption> l = new ArrayList<>();
        try (PreparedStatement ps = conn.prepareStatement("SELECT resumed_at, previous_status, trials_missing "
                + "FROM run_resumptions WHERE run_id=? ORDER BY rowid")) {
            ps.setString(1, runId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    l.add(new StoredRun.Resumption(rs.getString(1), rs.getString(2), rs.getLong(3)));
                }
            }
        } catch (SQLException e) {
            throw new StoreException("cannot read the resumptions of run " + runId + ": " + e.getMessage(), e);
        }
        return l;
    }

    // ---- reading back ----

    public synchronized List<RunRow> listRuns() {
        List<RunRow> l = new ArrayList<>();
        try (PreparedStatement ps = conn.prepareStatement(
                "SELECT r.id, r.started_at, r.finished_at, r.status, r.isobench_version, r.plan_json, "
                        + "(SELECT count(*) FROM trials t WHERE t.run_id=r.id), (SELECT count(*) FROM failures f WHERE f.run_id=r.id) "
                        + "FROM runs r ORDER BY r.started_at DESC")) {
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    l.add(new RunRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                            Json.readMap(rs.getString(6)), rs.getInt(7), rs.getInt(8)));
                }
            }
        } catch (SQLException e) {
            throw new StoreException("cannot list runs: " + e.getMessage(), e);
        }
        return l;
    }

    /** Resolves a run id, a unique prefix of one, or "latest". */
    public synchronized String resolveRunId(String idOrPrefix) {
        List<String> ids = new ArrayList<>();
        String sql = idOrPrefix.equals("latest") ? "SELECT id FROM runs ORDER BY started_at DESC LIMIT 1"
                : "SELECT id FROM runs WHERE id = ? OR id LIKE ? ORDER BY id";
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            if (!idOrPrefix.equals("latest")) {
                ps.setString(1, idOrPrefix);
                ps.setString(2, idOrPrefix.replace("%", "").replace("_", "\\_") + "%");
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
        } catch (SQLException e) {
            throw new StoreException("cannot look up run: " + e.getMessage(), e);
        }
        if (ids.contains(idOrPrefix)) {
            return idOrPrefix;
        }
        if (ids.isEmpty()) {
            throw new UserException("no run '" + idOrPrefix + "' in " + file + " (see 'isobench list')");
        }
        if (ids.size() > 1) {
            throw new UserException("'" + idOrPrefix + "' matches " + ids.size() + " runs: " + String.join(", ", ids));
        }
        return ids.get(0);
    }

    public synchronized StoredRun loadRun(String id) {
        try {
            StoredRun.Header h;
            try (PreparedStatement ps = conn.prepareStatement("SELECT id, started_at, finished_at, status, isobench_version, "
                    + "host_json, plan_json, tools_json, harness_cpu_seconds, harness_peak_rss_bytes FROM runs WHERE id=?")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new UserException("no run '" + id + "'");
                    }
                    Double cpu = rs.getObject(9) == null ? null : rs.getDouble(9);
                    Long rss = rs.getObject(10) == null ? null : rs.getLong(10);
                    h = new StoredRun.Header(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                            Json.readMap(rs.getString(6)), Json.readMap(rs.getString(7)), Json.readMap(rs.getString(8)), cpu, rss);
                }
            }
            List<StoredRun.RuntimeRow> runtimes = new ArrayList<>();
            try (PreparedStatement ps = conn.prepareStatement("SELECT runtime, kind, available, version, reason, details_json "
                    + "FROM run_runtimes WHERE run_id=? ORDER BY rowid")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        runtimes.add(new StoredRun.RuntimeRow(rs.getString(1), rs.getString(2), rs.getInt(3) == 1,
                                rs.getString(4), rs.getString(5), Json.readMap(rs.getString(6))));
                    }
                }
            }
            List<StoredRun.SampleRow> samples = new ArrayList<>();
            try (PreparedStatement ps = conn.prepareStatement("SELECT benchmark, params_json, runtime, repetition, warmup, "
                    + "metric, unit, higher_is_better, value, series_json FROM samples WHERE run_id=? ORDER BY id")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        samples.add(new StoredRun.SampleRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4),
                                rs.getInt(5) == 1, rs.getString(6), rs.getString(7), rs.getInt(8) == 1, rs.getDouble(9),
                                rs.getString(10)));
                    }
                }
            }
            List<StoredRun.FailureRow> failures = new ArrayList<>();
            try (PreparedStatement ps = conn.prepareStatement("SELECT runtime, benchmark, params_json, repetition, warmup, "
                    + "reason, raw_output FROM failures WHERE run_id=? ORDER BY id")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        failures.add(new StoredRun.FailureRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4),
                                rs.getInt(5) == 1, rs.getString(6), rs.getString(7)));
                    }
                }
            }
            List<StoredRun.StopRow> stops = new ArrayList<>();
            try (PreparedStatement ps = conn.prepareStatement("SELECT benchmark, params_json, repetitions, reason "
                    + "FROM case_stops WHERE run_id=? ORDER BY rowid")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        stops.add(new StoredRun.StopRow(rs.getString(1), rs.getString(2), rs.getInt(3), rs.getString(4)));
                    }
                }
            }
            return new StoredRun(h, runtimes, samples, failures, stops, resumptions(id));
        } catch (SQLException e) {
            throw new StoreException("cannot load run " + id + ": " + e.getMessage(), e);
        }
    }

    private void exec(String sql, Object... args) {
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            bind(ps, args);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException("database write failed: " + e.getMessage(), e);
        }
    }

    private static void bind(PreparedStatement ps, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            ps.setObject(i + 1, args[i]);
        }
    }

    @Override
    public synchronized void close() {
        if (io.isobench.proc.Cleanup.shuttingDown()) {
            return; // the shutdown hook may still record the interruption; the JVM closes the file on exit
        }
        try {
            conn.close();
        } catch (SQLException ignored) {
            // closing
        }
    }

    /** A listed run. */
    public record RunRow(String id, String startedAt, String finishedAt, String status, String version,
                         Map<String, Object> plan, int trials, int failures) {
    }

    /** The database failed underneath us (disk full, file removed...). */
    public static final class StoreException extends RuntimeException {
        public StoreException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
