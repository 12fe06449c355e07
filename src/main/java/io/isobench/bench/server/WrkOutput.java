package io.isobench.bench.server;

import io.isobench.bench.CommandBenchmark;
import io.isobench.bench.CommandBenchmark.ParseException;
import io.isobench.bench.Metric;
import io.isobench.bench.Sample;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads wrk 4.1's report with {@code --latency} (see src/test/resources/fixtures/wrk). wrk prints scaled units
 * (us/ms/s/m for times, B/KB/MB/GB with 1024 steps for bytes). Metric names are ab's where the meaning is the same.
 */
final class WrkOutput {
    static final Metric LATENCY_AVG = new Metric("latency_avg_ms", "ms", false);
    static final Metric LATENCY_STDEV = new Metric("latency_stdev_ms", "ms", false);
    static final Metric LATENCY_MAX = new Metric("latency_max_ms", "ms", false);
    static final List<Integer> PERCENTS = List.of(50, 75, 90, 99);

    private static final Pattern LATENCY = Pattern.compile(
            "(?m)^\\s+Latency\\s+([0-9.]+)(us|ms|s|m)\\s+([0-9.]+)(us|ms|s|m)\\s+([0-9.]+)(us|ms|s|m)");
    private static final Pattern DIST = Pattern.compile("(?m)^\\s+(\\d+)%\\s+([0-9.]+)(us|ms|s|m)\\s*$");
    private static final Pattern REQUESTS = Pattern.compile("(?m)^\\s*(\\d+) requests in ");
    private static final Pattern RPS = Pattern.compile("(?m)^Requests/sec:\\s+([0-9.]+)");
    private static final Pattern TRANSFER = Pattern.compile("(?m)^Transfer/sec:\\s+([0-9.]+)(B|KB|MB|GB|TB)");
    private static final Pattern SOCKET_ERRORS = Pattern.compile(
            "(?m)^\\s+Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");
    private static final Pattern NON_2XX = Pattern.compile("(?m)^\\s+Non-2xx or 3xx responses: (\\d+)");

    private WrkOutput() {
    }

    /**
     * Whether every request was answered without a socket error and with a 2xx or 3xx status, in wrk's words
     * ("Socket errors: connect N, read N, write N, timeout N", "Non-2xx or 3xx responses: N"). wrk does not
     * report body lengths; ab's trials check those.
     */
    static void check(String text) throws CommandBenchmark.CheckFailed {
        String t = text.replace("\r", "");
        Matcher se = SOCKET_ERRORS.matcher(t);
        if (se.find()) {
            for (int i = 1; i <= 4; i++) {
                if (Long.parseLong(se.group(i)) > 0) {
                    throw new CommandBenchmark.CheckFailed("wrk: '" + se.group().strip() + "'");
                }
            }
        }
        Matcher n = NON_2XX.matcher(t);
        if (n.find() && Long.parseLong(n.group(1)) > 0) {
            throw new CommandBenchmark.CheckFailed("wrk: '" + n.group().strip() + "'");
        }
    }

    static List<Metric> metrics() {
        List<Metric> m = new ArrayList<>(List.of(LATENCY_AVG, LATENCY_STDEV, LATENCY_MAX));
        return m;
    }

    static List<Sample> parse(String text) throws ParseException {
        String t = text.replace("\r", "");
        Matcher req = REQUESTS.matcher(t);
        if (!req.find() || Long.parseLong(req.group(1)) == 0) {
            throw new ParseException("wrk completed no requests");
        }
        List<Sample> s = new ArrayList<>();
        Matcher rps = RPS.matcher(t);
        if (!rps.find()) {
            throw new ParseException("no 'Requests/sec:' in wrk's output");
        }
        s.add(new Sample(AbOutput.REQUESTS_PER_SECOND, Double.parseDouble(rps.group(1))));
        Matcher lat = LATENCY.matcher(t);
        if (!lat.find()) {
            throw new ParseException("no 'Latency' thread stats line in wrk's output");
        }
        s.add(new Sample(LATENCY_AVG, ms(lat.group(1), lat.group(2))));
        s.add(new Sample(LATENCY_STDEV, ms(lat.group(3), lat.group(4))));
        s.add(new Sample(LATENCY_MAX, ms(lat.group(5), lat.group(6))));
        int at = t.indexOf("Latency Distribution");
        if (at < 0) {
            throw new ParseException("no 'Latency Distribution' in wrk's output (run with --latency)");
        }
        Matcher d = DIST.matcher(t.substring(at));
        List<Integer> seen = new ArrayList<>();
        while (d.find()) {
            int p = Integer.parseInt(d.group(1));
            if (PERCENTS.contains(p) && !seen.contains(p)) {
                seen.add(p);
                s.add(new Sample(AbOutput.percentile(p), ms(d.group(2), d.group(3))));
            }
        }
        if (seen.size() != PERCENTS.size()) {
            throw new ParseException("wrk's latency distribution has " + seen + ", expected " + PERCENTS);
        }
        Matcher tr = TRANSFER.matcher(t);
        if (!tr.find()) {
            throw new ParseException("no 'Transfer/sec:' in wrk's output");
        }
        s.add(new Sample(AbOutput.TRANSFER_RATE, kib(tr.group(1), tr.group(2))));
        long failed = 0;
        Matcher se = SOCKET_ERRORS.matcher(t);
        if (se.find()) {
            for (int i = 1; i <= 4; i++) {
                failed += Long.parseLong(se.group(i));
            }
        }
        s.add(new Sample(AbOutput.FAILED, failed));
        Matcher n = NON_2XX.matcher(t);
        s.add(new Sample(AbOutput.NON_2XX, n.find() ? Long.parseLong(n.group(1)) : 0));
        return s;
    }

    static double ms(String value, String unit) {
        double v = Double.parseDouble(value);
        return switch (unit) {
            case "us" -> v / 1000;
            case "ms" -> v;
            case "s" -> v * 1000;
            case "m" -> v * 60_000;
            default -> throw new IllegalArgumentException(unit);
        };
    }

    static double kib(String value, String unit) {
        double v = Double.parseDouble(value);
        return switch (unit) {
            case "B" -> v / 1024;
            case "KB" -> v;
            case "MB" -> v * 1024;
            case "GB" -> v * 1024 * 1024;
            case "TB" -> v * 1024 * 1024 * 1024;
            default -> throw new IllegalArgumentException(unit);
        };
    }
}
