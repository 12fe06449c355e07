package io.isobench.analysis;

import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.simple.RandomSource;
import org.apache.commons.statistics.descriptive.Median;
import org.apache.commons.statistics.inference.MannWhitneyUTest;

import java.util.Arrays;

/**
 * The statistics behind every verdict: percentile-bootstrap 95 % confidence intervals (seeded, so the same
 * samples always give the same interval) and the two-sided Mann–Whitney U test (exact p-values for small
 * samples without ties). Small samples are handled honestly: when no outcome of the test could reach
 * significance with the given sample sizes, the verdict says so instead of "within noise".
 */
public final class Statistics {
    public static final double ALPHA = 0.05;
    public static final int RESAMPLES = 4000;
    static final long SEED = 0x150BE4C4L;

    public static final String DIFFERS = "differs from baseline";
    public static final String WITHIN_NOISE = "within noise";
    public static final String TOO_FEW = "too few samples";

    private Statistics() {
    }

    /** A closed interval. */
    public record Interval(double low, double high) {
        public double halfWidth() {
            return (high - low) / 2;
        }
    }

    public static double median(double[] v) {
        return Median.withDefaults().evaluate(v);
    }

    /** 95 % percentile-bootstrap CI of the median. One sample gives a zero-width interval. */
    public static Interval medianCi(double[] v) {
        if (v.length < 2) {
            return new Interval(v[0], v[0]);
        }
        UniformRandomProvider rng = RandomSource.XO_RO_SHI_RO_128_PP.create(SEED);
        double[] meds = new double[RESAMPLES];
        double[] buf = new double[v.length];
        for (int b = 0; b < RESAMPLES; b++) {
            resample(v, buf, rng);
            meds[b] = median(buf);
        }
        return percentiles(meds);
    }

    /**
     * 95 % bootstrap CI of the cost factor (see {@link Summary#costFactor}) of {@code x} against {@code base}:
     * both samples are resampled independently and the ratio of their medians taken each time.
     */
    public static Interval costCi(double[] base, double[] x, boolean higherIsBetter) {
        if (base.length < 2 && x.length < 2) {
            Double c = Summary.costFactor(x[0], base[0], higherIsBetter);
            return c == null ? null : new Interval(c, c);
        }
        UniformRandomProvider rng = RandomSource.XO_RO_SHI_RO_128_PP.create(SEED + 1);
        double[] ratios = new double[RESAMPLES];
        double[] bb = new double[base.length];
        double[] xb = new double[x.length];
        int n = 0;
        for (int i = 0; i < RESAMPLES; i++) {
            resample(base, bb, rng);
            resample(x, xb, rng);
            Double c = Summary.costFactor(median(xb), median(bb), higherIsBetter);
            if (c != null) {
                ratios[n++] = c;
            }
        }
        return n == 0 ? null : percentiles(Arrays.copyOf(ratios, n));
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

    /** The verdict of a runtime's samples against the baseline's. */
    public static String verdict(double[] base, double[] x) {
        if (base.length < 2 || x.length < 2 || smallestPossibleP(base.length, x.length) >= ALPHA) {
            return TOO_FEW;
        }
        if (allEqual(base, x)) {
            return WITHIN_NOISE;
        }
        return mannWhitneyP(base, x) < ALPHA ? DIFFERS : WITHIN_NOISE;
    }

    private static boolean allEqual(double[] a, double[] b) {
        double v = a[0];
        return Arrays.stream(a).allMatch(d -> d == v) && Arrays.stream(b).allMatch(d -> d == v);
    }

    private static void resample(double[] src, double[] dst, UniformRandomProvider rng) {
        for (int i = 0; i < dst.length; i++) {
            dst[i] = src[rng.nextInt(src.length)];
        }
    }

    private static Interval percentiles(double[] v) {
        Arrays.sort(v);
        return new Interval(quantile(v, 0.025), quantile(v, 0.975));
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
