package io.isobench.runtime.vm.guest;

import io.isobench.image.ImageBuilder;
import io.isobench.proc.Proc;
import io.isobench.proc.ProcResult;
import io.isobench.util.Tools;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The guest kernel for the QEMU runtimes: Debian's linux-image-cloud-amd64 (virtio as plain .ko modules,
 * no firmware needed). Fetched once with {@code apt-get download} of the metapackage's dependency (the ABI
 * number in the package name changes, so it is read from the metapackage's Depends), unpacked with
 * {@code dpkg -x}, and {@code busybox depmod} run over it (the .deb ships no modules.dep), under
 * {@code <cache>/<kernel release>/} via an atomic rename. Once cached it is reused as is, so every run
 * measures the same kernel; delete the cache directory to pick up a newer one.
 *
 * @param release     kernel release, e.g. "6.1.0-56-cloud-amd64"
 * @param pkgVersion  Debian package version, e.g. "6.1.192-2"
 * @param dir         the cache directory holding boot/ and lib/modules/
 */
public record GuestKernel(String release, String pkgVersion, Path dir) {
    static final String META_PACKAGE = "linux-image-cloud-amd64";
    private static final Duration APT_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(60);
    private static final Object LOCK = new Object();

    public Path vmlinuz() {
        return dir.resolve("boot").resolve("vmlinuz-" + release);
    }

    /**
     * The uncompressed ELF kernel (Firecracker on x86_64 boots only that), extracted from {@link #vmlinuz()} once and
     * cached beside it as {@code boot/vmlinux-<release>}.
     */
    public Path vmlinux() throws IOException {
        synchronized (LOCK) {
            return Vmlinux.extractCached(vmlinuz(), dir.resolve("boot").resolve("vmlinux-" + release));
        }
    }

    public Path modulesDir() {
        return dir.resolve("lib/modules").resolve(release);
    }

    /** "6.1.0-56-cloud-amd64 (linux-image-6.1.0-56-cloud-amd64 6.1.192-2)". */
    public String describe() {
        return release + " (linux-image-" + release + " " + pkgVersion + ")";
    }

    /** The default cache: $XDG_CACHE_HOME or ~/.cache, then isobench/guest. */
    public static Path defaultCache() {
        return io.isobench.util.CacheDir.root().resolve("guest");
    }

    /** A usable kernel: the cached one, else fetched. Throws with a reason a user can act on. */
    public static GuestKernel obtain(Path cache) throws IOException {
        synchronized (LOCK) {
            Optional<GuestKernel> cached = cached(cache);
            if (cached.isPresent()) {
                return cached.get();
            }
            return fetch(cache);
        }
    }

    /** The newest complete kernel in the cache (one with a {@code COMPLETE} file), if any. */
    static Optional<GuestKernel> cached(Path cache) throws IOException {
        if (!Files.isDirectory(cache)) {
            return Optional.empty();
        }
        try (var s = Files.list(cache)) {
            return s.filter(d -> Files.isRegularFile(d.resolve("COMPLETE")))
                    .sorted(Comparator.comparing((Path d) -> d.getFileName().toString()).reversed())
                    .map(d -> {
                        try {
                            return new GuestKernel(d.getFileName().toString(), Files.readString(d.resolve("COMPLETE")).strip(), d);
                        } catch (IOException e) {
                            return null;
                        }
                    })
                    .filter(k -> k != null && Files.isRegularFile(k.vmlinuz()))
                    .findFirst();
        }
    }

    private static GuestKernel fetch(Path cache) throws IOException {
        for (String tool : List.of("apt-get", "dpkg-deb", "dpkg", "busybox")) {
            if (Tools.which(tool) == null) {
                throw new IOException(tool + " not found (the guest kernel is fetched with apt-get download; "
                        + (tool.equals("busybox") ? "apt-get install busybox-static" : "a Debian/Ubuntu host is needed") + ")");
            }
        }
        Files.createDirectories(cache);
        Path tmp = Files.createTempDirectory(cache, ".fetch-");
        try {
            Path meta = download(META_PACKAGE, tmp);
            String depends = field(meta, "Depends");
            String pkg = parseDepends(depends)
                    .orElseThrow(() -> new IOException(META_PACKAGE + " has no linux-image dependency: " + depends));
            Path deb = download(pkg, tmp);
            String version = field(deb, "Version");
            Path root = tmp.resolve("root");
            run(Proc.of("dpkg", "-x", deb.toString(), root.toString()).timeout(APT_TIMEOUT), "dpkg -x " + deb.getFileName());
            String release = pkg.substring("linux-image-".length());
            if (!Files.isRegularFile(root.resolve("boot/vmlinuz-" + release))) {
                throw new IOException(deb.getFileName() + " has no boot/vmlinuz-" + release);
            }
            // the .deb ships no modules.dep (depmod runs in postinst); busybox's depmod writes one
            run(Proc.of(Tools.which("busybox"), "depmod", "-b", root.toString(), release).timeout(TOOL_TIMEOUT),
                    "busybox depmod");
            Files.writeString(root.resolve("COMPLETE"), version + "\n");
            Path target = cache.resolve(release);
            try {
                Files.move(root, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
                // another process cached the same kernel first
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cache dir does not support atomic rename: " + cache, e);
            }
            return new GuestKernel(release, version, target);
        } finally {
            ImageBuilder.deleteTree(tmp);
        }
    }

    private static Path download(String pkg, Path dir) throws IOException {
        ProcResult r = Proc.of("apt-get", "download", pkg).dir(dir).timeout(APT_TIMEOUT).run();
        if (!r.ok()) {
            throw new IOException("apt-get download " + pkg + " failed (" + r.failureSummary()
                    + "); run apt-get update, check the network, or put a kernel into " + dir.getParent());
        }
        try (var s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith(pkg + "_") && p.toString().endsWith(".deb"))
                    .findFirst().orElseThrow(() -> new IOException("apt-get download " + pkg + " left no .deb"));
        }
    }

    private static String field(Path deb, String name) throws IOException {
        ProcResult r = Proc.of("dpkg-deb", "-f", deb.toString(), name).timeout(TOOL_TIMEOUT).run();
        if (!r.ok() || r.stdout().isBlank()) {
            throw new IOException("dpkg-deb -f " + deb.getFileName() + " " + name + " failed: " + r.failureSummary());
        }
        return r.stdout().strip();
    }

    private static void run(Proc p, String what) throws IOException {
        ProcResult r = p.run();
        if (!r.ok()) {
            throw new IOException(what + " failed: " + r.failureSummary());
        }
    }

    /** "linux-image-6.1.0-56-cloud-amd64 (= 6.1.192-2)" -> "linux-image-6.1.0-56-cloud-amd64". */
    static Optional<String> parseDepends(String depends) {
        for (String alt : depends.split("[,|]")) {
            String name = alt.strip().split("[\\s(]", 2)[0];
            if (name.startsWith("linux-image-") && !name.equals(META_PACKAGE)) {
                return Optional.of(name);
            }
        }
        return Optional.empty();
    }

    /**
     * Module files (relative to {@link #modulesDir()}) to load for {@code names}, dependencies first,
     * from modules.dep. Names use '_' or '-' interchangeably, as modprobe does.
     */
    public List<String> loadOrder(List<String> names) throws IOException {
        Map<String, List<String>> deps = parseModulesDep(Files.readString(modulesDir().resolve("modules.dep")));
        Map<String, String> byName = new LinkedHashMap<>();
        for (String f : deps.keySet()) {
            byName.put(moduleName(f), f);
        }
        Set<String> order = new LinkedHashSet<>();
        for (String n : names) {
            String f = byName.get(n.replace('-', '_'));
            if (f == null) {
                throw new IOException("kernel " + release + " has no module " + n);
            }
            visit(f, deps, order, new LinkedHashSet<>());
        }
        return new ArrayList<>(order);
    }

    private static void visit(String f, Map<String, List<String>> deps, Set<String> order, Set<String> path) throws IOException {
        if (order.contains(f)) {
            return;
        }
        if (!path.add(f)) {
            throw new IOException("module dependency cycle at " + f);
        }
        for (String d : deps.getOrDefault(f, List.of())) {
            visit(d, deps, order, path);
        }
        order.add(f);
    }

    static Map<String, List<String>> parseModulesDep(String text) {
        Map<String, List<String>> m = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int c = line.indexOf(':');
            if (c <= 0) {
                continue;
            }
            String rest = line.substring(c + 1).strip();
            m.put(line.substring(0, c).strip(), rest.isEmpty() ? List.of() : List.of(rest.split("\\s+")));
        }
        return m;
    }

    /** "kernel/drivers/char/hw_random/virtio-rng.ko" -> "virtio_rng". */
    static String moduleName(String file) {
        String base = file.substring(file.lastIndexOf('/') + 1);
        int dot = base.indexOf(".ko");
        return (dot > 0 ? base.substring(0, dot) : base).replace('-', '_');
    }
}
