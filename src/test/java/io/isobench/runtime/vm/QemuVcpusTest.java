package io.isobench.runtime.vm;

import io.isobench.TestFixtures;
import io.isobench.util.CpuSet;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class QemuVcpusTest {
    @Test
    void vcpuThreadsFromARealQueryCpusFastAnswer() throws IOException {
        List<String> lines = TestFixtures.read("qemu/qmp-query-cpus-fast-microvm-smp2.txt").lines().toList();
        // the top-level thread-id is the host thread; props.thread-id (0 for both) is the SMT thread in the core
        assertThat(QemuVcpus.parseCpus(lines.get(2))).containsExactly(
                java.util.Map.entry(0, 7499L), java.util.Map.entry(1, 7500L));
    }

    @Test
    void anErrorOrEmptyAnswerIsNoThreadList() {
        assertThatThrownBy(() -> QemuVcpus.parseCpus("{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"x\"}}"))
                .isInstanceOf(IOException.class);
        assertThatThrownBy(() -> QemuVcpus.parseCpus("{\"return\": []}")).isInstanceOf(IOException.class);
    }

    @Test
    void vcpusGoOneToOneOntoTheSetThenRoundRobin() {
        CpuSet set = CpuSet.parse("2,5", "t");
        assertThat(QemuVcpus.hostCpu(set, 0)).isEqualTo(2);
        assertThat(QemuVcpus.hostCpu(set, 1)).isEqualTo(5);
        assertThat(QemuVcpus.hostCpu(set, 2)).isEqualTo(2);
    }

    @Test
    void pinnedGuestsGetAtMostOneVcpuPerPinnedCpu() {
        io.isobench.runtime.Limits l = new io.isobench.runtime.Limits(2, 1L << 30);
        assertThat(QemuDriver.vcpus(l)).isEqualTo(2);
        assertThat(QemuDriver.vcpus(l.pinned(CpuSet.parse("1", "t"), null))).isEqualTo(1);
        assertThat(QemuDriver.vcpus(new io.isobench.runtime.Limits(0.5, 1L << 30))).isEqualTo(1);
    }
}
