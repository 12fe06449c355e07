package io.isobench.store;


import io.isobench.bench.Sample;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** One finished trial as stored: samples when it succeeded, a failure reason otherwise, raw output always. */
public record TrialRecord(String runId, String benchmark, Map<String, String> params, String runtime, int repetition,
                          boolean warmup, Instant startedAt, double elapsedMs, List<Sample> samples,
                          String failureReason, String rawOutput) {
}
