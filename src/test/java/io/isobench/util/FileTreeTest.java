package io.isobench.util;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

class FileTreeTest {
    @Test
    void deletesTheTreeButNotWhatASymlinkInItPointsTo(@TempDir Path dir) throws Exception {
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Files.writeString(outside.resolve("keep"), "x");
        Path tree = Files.createDirectories(dir.resolve("tree/a/b"));
        Files.writeString(tree.resolve("f"), "y");
        Files.createSymbolicLink(dir.resolve("tree/link"), outside);
        FileTree.delete(dir.resolve("tree"));
        assertThat(dir.resolve("tree")).doesNotExist();
        assertThat(outside.resolve("keep")).hasContent("x");
        FileTree.delete(dir.resolve("tree")); // nothing there: no error
    }

    /**
     * A directory of the tree replaced by a symlink to a victim directory after the walk saw it and before it is
     * entered (what another user racing the janitor would do): the link goes, the victim's files stay.
     */
    @Test
    void aSymlinkSwappedInDuringTheWalkIsNeverFollowed(@TempDir Path dir) throws Exception {
        Path victim = Files.createDirectories(dir.resolve("victim"));
        Files.writeString(victim.resolve("precious"), "x");
        Files.createDirectories(dir.resolve("tree/a/deep"));
        Files.writeString(dir.resolve("tree/a/deep/f"), "y");
        AtomicBoolean swapped = new AtomicBoolean();
        FileTree.delete(dir.resolve("tree"), p -> {
            if (p.endsWith("a") && swapped.compareAndSet(false, true)) {
                try {
                    Files.move(p, p.resolveSibling("a.moved"));
                    Files.createSymbolicLink(p, victim);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        });
        assertThat(swapped).isTrue();
        assertThat(victim.resolve("precious")).hasContent("x");
        assertThat(dir.resolve("tree")).doesNotExist();
    }

    @Test
    void aSymlinkGivenAsTheTreeIsRemovedNotFollowed(@TempDir Path dir) throws Exception {
        Path victim = Files.createDirectories(dir.resolve("victim"));
        Files.writeString(victim.resolve("precious"), "x");
        Files.createSymbolicLink(dir.resolve("tree"), victim);
        FileTree.delete(dir.resolve("tree"));
        assertThat(dir.resolve("tree")).doesNotExist();
        assertThat(victim.resolve("precious")).hasContent("x");
    }

    @Test
    void fileKeysCompareByDevice() {
        assertThat(FileTree.sameDevice("(dev=803,ino=12)", "(dev=803,ino=99)")).isTrue();
        assertThat(FileTree.sameDevice("(dev=803,ino=12)", "(dev=2a,ino=12)")).isFalse();
    }
}
