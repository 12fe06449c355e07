package io.isobench.bench.server;

import io.isobench.bench.CommandBenchmark;
import io.isobench.util.Json;

import java.util.Map;

/**
 * Reads iperf3's {@code -J} output (iperf 3.12; see src/test/resources/fixtures/iperf3): the totals of the whole
 * test after the omitted warm-up seconds. iperf3 exits 0 even when it could not connect; its JSON then carries an
 * {@code "error"} field, which is a parse failure here; so is a test whose totals moved no bytes (a failed check).
 *
 * @param receivedBitsPerSecond {@code end.sum_received.bits_per_second}: what the receiving end got
 * @param sentBitsPerSecond     {@code end.sum_sent.bits_per_second}
 * @param retransmits           {@code end.sum_sent.retransmits} (the sending end's TCP retransmits; -1 when absent)
 * @param reverse               {@code start.test_start.reverse}: 1 when the server sent (iperf3 -R)
 * @param streams               {@code start.test_start.num_streams}
 * @param seconds               {@code end.sum_received.seconds}: the measured interval (omitted seconds excluded)
 */
public record IperfOutput(double receivedBitsPerSecond, double sentBitsPerSecond, long retransmits, boolean reverse,
                          int streams, double seconds) {

    public static IperfOutput parse(String stdout) throws CommandBenchmark.ParseException {
        int start = stdout.indexOf('{');
        int end = stdout.lastIndexOf('}');
        if (start < 0 || end < start) {
            throw new CommandBenchmark.ParseException("no JSON object in iperf3 output");
        }
        Map<String, Object> root;
        try {
            root = Json.readMap(stdout.substring(start, end + 1));
        } catch (RuntimeException e) {
            throw new CommandBenchmark.ParseException("iperf3 output is not valid JSON: " + e.getMessage());
        }
        if (root.get("error") instanceof String err) {
            throw new CommandBenchmark.ParseException("iperf3: " + err);
        }
        if (!(root.get("end") instanceof Map<?, ?> e)) {
            throw new CommandBenchmark.ParseException("no 'end' section in iperf3 JSON");
        }
        if (!(e.get("sum_received") instanceof Map<?, ?> rcv) || !(e.get("sum_sent") instanceof Map<?, ?> snt)) {
            throw new CommandBenchmark.ParseException("no end.sum_received / end.sum_sent in iperf3 JSON");
        }
        for (Map.Entry<String, Map<?, ?>> side : Map.<String, Map<?, ?>>of("sum_received", rcv, "sum_sent", snt).entrySet()) {
            if (!(side.getValue().get("bytes") instanceof Number b) || b.longValue() <= 0) {
                throw new CommandBenchmark.CheckFailed("iperf3 moved no data: end." + side.getKey() + ".bytes = "
                        + side.getValue().get("bytes"));
            }
        }
        boolean reverse = false;
        int streams = 0;
        if (root.get("start") instanceof Map<?, ?> s && s.get("test_start") instanceof Map<?, ?> ts) {
            reverse = ts.get("reverse") instanceof Number n && n.intValue() != 0;
            streams = ts.get("num_streams") instanceof Number n ? n.intValue() : 0;
        }
        long retransmits = snt.get("retransmits") instanceof Number n ? n.longValue() : -1;
        return new IperfOutput(number(rcv, "bits_per_second", "sum_received"), number(snt, "bits_per_second", "sum_sent"),
                retransmits, reverse, streams, number(rcv, "seconds", "sum_received"));
    }

    /**
     * iperf3's error when it failed before any interval was measured (could not connect, control connection reset
     * while the server was re-opening its listener), else null. iperf3's server closes and re-opens its listening
     * socket after every test, including a failed one such as a readiness check's bare connection, so a client that
     * arrives in that gap is refused or reset: such a failure measured nothing and may be retried.
     */
    public static String errorBeforeStart(String stdout) {
        int start = stdout.indexOf('{');
        int end = stdout.lastIndexOf('}');
        if (start < 0 || end < start) {
            return null;
        }
        try {
            Map<String, Object> root = Json.readMap(stdout.substring(start, end + 1));
            boolean measured = root.get("intervals") instanceof java.util.List<?> l && !l.isEmpty();
            return !measured && root.get("error") instanceof String err ? err : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static double number(Map<?, ?> m, String key, String where) throws CommandBenchmark.ParseException {
        if (m.get(key) instanceof Number n && Double.isFinite(n.doubleValue())) {
            return n.doubleValue();
        }
        throw new CommandBenchmark.ParseException("no numeric " + where + "." + key + " in iperf3 JSON");
    }
}
