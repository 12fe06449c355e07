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
            // An explicit width keeps the library away from JLine, whose terminal resets SIGINT to the
            // kernel default: Ctrl-C would then kill the JVM without running the cleanup hooks.
            ProgressBar bar = new ProgressBarBuilder().setTaskName("isobench").setInitialMax(total)
                    .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500)
                    .setConsumer(new ConsoleProgressBarConsumer(err, terminalWidth() - 1)).build();
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

    /** Columns of the terminal: $COLUMNS, else `stty size` on the inherited terminal, else 100 (clamped to 40..200). */
    static int terminalWidth() {
        int w = 0;
        try {
            String env = System.getenv("COLUMNS");
            if (env != null) {
                w = Integer.parseInt(env.strip());
            }
        } catch (NumberFormatException ignored) {
            // fall through to stty
        }
        if (w <= 0) {
            try {
                Process p = new ProcessBuilder("stty", "size").redirectInput(ProcessBuilder.Redirect.INHERIT)
                        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
                if (p.waitFor(2, java.util.concurrent.TimeUnit.SECONDS)) {
                    String[] f = new String(p.getInputStream().readAllBytes()).strip().split("\\s+");
                    w = f.length == 2 ? Integer.parseInt(f[1]) : 0;
                } else {
                    p.destroyForcibly();
                }
            } catch (Exception e) {
                w = 0;
            }
        }
        return w <= 0 ? 100 : Math.max(40, Math.min(200, w));
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
