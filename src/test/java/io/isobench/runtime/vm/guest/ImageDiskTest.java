package io.isobench.runtime.vm.guest;

import io.isobench.image.WorkloadImage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Which trees of a large image go to the read-only disk, the disk's size and mke2fs command, and the guest's side. */
class ImageDiskTest {
    @TempDir
    Path dir;

    static WorkloadImage image(long bytes, Path rootfs) {
        return new WorkloadImage("c".repeat(64), rootfs, Map.of(), 10, bytes, List.of(), Map.of(), Map.of());
    }

    @Test
    void onlyImagesOverTheThresholdUseADisk() {
        assertThat(ImageDisk.needed(image(735_670_434L, dir))).isTrue();
        assertThat(ImageDisk.needed(image(84L << 20, dir))).isFalse();
        assertThat(ImageDisk.needed(image(ImageDisk.THRESHOLD, dir))).isFalse();
    }

    @Test
    void bigTopLevelDirectoriesGoToTheDiskNotSymlinksSmallOnesOrMountPoints() throws Exception {
        Files.createDirectories(dir.resolve("usr/lib/python3"));
        Files.write(dir.resolve("usr/lib/python3/big.so"), new byte[(int) ImageDisk.TREE_MIN_BYTES]);
        Files.createDirectories(dir.resolve("etc"));
        Files.writeString(dir.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
        Files.createDirectories(dir.resolve("tmp"));
        Files.write(dir.resolve("tmp/huge"), new byte[(int) ImageDisk.TREE_MIN_BYTES * 2]);
        Files.createSymbolicLink(dir.resolve("lib"), Path.of("usr/lib"));
        assertThat(ImageDisk.trees(dir)).containsExactly("usr");
    }

    @Test
    void theDiskHoldsItsTreeWithMarginAndTheCommandKeepsOwnershipWithoutJournal() {
        long data = 700L << 20;
        long size = ImageDisk.sizeFor(data, 7000);
        assertThat(size).isGreaterThan(data + ImageDisk.inodeCount(7000) * ImageDisk.INODE_SIZE).isLessThan(data * 2);
        assertThat(size % (1 << 20)).isZero();
        assertThat(ImageDisk.sizeFor(data + 1, 7000)).isGreaterThanOrEqualTo(size);
        assertThat(ImageDisk.inodeCount(7000)).isGreaterThan(7000);
        List<String> a = ImageDisk.mke2fsArgv("/sbin/mke2fs", Path.of("/c/rootfs"), Path.of("/c/x.ext4"), 7000, "isobench-ccccccc");
        assertThat(a).startsWith("/sbin/mke2fs").endsWith("-d", "/c/rootfs", "/c/x.ext4");
        assertThat(String.join(" ", a)).contains("-t ext4", "-O ^has_journal", "-E root_owner=0:0", "-L isobench-ccccccc",
                "-N " + ImageDisk.inodeCount(7000), "-m 0");
        assertThat(ImageDisk.label(image(1, dir))).hasSizeLessThanOrEqualTo(16).isEqualTo("isobench-ccccccc");
    }

    @Test
    void theInitramfsKeepsTheDiskTreesDirectoriesEmpty() throws Exception {
        Files.createDirectories(dir.resolve("usr/bin"));
        Files.writeString(dir.resolve("usr/bin/tool"), "x");
        Files.createDirectories(dir.resolve("etc"));
        Files.writeString(dir.resolve("etc/group"), "root:x:0:\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (Cpio c = new Cpio(out)) {
            c.tree(dir, "", Set.of("usr"));
        }
        String names = out.toString(StandardCharsets.ISO_8859_1);
        assertThat(names).contains("usr\0", "etc/group\0").doesNotContain("usr/bin", "usr/bin/tool");
    }

    @Test
    void initMountsTheDiskReadOnlyAndBindsItsTreesBeforeBegin() {
        String init = GuestInitramfs.initScript();
        assertThat(ImageDisk.KERNEL_PARAM).isEqualTo("isobench.ro=serial:" + ImageDisk.SERIAL);
        assertThat(init).contains("isobench.ro=*)", "/sys/block/*/serial", "mount -t ext4 -o ro $ROD /.isobench/ro",
                "/.isobench/ro.trees", "mount -o bind /.isobench/ro/$t /$t");
        assertThat(init.indexOf("/.isobench/ro.trees")).isLessThan(init.indexOf("ISOBENCH-BEGIN"));
        assertThat(init).contains("isobench-init: no disk $RO");
    }
}
