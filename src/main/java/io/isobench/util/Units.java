package io.isobench.util;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the durations ("5s", "250ms", "2m", "1h", a bare number = seconds) and sizes ("1K", "2G", "512MiB") users write. */
public final class Units {
    private static final Pattern DURATION = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)\\s*(ms|s|m|h)?");
    private static final Pattern SIZE = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)\\s*([KMGT]?)(i?B)?", Pattern.CASE_INSENSITIVE);

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
        return n.multiply(BigDecimal.valueOf(1L << shift)).longValue();
    }

    /** "5%" or a fraction ("0.05") as a fraction; a mistake is a {@link UserException} naming {@code what}. */
    public static double parsePercent(String s, String what) {
        String v = s.strip();
        try {
            return v.endsWith("%") ? Double.parseDouble(v.substring(0, v.length() - 1)) / 100 : Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new UserException(what + ": not a percentage: '" + s + "' (e.g. 5%)");
        }
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
