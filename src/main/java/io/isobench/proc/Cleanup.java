package io.isobench.proc;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * The process-wide list of things to tear down (sandboxes, mounts, temp dirs). Every resource registers
 * itself when created and unregisters when closed normally; on SIGINT/SIGTERM the JVM's shutdown hook
 * runs whatever is still registered, newest first, so nothing leaks when a run is interrupted. An action registered
 * while the hook runs (a launch that was under way) is run too. The whole teardown has a deadline
 * ({@link #DEADLINE}, {@code ISOBENCH_CLEANUP_DEADLINE} seconds); past it, or on a second Ctrl-C, isobench exits at
 * once and lists on stderr what may remain (the next run's janitor removes it).
 */
public final class Cleanup {
    private static final Deque<Action> ACTIONS = new ArrayDeque<>();
    private static volatile boolean shuttingDown;
    /** How long the shutdown hook may take in all. */
    public static final Duration DEADLINE = deadline(System.getenv("ISOBENCH_CLEANUP_DEADLINE"));
    private static volatile PrintStream err = System.err;

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(Cleanup::runAllWithDeadline, "isobench-cleanup"));
        for (String sig : List.of("INT", "TERM")) {
            try {
                int code = sig.equals("INT") ? 130 : 143;
                sun.misc.Signal.handle(new sun.misc.Signal(sig), s -> onSignal(code));
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                // the JVM keeps its own handler (e.g. -Xrs): a second signal then waits for the teardown
            }
        }
    }

    private Cleanup() {
    }

    static Duration deadline(String env) {
        long s = io.isobench.util.Pid.parse(env) > 0 ? io.isobench.util.Pid.parse(env) : 120;
        return Duration.ofSeconds(s);
    }

    /** The first SIGINT/SIGTERM starts the orderly exit (shutdown hooks); one during the teardown exits at once. */
    private static void onSignal(int code) {
        if (!shuttingDown) {
            shuttingDown = true;
            Thread.ofPlatform().name("isobench-exit").start(() -> System.exit(code));
            return;
        }
        forceExit("second interrupt", code);
    }

    /** Halts now, after one line naming what may remain. */
    static void forceExit(String why, int code) {
        List<String> left = remaining();
        err.println("isobench: " + why + ": exiting without finishing the cleanup" + (left.isEmpty() ? ""
                : "; may remain: " + String.join(", ", left) + " (the next 'isobench run' removes what is left)"));
        err.flush();
        Runtime.getRuntime().halt(code);
    }

    /** What is registered and not yet torn down (names as registered). */
    public static List<String> remaining() {
        synchronized (ACTIONS) {
            List<String> l = new ArrayList<>();
            ACTIONS.forEach(a -> l.add(a.what));
            RUNNING.forEach(a -> l.add(a.what));
            return l;
        }
    }

    /** Actions whose body runs right now (for the list of what may remain). */
    private static final Set<Action> RUNNING = Collections.newSetFromMap(new IdentityHashMap<>());

    /**
     * A registered teardown; {@link #close()} runs it once and unregisters it. When two threads close it at once
     * (the main thread finishing normally while the shutdown hook runs on Ctrl-C), the second waits until the
     * first has finished the body: otherwise the hook could return, and the JVM halt, in the middle of it.
     */
    public static final class Action implements AutoCloseable {
        private static final long WAIT_MILLIS = 60_000;
        private final String what;
        private final Runnable body;
        private boolean started;
        private boolean finished;

        private Action(String what, Runnable body) {
            this.what = what;
            this.body = body;
        }

        @Override
        public void close() {
            synchronized (this) {
                if (started) {
                    long deadline = System.currentTimeMillis() + WAIT_MILLIS;
                    while (!finished && System.currentTimeMillis() < deadline) {
                        try {
                            wait(Math.max(1, deadline - System.currentTimeMillis()));
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return;
                        }
                    }
                    return;
                }
                started = true;
            }
            synchronized (ACTIONS) {
                ACTIONS.remove(this);
                RUNNING.add(this);
            }
            try {
                body.run();
            } catch (RuntimeException e) {
                System.err.println("isobench: cleanup of " + what + " failed: " + e.getMessage());
            } finally {
                synchronized (ACTIONS) {
                    RUNNING.remove(this);
                }
                synchronized (this) {
                    finished = true;
                    notifyAll();
                }
            }
        }

        public synchronized boolean isDone() {
            return started;
        }

        /** Unregisters without running (the resource was finished some other way). */
        public void disarm() {
            synchronized (this) {
                started = true;
                finished = true;
                notifyAll();
            }
            synchronized (ACTIONS) {
                ACTIONS.remove(this);
            }
        }

        @Override
        public String toString() {
            return what;
        }
    }

    public static Action register(String what, Runnable body) {
        Action a = new Action(what, body);
        synchronized (ACTIONS) {
            ACTIONS.push(a);
        }
        return a;
    }

    public static boolean shuttingDown() {
        return shuttingDown;
    }

    /**
     * Runs every pending action, newest first, and also those registered meanwhile (a launch that was under way when
     * the shutdown began registers its teardown after this started), then waits for those another thread is running.
     * Safe to call more than once.
     */
    public static void runAll() {
        shuttingDown = true;
        Set<Action> tried = Collections.newSetFromMap(new IdentityHashMap<>());
        while (true) {
            Action next = null;
            synchronized (ACTIONS) {
                for (Action a : ACTIONS) {
                    if (!tried.contains(a)) {
                        next = a;
                        break;
                    }
                }
                if (next == null) {
                    // one another thread is running right now (the main thread marking its run interrupted): close()
                    // waits for it to finish, or the JVM would halt in the middle of it
                    next = RUNNING.stream().filter(a -> !tried.contains(a)).findFirst().orElse(null);
                }
            }
            if (next == null) {
                return;
            }
            tried.add(next);
            next.close();
        }
    }

    /** The shutdown hook: {@link #runAll} on a worker thread, given at most {@link #DEADLINE}. */
    private static void runAllWithDeadline() {
        shuttingDown = true;
        Thread worker = Thread.ofPlatform().daemon().name("isobench-cleanup-worker").start(Cleanup::runAll);
        try {
            if (!worker.join(DEADLINE)) {
                forceExit("cleanup still running after " + DEADLINE.toSeconds() + " s", 1);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Number of pending actions (for tests that check nothing is left registered). */
    public static int pending() {
        synchronized (ACTIONS) {
            return ACTIONS.size();
        }
    }
}
