package io.isobench.util;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * isobench's cache root ({@code $XDG_CACHE_HOME/isobench}, else {@code ~/.cache/isobench}) and what may be pruned in it.
 * <p>
 * The entries named by content hash pile up as isobench or the host's tools change: workload images
 * ({@code images/HASH}), guest initramfs ({@code guest/initrd/*.cpio}) and image disks ({@code guest/disk/*.ext4}),
 * tools built with gcc ({@code built/KEY}) and data files ({@code built/files/HASH}). An entry's modification time is
 * its last use: {@link #touch} sets it whenever one is found cached. Kept always: the guest kernel, runsc builds that
 * {@code setup} fetched, isobench's helpers and state ({@code bin}, {@code run}).
 * <p>
 * Every process that uses entries holds a shared lock on {@code ROOT/.lock} from its first use until it exits
 * ({@link #hold}); {@link #prune} runs only with the lock exclusive, so it never removes what a running isobench uses.
 */
public final class CacheDir {
    private CacheDir() {
    }

    /** The root; callers resolve their own subdirectory (images, guest, built, bin). */
    public static Path root() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("isobench");
    }

    /** A kind of prunable entry: its directory under the root and what a listing calls it. */
    public record Kind(String dir, String label) {
    }

    /** The prunable kinds, in listing order. */
    public static final List<Kind> KINDS = List.of(new Kind("images", "workload images"),
            new Kind("guest/initrd", "guest initramfs"), new Kind("guest/disk", "guest image disks"),
            new Kind("built", "tools built with gcc"), new Kind("built/files", "benchmark data files"));

    /** Kept whatever their age (listed with their size). */
    public static final List<Kind> KEPT = List.of(new Kind("guest", "guest kernels"), new Kind("runsc", "runsc builds (setup)"),
            new Kind("bin", "isobench's helpers"));

    /** One prunable entry; {@code lastUsed} is its modification time. */
    public record Entry(Kind kind, Path path, long bytes, Instant lastUsed) {
    }

    /** A build's temporary name (a build cut short leaves it): {@code .build-*}, {@code .built-*}, {@code .data-*}. */
    static boolean temporary(String name) {
        return name.startsWith(".build-") || name.startsWith(".built-") || name.startsWith(".data-") || name.startsWith(".tmp-");
    }

    private static final Map<Path, FileLock> HELD = new ConcurrentHashMap<>();

    /**
     * {@link #hold} on the cache root {@code levels} directories above {@code dir} (a kind's directory: 1 for
     * {@code images}, {@code built}; 2 for {@code guest/initrd}); nothing when there is no such directory.
     */
    public static void holdAbove(Path dir, int levels) {
        Path root = dir.toAbsolutePath().normalize();
        for (int i = 0; i < levels && root != null; i++) {
            root = root.getParent();
        }
        if (root != null) {
            hold(root);
        }
    }

    /**
     * Takes the shared lock on {@code root}'s cache for the rest of this process's life (once per root; never throws:
     * a cache that cannot be locked is used unlocked, and then prune cannot see this process).
     */
    public static void hold(Path root) {
        Path r = root.toAbsolutePath().normalize();
        HELD.computeIfAbsent(r, k -> {
            try {
                Files.createDirectories(k);
                FileChannel ch = openLock(k);
                return ch.lock(0, Long.MAX_VALUE, true); // blocks only while a prune runs
            } catch (IOException | RuntimeException e) {
                return null; // ConcurrentHashMap keeps no entry: tried again at the next use
            }
        });
    }

    /**
     * The lock file {@code ROOT/.lock}, never through a symbolic link: root running with a cache in a directory another
     * user can write must not create or open a file that user chose (O_NOFOLLOW).
     */
    private static FileChannel openLock(Path root) throws IOException {
        return FileChannel.open(root.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
    }

    /** Marks {@code entry} as used now (its modification time). Never throws. */
    public static void touch(Path entry) {
        try {
            Files.getFileAttributeView(entry, java.nio.file.attribute.BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .setTimes(FileTime.from(Instant.now()), null, null); // a link's own time, never its target's
        } catch (IOException | RuntimeException ignored) {
            // read-only cache or gone: it only ages
        }
    }

    /** The prunable entries under {@code root}, per kind, oldest first within a kind. */
    public static List<Entry> entries(Path root) {
        List<Entry> l = new ArrayList<>();
        for (Kind k : KINDS) {
            Path dir = root.resolve(k.dir());
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            List<Entry> ofKind = new ArrayList<>();
            try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
                for (Path p : s) {
                    String n = p.getFileName().toString();
                    if (n.equals("files") && k.dir().equals("built")) {
                        continue; // its own kind
                    }
                    if (n.startsWith(".") && !temporary(n)) {
                        continue;
                    }
                    try {
                        ofKind.add(new Entry(k, p, size(p), Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toInstant()));
                    } catch (IOException gone) {
                        // removed meanwhile
                    }
                }
            } catch (IOException e) {
                continue;
            }
            ofKind.sort(java.util.Comparator.comparing(Entry::lastUsed));
            l.addAll(ofKind);
        }
        return l;
    }

    /** The bytes of {@code entries} together. */
    public static long bytes(List<Entry> entries) {
        return entries.stream().mapToLong(Entry::bytes).sum();
    }

    /** What a prune of everything under {@code root} could free, in bytes. */
    public static long prunableBytes(Path root) {
        return bytes(entries(root));
    }

    /** Bytes of a file, or of every regular file in a tree (links not followed). */
    public static long size(Path p) {
        if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            try {
                return Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) ? Files.size(p) : 0;
            } catch (IOException e) {
                return 0;
            }
        }
        long[] total = {0};
        try (var walk = Files.walk(p)) {
            walk.filter(x -> Files.isRegularFile(x, LinkOption.NOFOLLOW_LINKS)).forEach(x -> {
                try {
                    total[0] += Files.size(x);
                } catch (IOException ignored) {
                    // gone
                }
            });
        } catch (IOException | java.io.UncheckedIOException ignored) {
            // gone meanwhile
        }
        return total[0];
    }

    /** What {@link #prune} did: the entries removed (or, dry, that would be), and those kept. */
    public record Pruned(List<Entry> removed, List<Entry> kept) {
        public long bytes() {
            return CacheDir.bytes(removed);
        }
    }

    /** Why a prune cannot run now. */
    public static final class Busy extends Exception {
        Busy(String message) {
            super(message);
        }
    }

    /**
     * Removes the entries under {@code root} not used for {@code unusedFor} (and the leftovers of builds cut short
     * older than an hour), holding the cache's lock exclusively; {@code dry}: removes nothing, says what would go.
     *
     * @throws Busy when another process (or this one) uses the cache now
     */
    public static Pruned prune(Path root, Duration unusedFor, Instant now, boolean dry) throws Busy {
        Path r = root.toAbsolutePath().normalize();
        if (!Files.isDirectory(r, LinkOption.NOFOLLOW_LINKS)) {
            return new Pruned(List.of(), List.of());
        }
        String why = TrustedPath.untrusted(r);
        if (why != null) {
            throw new Busy("refusing to prune " + r + ": " + why);
        }
        try (FileChannel ch = openLock(r)) {
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException mine) {
                lock = null;
            }
            if (lock == null) {
                throw new Busy("another isobench process is using the cache " + r + "; prune it when that one has finished");
            }
            List<Entry> removed = new ArrayList<>();
            List<Entry> kept = new ArrayList<>();
            Instant before = now.minus(unusedFor);
            Instant abandoned = now.minus(Duration.ofHours(1));
            for (Entry e : entries(r)) {
                boolean temp = temporary(e.path().getFileName().toString());
                if (e.lastUsed().isBefore(temp ? abandoned : before)) {
                    if (!dry) {
                        FileTree.delete(e.path());
                    }
                    if (dry || !Files.exists(e.path(), LinkOption.NOFOLLOW_LINKS)) {
                        removed.add(e);
                        continue;
                    }
                }
                kept.add(e);
            }
            return new Pruned(removed, kept);
        } catch (IOException e) {
            throw new Busy("cannot lock " + r.resolve(".lock") + ": " + e.getMessage());
        }
    }
}
