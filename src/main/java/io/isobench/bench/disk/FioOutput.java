package io.isobench.bench.disk;

import io.isobench.bench.CommandBenchmark;
import io.isobench.util.Json;

import java.util.List;
import java.util.Map;

/**
 * Reads fio's {@code --output-format=json} (fio 3.x; see the fixtures under src/test/resources/fixtures/fio): the
 * first job's read or write section. Anything before the JSON object (isobench's own marker lines) is skipped.
 */
public final class FioOutput {
    /** One direction of one job: bandwidth, IOPS and completion-latency percentiles. */
    public record Direction(double bytesPerSecond, double iops, double clatP50Ns, double clatP99Ns, long ios) {
    }

    private final Map<String, Object> job;

    public FioOutput(String stdout) throws CommandBenchmark.ParseException {
        int start = stdout.indexOf('{');
        int end = stdout.lastIndexOf('}');
        if (start < 0 || end < start) {
            throw new CommandBenchmark.ParseException("no JSON object in fio output");
        }
        Map<String, Object> root;
        try {
            root = Json.readMap(stdout.substring(start, end + 1));
        } catch (RuntimeException e) {
            throw new CommandBenchmark.ParseException("fio output is not valid JSON: " + e.getMessage());
        }
        if (!(root.get("jobs") instanceof List<?> jobs) || jobs.isEmpty() || !(jobs.get(0) instanceof Map<?, ?> j)) {
            throw new CommandBenchmark.ParseException("no 'jobs' in fio JSON");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> first = (Map<String, Object>) j;
        this.job = first;
        Object err = job.get("error");
        if (err instanceof Number n && n.intValue() != 0) {
            throw new CommandBenchmark.CheckFailed("fio: job '" + job.get("jobname") + "' reported error " + n.intValue()
                    + " (errno; \"error\" : " + n.intValue() + " in its JSON)" + fioSays(stdout));
        }
    }

    /** "read" or "write". */
    public Direction direction(String which) throws CommandBenchmark.ParseException {
        if (!(job.get(which) instanceof Map<?, ?> d)) {
            throw new CommandBenchmark.ParseException("no '" + which + "' section in fio JSON");
        }
        double bw = number(d, "bw_bytes", which);
        double iops = number(d, "iops", which);
        long ios = (long) number(d, "total_ios", which);
        if (ios <= 0) {
            throw new CommandBenchmark.CheckFailed("fio did no " + which + " I/O: \"" + which + "\".\"total_ios\" : " + ios);
        }
        if (!(d.get("clat_ns") instanceof Map<?, ?> clat) || !(clat.get("percentile") instanceof Map<?, ?> pct)) {
            throw new CommandBenchmark.ParseException("no " + which + " clat_ns percentiles in fio JSON");
        }
        return new Direction(bw, iops, number(pct, "50.000000", which + " clat p50"),
                number(pct, "99.000000", which + " clat p99"), ios);
    }

    /** fio's own "fio: ..." lines outside the JSON (e.g. "fio: destination does not support O_DIRECT"), if any. */
    static String fioSays(String output) {
        List<String> lines = output.lines().filter(l -> l.startsWith("fio: ")).limit(3).toList();
        return lines.isEmpty() ? "" : "; " + String.join("; ", lines);
    }

    private static double number(Map<?, ?> m, String key, String where) throws CommandBenchmark.ParseException {
        if (!(m.get(key) instanceof Number n)) {
            throw new CommandBenchmark.ParseException("no '" + key + "' in fio " + where);
        }
        return n.doubleValue();
    }

    /** The marker line isobench's fio script prints: "1" or "0 (why)". Null when absent. */
    public static String directMarker(String stdout) {
        for (String line : stdout.lines().toList()) {
            if (line.startsWith(DiskFioBenchmark.DIRECT_MARKER)) {
                return line.substring(DiskFioBenchmark.DIRECT_MARKER.length()).strip();
            }
        }
        return null;
    }
}
