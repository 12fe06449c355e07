package io.isobench.bench.micro;

import io.isobench.bench.CommandBenchmark;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The summary table {@code strace -c} writes (also with {@code -f}: one table for all traced processes, or one
 * per personality on a multi-arch host): per system call its share of time, calls and errors. The name is
 * the last column; the closing {@code total} row is not a call.
 */
final class StraceSummary {
    private StraceSummary() {
    }

    /** System call name to number of calls, sorted by name. */
    static Map<String, Long> parse(String text) throws CommandBenchmark.ParseException {
        Map<String, Long> calls = new TreeMap<>();
        boolean header = false;
        boolean inTable = false;
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.startsWith("% time") && line.endsWith("syscall")) {
                header = true;
                inTable = false;
                continue;
            }
            if (line.startsWith("------")) {
                inTable = header && !inTable;
                continue;
            }
            if (!inTable || line.isEmpty()) {
                continue;
            }
            String[] f = line.split("\\s+");
            String name = f[f.length - 1];
            if (name.equals("total") || f.length < 4) {
                continue;
            }
            long n;
            try {
                n = Long.parseLong(f[3]);
            } catch (NumberFormatException e) {
                throw new CommandBenchmark.ParseException("unexpected strace -c row: '" + line + "'");
            }
            calls.merge(name, n, Long::sum);
        }
        if (!header) {
            throw new CommandBenchmark.ParseException("no strace -c summary table ('% time ... syscall' header)");
        }
        return calls;
    }

    static List<String> names(Map<String, Long> calls) {
        return List.copyOf(calls.keySet());
    }
}
