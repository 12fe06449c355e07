package io.isobench.proc;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A long-running process that isobench started and watches (a sandbox's launcher): its pid, exit, captured output
 * and stdout lines as they come. Started by {@link #start} through the {@link Spawner} helper when it is available,
 * else with the JDK's {@link ProcessBuilder} ({@link JdkLaunched}); {@link #describe()} says which, for provenance.
 * stdin is /dev/null.
 */
public interface Launched {
    /** Captured output is cut after this many bytes per stream. */
    int MAX_CAPTURE = 8 * 1024 * 1024;

    /**
     * Longest stdout line held in memory. A launcher writing more without a newline is killed and its stderr ends
     * with {@link #overflowMessage()}: the trial fails with that reason and the run goes on.
     */
    int MAX_LINE = 8 * 1024 * 1024;

    /** The line stderr gets when a process wrote more than {@link #MAX_LINE} without a newline. */
    static String overflowMessage() {
        return "isobench: output over " + (MAX_LINE >> 20) + " MiB without a newline; the process was killed";
    }

    long pid();

    /** {@link System#nanoTime()} once the process had been started (for the helper: its exec done). */
    long spawnedNanos();

    /**
     * {@link System#nanoTime()} just before the process was spawned: for the helper, just before its posix_spawnp, so
     * the time from the start request to it is the handoff to the helper (a pipe write and a wakeup), not the launch.
     */
    long spawnStartNanos();

    /**
     * How long the process took, between its clone and its exec, to join the cgroups it was started into
     * ({@link #start(List, Map, LineSink, List)}); 0 without cgroups or without the helper. It is isobench's
     * bookkeeping, not the program's launch.
     */
    default long cgroupJoinNanos() {
        return 0;
    }

    boolean waitFor(long timeout, TimeUnit unit) throws InterruptedException;

    /** Exit code (128 + signal when killed by one); only after {@link #waitFor} returned true. */
    int exitValue();

    boolean isAlive();

    /**
     * {@link System#nanoTime()} at which the process's exit was observed (the helper: when it reaped it; the JDK: when
     * its process reaper saw it), or -1 while it runs.
     */
    long exitedNanos();

    /** Waits at most {@code timeout} for stdout and stderr to end (a descendant may hold them open). */
    void awaitOutput(Duration timeout) throws InterruptedException;

    String stdout();

    String stderr();

    /** SIGKILL to the process's descendants (children first) and then to it. */
    void killTree();

    /**
     * Starts {@code argv} with {@code env} as its whole environment (null: isobench's own), sending stdout lines to
     * {@code lines} (null: none).
     */
    static Launched start(List<String> argv, Map<String, String> env, LineSink lines) throws IOException {
        return start(argv, env, lines, List.of());
    }

    /**
     * As {@link #start(List, Map, LineSink)}, in the cgroups whose {@code cgroup.procs} files are {@code cgroups} (one
     * per hierarchy): the helper's child joins them before its exec, so the program never runs outside them. Without
     * the helper, the JDK starts it and its pid is written there at once: its first instants run in isobench's cgroups.
     */
    static Launched start(List<String> argv, Map<String, String> env, LineSink lines, List<java.nio.file.Path> cgroups)
            throws IOException {
        Spawner s = Spawner.shared();
        return s != null ? s.spawn(argv, env, lines, false, cgroups) : JdkLaunched.join(JdkLaunched.start(argv, env, lines), cgroups);
    }

    /**
     * Starts {@code argv}, which is expected to run to completion, so that nothing in isobench runs while it does (as
     * under hyperfine): the helper writes its output to memory nobody reads until the exit and reports the spawn
     * only then. Returns at once; {@link #pid()}, {@link #spawnStartNanos()} and {@link #spawnedNanos()} wait for
     * the exit (or {@link #killTree()}). Output is captured but not timed, and no line listener is called. A program
     * that cannot be started exits with status 127, the reason on stderr. Without the helper: {@link #start} with no
     * line listener.
     */
    static Launched startQuiet(List<String> argv, Map<String, String> env) throws IOException {
        return startQuiet(argv, env, List.of());
    }

    /** As {@link #startQuiet(List, Map)}, in {@code cgroups} as {@link #start(List, Map, LineSink, List)} puts it. */
    static Launched startQuiet(List<String> argv, Map<String, String> env, List<java.nio.file.Path> cgroups)
            throws IOException {
        Spawner s = Spawner.shared();
        return s != null ? s.spawn(argv, env, null, true, cgroups) : JdkLaunched.join(JdkLaunched.start(argv, env, null), cgroups);
    }

    /** How sandbox launchers are started in this process, e.g. for a run's provenance. */
    static String describe() {
        Spawner s = Spawner.shared();
        return s != null ? Spawner.DESCRIPTION + " (" + s.binary() + ")"
                : "JDK ProcessBuilder, " + SpawnMode.describe() + "; isobench-spawn unavailable: " + Spawner.unavailableReason();
    }
}
