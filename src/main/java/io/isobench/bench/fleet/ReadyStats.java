package io.isobench.bench.fleet;

import java.util.Arrays;

/**
 * Time-to-ready percentiles of one launch of a case, over every instance it launched: an instance that failed or was
 * not ready in time counts as never ready (infinitely late), so it is counted, not dropped. A percentile that falls on
 * such an instance is not a number of milliseconds ({@link Double#POSITIVE_INFINITY}: not recorded).
 * Percentiles are nearest-rank: the smallest value with at least p% of the instances at or below it.
 */
record ReadyStats(double[] sortedMs, int launched) {
    /** @param readyMs the time to ready of every instance that became ready; {@code launched} counts all of them */
    static ReadyStats of(double[] readyMs, int launched) {
        if (readyMs.length > launched) {
            throw new IllegalArgumentException(readyMs.length + " ready of " + launched + " launched");
        }
        double[] s = readyMs.clone();
        Arrays.sort(s);
        return new ReadyStats(s, launched);
    }

    int ready() {
        return sortedMs.length;
    }

    /** Ready instances over launched ones, in percent (NaN when none was launched). */
    double successPercent() {
        return launched == 0 ? Double.NaN : 100.0 * sortedMs.length / launched;
    }

    /** The p-th percentile (0 < p ≤ 100) of time to ready; +∞ when it falls on an instance that never became ready. */
    double percentile(double p) {
        if (!(p > 0 && p <= 100)) {
            throw new IllegalArgumentException("percentile " + p);
        }
        if (launched == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100 * launched); // 1-based
        return rank <= sortedMs.length ? sortedMs[rank - 1] : Double.POSITIVE_INFINITY;
    }

    double max() {
        return percentile(100);
    }
}
