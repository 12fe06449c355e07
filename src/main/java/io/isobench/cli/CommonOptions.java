package io.isobench.cli;

import io.isobench.store.Store;
import io.isobench.store.StoreLocation;
import io.isobench.store.Stores;
import picocli.CommandLine.Option;

/** Options every subcommand that touches the store shares. */
public final class CommonOptions {
    @Option(names = "--db", paramLabel = "PATH|URL",
            description = "results store: a SQLite file, or postgresql://user@host:port/db (password from $ISOBENCH_DB_PASSWORD_FILE, "
                    + "$PGPASSWORD or ~/.pgpass) (default: $ISOBENCH_DB, else ~/.local/share/isobench/isobench.db)")
    String db; // a String, not a Path: Path.of would fold "postgresql://h/db" into "postgresql:/h/db"

    @Option(names = "--debug", description = "show stack traces of errors")
    boolean debug;

    /** For `run`, `study` and push's source: opens the store, creating it if needed. */
    Store openStore() {
        return Stores.open(db, Stores.Mode.CREATE);
    }

    /** For the read-only commands: the database must exist (they never create one). */
    Store openExistingStore() {
        return Stores.open(db, Stores.Mode.READ);
    }

    /** Checks the --db value without touching the file system (study checks it before it installs anything). */
    void validate() {
        StoreLocation.parse(db == null ? Stores.defaultLocation() : db);
    }
}
