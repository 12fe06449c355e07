package io.isobench.host;

import io.isobench.proc.Proc;
import io.isobench.proc.ProcResult;
import io.isobench.util.Tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Decides whether KVM is usable by running a probe guest with {@code -accel kvm} and a timeout.
 * The probe guest is a 64 KiB firmware (resources/kvmprobe: source, build command, rationale) that
 * enters long mode with paging, runs a 16M-iteration loop and writes 0x2a to QEMU's isa-debug-exit port,
 * so QEMU exits with status (0x2a << 1) | 1 = 85: in ~10 ms with real KVM, ~70 ms under TCG. /dev/kvm
 * existing proves nothing, and neither does trivial guest code: on hosts without nested virtualization
 * the device opens and real-mode code runs, but guests crawl at ~1 M instr/s and a Linux kernel never
 * gets past its decompressor.
 */
public class KvmProbe {
    static final int EXPECTED_EXIT = (0x2a << 1) | 1;
    private final Duration timeout;
    private final Path devKvm;
    private volatile HostFacts.KvmStatus cached;
    private static final KvmProbe SHARED = new KvmProbe();

    /** The probe of this host's /dev/kvm, run at most once per process (host facts and VM drivers share it). */
    public static KvmProbe shared() {
        return SHARED;
    }

    public KvmProbe() {
        this(Duration.ofSeconds(3), Path.of("/dev/kvm"));
    }

    public KvmProbe(Duration timeout, Path devKvm) {
        this.timeout = timeout;
        this.devKvm = devKvm;
    }

    public Duration timeout() {
        return timeout;
    }

    public synchronized HostFacts.KvmStatus probe() {
        HostFacts.KvmStatus c = cached;
        if (c == null) {
            c = doProbe();
            cached = c;
        }
        return c;
    }

    private HostFacts.KvmStatus doProbe() {
        if (!Files.exists(devKvm)) {
            return new HostFacts.KvmStatus(false, false, devKvm + " does not exist");
        }
        String qemu = Tools.which("qemu-system-x86_64");
        if (qemu == null) {
            return new HostFacts.KvmStatus(true, false,
                    "not probed: qemu-system-x86_64 is not installed (apt-get install qemu-system-x86)");
        }
        Path blob = null;
        try {
            blob = Files.createTempFile(io.isobench.proc.WorkDir.get(), "kvmprobe-", ".bin");
            Files.write(blob, firmware());
            ProcResult r = Proc.of(argv(qemu, "kvm", blob)).timeout(timeout).run();
            if (r.timedOut()) {
                return new HostFacts.KvmStatus(true, false,
                        "probe guest did not boot in " + timeout.toSeconds() + " s");
            }
            if (r.exitCode() == EXPECTED_EXIT) {
                return new HostFacts.KvmStatus(true, true,
                        "probe guest ran in " + r.elapsed().toMillis() + " ms");
            }
            return new HostFacts.KvmStatus(true, false, "probe guest failed: " + r.failureSummary());
        } catch (IOException e) {
            return new HostFacts.KvmStatus(true, false, "probe could not run: " + e.getMessage());
        } finally {
            if (blob != null) {
                try {
                    Files.deleteIfExists(blob);
                } catch (IOException ignored) {
                    // temp file; best effort
                }
            }
        }
    }

    /** argv for the probe guest; {@code accel} is "kvm" or "tcg" (tests use tcg to prove the guest itself works). */
    static List<String> argv(String qemu, String accel, Path firmware) {
        return List.of(qemu, "-accel", accel, "-M", "microvm", "-nodefaults", "-no-user-config", "-display", "none",
                "-serial", "none", "-monitor", "none", "-m", "16", "-bios", firmware.toString(),
                "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04");
    }

    /** The probe firmware (64 KiB), from resources/kvmprobe/kvmprobe.bin. */
    static byte[] firmware() {
        try (var in = KvmProbe.class.getResourceAsStream("/kvmprobe/kvmprobe.bin")) {
            if (in == null) {
                throw new IllegalStateException("kvmprobe.bin missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
