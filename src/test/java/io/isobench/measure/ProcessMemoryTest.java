package io.isobench.measure;

import io.isobench.TestFixtures;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProcessMemoryTest {
    @Test
    void parsesSmapsRollupOfAnIdleProcess() {
        ProcessMemory m = ProcessMemory.parseSmapsRollup(TestFixtures.read("proc/smaps_rollup-sleep.txt"));
        assertThat(m.rssBytes()).isEqualTo(2044L * 1024);
        assertThat(m.pssBytes()).isEqualTo(475L * 1024);       // not Pss_Dirty/Pss_Anon/Pss_File
        assertThat(m.ussBytes()).isEqualTo((0L + 200) * 1024); // Private_Clean + Private_Dirty
        assertThat(m.swapBytes()).isZero();                    // not SwapPss
    }

    @Test
    void parsesTheShell() {
        ProcessMemory m = ProcessMemory.parseSmapsRollup(TestFixtures.read("proc/smaps_rollup-bash.txt"));
        assertThat(m).isEqualTo(new ProcessMemory(1092L * 1024, (8L + 344) * 1024, 4116L * 1024, 0));
        assertThat(m.ussBytes()).isLessThanOrEqualTo(m.pssBytes());
        assertThat(m.pssBytes()).isLessThanOrEqualTo(m.rssBytes());
    }

    /** A running qemu-microvm with -m 2048M (fixture: its full smaps): the guest RAM is one anonymous 2 GiB mapping. */
    @Test
    void findsAVmmsGuestRamMappingBySize() {
        String smaps = TestFixtures.read("proc/smaps-qemu-microvm.txt");
        ProcessMemory ram = ProcessMemory.parseMappingsOfSize(smaps, 2048L << 20);
        assertThat(ram).isEqualTo(new ProcessMemory(165888L * 1024, 165888L * 1024, 165888L * 1024, 0));
        ProcessMemory whole = ProcessMemory.parseSmapsRollup(smaps);
        assertThat(whole.pssBytes()).isGreaterThan(ram.pssBytes()); // the rest is the VMM's own
        assertThat(ProcessMemory.parseMappingsOfSize(smaps, 1024L << 20)).as("no mapping of that size").isNull();
        assertThat(ProcessMemory.parseMappingsOfSize(smaps, 11348L << 10)).as("[heap] is named, not guest RAM").isNull();
        assertThat(ProcessMemory.parseMappingsOfSize(smaps, 4124L << 10)).as("file-backed (the qemu binary)").isNull();
    }

    @Test
    void rejectsTextWithoutSizes() {
        assertThatThrownBy(() -> ProcessMemory.parseSmapsRollup("55f7011c0000-7ffd9f5c2000 ---p 00000000 00:00 0 [rollup]\n"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void sumsLiveProcessesAndNamesThoseItCannotRead() {
        long self = ProcessHandle.current().pid();
        ProcessMemory.Total t = ProcessMemory.sum(List.of(self, 999_999_999L));
        assertThat(t.memory().rssBytes()).isGreaterThan(1L << 20);
        assertThat(t.memory().pssBytes()).isPositive();
        assertThat(t.lines()).hasSize(1).first().asString().contains("pss=");
        assertThat(t.unreadable()).containsExactly(999_999_999L);
        assertThat(ProcessMemory.memAvailableBytes()).isPositive();
    }
}
