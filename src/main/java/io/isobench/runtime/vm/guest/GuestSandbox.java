package io.isobench.runtime.vm.guest;

import io.isobench.proc.ProcResult;
import io.isobench.runtime.LaunchSpec;
import io.isobench.runtime.ProcessSandbox;
import io.isobench.runtime.RuntimeDriver;
import io.isobench.runtime.Sandbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * One VM: a {@link ProcessSandbox} around the VMM process, whose stdout (the guest's serial port) is filtered through
 * {@link GuestConsole}: the workload's output is what lies between the BEGIN and EXIT markers, its exit status the EXIT
 * marker's (a VMM exits 0 on poweroff and on SIGTERM alike), its elapsed time BEGIN to EXIT; the boot (launch to BEGIN)
 * is the {@link Phase#BOOTED} phase and a line on stderr. Teardown deletes the per-launch files and closes the network.
 */
public final class GuestSandbox implements Sandbox {
    private static final int SERIAL_TAIL_LINES = 80;
    private final ProcessSandbox inner;
    private final GuestConsole console;
    private final Path serial;
    private final GuestNet net;
    private final String vmm;
    private volatile String serialLog;
    private volatile String scratchStorage;
    private volatile String cpuPlacement;
    private volatile String logLabel = "guest kernel console, hvc0";
    private volatile Runnable afterTeardown = () -> { };
    private final long guestMemoryBytes;
    private volatile long lastOutputNanos = System.nanoTime();
    private volatile String stalled;
    /** Set when a checkpoint took the network over for the restored instance: teardown then leaves it alone. */
    private final java.util.concurrent.atomic.AtomicBoolean netKept = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * @param vmm              the VMM's name for messages ("QEMU")
     * @param initrd           the per-launch initramfs, deleted at teardown
     * @param serial           the kernel console's log file (diagnostics on failure), deleted at teardown
     * @param disk             the scratch disk file or null, deleted at teardown
     * @param net              the guest's network path or null, told at BEGIN and closed at teardown
     * @param guestMemoryBytes the guest's memory as the VMM was given it
     */
    public GuestSandbox(LaunchSpec spec, List<String> argv, String vmm, String nonce, Path initrd, Path serial, Path disk,
                        GuestNet net, long guestMemoryBytes) throws RuntimeDriver.LaunchException {
        this(spec, argv, vmm, nonce, initrd, serial, disk, net, guestMemoryBytes, false);
    }

    /**
     * As above; {@code resumed}: the VMM restores a guest saved after its BEGIN marker, so its output is framed from
     * the start ({@link GuestConsole#resumeInside()}) and {@code net} is told nothing at BEGIN (the driver brings the
     * restored guest's network path up itself).
     */
    public GuestSandbox(LaunchSpec spec, List<String> argv, String vmm, String nonce, Path initrd, Path serial, Path disk,
                        GuestNet net, long guestMemoryBytes, boolean resumed) throws RuntimeDriver.LaunchException {
        this.vmm = vmm;
        this.serial = serial;
        this.net = net;
        this.guestMemoryBytes = guestMemoryBytes;
        LaunchSpec.LineListener user = spec.onLine();
        this.console = new GuestConsole(nonce, user == null ? null : user::line);
        if (resumed) {
            console.resumeInside();
        }
        if (net != null && !resumed) {
            // the guest's eth0 is up at BEGIN: only now do slirp's host ports forward (see QemuUserNet)
            // off the output reader's thread: the monitor dialogue may take a while, and that thread relays every sandbox's output
            console.onBegin(() -> Thread.ofVirtual().name("guest-net-up-" + spec.name()).start(net::guestNetworkUp));
        }
        LaunchSpec filtered = spec.withOnLine((line, t) -> {
            lastOutputNanos = System.nanoTime();
            console.line(line, t);
        });
        Runnable teardown = () -> {
            try {
                if (Files.exists(serial)) {
                    serialLog = io.isobench.util.LogTail.read(serial, StandardCharsets.ISO_8859_1);
                }
            } catch (IOException ignored) {
                // diagnostic only
            }
            GuestInitramfs.deleteQuietly(initrd);
            GuestInitramfs.deleteQuietly(serial);
            if (disk != null) {
                GuestInitramfs.deleteQuietly(disk);
            }
            if (net != null && !netKept.get()) {
                net.close(); // releases the host ports or deletes the namespace (QEMU, which used them, is gone)
            }
            afterTeardown.run();
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

    /** What the {@code serial} file holds, for the tail shown on failure (default: the kernel console on hvc0). */
    public GuestSandbox logLabel(String label) {
        this.logLabel = label;
        return this;
    }

    /** Runs after the standard teardown (the VMM is gone): a VMM's own files, e.g. Firecracker's chroot. */
    public GuestSandbox afterTeardown(Runnable r) {
        this.afterTeardown = r;
        return this;
    }

    /** Records a VMM-specific launch milestone (e.g. Firecracker's API up), stored as {@code <name>_ms} like the others. */
    public GuestSandbox phase(String name, long atNanos) {
        inner.phase(name, atNanos);
        return this;
    }

    /**
     * Watches the boot: when neither the serial port nor the kernel console shows anything new for {@code bound} before
     * the workload started (BEGIN), the guest is taken as stalled, the VMM is killed at once and the trial fails with
     * its console, instead of waiting for the trial's timeout. The driver scales {@code bound} with the accel's measured
     * boot time.
     */
    public GuestSandbox watchBoot(Duration bound) {
        Thread.ofVirtual().name("boot-watch-" + inner.id()).start(() -> {
            long size = -1;
            while (!console.begun() && inner.exitedAtNanos() <= 0 && stalled == null) {
                try {
                    Thread.sleep(250);
                } catch (InterruptedException e) {
                    return;
                }
                long now = System.nanoTime();
                long sz;
                try {
                    sz = Files.exists(serial) ? Files.size(serial) : 0;
                } catch (IOException e) {
                    return; // torn down
                }
                if (sz != size) {
                    size = sz;
                    lastOutputNanos = Math.max(lastOutputNanos, now);
                }
                if (!console.begun() && now - lastOutputNanos > bound.toNanos()) {
                    stalled = "isobench: the guest stalled: no console output for " + bound.toSeconds()
                            + " s before its workload started (the bound scales with this accel's measured boot time);"
                            + " " + vmm + " was killed; its console is above\n";
                    for (long pid : inner.hostPids()) {
                        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                    }
                    return;
                }
            }
        });
        return this;
    }

    /** Why the boot was cut short ({@link #watchBoot}), or null. */
    public String stalled() {
        return stalled;
    }

    /**
     * Hands the network path over (a checkpoint keeps it for the restored guest, which holds its addresses): this
     * sandbox's teardown no longer closes it. Null when it has none.
     */
    public GuestNet keepNetwork() {
        netKept.set(true);
        return net;
    }

    /** Whether the VMM process still runs. */
    public boolean vmmAlive() {
        return !inner.hostPids().isEmpty();
    }

    /** Launch to BEGIN in ms, or -1 before BEGIN. */
    public long bootMillis() {
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
            err.append("isobench: guest boot ").append(bootMillis()).append(" ms (").append(vmm).append(" start to BEGIN marker)\n");
            String cs = GuestConsole.clocksource(log);
            if (cs != null) {
                err.append("isobench: guest clocksource ").append(cs).append('\n');
            }
            String tree = imageTree;
            if (tree != null) {
                err.append("isobench: image_tree=").append(tree).append('\n');
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
        } else if (rc == null && stalled != null) {
            exit = 255;
            problem = stalled;
        } else if (rc == null) {
            exit = r.exitCode() != 0 ? r.exitCode() : 255;
            problem = "isobench: the guest ended without reporting an exit status (" + vmm + " exit code "
                    + r.exitCode() + (console.begun() ? ", after the workload started" : ", before the workload started")
                    + "; its kernel console is above)\n";
        } else {
            exit = rc;
            elapsed = Duration.ofNanos(console.exitNanos() - console.beginNanos());
        }
        err.append(r.stderr());
        if (exit != 0 || r.timedOut()) {
            err.append("--- ").append(logLabel).append(" (last ").append(SERIAL_TAIL_LINES).append(" lines) ---\n")
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
    public String cpuPlacement() {
        return cpuPlacement;
    }

    /** Says how the VM's threads were pinned (see {@link io.isobench.runtime.Sandbox#cpuPlacement()}). */
    public void cpuPlacement(String description) {
        this.cpuPlacement = description;
    }

    private volatile String imageTree;

    /** How the workload image's big trees reach the guest when not in the initramfs (reported on stderr); null: all in it. */
    public void imageTree(String description) {
        this.imageTree = description;
    }

    @Override
    public String scratchStorage() {
        return scratchStorage;
    }

    /** How the workload reaches its scratch storage (set by the driver that attached the disk). */
    public void scratchStorage(String description) {
        this.scratchStorage = description;
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
