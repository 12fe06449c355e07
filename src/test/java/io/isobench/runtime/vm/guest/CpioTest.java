package io.isobench.runtime.vm.guest;

import io.isobench.proc.Proc;
import io.isobench.proc.ProcResult;
import io.isobench.runtime.LaunchSpec;
import io.isobench.runtime.Limits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class CpioTest {
    @TempDir
    Path dir;

    @Test
    void headerLayoutIsNewc() throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (Cpio c = new Cpio(b)) {
            c.file("a", 0644, "xyz".getBytes(StandardCharsets.UTF_8));
        }
        byte[] bytes = b.toByteArray();
        String s = new String(bytes, StandardCharsets.US_ASCII);
        // magic, ino 1, mode 0100644, uid, gid, nlink 1, mtime 0, size 3, 4 x dev, namesize 2, check
        assertThat(s).startsWith("070701" + "00000001" + "000081a4" + "00000000" + "00000000" + "00000001"
                + "00000000" + "00000003" + "00000000".repeat(4) + "00000002" + "00000000" + "a\0");
        // 110 + 2 = 112 (aligned), data 3 + 1 pad, then the trailer
        assertThat(s.substring(112, 116)).isEqualTo("xyz\0");
        assertThat(s.substring(116)).startsWith("070701").contains("TRAILER!!!");
        assertThat(bytes.length % 4).isZero();
    }

    /** The archive is what GNU cpio (and so the kernel's unpacker, same format) reads back. */
    @Test
    void gnuCpioExtractsTreeSymlinksAndConcatenatedArchives() throws Exception {
        assumeTrue(Proc.of("cpio", "--version").timeout(Duration.ofSeconds(10)).run().ok(), "cpio not installed");
        Path src = dir.resolve("src");
        Files.createDirectories(src.resolve("usr/bin"));
        Files.writeString(src.resolve("usr/bin/tool"), "#!/bin/sh\necho hi\n");
        Files.setPosixFilePermissions(src.resolve("usr/bin/tool"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.write(src.resolve("usr/bin/odd"), new byte[]{1, 2, 3, 4, 5});
        Files.createSymbolicLink(src.resolve("bin"), Path.of("usr/bin"));
        Path archive = dir.resolve("a.cpio");
        try (Cpio c = new Cpio(Files.newOutputStream(archive))) {
            c.tree(src, "");
            c.dir("etc", 0755);
            c.file("etc/hello", 0600, "hello\n".getBytes(StandardCharsets.UTF_8));
        }
        // a second archive appended, as the per-launch part is
        try (Cpio c = new Cpio(Files.newOutputStream(archive, java.nio.file.StandardOpenOption.APPEND))) {
            c.dir("isobench", 0755);
            c.file("isobench/cmd", 0755, "exec true\n".getBytes(StandardCharsets.UTF_8));
        }
        ProcResult list = Proc.of("cpio", "-it", "--quiet", "-F", archive.toString()).timeout(Duration.ofSeconds(10)).run();
        assertThat(list.ok()).as(list.stderr()).isTrue();
        assertThat(list.stdout().lines().toList()).containsExactly("bin", "usr", "usr/bin", "usr/bin/odd", "usr/bin/tool",
                "etc", "etc/hello");

        Path out = dir.resolve("out");
        Files.createDirectories(out);
        ProcResult x = Proc.of("cpio", "-idm", "--quiet", "--no-absolute-filenames", "-F", archive.toString())
                .dir(out).timeout(Duration.ofSeconds(10)).run();
        assertThat(x.ok()).as(x.stderr()).isTrue();
        assertThat(Files.readString(out.resolve("usr/bin/tool"))).isEqualTo("#!/bin/sh\necho hi\n");
        assertThat(Files.isExecutable(out.resolve("usr/bin/tool"))).isTrue();
        assertThat(Files.readAllBytes(out.resolve("usr/bin/odd"))).containsExactly(1, 2, 3, 4, 5);
        assertThat(Files.readSymbolicLink(out.resolve("bin"))).isEqualTo(Path.of("usr/bin"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve("etc/hello")))).isEqualTo("rw-------");

        // GNU cpio stops at the first trailer; skip past it to read the appended archive like the kernel does
        long first = firstArchiveLength(Files.readAllBytes(archive));
        Path second = dir.resolve("b.cpio");
        byte[] all = Files.readAllBytes(archive);
        Files.write(second, java.util.Arrays.copyOfRange(all, (int) first, all.length));
        ProcResult l2 = Proc.of("cpio", "-it", "--quiet", "-F", second.toString()).timeout(Duration.ofSeconds(10)).run();
        assertThat(l2.stdout().lines().toList()).containsExactly("isobench", "isobench/cmd");
    }

    private static long firstArchiveLength(byte[] a) {
        String s = new String(a, StandardCharsets.ISO_8859_1);
        int t = s.indexOf("TRAILER!!!");
        int end = t + "TRAILER!!!".length() + 1;
        return (end + 3) / 4 * 4;
    }

    /** The generated command script keeps every argv word intact, quotes and $ included. */
    @Test
    void commandScriptQuotesEveryWord() throws Exception {
        assumeTrue(io.isobench.util.Tools.which("busybox") != null, "busybox not installed");
        LaunchSpec spec = LaunchSpec.builder("t", null, new Limits(1, 1 << 30))
                .argv(List.of("/usr/bin/printf", "%s|", "a b", "it's", "$HOME", "`x`")).env(Map.of("X_Y", "v'1")).build();
        String script = GuestInitramfs.commandScript(spec).replace("#!/.isobench/busybox sh\n", "").replace("cd /\n", "");
        Path f = dir.resolve("cmd");
        Files.writeString(f, script + "");
        ProcResult r = Proc.of(io.isobench.util.Tools.which("busybox"), "sh", f.toString()).timeout(Duration.ofSeconds(10)).run();
        assertThat(r.stdout()).isEqualTo("a b|it's|$HOME|`x`|");
        assertThat(script).contains("export X_Y='v'\\''1'");
    }
}
