package io.isobench.exec;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Progress of a run: a bar with ETA on stderr when stderr is a terminal (never in --json output, never
 * in logs), otherwise one line per trial on stderr (useful in CI logs), or nothing when quiet.
 */
public interface Progress extends AutoCloseable {
    void trialDone(String line);

    @Override
    void close();

    static Progress create(long total, boolean quiet, PrintStream err) {
        if (quiet) {
            return new Progress() {
                public void trialDone(String line) {
                }

                public void close() {
                }
            };
        }
        if (stderrIsTerminal()) {
            ProgressBar bar = new ProgressBarBuilder().setTaskName("isobench").setInitialMax(total)
                    .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500)
                    .setConsumer(new ConsoleProgressBarConsumer(err)).showSpeed().build();
            return new Progress() {
                public void trialDone(String line) {
                    bar.setExtraMessage(line.length() > 40 ? line.substring(0, 40) : line);
                    bar.step();
                }

                public void close() {
                    bar.close();
                }
            };
        }
        long[] done = {0};
        return new Progress() {
            public void trialDone(String line) {
                done[0]++;
                err.printf("[%d/%d] %s%n", done[0], total, line);
                err.flush();
            }

            public void close() {
            }
        };
    }

    /** True when fd 2 is a terminal (a tty or pty device); checked on Linux through /proc. */
    static boolean stderrIsTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (Exception e) {
            return false;
        }
    }
}
