package io.isobench.bench;

import java.util.List;

/** What one successful trial produced: its samples and the raw tool output they were parsed from. */
public record TrialOutcome(List<Sample> samples, String rawOutput) {
}
