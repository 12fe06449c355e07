package io.isobench.cli;

import io.isobench.store.Store;
import io.isobench.util.UserException;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.regex.Pattern;

/** Options every subcommand that touches the store shares. */
public final class CommonOptions {
    @Option(names = "--db", paramLabel = "PATH",
            description = "SQLite results database (default: $ISOBENCH_DB, else ~/.local/share/isobench/isobench.db)")
    String db; // a String, not a Path: Path.of would fold "postgresql://h/db" into "postgresql:/h/db"

    @Option(names = "--debug", description = "show stack traces of errors")
    boolean debug;

    /** The database path; a URL (postgresql://...) is refused until a store for it exists. */
    Path dbPath() {
        if (db == null) {
            String env = System.getenv("ISOBENCH_DB");
            if (env != null && URL.matcher(env).find()) {
                throw new UserException("$ISOBENCH_DB: '" + env + "' looks like a URL; only a SQLite file path is supported");
            }
            return Store.defaultPath();
        }
        if (URL.matcher(db).find()) {
            throw new UserException("--db: '" + db + "' looks like a URL; only a SQLite file path is supported");
        }
        if (db.isBlank()) {
            throw new UserException("--db: empty path");
        }
        try {
            return Path.of(db);
        } catch (java.nio.file.InvalidPathException e) {
            throw new UserException("--db: not a path: '" + db + "'");
        }
    }

    /** For `run` and `study`: opens the database, creating it if needed. */
    Store openStore() {
        return Store.open(dbPath());
    }

    /** For the read-only commands: the database must exist (they never create one). */
    Store openExistingStore() {
        return Store.openExisting(dbPath());
    }

    /** Checks the --db value without touching the file system (study checks it before it installs anything). */
    void validate() {
        dbPath();
    }

    private static final Pattern URL = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*:/|jdbc:)");
}
