package io.isobench.runtime;

/**
 * An instance created ahead of its start ({@link RuntimeDriver#prewarm}): everything a cold launch does before the
 * workload runs is done (an OCI runtime's {@code create}: bundle, namespaces, cgroup, the container's init waiting;
 * Incus's {@code init}), and {@link #start()} only lets it run. A warm pool's member. {@link #close()} tears it
 * down whether or not it was started, and is idempotent; the handle is registered with {@code proc.Cleanup}.
 */
public interface Prewarmed extends AutoCloseable {
    String id();

    /** Host monotonic time (System.nanoTime) at which the prewarm began and at which the instance was created. */
    long prewarmStartedAtNanos();

    long createdAtNanos();

    /**
     * Starts the created instance, once. The sandbox's {@link Sandbox#launchedAtNanos()} is the moment this call
     * began, so time to ready counts only the start; its {@link Sandbox#phases()} hold {@link Sandbox.Phase#STARTED}
     * (the runtime's start command returned) and later ones only. Its {@link Sandbox#close()} closes this handle.
     */
    Sandbox start() throws RuntimeDriver.LaunchException;

    @Override
    void close();
}
