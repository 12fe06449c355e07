package io.isobench.runtime;

import java.util.List;

/**
 * The usual {@link Prewarmed}: a driver creates the instance, then hands over how to start it and how to tear down a
 * created instance that never started. The started sandbox is a view of the driver's own whose launch time is the
 * start call and whose phases before it are left out.
 */
public final class PrewarmedInstance implements Prewarmed {
    /** Starts the created instance; {@code t0} is when {@link #start()} began (a driver's sandbox may count from it). */
    @FunctionalInterface
    public interface Starter {
        Sandbox start(long t0) throws RuntimeDriver.LaunchException;
    }

    private final String id;
    private final long prewarmStartedAt;
    private final long createdAt;
    private final Starter starter;
    private final Runnable closeCreated;
    private Sandbox started;
    private boolean closed;

    /** @param closeCreated tears down the created instance when it was never started (idempotent) */
    public PrewarmedInstance(String id, long prewarmStartedAt, long createdAt, Starter starter, Runnable closeCreated) {
        this.id = id;
        this.prewarmStartedAt = prewarmStartedAt;
        this.createdAt = createdAt;
        this.starter = starter;
        this.closeCreated = closeCreated;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public long prewarmStartedAtNanos() {
        return prewarmStartedAt;
    }

    @Override
    public long createdAtNanos() {
        return createdAt;
    }

    @Override
    public Sandbox start() throws RuntimeDriver.LaunchException {
        synchronized (this) {
            if (closed || started != null) {
                throw new RuntimeDriver.LaunchException("prewarmed instance " + id + " was " + (closed ? "closed" : "started already"));
            }
        }
        long t0 = System.nanoTime();
        Sandbox s;
        try {
            s = starter.start(t0);
        } catch (RuntimeDriver.LaunchException | RuntimeException e) {
            close();
            throw e;
        }
        Sandbox view = new Started(s, t0, this);
        synchronized (this) {
            started = s;
        }
        return view;
    }

    @Override
    public void close() {
        Sandbox s;
        synchronized (this) {
            closed = true;
            s = started;
        }
        if (s != null) {
            s.close();
        } else {
            closeCreated.run();
        }
    }

    /** A started instance as the caller sees it: launched when start() began; closing it closes the handle. */
    private record Started(Sandbox inner, long launchedAt, PrewarmedInstance owner) implements Sandbox {
        @Override
        public String id() {
            return inner.id();
        }

        @Override
        public long launchedAtNanos() {
            return launchedAt;
        }

        @Override
        public io.isobench.proc.ProcResult await(java.time.Duration timeout) {
            return inner.await(timeout);
        }

        @Override
        public long exitedAtNanos() {
            return inner.exitedAtNanos();
        }

        @Override
        public List<Long> hostPids() {
            return inner.hostPids();
        }

        @Override
        public String scratchStorage() {
            return inner.scratchStorage();
        }

        @Override
        public java.net.InetSocketAddress endpoint(int port) {
            return inner.endpoint(port);
        }

        @Override
        public String networkPath() {
            return inner.networkPath();
        }

        @Override
        public List<Phase> phases() {
            return inner.phases().stream().filter(p -> p.atNanos() >= launchedAt).toList();
        }

        @Override
        public void close() {
            owner.close();
        }
    }
}
