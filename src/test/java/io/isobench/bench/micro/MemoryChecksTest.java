package io.isobench.bench.micro;

import io.isobench.TestFixtures;
import io.isobench.bench.CommandBenchmark;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The memory benchmark's parse runs sysbench's check: a run with no events fails (fixture: sysbench/COMMANDS.md). */
class MemoryChecksTest {
    @Test
    void memoryRunWithNoEventsFails() {
        String none = TestFixtures.read("sysbench/memory-total-below-block.txt");
        assertThatThrownBy(() -> new MemoryBenchmark().parse(none, null))
                .isInstanceOf(CommandBenchmark.CheckFailed.class);
    }
}
