package io.isobench.cli;

import io.isobench.store.Store;
import io.isobench.store.Stores;
import picocli.CommandLine.Option;

/** Options every subcommand that touches the store shares. */
public final class CommonOptions {
    @Option(names = "--db", paramLabel = "PATH|URL",
            description = "results store: a SQLite file, or postgresql://user@host:port/db (password from $ISOBENCH_DB_PASSWORD_FILE, "
                    + "$PGPASSWORD or ~/.pgpass) (default: $ISOBENCH_DB, else ~/.local/share/isobench/isobench.db)")
    String db;

    @Option(names = "--debug", description = "show stack traces of errors")
    boolean debug;

    Store openStore() {
        return Stores.open(db, Stores.Mode.CREATE);
    }
}
