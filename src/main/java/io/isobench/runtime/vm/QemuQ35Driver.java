package io.isobench.runtime.vm;

/** A traditional full VM: QEMU's q35 machine (PCIe, ACPI, SeaBIOS), virtio-pci devices, direct kernel boot. */
public final class QemuQ35Driver extends QemuDriver {
    @Override
    public String id() {
        return "qemu";
    }

    @Override
    public String description() {
        return "QEMU full VM (q35 machine, virtio-pci; KVM when usable, else TCG)";
    }

    @Override
    protected String machine() {
        return "q35";
    }

    @Override
    protected String virtioSerialDevice() {
        return "virtio-serial-pci";
    }

    @Override
    protected String virtioBlkDevice() {
        return "virtio-blk-pci";
    }

    @Override
    protected String virtioNetDevice() {
        return "virtio-net-pci";
    }
}
