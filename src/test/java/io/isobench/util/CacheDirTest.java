package io.isobench.util;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What the cache lists and prunes: hash-named entries by last use; the kernel, runsc and helpers never. */
class CacheDirTest {
    @TempDir
    Path tmp;

    static final Instant NOW = Instant.parse("2026-12-03T12:00:00Z");

    private static Path aged(Path p, Duration age) throws IOException {
        Files.setLastModifiedTime(p, FileTime.from(NOW.minus(age)));
        return p;
    }

    private Path layout(Path root) throws IOException {
        Path oldImage = Files.createDirectories(root.resolve("images/0123456789abcdef/rootfs/bin"));
        Files.writeString(oldImage.resolve("sh"), "x".repeat(1000));
        Files.createSymbolicLink(oldImage.resolve("sh-link"), Path.of("/bin/sh")); // never followed
        aged(root.resolve("images/0123456789abcdef"), Duration.ofDays(40));
        aged(Files.createDirectories(root.resolve("images/fedcba9876543210/rootfs")).getParent(), Duration.ofDays(2));
        aged(Files.createDirectories(root.resolve("images/.build-123")), Duration.ofHours(3)); // a build cut short
        aged(Files.createDirectories(root.resolve("images/.build-456")), Duration.ofMinutes(5)); // one under way
        Files.createDirectories(root.resolve("guest/initrd"));
        aged(Files.writeString(root.resolve("guest/initrd/6.1.0-57-cloud-amd64-0123456789abcdef-l13-i68f1d9c2.cpio"), "c"),
                Duration.ofDays(31));
        Files.createDirectories(root.resolve("guest/disk"));
        aged(Files.writeString(root.resolve("guest/disk/0123456789abcdef-l1.ext4"), "d".repeat(4096)), Duration.ofDays(1));
        Path kernel = Files.createDirectories(root.resolve("guest/6.1.0-57-cloud-amd64/boot"));
        aged(Files.writeString(kernel.resolve("vmlinuz"), "k".repeat(2048)).getParent().getParent(), Duration.ofDays(400));
        aged(Files.createDirectories(root.resolve("built/0a1b2c3d4e5f6a7b")), Duration.ofDays(60));
        aged(Files.createDirectories(root.resolve("built/files/1111222233334444")), Duration.ofDays(60));
        aged(Files.createDirectories(root.resolve("runsc/20240729")), Duration.ofDays(400));
        aged(Files.createDirectories(root.resolve("bin/spawn")), Duration.ofDays(400));
        return root;
    }

    @Test
    void listsEachKindOldestFirstAndSizesTreesWithoutFollowingLinks() throws IOException {
        Path root = layout(tmp.resolve("cache"));
        var entries = CacheDir.entries(root);
        assertThat(entries).extracting(e -> root.relativize(e.path()).toString()).containsExactly(
                "images/0123456789abcdef", "images/fedcba9876543210", "images/.build-123", "images/.build-456",
                "guest/initrd/6.1.0-57-cloud-amd64-0123456789abcdef-l13-i68f1d9c2.cpio", "guest/disk/0123456789abcdef-l1.ext4",
                "built/0a1b2c3d4e5f6a7b", "built/files/1111222233334444");
        assertThat(entries.getFirst().bytes()).isEqualTo(1000);
    }

    @Test
    void prunesWhatWasNotUsedForTheGivenTimeAndAbandonedBuilds() throws Exception {
        Path root = layout(tmp.resolve("cache"));
        CacheDir.Pruned dry = CacheDir.prune(root, Duration.ofDays(30), NOW, true);
        assertThat(dry.removed()).hasSize(5);
        assertThat(root.resolve("images/0123456789abcdef")).exists(); // a dry run removes nothing

        CacheDir.Pruned p = CacheDir.prune(root, Duration.ofDays(30), NOW, false);
        assertThat(p.removed()).extracting(e -> root.relativize(e.path()).toString()).containsExactlyInAnyOrder(
                "images/0123456789abcdef", "images/.build-123",
                "guest/initrd/6.1.0-57-cloud-amd64-0123456789abcdef-l13-i68f1d9c2.cpio",
                "built/0a1b2c3d4e5f6a7b", "built/files/1111222233334444");
        assertThat(p.bytes()).isEqualTo(1001);
        assertThat(root.resolve("images/0123456789abcdef")).doesNotExist();
        assertThat(root.resolve("images/fedcba9876543210")).exists();
        assertThat(root.resolve("images/.build-456")).as("a build under way").exists();
        assertThat(root.resolve("guest/disk/0123456789abcdef-l1.ext4")).exists();
        assertThat(root.resolve("guest/6.1.0-57-cloud-amd64/boot/vmlinuz")).as("the kernel is kept").exists();
        assertThat(root.resolve("runsc/20240729")).exists();
        assertThat(root.resolve("bin/spawn")).exists();
        assertThat(Path.of("/bin/sh")).exists();

        assertThat(CacheDir.prune(root, Duration.ZERO, NOW.plusSeconds(1), false).kept()).as("0s: everything")
                .extracting(e -> e.path().getFileName().toString()).containsExactly(".build-456"); // still younger than an hour
    }

    @Test
    void aProcessThatUsesTheCacheHoldsOffAPrune() throws Exception {
        Path root = layout(tmp.resolve("held"));
        CacheDir.hold(root);
        assertThatThrownBy(() -> CacheDir.prune(root, Duration.ZERO, NOW, false)).isInstanceOf(CacheDir.Busy.class)
                .hasMessageContaining("another isobench process is using the cache");
        assertThat(root.resolve("images/0123456789abcdef")).exists();
    }

    @Test
    void theLockIsNeverOpenedThroughASymlink() throws Exception {
        Path root = layout(tmp.resolve("linked"));
        Path elsewhere = tmp.resolve("not-a-lock");
        Files.createSymbolicLink(root.resolve(".lock"), elsewhere);
        assertThatThrownBy(() -> CacheDir.prune(root, Duration.ZERO, NOW, false)).isInstanceOf(CacheDir.Busy.class)
                .hasMessageContaining("cannot lock");
        CacheDir.hold(root); // used unlocked, never through the link
        assertThat(elsewhere).doesNotExist();
        assertThat(root.resolve("images/0123456789abcdef")).exists();
    }

    @Test
    void aMissingCacheIsNothingToPrune() throws Exception {
        assertThat(CacheDir.prune(tmp.resolve("none"), Duration.ZERO, NOW, false).removed()).isEmpty();
        assertThat(CacheDir.entries(tmp.resolve("none"))).isEmpty();
    }

    @Test
    void holdAboveLocksTheRootThatManyLevelsUp() {
        Path root = tmp.resolve("hold-above");
        CacheDir.holdAbove(root.resolve("guest/initrd"), 2); // a guest kind: the root is two levels up
        assertThat(root.resolve(".lock")).isRegularFile();
        assertThat(root.resolve("guest/.lock")).doesNotExist();
    }
}
