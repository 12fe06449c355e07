package io.isobench.util;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the durations ("5s", "250ms", "2m", "1h", a bare number = seconds) and sizes ("1K", "2G", "512MiB") users
 * write: no space inside a value, no NaN or Infinity, and nothing past {@link #MAX_DURATION} or {@link #MAX_SIZE}
 * (a value that would overflow is a {@link UserException}, never a silent wrap).
 */
public final class Units {
    private static final Pattern DURATION = Pattern.compile("([0-9]{1,12}(?:\\.[0-9]{1,9})?)(ms|s|m|h)?");
    private static final Pattern SIZE = Pattern.compile("([0-9]{1,19}(?:\\.[0-9]{1,9})?)([KMGT]?)(i?B)?", Pattern.CASE_INSENSITIVE);
    private static final Pattern DECIMAL = Pattern.compile("[0-9]{1,12}(?:\\.[0-9]{1,12})?");
    /** Longest duration accepted anywhere (a timeout or cooldown beyond it is a typo). */
    public static final Duration MAX_DURATION = Duration.ofDays(30);
    /** Largest size accepted anywhere (1 PiB). */
    public static final long MAX_SIZE = 1L << 50;

    private Units() {
    }

    public static Duration parseDuration(String s, String what) {
        Matcher m = DURATION.matcher(s.strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new UserException(what + ": not a duration: '" + s + "' (use e.g. 500ms, 5s, 2m)");
        }
        BigDecimal n = new BigDecimal(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        BigDecimal millis = switch (unit) {
            case "ms" -> n;
            case "s" -> n.multiply(BigDecimal.valueOf(1000));
            case "m" -> n.multiply(BigDecimal.valueOf(60_000));
            case "h" -> n.multiply(BigDecimal.valueOf(3_600_000));
            default -> throw new IllegalStateException(unit);
        };
        if (millis.compareTo(BigDecimal.valueOf(MAX_DURATION.toMillis())) > 0) {
            throw new UserException(what + ": too long: '" + s + "' (at most " + MAX_DURATION.toDays() + " days)");
        }
        return Duration.ofMillis(millis.longValue());
    }

    public static long parseSize(String s, String what) {
        Matcher m = SIZE.matcher(s.strip());
        if (!m.matches()) {
            throw new UserException(what + ": not a size: '" + s + "' (use e.g. 1K, 512M, 2G)");
        }
        BigDecimal n = new BigDecimal(m.group(1));
        int shift = switch (m.group(2).toUpperCase(Locale.ROOT)) {
            case "" -> 0;
            case "K" -> 10;
            case "M" -> 20;
            case "G" -> 30;
            case "T" -> 40;
            default -> throw new IllegalStateException();
        };
        BigDecimal bytes = n.multiply(BigDecimal.valueOf(1L << shift));
        if (bytes.compareTo(BigDecimal.valueOf(MAX_SIZE)) > 0) {
            throw new UserException(what + ": too large: '" + s + "' (at most 1024T)");
        }
        return bytes.longValue();
    }

    /** "5%" or a fraction ("0.05") as a fraction; a mistake is a {@link UserException} naming {@code what}. */
    public static double parsePercent(String s, String what) {
        String v = s.strip();
        boolean pct = v.endsWith("%");
        String num = pct ? v.substring(0, v.length() - 1) : v;
        if (!DECIMAL.matcher(num).matches()) {
            throw new UserException(what + ": not a percentage: '" + s + "' (e.g. 5%)");
        }
        double d = Double.parseDouble(num);
        return pct ? d / 100 : d;
    }

    /**
     * A plain non-negative decimal ("2", "0.5"): no sign, exponent, NaN or Infinity (which {@link Double#parseDouble}
     * would take); a mistake is a {@link UserException} naming {@code what}.
     */
    public static double parseDecimal(String s, String what) {
        String v = s.strip();
        if (!DECIMAL.matcher(v).matches()) {
            throw new UserException(what + ": not a number: '" + s + "' (e.g. 2 or 0.5)");
        }
        return Double.parseDouble(v);
    }

    /**
     * A whole number in [min, max] ("+" and leading zeros allowed; the caller stores the returned value, so what is
     * stored is normalized); overflow is "too large", never a wrap.
     */
    public static long parseWhole(String s, String what, long min, long max) {
        String v = s.strip();
        if (!v.matches("[+-]?[0-9]+")) {
            throw new UserException(what + ": not a whole number: '" + s + "'");
        }
        BigDecimal n = new BigDecimal(v.startsWith("+") ? v.substring(1) : v);
        if (n.compareTo(BigDecimal.valueOf(min)) < 0) {
            throw new UserException(what + ": must be at least " + min + ", got " + v);
        }
        if (n.compareTo(BigDecimal.valueOf(max)) > 0) {
            throw new UserException(what + ": too large: '" + s + "' (at most " + max + ")");
        }
        if (n.compareTo(BigDecimal.valueOf(min)) < 0) {
            throw new UserException(what + ": must be at least " + min + ", got '" + s + "'");
        }
        return n.longValueExact();
    }

    public static String formatDuration(Duration d) {
        long ms = d.toMillis();
        if (ms % 1000 != 0) {
            return ms + "ms";
        }
        long s = ms / 1000;
        return s % 60 == 0 && s > 0 ? (s / 60) + "m" : s + "s";
    }
}
