package io.isobench.store;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Both stores' migrations make the same schema: the same tables and columns, with compatible types and the same
 * nullability, read from each live database's catalog (SQLite's pragma_table_info, PostgreSQL's information_schema).
 */
class StoreSchemaTest {
    @TempDir
    Path dir;

    private final TestStores stores = new TestStores();

    @AfterEach
    void drop() {
        stores.close();
    }

    @Test
    void sqliteAndPostgresqlHaveTheSameTablesColumnsAndTypes() throws SQLException {
        Path file = dir.resolve("s.db");
        Stores.open(file.toString(), Stores.Mode.CREATE).close();
        String pg = stores.freshPostgres();
        Stores.open(pg, Stores.Mode.CREATE).close();

        Map<String, String> sqlite = new TreeMap<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
             ResultSet rs = c.createStatement().executeQuery("SELECT m.name, p.name, p.type, p.\"notnull\" OR p.pk FROM sqlite_master m "
                     + "JOIN pragma_table_info(m.name) p WHERE m.type='table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> 'flyway_schema_history'")) {
            while (rs.next()) {
                sqlite.put(rs.getString(1) + "." + rs.getString(2), family(rs.getString(3)) + (rs.getBoolean(4) ? " not null" : ""));
            }
        }
        Map<String, String> postgres = new TreeMap<>();
        StoreLocation l = StoreLocation.parse(pg);
        try (Connection c = DriverManager.getConnection(l.jdbcUrl(), l.connectionProperties());
             ResultSet rs = c.createStatement().executeQuery("SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns "
                     + "WHERE table_schema = current_schema() AND table_name <> 'flyway_schema_history'")) {
            while (rs.next()) {
                postgres.put(rs.getString(1) + "." + rs.getString(2), family(rs.getString(3)) + (rs.getString(4).equals("NO") ? " not null" : ""));
            }
        }
        assertThat(sqlite).hasSizeGreaterThan(50).containsKey("samples.series_json").containsKey("run_runtimes.seq");
        assertThat(postgres).isEqualTo(sqlite);
        assertThat(indexes(file, l)).containsKeys("samples_by_run", "runs_by_host").allSatisfy((k, v) -> assertThat(v).as(k).isEqualTo(2));
    }

    /** integer, real or text: the meaning both stores give a column's values. */
    private static String family(String declared) {
        String t = declared.toLowerCase(Locale.ROOT);
        if (t.equals("integer") || t.equals("bigint")) {
            return "integer";
        }
        if (t.equals("real") || t.equals("double precision")) {
            return "real";
        }
        if (t.equals("text")) {
            return "text";
        }
        return "other:" + t;
    }

    /** Each named index, counted once per store that has it. */
    private static Map<String, Integer> indexes(Path file, StoreLocation pg) throws SQLException {
        Map<String, Integer> n = new TreeMap<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
             ResultSet rs = c.createStatement().executeQuery("SELECT name FROM sqlite_master WHERE type='index' AND sql IS NOT NULL AND tbl_name <> 'flyway_schema_history'")) {
            while (rs.next()) {
                n.merge(rs.getString(1), 1, Integer::sum);
            }
        }
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.connectionProperties());
             ResultSet rs = c.createStatement().executeQuery("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() "
                     + "AND indexname NOT LIKE '%_pkey' AND tablename <> 'flyway_schema_history'")) {
            while (rs.next()) {
                n.merge(rs.getString(1), 1, Integer::sum);
            }
        }
        return n;
    }
}
