package io.isobench.util;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Whether a file root is about to run (a helper binary in the cache) or lock in (a lock directory) is safe from
 * other users: it and every directory above it are owned by root or by this process's user, and none is group- or
 * world-writable (a directory with the sticky bit, like /tmp, is allowed above: others cannot rename what is ours).
 */
public final class TrustedPath {
    private static final int GROUP_WRITE = 0020;
    private static final int OTHER_WRITE = 0002;
    private static final int STICKY = 01000;

    private TrustedPath() {
    }

    /** Null when {@code p} and its ancestors (after resolving symlinks) are trusted, else why not. */
    public static String untrusted(Path p) {
        Path real;
        try {
            real = p.toRealPath();
        } catch (IOException e) {
            return p + " cannot be resolved (" + e.getMessage() + ")";
        }
        int me = currentUid();
        boolean leaf = true;
        for (Path q = real; q != null; q = q.getParent()) {
            try {
                int uid = (Integer) Files.getAttribute(q, "unix:uid", LinkOption.NOFOLLOW_LINKS);
                int mode = (Integer) Files.getAttribute(q, "unix:mode", LinkOption.NOFOLLOW_LINKS);
                String why = judge(q.toString(), uid, mode, me, leaf || !Files.isDirectory(q, LinkOption.NOFOLLOW_LINKS));
                if (why != null) {
                    return why;
                }
            } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
                return "cannot read the owner and mode of " + q + " (" + e.getMessage() + ")";
            }
            leaf = false;
        }
        return null;
    }

    /** The rule, for one path: owner root or {@code me}; not group/world-writable unless a sticky directory above. */
    static String judge(String path, int uid, int mode, int me, boolean leaf) {
        if (uid != 0 && uid != me) {
            return path + " is owned by uid " + uid + ", not root";
        }
        if ((mode & (GROUP_WRITE | OTHER_WRITE)) != 0 && (leaf || (mode & STICKY) == 0)) {
            return path + " is writable by " + ((mode & OTHER_WRITE) != 0 ? "every user" : "its group")
                    + String.format(" (mode %04o)", mode & 07777);
        }
        return null;
    }

    /** This process's effective uid (owner of /proc/self), or -1 when unknown. */
    public static int currentUid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return -1;
        }
    }
}
