package io.isobench.runtime;

import io.isobench.host.KvmProbe;
import io.isobench.image.WorkloadImage;
import io.isobench.proc.Proc;
import io.isobench.proc.ProcResult;
import io.isobench.util.Tools;
import io.isobench.util.WorkDir;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

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
    /** Bump when the initramfs layout or /init changes so cached bases are rebuilt. */
    static final String INITRD_LAYOUT = "11";
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

    /** Modules the guest loads, in order; dependencies are resolved from modules.dep. */
    static final List<String> MODULES = List.of("virtio_mmio", "virtio_pci", "virtio_console", "virtio_blk");
    /** Modules the guest loads only when a network was asked for (with their dependencies not in {@link #MODULES}). */
    static final List<String> NET_MODULES = List.of("virtio_net");

    @Override
    public String kind() {
        return "vm";
    }

    private volatile long probeBootMillis = -1;
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

    /** QEMU is one host process (vCPU threads, slirp, block I/O all inside it), started directly: a wrapper sees it all. */
    @Override
    public boolean supportsWrapper() {
        return true;
    }

    @Override
    public List<String> packages() {
        return List.of("qemu-system-x86", "busybox-static");
    }

    /** "tcg" unless KVM is usable here (decided once per process by {@link KvmProbe#shared()}). */
    static String accel() {
        return KvmProbe.shared().probe().usable() ? "kvm" : "tcg";
    }

    protected Path kernelCache() {
        return GuestKernel.defaultCache();
    }

    static int vcpus(Limits limits) {
        return Math.max(1, (int) Math.ceil(limits.cpus() - 1e-9));
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
        String version = v.ok() ? parseVersion(v.stdout()) : null;
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
        ProcResult nd = Proc.of(qemu, "-netdev", "help").timeout(Duration.ofSeconds(20)).run();
        userNet = nd.ok() && nd.stdout().lines().anyMatch(l -> l.strip().equals("user"));
        probeNetwork();
        Map<String, Object> d = details(kernel, ctx.limits());
        String name = "isobench-probe-" + id() + "-" + ProcessHandle.current().pid() + "-" + System.nanoTime() % 100000;
        LaunchSpec spec = new LaunchSpec(name, ctx.probeImage(), List.of(ctx.probeImage().tools().get("true")),
                Map.of(), ctx.limits(), null);
        try (QemuSandbox s = (QemuSandbox) launch(spec)) {
            ProcResult r = s.await(PROBE_TIMEOUT);
            if (!r.ok()) {
                return Availability.no(id(), version, "a trial VM failed: " + OciDriver.reason(r), d);
            }
            d.put("probe_boot_ms", s.bootMillis());
            String cs = QemuSandbox.clocksource(r.stderr());
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

    /** "QEMU emulator version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)" -> "7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)". */
    static String parseVersion(String out) {
        String first = out.strip().lines().findFirst().orElse("");
        int i = first.indexOf("version ");
        return i >= 0 ? first.substring(i + "version ".length()).strip() : (first.isEmpty() ? null : first);
    }

    @Override
    public Sandbox launch(LaunchSpec spec) throws LaunchException {
        String qemu = Tools.which(QEMU);
        if (qemu == null) {
            throw new LaunchException(QEMU + " not found");
        }
        GuestKernel kernel;
        Path base;
        try {
            kernel = GuestKernel.obtain(kernelCache());
            base = baseInitrd(kernel, spec.image());
        } catch (IOException e) {
            throw new LaunchException("cannot prepare the guest: " + e.getMessage(), e);
        }
        String nonce = HexFormat.of().formatHex(randomBytes());
        Path dir = WorkDir.get().resolve("qemu");
        Path initrd = dir.resolve(spec.name() + ".initrd");
        Path serial = dir.resolve(spec.name() + ".console.log");
        Path disk = spec.scratchBytes() == null ? null : dir.resolve(spec.name() + ".scratch.raw");
        String tp = tapProblem;
        if (spec.network() != null && tp != null && !userNet) {
            throw new LaunchException("no VM network path: tap unusable (" + tp + ") and " + QEMU
                    + " has no user-mode networking (-netdev help lists no 'user')");
        }
        QemuNet net = spec.network() == null ? null : tp == null ? QemuTapNet.create(virtioNetDevice(), accel())
                : QemuUserNet.create(spec.network(), virtioNetDevice(), accel(), dir);
        String cache = null;
        try {
            Files.createDirectories(dir);
            writeLaunchInitrd(base, initrd, Scratch.withEnv(spec, Scratch.PATH));
            if (disk != null) {
                try (var f = new java.io.RandomAccessFile(disk.toFile(), "rw")) {
                    // sparse; whole MiBs, because with cache=none (O_DIRECT) QEMU refuses an image whose size is not a
                    // multiple of the host's request alignment ("Cannot get 'write' permission without 'resize'")
                    f.setLength((spec.scratchBytes() + (1L << 20) - 1) & -(1L << 20));
                }
                cache = supportsDirectIo(disk) ? "none" : "writeback";
            }
        } catch (IOException e) {
            deleteQuietly(initrd);
            if (disk != null) {
                deleteQuietly(disk);
            }
            if (net != null) {
                net.close();
            }
            throw new LaunchException("cannot write the per-launch initramfs or scratch disk: " + e.getMessage(), e);
        }
        List<String> argv = argv(qemu, kernel, initrd, serial, nonce, spec.limits());
        if (disk != null) {
            // the guest's /init formats /dev/vda (ext2, busybox mke2fs) and mounts it at /scratch before BEGIN
            argv.addAll(List.of("-drive", "file=" + disk + ",if=none,id=scratch,format=raw,cache=" + cache,
                    "-device", virtioBlkDevice() + ",drive=scratch"));
            int app = argv.indexOf("-append") + 1;
            argv.set(app, argv.get(app) + " isobench.scratch=vda");
        }
        if (net != null) {
            // the guest's /init loads virtio_net and configures lo and eth0 before BEGIN (not workload time)
            argv.addAll(net.qemuArgs());
            int app = argv.indexOf("-append") + 1;
            argv.set(app, argv.get(app) + " " + String.join(" ", net.kernelParams()));
        }
        QemuSandbox s = new QemuSandbox(spec, spec.wrapped(net == null ? argv : net.wrap(argv)), nonce, initrd, serial, disk, net);
        if (disk != null) {
            s.scratchStorage = "virtio-blk (" + virtioBlkDevice() + ") raw file on host " + Scratch.fileSystem(disk)
                    + ", cache=" + cache + (cache.equals("none") ? " (host O_DIRECT)" : " (host page cache; O_DIRECT unsupported there)")
                    + ", ext2 in the guest";
        }
        return s;
    }

    /** Whether the host file system of {@code file} accepts O_DIRECT (QEMU's cache=none needs it; tmpfs does not). */
    static boolean supportsDirectIo(Path file) {
        try (var ch = Files.newByteChannel(file, StandardOpenOption.READ, com.sun.nio.file.ExtendedOpenOption.DIRECT)) {
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[8];
        RANDOM.nextBytes(b);
        return b;
    }

    List<String> argv(String qemu, GuestKernel kernel, Path initrd, Path serial, String nonce, Limits limits) {
        String acc = accel();
        List<String> append = new ArrayList<>(List.of("console=hvc0", "panic=-1", "loglevel=4"));
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

    // ---- initramfs ----

    /** The cached base initramfs for this kernel and image: the image's rootfs, busybox, modules and /init. */
    static Path baseInitrd(GuestKernel kernel, WorkloadImage image) throws IOException {
        Path dir = kernel.dir().getParent().resolve("initrd");
        Path target = dir.resolve(kernel.release() + "-" + image.hash().substring(0, 16) + "-l" + INITRD_LAYOUT + ".cpio");
        if (Files.isRegularFile(target)) {
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
                c.tree(image.rootfs(), "");
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
                c.file("init", 0755, initScript().getBytes(StandardCharsets.UTF_8));
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException e) {
                // built concurrently; identical content
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot rename in " + dir, e);
            }
        } finally {
            deleteQuietly(tmp);
        }
        return target;
    }

    /** base + an uncompressed newc archive with /isobench/cmd (the base ends 4-byte aligned, so plain concatenation works). */
    static void writeLaunchInitrd(Path base, Path out, LaunchSpec spec) throws IOException {
        Files.copy(base, out, StandardCopyOption.REPLACE_EXISTING);
        try (Cpio c = new Cpio(new BufferedOutputStream(Files.newOutputStream(out, StandardOpenOption.APPEND)))) {
            c.dir("isobench", 0755);
            c.file("isobench/cmd", 0755, commandScript(spec).getBytes(StandardCharsets.UTF_8));
        }
    }

    /** The workload as a shell script: environment, then exec of the argv, every word single-quoted. */
    static String commandScript(LaunchSpec spec) {
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

    /**
     * The guest's /init: mounts, loads the virtio modules, waits for the output console, then frames the
     * workload between the markers. Kernel messages go to ttyS0 only (never to hvc0). {@code poweroff -f}
     * makes QEMU exit (ACPI on q35, GED on microvm; -no-reboot turns a panic's reboot into an exit too).
     */
    static String initScript() {
        return """
                #!/.isobench/busybox sh
                BB=/.isobench/busybox
                $BB mount -t proc proc /proc
                $BB mount -t sysfs sysfs /sys
                $BB mount -t devtmpfs devtmpfs /dev
                $BB mount -t tmpfs tmpfs /tmp
                $BB dmesg -n 1
                for m in $($BB cat /.isobench/modules.order); do
                  $BB insmod /.isobench/modules/$m || echo "isobench-init: insmod $m failed" >/dev/console
                done
                NONCE=none; OUT=/dev/ttyS0; SCRATCH=; IP=; GW=
                for w in $($BB cat /proc/cmdline); do
                  case "$w" in
                    isobench.nonce=*) NONCE=${w#isobench.nonce=};;
                    isobench.out=*) OUT=/dev/${w#isobench.out=};;
                    isobench.scratch=*) SCRATCH=/dev/${w#isobench.scratch=};;
                    isobench.ip=*) IP=${w#isobench.ip=};;
                    isobench.gw=*) GW=${w#isobench.gw=};;
                  esac
                done
                $BB ip link set lo up
                # network: virtio_net, eth0 up with a static address, before BEGIN (not workload time)
                if [ -n "$IP" ]; then
                  for m in $($BB cat /.isobench/modules.net); do
                    $BB insmod /.isobench/modules/$m || echo "isobench-init: insmod $m failed" >/dev/console
                  done
                  i=0
                  until [ -e /sys/class/net/eth0 ]; do
                    i=$((i+1))
                    if [ $i -ge 100 ]; then echo "isobench-init: no eth0" >/dev/console; $BB poweroff -f; fi
                    $BB sleep 0.1
                  done
                  if ! $BB ip link set eth0 up >/dev/console 2>&1 || ! $BB ip addr add $IP dev eth0 >/dev/console 2>&1 \
                      || { [ -n "$GW" ] && ! $BB ip route add default via $GW >/dev/console 2>&1; }; then
                    echo "isobench-init: cannot configure eth0 ($IP via $GW)" >/dev/console; $BB poweroff -f
                  fi
                  # the carrier comes up asynchronously; until linkwatch says "up" the guest drops what it sends
                  i=0
                  until [ "$($BB cat /sys/class/net/eth0/operstate)" = up ]; do
                    i=$((i+1))
                    if [ $i -ge 1000 ]; then echo "isobench-init: eth0 has no link after 10 s" >/dev/console; $BB poweroff -f; fi
                    $BB usleep 10000
                  done
                fi
                # scratch disk: format and mount before BEGIN (not workload time); without it, stop (no silent RAM disk)
                if [ -n "$SCRATCH" ]; then
                  i=0
                  until [ -b $SCRATCH ]; do
                    i=$((i+1))
                    if [ $i -ge 100 ]; then echo "isobench-init: no $SCRATCH" >/dev/console; $BB poweroff -f; fi
                    $BB sleep 0.1
                  done
                  if ! $BB mke2fs -q $SCRATCH >/dev/console 2>&1 || ! $BB mount -t ext2 $SCRATCH /scratch >/dev/console 2>&1; then
                    echo "isobench-init: cannot format or mount $SCRATCH at /scratch" >/dev/console; $BB poweroff -f
                  fi
                fi
                # retry the open; "command" keeps a failed redirection from ending this shell (which would panic the kernel)
                i=0
                until command exec 3>$OUT; do
                  i=$((i+1))
                  if [ $i -ge 100 ]; then echo "isobench-init: cannot open $OUT" >/dev/console; $BB poweroff -f; fi
                  $BB sleep 0.1
                done
                $BB stty -F $OUT raw -echo 2>/dev/null
                # the guest's clock source decides what clock_gettime costs in it (vDSO on tsc, a trap on others)
                echo "isobench-info: clocksource $($BB cat /sys/devices/system/clocksource/clocksource0/current_clocksource 2>/dev/null)" >/dev/console
                echo "@@ISOBENCH-BEGIN $NONCE@@" >&3
                $BB sh /isobench/cmd >&3 2>/tmp/.isobench-stderr </dev/null
                RC=$?
                echo "@@ISOBENCH-EXIT $NONCE $RC@@" >&3
                exec 3>&-
                $BB cat /tmp/.isobench-stderr >/dev/console 2>/dev/null
                [ -n "$SCRATCH" ] && $BB umount /scratch 2>/dev/null
                $BB sync
                $BB poweroff -f
                """;
    }

    static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort
        }
    }

    // ---- the sandbox ----

    /** One VM: a {@link ProcessSandbox} around QEMU whose stdout is filtered through {@link GuestConsole}. */
    static final class QemuSandbox implements Sandbox {
        private static final int SERIAL_TAIL_LINES = 80;
        private final ProcessSandbox inner;
        private final GuestConsole console;
        private final Path serial;
        private final QemuNet net;
        private volatile String serialLog;
        volatile String scratchStorage;
        private final long guestMemoryBytes;

        QemuSandbox(LaunchSpec spec, List<String> argv, String nonce, Path initrd, Path serial, Path disk,
                    QemuNet net) throws LaunchException {
            this.serial = serial;
            this.net = net;
            this.guestMemoryBytes = memoryMib(spec.limits()) << 20; // QEMU's -m
            LaunchSpec.LineListener user = spec.onLine();
            this.console = new GuestConsole(nonce, user == null ? null : user::line);
            if (net != null) {
                // the guest's eth0 is up at BEGIN: only now do slirp's host ports forward (see QemuUserNet)
                // off the output reader's thread: the monitor dialogue may take a while, and that thread relays every sandbox's output
                console.onBegin(() -> Thread.ofVirtual().name("qemu-net-up-" + spec.name()).start(net::guestNetworkUp));
            }
            LaunchSpec filtered = spec.withOnLine(console::line);
            Runnable teardown = () -> {
                try {
                    if (Files.exists(serial)) {
                        serialLog = io.isobench.util.LogTail.read(serial, StandardCharsets.ISO_8859_1);
                    }
                } catch (IOException ignored) {
                    // diagnostic only
                }
                deleteQuietly(initrd);
                deleteQuietly(serial);
                if (disk != null) {
                    deleteQuietly(disk);
                }
                if (net != null) {
                    net.close(); // releases the host ports or deletes the namespace (QEMU, which used them, is gone)
                }
            };
            this.inner = new ProcessSandbox(spec.name(), argv, filtered, teardown, List::of, null);
        }

        @Override
        public String id() {
            return inner.id();
        }

        @Override
        public long launchedAtNanos() {
            return inner.launchedAtNanos();
        }

        /** The launcher's phases and {@link Phase#BOOTED}: the guest's /init announced the workload (BEGIN marker). */
        @Override
        public List<Phase> phases() {
            List<Phase> p = new java.util.ArrayList<>(inner.phases());
            long b = console.beginNanos();
            if (b >= 0) {
                p.add(new Phase(Phase.BOOTED, b));
            }
            return p;
        }

        private static final java.util.regex.Pattern CLOCKSOURCE = java.util.regex.Pattern.compile("clocksource (\\S+)");

        /** The guest's clock source from its /init's console line or from a trial's "isobench: guest clocksource" line, or null. */
        static String clocksource(String consoleLog) {
            // the last one: the kernel may switch sources during boot ("Switched to clocksource X"); /init's line comes after
            java.util.regex.Matcher m = CLOCKSOURCE.matcher(consoleLog);
            String last = null;
            while (m.find()) {
                last = m.group(1);
            }
            return last;
        }

        long bootMillis() {
            long b = console.beginNanos();
            return b < 0 ? -1 : (b - inner.launchedAtNanos()) / 1_000_000;
        }

        @Override
        public long exitedAtNanos() {
            return inner.exitedAtNanos();
        }

        @Override
        public long guestMemoryBytes() {
            return guestMemoryBytes;
        }

        @Override
        public ProcResult await(Duration timeout) {
            ProcResult r = inner.await(timeout);
            String log = serialLog;
            if (log == null) {
                try {
                    log = Files.exists(serial) ? io.isobench.util.LogTail.read(serial, StandardCharsets.ISO_8859_1) : "";
                } catch (IOException e) {
                    log = "";
                }
            }
            Integer rc = console.exitCode();
            StringBuilder err = new StringBuilder();
            String problem = null;
            if (console.begun()) {
                err.append("isobench: guest boot ").append(bootMillis()).append(" ms (QEMU start to BEGIN marker)\n");
                String cs = clocksource(log);
                if (cs != null) {
                    err.append("isobench: guest clocksource ").append(cs).append('\n');
                }
                String up = net == null ? null : net.upReport();
                if (up != null) {
                    err.append("isobench: ").append(up).append('\n');
                }
            }
            Duration elapsed = r.elapsed();
            int exit;
            if (r.timedOut()) {
                exit = -1;
            } else if (rc == null) {
                exit = r.exitCode() != 0 ? r.exitCode() : 255;
                problem = "isobench: the guest ended without reporting an exit status (QEMU exit code "
                        + r.exitCode() + (console.begun() ? ", after the workload started" : ", before the workload started")
                        + "; its kernel console is above)\n";
            } else {
                exit = rc;
                elapsed = Duration.ofNanos(console.exitNanos() - console.beginNanos());
            }
            err.append(r.stderr());
            if (exit != 0 || r.timedOut()) {
                err.append("--- guest kernel console, hvc0 (last ").append(SERIAL_TAIL_LINES).append(" lines) ---\n")
                        .append(tail(log, SERIAL_TAIL_LINES));
                if (!console.begun() && !r.stdout().isBlank()) {
                    err.append("--- unframed console output ---\n").append(r.stdout());
                }
            }
            if (problem != null) {
                err.append(problem); // last, so that failureSummary() shows it
            }
            return new ProcResult(r.argv(), exit, r.timedOut(), console.output(), err.toString(), elapsed);
        }

        static String tail(String s, int lines) {
            List<String> l = s.lines().toList();
            return String.join("\n", l.subList(Math.max(0, l.size() - lines), l.size())) + "\n";
        }

        @Override
        public List<Long> hostPids() {
            return inner.hostPids();
        }

        @Override
        public String scratchStorage() {
            return scratchStorage;
        }

        @Override
        public java.net.InetSocketAddress endpoint(int port) {
            return net == null ? Sandbox.super.endpoint(port) : net.endpoint(port);
        }

        @Override
        public String networkPath() {
            return net == null ? null : net.description();
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    /**
     * Kills QEMU processes left running by an isobench process that died without cleaning up (SIGKILL): those with
     * an argument inside one of {@code deadWorkDirs} (their initramfs, console log, disk). SIGTERM, then SIGKILL
     * after 5 s. Returns the pids killed.
     */
    public static List<Long> killOrphans(List<Path> deadWorkDirs) {
        List<ProcessHandle> orphans = ProcessHandle.allProcesses().filter(h -> {
            List<String> args = h.info().arguments().map(List::of).orElse(List.of());
            String cmd = h.info().command().orElse("");
            return cmd.contains("qemu-system") && args.stream().anyMatch(a -> deadWorkDirs.stream()
                    .anyMatch(d -> a.contains(d.toString() + "/")));
        }).toList();
        List<Long> killed = new ArrayList<>();
        for (ProcessHandle h : orphans) {
            h.destroy();
        }
        for (ProcessHandle h : orphans) {
            try {
                h.onExit().get(5, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                h.destroyForcibly();
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                h.destroyForcibly();
            }
            killed.add(h.pid());
        }
        return killed;
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
