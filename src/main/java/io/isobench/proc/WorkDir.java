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

    /**
     * Whether {@code path} (a bundle, an argument of a VMM) lies in a work dir of an isobench process that is not
     * running, whether or not that dir still exists: how the janitor knows a container or VM by its name alone.
     */
    public static boolean inDeadWorkDir(String path) {
        for (Path root : StateDir.roots()) {
            String prefix = root.toAbsolutePath() + "/isobench-";
            int at = path.indexOf(prefix);
            if (at < 0 || (at > 0 && path.charAt(at - 1) != '=' && path.charAt(at - 1) != ',')) {
                continue; // not a path of ours (a path itself, or the value of an option like file=PATH)
            }
            String rest = path.substring(at + prefix.length());
            int dash = rest.indexOf('-');
            int slash = rest.indexOf('/');
            if (dash <= 0 || (slash >= 0 && slash < dash)) {
                continue;
            }
            long pid = io.isobench.util.Pid.parse(rest.substring(0, dash));
            if (pid > 0 && !Proc.running(pid)) {
                return true;
            }
        }
        return false;
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
