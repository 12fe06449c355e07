package io.isobench.store;


import io.isobench.bench.Sample;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One finished trial as stored: samples when it succeeded, a failure reason otherwise, raw output always.
 *
 * @param othersRunnable the host's runnable tasks that were not isobench's just before the trial (see
 *                       {@code exec.OthersLoad}); null when not measured
 */
public record TrialRecord(String runId, String benchmark, Map<String, String> params, String runtime, int repetition,
                          boolean warmup, Instant startedAt, double elapsedMs, List<Sample> samples,
                          String failureReason, String rawOutput, Double othersRunnable) {
    public TrialRecord(String runId, String benchmark, Map<String, String> params, String runtime, int repetition,
                       boolean warmup, Instant startedAt, double elapsedMs, List<Sample> samples, String failureReason,
                       String rawOutput) {
        this(runId, benchmark, params, runtime, repetition, warmup, startedAt, elapsedMs, samples, failureReason, rawOutput,
                null);
    }
}
