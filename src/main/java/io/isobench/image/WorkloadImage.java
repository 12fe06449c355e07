package io.isobench.image;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A root file system assembled from the host's own tool binaries, their shared-library closure and busybox,
 * identified by the hash of its content. Every runtime runs the same image, so a difference in results
 * is the runtime's, not the binaries'.
 *
 * @param hash   sha256 of the manifest (every path, mode and file content); the cache key
 * @param rootfs directory holding the tree (read-only by convention: sandboxes mount it read-only)
 * @param tools  tool name to its absolute path inside the image (the same path as on the host)
 * @param files  number of regular files
 * @param bytes  their total size
 * @param missingTools   tools that could not be included
 * @param missingReasons why, for those with a more precise reason than "not installed" (built tools)
 * @param dataFiles      files isobench wrote (see {@code Benchmark.imageFiles()}): name to absolute path, the same
 *                       on the host and in the image
 */
public record WorkloadImage(String hash, Path rootfs, Map<String, String> tools, int files, long bytes,
                            List<String> missingTools, Map<String, String> missingReasons,
                            Map<String, String> dataFiles) {
    public String shortHash() {
        return hash.substring(0, 12);
    }
}
