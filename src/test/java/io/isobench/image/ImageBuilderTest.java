package io.isobench.image;

import io.isobench.TestFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class ImageBuilderTest {
    @TempDir
    Path cache;

    @Test
    void parsesLddOfADynamicBinary() {
        var libs = ImageBuilder.parseLdd(TestFixtures.read("host/ldd-sysbench.txt"));
        assertThat(libs).contains("/lib/x86_64-linux-gnu/libc.so.6", "/lib64/ld-linux-x86-64.so.2",
                "/lib/x86_64-linux-gnu/libluajit-5.1.so.2");
        assertThat(libs).noneMatch(l -> l.contains("vdso"));
    }

    @Test
    void staticBinaryHasNoClosure() {
        assertThat(ImageBuilder.parseLdd(TestFixtures.read("host/ldd-static.txt"))).isEmpty();
    }

    @Test
    void buildsAndCachesByContent() throws Exception {
        ImageBuilder b = new ImageBuilder(cache);
        WorkloadImage img = b.build(Set.of("true"), false);
        String truePath = img.tools().get("true");
        assertThat(truePath).isNotNull();
        Path inImage = img.rootfs().resolve(truePath.substring(1));
        assertThat(inImage).exists();
        assertThat(Files.readAllBytes(inImage)).isEqualTo(Files.readAllBytes(Path.of(truePath)));
        // the loader resolves inside the image as on the host
        assertThat(img.rootfs().resolve("lib64/ld-linux-x86-64.so.2")).exists();
        assertThat(img.rootfs().resolve("etc/passwd")).content().startsWith("root:x:0:0");
        // /tmp as on any host: world-writable with the sticky bit
        assertThat(Files.getAttribute(img.rootfs().resolve("tmp"), "unix:mode")).isEqualTo(041777);
        assertThat(Files.getAttribute(img.rootfs().resolve("var/tmp"), "unix:mode")).isEqualTo(041777);
        assertThat(img.files()).isGreaterThan(1);

        WorkloadImage again = b.build(Set.of("true"), false);
        assertThat(again.hash()).isEqualTo(img.hash());
        assertThat(again.rootfs()).isEqualTo(img.rootfs());
        try (var l = Files.list(cache)) {
            assertThat(l.filter(p -> p.getFileName().toString().startsWith(".build-"))).isEmpty();
        }
        WorkloadImage other = b.build(Set.of("true", "false"), false);
        assertThat(other.hash()).isNotEqualTo(img.hash());
    }

    @Test
    void aTreeBringsItsSharedObjectsLibrariesAndKeepsForeignLinksAsLinks(@TempDir Path data) throws Exception {
        Path tree = data.resolve("pkg");
        Files.createDirectories(tree.resolve("lib"));
        // a real shared object of the host inside the tree (a Python extension module would be one)
        Path libc = Path.of("/lib/x86_64-linux-gnu/libm.so.6").toRealPath();
        assumeTrue(Files.isRegularFile(libc), "no libm here");
        Files.copy(libc, tree.resolve("lib/_ext.so"));
        Files.createDirectories(data.resolve("elsewhere"));
        Files.writeString(data.resolve("elsewhere/big.bin"), "not part of the tree");
        Files.createSymbolicLink(tree.resolve("test"), Path.of("../elsewhere"));
        Files.createSymbolicLink(tree.resolve("lib/gone.so"), Path.of("missing.so"));
        WorkloadImage img = new ImageBuilder(cache).build(Set.of(), java.util.List.of(), Set.of(tree.toString()),
                java.util.Map.of(), false);
        Path root = img.rootfs();
        assertThat(root.resolve(tree.toString().substring(1)).resolve("lib/_ext.so")).exists();
        // the closure of _ext.so: libm needs libc, copied at its host path
        assertThat(root.resolve("lib/x86_64-linux-gnu/libc.so.6")).exists();
        assertThat(Files.isSymbolicLink(root.resolve(tree.toString().substring(1)).resolve("test"))).isTrue();
        assertThat(root.resolve(data.toString().substring(1)).resolve("elsewhere")).doesNotExist();
        assertThat(Files.isSymbolicLink(root.resolve(tree.toString().substring(1)).resolve("lib/gone.so"))).isTrue();
    }

    @Test
    void hostDirectoriesAndDataFilesAreInTheImageAndInTheHash(@TempDir Path data) throws Exception {
        Files.createDirectories(data.resolve("share/sub"));
        Files.writeString(data.resolve("share/a.txt"), "a");
        Files.writeString(data.resolve("share/sub/b.txt"), "b");
        Files.createSymbolicLink(data.resolve("share/link"), Path.of("a.txt"));
        ImageBuilder b = new ImageBuilder(cache);
        WorkloadImage img = b.build(Set.of("true"), java.util.List.of(), Set.of(data.resolve("share").toString()),
                java.util.Map.of("x/conf", "listen 1;\n"), false);
        Path root = img.rootfs();
        assertThat(root.resolve(data.resolve("share/sub/b.txt").toString().substring(1))).hasContent("b");
        assertThat(Files.readSymbolicLink(root.resolve(data.resolve("share/link").toString().substring(1))))
                .isEqualTo(Path.of("a.txt"));
        String conf = img.dataFiles().get("x/conf");
        assertThat(Path.of(conf)).as("on the host").hasContent("listen 1;\n");
        assertThat(root.resolve(conf.substring(1))).as("in the image at the same path").hasContent("listen 1;\n");

        assertThat(b.build(Set.of("true"), java.util.List.of(), Set.of(data.resolve("share").toString()),
                java.util.Map.of("x/conf", "listen 1;\n"), false).hash()).isEqualTo(img.hash());
        assertThat(b.build(Set.of("true"), java.util.List.of(), Set.of(data.resolve("share").toString()),
                java.util.Map.of("x/conf", "listen 2;\n"), false).hash()).as("data file content").isNotEqualTo(img.hash());
        Files.writeString(data.resolve("share/sub/b.txt"), "changed");
        assertThat(b.build(Set.of("true"), java.util.List.of(), Set.of(data.resolve("share").toString()),
                java.util.Map.of("x/conf", "listen 1;\n"), false).hash()).as("host file content").isNotEqualTo(img.hash());
    }

    @Test
    void missingHostFileIsMissingUnderItsPath() {
        WorkloadImage img = new ImageBuilder(cache).build(Set.of("true"), java.util.List.of(),
                Set.of("/no/such/isobench/share"), java.util.Map.of(), false);
        assertThat(img.missingTools()).containsExactly("/no/such/isobench/share");
    }

    @Test
    void missingToolsAreReportedNotFatal() {
        WorkloadImage img = new ImageBuilder(cache).build(Set.of("true", "no-such-tool-isobench"), false);
        assertThat(img.missingTools()).containsExactly("no-such-tool-isobench");
        assertThat(img.tools()).containsKey("true");
    }

    @Test
    void builtToolIsCompiledOnceIntoTheImageAtItsHostPath() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(io.isobench.util.Tools.which("gcc") != null, "gcc not installed");
        BuiltTool probe = new BuiltTool("syscall-probe", "probe/syscall-probe.c");
        WorkloadImage img = new ImageBuilder(cache).build(Set.of(), java.util.List.of(probe), false);
        assertThat(img.missingTools()).isEmpty();
        String path = img.tools().get("syscall-probe");
        assertThat(Path.of(path)).startsWith(ImageBuilder.builtToolsDir(cache));
        assertThat(Path.of(path)).isExecutable();
        assertThat(img.rootfs().resolve(path.substring(1))).isRegularFile();
        long built = Files.getLastModifiedTime(Path.of(path)).toMillis();
        WorkloadImage again = new ImageBuilder(cache).build(Set.of(), java.util.List.of(probe), false);
        assertThat(again.hash()).isEqualTo(img.hash());
        assertThat(Files.getLastModifiedTime(Path.of(path)).toMillis()).as("cached, not rebuilt").isEqualTo(built);
        // a cached binary others could have written is not used: rebuilt
        Files.setAttribute(Path.of(path), "unix:mode", 0777);
        WorkloadImage third = new ImageBuilder(cache).build(Set.of(), java.util.List.of(probe), false);
        assertThat(third.missingTools()).isEmpty();
        assertThat(Files.getAttribute(Path.of(third.tools().get("syscall-probe")), "unix:mode")).isEqualTo(0100755);
    }

    @Test
    void builtToolThatDoesNotCompileIsMissingWithTheReason() {
        org.junit.jupiter.api.Assumptions.assumeTrue(io.isobench.util.Tools.which("gcc") != null, "gcc not installed");
        WorkloadImage img = new ImageBuilder(cache).build(Set.of("true"),
                java.util.List.of(new BuiltTool("broken", "probe/broken.c")), false);
        assertThat(img.missingTools()).containsExactly("broken");
        assertThat(img.missingReasons().get("broken")).startsWith("cannot build broken with gcc -static: ")
                .contains("missing_symbol_isobench");
        assertThat(img.tools()).containsKey("true").doesNotContainKey("broken");
    }
}
