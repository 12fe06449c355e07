package io.isobench.runtime.containerd;

import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import io.isobench.image.ImageBuilder;
import io.isobench.image.WorkloadImage;
import io.isobench.proc.Proc;
import io.isobench.proc.ProcResult;
import io.isobench.proc.WorkDir;
import io.isobench.runtime.RuntimeDriver.LaunchException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The workload image in containerd's content store, as containerd users run images: a docker-archive tar
 * ({@code manifest.json}, a config whose {@code rootfs.diff_ids} names the layer, one uncompressed layer tar of the
 * image dir with numeric owners) imported with {@code ctr images import --index-name isobench/workload:<hash>} and
 * unpacked by the {@link #SNAPSHOTTER} snapshotter. Imported once per image hash and daemon (skipped when
 * {@code ctr images ls -q} has it), under a lock; the archive is built in the scratch dir and deleted after the import.
 * Each import or reuse labels the image {@code io.isobench.pid=<this process>}; an import removes the other
 * {@code isobench/workload:*} images of isobench's namespace whose labelled process is gone, so a persistent containerd
 * keeps one image per hash some live isobench uses (plus the one just imported), never a pile.
 */
final class ContainerdImage {
    static final String REPO = "isobench/workload";
    static final String SNAPSHOTTER = "overlayfs";
    static final Duration IMPORT_TIMEOUT = Duration.ofMinutes(10);
    private static final Map<String, Object> LOCKS = new ConcurrentHashMap<>();
    private static final ObjectMapper JSON = new ObjectMapper();

    private ContainerdImage() {
    }

    /** The image's name in containerd: {@code isobench/workload:<full image hash>}. */
    static String ref(WorkloadImage image) {
        return REPO + ":" + image.hash();
    }

    /** What the archive holds: the file names inside it and the sha256 digests ({@code sha256:<hex>}). */
    record Archive(Path file, String layerDigest, String configDigest) {
    }

    /**
     * Writes {@code out}, a docker-archive tar of {@code rootfs} (built in {@code work}, which is emptied of the parts):
     * the layer with {@code tar --numeric-owner}, its sha256 as the config's diff_id, the config's sha256 naming it.
     */
    static Archive writeArchive(Path rootfs, Path work, Path out, String arch) throws IOException, LaunchException {
        Files.createDirectories(work);
        Path layer = work.resolve("layer.tar");
        tar(Proc.of("tar", "-C", rootfs.toString(), "--numeric-owner", "-cf", layer.toString(), ".")
                .timeout(IMPORT_TIMEOUT).run());
        String layerHex = sha256(layer);
        String layerName = layerHex + "/layer.tar";
        Files.createDirectories(work.resolve(layerHex));
        Files.move(layer, work.resolve(layerName));
        byte[] config = config(arch, "sha256:" + layerHex);
        String configHex = sha256(config);
        String configName = configHex + ".json";
        Files.write(work.resolve(configName), config);
        Files.write(work.resolve("manifest.json"), manifest(configName, layerName));
        tar(Proc.of("tar", "-C", work.toString(), "--numeric-owner", "-cf", out.toString(),
                layerName, configName, "manifest.json").timeout(IMPORT_TIMEOUT).run());
        return new Archive(out, "sha256:" + layerHex, "sha256:" + configHex);
    }

    /** The image config: platform, the default PATH (as ctr's default spec has), one layer. */
    static byte[] config(String arch, String diffId) throws IOException {
        ObjectNode c = JSON.createObjectNode();
        c.put("architecture", arch);
        c.put("os", "linux");
        c.putObject("config").putArray("Env").add("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        ObjectNode rootfs = c.putObject("rootfs");
        rootfs.put("type", "layers");
        rootfs.putArray("diff_ids").add(diffId);
        return JSON.writeValueAsBytes(c);
    }

    /** {@code manifest.json} of a docker archive with one image, no tag (ctr's --index-name names it). */
    static byte[] manifest(String configName, String layerName) throws IOException {
        ArrayNode m = JSON.createArrayNode();
        ObjectNode e = m.addObject();
        e.put("Config", configName);
        e.putArray("RepoTags");
        e.putArray("Layers").add(layerName);
        return JSON.writeValueAsBytes(m);
    }

    /** The Go (OCI) architecture name of this JVM's architecture. */
    static String arch() {
        String a = System.getProperty("os.arch");
        return switch (a) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            default -> a;
        };
    }

    /**
     * Makes {@code image} present at {@code daemon}: imported unless {@code ctr images ls -q} lists it (asked once per
     * daemon and ref in this process), labelled with this process; returns its ref.
     */
    static String ensure(Containerd daemon, WorkloadImage image) throws LaunchException {
        String ref = ref(image);
        synchronized (LOCKS.computeIfAbsent(daemon.address + " " + ref, k -> new Object())) {
            if (daemon.images.contains(ref)) {
                return ref;
            }
            ProcResult ls = Proc.of(daemon.ctr("images", "ls", "-q")).timeout(Containerd.CALL_TIMEOUT).run();
            if (!ls.ok()) {
                throw new LaunchException("ctr images ls failed: " + ls.failureSummary());
            }
            List<String> present = ls.stdout().lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
            if (!present.contains(ref)) {
                importArchive(daemon, image, ref);
                for (String old : stale(present, ref)) {
                    long pid = labelPid(daemon, old);
                    if (pid <= 0 || !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                        // content and the unpacked snapshot go with the image (containerd's garbage collection)
                        Proc.of(daemon.ctr("images", "rm", "--sync", old)).timeout(Containerd.CALL_TIMEOUT).run();
                        daemon.images.remove(old);
                    }
                }
            }
            ProcResult label = Proc.of(daemon.ctr("images", "label", ref,
                    Containerd.PID_LABEL + "=" + ProcessHandle.current().pid())).timeout(Containerd.CALL_TIMEOUT).run();
            if (!label.ok()) {
                throw new LaunchException("ctr images label " + ref + " failed: " + label.failureSummary());
            }
            daemon.images.add(ref);
            return ref;
        }
    }

    /** Images isobench imported ({@code isobench/workload:*}) other than {@code keep}, from {@code ctr images ls -q}. */
    static List<String> stale(List<String> present, String keep) {
        List<String> l = new ArrayList<>();
        for (String r : present) {
            if (r.startsWith(REPO + ":") && !r.equals(keep)) {
                l.add(r);
            }
        }
        return l;
    }

    private static long labelPid(Containerd daemon, String ref) {
        ProcResult ls = Proc.of(daemon.ctr("images", "ls", "name==" + ref)).timeout(Containerd.CALL_TIMEOUT).run();
        if (!ls.ok()) {
            return -1;
        }
        var m = java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(Containerd.PID_LABEL) + "=(\\d+)")
                .matcher(ls.stdout());
        return m.find() ? io.isobench.util.Pid.parse(m.group(1)) : -1;
    }

    private static void importArchive(Containerd daemon, WorkloadImage image, String ref) throws LaunchException {
        Path dir = WorkDir.scratch().resolve("containerd-image-" + image.shortHash());
        try {
            Archive a = writeArchive(image.rootfs(), dir.resolve("parts"), dir.resolve("image.tar"), arch());
            ProcResult r = Proc.of(daemon.ctr("images", "import", "--snapshotter", SNAPSHOTTER, "--index-name", ref,
                    a.file().toString())).timeout(IMPORT_TIMEOUT).run();
            if (!r.ok()) {
                throw new LaunchException("ctr images import failed: " + r.failureSummary());
            }
        } catch (IOException e) {
            throw new LaunchException("cannot build the containerd image archive: " + e.getMessage(), e);
        } finally {
            ImageBuilder.deleteTree(dir);
        }
    }

    static String sha256(Path file) throws IOException {
        MessageDigest md = digest();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(digest().digest(bytes));
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void tar(ProcResult r) throws LaunchException {
        if (!r.ok()) {
            throw new LaunchException("tar for the containerd image failed: " + r.failureSummary());
        }
    }
}
