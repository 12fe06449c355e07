package io.isobench.runtime.vm.guest;

import io.isobench.proc.ProcResult;
import io.isobench.runtime.LaunchSpec;
import io.isobench.runtime.Limits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A guest that shows nothing before its workload starts is recognised as stalled at the bound, not at the timeout. */
class BootWatchTest {
    @TempDir
    Path dir;

    @Test
    void aSilentBootIsCutAtTheBoundWithTheReason() throws Exception {
        Path initrd = Files.writeString(dir.resolve("i"), "");
        Path serial = Files.writeString(dir.resolve("console.log"), "Probing EDD (edd=off to disable)... ");
        LaunchSpec spec = LaunchSpec.builder("isobench-test-bootwatch", null, new Limits(1, 64L << 20))
                .argv(List.of("sleep", "120")).build();
        try (GuestSandbox s = new GuestSandbox(spec, List.of("sleep", "120"), "QEMU", "n0nce", initrd, serial, null, null,
                64L << 20).watchBoot(Duration.ofSeconds(1))) {
            ProcResult r = s.await(Duration.ofSeconds(60));
            assertThat(r.timedOut()).as("cut by the watch, long before the 60 s timeout").isFalse();
            assertThat(r.ok()).isFalse();
            assertThat(r.stderr()).contains("the guest stalled: no console output for 1 s").contains("Probing EDD");
            assertThat(s.stalled()).isNotNull();
        }
    }

    @Test
    void aBootThatKeepsPrintingIsNotCut() throws Exception {
        Path initrd = Files.writeString(dir.resolve("i"), "");
        Path serial = Files.writeString(dir.resolve("console.log"), "");
        List<String> argv = List.of("sh", "-c", "for i in 1 2 3 4 5 6; do echo booting $i; sleep 0.5; done");
        LaunchSpec spec = LaunchSpec.builder("isobench-test-bootwatch2", null, new Limits(1, 64L << 20)).argv(argv).build();
        try (GuestSandbox s = new GuestSandbox(spec, argv, "QEMU", "n0nce", initrd, serial, null, null, 64L << 20)
                .watchBoot(Duration.ofSeconds(2))) {
            ProcResult r = s.await(Duration.ofSeconds(60));
            assertThat(s.stalled()).as("3 s of output, never 2 s of silence").isNull();
            assertThat(r.stderr()).contains("ended without reporting an exit status");
        }
    }
}
