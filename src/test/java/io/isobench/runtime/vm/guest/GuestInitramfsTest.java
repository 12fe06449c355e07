package io.isobench.runtime.vm.guest;

import io.isobench.image.WorkloadImage;
import io.isobench.runtime.LaunchSpec;
import io.isobench.runtime.Limits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The guest's /init is a resource file; it must frame the workload as {@link GuestConsole} reads it. */
class GuestInitramfsTest {
    @Test
    void anImageTooLargeForTheGuestsMemoryIsRefusedWithTheMemoryItWouldNeed() {
        io.isobench.image.WorkloadImage ml = new io.isobench.image.WorkloadImage("a".repeat(64), java.nio.file.Path.of("/x"),
                java.util.Map.of(), 6211, 735_670_434L, java.util.List.of(), java.util.Map.of(), java.util.Map.of());
        assertThat(GuestInitramfs.tooLarge(ml, 2048L << 20)).contains("701 MiB", "at least 2105 MiB", "2048 MiB given");
        assertThat(GuestInitramfs.tooLarge(ml, 4096L << 20)).isNull();
        io.isobench.image.WorkloadImage sysbench = new io.isobench.image.WorkloadImage("b".repeat(64),
                java.nio.file.Path.of("/x"), java.util.Map.of(), 40, 5_000_000L, java.util.List.of(), java.util.Map.of(),
                java.util.Map.of());
        assertThat(GuestInitramfs.tooLarge(sysbench, 256L << 20)).isNull();
    }

    @Test
    void initFramesTheWorkloadWithTheConsoleMarkers() {
        String init = GuestInitramfs.initScript();
        assertThat(init).startsWith("#!/.isobench/busybox sh\n").endsWith("$BB $HALT -f\n");
        // poweroff unless the VMM asks for a reboot (Firecracker: no ACPI power-off; reboot=k makes it exit)
        assertThat(init).contains("HALT=poweroff", "isobench.halt=reboot) HALT=reboot;;");
        assertThat(init).contains("echo \"" + GuestConsole.beginMarker("$NONCE") + "\" >&3");
        assertThat(init).contains("isobench.nonce=*)", "isobench.scratch=*)", "isobench.ip=*)", "isobench.gw=*)");
        assertThat(ScratchDisk.KERNEL_PARAM).startsWith("isobench.scratch=");
        assertThat(init).contains("/.isobench/modules.order", "/.isobench/modules.net", "$BB sh /isobench/cmd");
        assertThat(init.lines().filter(l -> l.startsWith(" ") && !l.startsWith("  "))).as("text-block indentation left over")
                .isEmpty();
    }

    /**
     * QEMU microvm loads the initrd to end in the last page of low RAM, where its ACPI tables are: an initrd whose size
     * mod 4096 was above ~3200 overwrote them and the guest hung before /init (DiskIT's fio image with a longer /init).
     */
    @Test
    void theLaunchInitrdIsAWholeNumberOfPagesWithTheCommandArchiveBeforeTheNuls(@TempDir Path dir) throws Exception {
        WorkloadImage image = new WorkloadImage("c".repeat(64), dir, Map.of(), 1, 1, List.of(), Map.of(), Map.of());
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (Cpio c = new Cpio(b)) {
            c.file("init", 0755, "#!/bin/sh\n".getBytes(StandardCharsets.UTF_8));
        }
        Path base = Files.write(dir.resolve("base.cpio"), b.toByteArray());
        for (int argLength : new int[] {1, 1000, 3000, 3700, 4100}) {
            LaunchSpec spec = LaunchSpec.builder("t", image, new Limits(1, 64L << 20)).argv(List.of("x".repeat(argLength))).build();
            Path out = dir.resolve("launch-" + argLength + ".initrd");
            GuestInitramfs.writeLaunchInitrd(base, out, spec);
            byte[] all = Files.readAllBytes(out);
            assertThat(all.length % 4096).as("size of the initrd with an argument of %d bytes", argLength).isZero();
            assertThat(Arrays.copyOf(all, b.size())).isEqualTo(b.toByteArray());
            String tail = new String(all, b.size(), all.length - b.size(), StandardCharsets.ISO_8859_1);
            int trailer = tail.indexOf("TRAILER!!!");
            assertThat(tail).startsWith("070701").contains("isobench/cmd", "x".repeat(argLength));
            assertThat(trailer).isPositive();
            assertThat(tail.substring(trailer + "TRAILER!!!".length())).matches("\\x00*");
        }
    }
}
