package io.isobench.runtime.vm.guest;

import org.junit.jupiter.api.Test;

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
}
