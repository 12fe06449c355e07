package io.isobench.util;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/** Finds executables on PATH (plus the sbin directories root usually has). */
public final class Tools {
    private Tools() {
    }

    /** Absolute path of an executable, or null. */
    public static String which(String name) {
        if (name.contains("/")) {
            return Files.isExecutable(Path.of(name)) ? name : null;
        }
        String path = System.getenv().getOrDefault("PATH", "") + ":/usr/local/sbin:/usr/sbin:/sbin:/usr/local/bin:/usr/bin:/bin";
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path p = Path.of(dir, name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }
}
