package io.isobench.runtime.vm;

import io.isobench.runtime.vm.guest.ImageDisk;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** QEMU attaches a large image's disk read-only, on its machine's virtio-blk device, with the serial /init finds it by. */
class QemuImageDiskTest {
    @Test
    void theImageDiskIsReadOnlyRawOnTheMachinesVirtioBlk() {
        assertThat(new QemuMicrovmDriver().imageDiskArgs(Path.of("/c/disk/x.ext4"))).containsExactly(
                "-drive", "file=/c/disk/x.ext4,if=none,id=ro,format=raw,readonly=on",
                "-device", "virtio-blk-device,drive=ro,serial=" + ImageDisk.SERIAL);
        assertThat(new QemuQ35Driver().imageDiskArgs(Path.of("/d.ext4")).get(3)).startsWith("virtio-blk-pci,drive=ro,");
    }
}
