package io.isobench.store;

import java.util.List;
import java.util.Map;

/**
 * A run read back from the store: its header and every runtime, sample and failure; {@code resumptions} are the
 * times {@code run --resume} took it up again (empty for a run that ran in one go); {@code loads} the host's other
 * work measured before each trial (empty for runs made before isobench measured it).
 */
public record StoredRun(Header header, List<RuntimeRow> runtimes, List<SampleRow> samples, List<FailureRow> failures,
                        List<StopRow> stops, List<Resumption> resumptions, List<TrialLoad> loads) {

    public StoredRun(Header header, List<RuntimeRow> runtimes, List<SampleRow> samples, List<FailureRow> failures,
                     List<StopRow> stops, List<Resumption> resumptions) {
        this(header, runtimes, samples, failures, stops, resumptions, List.of());
    }

    public StoredRun(Header header, List<RuntimeRow> runtimes, List<SampleRow> samples, List<FailureRow> failures,
                     List<StopRow> stops) {
        this(header, runtimes, samples, failures, stops, List.of());
    }

    /** The host's runnable tasks that were not isobench's, measured just before one trial. */
    public record TrialLoad(String benchmark, String paramsJson, String runtime, int repetition, boolean warmup,
                            double othersRunnable) {
    }

    /** One {@code run --resume}: when, the status the run had, how many planned trials it still lacked. */
    public record Resumption(String resumedAt, String previousStatus, long trialsMissing) {
    }

    /** Why measuring one benchmark case stopped. */
    public record StopRow(String benchmark, String paramsJson, int repetitions, String reason) {
    }

    public record Header(String id, String startedAt, String finishedAt, String status, String version,
                         Map<String, Object> host, Map<String, Object> plan, Map<String, Object> tools,
                         Double harnessCpuSeconds, Long harnessPeakRssBytes) {
    }

    public record RuntimeRow(String runtime, String kind, boolean available, String version, String reason,
                             Map<String, Object> details) {
    }

    /** @param seriesJson null, or where a time-series point sits ({@link io.isobench.bench.Sample#series()}) */
    public record SampleRow(String benchmark, String paramsJson, String runtime, int repetition, boolean warmup,
                            String metric, String unit, boolean higherIsBetter, double value, String seriesJson) {
        public SampleRow(String benchmark, String paramsJson, String runtime, int repetition, boolean warmup,
                         String metric, String unit, boolean higherIsBetter, double value) {
            this(benchmark, paramsJson, runtime, repetition, warmup, metric, unit, higherIsBetter, value, null);
        }

        /** Whether this is a point of a time series (not a measurement for statistics). */
        public boolean isSeriesPoint() {
            return seriesJson != null;
        }
    }

    public record FailureRow(String runtime, String benchmark, String paramsJson, int repetition, boolean warmup,
                             String reason, String rawOutput) {
    }
}
