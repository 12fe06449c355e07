package io.isobench.store;

import io.isobench.util.UserException;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StoreLocationTest {
    @Test
    void aPathIsSqlite() {
        StoreLocation l = StoreLocation.parse("/tmp/x/r.db", Map.of());
        assertThat(l.kind()).isEqualTo(StoreLocation.Kind.SQLITE);
        assertThat(l.file()).isEqualTo(Path.of("/tmp/x/r.db"));
        assertThat(l.jdbcUrl()).isEqualTo("jdbc:sqlite:/tmp/x/r.db");
        assertThat(StoreLocation.parse("rel.db", Map.of()).jdbcUrl()).isEqualTo("jdbc:sqlite:" + Path.of("rel.db").toAbsolutePath());
    }

    @Test
    void thePasswordInAUrlGoesToThePropertiesOnly() {
        for (String u : new String[]{"postgresql://bench:p%40ss:w@db.lan:5433/results?sslmode=require",
                "jdbc:postgresql://db.lan:5433/results?user=bench&password=p%40ss:w&sslmode=require",
                "postgres://bench:p%40ss:w@db.lan:5433/results?sslmode=require"}) {
            StoreLocation l = StoreLocation.parse(u, Map.of("PGPASSWORD", "from-env"));
            assertThat(l.isPostgres()).isTrue();
            assertThat(l.jdbcUrl()).isEqualTo("jdbc:postgresql://db.lan:5433/results?sslmode=require");
            assertThat(l.display()).isEqualTo("postgresql://bench@db.lan:5433/results?sslmode=require");
            assertThat(l.connectionProperties()).containsEntry("user", "bench").containsEntry("password", "p@ss:w");
            assertThat(l.passwordSource()).isEqualTo("url");
        }
    }

    @Test
    void withoutAPasswordTheFileThenPgpasswordThenPgpass(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path f = dir.resolve("pw");
        Files.writeString(f, "from-file\n");
        StoreLocation l = StoreLocation.parse("postgresql://bench@h/db", Map.of("ISOBENCH_DB_PASSWORD_FILE", f.toString(), "PGPASSWORD", "x"));
        assertThat(l.connectionProperties()).containsEntry("password", "from-file");
        l = StoreLocation.parse("postgresql://bench@h/db", Map.of("PGPASSWORD", "from-env"));
        assertThat(l.connectionProperties()).containsEntry("password", "from-env");
        l = StoreLocation.parse("postgresql://bench@h/db", Map.of());
        assertThat(l.connectionProperties()).doesNotContainKey("password");
        assertThat(l.passwordSource()).isEqualTo("pgpass");
        assertThat(l.jdbcUrl()).isEqualTo("jdbc:postgresql://h/db");
    }

    @Test
    void theClientKeyPassphraseIsASecretToo() {
        StoreLocation l = StoreLocation.parse("postgresql://u@h/db?sslmode=verify-full&sslpassword=keypass", Map.of());
        assertThat(l.jdbcUrl()).isEqualTo("jdbc:postgresql://h/db?sslmode=verify-full");
        assertThat(l.display()).doesNotContain("keypass");
        assertThat(l.connectionProperties()).containsEntry("sslpassword", "keypass");
    }

    @Test
    void badUrlsAreUserErrorsWithoutThePassword() {
        assertThatThrownBy(() -> StoreLocation.parse("mysql://u:topsecret@h/db", Map.of())).isInstanceOf(UserException.class)
                .hasMessageContaining("unsupported").hasMessageNotContaining("topsecret");
        assertThatThrownBy(() -> StoreLocation.parse("postgresql://u:topsecret@h", Map.of())).isInstanceOf(UserException.class)
                .hasMessageContaining("names no database").hasMessageNotContaining("topsecret");
    }

    @Test
    void maskHidesPasswordsInFreeText() {
        assertThat(StoreLocation.mask("failed for postgresql://u:pw@h:5432/db and jdbc:postgresql://h/db?user=u&password=pw&ssl=1"))
                .isEqualTo("failed for postgresql://u:***@h:5432/db and jdbc:postgresql://h/db?user=u&password=***&ssl=1");
    }
}
