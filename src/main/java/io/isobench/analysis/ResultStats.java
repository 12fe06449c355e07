package io.isobench.analysis;

import java.util.Map;

/**
 * Statistics of one (benchmark, metric, params, runtime) group of measured (non-warmup) samples.
 *
 * @param ratioToBaseline cost factor against the baseline's median, oriented so that values above 1 are
 *                        always worse than the baseline: runtime/baseline for lower-is-better metrics,
 *                        baseline/runtime for higher-is-better ones. Null when the baseline has no result.
 * @param ci95Low         95 % bootstrap confidence interval of the median (low end)
 * @param ratioCi95Low    95 % bootstrap confidence interval of the cost factor (null without baseline)
 * @param verdict         against the baseline: "differs from baseline", "within noise", "too few samples",
 *                        "baseline" for the baseline itself, or null without a baseline result
 * @param p95            95th percentile of the samples (linear interpolation between order statistics)
 * @param pValue          two-sided Mann–Whitney U p-value against the baseline (null when not computed)
 */
public record ResultStats(String benchmark, String metric, String unit, boolean higherIsBetter,
                          Map<String, Object> params, String paramsKey, String runtime, int n, double median,
                          double mean, double stddev, double min, double max, double cv, double ci95Low,
                          double ci95High, Double ratioToBaseline, Double ratioCi95Low, Double ratioCi95High,
                          String verdict, Double pValue, double[] values, double p95) {
}
