package io.isobench.bench.server;

import io.isobench.bench.CommandBenchmark;
import io.isobench.bench.CommandBenchmark.ParseException;
import io.isobench.bench.Metric;
import io.isobench.bench.Sample;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads {@code redis-benchmark --csv} of redis 7.0 (see src/test/resources/fixtures/redis): a header line
 * {@code "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"}
 * and one quoted line per test.
 */
final class RedisBenchmarkOutput {
    static final Metric RPS = new Metric("requests_per_second", "req/s", true);
    static final List<String> COLUMNS = List.of("rps", "avg_latency_ms", "min_latency_ms", "p50_latency_ms",
            "p95_latency_ms", "p99_latency_ms", "max_latency_ms");

    private static final java.util.regex.Pattern SERVER_ERROR = java.util.regex.Pattern.compile("(?m)^Error from server: .*$");

    private RedisBenchmarkOutput() {
    }

    /**
     * Whether the server answered without errors, in redis-benchmark's words ("Error from server: ...", which
     * redis 7.0's redis-benchmark prints on stderr before it exits 1). {@code output}: stdout and stderr.
     */
    static void check(String output) throws CommandBenchmark.CheckFailed {
        java.util.regex.Matcher m = SERVER_ERROR.matcher(output.replace("\r", ""));
        if (m.find()) {
            throw new CommandBenchmark.CheckFailed("redis-benchmark: '" + m.group().strip() + "'");
        }
    }

    static List<Metric> metrics() {
        List<Metric> m = new ArrayList<>(List.of(RPS));
        for (String c : COLUMNS.subList(1, COLUMNS.size())) {
            m.add(latency(c));
        }
        return m;
    }

    /** "p95_latency_ms" -> latency_p95_ms */
    private static Metric latency(String column) {
        return new Metric("latency_" + column.replace("_latency_ms", "") + "_ms", "ms", false);
    }

    /** The samples of the line whose test is {@code command} (case-insensitive, e.g. "set" for "SET"). */
    static List<Sample> parse(String text, String command) throws ParseException {
        List<String> header = null;
        for (String line : text.replace("\r", "").split("\n")) {
            if (!line.startsWith("\"")) {
                continue;
            }
            List<String> cells = new ArrayList<>();
            for (String c : line.split(",")) {
                cells.add(c.strip().replaceAll("^\"|\"$", ""));
            }
            if (cells.get(0).equals("test")) {
                header = cells;
                continue;
            }
            String test = cells.get(0).toLowerCase(Locale.ROOT);
            // LPUSH and LPOP lines say "LPUSH", "LPOP"; SET "SET"; newer versions may append details in parentheses
            if (!(test.equals(command) || test.startsWith(command + " "))) {
                continue;
            }
            if (header == null) {
                throw new ParseException("redis-benchmark CSV line before its header: " + line);
            }
            List<Sample> s = new ArrayList<>();
            for (String col : COLUMNS) {
                int i = header.indexOf(col);
                if (i < 0 || i >= cells.size()) {
                    throw new ParseException("no column '" + col + "' in redis-benchmark's CSV header " + header);
                }
                double v;
                try {
                    v = Double.parseDouble(cells.get(i));
                } catch (NumberFormatException e) {
                    throw new ParseException("not a number in column " + col + ": " + line);
                }
                s.add(new Sample(col.equals("rps") ? RPS : latency(col), v));
            }
            if (s.get(0).value() <= 0) {
                throw new ParseException("zero requests per second for " + command + ": " + line);
            }
            return s;
        }
        throw new ParseException("no CSV line for " + command.toUpperCase(Locale.ROOT) + " in redis-benchmark's output");
    }
}
