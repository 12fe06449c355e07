package io.isobench.proc;

import io.isobench.util.CacheDir;
import io.isobench.util.TrustedPath;
import io.isobench.util.UserException;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The one directory that holds everything an isobench process leaves between processes: work dirs
 * ({@code isobench-PID-*}: bundles, lxcpaths, cidfiles, sockets, console logs), address leases ({@code net/}), private
 * tracefs mounts ({@code tracefs-PID}). {@value #ROOT_DIR} for root; for another user {@code $XDG_RUNTIME_DIR/isobench}
 * or the cache's {@code run/}. Before use it is checked with lstat: a directory (not a symlink) owned by this user with
 * mode 0700 (a wider mode on a directory of its own is narrowed), under parents nobody else can write; anything else
 * (a symlink, a file, another owner) is refused with one line. Since nobody else can create
 * a name in it, whatever the janitor finds there is isobench's own. Disk benchmarks' scratch data, which must sit on a
 * disk file system rather than {@code /run}'s tmpfs, has a second root of the same kind ({@link #scratchRoot()}).
 */
public final class StateDir {
    public static final String ROOT_DIR = "/run/isobench";
    public static final String SCRATCH_DIR = "/var/tmp/isobench";
    /** Tests point the roots elsewhere. */
    public static final String PROPERTY = "isobench.state";
    public static final String SCRATCH_PROPERTY = "isobench.scratch";
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

    private StateDir() {
    }

    /** The verified state root (created 0700 when missing). */
    public static Path root() {
        return secure(configured(PROPERTY, ROOT_DIR, "isobench"));
    }

    /** The verified root of scratch data (created 0700 when missing). */
    public static Path scratchRoot() {
        return secure(configured(SCRATCH_PROPERTY, SCRATCH_DIR, "isobench-scratch"));
    }

    /** Both roots as configured, unverified (for the janitor, which verifies them itself). */
    public static java.util.List<Path> roots() {
        return java.util.List.of(configured(PROPERTY, ROOT_DIR, "isobench"),
                configured(SCRATCH_PROPERTY, SCRATCH_DIR, "isobench-scratch"));
    }

    private static Path configured(String property, String rootDefault, String userName) {
        String p = System.getProperty(property);
        if (p != null && !p.isBlank()) {
            return Path.of(p);
        }
        if (TrustedPath.currentUid() == 0) {
            return Path.of(rootDefault);
        }
        String xdg = System.getenv("XDG_RUNTIME_DIR");
        return xdg != null && !xdg.isBlank() ? Path.of(xdg, userName) : CacheDir.root().resolve("run").resolve(userName);
    }

    /** Creates {@code dir} (0700) when missing, then refuses it (one line, {@link UserException}) unless it is safe. */
    public static Path secure(Path dir) {
        try {
            if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(dir.getParent());
                try {
                    Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
                } catch (FileAlreadyExistsException e) {
                    // made by another isobench meanwhile: checked below
                }
            }
        } catch (IOException e) {
            throw new UserException("cannot create isobench's state directory " + dir + ": " + e.getMessage());
        }
        tighten(dir);
        String why = unsafe(dir, TrustedPath.currentUid());
        if (why != null) {
            throw new UserException("refusing isobench's state directory " + dir + ": " + why
                    + " (it must be a directory owned by uid " + TrustedPath.currentUid() + " with mode 0700)");
        }
        return dir;
    }

    /**
     * A real directory of this user with a wider mode (an older isobench made {@code /run/isobench} 0755) is set to 0700:
     * only its owner could have made it so. Anything else is left for {@link #unsafe} to refuse.
     */
    private static void tighten(Path dir) {
        try {
            var a = Files.readAttributes(dir, java.nio.file.attribute.PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            int owner = (Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            if (a.isDirectory() && !a.isSymbolicLink() && owner == TrustedPath.currentUid() && !a.permissions().equals(OWNER_ONLY)) {
                Files.setPosixFilePermissions(dir, OWNER_ONLY);
            }
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            // refused below with the reason
        }
    }

    /** Null when {@code dir} (not followed) is a directory owned by {@code uid}, mode 0700, under trusted parents; else why not. */
    public static String unsafe(Path dir, int uid) {
        try {
            var a = Files.readAttributes(dir, java.nio.file.attribute.PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (a.isSymbolicLink()) {
                return "it is a symbolic link";
            }
            if (!a.isDirectory()) {
                return "it is not a directory";
            }
            int owner = (Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            if (owner != uid) {
                return "it is owned by uid " + owner;
            }
            int mode = (Integer) Files.getAttribute(dir, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
            if (mode != 0700) {
                return String.format("mode %04o, not 0700", mode);
            }
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "cannot read its owner and mode (" + e.getMessage() + ")";
        }
        return TrustedPath.untrusted(dir); // and every directory above: root's or ours, not writable by others unless sticky
    }
}
