package io.isobench.exec;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * Progress of a run, weighted by each trial's expected seconds (not a count of trials: a 60 s disk trial is not a
 * 1 s startup trial): a bar with ETA on stderr when stderr is a terminal (never in --json output, never in logs),
 * otherwise one line per trial on stderr starting {@code [n/N, ETA ...]} (useful in CI logs), or nothing when quiet.
 */
public interface Progress extends AutoCloseable {
    /** A trial ended; {@code planned} is what the plan expected it to take. */
    void trialDone(String line, Duration planned);

    /** A planned trial that was not run (its runtime failed too often on the case): done, at no cost. */
    void trialSkipped(String line, Duration planned);

    /** Trials that will not run after all (adaptive repetitions stopped early): the total shrinks. */
    void dropped(long trials, Duration planned, String line);

    @Override
    void close();

    /** Without expected durations: each trial weighs the same. */
    static Progress create(long total, boolean quiet, PrintStream err) {
        return create(total, Duration.ofSeconds(total), quiet, err);
    }

    static Progress create(long total, Duration expected, boolean quiet, PrintStream err) {
        if (quiet) {
            return new Progress() {
                public void trialDone(String line, Duration planned) {
                }

                public void trialSkipped(String line, Duration planned) {
                }

                public void dropped(long trials, Duration planned, String line) {
                }

                public void close() {
                }
            };
        }
        Eta eta = new Eta(total, expected, System.nanoTime());
        if (stderrIsTerminal()) {
            // An explicit width keeps the library away from JLine, whose terminal resets SIGINT to the
            // kernel default: Ctrl-C would then kill the JVM without running the cleanup hooks.
            // The bar counts expected seconds of work, so its ETA is weighted like the lines'.
            ProgressBar bar = new ProgressBarBuilder().setTaskName("isobench").setInitialMax(Math.max(1, Math.round(eta.plannedSeconds())))
                    .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500).setUnit(" s", 1)
                    .setConsumer(new ConsoleProgressBarConsumer(err, terminalWidth() - 1)).build();
            return new Progress() {
                public void trialDone(String line, Duration planned) {
                    eta.done(planned);
                    show(line);
                }

                public void trialSkipped(String line, Duration planned) {
                    eta.skipped(planned);
                    show(line);
                }

                public void dropped(long trials, Duration planned, String line) {
                    eta.dropped(trials, planned);
                    show(line);
                }

                private void show(String line) {
                    bar.maxHint(Math.max(1, Math.round(eta.plannedSeconds())));
                    bar.stepTo(Math.round(eta.donePlannedSeconds()));
                    String m = "[" + eta.done() + "/" + eta.trials() + "] " + line;
                    bar.setExtraMessage(m.length() > 48 ? m.substring(0, 48) : m);
                }

                public void close() {
                    bar.close();
                }
            };
        }
        return new Progress() {
            public void trialDone(String line, Duration planned) {
                eta.done(planned);
                print(line);
            }

            public void trialSkipped(String line, Duration planned) {
                eta.skipped(planned);
                print(line);
            }

            public void dropped(long trials, Duration planned, String line) {
                eta.dropped(trials, planned);
                print(line);
            }

            private void print(String line) {
                err.printf("%s %s%n", eta.prefix(System.nanoTime()), line);
                err.flush();
            }

            public void close() {
            }
        };
    }

    /**
     * Trials done of planned and the time left: the planned seconds not yet done, scaled by how the run has kept to
     * its plan so far (elapsed / planned seconds done), so a pessimistic estimate corrects itself as trials end.
     */
    final class Eta {
        private final long startNanos;
        private long trials;
        private long done;
        private double planned;
        private double donePlanned;

        Eta(long trials, Duration planned, long startNanos) {
            this.trials = trials;
            this.planned = planned.toMillis() / 1000.0;
            this.startNanos = startNanos;
        }

        void done(Duration d) {
            done++;
            donePlanned += d.toMillis() / 1000.0;
        }

        void skipped(Duration d) {
            done++;
            planned -= d.toMillis() / 1000.0;
        }

        void dropped(long n, Duration d) {
            trials -= n;
            planned -= d.toMillis() / 1000.0;
        }

        long done() {
            return done;
        }

        long trials() {
            return trials;
        }

        double plannedSeconds() {
            return planned;
        }

        double donePlannedSeconds() {
            return donePlanned;
        }

        /** Seconds left at {@code nowNanos}. */
        double remainingSeconds(long nowNanos) {
            double left = Math.max(0, planned - donePlanned);
            double elapsed = (nowNanos - startNanos) / 1e9;
            return donePlanned <= 0 ? left : left * elapsed / donePlanned;
        }

        /** "[3/40, ETA 2 min 10 s]" */
        String prefix(long nowNanos) {
            return "[" + done + "/" + trials + ", ETA " + human(Duration.ofMillis(Math.round(remainingSeconds(nowNanos) * 1000))) + "]";
        }
    }

    /** "45 s", "2 min 10 s", "1 h 05 min". */
    static String human(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s < 60) {
            return s + " s";
        }
        if (s < 3600) {
            return s / 60 + " min " + s % 60 + " s";
        }
        return String.format(Locale.ROOT, "%d h %02d min", s / 3600, s % 3600 / 60);
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
