package io.isobench.store;

/**
 * The one place a store is opened from a user's {@code --db} / $ISOBENCH_DB: a SQLite path (the default) or a
 * PostgreSQL URL ({@link StoreLocation}).
 */
public final class Stores {
    /** How a command uses the store. */
    public enum Mode {
        /** create the database (SQLite file) and its schema when missing: run, push's target */
        CREATE,
        /** read what is there: a missing SQLite file is "no database at ..." (read-only commands never create one) */
        READ
    }

    private Stores() {
    }

    /** $ISOBENCH_DB (a path or URL), else the default SQLite file. */
    public static String defaultLocation() {
        String env = System.getenv("ISOBENCH_DB");
        return env != null && !env.isBlank() ? env : Store.defaultSqlitePath().toString();
    }

    /**
     * Opens the store at a path or URL (null means {@link #defaultLocation()}): with {@link Mode#CREATE} creating and
     * migrating as needed, with {@link Mode#READ} only a SQLite file that exists (a PostgreSQL database is there or not).
     */
    public static Store open(String urlOrPath, Mode mode) {
        StoreLocation loc = StoreLocation.parse(urlOrPath == null ? defaultLocation() : urlOrPath);
        if (mode == Mode.READ && !loc.isPostgres()) {
            return Store.openExisting(loc.file());
        }
        return Store.open(loc);
    }
}
