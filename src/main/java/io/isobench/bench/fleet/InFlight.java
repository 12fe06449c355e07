package io.isobench.bench.fleet;

import java.util.Arrays;

/**
 * Instances in flight over one launch of a case: an instance is in flight from when the harness called the driver
 * until it was ready or failed (or the launch ended). Counted on a grid of at most {@link #POINTS} + 1 points from the
 * case's start, and the exact maximum over every event.
 *
 * @param t     grid times, ns from the case's start
 * @param count instances in flight at each grid time
 * @param max   the most in flight at any moment
 */
record InFlight(long[] t, double[] count, double max) {
    static final int POINTS = 100;

    /** From intervals [from[i], to[i]) in ns from the case's start (an instance with from &lt; 0 never flew). */
    static InFlight of(long[] from, long[] to, long span) {
        long step = niceStep(Math.max(1, span) / POINTS);
        int k = (int) ((Math.max(0, span) + step - 1) / step) + 1; // the last point at or after the end
        long[] t = new long[k];
        double[] c = new double[k];
        for (int j = 0; j < k; j++) {
            t[j] = j * step;
        }
        long[][] events = new long[2 * from.length][];
        int e = 0;
        for (int i = 0; i < from.length; i++) {
            if (from[i] < 0) {
                continue;
            }
            for (int j = 0; j < k; j++) {
                if (from[i] <= t[j] && t[j] < to[i]) {
                    c[j]++;
                }
            }
            events[e++] = new long[]{from[i], 1};
            events[e++] = new long[]{to[i], -1};
        }
        long[][] ev = Arrays.copyOf(events, e);
        // ends before starts at the same instant: an instance ready at the moment another launches never overlaps it
        Arrays.sort(ev, (a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
        int now = 0;
        int max = 0;
        for (long[] x : ev) {
            now += (int) x[1];
            max = Math.max(max, now);
        }
        return new InFlight(t, c, max);
    }

    /** From a fleet after its launch: called-at to ready, failed or {@code end}, relative to {@code t0}. */
    static InFlight of(Fleet f, int n, long t0, long end) {
        long[] from = new long[n];
        long[] to = new long[n];
        for (int i = 0; i < n; i++) {
            long called = f.calledAtNanos(i);
            from[i] = called == 0 ? -1 : called - t0;
            long stop = f.ready(i) ? f.readyAtNanos(i) : f.failedAtNanos(i) != 0 ? f.failedAtNanos(i) : end;
            to[i] = Math.max(from[i], stop - t0);
        }
        return of(from, to, end - t0);
    }

    /** The smallest 1, 2 or 5 times a power of ten nanoseconds at or above {@code ns} (at least 100 µs). */
    static long niceStep(long ns) {
        long p = 100_000;
        while (true) {
            for (long m : new long[]{1, 2, 5}) {
                if (m * p >= ns) {
                    return m * p;
                }
            }
            p *= 10;
        }
    }
}
