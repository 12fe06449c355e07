package io.isobench.bench.fleet;

import io.isobench.util.UserException;
import io.isobench.util.Units;

import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * When the instances of one startup case are launched, as offsets from the case's start. Open loop: the schedule is
 * fixed before the first launch and a launch never waits for an earlier one to be ready.
 * <ul>
 *   <li>{@code burst}: N instances at once (offset 0 each);</li>
 *   <li>{@code staggered:<delay>}: N instances, one every {@code delay};</li>
 *   <li>{@code poisson:<rate>/s}: launches for a {@code duration} with exponentially distributed gaps of mean
 *       1/rate (a Poisson process), drawn from {@link Random} with the case's {@code seed}, so the same seed gives the
 *       same schedule in every runtime and iteration.</li>
 * </ul>
 */
record Arrival(Kind kind, Duration delay, double perSecond) {
    enum Kind { BURST, STAGGERED, POISSON }

    /** More launches than this in one case are refused (scale kept: 1024 native instances fit with room to spare). */
    static final int MAX_INSTANCES = 10_000;
    /** Highest Poisson rate accepted, per second. */
    static final double MAX_RATE = 10_000;

    static final Arrival BURST = new Arrival(Kind.BURST, Duration.ZERO, 0);

    /** Parses {@code burst}, {@code staggered:100ms} or {@code poisson:20/s} ("/s" optional); {@code where} names it in errors. */
    static Arrival parse(String s, String where) {
        String v = s.strip().toLowerCase(Locale.ROOT);
        if (v.equals("burst")) {
            return BURST;
        }
        if (v.startsWith("staggered:")) {
            Duration d = Units.parseDuration(v.substring("staggered:".length()), where);
            return d.isZero() ? BURST : new Arrival(Kind.STAGGERED, d, 0);
        }
        if (v.startsWith("poisson:")) {
            String r = v.substring("poisson:".length());
            r = r.endsWith("/s") ? r.substring(0, r.length() - 2) : r;
            double rate = Units.parseDecimal(r, where);
            if (!(rate > 0) || rate > MAX_RATE) {
                throw new UserException(where + ": a Poisson rate must be above 0 and at most " + (long) MAX_RATE + "/s: '" + s + "'");
            }
            return new Arrival(Kind.POISSON, Duration.ZERO, rate);
        }
        throw new UserException(where + ": '" + s + "' is not an arrival pattern (burst, staggered:<delay> such as "
                + "staggered:100ms, or poisson:<rate>/s such as poisson:20/s)");
    }

    /** From the old {@code startup.delay}: 0 is a burst, anything else that delay between launches. */
    static Arrival ofDelay(Duration d) {
        return d.isZero() ? BURST : new Arrival(Kind.STAGGERED, d, 0);
    }

    /** The canonical text, as stored in the case's params: burst, staggered:100ms, poisson:20/s. */
    String label() {
        return switch (kind) {
            case BURST -> "burst";
            case STAGGERED -> "staggered:" + duration(delay);
            case POISSON -> "poisson:" + new java.math.BigDecimal(Double.toString(perSecond)).stripTrailingZeros().toPlainString() + "/s";
        };
    }

    static String duration(Duration d) {
        long ns = d.toNanos();
        if (ns % 1_000_000_000L == 0) {
            return ns / 1_000_000_000L + "s";
        }
        return ns % 1_000_000 == 0 ? ns / 1_000_000 + "ms" : ns % 1000 == 0 ? ns / 1000 + "us" : ns + "ns";
    }

    /** Whether the case's instance count is given (burst, staggered) rather than drawn (poisson: rate × duration). */
    boolean countsInstances() {
        return kind != Kind.POISSON;
    }

    /** Expected number of launches of a Poisson case over {@code duration}. */
    double expectedCount(Duration duration) {
        return perSecond * duration.toNanos() / 1e9;
    }

    /**
     * Launch offsets in nanoseconds from the case's start, ascending: {@code instances} of them for burst and
     * staggered; for poisson every arrival of the seeded process before {@code duration} (possibly none).
     */
    long[] offsetsNanos(int instances, Duration duration, long seed) {
        return switch (kind) {
            case BURST -> new long[instances];
            case STAGGERED -> {
                long[] o = new long[instances];
                for (int i = 0; i < instances; i++) {
                    o[i] = i * delay.toNanos();
                }
                yield o;
            }
            case POISSON -> poisson(perSecond, duration.toNanos(), seed);
        };
    }

    /** Arrival times of a Poisson process of {@code perSecond} in [0, spanNanos): exponential gaps by inversion. */
    static long[] poisson(double perSecond, long spanNanos, long seed) {
        Random rnd = new Random(seed);
        long[] o = new long[16];
        int n = 0;
        double t = 0;
        while (true) {
            t += -Math.log(1 - rnd.nextDouble()) / perSecond * 1e9; // nextDouble is in [0, 1): 1 - u is never 0
            if (t >= spanNanos) {
                break;
            }
            if (n == 2 * MAX_INSTANCES) {
                throw new IllegalStateException("more than " + 2 * MAX_INSTANCES + " Poisson arrivals");
            }
            if (n == o.length) {
                o = Arrays.copyOf(o, n * 2);
            }
            o[n++] = (long) t;
        }
        return Arrays.copyOf(o, n);
    }
}
