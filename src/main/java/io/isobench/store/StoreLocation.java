package io.isobench.store;

import io.isobench.util.UserException;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * Where a store lives: a SQLite file (any path) or a PostgreSQL database ({@code postgresql://user@host:port/db},
 * {@code postgres://…}, {@code jdbc:postgresql://…}). The password comes from the URL, else the file named by
 * $ISOBENCH_DB_PASSWORD_FILE, else $PGPASSWORD, else the JDBC driver's own ~/.pgpass ($PGPASSFILE) lookup; it is kept
 * in {@link #connectionProperties()} only, never in {@link #jdbcUrl()} or {@link #display()}.
 */
public final class StoreLocation {
    public enum Kind { SQLITE, POSTGRESQL }

    private static final Pattern PG_PREFIX = Pattern.compile("^(jdbc:postgresql:|postgresql:|postgres:)//", Pattern.CASE_INSENSITIVE);
    private static final Pattern USERINFO = Pattern.compile("(?i)(\\b[a-z][a-z0-9+.-]*://[^:/@\\s]*):[^@/\\s]*@");
    private static final Pattern PASSWORD_PARAM = Pattern.compile("(?i)(\\b(password|sslpassword)=)[^&\\s]*");

    private final Kind kind;
    private final Path file;
    private final String jdbcUrl;
    private final Properties props;
    private final String display;
    private final String passwordSource;

    private StoreLocation(Kind kind, Path file, String jdbcUrl, Properties props, String display, String passwordSource) {
        this.kind = kind;
        this.file = file;
        this.jdbcUrl = jdbcUrl;
        this.props = props;
        this.display = display;
        this.passwordSource = passwordSource;
    }

    public static StoreLocation parse(String urlOrPath) {
        return parse(urlOrPath, System.getenv());
    }

    /** {@code env} supplies ISOBENCH_DB_PASSWORD_FILE and PGPASSWORD (tests pass their own). */
    static StoreLocation parse(String urlOrPath, Map<String, String> env) {
        if (urlOrPath == null || urlOrPath.isBlank()) {
            throw new UserException("--db: empty database path or URL");
        }
        String s = urlOrPath.strip();
        var m = PG_PREFIX.matcher(s);
        if (!m.find()) {
            if (s.matches("(?i)^[a-z][a-z0-9+.-]*://.*")) {
                throw new UserException("--db: unsupported database URL '" + mask(s)
                        + "' (a SQLite file path, or postgresql://user@host:port/db)");
            }
            Path p;
            try {
                p = Path.of(s.startsWith("jdbc:sqlite:") ? s.substring("jdbc:sqlite:".length()) : s);
            } catch (java.nio.file.InvalidPathException e) {
                throw new UserException("--db: not a path: '" + s + "'");
            }
            return new StoreLocation(Kind.SQLITE, p, "jdbc:sqlite:" + p.toAbsolutePath(), new Properties(), p.toString(), "none");
        }
        String rest = s.substring(m.end());
        String query = "";
        int q = rest.indexOf('?');
        if (q >= 0) {
            query = rest.substring(q + 1);
            rest = rest.substring(0, q);
        }
        int slash = rest.indexOf('/');
        String authority = slash < 0 ? rest : rest.substring(0, slash);
        String path = slash < 0 ? "/" : rest.substring(slash);
        String user = null;
        String password = null;
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            String info = authority.substring(0, at);
            authority = authority.substring(at + 1);
            int colon = info.indexOf(':');
            user = decode(colon < 0 ? info : info.substring(0, colon));
            password = colon < 0 ? null : decode(info.substring(colon + 1));
        }
        if (authority.isEmpty()) {
            authority = "localhost";
        }
        if (path.equals("/") || path.isEmpty()) {
            throw new UserException("--db: the PostgreSQL URL '" + mask(s) + "' names no database (postgresql://user@host:port/db)");
        }
        List<String> kept = new ArrayList<>();
        Properties secret = new Properties();
        for (String kv : query.isEmpty() ? new String[0] : query.split("&")) {
            int eq = kv.indexOf('=');
            String k = eq < 0 ? kv : kv.substring(0, eq);
            String v = eq < 0 ? "" : decode(kv.substring(eq + 1));
            if (k.equalsIgnoreCase("user")) {
                user = v;
            } else if (k.equalsIgnoreCase("password")) {
                password = v;
            } else if (k.equalsIgnoreCase("sslpassword")) {
                secret.setProperty("sslpassword", v); // the client key's passphrase: a secret too
            } else {
                kept.add(kv);
            }
        }
        String source = "url";
        if (password == null) {
            String file = env.get("ISOBENCH_DB_PASSWORD_FILE");
            if (file != null && !file.isBlank()) {
                try {
                    password = Files.readString(Path.of(file)).strip();
                    source = "ISOBENCH_DB_PASSWORD_FILE";
                } catch (IOException e) {
                    throw new UserException("ISOBENCH_DB_PASSWORD_FILE: cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
                }
            } else if (env.get("PGPASSWORD") != null) {
                password = env.get("PGPASSWORD");
                source = "PGPASSWORD";
            } else {
                source = "pgpass"; // the driver reads $PGPASSFILE or ~/.pgpass itself when no password is given
            }
        }
        Properties props = new Properties();
        props.putAll(secret);
        if (user != null && !user.isEmpty()) {
            props.setProperty("user", user);
        }
        if (password != null) {
            props.setProperty("password", password);
        }
        props.setProperty("ApplicationName", "isobench");
        String url = "jdbc:postgresql://" + authority + path + (kept.isEmpty() ? "" : "?" + String.join("&", kept));
        String display = "postgresql://" + (user == null || user.isEmpty() ? "" : user + "@") + authority + path
                + (kept.isEmpty() ? "" : "?" + String.join("&", kept));
        return new StoreLocation(Kind.POSTGRESQL, null, url, props, display, source);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** Hides passwords in any text that may quote a URL (error messages, logs): {@code ://user:***@}, {@code password=***}. */
    public static String mask(String text) {
        if (text == null) {
            return null;
        }
        return PASSWORD_PARAM.matcher(USERINFO.matcher(text).replaceAll("$1:***@")).replaceAll("$1***");
    }

    public Kind kind() {
        return kind;
    }

    public boolean isPostgres() {
        return kind == Kind.POSTGRESQL;
    }

    /** The SQLite file; null for PostgreSQL. */
    public Path file() {
        return file;
    }

    /** The JDBC URL without credentials. */
    public String jdbcUrl() {
        return jdbcUrl;
    }

    /** user, password (when known) and the application name, for the driver. */
    public Properties connectionProperties() {
        Properties p = new Properties();
        p.putAll(props);
        return p;
    }

    /** Where the password came from: url, ISOBENCH_DB_PASSWORD_FILE, PGPASSWORD, pgpass (left to the driver), none. */
    public String passwordSource() {
        return passwordSource;
    }

    /** What to show users: the path, or the URL without its password. */
    public String display() {
        return display;
    }

    @Override
    public String toString() {
        return display;
    }
}
