package io.isobench.bench.sysbench;

import io.isobench.TestFixtures;
import io.isobench.bench.CommandBenchmark;
import io.isobench.bench.Params;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Each trial checks that its tool did what was asked, on real captured outputs: passing ones from the parser
 * fixtures, failing ones captured against a broken setup (the .cmd files and COMMANDS.md say how).
 */
class SysbenchChecksTest {
    @ParameterizedTest
    @ValueSource(strings = {"sysbench/cpu-native.txt", "sysbench/cpu-runsc-ptrace.txt", "sysbench/memory-seq-write.txt",
            "sysbench/memory-rnd-write-1M.txt", "sysbench/fileio-seqrd-native.txt", "sysbench/fileio-seqwr-native.txt",
            "sysbench/oltp_read_write-t4-loopback.txt", "sysbench/oltp_read_only-runsc-trial.txt"})
    void sysbenchRunsThatDidTheirWorkPass(String fixture) {
        assertThatCode(() -> new SysbenchOutput(TestFixtures.read(fixture)).check()).doesNotThrowAnyException();
    }

    @Test
    void sysbenchNoEventsOrFatalFails() {
        // exit 0, every figure present and zero
        String none = TestFixtures.read("sysbench/memory-total-below-block.txt");
        assertThatThrownBy(() -> new SysbenchOutput(none).check()).isInstanceOf(CommandBenchmark.CheckFailed.class)
                .hasMessage("sysbench did no work: 'total number of events:              0'");
    }
}
