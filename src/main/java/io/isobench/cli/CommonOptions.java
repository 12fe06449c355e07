package io.isobench.cli;

import io.isobench.store.Store;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** Options every subcommand that touches the store shares. */
public final class CommonOptions {
    @Option(names = "--db", paramLabel = "PATH",
            description = "SQLite results database (default: $ISOBENCH_DB, else ~/.local/share/isobench/isobench.db)")
    Path db;

    @Option(names = "--debug", description = "show stack traces of errors")
    boolean debug;

    Path dbPath() {
        return db != null ? db : Store.defaultPath();
    }

    Store openStore() {
        return Store.open(dbPath());
    }
}
