package io.isobench.host;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * The host's other work, measured between trials: the mean number of runnable tasks that are not isobench's, from
 * {@link #READS} reads {@link #SPACING} apart of {@code /proc/loadavg}'s running count (its fourth field,
 * "running/total": the tasks on a CPU or waiting for one at that instant), less the tasks of isobench's own
 * processes (the JVM's threads, the reading one included, its JIT and GC threads, and every descendant: the spawn
 * helper, a runtime still exiting) that are in state R at that moment. The executor takes it at the end of each
 * cooldown, when the run's own instances are down. Unlike the 1-minute load average, which mostly reflects the minute
 * before (and isobench's own earlier trials), it says what competed with the trial that follows.
 */
public final class OthersLoad {
    public static final int READS = 5;
    public static final Duration SPACING = Duration.ofMillis(10);
    /** How long one measurement takes (the executor takes it out of the cooldown). */
    public static final Duration DURATION = SPACING.multipliedBy(READS - 1);

    private final Path proc;
    private final Supplier<List<Long>> ownPids;

    public OthersLoad() {
        this(Path.of("/proc"), OthersLoad::selfAndDescendants);
    }

    /** @param proc a /proc tree (tests: a fixture); @param ownPids isobench's own processes */
    public OthersLoad(Path proc, Supplier<List<Long>> ownPids) {
        this.proc = proc;
        this.ownPids = ownPids;
    }

    static List<Long> selfAndDescendants() {
        ProcessHandle self = ProcessHandle.current();
        return java.util.stream.Stream.concat(java.util.stream.Stream.of(self), self.descendants())
                .map(ProcessHandle::pid).toList();
    }

    /** The mean of {@link #READS} reads (never below 0 each); null when /proc/loadavg cannot be read. */
    public Double measure() throws InterruptedException {
        List<Long> own = ownPids.get(); // once: a scan of every process, not to be repeated within 40 ms
        double sum = 0;
        for (int i = 0; i < READS; i++) {
            if (i > 0) {
                Thread.sleep(SPACING);
            }
            Integer running;
            try {
                running = running(Files.readString(proc.resolve("loadavg")));
            } catch (IOException e) {
                return null;
            }
            if (running == null) {
                return null;
            }
            sum += Math.max(0, running - ownRunning(own));
        }
        return sum / READS;
    }

    /**
     * The tasks of processes {@code pids} (isobench's own) in state R, at least 1: the reading thread, even if its state
     * could not be read.
     */
    int ownRunning(List<Long> pids) {
        int n = 0;
        for (long pid : pids) {
            try (DirectoryStream<Path> tasks = Files.newDirectoryStream(proc.resolve(pid + "/task"))) {
                for (Path t : tasks) {
                    try {
                        if (state(Files.readString(t.resolve("stat"))) == 'R') {
                            n++;
                        }
                    } catch (IOException e) {
                        // the thread is gone
                    }
                }
            } catch (IOException e) {
                // the process is gone
            }
        }
        return Math.max(1, n);
    }

    /** A task's state from its stat line: the character after the command's closing parenthesis (0 if malformed). */
    static char state(String stat) {
        int close = stat.lastIndexOf(')');
        return close < 0 || close + 2 >= stat.length() ? 0 : stat.charAt(close + 2);
    }

    /** The running count of a {@code /proc/loadavg} line ("0.60 2.82 2.95 1/87 29096" gives 1), null if malformed. */
    static Integer running(String line) {
        String[] f = line.strip().split("\\s+");
        if (f.length < 4) {
            return null;
        }
        int slash = f[3].indexOf('/');
        try {
            return Integer.parseInt(slash < 0 ? f[3] : f[3].substring(0, slash));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
