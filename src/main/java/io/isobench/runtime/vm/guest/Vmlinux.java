package io.isobench.runtime.vm.guest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.GZIPInputStream;

/**
 * The uncompressed ELF kernel (vmlinux) inside a compressed x86 kernel image (bzImage), which Firecracker needs on
 * x86_64 (it does not boot a bzImage). Same logic as the kernel's {@code scripts/extract-vmlinux}: look for each
 * compression's magic in the image, try to decompress from every place it occurs, and keep the first result whose
 * header is that of an x86_64 ELF executable. Decompression is in Java for the formats Debian's kernels use: gzip
 * (the JDK's) and LZ4's legacy frame (what {@code CONFIG_KERNEL_LZ4} writes; the block format is small). Other
 * compressions (xz, zstd, bzip2, lzma, lzo) are recognized and named in the error.
 */
public final class Vmlinux {
    private Vmlinux() {
    }

    static final byte[] GZIP = {0x1f, (byte) 0x8b, 0x08};
    static final byte[] LZ4_LEGACY = {0x02, 0x21, 0x4c, 0x18};
    private static final int LZ4_LEGACY_MAGIC = 0x184C2102;
    /** The legacy frame's block size: every block but the last decompresses to exactly this. */
    private static final int LZ4_LEGACY_BLOCK = 8 << 20;
    private static final byte[][] UNSUPPORTED = {
            {(byte) 0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00}, // xz
            {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd}, // zstd
            {0x42, 0x5a, 0x68}, // bzip2 "BZh"
            {(byte) 0x89, 0x4c, 0x5a, 0x4f}, // lzop
    };
    private static final String[] UNSUPPORTED_NAMES = {"xz", "zstd", "bzip2", "lzo"};

    /**
     * The vmlinux for {@code bzImage}, extracted once into {@code target} (written beside it and renamed atomically,
     * so a crash leaves no half file); an existing {@code target} that is a valid ELF is reused.
     */
    public static Path extractCached(Path bzImage, Path target) throws IOException {
        if (Files.isRegularFile(target) && isX86_64Elf(head(target))) {
            return target;
        }
        byte[] elf = extract(Files.readAllBytes(bzImage));
        Path tmp = Files.createTempFile(target.getParent(), ".vmlinux-", ".tmp");
        try {
            Files.write(tmp, elf);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot rename atomically in " + target.getParent(), e);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
        return target;
    }

    private static byte[] head(Path p) throws IOException {
        try (InputStream in = Files.newInputStream(p)) {
            return in.readNBytes(64);
        }
    }

    /** The ELF kernel inside {@code image}; an error that names what was found when there is none. */
    public static byte[] extract(byte[] image) throws IOException {
        if (isX86_64Elf(image)) {
            return image; // already a vmlinux
        }
        StringBuilder tried = new StringBuilder();
        for (int at = indexOf(image, GZIP, 0); at >= 0; at = indexOf(image, GZIP, at + 1)) {
            byte[] out = gunzip(image, at);
            if (out != null && isX86_64Elf(out)) {
                return out;
            }
            tried.append(" gzip@").append(at);
        }
        for (int at = indexOf(image, LZ4_LEGACY, 0); at >= 0; at = indexOf(image, LZ4_LEGACY, at + 1)) {
            byte[] out = lz4Legacy(image, at);
            if (out != null && isX86_64Elf(out)) {
                return out;
            }
            tried.append(" lz4@").append(at);
        }
        for (int i = 0; i < UNSUPPORTED.length; i++) {
            int at = indexOf(image, UNSUPPORTED[i], 0);
            if (at >= 0 && UNSUPPORTED_NAMES[i].length() > 3) { // bzip2/lzo magics are short: only named, not trusted
                tried.append(' ').append(UNSUPPORTED_NAMES[i]).append("@").append(at).append(" (not supported)");
            }
        }
        throw new IOException("no x86_64 ELF kernel found in the image (tried:" + (tried.isEmpty() ? " no known compression magic" : tried)
                + "); isobench decompresses gzip and lz4 kernels");
    }

    /** ELF magic, 64-bit class, little-endian, executable, machine x86_64 (what extract-vmlinux checks with readelf -h). */
    static boolean isX86_64Elf(byte[] b) {
        return b.length >= 20 && b[0] == 0x7f && b[1] == 'E' && b[2] == 'L' && b[3] == 'F'
                && b[4] == 2 && b[5] == 1 && le16(b, 16) == 2 && le16(b, 18) == 0x3e;
    }

    static int indexOf(byte[] hay, byte[] needle, int from) {
        outer:
        for (int i = Math.max(0, from); i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static byte[] gunzip(byte[] b, int at) {
        try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(b, at, b.length - at))) {
            return in.readAllBytes();
        } catch (IOException e) {
            return null; // not a gzip stream there (or trailing garbage after a complete one: GZIPInputStream reads past it)
        }
    }

    /**
     * LZ4's legacy frame: the magic, then blocks of (little-endian 32-bit compressed size, LZ4 block) each decompressing
     * to 8 MiB but the last. The stream ends at the end of input, at a size larger than any block can be (the kernel
     * appends the uncompressed size, which is), or at a block that does not decode once output exists. Null: nothing decoded.
     */
    static byte[] lz4Legacy(byte[] b, int at) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] block = new byte[LZ4_LEGACY_BLOCK];
        int p = at + 4;
        while (p + 4 <= b.length) {
            int size = le32(b, p);
            if (size == LZ4_LEGACY_MAGIC) {
                p += 4; // a concatenated legacy stream
                continue;
            }
            if (size <= 0 || size > lz4CompressBound(LZ4_LEGACY_BLOCK) || p + 4 + size > b.length) {
                break;
            }
            int n;
            try {
                n = lz4Block(b, p + 4, size, block);
            } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
                break;
            }
            out.write(block, 0, n);
            p += 4 + size;
            if (n < LZ4_LEGACY_BLOCK) {
                break; // a short block is the last
            }
        }
        return out.size() == 0 ? null : out.toByteArray();
    }

    static int lz4CompressBound(int n) {
        return n + n / 255 + 16;
    }

    /** Decodes one LZ4 block of {@code len} bytes at {@code src[off]} into {@code dst}; returns the bytes written. */
    static int lz4Block(byte[] src, int off, int len, byte[] dst) {
        int s = off;
        int end = off + len;
        int d = 0;
        while (s < end) {
            int token = src[s++] & 0xff;
            int lit = token >>> 4;
            if (lit == 15) {
                int x;
                do {
                    x = src[s++] & 0xff;
                    lit += x;
                } while (x == 255);
            }
            if (s + lit > end) {
                throw new IllegalArgumentException("literals past the block's end");
            }
            System.arraycopy(src, s, dst, d, lit);
            s += lit;
            d += lit;
            if (s == end) {
                break; // the last sequence has literals only
            }
            int offset = (src[s] & 0xff) | (src[s + 1] & 0xff) << 8;
            s += 2;
            if (offset == 0 || offset > d) {
                throw new IllegalArgumentException("match offset " + offset + " outside the output");
            }
            int match = token & 15;
            if (match == 15) {
                int x;
                do {
                    x = src[s++] & 0xff;
                    match += x;
                } while (x == 255);
            }
            match += 4;
            int from = d - offset;
            if (offset >= match) {
                System.arraycopy(dst, from, dst, d, match);
                d += match;
            } else {
                for (int i = 0; i < match; i++) {
                    dst[d++] = dst[from + i]; // overlapping copy repeats the pattern
                }
            }
        }
        return d;
    }

    private static int le16(byte[] b, int i) {
        return (b[i] & 0xff) | (b[i + 1] & 0xff) << 8;
    }

    private static int le32(byte[] b, int i) {
        return (b[i] & 0xff) | (b[i + 1] & 0xff) << 8 | (b[i + 2] & 0xff) << 16 | (b[i + 3] & 0xff) << 24;
    }
}
