package io.isobench.runtime.vm.guest;

import io.isobench.proc.Proc;
import io.isobench.proc.ProcResult;
import io.isobench.util.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class VmlinuxTest {
    /** A fake x86_64 ELF executable: the header extract-vmlinux's readelf check looks at, then compressible and random bytes. */
    static byte[] fakeElf(int size, long seed) {
        byte[] b = new byte[size];
        Random r = new Random(seed);
        for (int i = 64; i < size; i++) {
            b[i] = (byte) (i % 3 == 0 ? r.nextInt() : (i / 7) % 13); // some repetition so that matches occur
        }
        byte[] h = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0};
        System.arraycopy(h, 0, b, 0, h.length);
        b[16] = 2; // ET_EXEC
        b[18] = 0x3e; // EM_X86_64
        return b;
    }

    /** A bzImage-like file: a setup part (with a decoy gzip magic that is no gzip stream), the payload, trailing bytes. */
    static byte[] wrap(byte[] payload) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        byte[] setup = new byte[5000];
        new Random(7).nextBytes(setup);
        System.arraycopy(Vmlinux.GZIP, 0, setup, 100, 3);
        o.writeBytes(setup);
        o.writeBytes(payload);
        o.writeBytes(new byte[]{0x10, 0x20, 0x30, 0x40, 1, 2, 3});
        return o.toByteArray();
    }

    @Test
    void gzipPayloadFoundPastADecoyMagic() throws IOException {
        byte[] elf = fakeElf(300_000, 1);
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(gz)) {
            g.write(elf);
        }
        assertThat(Vmlinux.extract(wrap(gz.toByteArray()))).isEqualTo(elf);
    }

    /** The lz4 tool's legacy format (-l, what the kernel's CONFIG_KERNEL_LZ4 uses), decoded by our Java decoder. */
    @Test
    void lz4LegacyFromTheLz4ToolDecodesExactly(@TempDir Path tmp) throws IOException {
        assumeTrue(Tools.which("lz4") != null, "lz4 not installed");
        byte[] elf = fakeElf(9 << 20, 2); // more than one 8 MiB block
        Path in = tmp.resolve("elf");
        Files.write(in, elf);
        ProcResult r = Proc.of("lz4", "-l", "-9", "-f", in.toString(), tmp.resolve("elf.lz4").toString())
                .timeout(Duration.ofSeconds(60)).run();
        assertThat(r.ok()).as(r.failureSummary()).isTrue();
        byte[] lz = Files.readAllBytes(tmp.resolve("elf.lz4"));
        assertThat(Vmlinux.extract(wrap(lz))).isEqualTo(elf);
    }

    @Test
    void lz4BlockHandlesOverlappingMatchesAndLongLiterals() {
        // token 0xF0|... : 20 literals (15 + 5), then a match at offset 1 of length 4+15+3=22 (overlapping: repeats the last byte)
        byte[] src = new byte[1 + 1 + 20 + 2 + 1 + 1 + 1];
        int i = 0;
        src[i++] = (byte) 0xFF;
        src[i++] = 5;
        for (int k = 0; k < 20; k++) {
            src[i++] = (byte) ('a' + k);
        }
        src[i++] = 1;
        src[i++] = 0;
        src[i++] = 3;
        src[i++] = 0x10; // last sequence: one literal
        src[i++] = 'Z';
        byte[] dst = new byte[100];
        int n = Vmlinux.lz4Block(src, 0, src.length, dst);
        assertThat(n).isEqualTo(20 + 22 + 1);
        assertThat(new String(dst, 0, n)).isEqualTo("abcdefghijklmnopqrst" + "t".repeat(22) + "Z");
    }

    @Test
    void noKernelInsideIsAClearError() {
        byte[] junk = new byte[10_000];
        new Random(3).nextBytes(junk);
        System.arraycopy(Vmlinux.LZ4_LEGACY, 0, junk, 50, 4);
        assertThatThrownBy(() -> Vmlinux.extract(junk)).isInstanceOf(IOException.class)
                .hasMessageContaining("no x86_64 ELF kernel").hasMessageContaining("lz4@50");
    }

    @Test
    void elfCheckWantsX86_64Executable() {
        byte[] elf = fakeElf(64, 4);
        assertThat(Vmlinux.isX86_64Elf(elf)).isTrue();
        elf[18] = (byte) 0xb7; // aarch64
        assertThat(Vmlinux.isX86_64Elf(elf)).isFalse();
    }

    /** The real cached Debian kernel, where a QEMU run fetched it: its vmlinux is an x86_64 ELF, cached beside it. */
    @Test
    void realCachedKernel(@TempDir Path tmp) throws IOException {
        var k = GuestKernel.cached(GuestKernel.defaultCache());
        assumeTrue(k.isPresent(), "no guest kernel cached under " + GuestKernel.defaultCache());
        Path out = Vmlinux.extractCached(k.get().vmlinuz(), tmp.resolve("vmlinux"));
        byte[] b = Files.readAllBytes(out);
        assertThat(Vmlinux.isX86_64Elf(b)).isTrue();
        assertThat(b.length).isGreaterThan((int) Files.size(k.get().vmlinuz()));
        // the kernel release string is in the uncompressed kernel
        assertThat(Vmlinux.indexOf(b, ("Linux version " + k.get().release()).getBytes(), 0)).isPositive();
        assertThat(Vmlinux.extractCached(k.get().vmlinuz(), out)).isEqualTo(out); // reused
    }
}
