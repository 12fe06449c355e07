package io.isobench.store;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Eight real isobench processes run a tiny benchmark on native at once against one store, each committing every
 * trial; afterwards every run is complete and the database's own checks are clean.
 */
class ManyWritersIT {
    static final int WRITERS = 8;
    static final int REPETITIONS = 3;
    static final int WARMUPS = 1;

    @TempDir
    Path dir;

    private final TestStores stores = new TestStores();

    @AfterEach
    void drop() {
        stores.close();
    }

    static Path jar() {
        Path jar = Path.of("target/isobench.jar").toAbsolutePath();
        assumeTrue(Files.exists(jar), "needs the packaged jar (mvn verify)");
        return jar;
    }

    /** Starts the CLI: `isobench ARGS...` with its output in log. */
    static Process isobench(Path log, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED", "-Xmx256m", "-jar", jar().toString()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private void runEight(String db) throws Exception {
        List<Process> ps = new ArrayList<>();
        try {
            for (int i = 0; i < WRITERS; i++) {
                ps.add(isobench(dir.resolve("w" + i + ".log"), "run", "--db", db, "--runtimes", "native",
                        "--benchmarks", "syscall", "--set", "syscall.call=getpid", "--set", "syscall.time=1s",
                        "--repetitions", Integer.toString(REPETITIONS), "--warmups", Integer.toString(WARMUPS),
                        "--cooldown", "0s", "--quiet"));
            }
            for (int i = 0; i < WRITERS; i++) {
                Process p = ps.get(i);
                assertThat(p.waitFor(10, TimeUnit.MINUTES)).as("writer %d ends", i).isTrue();
                String log = Files.readString(dir.resolve("w" + i + ".log"));
                assertThat(p.exitValue()).as("writer %d: %s", i, log).isZero();
                assertThat(log).contains("stored as run");
            }
        } finally {
            ps.forEach(Process::destroyForcibly);
        }
        try (Store s = Stores.open(db, Stores.Mode.READ)) {
            List<Store.RunRow> runs = s.listRuns();
            assertThat(runs).hasSize(WRITERS);
            assertThat(runs.stream().map(Store.RunRow::id).distinct()).hasSize(WRITERS);
            for (Store.RunRow r : runs) {
                assertThat(r.status()).as(r.id()).isEqualTo("completed");
                assertThat(r.trials()).as(r.id()).isEqualTo(REPETITIONS + WARMUPS);
                assertThat(r.failures()).as(r.id()).isZero();
                assertThat(s.loadRun(r.id()).samples()).as(r.id()).hasSize(REPETITIONS + WARMUPS);
            }
        }
    }

    @Test
    void eightWritersOnOneSqliteFile() throws Exception {
        Path db = dir.resolve("shared.db");
        runEight(db.toString());
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("PRAGMA integrity_check")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("ok");
            }
            try (ResultSet rs = st.executeQuery("PRAGMA foreign_key_check")) {
                assertThat(rs.next()).as("no dangling references").isFalse();
            }
            assertConsistent(st);
        }
    }

    @Test
    void eightWritersOnOnePostgresqlDatabase() throws Exception {
        String db = stores.freshPostgres();
        runEight(db);
        StoreLocation l = StoreLocation.parse(db);
        try (Connection c = DriverManager.getConnection(l.jdbcUrl(), l.connectionProperties()); Statement st = c.createStatement()) {
            assertConsistent(st);
            // amcheck: every B-tree index of the store's tables is structurally sound (scripts/test-deps.sh installs it)
            List<String> idx = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT c.oid::regclass::text FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                    + "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema()")) {
                while (rs.next()) {
                    idx.add(rs.getString(1));
                }
            }
            assertThat(idx).hasSizeGreaterThan(5);
            String amcheck = null; // the extension's schema (public): the test's own schema is the search path
            try (ResultSet rs = st.executeQuery("SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname='amcheck'")) {
                if (rs.next()) {
                    amcheck = rs.getString(1);
                }
            }
            if (amcheck != null) {
                for (String i : idx) {
                    st.execute("SELECT " + amcheck + ".bt_index_check('" + i + "'::regclass)");
                }
            } else if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new AssertionError("CI=true: amcheck is not installed in the test database (scripts/test-deps.sh)");
            }
        }
    }

    /** Every sample and failure belongs to a trial of the same run, and every trial to a stored run. */
    private static void assertConsistent(Statement st) throws SQLException {
        for (String q : List.of(
                "SELECT count(*) FROM samples s LEFT JOIN trials t ON t.id = s.trial_id WHERE t.id IS NULL OR t.run_id <> s.run_id",
                "SELECT count(*) FROM failures f LEFT JOIN trials t ON t.id = f.trial_id WHERE t.id IS NULL OR t.run_id <> f.run_id",
                "SELECT count(*) FROM trials t LEFT JOIN runs r ON r.id = t.run_id WHERE r.id IS NULL",
                "SELECT count(*) FROM trials t WHERE t.status = 'ok' AND NOT EXISTS (SELECT 1 FROM samples s WHERE s.trial_id = t.id)")) {
            try (ResultSet rs = st.executeQuery(q)) {
                rs.next();
                assertThat(rs.getInt(1)).as(q).isZero();
            }
        }
    }
}
