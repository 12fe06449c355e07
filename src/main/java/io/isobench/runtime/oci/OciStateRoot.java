package io.isobench.runtime.oci;

import io.isobench.proc.Proc;

import io.isobench.util.FileTree;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What an OCI runtime leaves in its state root when its {@code create} is killed half-way (isobench SIGKILLed, a
 * launch timed out on a saturated host): runc and crun a directory {@code NAME} holding only {@code exec.fifo} (no
 * {@code state.json}; runc sometimes also an empty {@code runc.XXXXXX}, {@link #RUNC_CLONE_TEMP}, or its state file
 * before the rename, {@link #STATE_TEMP}), runsc a lock file {@code NAME_sandbox:NAME.lock} without its {@code .state}. The runtime cannot
 * load such an entry ({@code runc list} warns "container does not exist" for it, and {@code delete --force} fails), so
 * it stays until someone removes the file, and {@code list} shows nothing to sweep.
 * <p>
 * An entry is removed only when its container is named {@code isobench-*}, the runtime cannot load it (the state
 * file is missing) and no running process is working on it: none has it (or a file in it) open, and none names the
 * container on its command line; a {@code create} in progress does both ({@code runc create … NAME} and its
 * {@code runc init} holding the fifo, {@code runsc create … NAME} holding the lock).
 */
final class OciStateRoot {
    /**
     * runc's temporary copy of its own binary (cloned_binary.c: {@code mkostemp("$_LIBCONTAINER_STATEDIR/runc.XXXXXX")},
     * unlinked at once), left empty in the state dir when the create is killed in between (seen after a SIGKILLed
     * 64-container startup run: {@code exec.fifo} and a 0-byte {@code runc.voJ7ly}).
     */
    static final java.util.regex.Pattern RUNC_CLONE_TEMP = java.util.regex.Pattern.compile("runc\\.[A-Za-z0-9]{6}");
    /**
     * runc's state file on its way in (libcontainer saveState: {@code os.CreateTemp(root, "state-")}, written, then
     * renamed to {@code state.json}), left when the create is killed before the rename (seen after a SIGKILLed
     * 64-container startup run in CI: {@code exec.fifo} and {@code state-1124119783}, 0 or 7429 bytes, no
     * {@code state.json}); crun's is {@code status.tmp} (status.c: written, then renamed to {@code status}).
     */
    static final java.util.regex.Pattern STATE_TEMP = java.util.regex.Pattern.compile("state-[0-9]{1,10}|status\\.tmp");

    private OciStateRoot() {
    }

    /** The container id an entry of the state root belongs to, or null when it is not a half-created container. */
    static String unloadable(Path entry) {
        String n = entry.getFileName().toString();
        if (Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) { // runc, crun
            try (DirectoryStream<Path> s = Files.newDirectoryStream(entry)) {
                for (Path p : s) {
                    String f = p.getFileName().toString();
                    if (!f.equals("exec.fifo") && !RUNC_CLONE_TEMP.matcher(f).matches() && !STATE_TEMP.matcher(f).matches()) {
                        return null; // state.json (a container runc can load) or anything else we do not know
                    }
                }
                return n;
            } catch (IOException e) {
                return null;
            }
        }
        int sb = n.indexOf("_sandbox:");
        if (n.endsWith(".lock") && sb > 0 && Files.isRegularFile(entry, LinkOption.NOFOLLOW_LINKS)) { // runsc
            Path state = entry.resolveSibling(n.substring(0, n.length() - ".lock".length()) + ".state");
            return Files.exists(state, LinkOption.NOFOLLOW_LINKS) ? null : n.substring(0, sb);
        }
        return null;
    }

    /**
     * Removes the half-created containers under {@code root} named {@code isobench-*} (the janitor, for containers of
     * dead isobench processes); returns a line per entry removed. Never throws.
     */
    static List<String> removeUnloadable(Path root) {
        Path real = real(root);
        List<Path> candidates = new ArrayList<>();
        if (real != null) {
            try (DirectoryStream<Path> s = Files.newDirectoryStream(real, "isobench-*")) {
                for (Path p : s) {
                    if (unloadable(p) != null) {
                        candidates.add(p);
                    }
                }
            } catch (IOException e) {
                candidates.clear();
            }
        }
        return remove(real, candidates);
    }

    /**
     * Removes what a half-created container {@code id} left under {@code root} (a teardown of this process's own
     * container whose create was cut short); costs two lookups when there is nothing. Never throws.
     */
    static List<String> removeUnloadable(Path root, String id) {
        Path real = real(root);
        List<Path> candidates = new ArrayList<>();
        if (real != null && id.startsWith("isobench-") && id.indexOf('/') < 0) {
            for (Path p : List.of(real.resolve(id), real.resolve(id + "_sandbox:" + id + ".lock"))) {
                if (id.equals(unloadable(p))) {
                    candidates.add(p);
                }
            }
        }
        return remove(real, candidates);
    }

    /**
     * The mount points at or under {@code entry} in a mountinfo text (octal escapes decoded). runc 1.1 may bind-mount
     * its own binary over the {@code runc.XXXXXX} file of a container's state dir for a moment (cloned_binary.c,
     * try_bindfd); a create killed in that moment leaves the mount in the host's namespace, seen after a SIGKILLed
     * 64-container startup run: {@code /usr/sbin/runc} on {@code /run/runc/isobench-…/runc.qfGLTx}.
     */
    static List<String> mountsUnder(Path entry, String mountinfo) {
        String dir = entry.toString();
        List<String> l = new ArrayList<>();
        for (String line : mountinfo.lines().toList()) {
            String[] f = line.split(" ");
            if (f.length > 4) {
                String mp = io.isobench.util.MountInfo.unescape(f[4]);
                if (mp.equals(dir) || mp.startsWith(dir + "/")) {
                    l.add(mp);
                }
            }
        }
        java.util.Collections.reverse(l); // the newest (innermost) first
        return l;
    }

    private static String mountinfo() {
        try {
            return Files.readString(Path.of("/proc/self/mountinfo"));
        } catch (IOException e) {
            return "";
        }
    }

    private static Path real(Path root) {
        try {
            return root == null ? null : root.toRealPath(); // /var/run/runsc is /run/runsc in /proc/PID/fd
        } catch (IOException absent) {
            return null;
        }
    }

    private static List<String> remove(Path root, List<Path> candidates) {
        List<String> done = new ArrayList<>();
        if (candidates.isEmpty()) {
            return done; // the common case: no /proc scan
        }
        InUse inUse = InUse.scan(root);
        for (Path p : candidates) {
            String id = unloadable(p); // again: a create may have finished meanwhile
            if (id == null || inUse.holds(p) || inUse.names(id)) {
                continue;
            }
            for (String m : mountsUnder(p, mountinfo())) { // runc's bind mount of its binary, left by a kill (below)
                Proc.of("umount", "-l", m).timeout(java.time.Duration.ofSeconds(10)).run();
            }
            try {
                FileTree.delete(p);
            } catch (RuntimeException e) {
                continue;
            }
            if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                done.add("half-created container " + id + " (" + p + ")");
            }
        }
        return done;
    }

    /**
     * One look at every running process: its command line and the files it has open under the state root;
     * {@code blind} when /proc could not be read (then everything counts as in use).
     */
    record InUse(List<String> cmdlines, Set<String> openPaths, boolean blind) {
        static InUse scan(Path root) {
            List<String> cmdlines = new ArrayList<>();
            Set<String> open = new HashSet<>();
            String prefix = root + "/";
            try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
                for (Path proc : procs) {
                    try {
                        cmdlines.add(new String(Files.readAllBytes(proc.resolve("cmdline"))).replace('\0', ' '));
                    } catch (IOException | RuntimeException gone) {
                        continue;
                    }
                    try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve("fd"))) {
                        for (Path fd : fds) {
                            try {
                                String target = Files.readSymbolicLink(fd).toString();
                                if (target.startsWith(prefix)) {
                                    open.add(target);
                                }
                            } catch (IOException | RuntimeException ignored) {
                                // closed meanwhile
                            }
                        }
                    } catch (IOException | RuntimeException gone) {
                        // exited meanwhile
                    }
                }
            } catch (IOException e) {
                return new InUse(cmdlines, open, true);
            }
            return new InUse(cmdlines, open, false);
        }

        /** Whether some process has {@code entry}, or a file inside it, open. */
        boolean holds(Path entry) {
            if (blind) {
                return true;
            }
            String e = entry.toString();
            for (String o : openPaths) {
                if (o.equals(e) || o.startsWith(e + "/")) {
                    return true;
                }
            }
            return false;
        }

        /** Whether some process names container {@code id} on its command line (as a whole argument). */
        boolean names(String id) {
            return blind || io.isobench.proc.CommandLines.anyNames(cmdlines, id);
        }
    }
}
