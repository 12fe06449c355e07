package io.isobench.runtime.vm;

import io.isobench.host.KvmProbe;
import io.isobench.proc.Proc;
import io.isobench.proc.ProcResult;
import io.isobench.runtime.AptPackage;
import io.isobench.runtime.Availability;
import io.isobench.runtime.LaunchSpec;
import io.isobench.runtime.Leftovers;
import io.isobench.runtime.Limits;
import io.isobench.runtime.NetNs;
import io.isobench.runtime.ProbeContext;
import io.isobench.runtime.RuntimeDriver;
import io.isobench.runtime.Sandbox;
import io.isobench.runtime.Scratch;
import io.isobench.runtime.Trials;
import io.isobench.runtime.vm.guest.GuestConsole;
import io.isobench.runtime.vm.guest.GuestInitramfs;
import io.isobench.runtime.vm.guest.GuestKernel;
import io.isobench.runtime.vm.guest.GuestSandbox;
import io.isobench.runtime.vm.guest.ImageDisk;
import io.isobench.runtime.vm.guest.ScratchDisk;
import io.isobench.util.Tools;
import io.isobench.proc.WorkDir;

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

/**
 * Base for the QEMU runtimes: a full VM per trial that boots Debian's cloud kernel directly ({@code -kernel})
 * with an initramfs made of the very workload image the containers use, plus the virtio modules, a static
 * busybox and a small /init (under {@code /.isobench}). The workload's stdout goes to the serial port (ttyS0),
 * which is QEMU's stdout, framed by BEGIN/EXIT markers with a per-launch nonce ({@link GuestConsole}); the
 * kernel's console is a virtio console (hvc0) written to a log file, so kernel messages never reach ttyS0
 * (firmware output before BEGIN is ignored). The workload's stderr is written to that log after EXIT. Output on
 * hvc0 itself proved unreliable: a write right after the port appears is lost now and then, and on a fast
 * boot that was the BEGIN marker. The exit status comes from the EXIT marker: QEMU itself exits 0 on
 * poweroff and on SIGTERM alike.
 *
 * <p>The initramfs is two concatenated newc archives: the base (image + modules + init), cached per kernel and
 * image hash, and a per-launch one holding only {@code /isobench/cmd}. Guest boot time (launch to BEGIN)
 * is not workload time: {@link ProcResult#elapsed()} is BEGIN to EXIT, the boot time is reported on stderr.
 * KVM is used only when {@link KvmProbe} finds it usable; otherwise TCG. A launch with ports
 * ({@link LaunchSpec#network()}) gets a virtio-net NIC on a tap device in an isobench namespace ({@link QemuTapNet})
 * when probe() found that to work, else on user-mode networking ({@link QemuUserNet}, host forwards added at
 * BEGIN); /init configures eth0 before BEGIN.
 */
public abstract class QemuDriver implements RuntimeDriver {
    static final String QEMU = "qemu-system-x86_64";
    static final Duration PROBE_TIMEOUT = Duration.ofSeconds(120);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** QEMU machine type ("q35", "microvm"). */
    protected abstract String machine();

    /** The virtio-serial bus device for this machine ("virtio-serial-pci", "virtio-serial-device"). */
    protected abstract String virtioSerialDevice();

    /** Machine-specific kernel parameters. */
    protected List<String> extraKernelParams() {
        return List.of();
    }

    /** The virtio-blk device for this machine ("virtio-blk-pci", "virtio-blk-device"); used for scratch disks. */
    protected abstract String virtioBlkDevice();

    /** The virtio-net device for this machine ("virtio-net-pci", "virtio-net-device"); used when a network is asked for. */
    protected abstract String virtioNetDevice();


    @Override
    public String kind() {
        return "vm";
    }

    private volatile long probeBootMillis = -1;
    /**
     * How long a boot may show no console output before it counts as stalled: {@value #STALL_FACTOR} times the probe
     * VM's measured boot (slower under load than the probe, but not that much slower), at least
     * {@value #STALL_MIN_SECONDS} s; before the probe has measured one, by accel (TCG 120 s, KVM 30 s).
     */
    static Duration stallBound(long probeBootMillis, String accel) {
        if (probeBootMillis <= 0) {
            return Duration.ofSeconds(accel.equals("kvm") ? 30 : 120);
        }
        return Duration.ofMillis(Math.max(STALL_MIN_SECONDS * 1000L, STALL_FACTOR * probeBootMillis));
    }

    static final int STALL_FACTOR = 4;
    static final int STALL_MIN_SECONDS = 30;

    /** Whether this QEMU has user-mode networking (slirp; Debian's has), from {@code -netdev help} in probe(). */
    private volatile boolean userNet = true;
    /** Why the tap path cannot be used here (tried in probe()), or null when it can. */
    private volatile String tapProblem = "not probed";

    /** The probe VM's boot time plus 1 s (QEMU start, poweroff), else a guess: 5 s under TCG, 1 s under KVM. */
    @Override
    public Duration launchOverhead() {
        long b = probeBootMillis;
        return b > 0 ? Duration.ofMillis(b + 1000) : Duration.ofSeconds(accel().equals("kvm") ? 1 : 5);
    }

    /**
     * How many times longer a busy loop ({@link #CALIBRATION}) took in the probe's guest than on the host, or NaN
     * before the probe: under TCG the guest's CPU is emulated, tens of times slower.
     */
    private volatile double probeSlowdown = Double.NaN;
    /** Before the probe has measured it: a TCG guest's slowdown is a guess on the slow side. */
    static final double TCG_SLOWDOWN_GUESS = 20;
    /**
     * The probe's calibration: a busybox shell loop (integer work in an interpreter) framed by two lines, timed on the
     * host (the guest's lines are stamped by the host when read from the console).
     */
    static final String CALIBRATION = "echo isobench-calibration-begin; i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done; "
            + "echo isobench-calibration-end";

    /**
     * The probe's guest-to-host ratio for a busy loop under TCG (25x here), 1 under KVM; for estimates and timeouts
     * only. Work differs: in a TCG microvm here ml's import (Python) took 16x the host's time, its SIMD-heavy training
     * batches 68x (mobilenet_v2); ml's own estimate, a loaded host's, holds that margin.
     */
    @Override
    public double cpuSlowdown() {
        if (accel().equals("kvm")) {
            return 1;
        }
        double s = probeSlowdown;
        return s > 0 ? Math.max(1, s) : TCG_SLOWDOWN_GUESS;
    }

    /** The host's time for {@link #CALIBRATION} (the faster of two), in ns, or -1 when it cannot run. */
    static long hostCalibrationNanos(String busybox) {
        long best = -1;
        for (int i = 0; i < 2; i++) {
            long t0 = System.nanoTime();
            ProcResult r = Proc.of(busybox, "sh", "-c", CALIBRATION).timeout(Duration.ofSeconds(30)).run();
            long t = System.nanoTime() - t0;
            if (!r.ok()) {
                return -1;
            }
            best = best < 0 ? t : Math.min(best, t);
        }
        return best;
    }

    /** The guest-to-host ratio from the two stamped lines and the host's time; NaN when either is missing. */
    static double slowdown(long begin, long end, long hostNanos) {
        return begin > 0 && end > begin && hostNanos > 0 ? (double) (end - begin) / hostNanos : Double.NaN;
    }

    /** QEMU is one host process (vCPU threads, slirp, block I/O all inside it), started directly: a wrapper sees it all. */
    @Override
    public boolean supportsWrapper() {
        return true;
    }

    @Override
    public List<AptPackage> packages() {
        return List.of(new AptPackage("qemu-system-x86", QEMU, "runtimes qemu and qemu-microvm; probing whether KVM is usable"),
                new AptPackage("busybox-static", "busybox", "the VM guest's /init"),
                new AptPackage("e2fsprogs", "mke2fs", "the read-only disk of a large workload image's trees (ml)"));
    }

    /** QEMU processes with a file (initramfs, console log, disk) in a dead work dir. */
    @Override
    public java.util.Optional<Leftovers> leftovers() {
        return java.util.Optional.of(VmLeftovers.INSTANCE);
    }

    private static final Mark TCG = new Mark("TCG",
            "the VM ran under software emulation (no usable KVM); its figures are not KVM figures.");

    /** Under TCG (no usable KVM) the VM is emulated: its figures are not a hardware-virtualized VM's. */
    @Override
    public List<String> caveats(String runtimeId, Map<String, Object> details) {
        return emulated(details) ? List.of(runtimeId + " ran under TCG emulation (no usable KVM): its figures are not those of a "
                + "hardware-virtualized VM and must not be read as KVM numbers.") : List.of();
    }

    @Override
    public Mark mark(Map<String, Object> details) {
        return emulated(details) ? TCG : null;
    }

    private static boolean emulated(Map<String, Object> details) {
        return "tcg".equals(details.get("accel"));
    }

    /** "tcg" unless KVM is usable here (decided once per process by {@link KvmProbe#shared()}). */
    static String accel() {
        return KvmProbe.shared().probe().usable() ? "kvm" : "tcg";
    }

    protected Path kernelCache() {
        return GuestKernel.defaultCache();
    }

    /** The CPU limit rounded up; pinned, at most one vCPU per CPU of the set. */
    static int vcpus(Limits limits) {
        return limits.cpuCount();
    }

    static long memoryMib(Limits limits) {
        return Math.max(64, (limits.memoryBytes() + (1 << 20) - 1) >> 20);
    }

    @Override
    public Availability probe(ProbeContext ctx) {
        String qemu = Tools.which(QEMU);
        if (qemu == null) {
            return Availability.no(id(), null, "not installed (" + QEMU + " not found; apt-get install qemu-system-x86)");
        }
        ProcResult v = Proc.of(qemu, "--version").timeout(Duration.ofSeconds(20)).run();
        String version = v.ok() ? Trials.parseVersion(v.stdout()) : null;
        if (version == null) {
            return Availability.no(id(), null, QEMU + " --version failed: " + v.failureSummary());
        }
        if (Tools.which("busybox") == null) {
            return Availability.no(id(), version, "busybox not found (the guest's /init needs it; apt-get install busybox-static)");
        }
        GuestKernel kernel;
        try {
            kernel = GuestKernel.obtain(kernelCache());
        } catch (IOException e) {
            return Availability.no(id(), version, "no guest kernel: " + e.getMessage());
        }
        qemuVersion = version;
        ProcResult nd = Proc.of(qemu, "-netdev", "help").timeout(Duration.ofSeconds(20)).run();
        userNet = nd.ok() && nd.stdout().lines().anyMatch(l -> l.strip().equals("user"));
        probeNetwork();
        Map<String, Object> d = details(kernel, ctx.limits());
        String name = "isobench-probe-" + id() + "-" + ProcessHandle.current().pid() + "-" + System.nanoTime() % 100000;
        // the probe VM runs the calibration loop with the guest's busybox (/.isobench/busybox, as its /init)
        java.util.concurrent.atomic.AtomicLong begin = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicLong end = new java.util.concurrent.atomic.AtomicLong();
        LaunchSpec spec = LaunchSpec.builder(name, ctx.probeImage(), ctx.limits())
                .argv(List.of("/.isobench/busybox", "sh", "-c", CALIBRATION))
                .onLine((line, at) -> {
                    if (line.equals("isobench-calibration-begin")) {
                        begin.set(at);
                    } else if (line.equals("isobench-calibration-end")) {
                        end.set(at);
                    }
                }).build();
        try (GuestSandbox s = (GuestSandbox) launch(spec)) {
            ProcResult r = s.await(PROBE_TIMEOUT);
            if (!r.ok()) {
                return Availability.no(id(), version, "a trial VM failed: " + Trials.reason(r), d);
            }
            d.put("probe_boot_ms", s.bootMillis());
            double slow = slowdown(begin.get(), end.get(), hostCalibrationNanos(Tools.which("busybox")));
            probeSlowdown = slow;
            if (slow > 0) {
                // how it ran, for the reader: an emulated CPU's work takes this much longer (never applied to results)
                d.put("probe_cpu_slowdown", String.format(java.util.Locale.ROOT, "%.1fx (a busybox shell loop, guest against host)", slow));
            }
            String cs = GuestConsole.clocksource(r.stderr());
            if (cs != null) {
                d.put("guest_clocksource", cs); // e.g. tsc (clock_gettime in the vDSO) or hpet/acpi_pm (a trap per call)
            }
            probeBootMillis = s.bootMillis();
        } catch (LaunchException e) {
            return Availability.no(id(), version, "a trial VM could not start: " + e.getMessage(), d);
        }
        return Availability.ok(id(), version, d);
    }

    Map<String, Object> details(GuestKernel kernel, Limits limits) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("accel", accel());
        d.put("machine", machine());
        d.put("vcpus", vcpus(limits));
        d.put("memory_bytes", memoryMib(limits) << 20);
        d.put("guest_kernel", kernel.describe());
        d.put("boot", "direct kernel boot, initramfs from the workload image");
        d.put("image_tree", "initramfs (guest RAM); an image over " + (ImageDisk.THRESHOLD >> 20) + " MiB: its big trees on a "
                + ImageDisk.HOW + ", " + virtioBlkDevice());
        d.put("kernel_params", String.join(" ", extraKernelParams()));
        String tp = tapProblem;
        d.put("network", tp == null
                ? "when a benchmark needs ports: tap device in an isobench network namespace, bridged to a veth pair to the host, "
                        + virtioNetDevice() + " (vhost=off)"
                : userNet
                ? "when a benchmark needs ports: QEMU user-mode (slirp, restrict=on), " + virtioNetDevice()
                        + ", host forwards on 127.0.0.1 only (slirp relays few simultaneous connections; tap unusable: " + tp + ")"
                : "none: no tap (" + tp + ") and this QEMU has no user-mode networking (-netdev help lists no 'user'); "
                        + "benchmarks that need ports fail");
        d.put("limits", limits.toMap());
        return d;
    }

    /** Tries the tap path ({@link #tapProblem(String)}) and uses it for later launches if it works; returns why not, or null. */
    String probeNetwork() {
        String qemu = Tools.which(QEMU);
        tapProblem = qemu == null ? QEMU + " not found" : tapProblem(qemu);
        return tapProblem;
    }

    /**
     * Whether a namespace with a bridged tap can be made here (the tap path without a VMM attaching to it): null when
     * it can, else why not. For VMMs other than QEMU, which attach to the tap only when they start.
     */
    static String tapProblemWithoutQemu() {
        if (NetNs.unavailableReason() != null) {
            return NetNs.unavailableReason();
        }
        try (NetNs ns = NetNs.createWithTap()) {
            return null;
        } catch (LaunchException e) {
            return "cannot make a namespace with a tap device: " + e.getMessage();
        }
    }

    /**
     * Whether a VM can get the tap path here, tried for real: an isobench namespace with a bridged tap, and this QEMU
     * attaching a netdev to it (machine none, quit at once). Null when it works, else why not.
     */
    static String tapProblem(String qemu) {
        if (NetNs.unavailableReason() != null) {
            return NetNs.unavailableReason();
        }
        NetNs ns;
        try {
            ns = NetNs.createWithTap();
        } catch (LaunchException e) {
            return "cannot make a namespace with a tap device: " + e.getMessage();
        }
        try (ns) {
            ProcResult r = Proc.of(ns.enter(List.of(qemu, "-M", "none", "-nodefaults", "-no-user-config", "-display", "none",
                    "-netdev", QemuTapNet.netdev(), "-monitor", "stdio"))).stdin("quit\n").timeout(Duration.ofSeconds(20)).run();
            return r.ok() ? null : QEMU + " could not attach to the tap: " + r.failureSummary();
        }
    }

    @Override
    public Sandbox launch(LaunchSpec spec) throws LaunchException {
        return start(spec, null);
    }

    /** A live VM of this driver: what a checkpoint needs. */
    private record Instance(String nonce, Path control) {
    }

    private final Map<String, Instance> instances = new java.util.concurrent.ConcurrentHashMap<>();
    private static final java.util.concurrent.atomic.AtomicInteger CONTROL_SEQ = new java.util.concurrent.atomic.AtomicInteger();

    /** What a restore starts from: the migration file, the saved guest's nonce and its network path. */
    private record Saved(Path state, String nonce, QemuNet net) {
    }

    /** Boots {@code spec}'s guest, or ({@code saved} non-null) starts a QEMU that loads a saved guest ({@code -incoming}). */
    private Sandbox start(LaunchSpec spec, Saved saved) throws LaunchException {
        String qemu = Tools.which(QEMU);
        if (qemu == null) {
            throw new LaunchException(QEMU + " not found");
        }
        long guestMemory = memoryMib(spec.limits()) << 20;
        boolean onDisk = ImageDisk.needed(spec.image());
        if (!onDisk) {
            String tooLarge = GuestInitramfs.tooLarge(spec.image(), guestMemory);
            if (tooLarge != null) {
                throw new LaunchException(tooLarge);
            }
        }
        GuestKernel kernel;
        Path base;
        Path imageDisk = null;
        try {
            kernel = GuestKernel.obtain(kernelCache());
            base = GuestInitramfs.baseInitrd(kernel, spec.image(), onDisk);
            if (onDisk) {
                // the guest holds only what stays in the initramfs; the big trees are read from the disk
                String tooLarge = GuestInitramfs.tooLarge(Files.size(base), "the initramfs left beside the image disk",
                        guestMemory, "");
                if (tooLarge != null) {
                    throw new LaunchException(tooLarge);
                }
                imageDisk = ImageDisk.obtain(GuestInitramfs.cacheDir(kernel).resolve("disk"), spec.image());
            }
        } catch (IOException e) {
            throw new LaunchException("cannot prepare the guest: " + e.getMessage(), e);
        }
        String nonce = saved != null ? saved.nonce() : HexFormat.of().formatHex(randomBytes());
        Path dir = WorkDir.get().resolve("qemu");
        Path bulk = WorkDir.scratch().resolve("qemu"); // tens of MB per launch: on disk, not in /run's tmpfs
        Path initrd = bulk.resolve(spec.name() + ".initrd");
        Path serial = dir.resolve(spec.name() + ".console.log");
        // the checkpoint's monitor (short name: unix socket paths are limited to 107 bytes)
        Path control = dir.resolve("ctl" + CONTROL_SEQ.incrementAndGet() + ".sock");
        Path diskFile = spec.scratchBytes() == null ? null : bulk.resolve(spec.name() + ".scratch.raw");
        String incoming = null;
        if (saved != null) {
            try {
                if (diskFile != null) {
                    throw new LaunchException("restoring a VM with scratch storage is not supported");
                }
                incoming = migrationUri(qemuVersion, saved.state(), false);
            } catch (LaunchException e) {
                if (saved.net() != null) {
                    saved.net().close(); // a failed restore closes what it took over
                }
                throw e;
            }
        }
        String tp = tapProblem;
        if (saved == null && spec.network() != null && tp != null && !userNet) {
            throw new LaunchException("no VM network path: tap unusable (" + tp + ") and " + QEMU
                    + " has no user-mode networking (-netdev help lists no 'user')");
        }
        QemuNet net = saved != null ? saved.net() : spec.network() == null ? null
                : tp == null ? QemuTapNet.create(virtioNetDevice(), accel())
                : QemuUserNet.create(spec.network(), virtioNetDevice(), accel(), dir);
        ScratchDisk disk = null;
        try {
            Files.createDirectories(dir);
            Files.createDirectories(bulk);
            GuestInitramfs.writeLaunchInitrd(base, initrd, Scratch.withEnv(spec, Scratch.PATH));
            if (diskFile != null) {
                disk = ScratchDisk.create(diskFile, spec.scratchBytes());
            }
        } catch (IOException e) {
            deleteQuietly(initrd);
            if (diskFile != null) {
                deleteQuietly(diskFile);
            }
            if (net != null) {
                net.close();
            }
            throw new LaunchException("cannot write the per-launch initramfs or scratch disk: " + e.getMessage(), e);
        }
        List<String> argv = argv(qemu, kernel, initrd, serial, nonce, spec.limits());
        String cache = disk == null ? null : disk.directIo() ? "none" : "writeback";
        if (disk != null) {
            // the guest's /init formats /dev/vda (ext2, busybox mke2fs) and mounts it at /scratch before BEGIN
            // found by its serial: with the image disk as well, the order of disks is not the guest's vda, vdb
            argv.addAll(List.of("-drive", "file=" + disk.file() + ",if=none,id=scratch,format=raw,cache=" + cache,
                    "-device", virtioBlkDevice() + ",drive=scratch" + (imageDisk == null ? "" : ",serial=" + ScratchDisk.SERIAL)));
            int app = argv.indexOf("-append") + 1;
            // alone it is vda; beside the image disk /init finds it by serial
            argv.set(app, argv.get(app) + " " + (imageDisk == null ? ScratchDisk.KERNEL_PARAM : ScratchDisk.SERIAL_PARAM));
        }
        if (imageDisk != null) {
            argv.addAll(imageDiskArgs(imageDisk));
            int app = argv.indexOf("-append") + 1;
            argv.set(app, argv.get(app) + " " + ImageDisk.KERNEL_PARAM);
        }
        if (net != null) {
            // the guest's /init loads virtio_net and configures lo and eth0 before BEGIN (not workload time)
            argv.addAll(net.qemuArgs());
            int app = argv.indexOf("-append") + 1;
            argv.set(app, argv.get(app) + " " + String.join(" ", net.kernelParams()));
        }
        argv.addAll(List.of("-monitor", "unix:" + control + ",server=on,wait=off"));
        if (saved != null) {
            argv.addAll(List.of("-incoming", incoming));
        }
        io.isobench.util.CpuSet pinTo = spec.limits().cpuset();
        Path qmp = pinTo == null ? null : dir.resolve("qmp" + QMP_SEQ.incrementAndGet() + ".sock");
        if (qmp != null) {
            argv.addAll(QemuVcpus.qmpArgs(qmp));
        }
        List<String> pinned;
        try {
            pinned = io.isobench.runtime.CpuPinning.wrap(spec.limits(), argv); // every QEMU thread within the set
        } catch (LaunchException e) {
            deleteQuietly(initrd);
            if (diskFile != null) {
                deleteQuietly(diskFile);
            }
            if (net != null) {
                net.close();
            }
            throw e;
        }
        GuestSandbox s = new GuestSandbox(spec, spec.wrapped(net == null ? pinned : net.wrap(pinned)), "QEMU", nonce, initrd,
                serial, diskFile, net, memoryMib(spec.limits()) << 20, saved != null);
        if (saved == null) { // a restored guest prints nothing until asked: no boot to watch
            s.watchBoot(stallBound(probeBootMillis, accel()));
        }
        s.afterTeardown(() -> {
            instances.remove(spec.name());
            deleteQuietly(control);
            if (qmp != null) {
                deleteQuietly(qmp);
            }
        });
        instances.put(spec.name(), new Instance(nonce, control));
        if (qmp != null) {
            try {
                s.cpuPlacement(QemuVcpus.pin(qmp, pinTo));
            } catch (IOException e) {
                s.close();
                throw new LaunchException("cannot pin the VM's vCPU threads to CPUs " + pinTo + ": " + e.getMessage(), e);
            }
        }
        if (saved != null) {
            try {
                awaitIncoming(s, control, net);
            } catch (LaunchException e) {
                s.close();
                throw e;
            }
        }
        if (imageDisk != null) {
            s.imageTree(ImageDisk.HOW);
        }
        if (disk != null) {
            s.scratchStorage("virtio-blk (" + virtioBlkDevice() + ") raw file on host " + disk.hostFileSystem()
                    + ", cache=" + cache + (cache.equals("none") ? " (host O_DIRECT)" : " (host page cache; O_DIRECT unsupported there)")
                    + ", ext2 in the guest");
        }
        return s;
    }

    /** How long QEMU may take to write or load a saved guest (TCG, a few hundred MiB). */
    static final Duration MIGRATION_TIMEOUT = Duration.ofSeconds(300);

    /**
     * Waits until the restored QEMU has loaded the saved guest and runs it ({@code info status}), then brings the network
     * path up for it (slirp's host forwards belong to the new QEMU).
     */
    private static void awaitIncoming(GuestSandbox s, Path control, QemuNet net) throws LaunchException {
        long end = System.nanoTime() + MIGRATION_TIMEOUT.toNanos();
        try (QemuMonitor m = QemuMonitor.connect(control, Duration.ofSeconds(30))) {
            String status = "";
            while (System.nanoTime() < end) {
                status = m.command("info status", Duration.ofSeconds(10));
                if (status.contains("status: running")) {
                    if (net != null) {
                        net.guestNetworkUp();
                    }
                    return;
                }
                if (!status.contains("inmigrate") && !status.contains("paused") && !status.contains("prelaunch")) {
                    break;
                }
                Thread.sleep(10);
            }
            throw new LaunchException("the restored VM does not run: " + status);
        } catch (IOException e) {
            throw new LaunchException("the restoring QEMU did not load the saved guest: " + e.getMessage()
                    + (s.vmmAlive() ? "" : "; QEMU exited: " + s.await(Duration.ofSeconds(2)).stderr().strip()), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LaunchException("interrupted while restoring", e);
        }
    }

    /** What a QEMU snapshot keeps for the restore: the guest's network path (it holds its address) and console nonce. */
    private record Kept(QemuNet net, String nonce) implements AutoCloseable {
        @Override
        public void close() {
            if (net != null) {
                net.close();
            }
        }
    }

    /** The version the probe found (decides the migration URI). */
    private volatile String qemuVersion;

    /** Whether this QEMU migrates to a file directly ({@code file:} URIs came with QEMU 8.2); else through {@code exec:cat}. */
    static boolean fileMigration(String version) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(\\d+)\\.(\\d+)").matcher(version == null ? "" : version);
        if (!m.find()) {
            return false;
        }
        int major = Integer.parseInt(m.group(1));
        int minor = Integer.parseInt(m.group(2));
        return major > 8 || (major == 8 && minor >= 2);
    }

    /**
     * The migration URI that writes ({@code out}) or reads the saved guest at {@code state}: {@code file:PATH} where
     * QEMU has it, else {@code exec:cat} (QEMU runs it with /bin/sh; the path, isobench's own work dir, is single-quoted
     * and may not contain a quote).
     */
    static String migrationUri(String version, Path state, boolean out) throws LaunchException {
        String p = state.toString();
        if (fileMigration(version)) {
            return "file:" + p;
        }
        if (p.indexOf('\'') >= 0 || p.indexOf('\n') >= 0) {
            throw new LaunchException("snapshot path unusable in QEMU's exec: migration: " + p);
        }
        return out ? "exec:cat > '" + p + "'" : "exec:cat '" + p + "'";
    }

    /**
     * Migration to a file through the VM's monitor ({@code migrate file:DIR/vm.state}, or exec:cat: RAM and device state,
     * the guest running until the last pass), then {@code quit}; the restore starts the same machine with
     * {@code -incoming} from that file in the same network path, and the guest runs on where it stopped.
     */
    @Override
    public java.util.Optional<io.isobench.runtime.Checkpointer> checkpointer() {
        return java.util.Optional.of(new io.isobench.runtime.Checkpointer() {
            @Override
            public String method() {
                return fileMigration(qemuVersion)
                        ? "QEMU monitor: migrate file:DIR/vm.state, quit; then a new QEMU with -incoming file:DIR/vm.state"
                        : "QEMU monitor: migrate exec:cat > DIR/vm.state, quit; then a new QEMU with -incoming exec:cat DIR/vm.state";
            }

            @Override
            public Snapshot checkpoint(Sandbox sandbox, Path dir) throws LaunchException {
                Instance in = instances.get(sandbox.id());
                if (in == null || !(sandbox instanceof GuestSandbox gs)) {
                    throw new LaunchException(sandbox.id() + " is not a running VM of " + id());
                }
                Path state = dir.resolve("vm.state");
                Map<String, String> facts = new LinkedHashMap<>();
                try (QemuMonitor m = QemuMonitor.connect(in.control(), Duration.ofSeconds(10))) {
                    String reply = m.command("migrate " + migrationUri(qemuVersion, state, true), MIGRATION_TIMEOUT);
                    String info = m.command("info migrate", Duration.ofSeconds(10));
                    if (!info.contains("completed")) {
                        throw new LaunchException("QEMU's migration to " + state + " did not complete: "
                                + (reply.isEmpty() ? "" : reply + "; ") + info.lines().limit(3).toList());
                    }
                    facts.put("migration", info.lines().filter(l -> l.contains("total time") || l.contains("transferred")
                            || l.contains("Migration status")).map(String::strip).collect(java.util.stream.Collectors.joining("; ")));
                    QemuNet net = (QemuNet) gs.keepNetwork(); // before quit: the teardown that follows must leave it
                    m.quit();
                    gs.await(Duration.ofSeconds(30));
                    return new Snapshot(dir, facts, new Kept(net, in.nonce()));
                } catch (IOException e) {
                    throw new LaunchException("QEMU's monitor: " + e.getMessage(), e);
                }
            }

            @Override
            public Sandbox restore(Snapshot snapshot, LaunchSpec spec) throws LaunchException {
                if (!(snapshot.kept() instanceof Kept k)) {
                    throw new LaunchException("not a snapshot of " + id());
                }
                return start(spec, new Saved(snapshot.dir().resolve("vm.state"), k.nonce(), k.net()));
            }
        });
    }

    private static final java.util.concurrent.atomic.AtomicLong QMP_SEQ = new java.util.concurrent.atomic.AtomicLong();

    private static byte[] randomBytes() {
        byte[] b = new byte[8];
        RANDOM.nextBytes(b);
        return b;
    }

    /**
     * The image disk, read-only (host side: QEMU opens the file O_RDONLY; guest side: a read-only virtio-blk device), with
     * the serial the guest's /init finds it by.
     */
    List<String> imageDiskArgs(Path imageDisk) {
        return List.of("-drive", "file=" + imageDisk + ",if=none,id=ro,format=raw,readonly=on",
                "-device", virtioBlkDevice() + ",drive=ro,serial=" + ImageDisk.SERIAL);
    }

    List<String> argv(String qemu, GuestKernel kernel, Path initrd, Path serial, String nonce, Limits limits) {
        String acc = accel();
        // no_timer_check: the kernel's check that the timer interrupt ticks within a busy-wait calibrated moments
        // before fails under TCG when the host is loaded ("IO-APIC + timer doesn't work!": a panic, with panic=-1 a
        // reboot, and with -no-reboot QEMU exits 0 before /init: seen on q35 in bench/vm-boot-stress.sh);
        // earlyprintk=ttyS0: such an early message (loglevel 4: warnings and worse only) reaches the serial port the
        // failure report shows, since hvc0 comes up late; edd=off: no firmware EDD probe (direct kernel boot, no disk)
        List<String> append = new ArrayList<>(List.of("console=hvc0", "earlyprintk=ttyS0", "panic=-1", "loglevel=4",
                "no_timer_check", "edd=off"));
        append.addAll(extraKernelParams());
        append.add("isobench.nonce=" + nonce);
        append.add("isobench.out=ttyS0");
        List<String> a = new ArrayList<>(List.of(qemu, "-M", machine(), "-accel", acc,
                "-cpu", acc.equals("kvm") ? "host" : "max",
                "-smp", Integer.toString(vcpus(limits)), "-m", memoryMib(limits) + "M",
                "-nodefaults", "-no-user-config", "-display", "none", "-no-reboot",
                "-serial", "stdio",
                "-device", virtioSerialDevice(), "-chardev", "file,id=con0,path=" + serial, "-device", "virtconsole,chardev=con0",
                "-kernel", kernel.vmlinuz().toString(), "-initrd", initrd.toString(),
                "-append", String.join(" ", append)));
        return a;
    }

    static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort
        }
    }

    /** Host TSC frequency in kHz from /proc/cpuinfo ("cpu MHz"), or -1. */
    static long hostTscKhz() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("cpu MHz")) {
                    String v = line.substring(line.indexOf(':') + 1).strip();
                    return Math.round(Double.parseDouble(v) * 1000);
                }
            }
        } catch (IOException | NumberFormatException ignored) {
            // unknown
        }
        return -1;
    }
}
