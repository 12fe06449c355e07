package io.isobench.util;

/** Process ids read from names and labels that isobench did not necessarily write. */
public final class Pid {
    /** Linux's PID_MAX_LIMIT: no pid is larger. */
    public static final long MAX = 4_194_304L;

    private Pid() {
    }

    /** The pid written in {@code digits}, or -1 when it is not a number from 1 to {@link #MAX} (never throws). */
    public static long parse(String digits) {
        if (digits == null || digits.isEmpty() || digits.length() > 7 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return -1;
        }
        long p = Long.parseLong(digits);
        return p >= 1 && p <= MAX ? p : -1;
    }
}
