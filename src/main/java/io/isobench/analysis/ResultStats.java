package io.isobench.analysis;

import java.util.Map;

/**
 * Statistics of one (benchmark, metric, params, runtime) group of measured (non-warmup) samples.
 *
 * @param ratioToBaseline cost factor against the baseline's median, oriented so that values above 1 are
 *                        always worse than the baseline: runtime/baseline for lower-is-better metrics,
 *                        baseline/runtime for higher-is-better ones. Null when the baseline has no result.
 * @param ci95Low         distribution-free 95 % confidence interval of the median (low end; order statistics)
 * @param ratioCi95Low    distribution-free 95 % confidence interval of the cost factor (null without baseline)
 * @param verdict         against the baseline, judged on the adjusted p-value: "differs from baseline", "within
 *                        noise", "too few samples", "baseline" for the baseline itself, or null without a baseline result
 * @param p95            95th percentile of the samples (linear interpolation between order statistics)
 * @param pValue          two-sided Mann–Whitney U p-value against the baseline (null when not computed)
 * @param ci95Level       the median interval's own confidence (below 0.95 when n is too small to reach it: [min, max])
 * @param ratioCiLevel    the cost interval's guaranteed confidence (null without one)
 * @param pAdjusted       {@code pValue} adjusted by Benjamini–Hochberg over every runtime-vs-baseline result of the run
 */
public record ResultStats(String benchmark, String metric, String unit, boolean higherIsBetter,
                          Map<String, Object> params, String paramsKey, String runtime, int n, double median,
                          double mean, double stddev, double min, double max, double cv, double ci95Low,
                          double ci95High, Double ratioToBaseline, Double ratioCi95Low, Double ratioCi95High,
                          String verdict, Double pValue, double[] values, double p95, double ci95Level,
                          Double ratioCiLevel, Double pAdjusted) {
    /** The same statistics judged on an adjusted p-value (the verdict follows it). */
    ResultStats withAdjusted(Double adjusted) {
        String v = verdict;
        if (adjusted != null && (Statistics.DIFFERS.equals(v) || Statistics.WITHIN_NOISE.equals(v))) {
            v = adjusted < Statistics.ALPHA ? Statistics.DIFFERS : Statistics.WITHIN_NOISE;
        }
        return new ResultStats(benchmark, metric, unit, higherIsBetter, params, paramsKey, runtime, n, median, mean,
                stddev, min, max, cv, ci95Low, ci95High, ratioToBaseline, ratioCi95Low, ratioCi95High, v, pValue, values,
                p95, ci95Level, ratioCiLevel, adjusted);
    }
}
