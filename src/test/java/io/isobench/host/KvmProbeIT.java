package io.isobench.host;

import io.isobench.proc.Proc;
import io.isobench.proc.ProcResult;
import io.isobench.util.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The probe firmware must really run to completion under emulation; otherwise a KVM timeout would mean nothing. */
class KvmProbeIT {
    @TempDir
    Path dir;

    @Test
    void probeGuestCompletesUnderTcg() throws Exception {
        String qemu = Tools.which("qemu-system-x86_64");
        assumeTrue(qemu != null, "qemu-system-x86 is not installed");
        Path fw = dir.resolve("fw.bin");
        Files.write(fw, KvmProbe.firmware());
        assertThat(Files.size(fw)).isEqualTo(64 * 1024);
        ProcResult r = Proc.of(KvmProbe.argv(qemu, "tcg", fw)).timeout(Duration.ofSeconds(20)).run();
        assertThat(r.exitCode()).as(r.combinedOutput()).isEqualTo(KvmProbe.EXPECTED_EXIT);
    }

    @Test
    void verdictIsConsistentWithTheDevice() {
        HostFacts.KvmStatus s = new KvmProbe().probe();
        if (!Files.exists(Path.of("/dev/kvm"))) {
            assertThat(s.present()).isFalse();
            assertThat(s.usable()).isFalse();
        } else if (Tools.which("qemu-system-x86_64") != null) {
            assertThat(s.summary()).matches("usable \\(probe guest ran in \\d+ ms\\)"
                    + "|present, unusable \\(probe guest did not boot in 3 s\\)|present, unusable \\(probe guest failed: .*\\)");
        }
    }
}
