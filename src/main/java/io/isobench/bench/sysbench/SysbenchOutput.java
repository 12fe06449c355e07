package io.isobench.bench.sysbench;

import io.isobench.bench.CommandBenchmark;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the figures sysbench 1.0.x prints after a run (see the fixtures under src/test/resources). */
public final class SysbenchOutput {
    private static final Pattern EVENTS_PER_SEC = Pattern.compile("events per second:\\s+([0-9.]+)");
    private static final Pattern TOTAL_TIME = Pattern.compile("total time:\\s+([0-9.]+)s");
    private static final Pattern TOTAL_EVENTS = Pattern.compile("total number of events:\\s+([0-9]+)");
    private static final Pattern LAT_MIN = Pattern.compile("Latency \\(ms\\):\\s+min:\\s+([0-9.]+)");
    private static final Pattern LAT_AVG = Pattern.compile("Latency \\(ms\\):(?:.*\\n)*?\\s+avg:\\s+([0-9.]+)");
    private static final Pattern LAT_MAX = Pattern.compile("Latency \\(ms\\):(?:.*\\n)*?\\s+max:\\s+([0-9.]+)");
    private static final Pattern LAT_PCT = Pattern.compile("Latency \\(ms\\):(?:.*\\n)*?\\s+(\\d+)th percentile:\\s+([0-9.]+)");
    // sysbench pads small rates inside the parentheses: "Total operations: 5863 ( 5856.27 per second)"
    private static final Pattern MIB = Pattern.compile("([0-9.]+) MiB transferred \\(\\s*([0-9.]+) MiB/sec\\)");
    private static final Pattern OPS = Pattern.compile("Total operations:\\s+([0-9]+)\\s+\\(\\s*([0-9.]+) per second\\)");

    private static final Pattern READ_MIB = Pattern.compile("read, MiB/s:\\s+([0-9.]+)");
    private static final Pattern WRITTEN_MIB = Pattern.compile("written, MiB/s:\\s+([0-9.]+)");
    private static final Pattern READS = Pattern.compile("reads/s:\\s+([0-9.]+)");
    private static final Pattern WRITES = Pattern.compile("writes/s:\\s+([0-9.]+)");

    // oltp_*: "transactions:   3177   (1058.18 per sec.)", "queries:  63671  (21207.17 per sec.)", "ignored errors: ..."
    private static final Pattern TPS = Pattern.compile("transactions:\\s+\\d+\\s+\\(\\s*([0-9.]+) per sec\\.\\)");
    private static final Pattern QPS = Pattern.compile("queries:\\s+\\d+\\s+\\(\\s*([0-9.]+) per sec\\.\\)");
    private static final Pattern IGNORED = Pattern.compile("ignored errors:\\s+\\d+\\s+\\(\\s*([0-9.]+) per sec\\.\\)");

    private static final Pattern FATAL = Pattern.compile("(?m)^FATAL: .*$");
    private static final Pattern EVENTS_LINE = Pattern.compile("(?m)^\\s*total number of events:\\s+(\\d+)\\s*$");
    private static final Pattern TRANSACTIONS_LINE = Pattern.compile("(?m)^\\s*transactions:\\s+(\\d+)\\s.*$");
    private static final Pattern RECONNECTS_LINE = Pattern.compile("(?m)^\\s*reconnects:\\s+(\\d+)\\s.*$");

    private final String text;

    public SysbenchOutput(String text) {
        this.text = text.replace("\r", "");
    }

    public OptionalDouble eventsPerSecond() {
        return find(EVENTS_PER_SEC, 1);
    }

    public OptionalDouble totalTimeSeconds() {
        return find(TOTAL_TIME, 1);
    }

    public OptionalDouble totalEvents() {
        return find(TOTAL_EVENTS, 1);
    }

    public OptionalDouble latencyMinMs() {
        return find(LAT_MIN, 1);
    }

    public OptionalDouble latencyAvgMs() {
        return find(LAT_AVG, 1);
    }

    public OptionalDouble latencyMaxMs() {
        return find(LAT_MAX, 1);
    }

    public OptionalDouble latencyPercentileMs() {
        return find(LAT_PCT, 2);
    }

    public OptionalDouble mibPerSecond() {
        return find(MIB, 2);
    }

    public OptionalDouble operationsPerSecond() {
        return find(OPS, 2);
    }

    /** oltp: transactions per second. */
    public OptionalDouble transactionsPerSecond() {
        return find(TPS, 1);
    }

    /** oltp: queries per second. */
    public OptionalDouble queriesPerSecond() {
        return find(QPS, 1);
    }

    /** oltp: ignored errors (deadlocks sysbench retries) per second. */
    public OptionalDouble ignoredErrorsPerSecond() {
        return find(IGNORED, 1);
    }

    /** fileio: "read, MiB/s:" */
    public OptionalDouble readMibPerSecond() {
        return find(READ_MIB, 1);
    }

    /** fileio: "written, MiB/s:" */
    public OptionalDouble writtenMibPerSecond() {
        return find(WRITTEN_MIB, 1);
    }

    /** fileio: "reads/s:" */
    public OptionalDouble readsPerSecond() {
        return find(READS, 1);
    }

    /** fileio: "writes/s:" */
    public OptionalDouble writesPerSecond() {
        return find(WRITES, 1);
    }

    private OptionalDouble find(Pattern p, int group) {
        Matcher m = p.matcher(text);
        if (!m.find()) {
            return OptionalDouble.empty();
        }
        try {
            return OptionalDouble.of(Double.parseDouble(m.group(group)));
        } catch (NumberFormatException e) {
            return OptionalDouble.empty();
        }
    }

    /**
     * Whether sysbench did the work it was asked for, in its own words: no {@code FATAL:} line, a non-zero
     * "total number of events", and for oltp a non-zero transaction count and no reconnects (sysbench reconnects
     * after a lost connection: the server failed). Deadlocks sysbench retries ("ignored errors") are a metric, not
     * a failure.
     */
    public void check() throws CommandBenchmark.CheckFailed {
        Matcher fatal = FATAL.matcher(text);
        if (fatal.find()) {
            throw new CommandBenchmark.CheckFailed("sysbench: '" + fatal.group().strip() + "'");
        }
        Matcher events = EVENTS_LINE.matcher(text);
        if (events.find() && Long.parseLong(events.group(1)) == 0) {
            throw new CommandBenchmark.CheckFailed("sysbench did no work: '" + events.group().strip() + "'");
        }
        Matcher tx = TRANSACTIONS_LINE.matcher(text);
        if (tx.find() && Long.parseLong(tx.group(1)) == 0) {
            throw new CommandBenchmark.CheckFailed("sysbench completed no transactions: '" + tx.group().strip() + "'");
        }
        Matcher rc = RECONNECTS_LINE.matcher(text);
        if (rc.find() && Long.parseLong(rc.group(1)) > 0) {
            throw new CommandBenchmark.CheckFailed("sysbench lost its database connection: '" + rc.group().strip() + "'");
        }
    }

    /** Value or a parse failure naming what was missing. */
    public static double require(OptionalDouble v, String what) throws CommandBenchmark.ParseException {
        if (v.isEmpty()) {
            throw new CommandBenchmark.ParseException("no '" + what + "' in sysbench output");
        }
        return v.getAsDouble();
    }
}
