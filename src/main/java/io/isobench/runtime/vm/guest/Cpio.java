package io.isobench.runtime.vm.guest;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes the "newc" cpio format (SVR4 without CRC, magic 070701), the one the Linux kernel unpacks as an
 * initramfs. Every header is 110 ASCII bytes (magic + 13 eight-digit hex fields), followed by the NUL-terminated
 * name and the data, each padded to a multiple of 4 bytes. Owners are root and mtimes 0 so archives are
 * reproducible. Archives written one after the other may be concatenated: the kernel unpacks them in order.
 */
public final class Cpio implements AutoCloseable {
    public static final int S_IFDIR = 0040000;
    public static final int S_IFREG = 0100000;
    public static final int S_IFLNK = 0120000;
    public static final int S_IFCHR = 0020000;

    private final OutputStream out;
    private long written;
    private int ino = 1;
    private boolean finished;

    public Cpio(OutputStream out) {
        this.out = out;
    }

    public void dir(String name, int perm) throws IOException {
        header(name, S_IFDIR | (perm & 07777), 0, 0, 0, 2);
    }

    public void file(String name, int perm, byte[] data) throws IOException {
        header(name, S_IFREG | (perm & 07777), data.length, 0, 0, 1);
        out.write(data);
        written += data.length;
        pad();
    }

    /** A regular file whose content is copied from {@code source} (streamed, not held in memory). */
    public void file(String name, int perm, Path source) throws IOException {
        long size = Files.size(source);
        header(name, S_IFREG | (perm & 07777), size, 0, 0, 1);
        try (InputStream in = Files.newInputStream(source)) {
            long n = in.transferTo(out);
            if (n != size) {
                throw new IOException(source + " changed size while archived");
            }
        }
        written += size;
        pad();
    }

    public void symlink(String name, String target) throws IOException {
        byte[] t = target.getBytes(StandardCharsets.UTF_8);
        header(name, S_IFLNK | 0777, t.length, 0, 0, 1);
        out.write(t);
        written += t.length;
        pad();
    }

    public void charDevice(String name, int perm, int major, int minor) throws IOException {
        header(name, S_IFCHR | (perm & 07777), 0, major, minor, 1);
    }

    /**
     * Adds the tree under {@code root} (directories first, symlinks kept as symlinks, never followed) with
     * names relative to it, prefixed by {@code prefix} ("" for the archive root).
     */
    public void tree(Path root, String prefix) throws IOException {
        tree(root, prefix, java.util.Set.of());
    }

    /**
     * As {@link #tree(Path, String)}, but of each top-level directory named in {@code emptyDirs} only the directory
     * itself (its mode kept, its content left out): a mount point for a tree that reaches the guest otherwise.
     */
    public void tree(Path root, String prefix, java.util.Set<String> emptyDirs) throws IOException {
        List<Path> paths;
        try (var walk = Files.walk(root)) {
            paths = walk.filter(p -> !p.equals(root))
                    .filter(p -> !(root.relativize(p).getNameCount() > 1 && emptyDirs.contains(root.relativize(p).getName(0).toString())))
                    .sorted().toList();
        }
        for (Path p : paths) {
            String name = prefix + root.relativize(p).toString();
            int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            if (Files.isSymbolicLink(p)) {
                symlink(name, Files.readSymbolicLink(p).toString());
            } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                dir(name, mode);
            } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                file(name, mode, p);
            }
            // sockets, fifos and device nodes never occur in workload images; skipped
        }
    }

    /** Writes the TRAILER!!! entry; the archive ends on a 4-byte boundary. */
    public void finish() throws IOException {
        if (!finished) {
            header("TRAILER!!!", 0, 0, 0, 0, 1);
            finished = true;
        }
        out.flush();
    }

    public long bytesWritten() {
        return written;
    }

    private void header(String name, int mode, long size, int rdevMajor, int rdevMinor, int nlink) throws IOException {
        if (size > 0xffffffffL) {
            throw new IOException(name + " is too large for newc cpio");
        }
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        StringBuilder h = new StringBuilder(110).append("070701");
        long[] fields = {name.equals("TRAILER!!!") ? 0 : ino++, mode & 0xffffffffL, 0, 0, nlink, 0, size, 0, 0,
                rdevMajor, rdevMinor, n.length + 1L, 0};
        for (long f : fields) {
            String hex = Long.toHexString(f);
            h.append("0".repeat(8 - hex.length())).append(hex);
        }
        out.write(h.toString().getBytes(StandardCharsets.US_ASCII));
        out.write(n);
        out.write(0);
        written += 110 + n.length + 1;
        pad();
    }

    private void pad() throws IOException {
        int p = (int) ((4 - written % 4) % 4);
        for (int i = 0; i < p; i++) {
            out.write(0);
        }
        written += p;
    }

    @Override
    public void close() throws IOException {
        finish();
        out.close();
    }
}
