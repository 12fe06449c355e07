package io.isobench.analysis;

import java.util.Map;

/**
 * Statistics of one (benchmark, metric, params, runtime) group of measured (non-warmup) samples.
 *
 * @param ratioToBaseline cost factor against the baseline's median, oriented so that values above 1 are
 *                        always worse than the baseline: runtime/baseline for lower-is-better metrics,
 *                        baseline/runtime for higher-is-better ones. Null when the baseline has no result.
 */
public record ResultStats(String benchmark, String metric, String unit, boolean higherIsBetter,
                          Map<String, Object> params, String paramsKey, String runtime, int n, double median,
                          double mean, double stddev, double min, double max, Double ratioToBaseline) {
}
