package io.isobench.proc;

import io.isobench.util.FileTree;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * One directory per isobench process for bundles, lxcpaths, cidfiles, sockets and console logs:
 * {@code <state root>/isobench-PID-*} ({@link StateDir#root()}, root-owned 0700), and beside it one for disk scratch
 * data under {@link StateDir#scratchRoot()}; both removed at exit, also on Ctrl-C, and by the janitor after a SIGKILL.
 */
public final class WorkDir {
    private static Path dir;
    private static Path scratch;

    private WorkDir() {
    }

    /** The name prefix of every work dir: {@code isobench-PID-}. */
    public static String prefix(long pid) {
        return "isobench-" + pid + "-";
    }

    public static synchronized Path get() {
        if (dir == null) {
            dir = create(StateDir.root());
        }
        return dir;
    }

    /** This process's scratch data directory (on a disk file system, not /run's tmpfs). */
    public static synchronized Path scratch() {
        if (scratch == null) {
            scratch = create(StateDir.scratchRoot());
        }
        return scratch;
    }

    private static Path create(Path root) {
        try {
            Path d = Files.createTempDirectory(root, prefix(ProcessHandle.current().pid()),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Cleanup.register("work dir " + d, () -> FileTree.delete(d));
            return d;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a work directory: " + e.getMessage(), e);
        }
    }
}
