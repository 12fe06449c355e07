package io.isobench.bench.disk;

import io.isobench.bench.CommandBenchmark;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads GNU dd's summary ("67108864 bytes (67 MB, 64 MiB) copied, 0.176526 s, 380 MB/s"). Bytes and seconds are
 * taken as printed; the rate is recomputed in MiB/s (dd rounds its own figure and picks decimal units).
 * Busybox dd prints no such line here (built without its status line), so the image carries coreutils dd.
 */
public final class DdOutput {
    private static final Pattern SUMMARY = Pattern.compile("(?m)^(\\d+) bytes .*copied, ([0-9.eE+-]+) s(?:econds)?, ");

    private DdOutput() {
    }

    public record Copy(long bytes, double seconds) {
        public double mibPerSecond() {
            return bytes / (double) (1 << 20) / seconds;
        }
    }

    /** Whether dd copied all {@code bytes} it was asked for (a short input or a full disk stops it early). */
    public static void check(Copy copy, long bytes, String output) throws CommandBenchmark.CheckFailed {
        if (copy.bytes() != bytes) {
            throw new CommandBenchmark.CheckFailed("dd copied " + copy.bytes() + " of the " + bytes
                    + " bytes asked for: '" + said(output) + "'");
        }
    }

    /** dd's own last "records out" and "copied" lines. */
    private static String said(String output) {
        List<String> l = output.lines().map(String::strip)
                .filter(x -> x.endsWith("records out") || x.contains(" copied, ")).toList();
        return String.join("; ", l.subList(Math.max(0, l.size() - 2), l.size()));
    }

    public static Copy parse(String output) throws CommandBenchmark.ParseException {
        Matcher m = SUMMARY.matcher(output);
        Copy last = null;
        while (m.find()) {
            last = new Copy(Long.parseLong(m.group(1)), Double.parseDouble(m.group(2)));
        }
        if (last == null) {
            throw new CommandBenchmark.ParseException("no 'bytes ... copied, N s' summary in dd output");
        }
        if (last.bytes() <= 0 || last.seconds() <= 0) {
            throw new CommandBenchmark.CheckFailed("dd copied " + last.bytes() + " bytes in " + last.seconds() + " s: '"
                    + said(output) + "'");
        }
        return last;
    }
}
