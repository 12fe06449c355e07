package io.isobench.runtime.vm;

import io.isobench.host.HostFacts;
import io.isobench.host.KvmProbe;
import io.isobench.proc.Proc;
import io.isobench.proc.ProcResult;
import io.isobench.proc.WorkDir;
import io.isobench.runtime.Availability;
import io.isobench.runtime.LaunchSpec;
import io.isobench.runtime.Leftovers;
import io.isobench.runtime.Limits;
import io.isobench.runtime.ProbeContext;
import io.isobench.runtime.RuntimeDriver;
import io.isobench.runtime.Sandbox;
import io.isobench.runtime.Scratch;
import io.isobench.runtime.Trials;
import io.isobench.runtime.vm.guest.GuestConsole;
import io.isobench.runtime.vm.guest.GuestInitramfs;
import io.isobench.runtime.vm.guest.GuestKernel;
import io.isobench.runtime.vm.guest.GuestSandbox;
import io.isobench.runtime.vm.guest.ScratchDisk;
import io.isobench.runtime.vm.guest.TapNet;
import io.isobench.util.Json;
import io.isobench.util.Tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Firecracker: the guest of {@code qemu-microvm} (same kernel release, initramfs, /init and framed console) booted by
 * Firecracker through its REST API on a Unix socket ({@link FirecrackerApi}): {@code PUT /machine-config} from the
 * plan's limits, {@code PUT /boot-source} (the uncompressed ELF kernel x86_64 Firecracker wants, extracted from
 * Debian's bzImage by {@code guest.Vmlinux}; the initramfs; the kernel command line with isobench's /init parameters),
 * {@code PUT /drives/scratch} for scratch storage, {@code PUT /network-interfaces/eth0} on the tap of an isobench
 * namespace ({@link TapNet}, as QEMU's tap path), then {@code PUT /actions InstanceStart}. Under the jailer when it is
 * installed (chroot under the work dir, its own PID namespace; as uid 0, since the tap and the scratch disk are
 * root's). The phases are the API answering ({@value #API_UP}), InstanceStart accepted ({@value #INSTANCE_START}) and
 * the guest's /init announcing the workload (booted).
 *
 * <p>The guest's serial port (ttyS0) is Firecracker's stdout and carries both the framed workload output and the kernel
 * console (Firecracker has no virtio console; /init lowers the console log level first). Firecracker cannot power off
 * an x86 guest, so /init ends with {@code reboot -f} ({@code isobench.halt=reboot}) and {@code reboot=k} makes that
 * Firecracker's exit. Debian's cloud kernel has no {@code CONFIG_VIRTIO_MMIO_CMDLINE_DEVICES}: it finds Firecracker's
 * virtio-mmio devices only through ACPI, which Firecracker provides on x86_64 since its ACPI support
 * (firecracker-microvm/firecracker#4428); an older Firecracker boots the guest without disk or network devices.
 *
 * <p>Written to Firecracker's published API (its OpenAPI document is the test fixture every request body is validated
 * against) and not yet run on a KVM host: Firecracker needs a usable /dev/kvm and has no TCG fallback.
 */
public final class FirecrackerDriver implements RuntimeDriver {
    static final String BINARY = "firecracker";
    static final String JAILER = "jailer";
    public static final String API_UP = "api_up";
    public static final String INSTANCE_START = "instance_start";
    static final Duration API_TIMEOUT = Duration.ofSeconds(10);
    static final Duration PROBE_TIMEOUT = Duration.ofSeconds(60);
    /** The guest's MAC on the tap: locally administered, fixed (one NIC per namespace). */
    static final String GUEST_MAC = "06:00:0a:d5:00:02";
    private static final SecureRandom RANDOM = new SecureRandom();
    private final KvmProbe kvm;
    private volatile String tapProblem = "not probed";
    private volatile long probeBootMillis = -1;

    public FirecrackerDriver() {
        this(KvmProbe.shared());
    }

    FirecrackerDriver(KvmProbe kvm) {
        this.kvm = kvm;
    }

    @Override
    public String id() {
        return "firecracker";
    }

    @Override
    public String kind() {
        return "vm";
    }

    @Override
    public String description() {
        return "Firecracker microVM through its API socket (needs usable KVM; written to the API, not yet run on a KVM host)";
    }

    /** Not packaged by Debian: nothing for setup to install. */
    @Override
    public boolean installedBySetup() {
        return false;
    }

    @Override
    public Optional<Leftovers> leftovers() {
        return Optional.of(VmLeftovers.INSTANCE);
    }

    @Override
    public Duration launchOverhead() {
        long b = probeBootMillis;
        return b > 0 ? Duration.ofMillis(b + 500) : Duration.ofSeconds(1);
    }

    @Override
    public Availability probe(ProbeContext ctx) {
        String fc = Tools.which(BINARY);
        HostFacts.KvmStatus k = kvm.probe();
        String why = unavailable(fc, k);
        if (why != null) {
            String version = fc == null ? null : Trials.parseVersion(Proc.firstLine(Duration.ofSeconds(10), fc, "--version"));
            return Availability.no(id(), version, why);
        }
        ProcResult v = Proc.of(fc, "--version").timeout(Duration.ofSeconds(20)).run();
        String version = v.ok() ? Trials.parseVersion(v.stdout()) : null;
        if (version == null) {
            return Availability.no(id(), null, BINARY + " --version failed: " + v.failureSummary());
        }
        if (Tools.which("busybox") == null) {
            return Availability.no(id(), version, "busybox not found (the guest's /init needs it; apt-get install busybox-static)");
        }
        GuestKernel kernel;
        try {
            kernel = GuestKernel.obtain(GuestKernel.defaultCache());
            kernel.vmlinux();
        } catch (IOException e) {
            return Availability.no(id(), version, "no guest kernel: " + e.getMessage());
        }
        tapProblem = QemuDriver.tapProblemWithoutQemu();
        Map<String, Object> d = details(kernel, ctx.limits());
        String name = "isobench-probe-fc-" + ProcessHandle.current().pid() + "-" + System.nanoTime() % 100000;
        LaunchSpec spec = LaunchSpec.builder(name, ctx.probeImage(), ctx.limits())
                .argv(List.of(ctx.probeImage().tools().get("true"))).build();
        try (GuestSandbox s = (GuestSandbox) launch(spec)) {
            ProcResult r = s.await(PROBE_TIMEOUT);
            if (!r.ok()) {
                return Availability.no(id(), version, "a trial microVM failed: " + Trials.reason(r), d);
            }
            d.put("probe_boot_ms", s.bootMillis());
            String cs = GuestConsole.clocksource(r.stderr());
            if (cs != null) {
                d.put("guest_clocksource", cs);
            }
            probeBootMillis = s.bootMillis();
        } catch (LaunchException e) {
            return Availability.no(id(), version, "a trial microVM could not start: " + e.getMessage(), d);
        }
        return Availability.ok(id(), version, d);
    }

    /** Why Firecracker cannot run here (binary missing, KVM not usable: both when both), or null. */
    static String unavailable(String binary, HostFacts.KvmStatus kvm) {
        List<String> why = new ArrayList<>();
        if (binary == null) {
            why.add("not installed (" + BINARY + " not found on PATH; Debian does not package it: install a release binary "
                    + "from github.com/firecracker-microvm/firecracker, and its jailer)");
        }
        if (!kvm.usable()) {
            why.add("KVM is " + kvm.summary() + ", and Firecracker has no emulation fallback");
        }
        return why.isEmpty() ? null : String.join("; ", why);
    }

    Map<String, Object> details(GuestKernel kernel, Limits limits) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("accel", "kvm");
        d.put("vmm", Tools.which(JAILER) != null ? "firecracker under jailer (chroot, new PID namespace, uid 0)" : "firecracker");
        d.put("vcpus", QemuDriver.vcpus(limits));
        d.put("memory_bytes", QemuDriver.memoryMib(limits) << 20);
        d.put("guest_kernel", kernel.describe() + ", uncompressed ELF extracted from its bzImage");
        d.put("boot", "direct kernel boot via PUT /boot-source, initramfs from the workload image");
        d.put("kernel_params", String.join(" ", BASE_BOOT_ARGS));
        String tp = tapProblem;
        d.put("network", tp == null
                ? "when a benchmark needs ports: tap device in an isobench network namespace, bridged to a veth pair to the host, "
                        + "Firecracker virtio-net (virtio-mmio)"
                : "none: no tap (" + tp + "); benchmarks that need ports fail");
        d.put("limits", limits.toMap());
        return d;
    }

    static final List<String> BASE_BOOT_ARGS = List.of("console=ttyS0", "reboot=k", "panic=-1", "pci=off", "loglevel=4",
            "isobench.out=ttyS0", "isobench.halt=reboot");

    /** The kernel command line: Firecracker's usual one, isobench's /init parameters, scratch and network parameters. */
    static String bootArgs(String nonce, boolean scratch, List<String> netParams) {
        List<String> a = new ArrayList<>(BASE_BOOT_ARGS);
        a.add("isobench.nonce=" + nonce);
        if (scratch) {
            a.add(ScratchDisk.KERNEL_PARAM);
        }
        a.addAll(netParams);
        return String.join(" ", a);
    }

    /** One API request: method PUT, a path and its JSON body. */
    record Request(String path, String body) {
    }

    /**
     * Not driven yet: the snapshot requests ({@link #vmState}, {@link #snapshotCreate}, {@link #snapshotLoad}) are written
     * to Firecracker's API document and tested against it, but a restore through them has never run (no KVM where
     * isobench is developed), so no checkpointer is offered.
     */
    @Override
    public String restoreUnsupported() {
        return id() + ": the snapshot requests (PATCH /vm, PUT /snapshot/create, PUT /snapshot/load) are written to "
                + "Firecracker's API document, but a restore through them has not run on a KVM host yet, so isobench does "
                + "not offer it";
    }

    /** The snapshot files in a snapshot directory: the microVM state and the guest memory. */
    static final String SNAPSHOT_STATE = "vm.state";
    static final String SNAPSHOT_MEMORY = "vm.mem";

    /**
     * The body of {@code PATCH /vm} that pauses the microVM (Firecracker snapshots only a paused one) or resumes it.
     */
    static String vmState(boolean paused) {
        return Json.MAPPER.writeValueAsString(Map.of("state", paused ? "Paused" : "Resumed"));
    }

    /** {@code PUT /snapshot/create}: a full snapshot of the paused microVM into {@code dir} (paths as Firecracker sees them). */
    static Request snapshotCreate(String dir) {
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("snapshot_type", "Full");
        b.put("snapshot_path", dir + "/" + SNAPSHOT_STATE);
        b.put("mem_file_path", dir + "/" + SNAPSHOT_MEMORY);
        return new Request("/snapshot/create", Json.MAPPER.writeValueAsString(b));
    }

    /**
     * {@code PUT /snapshot/load} into a fresh Firecracker (before any other configuration): the state and the guest memory
     * from {@code dir} (memory mapped from the file), resumed at once; {@code tapDevice} non-null re-attaches eth0 to that
     * tap (the saved one's namespace is reused, so the name is the same, but saying it keeps the restore explicit).
     */
    static Request snapshotLoad(String dir, String tapDevice) {
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("snapshot_path", dir + "/" + SNAPSHOT_STATE);
        Map<String, Object> mem = new LinkedHashMap<>();
        mem.put("backend_type", "File");
        mem.put("backend_path", dir + "/" + SNAPSHOT_MEMORY);
        b.put("mem_backend", mem);
        b.put("resume_vm", true);
        if (tapDevice != null) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("iface_id", "eth0");
            o.put("host_dev_name", tapDevice);
            b.put("network_overrides", List.of(o));
        }
        return new Request("/snapshot/load", Json.MAPPER.writeValueAsString(b));
    }

    /**
     * The requests that configure and start one microVM, in order. Paths are as Firecracker sees them (inside the
     * jailer's chroot when jailed). {@code tapDevice} null: no network interface; {@code disk} null: no drive.
     */
    static List<Request> requests(int vcpus, long memMib, String kernel, String initrd, String bootArgs, String disk,
                                  String tapDevice) {
        List<Request> r = new ArrayList<>();
        Map<String, Object> mc = new LinkedHashMap<>();
        mc.put("vcpu_count", vcpus);
        mc.put("mem_size_mib", memMib);
        mc.put("smt", false);
        r.add(new Request("/machine-config", Json.MAPPER.writeValueAsString(mc)));
        Map<String, Object> bs = new LinkedHashMap<>();
        bs.put("kernel_image_path", kernel);
        bs.put("initrd_path", initrd);
        bs.put("boot_args", bootArgs);
        r.add(new Request("/boot-source", Json.MAPPER.writeValueAsString(bs)));
        if (disk != null) {
            Map<String, Object> dr = new LinkedHashMap<>();
            dr.put("drive_id", "scratch");
            dr.put("path_on_host", disk);
            dr.put("is_root_device", false);
            dr.put("is_read_only", false);
            dr.put("cache_type", "Writeback"); // the guest's flushes reach the host file (Unsafe ignores them)
            r.add(new Request("/drives/scratch", Json.MAPPER.writeValueAsString(dr)));
        }
        if (tapDevice != null) {
            Map<String, Object> ni = new LinkedHashMap<>();
            ni.put("iface_id", "eth0");
            ni.put("host_dev_name", tapDevice);
            ni.put("guest_mac", GUEST_MAC);
            r.add(new Request("/network-interfaces/eth0", Json.MAPPER.writeValueAsString(ni)));
        }
        r.add(new Request("/actions", "{\"action_type\":\"InstanceStart\"}"));
        return r;
    }

    /**
     * The jailer's command line: {@code id} names the chroot {@code <base>/firecracker/<id>/root}, Firecracker runs in it
     * with the API socket at {@code /run/firecracker.socket} (relative to that root), in a new PID namespace.
     */
    static List<String> jailerArgv(String jailer, String firecracker, String id, Path chrootBase, boolean cgroupV2) {
        List<String> a = new ArrayList<>(List.of(jailer, "--id", id, "--exec-file", firecracker, "--uid", "0", "--gid", "0",
                "--chroot-base-dir", chrootBase.toString(), "--new-pid-ns"));
        if (cgroupV2) {
            a.addAll(List.of("--cgroup-version", "2")); // the jailer's default is v1
        }
        a.addAll(List.of("--", "--api-sock", "/run/firecracker.socket", "--log-path", "/firecracker.log", "--level", "Warning"));
        return a;
    }

    /** Where the jailer makes its cgroup ({@code --parent-cgroup} defaults to "firecracker") on a cgroup v2 host. */
    static final Path JAIL_CGROUP_V2 = Path.of("/sys/fs/cgroup/firecracker");

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort: a cgroup with processes left stays
        }
    }

    /** Without the jailer: Firecracker with its API socket and log file in the work dir. */
    static List<String> firecrackerArgv(String firecracker, Path socket, Path log) {
        return List.of(firecracker, "--api-sock", socket.toString(), "--log-path", log.toString(), "--level", "Warning");
    }

    /** A jailer id: alphanumerics and hyphens, at most 64 characters. */
    static String jailId(String name) {
        String s = name.replaceAll("[^A-Za-z0-9-]", "-");
        return s.length() <= 64 ? s : s.substring(0, 47) + "-" + Integer.toHexString(name.hashCode());
    }

    @Override
    public Sandbox launch(LaunchSpec spec) throws LaunchException {
        if (spec.limits().cpuset() != null || spec.limits().mems() != null) {
            throw new LaunchException("pinning is not implemented for Firecracker yet (its vCPU threads are not looked up)");
        }
        String fc = Tools.which(BINARY);
        String why = unavailable(fc, kvm.probe());
        if (why != null) {
            throw new LaunchException("firecracker cannot run here: " + why);
        }
        String tooLarge = GuestInitramfs.tooLarge(spec.image(), QemuDriver.memoryMib(spec.limits()) << 20);
        if (tooLarge != null) {
            throw new LaunchException(tooLarge);
        }
        GuestKernel kernel;
        Path base;
        Path vmlinux;
        try {
            kernel = GuestKernel.obtain(GuestKernel.defaultCache());
            vmlinux = kernel.vmlinux();
            base = GuestInitramfs.baseInitrd(kernel, spec.image());
        } catch (IOException e) {
            throw new LaunchException("cannot prepare the guest: " + e.getMessage(), e);
        }
        if (spec.network() != null && tapProblem != null) {
            throw new LaunchException("no microVM network path: tap unusable (" + tapProblem + ")");
        }
        String jailer = Tools.which(JAILER);
        String nonce = HexFormat.of().formatHex(randomBytes());
        Path dir = WorkDir.get().resolve("firecracker");
        String jid = jailId(spec.name());
        // jailed: every file Firecracker opens lies in its chroot, and the API paths are relative to it
        Path root = jailer == null ? dir.resolve(spec.name()) : dir.resolve("jail").resolve("firecracker").resolve(jid).resolve("root");
        Path initrd = root.resolve("initrd");
        // jailed, the kernel must be inside the chroot (a hard link when the cache shares its file system, else a copy)
        Path kernelFile = jailer == null ? vmlinux : root.resolve("vmlinux");
        Path log = root.resolve("firecracker.log");
        Path socket = jailer == null ? root.resolve("api.socket") : root.resolve("run/firecracker.socket");
        Path diskFile = spec.scratchBytes() == null ? null : root.resolve("scratch.raw");
        TapNet net = null;
        ScratchDisk disk = null;
        try {
            Files.createDirectories(root);
            if (jailer != null) {
                linkOrCopy(vmlinux, kernelFile);
            }
            GuestInitramfs.writeLaunchInitrd(base, initrd, Scratch.withEnv(spec, Scratch.PATH));
            Files.writeString(log, "");
            if (diskFile != null) {
                disk = ScratchDisk.create(diskFile, spec.scratchBytes());
            }
            if (spec.network() != null) {
                net = TapNet.create();
            }
        } catch (IOException | LaunchException e) {
            if (net != null) {
                net.close();
            }
            io.isobench.image.ImageBuilder.deleteTree(root);
            throw e instanceof LaunchException le ? le
                    : new LaunchException("cannot prepare the microVM's files: " + e.getMessage(), e);
        }
        String inJail = jailer == null ? null : "/";
        List<Request> requests = requests(QemuDriver.vcpus(spec.limits()), QemuDriver.memoryMib(spec.limits()),
                path(kernelFile, root, inJail), path(initrd, root, inJail),
                bootArgs(nonce, disk != null, net == null ? List.of() : net.kernelParams()),
                disk == null ? null : path(diskFile, root, inJail), net == null ? null : TapNet.DEVICE);
        List<String> argv = jailer == null ? firecrackerArgv(fc, socket, log)
                : jailerArgv(jailer, fc, jid, dir.resolve("jail"), Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers")));
        argv = spec.wrapped(net == null ? argv : net.wrap(argv));
        Path teardownDir = jailer == null ? root : root.getParent(); // jailed: <base>/firecracker/<id>
        Runnable removeFiles = () -> {
            io.isobench.image.ImageBuilder.deleteTree(teardownDir);
            if (jailer != null) {
                deleteQuietly(JAIL_CGROUP_V2.resolve(jid)); // the jailer's cgroup, empty once Firecracker is gone
            }
        };
        GuestSandbox s;
        try {
            s = new GuestSandbox(spec, argv, "Firecracker", nonce, initrd, log, diskFile, net,
                    QemuDriver.memoryMib(spec.limits()) << 20);
        } catch (LaunchException e) {
            removeFiles.run(); // the sandbox's own teardown already closed the network
            throw e;
        }
        s.logLabel("Firecracker's log").afterTeardown(removeFiles);
        try {
            FirecrackerApi api = new FirecrackerApi(socket, API_TIMEOUT);
            api.awaitUp(API_TIMEOUT, s::vmmAlive);
            s.phase(API_UP, System.nanoTime());
            for (Request r : requests) {
                api.put(r.path(), r.body());
            }
            s.phase(INSTANCE_START, System.nanoTime());
        } catch (IOException e) {
            s.close();
            throw new LaunchException("Firecracker refused the microVM: " + e.getMessage(), e);
        }
        if (disk != null) {
            s.scratchStorage("virtio-blk (Firecracker, virtio-mmio) raw file on host " + disk.hostFileSystem()
                    + ", cache_type=Writeback (host page cache), ext2 in the guest");
        }
        return s;
    }

    /** {@code p} as Firecracker names it: absolute on the host, or from the chroot's root when jailed. */
    static String path(Path p, Path root, String inJail) {
        return inJail == null ? p.toString() : "/" + root.relativize(p);
    }

    private static void linkOrCopy(Path from, Path to) throws IOException {
        try {
            Files.createLink(to, from);
        } catch (IOException | UnsupportedOperationException e) {
            Files.copy(from, to);
        }
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[8];
        RANDOM.nextBytes(b);
        return b;
    }
}
