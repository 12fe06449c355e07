package io.isobench.analysis;

import org.apache.commons.statistics.descriptive.Median;
import org.apache.commons.statistics.distribution.BinomialDistribution;
import org.apache.commons.statistics.inference.MannWhitneyUTest;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The statistics behind every verdict. Confidence intervals are distribution-free: a median's is a pair of order
 * statistics (as benchstat's), whose coverage follows from the binomial distribution whatever the samples' shape,
 * where a bootstrap under-covers at small n; a cost factor's (a ratio of two medians) combines the two medians'
 * intervals. Tests are the two-sided Mann–Whitney U (exact p-values for small samples without ties); when no
 * outcome could reach significance with the given sample sizes, the verdict says so instead of "within noise".
 * Many results judged at once are corrected by Benjamini–Hochberg ({@link #adjustBh}).
 */
public final class Statistics {
    public static final double ALPHA = 0.05;
    /** The confidence every interval aims at; an interval reports its own level when the sample cannot reach it. */
    public static final double LEVEL = 0.95;

    public static final String DIFFERS = "differs from baseline";
    public static final String WITHIN_NOISE = "within noise";
    public static final String TOO_FEW = "too few samples";
    /** The name of the multiple-testing correction, for output. */
    public static final String CORRECTION = "Benjamini-Hochberg";

    private Statistics() {
    }

    /**
     * A closed interval and its confidence level: the probability that it covers the true value, exactly (a
     * median's) or at least (a ratio's). Below {@link #LEVEL} when the sample is too small to reach 95 %: at n = 5
     * a median's interval is [min, max] at 93.75 %.
     */
    public record Interval(double low, double high, double level) {
        public Interval(double low, double high) {
            this(low, high, LEVEL);
        }

        public double halfWidth() {
            return (high - low) / 2;
        }

        /** True when the interval is as wide as the sample allows and still short of 95 %. */
        public boolean belowLevel() {
            return level < LEVEL - 1e-9;
        }
    }

    public static double median(double[] v) {
        return Median.withDefaults().evaluate(v);
    }

    /**
     * Distribution-free 95 % interval of the median: the order statistics x(k) and x(n+1-k) with the largest k
     * whose coverage 1 - 2 P(Binomial(n, 1/2) < k) is at least 95 %; when even [min, max] is short of 95 % (n <= 5)
     * it is [min, max] at its own level. One sample gives a zero-width interval at level 0.
     */
    public static Interval medianCi(double[] v) {
        return medianCi(v, LEVEL);
    }

    /** {@link #medianCi(double[])} at another level. */
    public static Interval medianCi(double[] v, double level) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        if (n == 0) {
            return new Interval(Double.NaN, Double.NaN, 0);
        }
        if (n < 2) {
            return new Interval(s[0], s[0], 0);
        }
        double[] rank = RANKS.computeIfAbsent(List.of(n, level), x -> rank(n, level));
        int k = (int) rank[0]; // 1-based rank of the lower end
        double cover = rank[1];
        return new Interval(s[k - 1], s[n - k], cover);
    }

    private static final Map<List<Object>, double[]> RANKS = new ConcurrentHashMap<>();

    /** The largest k (and its coverage) whose [x(k), x(n+1-k)] covers the median with at least {@code level}; else 1. */
    private static double[] rank(int n, double level) {
        int k = 1;
        double cover = coverage(n, 1);
        while (k + 1 <= (n + 1) / 2 && coverage(n, k + 1) >= level) {
            k++;
            cover = coverage(n, k);
        }
        return new double[]{k, cover};
    }

    /** P(x(k) <= median <= x(n+1-k)) for a continuous distribution: 1 - 2 P(Binomial(n, 1/2) <= k - 1). */
    static double coverage(int n, int k) {
        return 1 - 2 * BinomialDistribution.of(n, 0.5).cumulativeProbability(k - 1);
    }

    /**
     * 95 % interval of the cost factor (see {@link Summary#costFactor}) of {@code x} against {@code base}: the
     * ratio of the two medians' order-statistic intervals, each at sqrt(95 %) so that both hold together with at
     * least 95 % (the samples are independent); null when either interval reaches zero (no ratio of a quantity
     * that may be zero or negative).
     */
    public static Interval costCi(double[] base, double[] x, boolean higherIsBetter) {
        return higherIsBetter ? ratioCi(base, x) : ratioCi(x, base);
    }

    /** Distribution-free interval of median(num) / median(den) from independent samples; level = at least. */
    public static Interval ratioCi(double[] num, double[] den) {
        double each = Math.sqrt(LEVEL);
        Interval n = medianCi(num, each);
        Interval d = medianCi(den, each);
        if (!(d.low() > 0) || !(n.low() > 0) || !Double.isFinite(d.high()) || !Double.isFinite(n.high())) {
            return null;
        }
        // n/d is monotone in each argument over the box (d > 0): the extremes are at its corners
        double[] corners = {n.low() / d.low(), n.low() / d.high(), n.high() / d.low(), n.high() / d.high()};
        double lo = Arrays.stream(corners).min().getAsDouble();
        double hi = Arrays.stream(corners).max().getAsDouble();
        return new Interval(lo, hi, n.level() * d.level());
    }

    /** Two-sided Mann–Whitney U p-value (exact where possible). */
    public static double mannWhitneyP(double[] a, double[] b) {
        return MannWhitneyUTest.withDefaults().test(a, b).getPValue();
    }

    /**
     * The smallest two-sided p-value the exact test can produce for these sample sizes: 2 / C(n1+n2, n1).
     * When it is not below {@link #ALPHA}, no data could show a difference: more repetitions are needed.
     */
    public static double smallestPossibleP(int n1, int n2) {
        double c = 1;
        for (int i = 1; i <= n1; i++) {
            c = c * (n2 + i) / i;
        }
        return Math.min(1, 2 / c);
    }

    /** The smallest k such that k against k can reach p < alpha (Mann–Whitney, exact). */
    public static int smallestSufficientN(double alpha) {
        int k = 1;
        while (smallestPossibleP(k, k) >= alpha) {
            k++;
        }
        return k;
    }

    /** The verdict of a runtime's samples against the baseline's, before any correction for many results. */
    public static String verdict(double[] base, double[] x) {
        if (!canTest(base, x)) {
            return TOO_FEW;
        }
        if (allEqual(base, x)) {
            return WITHIN_NOISE;
        }
        return mannWhitneyP(base, x) < ALPHA ? DIFFERS : WITHIN_NOISE;
    }

    /** Whether some outcome of the test could be significant with these sample sizes. */
    public static boolean canTest(double[] a, double[] b) {
        return a.length >= 2 && b.length >= 2 && smallestPossibleP(a.length, b.length) < ALPHA;
    }

    /** The Mann–Whitney p-value, 1 when every value is the same (no evidence of a difference), null when untestable. */
    public static Double testP(double[] a, double[] b) {
        if (!canTest(a, b)) {
            return null;
        }
        return allEqual(a, b) ? 1.0 : mannWhitneyP(a, b);
    }

    /**
     * Benjamini–Hochberg adjusted p-values (controls the false discovery rate over the family): p(i) * m / i made
     * monotone from the largest down, at most 1. Null entries are not tested and not counted in m.
     */
    public static Double[] adjustBh(Double[] p) {
        Integer[] idx = java.util.stream.IntStream.range(0, p.length).filter(i -> p[i] != null).boxed()
                .sorted((i, j) -> Double.compare(p[i], p[j])).toArray(Integer[]::new);
        int m = idx.length;
        Double[] out = new Double[p.length];
        double min = 1;
        for (int r = m; r >= 1; r--) {
            int i = idx[r - 1];
            min = Math.min(min, p[i] * m / r);
            out[i] = min;
        }
        return out;
    }

    private static boolean allEqual(double[] a, double[] b) {
        double v = a[0];
        return Arrays.stream(a).allMatch(d -> d == v) && Arrays.stream(b).allMatch(d -> d == v);
    }

    /** The q-quantile (0..1) of unsorted values, linear interpolation between order statistics (as numpy's default). */
    public static double percentile(double[] v, double q) {
        double[] s = v.clone();
        java.util.Arrays.sort(s);
        return quantile(s, q);
    }

    /** Linear interpolation between order statistics of a sorted array. */
    static double quantile(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = (int) Math.ceil(pos);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    }

    public static double coefficientOfVariation(double mean, double stddev) {
        return mean == 0 ? Double.NaN : stddev / Math.abs(mean);
    }
}
