package io.isobench.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** doctor's cache line: the root and what a prune could free, the kernel not counted. */
class DoctorCacheLineTest {
    @TempDir
    Path root;

    @Test
    void countsThePrunableEntriesOnly() throws Exception {
        Files.writeString(Files.createDirectories(root.resolve("images/0123456789abcdef/rootfs")).resolve("f"), "x".repeat(2 << 20));
        Files.writeString(Files.createDirectories(root.resolve("guest/6.1.0-57-cloud-amd64")).resolve("vmlinuz"), "k".repeat(5 << 20));
        assertThat(DoctorCommand.cacheLine(root)).startsWith(root + ": 2.0 MiB of images, guest files and built tools")
                .contains("'isobench cache prune'");
    }
}
