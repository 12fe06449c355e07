package io.isobench.runtime.vm;

import java.util.List;

/**
 * QEMU's microvm machine: no PCI, virtio-mmio devices found through ACPI, qboot firmware, direct kernel
 * boot. Without HPET/PM timer the guest cannot calibrate its TSC reliably under TCG and hangs at early
 * boot about half the time, so the host's TSC frequency is passed as {@code tsc_early_khz}; {@code tsc=reliable}
 * makes the TSC the guest's clocksource (else it is refined-jiffies, too coarse for latency metrics).
 */
public final class QemuMicrovmDriver extends QemuDriver {
    @Override
    public String id() {
        return "qemu-microvm";
    }

    @Override
    public String description() {
        return "QEMU microvm (virtio-mmio, minimal machine; KVM when usable, else TCG)";
    }

    @Override
    protected String machine() {
        return "microvm";
    }

    @Override
    protected String virtioSerialDevice() {
        return "virtio-serial-device";
    }

    @Override
    protected List<String> extraKernelParams() {
        long khz = hostTscKhz();
        // tsc=reliable: otherwise the guest clock is refined-jiffies (4 ms steps) and sysbench latencies read 0.00
        return khz > 0 ? List.of("tsc_early_khz=" + khz, "tsc=reliable") : List.of("tsc=reliable");
    }

    @Override
    protected String virtioBlkDevice() {
        return "virtio-blk-device";
    }

    @Override
    protected String virtioNetDevice() {
        return "virtio-net-device";
    }
}
