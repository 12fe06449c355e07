package io.isobench.bench;

/** A quantity a benchmark reports; the direction decides how cost against the baseline is oriented. */
public record Metric(String name, String unit, boolean higherIsBetter) {
}
