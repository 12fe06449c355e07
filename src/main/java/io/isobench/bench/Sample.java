package io.isobench.bench;

import java.util.Map;

/**
 * One measured value of one metric from one trial.
 *
 * @param series null for an ordinary sample; for one point of a time series, where it sits (e.g. {@code t_s} = seconds
 *               from the series' start, {@code phase} = idle or load). Series points are stored and charted but do
 *               not enter statistics: a benchmark that records a series also records its summary metrics.
 */
public record Sample(Metric metric, double value, Map<String, String> series) {
    public Sample {
        series = series == null ? null : Map.copyOf(series);
    }

    public Sample(Metric metric, double value) {
        this(metric, value, null);
    }
}
