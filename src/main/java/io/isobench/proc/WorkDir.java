package io.isobench.proc;

import io.isobench.util.FileTree;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** One temporary directory per isobench process for bundles and scratch files; removed at exit, also on Ctrl-C. */
public final class WorkDir {
    private static Path dir;

    private WorkDir() {
    }

    public static synchronized Path get() {
        if (dir == null) {
            try {
                Path base = Path.of(System.getProperty("java.io.tmpdir"));
                Path d = Files.createTempDirectory(base, "isobench-" + ProcessHandle.current().pid() + "-");
                Cleanup.register("work dir " + d, () -> FileTree.delete(d));
                dir = d;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create a temporary directory: " + e.getMessage(), e);
            }
        }
        return dir;
    }
}
