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
 * The results store: a SQLite file (the default) or a PostgreSQL database (a team's shared store), one schema for
 * both, managed by Flyway migrations (SQLite: src/main/resources/db/migration, PostgreSQL: db/postgresql; the same
 * tables and columns, checked by StoreSchemaTest). Open one through {@link Stores#open}.
 * Every trial is committed when it ends (SQLite: WAL journal, synchronous=FULL), so a crash or Ctrl-C loses no sample
 * already taken. Many isobench processes may write one store at once: SQLite writers wait for the lock (busy_timeout,
 * IMMEDIATE transactions) and retry a trial's transaction on SQLITE_BUSY; PostgreSQL serves them itself.
 * Methods are synchronized: the shutdown hook may mark a run interrupted while the main thread is between trials.
 */
public final class Store implements AutoCloseable {
    private static final int BUSY_RETRIES = 20;

    private final StoreLocation location;
    private final Connection conn;
    /** SQLite: a file of {@link #RESERVE_BYTES} beside the database, given up so that a full disk can still take {@link #failRun}. */
    private final Path reserve;
    static final int RESERVE_BYTES = 256 << 10;

    private Store(StoreLocation location, Connection conn) {
        this(location, conn, null);
    }

    private Store(StoreLocation location, Connection conn, Path reserve) {
        this.location = location;
        this.conn = conn;
        this.reserve = reserve;
    }

    /** Writes the reserve file beside a SQLite database (best effort: null when there is no room even for it). */
    private static Path makeReserve(Path db) {
        Path r = db.toAbsolutePath().resolveSibling(db.getFileName() + "-reserve");
        try {
            if (Files.isRegularFile(r, java.nio.file.LinkOption.NOFOLLOW_LINKS) && Files.size(r) == RESERVE_BYTES) {
                return r; // kept like -wal and -shm: processes sharing the database share it
            }
            java.nio.file.Files.write(r, new byte[RESERVE_BYTES]);
            return r;
        } catch (java.io.IOException e) {
            try {
                Files.deleteIfExists(r);
            } catch (java.io.IOException ignored) {
                // nothing written
            }
            return null;
        }
    }

    /** Default location: $ISOBENCH_DB, else $XDG_DATA_HOME/isobench/isobench.db, else ~/.local/share/isobench/isobench.db. */
    public static Path defaultPath() {
        String env = System.getenv("ISOBENCH_DB");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        return defaultSqlitePath();
    }

    /** $XDG_DATA_HOME/isobench/isobench.db, else ~/.local/share/isobench/isobench.db. */
    static Path defaultSqlitePath() {
        String xdg = System.getenv("XDG_DATA_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".local", "share");
        return base.resolve("isobench").resolve("isobench.db");
    }

    /**
     * Opens a database that must already exist (the read-only commands: show, list, report, export, compare never
     * create one): a missing file or a directory is a {@link UserException}.
     */
    public static Store openExisting(Path file) {
        if (Files.isDirectory(file)) {
            throw new UserException("database path " + file + " is a directory");
        }
        if (!Files.isRegularFile(file)) {
            throw new UserException("no database at " + file + " (runs are stored by 'isobench run'; check --db)");
        }
        return open(file);
    }

    /** Opens a SQLite file (creating and migrating as needed); {@link Stores#open} for a path or URL. */
    public static Store open(Path file) {
        return open(StoreLocation.parse(file.toString()));
    }

    static Store open(StoreLocation loc) {
        return loc.isPostgres() ? openPostgres(loc) : openSqlite(loc);
    }

    private static Store openSqlite(StoreLocation loc) {
        Path file = loc.file();
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
        // busy_timeout on Flyway's connection too: processes opening one new file at once wait for each other
        String url = loc.jdbcUrl() + "?busy_timeout=30000";
        try {
            for (int attempt = 1; ; attempt++) {
                try {
                    Flyway.configure().dataSource(url, null, null).locations("classpath:db/migration")
                            .loggers("slf4j").load().migrate();
                    break;
                } catch (FlywayException e) {
                    // another process created the schema history or applied a migration between our check and our
                    // write: its work is committed, so the next attempt finds it
                    if (attempt >= 5 || !isConcurrentMigration(e)) {
                        throw e;
                    }
                    sleepBackoff(attempt);
                }
            }
            org.sqlite.SQLiteConfig cfg = new org.sqlite.SQLiteConfig();
            cfg.setBusyTimeout(30000);
            cfg.setTransactionMode(org.sqlite.SQLiteConfig.TransactionMode.IMMEDIATE);
            Connection c = DriverManager.getConnection(loc.jdbcUrl(), cfg.toProperties());
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=FULL");
                s.execute("PRAGMA foreign_keys=ON");
            }
            return new Store(loc, c, makeReserve(file));
        } catch (SQLException | FlywayException e) {
            throw new UserException("cannot open the database " + file + ": " + rootMessage(e), e);
        }
    }

    private static boolean isConcurrentMigration(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = String.valueOf(t.getMessage());
            if (m.contains("SQLITE_BUSY") || m.contains("database is locked") || m.contains("already exists")
                    || m.contains("UNIQUE constraint failed")) {
                return true;
            }
        }
        return false;
    }

    private static Store openPostgres(StoreLocation loc) {
        java.util.Properties props = loc.connectionProperties();
        try {
            // Flyway takes a PostgreSQL advisory lock while it migrates: concurrent first opens are safe
            Flyway.configure().dataSource(pgDataSource(loc)).locations("classpath:db/postgresql")
                    .loggers("slf4j").load().migrate();
            Connection c = DriverManager.getConnection(loc.jdbcUrl(), props);
            return new Store(loc, c);
        } catch (SQLException | FlywayException e) {
            throw new UserException("cannot open the database " + loc.display() + ": " + rootMessage(e)
                    + hint(loc, e), e);
        }
    }

    private static javax.sql.DataSource pgDataSource(StoreLocation loc) {
        org.postgresql.ds.PGSimpleDataSource ds = new org.postgresql.ds.PGSimpleDataSource();
        ds.setURL(loc.jdbcUrl());
        java.util.Properties p = loc.connectionProperties();
        if (p.getProperty("user") != null) {
            ds.setUser(p.getProperty("user"));
        }
        if (p.getProperty("password") != null) {
            ds.setPassword(p.getProperty("password"));
        }
        ds.setApplicationName("isobench");
        return ds;
    }

    private static String hint(StoreLocation loc, Throwable e) {
        String m = rootMessage(e);
        if (m.contains("password authentication failed") || m.contains("no password was provided")) {
            return " (password from " + loc.passwordSource() + "; give one in the URL, $ISOBENCH_DB_PASSWORD_FILE, $PGPASSWORD or ~/.pgpass)";
        }
        return "";
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        String m = StoreLocation.mask(String.valueOf(t.getMessage()).strip());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl).strip() + " (--debug shows the rest)";
    }

    /** The SQLite file; null for a PostgreSQL store. */
    public Path file() {
        return location.file();
    }

    /** Where this store is, for users: the file path or the URL without its password. */
    public String location() {
        return location.display();
    }

    public boolean isPostgres() {
        return location.isPostgres();
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
        exec("INSERT INTO run_runtimes(run_id, runtime, kind, available, version, reason, details_json, seq) VALUES (?,?,?,?,?,?,?,"
                        + "(SELECT coalesce(max(seq), 0) + 1 FROM run_runtimes WHERE run_id=?))",
                runId, runtime, kind, available ? 1 : 0, version, reason, Json.write(details), runId);
    }

    /** Records one finished trial with its samples (or its failure) in one transaction. Returns the trial id. */
    public synchronized long recordTrial(TrialRecord t) {
        return retryBusy(() -> recordTrialOnce(t), "cannot record a trial");
    }

    private long recordTrialOnce(TrialRecord t) throws SQLException {
        return inTransaction(() -> {
            long trialId;
            try (PreparedStatement ps = conn.prepareStatement(
                    "INSERT INTO trials(run_id, benchmark, params_json, runtime, repetition, warmup, started_at, elapsed_ms, status, raw_output, "
                            + "others_runnable) VALUES (?,?,?,?,?,?,?,?,?,?,?) RETURNING id")) {
                bind(ps, t.runId(), t.benchmark(), Json.write(t.params()), t.runtime(), t.repetition(), t.warmup() ? 1 : 0,
                        t.startedAt().toString(), t.elapsedMs(), t.failureReason() == null ? "ok" : "failed", t.rawOutput(),
                        t.othersRunnable());
                try (ResultSet rs = ps.executeQuery()) {
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
            return trialId;
        });
    }

    public synchronized void recordStop(String runId, String benchmark, Map<String, String> params, int repetitions,
                                        String reason) {
        exec("INSERT INTO case_stops(run_id, benchmark, params_json, repetitions, reason, seq) VALUES (?,?,?,?,?,"
                        + "(SELECT coalesce(max(seq), 0) + 1 FROM case_stops WHERE run_id=?))",
                runId, benchmark, Json.write(params), repetitions, reason, runId);
    }

    /**
     * Ends run {@code id} as {@code failed} with {@code reason} (an internal error: never leaves it 'running'). When the
     * write fails (the disk is full), the SQLite reserve file is given up and the WAL truncated, and it is tried again.
     */
    public synchronized void failRun(String id, String reason, double cpuSeconds, long peakRss) {
        String sql = "UPDATE runs SET finished_at=?, status='failed', failure_reason=?, harness_cpu_seconds=?,"
                + " harness_peak_rss_bytes=? WHERE id=?";
        try {
            exec(sql, Instant.now().toString(), reason, cpuSeconds, peakRss, id);
            return;
        } catch (StoreException first) {
            if (reserve == null) {
                throw first;
            }
        }
        try {
            Files.deleteIfExists(reserve);
        } catch (java.io.IOException ignored) {
            // as it is
        }
        try (Statement st = conn.createStatement()) {
            st.execute("PRAGMA wal_checkpoint(TRUNCATE)");
        } catch (SQLException ignored) {
            // the update below says whether there is room now
        }
        exec(sql, Instant.now().toString(), reason, cpuSeconds, peakRss, id);
    }

    public synchronized void finishRun(String id, String status, double cpuSeconds, long peakRss) {
        exec("UPDATE runs SET finished_at=?, status=?, harness_cpu_seconds=?, harness_peak_rss_bytes=? WHERE id=?",
                Instant.now().toString(), status, cpuSeconds, peakRss, id);
        double load = new io.isobench.host.HostProbe().loadAverage();
        if (Double.isFinite(load)) {
            // in Java, not SQL: SQLite's json_set and PostgreSQL's jsonb_set differ
            String hostJson = queryString("SELECT host_json FROM runs WHERE id=?", id);
            if (hostJson != null) {
                Map<String, Object> host = new java.util.LinkedHashMap<>(Json.readMap(hostJson));
                host.put("loadavg_end", load);
                exec("UPDATE runs SET host_json=? WHERE id=?", Json.write(host), id);
            }
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
            throw storeError("cannot look for abandoned runs", e);
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
                    throw new UserException("no run '" + id + "' in " + location.display() + " (see 'isobench list')");
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
        return retryBusy(() -> inTransaction(() -> {
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
            return true;
        }), "cannot resume run " + id);
    }

    public synchronized List<StoredRun.Resumption> resumptions(String runId) {
        List<StoredRun.Resumption> l = new ArrayList<>();
        try (PreparedStatement ps = conn.prepareStatement("SELECT resumed_at, previous_status, trials_missing "
                + "FROM run_resumptions WHERE run_id=? ORDER BY resumed_at")) {
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

    // ---- fleets ----

    /** Tags a run as its node's run of a fleet ({@code run --fleet ID --fleet-node NODE}). */
    public synchronized void tagFleet(String runId, String fleetId, String node) {
        exec("UPDATE runs SET fleet_id=?, fleet_node=? WHERE id=?", fleetId, node, runId);
    }

    /** The fleet a run belongs to and its node; null for a run made on its own. */
    public record FleetTag(String fleetId, String node) {
    }

    public synchronized FleetTag fleetOf(String runId) {
        return retryBusy(() -> {
            try (PreparedStatement ps = conn.prepareStatement("SELECT fleet_id, fleet_node FROM runs WHERE id=?")) {
                ps.setString(1, runId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() && rs.getString(1) != null ? new FleetTag(rs.getString(1), rs.getString(2)) : null;
                }
            }
        }, "cannot read run " + runId);
    }

    /** How many trials the run's plan has over its usable runtimes (for {@code fleet status}: done of planned). */
    public synchronized void setTrialsPlanned(String runId, long trials) {
        exec("UPDATE runs SET trials_planned=? WHERE id=?", trials, runId);
    }

    /** A fleet as {@code fleet run} recorded it, with its nodes in submission order. */
    public record FleetRow(String id, String engine, String createdAt, String finishedAt, String status, String submitHost,
                           String mode, List<String> agentArgs, List<FleetNodeRow> nodes) {
    }

    /** One node of a fleet: the engine's job (null before it is submitted), its state and why. */
    public record FleetNodeRow(String node, String job, String state, String reason) {
    }

    /** A run of a fleet: its node, host, status and trials done of planned (null when not known yet). */
    public record FleetRunRow(String runId, String node, String host, String status, int trials, Long trialsPlanned,
                              int failures, String lastFailure) {
    }

    /** Records a new fleet and its nodes (state "waiting") in one transaction. */
    public synchronized void createFleet(String id, String engine, Instant createdAt, String submitHost, String mode,
                                         List<String> agentArgs, List<String> nodes) {
        retryBusy(() -> inTransaction(() -> {
            try (PreparedStatement ps = conn.prepareStatement("INSERT INTO fleets(id, engine, created_at, status, submit_host, "
                    + "mode, agent_json) VALUES (?,?,?,?,?,?,?)")) {
                bind(ps, id, engine, createdAt.toString(), "running", submitHost, mode, Json.write(agentArgs));
                ps.executeUpdate();
            }
            try (PreparedStatement ps = conn.prepareStatement("INSERT INTO fleet_nodes(fleet_id, node, seq, state) VALUES (?,?,?,?)")) {
                for (int i = 0; i < nodes.size(); i++) {
                    bind(ps, id, nodes.get(i), i + 1, "waiting");
                    ps.executeUpdate();
                }
            }
            return null;
        }), "cannot record fleet " + id);
    }

    /** A node's job and state; {@code job} null keeps the recorded one. */
    public synchronized void updateFleetNode(String fleetId, String node, String job, String state, String reason) {
        exec("UPDATE fleet_nodes SET job=coalesce(?, job), state=?, reason=? WHERE fleet_id=? AND node=?",
                job, state, reason, fleetId, node);
    }

    /** Ends a fleet with its status (completed, failed, cancelled, interrupted). */
    public synchronized void finishFleet(String id, String status) {
        exec("UPDATE fleets SET status=?, finished_at=? WHERE id=?", status, Instant.now().toString(), id);
    }

    /** The fleet with this id or a unique prefix of one, or "latest"; a {@link UserException} when there is none. */
    public synchronized FleetRow loadFleet(String idOrPrefix) {
        return retryBusy(() -> {
            List<String> ids = new ArrayList<>();
            String sql = idOrPrefix.equals("latest") ? "SELECT id FROM fleets ORDER BY created_at DESC LIMIT 1"
                    : "SELECT id FROM fleets WHERE id = ? OR id LIKE ? ESCAPE '\\' ORDER BY id";
            try (PreparedStatement ps = conn.prepareStatement(sql)) {
                if (!idOrPrefix.equals("latest")) {
                    bind(ps, idOrPrefix, idOrPrefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%");
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getString(1));
                    }
                }
            }
            String id = ids.contains(idOrPrefix) ? idOrPrefix : ids.size() == 1 ? ids.get(0) : null;
            if (id == null) {
                throw new UserException(ids.isEmpty() ? "no fleet '" + idOrPrefix + "' in " + location.display()
                        + " (fleets are recorded by 'isobench fleet run'; check --db)"
                        : "'" + idOrPrefix + "' matches " + ids.size() + " fleets: " + String.join(", ", ids));
            }
            List<Map<String, Object>> f = select("SELECT id, engine, created_at, finished_at, status, submit_host, mode, agent_json "
                    + "FROM fleets WHERE id=?", FLEET_TABLES.get("fleets"), id);
            List<FleetNodeRow> nodes = new ArrayList<>();
            for (Map<String, Object> n : select("SELECT node, job, state, reason FROM fleet_nodes WHERE fleet_id=? ORDER BY seq",
                    List.of("node", "job", "state", "reason"), id)) {
                nodes.add(new FleetNodeRow((String) n.get("node"), (String) n.get("job"), (String) n.get("state"),
                        (String) n.get("reason")));
            }
            Map<String, Object> r = f.get(0);
            List<String> args = Json.readStrings((String) r.get("agent_json"));
            return new FleetRow(id, (String) r.get("engine"), (String) r.get("created_at"), (String) r.get("finished_at"),
                    (String) r.get("status"), (String) r.get("submit_host"), (String) r.get("mode"), args, nodes);
        }, "cannot read fleet " + idOrPrefix);
    }

    /** The status of the fleet with exactly this id (null when there is none): one row, for {@code fleet run}'s polls. */
    public synchronized String fleetStatus(String id) {
        return retryBusy(() -> {
            try (PreparedStatement ps = conn.prepareStatement("SELECT status FROM fleets WHERE id=?")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getString(1) : null;
                }
            }
        }, "cannot read fleet " + id);
    }

    /**
     * Every run of the fleet, oldest first, with its trials done and planned and its last failure's reason: one query
     * for all the fleet's nodes (what {@code fleet run} reads on each poll).
     */
    public synchronized List<FleetRunRow> fleetRuns(String fleetId) {
        return retryBusy(() -> {
            List<FleetRunRow> l = new ArrayList<>();
            try (PreparedStatement ps = conn.prepareStatement("SELECT r.id, r.fleet_node, r.harness_host, r.status, "
                    + "(SELECT count(*) FROM trials t WHERE t.run_id=r.id), r.trials_planned, "
                    + "(SELECT count(*) FROM failures f WHERE f.run_id=r.id), "
                    + "(SELECT f.reason FROM failures f WHERE f.run_id=r.id ORDER BY f.id DESC LIMIT 1) "
                    + "FROM runs r WHERE r.fleet_id=? ORDER BY r.started_at")) {
                ps.setString(1, fleetId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        l.add(new FleetRunRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getInt(5),
                                rs.getObject(6) == null ? null : rs.getLong(6), rs.getInt(7), rs.getString(8)));
                    }
                }
            }
            return l;
        }, "cannot read the runs of fleet " + fleetId);
    }

    /**
     * Marks a fleet run "abandoned" when the engine says its job ended while the run still says "running": its
     * process on the node is gone (killed, out of memory, the node failed). Its samples stay; {@code run --resume} on
     * the node finishes it. True when the run was marked.
     */
    public synchronized boolean abandonRun(String runId) {
        return retryBusy(() -> {
            try (PreparedStatement ps = conn.prepareStatement(
                    "UPDATE runs SET status='abandoned', finished_at=? WHERE id=? AND status='running'")) {
                bind(ps, Instant.now().toString(), runId);
                return ps.executeUpdate() == 1;
            }
        }, "cannot mark run " + runId + " abandoned");
    }

    /**
     * Marks the fleet's runs still "running" as "interrupted" ({@code fleet cancel}: their jobs were stopped, maybe
     * before isobench on the node could say so); their samples stay and {@code run --resume} on the node finishes
     * them. Returns their ids.
     */
    public synchronized List<String> interruptFleetRuns(String fleetId) {
        List<String> ids = new ArrayList<>();
        for (FleetRunRow r : fleetRuns(fleetId)) {
            if ("running".equals(r.status())) {
                exec("UPDATE runs SET status='interrupted', finished_at=? WHERE id=? AND status='running'",
                        Instant.now().toString(), r.runId());
                ids.add(r.runId());
            }
        }
        return ids;
    }

    // ---- reading back ----

    public synchronized List<RunRow> listRuns() {
        return listRuns(RunFilter.ALL);
    }

    /** The runs that pass the filter, newest first. */
    public synchronized List<RunRow> listRuns(RunFilter f) {
        StringBuilder sql = new StringBuilder("SELECT r.id, r.started_at, r.finished_at, r.status, r.isobench_version, r.plan_json, "
                + "(SELECT count(*) FROM trials t WHERE t.run_id=r.id), (SELECT count(*) FROM failures f WHERE f.run_id=r.id), "
                + "r.harness_host, r.fleet_id FROM runs r WHERE 1=1");
        List<Object> args = new ArrayList<>();
        if (f.host() != null) {
            sql.append(" AND r.harness_host = ?");
            args.add(f.host());
        }
        if (f.fleet() != null) {
            sql.append(" AND r.fleet_id = ?");
            args.add(f.fleet());
        }
        if (f.status() != null) {
            sql.append(" AND r.status = ?");
            args.add(f.status());
        }
        if (f.since() != null) {
            sql.append(" AND r.started_at >= ?");
            args.add(f.since().toString());
        }
        if (f.until() != null) {
            sql.append(" AND r.started_at < ?");
            args.add(f.until().toString());
        }
        sql.append(" ORDER BY r.started_at DESC");
        return retryBusy(() -> {
            List<RunRow> l = new ArrayList<>();
            try (PreparedStatement ps = conn.prepareStatement(sql.toString())) {
                bind(ps, args.toArray());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        l.add(new RunRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                                Json.readMap(rs.getString(6)), rs.getInt(7), rs.getInt(8), rs.getString(9), rs.getString(10)));
                    }
                }
            }
            return l;
        }, "cannot list runs");
    }

    // ---- moving runs between stores ----

    /** What {@link #pushRun} did. */
    public enum PushOutcome { COPIED, UNCHANGED, UPDATED }

    private static final Map<String, List<String>> RUN_TABLES = new java.util.LinkedHashMap<>();

    static {
        RUN_TABLES.put("runs", List.of("id", "started_at", "finished_at", "status", "harness_pid", "harness_host", "isobench_version",
                "host_json", "plan_json", "tools_json", "harness_cpu_seconds", "harness_peak_rss_bytes", "failure_reason", "fleet_id",
                "fleet_node", "trials_planned"));
        RUN_TABLES.put("run_runtimes", List.of("run_id", "runtime", "kind", "available", "version", "reason", "details_json", "seq"));
        RUN_TABLES.put("trials", List.of("id", "run_id", "benchmark", "params_json", "runtime", "repetition", "warmup", "started_at",
                "elapsed_ms", "status", "raw_output", "others_runnable"));
        RUN_TABLES.put("samples", List.of("trial_id", "run_id", "benchmark", "params_json", "runtime", "repetition", "warmup", "metric",
                "unit", "higher_is_better", "value", "series_json"));
        RUN_TABLES.put("failures", List.of("trial_id", "run_id", "runtime", "benchmark", "params_json", "repetition", "warmup", "reason",
                "raw_output"));
        RUN_TABLES.put("case_stops", List.of("run_id", "benchmark", "params_json", "repetitions", "reason", "seq"));
        RUN_TABLES.put("run_resumptions", List.of("run_id", "resumed_at", "previous_status", "harness_pid", "trials_missing"));
    }

    /** A fleet's own rows, copied along with a run of it (once: a target that has the fleet keeps its rows). */
    private static final Map<String, List<String>> FLEET_TABLES = new java.util.LinkedHashMap<>();

    static {
        FLEET_TABLES.put("fleets", List.of("id", "engine", "created_at", "finished_at", "status", "submit_host", "mode", "agent_json"));
        FLEET_TABLES.put("fleet_nodes", List.of("fleet_id", "node", "seq", "job", "state", "reason"));
    }

    /**
     * Copies one run with its runtimes, trials (raw outputs), samples, failures, case stops and resumptions into {@code target}, in one
     * transaction there, keeping the run id (trial ids are the target's own). Pushing a run the target already holds in
     * the same state changes nothing; one that has grown since (pushed while running) replaces the target's copy. A
     * different run under the same id (another host or start time) is refused.
     */
    public PushOutcome pushRun(String id, Store target) {
        Map<String, List<Map<String, Object>>> rows;
        synchronized (this) {
            rows = retryBusy(() -> {
                Map<String, List<Map<String, Object>>> m = new java.util.LinkedHashMap<>();
                for (var e : RUN_TABLES.entrySet()) {
                    String order = e.getKey().equals("runs") ? "" : e.getValue().contains("seq") ? " ORDER BY seq"
                            : e.getKey().equals("run_resumptions") ? " ORDER BY resumed_at" : " ORDER BY id";
                    m.put(e.getKey(), select("SELECT " + String.join(", ", e.getValue()) + " FROM " + e.getKey()
                            + " WHERE " + (e.getKey().equals("runs") ? "id" : "run_id") + "=?" + order, e.getValue(), id));
                }
                Object fleet = m.get("runs").isEmpty() ? null : m.get("runs").get(0).get("fleet_id");
                for (var e : FLEET_TABLES.entrySet()) {
                    m.put(e.getKey(), fleet == null ? List.of() : select("SELECT " + String.join(", ", e.getValue())
                            + " FROM " + e.getKey() + " WHERE " + e.getValue().get(0) + "=?", e.getValue(), fleet));
                }
                return m;
            }, "cannot read run " + id);
        }
        if (rows.get("runs").isEmpty()) {
            throw new UserException("no run '" + id + "' in " + location.display());
        }
        return target.receiveRun(id, rows);
    }

    private List<Map<String, Object>> select(String sql, List<String> cols, Object... args) throws SQLException {
        List<Map<String, Object>> l = new ArrayList<>();
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            bind(ps, args);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Map<String, Object> row = new java.util.LinkedHashMap<>();
                    for (int i = 0; i < cols.size(); i++) {
                        row.put(cols.get(i), rs.getObject(i + 1));
                    }
                    l.add(row);
                }
            }
        }
        return l;
    }

    private synchronized PushOutcome receiveRun(String id, Map<String, List<Map<String, Object>>> rows) {
        return retryBusy(() -> inTransaction(() -> {
            Map<String, Object> src = rows.get("runs").get(0);
            List<Map<String, Object>> mine = select("SELECT started_at, harness_host, status, finished_at, "
                    + "(SELECT count(*) FROM trials t WHERE t.run_id=r.id), (SELECT count(*) FROM samples s WHERE s.run_id=r.id) "
                    + "FROM runs r WHERE id=?", List.of("started_at", "harness_host", "status", "finished_at", "trials", "samples"), id);
            PushOutcome outcome = PushOutcome.COPIED;
            if (!mine.isEmpty()) {
                Map<String, Object> t = mine.get(0);
                if (!java.util.Objects.equals(t.get("started_at"), src.get("started_at"))
                        || !java.util.Objects.equals(t.get("harness_host"), src.get("harness_host"))) {
                    throw new UserException("run " + id + " in " + location.display() + " is a different run (started "
                            + t.get("started_at") + " on " + t.get("harness_host") + ", not " + src.get("started_at") + " on "
                            + src.get("harness_host") + "); not overwritten");
                }
                if (java.util.Objects.equals(t.get("status"), src.get("status"))
                        && java.util.Objects.equals(t.get("finished_at"), src.get("finished_at"))
                        && ((Number) t.get("trials")).intValue() == rows.get("trials").size()
                        && ((Number) t.get("samples")).intValue() == rows.get("samples").size()) {
                    conn.rollback();
                    return PushOutcome.UNCHANGED;
                }
                for (String table : List.of("samples", "failures", "case_stops", "run_resumptions", "trials", "run_runtimes")) {
                    try (PreparedStatement ps = conn.prepareStatement("DELETE FROM " + table + " WHERE run_id=?")) {
                        ps.setString(1, id);
                        ps.executeUpdate();
                    }
                }
                try (PreparedStatement ps = conn.prepareStatement("DELETE FROM runs WHERE id=?")) {
                    ps.setString(1, id);
                    ps.executeUpdate();
                }
                outcome = PushOutcome.UPDATED;
            }
            Map<Object, Long> trialIds = new java.util.HashMap<>();
            for (var e : RUN_TABLES.entrySet()) {
                String table = e.getKey();
                List<String> cols = table.equals("trials") ? e.getValue().subList(1, e.getValue().size()) : e.getValue();
                String sql = "INSERT INTO " + table + "(" + String.join(", ", cols) + ") VALUES ("
                        + String.join(",", java.util.Collections.nCopies(cols.size(), "?")) + ")"
                        + (table.equals("trials") ? " RETURNING id" : "");
                try (PreparedStatement ps = conn.prepareStatement(sql)) {
                    for (Map<String, Object> row : rows.get(table)) {
                        Object[] args = new Object[cols.size()];
                        for (int i = 0; i < cols.size(); i++) {
                            Object v = row.get(cols.get(i));
                            if (cols.get(i).equals("trial_id") && v != null) {
                                v = trialIds.get(((Number) v).longValue());
                            }
                            args[i] = v;
                        }
                        bind(ps, args);
                        if (table.equals("trials")) {
                            try (ResultSet rs = ps.executeQuery()) {
                                rs.next();
                                trialIds.put(((Number) row.get("id")).longValue(), rs.getLong(1));
                            }
                        } else {
                            ps.executeUpdate();
                        }
                    }
                }
            }
            for (var e : FLEET_TABLES.entrySet()) {
                List<String> cols = e.getValue();
                String key = e.getKey().equals("fleets") ? "id" : "fleet_id, node";
                try (PreparedStatement ps = conn.prepareStatement("INSERT INTO " + e.getKey() + "(" + String.join(", ", cols)
                        + ") VALUES (" + String.join(",", java.util.Collections.nCopies(cols.size(), "?")) + ") ON CONFLICT ("
                        + key + ") DO NOTHING")) {
                    for (Map<String, Object> row : rows.getOrDefault(e.getKey(), List.of())) {
                        bind(ps, cols.stream().map(row::get).toArray());
                        ps.executeUpdate();
                    }
                }
            }
            return outcome;
        }), "cannot store run " + id);
    }

    /** Resolves a run id, a unique prefix of one, or "latest". */
    public synchronized String resolveRunId(String idOrPrefix) {
        List<String> ids = new ArrayList<>();
        String sql = idOrPrefix.equals("latest") ? "SELECT id FROM runs ORDER BY started_at DESC LIMIT 1"
                : "SELECT id FROM runs WHERE id = ? OR id LIKE ? ESCAPE '\\' ORDER BY id";
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            if (!idOrPrefix.equals("latest")) {
                ps.setString(1, idOrPrefix);
                ps.setString(2, idOrPrefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%");
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
        } catch (SQLException e) {
            throw storeError("cannot look up run", e);
        }
        if (ids.contains(idOrPrefix)) {
            return idOrPrefix;
        }
        if (ids.isEmpty()) {
            throw new UserException("no run '" + idOrPrefix + "' in " + location.display() + " (see 'isobench list')");
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
                    + "FROM run_runtimes WHERE run_id=? ORDER BY seq")) {
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
                    + "FROM case_stops WHERE run_id=? ORDER BY seq")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        stops.add(new StoredRun.StopRow(rs.getString(1), rs.getString(2), rs.getInt(3), rs.getString(4)));
                    }
                }
            }
            List<StoredRun.TrialLoad> loads = new ArrayList<>();
            try (PreparedStatement ps = conn.prepareStatement("SELECT benchmark, params_json, runtime, repetition, warmup, "
                    + "others_runnable FROM trials WHERE run_id=? AND others_runnable IS NOT NULL ORDER BY id")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        loads.add(new StoredRun.TrialLoad(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4),
                                rs.getInt(5) == 1, rs.getDouble(6)));
                    }
                }
            }
            return new StoredRun(h, runtimes, samples, failures, stops, resumptions(id), loads);
        } catch (SQLException e) {
            throw storeError("cannot load run " + id, e);
        }
    }

    private void exec(String sql, Object... args) {
        retryBusy(() -> {
            try (PreparedStatement ps = conn.prepareStatement(sql)) {
                bind(ps, args);
                return ps.executeUpdate();
            }
        }, "database write failed");
    }

    private String queryString(String sql, Object... args) {
        return retryBusy(() -> {
            try (PreparedStatement ps = conn.prepareStatement(sql)) {
                bind(ps, args);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getString(1) : null;
                }
            }
        }, "database read failed");
    }

    /**
     * Runs {@code work} as one transaction: committed when it returns (a work that rolled back itself commits
     * nothing), rolled back when it throws; autocommit is back on afterwards.
     */
    private <T> T inTransaction(SqlWork<T> work) throws SQLException {
        try {
            conn.setAutoCommit(false);
            T result = work.run();
            conn.commit();
            return result;
        } catch (SQLException | RuntimeException e) {
            try {
                conn.rollback();
            } catch (SQLException ignored) {
                // the original error matters
            }
            throw e;
        } finally {
            try {
                conn.setAutoCommit(true);
            } catch (SQLException ignored) {
                // next statement reports it
            }
        }
    }

    interface SqlWork<T> {
        T run() throws SQLException;
    }

    /**
     * Runs one statement or transaction; on SQLITE_BUSY (another process held the write lock longer than
     * busy_timeout) runs it again after a growing pause. Any other failure is a {@link StoreException} with one line.
     */
    private <T> T retryBusy(SqlWork<T> work, String what) {
        for (int attempt = 1; ; attempt++) {
            try {
                return work.run();
            } catch (SQLException e) {
                if (!location.isPostgres() && isBusy(e) && attempt < BUSY_RETRIES) {
                    sleepBackoff(attempt);
                    continue;
                }
                throw storeError(what, e);
            }
        }
    }

    private static boolean isBusy(SQLException e) {
        // sqlite-jdbc: error code 5 SQLITE_BUSY, 6 SQLITE_LOCKED (extended codes keep them in the low byte)
        int code = e.getErrorCode() & 0xff;
        return code == 5 || code == 6 || String.valueOf(e.getMessage()).contains("SQLITE_BUSY");
    }

    private static void sleepBackoff(int attempt) {
        try {
            Thread.sleep(Math.min(1000, 20L << Math.min(attempt, 6)) + java.util.concurrent.ThreadLocalRandom.current().nextInt(50));
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while waiting for the database", ie);
        }
    }

    private StoreException storeError(String what, SQLException e) {
        String state = e.getSQLState();
        String msg = StoreLocation.mask(String.valueOf(e.getMessage()).strip().split("\n", 2)[0]);
        if (location.isPostgres() && (state != null && state.startsWith("08") || "57P01".equals(state) || "57P02".equals(state)
                || "57P03".equals(state))) {
            return new StoreException("the database " + location.display() + " went away (" + msg
                    + "); everything committed before stays there", e);
        }
        return new StoreException(what + " in " + location.display() + ": " + msg, e);
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

    /** A listed run; {@code fleetId} null unless it ran as a node of {@code fleet run}. */
    public record RunRow(String id, String startedAt, String finishedAt, String status, String version,
                         Map<String, Object> plan, int trials, int failures, String host, String fleetId) {
    }

    /** Which runs {@link #listRuns(RunFilter)} returns; a null field does not filter. Dates compare start times, UTC. */
    public record RunFilter(String host, String status, Instant since, Instant until, String fleet) {
        public static final RunFilter ALL = new RunFilter(null, null, null, null, null);

        public RunFilter(String host, String status, Instant since, Instant until) {
            this(host, status, since, until, null);
        }
    }

    /** The database failed underneath us (disk full, file removed...). */
    public static final class StoreException extends RuntimeException {
        public StoreException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
