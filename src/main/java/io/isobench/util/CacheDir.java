package io.isobench.util;

import java.nio.file.Path;

/** isobench's cache root: {@code $XDG_CACHE_HOME/isobench}, else {@code ~/.cache/isobench}. */
public final class CacheDir {
    private CacheDir() {
    }

    /** The root; callers resolve their own subdirectory (images, guest, built, bin). */
    public static Path root() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("isobench");
    }
}
