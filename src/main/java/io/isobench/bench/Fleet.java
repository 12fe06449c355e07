package io.isobench.bench;

import io.isobench.image.WorkloadImage;
import io.isobench.runtime.LaunchSpec;
import io.isobench.runtime.RuntimeDriver;
import io.isobench.runtime.Sandbox;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Up to N instances of a long-lived workload that prints one line when it is ready (startup, footprint).
 * Launches run concurrently on virtual threads; an instance is ready at the host monotonic time its first
 * stdout line was read. {@link #close()} tears every instance down, also those whose launch is still under
 * way, so a trial never leaves one behind.
 */
final class Fleet implements AutoCloseable {
    /** busybox from the image: one line on stdout, then idle until killed. Same paths natively and in sandboxes. */
    static List<String> readyCommand(WorkloadImage image) {
        String bb = image.tools().get("busybox");
        if (bb == null) {
            throw new IllegalStateException("the workload image has no busybox");
        }
        return List.of(bb, "sh", "-c", "echo ready; exec " + bb + " sleep 3600");
    }

    private final TrialContext ctx;
    private final List<String> argv;
    private final int capacity;
    private final AtomicReferenceArray<Sandbox> sandboxes;
    private final AtomicReferenceArray<String> launchErrors;
    private final AtomicLongArray readyAt;
    private final AtomicLongArray teardownNanos;
    private final List<Thread> launchers = new ArrayList<>();
    private volatile CountDownLatch pending = new CountDownLatch(0);

    Fleet(TrialContext ctx, int capacity) {
        this(ctx, capacity, readyCommand(ctx.image()));
    }

    Fleet(TrialContext ctx, int capacity, List<String> argv) {
        this.ctx = ctx;
        this.argv = List.copyOf(argv);
        this.capacity = capacity;
        this.sandboxes = new AtomicReferenceArray<>(capacity);
        this.launchErrors = new AtomicReferenceArray<>(capacity);
        this.readyAt = new AtomicLongArray(capacity);
        this.teardownNanos = new AtomicLongArray(capacity);
    }

    /** Launches instances [from, to), each on its own virtual thread, {@code delay} apart. */
    void launch(int from, int to, Duration delay) throws InterruptedException {
        CountDownLatch latch = new CountDownLatch(to - from);
        pending = latch;
        for (int i = from; i < to; i++) {
            if (i > from && !delay.isZero()) {
                Thread.sleep(delay);
            }
            final int idx = i;
            LaunchSpec spec = new LaunchSpec(ctx.instancePrefix() + "-" + i, ctx.image(), argv, Map.of(), ctx.limits(),
                    (line, t) -> {
                        if (readyAt.compareAndSet(idx, 0, t)) {
                            latch.countDown();
                        }
                    });
            Thread t = Thread.ofVirtual().name("launch-" + i).start(() -> {
                try {
                    sandboxes.set(idx, ctx.driver().launch(spec));
                } catch (RuntimeDriver.LaunchException | RuntimeException e) {
                    launchErrors.set(idx, String.valueOf(e.getMessage()));
                    latch.countDown();
                }
            });
            synchronized (launchers) {
                launchers.add(t);
            }
        }
    }

    /** Waits until every instance of the last launch is ready or failed to launch, or the deadline passes. */
    boolean awaitReady(long deadlineNanos) throws InterruptedException {
        long left = deadlineNanos - System.nanoTime();
        return pending.await(Math.max(0, left), TimeUnit.NANOSECONDS);
    }

    int capacity() {
        return capacity;
    }

    boolean ready(int i) {
        return readyAt.get(i) != 0;
    }

    String launchError(int i) {
        return launchErrors.get(i);
    }

    Sandbox sandbox(int i) {
        return sandboxes.get(i);
    }

    /** Milliseconds from the instance's launch (Sandbox.launchedAtNanos) to its first stdout line. */
    double readyMs(int i) {
        return (readyAt.get(i) - sandboxes.get(i).launchedAtNanos()) / 1e6;
    }

    double teardownMs(int i) {
        return teardownNanos.get(i) / 1e6;
    }

    /** Host pids of instances [from, to) (deduplicated), and how many each instance reported. */
    List<Long> hostPids(int from, int to, List<Integer> perInstance) {
        Set<Long> pids = new LinkedHashSet<>();
        for (int i = from; i < to; i++) {
            Sandbox s = sandboxes.get(i);
            List<Long> p = s == null ? List.of() : s.hostPids();
            perInstance.add(p.size());
            pids.addAll(p);
        }
        return new ArrayList<>(pids);
    }

    /** The first lines of output of a few instances that did not become ready (after they were closed). */
    String outputOfNotReady(int max) {
        StringBuilder sb = new StringBuilder();
        int shown = 0;
        for (int i = 0; i < capacity && shown < max; i++) {
            Sandbox s = sandboxes.get(i);
            if (s == null || ready(i)) {
                continue;
            }
            String out = s.await(Duration.ofSeconds(2)).combinedOutput();
            sb.append("--- instance ").append(i).append(" (").append(s.id()).append(") output:\n")
                    .append(out.length() > 2000 ? out.substring(0, 2000) + "…\n" : out);
            shown++;
        }
        return sb.toString();
    }

    /** Closes every instance one after the other, timing each close(); waits for launches still under way first. */
    @Override
    public void close() {
        List<Thread> ts;
        synchronized (launchers) {
            ts = List.copyOf(launchers);
        }
        for (Thread t : ts) {
            try {
                if (!t.join(Duration.ofSeconds(60))) {
                    break; // a launch that hangs is torn down by its Cleanup registration at exit
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (int i = 0; i < capacity; i++) {
            Sandbox s = sandboxes.get(i);
            if (s != null) {
                long t0 = System.nanoTime();
                s.close();
                teardownNanos.set(i, System.nanoTime() - t0);
            }
        }
    }
}
