package io.isobench.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A runtime's way to save a running instance to files and start a new instance from them (gVisor's checkpoint and
 * restore, QEMU's migration to a file and {@code -incoming}, runc with CRIU). Offered by
 * {@link RuntimeDriver#checkpointer()} after a successful probe; a runtime without one says why in
 * {@link RuntimeDriver#restoreUnsupported()}.
 */
public interface Checkpointer {
    /** How it is done, one line for the raw output and docs ("runsc checkpoint --image-path, runsc restore"). */
    String method();

    /**
     * Saves {@code sandbox} (launched by this driver, still running) into the empty directory {@code dir}. Afterwards the
     * instance no longer runs and the caller closes it; the snapshot keeps what the restore needs (its network, whose
     * addresses the saved instance holds) until it is restored or closed.
     */
    Snapshot checkpoint(Sandbox sandbox, Path dir) throws RuntimeDriver.LaunchException;

    /**
     * Starts a new instance from {@code snapshot}; {@code spec} is the saved instance's spec with a new name. The restored
     * instance takes over what the snapshot kept (it is torn down with the instance; a restore that fails closes it). Its
     * {@link Sandbox#launchedAtNanos()} is when the restore began.
     */
    Sandbox restore(Snapshot snapshot, LaunchSpec spec) throws RuntimeDriver.LaunchException;

    /**
     * A saved instance.
     *
     * @param dir   the files the runtime wrote
     * @param facts what the runtime said or did while saving (recorded in the raw output)
     * @param kept  what the restore takes over (a network), or null; closed by {@link #close()} when never restored
     */
    record Snapshot(Path dir, Map<String, String> facts, AutoCloseable kept) implements AutoCloseable {
        /** Bytes of every regular file under {@link #dir()}. */
        public long bytes() throws IOException {
            try (var s = Files.walk(dir)) {
                long total = 0;
                for (Path p : (Iterable<Path>) s::iterator) {
                    if (Files.isRegularFile(p)) {
                        total += Files.size(p);
                    }
                }
                return total;
            }
        }

        /** The same snapshot with nothing kept (the restore took it over). */
        public Snapshot handedOver() {
            return new Snapshot(dir, facts, null);
        }

        @Override
        public void close() {
            if (kept != null) {
                try {
                    kept.close();
                } catch (Exception ignored) {
                    // best effort: its own Cleanup registration runs at exit otherwise
                }
            }
        }
    }
}
