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
        /** read what is there; today the same as CREATE (a read-only mode that refuses to create is planned) */
        READ
    }

    private Stores() {
    }

    /** $ISOBENCH_DB (a path or URL), else the default SQLite file. */
    public static String defaultLocation() {
        String env = System.getenv("ISOBENCH_DB");
        return env != null && !env.isBlank() ? env : Store.defaultSqlitePath().toString();
    }

    /** Opens (creating and migrating as needed) the store at a path or URL; null means {@link #defaultLocation()}. */
    public static Store open(String urlOrPath, Mode mode) {
        return Store.open(StoreLocation.parse(urlOrPath == null ? defaultLocation() : urlOrPath));
    }
}
