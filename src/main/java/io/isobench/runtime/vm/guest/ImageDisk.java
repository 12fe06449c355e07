package io.isobench.runtime.vm.guest;

import io.isobench.image.WorkloadImage;
import io.isobench.proc.Proc;
import io.isobench.proc.ProcResult;
import io.isobench.util.Tools;
import io.isobench.util.TrustedPath;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A large workload image's big trees on a read-only disk instead of in the guest's initramfs (RAM): an ext4 image of
 * the image's rootfs ({@code mke2fs -d}, no journal, ownership and modes as in the image, root directory 0:0), built
 * once per image content hash and cached beside the base initramfs. The VMM attaches it read-only as a virtio-blk disk
 * with the serial {@link #SERIAL}; the guest's /init finds it by that serial ({@link #KERNEL_PARAM}), mounts it
 * read-only and bind-mounts each of {@link #trees} over its (empty) directory in the initramfs, before BEGIN. Images
 * of at most {@link #THRESHOLD} bytes stay wholly in the initramfs as before.
 */
public final class ImageDisk {
    /** Images larger than this put their big top-level trees on the disk (the ml image, PyTorch: ~735 MB). */
    public static final long THRESHOLD = 256L << 20;
    /** A top-level directory of at least this many bytes goes to the disk (the rest stays in the initramfs). */
    static final long TREE_MIN_BYTES = 1L << 20;
    /** Top-level directories /init mounts over or writes: always in the initramfs. */
    static final Set<String> KEEP = Set.of("proc", "sys", "dev", "tmp", "scratch", "isobench", ".isobench", "run");
    /** The virtio-blk serial the guest finds the disk by (independent of the order of disks). */
    public static final String SERIAL = "isobench-ro";
    public static final String KERNEL_PARAM = "isobench.ro=serial:" + SERIAL;
    /** How the image's trees reach the guest, for the sandbox's details. */
    public static final String HOW = "virtio-blk read-only ext4 disk (bind-mounted trees)";
    /** Bump when the disk's layout changes so cached disks are rebuilt. */
    static final String LAYOUT = "1";
    static final int BLOCK = 4096;
    static final int INODE_SIZE = 256;
    static final Duration MKE2FS_TIMEOUT = Duration.ofMinutes(10);

    private ImageDisk() {
    }

    /** Whether {@code image} goes to the guest partly on a disk. */
    public static boolean needed(WorkloadImage image) {
        return image.bytes() > THRESHOLD;
    }

    /**
     * The top-level directories of {@code rootfs} that go to the disk: real directories (not symlinks) of at least
     * {@link #TREE_MIN_BYTES}, other than those in {@link #KEEP}.
     */
    public static Set<String> trees(Path rootfs) throws IOException {
        Set<String> out = new TreeSet<>();
        try (var top = Files.list(rootfs)) {
            for (Path p : top.toList()) {
                String name = p.getFileName().toString();
                if (!KEEP.contains(name) && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)
                        && usage(p).bytes() >= TREE_MIN_BYTES) {
                    out.add(name);
                }
            }
        }
        return out;
    }

    /** Regular-file bytes rounded up to blocks, and the number of inodes, of a tree. */
    record Usage(long bytes, long blockBytes, long inodes) {
    }

    static Usage usage(Path root) throws IOException {
        long[] u = new long[3];
        try (var walk = Files.walk(root)) {
            walk.forEach(p -> {
                u[2]++;
                if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    try {
                        long s = Files.size(p);
                        u[0] += s;
                        u[1] += (s + BLOCK - 1) / BLOCK * BLOCK;
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    u[1] += BLOCK;
                } else if (Files.isSymbolicLink(p)) {
                    u[1] += BLOCK; // a long target takes a block; most are inline, which leaves margin
                }
            });
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
        return new Usage(u[0], u[1], u[2]);
    }

    /** Inodes for a tree of {@code inodes}: a quarter more and 1024 spare. */
    static long inodeCount(long inodes) {
        return inodes + inodes / 4 + 1024;
    }

    /**
     * The disk's size for a tree of {@code blockBytes} (files and directories rounded to blocks) and {@code inodes}:
     * data, the inode table, a tenth for the extent trees, bitmaps, group descriptors and directory growth, and 16 MiB,
     * rounded up to whole MiBs (VMMs attach whole-MiB raw images most readily).
     */
    static long sizeFor(long blockBytes, long inodes) {
        long raw = blockBytes + inodeCount(inodes) * INODE_SIZE;
        long s = raw + raw / 10 + (16L << 20);
        return (s + (1L << 20) - 1) & -(1L << 20);
    }

    /** The volume label that names the image the disk holds (checked before a cached disk is used). */
    static String label(WorkloadImage image) {
        return "isobench-" + image.hash().substring(0, 7); // ext4 labels hold 16 bytes
    }

    /** {@code mke2fs} for an ext4 file system without journal of {@code rootfs}'s tree in the (pre-sized) file {@code out}. */
    static List<String> mke2fsArgv(String mke2fs, Path rootfs, Path out, long inodes, String label) {
        return new ArrayList<>(List.of(mke2fs, "-q", "-F", "-t", "ext4", "-O", "^has_journal", "-b", Integer.toString(BLOCK),
                "-I", Integer.toString(INODE_SIZE), "-N", Long.toString(inodeCount(inodes)), "-m", "0", "-L", label,
                "-E", "root_owner=0:0", "-d", rootfs.toString(), out.toString()));
    }

    /** The cached disk of {@code image} under {@code dir}, built when missing; a cached one is verified first. */
    public static Path obtain(Path dir, WorkloadImage image) throws IOException {
        Path target = dir.resolve(image.hash().substring(0, 16) + "-l" + LAYOUT + ".ext4");
        GuestInitramfs.holdCache(dir);
        if (Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
            String why = verify(target, label(image));
            if (why == null) {
                io.isobench.util.CacheDir.touch(target); // its last use, for 'isobench cache prune'
                return target;
            }
            throw new IOException("the cached image disk " + target + " is not usable (" + why + "); remove it to rebuild");
        }
        String mke2fs = Tools.which("mke2fs");
        if (mke2fs == null) {
            throw new IOException("mke2fs not found (apt-get install e2fsprogs)");
        }
        Files.createDirectories(dir);
        Usage u = usage(image.rootfs());
        Path tmp = Files.createTempFile(dir, ".build-", ".ext4");
        try {
            try (var f = new RandomAccessFile(tmp.toFile(), "rw")) {
                f.setLength(sizeFor(u.blockBytes(), u.inodes()));
            }
            ProcResult r = Proc.of(mke2fsArgv(mke2fs, image.rootfs(), tmp, u.inodes(), label(image)))
                    .timeout(MKE2FS_TIMEOUT).run();
            if (!r.ok()) {
                throw new IOException("mke2fs -d " + image.rootfs() + " failed: " + r.failureSummary());
            }
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("r--r--r--"));
            GuestInitramfs.publish(tmp, target);
        } finally {
            GuestInitramfs.deleteQuietly(tmp);
        }
        String why = verify(target, label(image));
        if (why != null) {
            throw new IOException("the image disk just built is not usable: " + why);
        }
        return target;
    }

    /**
     * Null when {@code disk} may be attached: it and its directories are root's (or ours) and writable by no one else,
     * and its ext4 superblock carries {@code label} (the image it was built from); else why not.
     */
    static String verify(Path disk, String label) {
        String why = TrustedPath.untrusted(disk);
        if (why != null) {
            return why;
        }
        String dumpe2fs = Tools.which("dumpe2fs");
        if (dumpe2fs == null) {
            return "dumpe2fs not found (apt-get install e2fsprogs)";
        }
        ProcResult r = Proc.of(dumpe2fs, "-h", disk.toString()).timeout(Duration.ofSeconds(30)).run();
        if (!r.ok()) {
            return "dumpe2fs -h failed: " + r.failureSummary();
        }
        boolean named = r.stdout().lines().anyMatch(l -> l.startsWith("Filesystem volume name:")
                && l.substring(l.indexOf(':') + 1).strip().equals(label));
        return named ? null : "its volume label is not " + label;
    }
}
