package io.isobench.bench;

/** One measured value of one metric from one trial. */
public record Sample(Metric metric, double value) {
}
