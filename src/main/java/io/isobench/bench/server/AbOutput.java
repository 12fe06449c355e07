package io.isobench.bench.server;

import io.isobench.bench.CommandBenchmark;
import io.isobench.bench.CommandBenchmark.ParseException;
import io.isobench.bench.Metric;
import io.isobench.bench.Sample;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads ApacheBench 2.3's report (see src/test/resources/fixtures/ab): the summary lines, the "Connection Times
 * (ms)" table and the "Percentage of the requests served within a certain time (ms)" table. All times in ms.
 */
final class AbOutput {
    static final Metric REQUESTS_PER_SECOND = new Metric("requests_per_second", "req/s", true);
    static final Metric TIME_PER_REQUEST = new Metric("time_per_request_ms", "ms", false);
    static final Metric TIME_PER_REQUEST_ALL = new Metric("time_per_request_all_ms", "ms", false);
    static final Metric TRANSFER_RATE = new Metric("transfer_rate_kib_per_s", "KiB/s", true);
    static final Metric FAILED = new Metric("failed_requests", "requests", false);
    static final Metric NON_2XX = new Metric("non_2xx_responses", "responses", false);
    static final List<String> ROWS = List.of("connect", "processing", "waiting", "total");
    static final List<String> COLUMNS = List.of("min", "mean", "sd", "median", "max");
    static final List<Integer> PERCENTS = List.of(50, 66, 75, 80, 90, 95, 98, 99, 100);

    private static final Pattern COMPLETE = Pattern.compile("(?m)^Complete requests:\\s+(\\d+)");
    private static final Pattern FAILED_LINE = Pattern.compile("(?m)^Failed requests:\\s+(\\d+)");
    private static final Pattern NON_2XX_LINE = Pattern.compile("(?m)^Non-2xx responses:\\s+(\\d+)");
    private static final Pattern RPS = Pattern.compile("(?m)^Requests per second:\\s+([0-9.]+) \\[#/sec\\] \\(mean\\)");
    private static final Pattern TPR = Pattern.compile("(?m)^Time per request:\\s+([0-9.]+) \\[ms\\] \\(mean\\)$");
    private static final Pattern TPR_ALL = Pattern.compile(
            "(?m)^Time per request:\\s+([0-9.]+) \\[ms\\] \\(mean, across all concurrent requests\\)");
    private static final Pattern RATE = Pattern.compile("(?m)^Transfer rate:\\s+([0-9.]+) \\[Kbytes/sec\\] received");
    private static final Pattern PCT = Pattern.compile("(?m)^\\s*(\\d+)%\\s+(\\d+)");

    private static final Pattern DOC_LENGTH = Pattern.compile("(?m)^Document Length:\\s+(\\d+) bytes\\s*$");
    private static final Pattern FAILED_DETAIL = Pattern.compile("(?m)^Failed requests:.*\\n(\\s+\\(Connect:.*\\))?");

    private AbOutput() {
    }

    /**
     * Whether every request was answered 2xx with a body of {@code bodyBytes}, in ab's words: "Failed requests"
     * (connect, receive, length, exceptions; ab counts a body whose length differs from the first answer's as
     * failed), "Non-2xx responses" and "Document Length" (the first answer's body).
     */
    static void check(String text, long bodyBytes) throws ParseException {
        String t = text.replace("\r", "");
        if (find(t, FAILED_LINE, "Failed requests") > 0) {
            Matcher m = FAILED_DETAIL.matcher(t);
            throw new CommandBenchmark.CheckFailed("ab: '" + (m.find() ? m.group().replaceAll("\\s+", " ").strip()
                    : "Failed requests") + "'");
        }
        Matcher non2xx = NON_2XX_LINE.matcher(t);
        if (non2xx.find() && Long.parseLong(non2xx.group(1)) > 0) {
            throw new CommandBenchmark.CheckFailed("ab: '" + non2xx.group().strip() + "'");
        }
        Matcher len = DOC_LENGTH.matcher(t);
        if (!len.find()) {
            throw new ParseException("no 'Document Length' in ab's output");
        }
        if (Long.parseLong(len.group(1)) != bodyBytes) {
            throw new CommandBenchmark.CheckFailed("ab: '" + len.group().strip() + "', expected " + bodyBytes + " bytes");
        }
    }

    static List<Metric> metrics() {
        List<Metric> m = new ArrayList<>(List.of(REQUESTS_PER_SECOND, TIME_PER_REQUEST, TIME_PER_REQUEST_ALL,
                TRANSFER_RATE, FAILED, NON_2XX));
        for (String row : ROWS) {
            for (String col : COLUMNS) {
                m.add(connectionTime(row, col));
            }
        }
        for (int p : PERCENTS) {
            m.add(percentile(p));
        }
        return m;
    }

    /** A cell of the "Connection Times (ms)" table, e.g. total_median_ms. */
    static Metric connectionTime(String row, String column) {
        return new Metric(row + "_" + column + "_ms", "ms", false);
    }

    static Metric percentile(int p) {
        return new Metric("latency_p" + p + "_ms", "ms", false);
    }

    static List<Sample> parse(String text) throws ParseException {
        String t = text.replace("\r", "");
        List<Sample> s = new ArrayList<>();
        double complete = find(t, COMPLETE, "Complete requests");
        if (complete <= 0) {
            throw new ParseException("ab completed no requests");
        }
        s.add(new Sample(REQUESTS_PER_SECOND, find(t, RPS, "Requests per second")));
        s.add(new Sample(TIME_PER_REQUEST, find(t, TPR, "Time per request (mean)")));
        s.add(new Sample(TIME_PER_REQUEST_ALL, find(t, TPR_ALL, "Time per request (mean, across all)")));
        s.add(new Sample(TRANSFER_RATE, find(t, RATE, "Transfer rate")));
        s.add(new Sample(FAILED, find(t, FAILED_LINE, "Failed requests")));
        Matcher non2xx = NON_2XX_LINE.matcher(t);
        s.add(new Sample(NON_2XX, non2xx.find() ? Double.parseDouble(non2xx.group(1)) : 0));
        for (String row : ROWS) {
            String label = row.substring(0, 1).toUpperCase(Locale.ROOT) + row.substring(1);
            // "Connect:        0    2   0.4      2       4": min mean sd median max (ms)
            Matcher m = Pattern.compile("(?m)^" + label + ":\\s+([0-9.]+)\\s+([0-9.]+)\\s+([0-9.]+)\\s+([0-9.]+)\\s+([0-9.]+)\\s*$")
                    .matcher(t);
            if (!m.find()) {
                throw new ParseException("no '" + label + ":' row in ab's Connection Times table");
            }
            for (int i = 0; i < COLUMNS.size(); i++) {
                s.add(new Sample(connectionTime(row, COLUMNS.get(i)),
                        Double.parseDouble(m.group(i + 1))));
            }
        }
        int at = t.indexOf("Percentage of the requests served within a certain time (ms)");
        if (at < 0) {
            throw new ParseException("no percentage table in ab's output");
        }
        Matcher m = PCT.matcher(t.substring(at));
        List<Integer> seen = new ArrayList<>();
        while (m.find()) {
            int p = Integer.parseInt(m.group(1));
            if (PERCENTS.contains(p) && !seen.contains(p)) {
                seen.add(p);
                s.add(new Sample(percentile(p), Double.parseDouble(m.group(2))));
            }
        }
        if (seen.size() != PERCENTS.size()) {
            throw new ParseException("ab's percentage table has " + seen + ", expected " + PERCENTS);
        }
        return s;
    }

    private static double find(String t, Pattern p, String what) throws ParseException {
        Matcher m = p.matcher(t);
        if (!m.find()) {
            throw new ParseException("no '" + what + "' in ab's output");
        }
        return Double.parseDouble(m.group(1));
    }
}
