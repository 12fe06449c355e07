package io.isobench.store;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Stores for tests: a SQLite file in a temp dir, or a fresh schema in the test PostgreSQL database
 * ($ISOBENCH_TEST_PG, else the role and database scripts/test-deps.sh makes). Without a reachable server the
 * PostgreSQL cases are skipped with the reason, except in CI ($CI=true), where they fail.
 */
public final class TestStores implements AutoCloseable {
    public static final String DEFAULT_PG = "postgresql://isobench_test:isobench_test@127.0.0.1:5432/isobench_test";
    private static String unreachable;
    private static boolean probed;

    private final List<String> schemas = new ArrayList<>();

    public static String pgUrl() {
        String env = System.getenv("ISOBENCH_TEST_PG");
        return env != null && !env.isBlank() ? env : DEFAULT_PG;
    }

    /** Skips (or in CI fails) the calling test when no PostgreSQL is reachable. */
    public static synchronized void requirePostgres() {
        if (!probed) {
            probed = true;
            try (Connection c = admin()) {
                c.isValid(5);
            } catch (SQLException | RuntimeException e) {
                unreachable = "no PostgreSQL reachable at " + StoreLocation.parse(pgUrl()).display() + " (" + e.getMessage()
                        + "); scripts/test-deps.sh (as root) starts one, or set ISOBENCH_TEST_PG";
            }
        }
        if (unreachable != null) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new AssertionError("CI=true: " + unreachable);
            }
            Assumptions.abort(unreachable);
        }
    }

    static Connection admin() throws SQLException {
        StoreLocation l = StoreLocation.parse(pgUrl());
        return DriverManager.getConnection(l.jdbcUrl(), l.connectionProperties());
    }

    /** A URL of a new, empty schema in the test database (dropped by {@link #close()}). */
    public String freshPostgres() {
        requirePostgres();
        String schema = "t_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
        try (Connection c = admin(); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
        schemas.add(schema);
        String base = pgUrl();
        return base + (base.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    /** A new store location of the kind: "sqlite" (a file in dir) or "postgresql". */
    public String fresh(String kind, Path dir) {
        return switch (kind.toLowerCase(Locale.ROOT)) {
            case "sqlite" -> dir.resolve("s-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE) + ".db").toString();
            case "postgresql" -> freshPostgres();
            default -> throw new IllegalArgumentException(kind);
        };
    }

    @Override
    public void close() {
        if (schemas.isEmpty()) {
            return;
        }
        try (Connection c = admin(); Statement s = c.createStatement()) {
            for (String schema : schemas) {
                s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            }
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
        schemas.clear();
    }
}
