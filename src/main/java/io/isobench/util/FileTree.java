package io.isobench.util;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Deleting a directory tree without ever following a symlink, also one swapped in while the walk runs: every directory
 * is opened relative to its parent's open descriptor with O_NOFOLLOW ({@link SecureDirectoryStream}), entries are
 * judged by lstat through that descriptor and unlinked through it, so no path is resolved again from the top. A
 * directory on another file system (a mount left inside the tree) is not entered and the deletion fails instead.
 */
public final class FileTree {
    private static final int ROUNDS = 5;

    private FileTree() {
    }

    /** Deletes {@code p} and everything under it; nothing when it does not exist. */
    public static void delete(Path p) {
        delete(p, q -> { });
    }

    /** {@link #delete(Path)} with a hook called before each directory is opened (tests swap it for a symlink there). */
    static void delete(Path p, Consumer<Path> beforeOpen) {
        Path abs = p.toAbsolutePath().normalize();
        Path parent = abs.getParent();
        if (parent == null || !Files.exists(abs, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(parent)) {
            if (!(ds instanceof SecureDirectoryStream<Path> top)) {
                throw new UncheckedIOException(new IOException("no SecureDirectoryStream on this platform: not deleting " + abs));
            }
            Path name = abs.getFileName();
            BasicFileAttributes a = attrs(top, name);
            if (a == null) {
                return;
            }
            if (!a.isDirectory()) {
                top.deleteFile(name);
                return;
            }
            deleteDir(top, name, abs, a.fileKey(), beforeOpen);
        } catch (NoSuchFileException e) {
            // gone meanwhile
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Empties and removes directory {@code name} of {@code parent}; {@code shown} is its path for messages and the hook. */
    private static void deleteDir(SecureDirectoryStream<Path> parent, Path name, Path shown, Object key,
                                  Consumer<Path> beforeOpen) throws IOException {
        for (int round = 0; ; round++) {
            beforeOpen.accept(shown);
            SecureDirectoryStream<Path> dir;
            try {
                dir = parent.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException e) {
                return;
            } catch (IOException e) {
                // ELOOP: a symlink took the directory's place; unlink the link itself, never what it points to
                BasicFileAttributes now = attrs(parent, name);
                if (now != null && !now.isDirectory()) {
                    parent.deleteFile(name);
                    return;
                }
                throw e;
            }
            try (dir) {
                BasicFileAttributes self = dir.getFileAttributeView(BasicFileAttributeView.class).readAttributes();
                if (!sameDevice(self.fileKey(), key)) {
                    throw new IOException(shown + " changed or is on another file system while it was being deleted");
                }
                List<Path> entries = new ArrayList<>();
                for (Path e : dir) {
                    entries.add(e.getFileName());
                }
                for (Path e : entries) {
                    BasicFileAttributes a = attrs(dir, e);
                    if (a == null) {
                        continue;
                    }
                    if (a.isDirectory()) {
                        if (!sameDevice(a.fileKey(), key)) {
                            throw new IOException("not deleting " + shown.resolve(e) + ": another file system is mounted there");
                        }
                        deleteDir(dir, e, shown.resolve(e), key, beforeOpen);
                    } else {
                        try {
                            dir.deleteFile(e);
                        } catch (NoSuchFileException gone) {
                            // removed meanwhile
                        }
                    }
                }
            }
            try {
                parent.deleteDirectory(name);
                return;
            } catch (NoSuchFileException e) {
                return;
            } catch (DirectoryNotEmptyException e) {
                if (round >= ROUNDS) {
                    throw e; // something keeps writing into it
                }
            }
        }
    }

    /** lstat of {@code name} through {@code dir}, or null when it is gone. */
    private static BasicFileAttributes attrs(SecureDirectoryStream<Path> dir, Path name) throws IOException {
        try {
            return dir.getFileAttributeView(name, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).readAttributes();
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** Whether two Unix file keys ("(dev=803,ino=12)") name the same device. */
    static boolean sameDevice(Object a, Object b) {
        if (a == null || b == null) {
            return true;
        }
        return device(a.toString()).equals(device(b.toString()));
    }

    private static String device(String key) {
        int i = key.indexOf("dev=");
        int j = key.indexOf(',', i);
        return i < 0 || j < 0 ? key : key.substring(i + 4, j);
    }
}
