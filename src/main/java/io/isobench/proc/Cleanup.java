package io.isobench.proc;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The process-wide list of things to tear down (sandboxes, mounts, temp dirs). Every resource registers
 * itself when created and unregisters when closed normally; on SIGINT/SIGTERM the JVM's shutdown hook
 * runs whatever is still registered, newest first, so nothing leaks when a run is interrupted.
 */
public final class Cleanup {
    private static final Deque<Action> ACTIONS = new ArrayDeque<>();
    private static volatile boolean shuttingDown;

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(Cleanup::runAll, "isobench-cleanup"));
    }

    private Cleanup() {
    }

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
            }
            try {
                body.run();
            } catch (RuntimeException e) {
                System.err.println("isobench: cleanup of " + what + " failed: " + e.getMessage());
            } finally {
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

    /** Runs every pending action (newest first). Called by the shutdown hook; safe to call more than once. */
    public static void runAll() {
        shuttingDown = true;
        List<Action> pending;
        synchronized (ACTIONS) {
            pending = new ArrayList<>(ACTIONS);
        }
        for (Action a : pending) {
            a.close();
        }
    }

    /** Number of pending actions (for tests that check nothing is left registered). */
    public static int pending() {
        synchronized (ACTIONS) {
            return ACTIONS.size();
        }
    }
}
