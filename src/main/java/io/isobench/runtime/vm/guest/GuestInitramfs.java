package io.isobench.runtime.vm.guest;

import io.isobench.image.WorkloadImage;
import io.isobench.proc.Proc;
import io.isobench.runtime.LaunchSpec;
import io.isobench.util.Tools;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The guest's initramfs, for any VMM that boots a Linux kernel directly: two concatenated newc archives. The base
 * (the workload image's rootfs, a static busybox, the virtio modules and {@code /init}, under {@code /.isobench}) is
 * cached per kernel and image hash; a per-launch one holds only {@code /isobench/cmd}, the workload as a shell script.
 */
public final class GuestInitramfs {
    /**
     * Bump when the initramfs layout changes so cached bases are rebuilt; a change of /init needs no bump: the cached
     * base's name carries a hash of its text ({@link #initHash}), so a base never boots an older /init.
     */
    static final String INITRD_LAYOUT = "13";
    /** Modules the guest loads, in order; dependencies are resolved from modules.dep. */
    static final List<String> MODULES = List.of("virtio_mmio", "virtio_pci", "virtio_console", "virtio_blk");
    /** Modules the guest loads only when a network was asked for (with their dependencies not in {@link #MODULES}). */
    static final List<String> NET_MODULES = List.of("virtio_net");

    private GuestInitramfs() {
    }

    /**
     * Guest memory needed per byte of workload image: the guest holds the initramfs and its unpacked tree at once, and
     * the kernel reserves room for both early. Measured: a 735 MB image (ml's PyTorch) leaves 212 MB free in a 2 GiB
     * microvm guest, which then panics while unpacking; under TCG a 4 GiB guest still unpacked it for over 5 minutes.
     */
    static final int MEMORY_PER_IMAGE_BYTE = 3;

    /**
     * Why {@code image} cannot boot as the initramfs of a guest with {@code guestMemoryBytes}, or null when it can.
     * Checked before the (image-sized) initramfs is built, by VMMs that carry the whole image in the initramfs.
     */
    public static String tooLarge(WorkloadImage image, long guestMemoryBytes) {
        return tooLarge(image.bytes(), "the workload image", guestMemoryBytes,
                "; a read-only disk of its large trees is attached by the QEMU runtimes only");
    }

    /**
     * Why an initramfs of {@code initramfsBytes} ({@code what}) cannot boot in a guest with {@code guestMemoryBytes},
     * or null when it can; {@code note} ends the reason.
     */
    public static String tooLarge(long initramfsBytes, String what, long guestMemoryBytes, String note) {
        if (initramfsBytes * MEMORY_PER_IMAGE_BYTE <= guestMemoryBytes) {
            return null;
        }
        return String.format(java.util.Locale.ROOT, "%s (%d MiB) is too large to boot as this guest's "
                + "initramfs: it needs at least %d MiB of guest memory (--memory; %d MiB given), and unpacking it takes "
                + "minutes under TCG%s",
                what, initramfsBytes >> 20, (initramfsBytes * MEMORY_PER_IMAGE_BYTE >> 20) + 1, guestMemoryBytes >> 20, note);
    }

    /** The cached base initramfs for this kernel and image: the image's rootfs, busybox, modules and /init. */
    public static Path baseInitrd(GuestKernel kernel, WorkloadImage image) throws IOException {
        return baseInitrd(kernel, image, false);
    }

    /** Where cached guest artifacts (initramfs bases, image disks) live, beside the kernel. */
    public static Path cacheDir(GuestKernel kernel) {
        return kernel.dir().getParent();
    }

    /**
     * The cached base initramfs; {@code diskTrees}: the image's big trees ({@link ImageDisk#trees}) are left out (their
     * directories kept empty, listed in {@code /.isobench/ro.trees}) for /init to bind-mount from the
     * {@link ImageDisk} the VMM attaches.
     */
    public static Path baseInitrd(GuestKernel kernel, WorkloadImage image, boolean diskTrees) throws IOException {
        Path dir = cacheDir(kernel).resolve("initrd");
        Path target = dir.resolve(kernel.release() + "-" + image.hash().substring(0, 16) + "-l" + INITRD_LAYOUT
                + "-i" + initHash() + (diskTrees ? "-ro" + ImageDisk.LAYOUT : "") + ".cpio");
        holdCache(dir);
        if (Files.isRegularFile(target)) {
            io.isobench.util.CacheDir.touch(target); // its last use, for 'isobench cache prune'
            return target;
        }
        String busybox = Tools.which("busybox");
        if (busybox == null) {
            throw new IOException("busybox not found (apt-get install busybox-static)");
        }
        if (Proc.of("ldd", busybox).timeout(Duration.ofSeconds(20)).run().ok()) {
            throw new IOException(busybox + " is dynamically linked; the guest needs a static one (apt-get install busybox-static)");
        }
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".build-", ".cpio");
        try {
            try (Cpio c = new Cpio(new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16))) {
                java.util.Set<String> trees = diskTrees ? ImageDisk.trees(image.rootfs()) : java.util.Set.of();
                c.tree(image.rootfs(), "", trees);
                if (!Files.isDirectory(image.rootfs().resolve("dev"))) {
                    c.dir("dev", 0755);
                }
                c.charDevice("dev/console", 0600, 5, 1);
                c.dir(".isobench", 0755);
                c.file(".isobench/busybox", 0755, Path.of(busybox));
                c.dir(".isobench/modules", 0755);
                StringBuilder order = new StringBuilder();
                for (String rel : kernel.loadOrder(MODULES)) {
                    String name = rel.substring(rel.lastIndexOf('/') + 1);
                    c.file(".isobench/modules/" + name, 0644, kernel.modulesDir().resolve(rel));
                    order.append(name).append('\n');
                }
                c.file(".isobench/modules.order", 0644, order.toString().getBytes(StandardCharsets.UTF_8));
                List<String> base = kernel.loadOrder(MODULES);
                List<String> all = new ArrayList<>(MODULES);
                all.addAll(NET_MODULES);
                StringBuilder netOrder = new StringBuilder();
                for (String rel : kernel.loadOrder(all)) {
                    if (!base.contains(rel)) {
                        String name = rel.substring(rel.lastIndexOf('/') + 1);
                        c.file(".isobench/modules/" + name, 0644, kernel.modulesDir().resolve(rel));
                        netOrder.append(name).append('\n');
                    }
                }
                c.file(".isobench/modules.net", 0644, netOrder.toString().getBytes(StandardCharsets.UTF_8));
                if (diskTrees) {
                    c.file(".isobench/ro.trees", 0644, trees.stream().map(t -> t + "\n")
                            .collect(java.util.stream.Collectors.joining()).getBytes(StandardCharsets.UTF_8));
                }
                c.file("init", 0755, initScript().getBytes(StandardCharsets.UTF_8));
            }
            publish(tmp, target);
        } finally {
            deleteQuietly(tmp);
        }
        return target;
    }

    /**
     * The launch initrd's size is a multiple of this: QEMU's microvm machine loads the initrd to end in the last page of
     * low RAM (it reserves no room for ACPI data, unlike pc/q35), where its ACPI tables are (e.g. DSDT at 0x7ffffc80,
     * FACP at 0x7ffffe58 with 2 GiB). An initrd ending at 0x7ffff000 + (size mod 4096) overwrote them: past 3200 the
     * DSDT (the guest then has no virtio-mmio devices: no hvc0, no disks, /init waits), past 3672 the FACP too (the
     * kernel hangs after "ACPI: Core revision"); either way no console output. A whole number of pages ends it on the
     * last page's boundary, clear of the tables, whatever the image and the command.
     */
    static final int PAGE = 4096;

    /**
     * base + an uncompressed newc archive with /isobench/cmd (the base ends 4-byte aligned, so plain concatenation
     * works), then NULs (which the kernel skips between archives) up to a whole number of {@link #PAGE}s.
     */
    public static void writeLaunchInitrd(Path base, Path out, LaunchSpec spec) throws IOException {
        Files.copy(base, out, StandardCopyOption.REPLACE_EXISTING);
        try (Cpio c = new Cpio(new BufferedOutputStream(Files.newOutputStream(out, StandardOpenOption.APPEND)))) {
            c.dir("isobench", 0755);
            c.file("isobench/cmd", 0755, commandScript(spec).getBytes(StandardCharsets.UTF_8));
        }
        long tail = Files.size(out) % PAGE;
        if (tail != 0) {
            Files.write(out, new byte[(int) (PAGE - tail)], StandardOpenOption.APPEND);
        }
    }

    /** The workload as a shell script: environment, then exec of the argv, every word single-quoted. */
    public static String commandScript(LaunchSpec spec) {
        Map<String, String> env = new TreeMap<>(LaunchSpec.DEFAULT_ENV);
        env.putAll(spec.env());
        StringBuilder sb = new StringBuilder("#!/.isobench/busybox sh\n");
        for (var e : env.entrySet()) {
            if (!e.getKey().matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw new IllegalArgumentException("invalid environment variable name: " + e.getKey());
            }
            sb.append("export ").append(e.getKey()).append('=').append(quote(e.getValue())).append('\n');
        }
        sb.append("cd /\nexec");
        for (String a : spec.argv()) {
            sb.append(' ').append(quote(a));
        }
        return sb.append('\n').toString();
    }

    static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /** The first 8 hex digits of the SHA-256 of {@link #initScript()}: part of a cached base's name. */
    static String initHash() {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(initScript().getBytes(StandardCharsets.UTF_8))).substring(0, 8);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The guest's /init (resource {@code guest/init}): mounts, loads the virtio modules, configures eth0 and the scratch
     * disk from the kernel command line, waits for the output console, then frames the workload between the markers.
     * Kernel messages go to the kernel console only (never to the output port). {@code poweroff -f} makes the VMM exit.
     */
    public static String initScript() {
        try (InputStream in = GuestInitramfs.class.getResourceAsStream("/guest/init")) {
            if (in == null) {
                throw new IllegalStateException("resource /guest/init is missing from the build");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }


    /** The shared lock of the cache that holds {@code guest/KIND} (initrd, disk), so a prune waits for this process. */
    static void holdCache(Path kindDir) {
        io.isobench.util.CacheDir.holdAbove(kindDir, 2);
    }

    /**
     * Renames a finished cache entry {@code tmp} to {@code target} atomically; a target another process built meanwhile
     * (same content, same name) is kept.
     */
    static void publish(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException e) {
            // built concurrently; identical content
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("cannot rename in " + target.getParent(), e);
        }
    }

    static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort
        }
    }
}
