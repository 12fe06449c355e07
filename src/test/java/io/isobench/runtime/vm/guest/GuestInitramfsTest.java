package io.isobench.runtime.vm.guest;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The guest's /init is a resource file; it must frame the workload as {@link GuestConsole} reads it. */
class GuestInitramfsTest {
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
