package io.isobench.exec;


import io.isobench.proc.Proc;
import io.isobench.proc.StateDir;
import io.isobench.runtime.Leftovers;
import io.isobench.runtime.RuntimeDriver;
import io.isobench.runtime.Runtimes;
import io.isobench.util.FileTree;
import io.isobench.util.Pid;
import io.isobench.util.TrustedPath;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Removes what an isobench process that died without running its cleanup (SIGKILL, OOM kill, power loss) left
 * behind: its work dirs, its network namespaces, its ftrace instances and private tracefs mount, the cgroups it made
 * for instances whose runtime makes none ({@code /isobench/isobench-PID-N}), and whatever each
 * runtime family says is its own ({@link RuntimeDriver#leftovers()}: OCI containers whose bundles lived in a work dir,
 * LXC containers of an isobench lxcpath, Docker containers and networks, containerd containers and Incus instances by
 * their isobench labels, QEMU processes by their work dir arguments). Only things provably owned by a dead isobench are
 * touched: work dirs are looked for only in the state roots ({@link StateDir}, owned by this user, mode 0700, verified
 * with lstat), each entry judged by lstat through an open directory descriptor (a directory owned by this user, not
 * group- or world-writable, never a symlink) and named {@code isobench-PID-*} with a pid that is not alive; a malformed
 * name is ignored with a warning; trees are deleted without following symlinks ({@link FileTree}).
 */
public final class Janitor {
    private static final Pattern WORK_DIR = Pattern.compile("isobench-(\\d+)-[A-Za-z0-9]+");

    private Janitor() {
    }

    /** Returns a line per thing removed (for the user); warnings go to {@code err}. */
    public static List<String> sweep(PrintStream err) {
        StateDir.root(); // refuses (one line) a state root that is not safe, before anything acts on it
        StateDir.scratchRoot();
        List<String> done = new ArrayList<>();
        List<Path> dead = deadWorkDirs(StateDir.roots(), err);
        List<Leftovers> families = Runtimes.known().stream().map(RuntimeDriver::leftovers).flatMap(Optional::stream)
                .distinct().toList();
        // e.g. LXC: lxc-stop talks to the container's monitor, which may live in one of the namespaces swept below
        families.stream().filter(Leftovers::beforeNetnsSweep).forEach(f -> done.addAll(sweepQuietly(f, dead, err)));
        for (String ns : io.isobench.runtime.NetNs.sweepDead()) {
            done.add("network namespace " + ns);
        }
        done.addAll(io.isobench.measure.Tracefs.sweepDead());
        done.addAll(io.isobench.runtime.OwnCgroup.sweepDead()); // native, bwrap, nspawn instances' cgroups
        families.stream().filter(f -> !f.beforeNetnsSweep()).forEach(f -> done.addAll(sweepQuietly(f, dead, err)));
        for (Path d : dead) {
            try {
                FileTree.delete(d);
                done.add("work dir " + d);
            } catch (RuntimeException e) {
                err.println("isobench: cannot remove stale " + d + ": " + e.getMessage());
            }
        }
        return done;
    }

    private static List<String> sweepQuietly(Leftovers f, List<Path> dead, PrintStream err) {
        try {
            return f.sweep(dead);
        } catch (RuntimeException e) {
            err.println("isobench: warning: sweeping " + f + " failed: " + e.getMessage());
            return List.of();
        }
    }

    /**
     * Work dirs ({@code isobench-PID-*}) in {@code roots} whose pid is not alive. A root that is missing is skipped; one
     * that is not a directory of this user with mode 0700 is skipped with a warning; so is every entry that is not a
     * directory of this user (lstat, through the root's open descriptor) or whose name is malformed.
     */
    static List<Path> deadWorkDirs(List<Path> roots, PrintStream err) {
        List<Path> dead = new ArrayList<>();
        int uid = TrustedPath.currentUid();
        for (Path root : roots) {
            if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            String why = StateDir.unsafe(root, uid);
            if (why != null) {
                err.println("isobench: warning: not sweeping " + root + ": " + why);
                continue;
            }
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
                if (!(ds instanceof SecureDirectoryStream<Path> sds)) {
                    err.println("isobench: warning: not sweeping " + root + ": no SecureDirectoryStream here");
                    continue;
                }
                for (Path entry : sds) {
                    Path name = entry.getFileName();
                    String n = name.toString();
                    if (!n.startsWith("isobench-")) {
                        continue; // net/, tracefs-PID: swept by their owners
                    }
                    Matcher m = WORK_DIR.matcher(n);
                    long pid = m.matches() ? Pid.parse(m.group(1)) : -1;
                    if (pid < 0) {
                        err.println("isobench: warning: ignoring " + root.resolve(name) + ": not a work dir name (isobench-PID-*)");
                        continue;
                    }
                    String bad = judge(sds, root, name, uid);
                    if (bad != null) {
                        err.println("isobench: warning: ignoring " + root.resolve(name) + ": " + bad);
                        continue;
                    }
                    if (!Proc.running(pid)) {
                        dead.add(root.resolve(name));
                    }
                }
            } catch (IOException | java.nio.file.DirectoryIteratorException e) {
                err.println("isobench: warning: cannot list " + root + ": " + e.getMessage());
            }
        }
        return dead;
    }

    /** Null when entry {@code name} of {@code dir} is (lstat, never followed) a directory owned by {@code uid} that no one else can write. */
    static String judge(SecureDirectoryStream<Path> dir, Path root, Path name, int uid) {
        try {
            PosixFileAttributes a = dir.getFileAttributeView(name, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .readAttributes();
            if (a.isSymbolicLink()) {
                return "a symbolic link";
            }
            if (!a.isDirectory()) {
                return "not a directory";
            }
            int owner = (Integer) Files.getAttribute(root.resolve(name), "unix:uid", LinkOption.NOFOLLOW_LINKS);
            if (owner != uid) {
                return "owned by uid " + owner + ", not by uid " + uid;
            }
            Set<PosixFilePermission> others = EnumSet.of(PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE);
            others.retainAll(a.permissions());
            if (!others.isEmpty()) {
                return "writable by others (" + java.nio.file.attribute.PosixFilePermissions.toString(a.permissions()) + ")";
            }
            return null;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "cannot read its owner and mode (" + e.getMessage() + ")";
        }
    }

    /** Whether {@code pid} exists and is not a zombie (PID 1 here may be slow to reap what it inherits). */
    public static boolean running(long pid) {
        return Proc.running(pid);
    }
}
