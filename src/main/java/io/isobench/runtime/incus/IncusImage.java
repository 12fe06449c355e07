package io.isobench.runtime.incus;

import io.isobench.image.ImageBuilder;
import io.isobench.image.WorkloadImage;
import io.isobench.proc.Proc;
import io.isobench.proc.ProcResult;
import io.isobench.proc.WorkDir;
import io.isobench.runtime.RuntimeDriver.LaunchException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The workload image as an Incus image, without an image server: a split image (a metadata tarball with
 * {@code metadata.yaml}, and the image dir as the rootfs tarball) imported with {@code incus image import} and aliased
 * {@code isobench-<image hash>}. Imported once per hash and kept (a cache, named as isobench's); reused when present.
 */
final class IncusImage {
    static final Duration IMPORT_TIMEOUT = Duration.ofMinutes(10);
    private static final Map<String, Object> LOCKS = new ConcurrentHashMap<>();

    private IncusImage() {
    }

    static String alias(WorkloadImage image) {
        return Incus.IMAGE_ALIAS_PREFIX + image.hash();
    }

    /** The metadata.yaml of an image of {@code hash} built for {@code arch} at {@code created} (epoch seconds). */
    static String metadata(String hash, String arch, long created) {
        return "architecture: " + arch + "\n"
                + "creation_date: " + created + "\n"
                + "properties:\n"
                + "  description: isobench workload image " + hash + "\n"
                + "  os: isobench\n"
                + "  release: " + hash + "\n";
    }

    /** The Incus architecture name of this JVM's architecture. */
    static String arch() {
        String a = System.getProperty("os.arch");
        return switch (a) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> a;
        };
    }

    /** Imports the image unless an image with its alias exists; returns the alias. */
    static String ensure(WorkloadImage image) throws LaunchException {
        String alias = alias(image);
        synchronized (LOCKS.computeIfAbsent(alias, k -> new Object())) {
            if (Incus.call("image", "info", alias).ok()) {
                return alias;
            }
            Path dir = WorkDir.scratch().resolve("incus-image-" + image.shortHash());
            try {
                Files.createDirectories(dir);
                Files.writeString(dir.resolve("metadata.yaml"), metadata(image.hash(), arch(), Instant.now().getEpochSecond()));
                Path meta = dir.resolve("meta.tar");
                Path rootfs = dir.resolve("rootfs.tar");
                tar(Proc.of("tar", "-C", dir.toString(), "-cf", meta.toString(), "metadata.yaml").timeout(IMPORT_TIMEOUT).run());
                tar(Proc.of("tar", "-C", image.rootfs().toString(), "--numeric-owner", "-cf", rootfs.toString(), ".")
                        .timeout(IMPORT_TIMEOUT).run());
                ProcResult r = Incus.call(IMPORT_TIMEOUT, "image", "import", meta.toString(), rootfs.toString(), "--alias", alias);
                if (!r.ok()) {
                    throw new LaunchException("incus image import failed: " + r.failureSummary());
                }
                return alias;
            } catch (IOException e) {
                throw new LaunchException("cannot build the Incus image: " + e.getMessage(), e);
            } finally {
                ImageBuilder.deleteTree(dir);
            }
        }
    }

    private static void tar(ProcResult r) throws LaunchException {
        if (!r.ok()) {
            throw new LaunchException("tar for the Incus image failed: " + r.failureSummary());
        }
    }
}
