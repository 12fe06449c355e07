package io.isobench.runtime;

import io.isobench.image.ImageBuilder;
import io.isobench.proc.WorkDir;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Scratch storage for disk benchmarks ({@link LaunchSpec#scratchBytes()}): a per-instance host directory in the
 * process's scratch work dir ({@link WorkDir#scratch()}, under a root-only directory on a disk file system, not
 * /run's tmpfs) that container drivers bind-mount at {@link #PATH}. The shutdown hook and the janitor remove that
 * dir, and the sandbox's teardown removes the instance's on close().
 */
public final class Scratch {
    /** Where sandboxes see their scratch storage. */
    public static final String PATH = "/scratch";
    /** Environment variable that holds the scratch path as the workload sees it. */
    public static final String ENV = "ISOBENCH_SCRATCH";

    private Scratch() {
    }

    /** The parent of every per-instance scratch directory (for leftover checks). */
    public static Path root() {
        return WorkDir.scratch().resolve("scratch");
    }

    /** Creates an empty per-instance host directory, or returns null when the spec asks for no scratch storage. */
    public static Path hostDir(LaunchSpec spec) throws RuntimeDriver.LaunchException {
        if (spec.scratchBytes() == null) {
            return null;
        }
        Path d = root().resolve(Trials.safeName(spec.name()));
        try {
            Files.createDirectories(d);
        } catch (IOException e) {
            throw new RuntimeDriver.LaunchException("cannot create the scratch directory " + d + ": " + e.getMessage(), e);
        }
        return d;
    }

    public static void remove(Path dir) {
        if (dir != null) {
            ImageBuilder.deleteTree(dir);
        }
    }

    /** The spec's environment plus {@link #ENV} when there is scratch storage. */
    public static Map<String, String> env(LaunchSpec spec, String path) {
        Map<String, String> env = new LinkedHashMap<>(spec.env());
        if (spec.scratchBytes() != null) {
            env.put(ENV, path);
        }
        return env;
    }

    /**
     * The environment a sandboxed workload gets: {@link LaunchSpec#DEFAULT_ENV}, then the spec's own, then {@link #ENV}
     * at {@link #PATH} when it has scratch storage.
     */
    public static Map<String, String> workloadEnv(LaunchSpec spec) {
        Map<String, String> env = new LinkedHashMap<>(LaunchSpec.DEFAULT_ENV);
        env.putAll(env(spec, PATH));
        return env;
    }

    /** The spec with {@link #ENV} added to its environment. */
    public static LaunchSpec withEnv(LaunchSpec spec, String path) {
        return spec.withEnv(env(spec, path));
    }

    /** "ext4 (/dev/vda)": the host file system a path lives on. */
    public static String fileSystem(Path p) {
        try {
            FileStore fs = Files.getFileStore(p);
            return fs.type() + " (" + fs.name() + ")";
        } catch (IOException e) {
            return "unknown file system";
        }
    }
}
