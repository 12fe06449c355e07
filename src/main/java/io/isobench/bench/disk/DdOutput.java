package io.isobench.bench.disk;

import io.isobench.bench.CommandBenchmark;
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
            throw new CommandBenchmark.ParseException("dd copied " + last.bytes() + " bytes in " + last.seconds() + " s");
        }
        return last;
    }
}
