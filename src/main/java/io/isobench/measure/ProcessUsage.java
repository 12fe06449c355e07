package io.isobench.measure;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * CPU time and resident memory of a set of host processes, read cheaply from /proc for sampling at 10 Hz:
 * CPU from {@code /proc/PID/task/TID/schedstat} (the scheduler's run time in nanoseconds, summed over the process's
 * threads; exact, where {@code /proc/PID/stat}'s utime+stime come in 10 ms clock ticks, too coarse for 100 ms
 * intervals), RSS from the {@code VmRSS} line of {@code /proc/PID/status} (no page-table walk, unlike smaps).
 * {@link Sampler} turns successive readings into CPU % over each interval (100 % = one core busy).
 */
public final class ProcessUsage {
    private ProcessUsage() {
    }

    /** CPU run time (ns) and RSS (bytes) of one process at one moment. */
    public record Reading(long cpuNanos, long rssBytes) {
    }

    /** The first field of a schedstat file: time spent running on a CPU, in nanoseconds. */
    public static long parseSchedstat(String text) {
        String t = text.strip();
        int sp = t.indexOf(' ');
        return Long.parseLong(sp < 0 ? t : t.substring(0, sp));
    }

    /** VmRSS of a /proc/PID/status text in bytes; 0 when absent (kernel threads, zombies). */
    public static long parseStatusRss(String text) {
        for (String line : text.split("\n")) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.substring(6).replace("kB", "").strip()) * 1024;
            }
        }
        return 0;
    }

    /** One process's reading, or null when it is gone. */
    public static Reading read(long pid) {
        Path proc = Path.of("/proc", Long.toString(pid));
        long cpu = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(proc.resolve("task"))) {
            for (Path task : tasks) {
                try {
                    cpu += parseSchedstat(Files.readString(task.resolve("schedstat")));
                } catch (IOException | NumberFormatException e) {
                    // the thread exited between the listing and the read
                }
            }
            return new Reading(cpu, parseStatusRss(Files.readString(proc.resolve("status"))));
        } catch (IOException | NumberFormatException e) {
            return null;
        }
    }

    /** One sampling interval's result over the set of processes. */
    public record Point(long atNanos, double cpuPercent, long rssBytes, int processes) {
    }

    /**
     * Successive readings of a changing set of processes. A process seen for the first time after the first
     * reading counts with its whole run time (it started during the interval, or the set grew); processes that
     * ended during an interval lose the run time since the previous reading.
     */
    public static final class Sampler {
        private Map<Long, Long> last;
        private long lastAt;

        /** Reads {@code pids} now; null on the first call (the baseline), else the interval since the previous call. */
        public Point sample(List<Long> pids) {
            long now = System.nanoTime();
            Map<Long, Long> cur = new HashMap<>();
            long rss = 0;
            for (long pid : pids) {
                Reading r = read(pid);
                if (r != null) {
                    cur.put(pid, r.cpuNanos());
                    rss += r.rssBytes();
                }
            }
            Point p = null;
            if (last != null) {
                long cpu = 0;
                for (var e : cur.entrySet()) {
                    Long before = last.get(e.getKey());
                    cpu += Math.max(0, e.getValue() - (before == null ? 0 : before));
                }
                p = new Point(now, percent(cpu, now - lastAt), rss, cur.size());
            }
            last = cur;
            lastAt = now;
            return p;
        }
    }

    /** CPU percent (100 = one core) of {@code cpuNanos} of run time over {@code wallNanos}. */
    public static double percent(long cpuNanos, long wallNanos) {
        return wallNanos <= 0 ? 0 : 100.0 * cpuNanos / wallNanos;
    }
}
