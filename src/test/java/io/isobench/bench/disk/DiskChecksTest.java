package io.isobench.bench.disk;

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
class DiskChecksTest {
    @Test
    void fioJobErrorFailsInFiosWords() {
        Params p = new Params(Map.of("pattern", "randwrite", "block", "4K"));
        assertThatThrownBy(() -> DiskFioBenchmark.parse(TestFixtures.read("fio/randwrite-4k-ramfs-direct-error.json"), p))
                .isInstanceOf(CommandBenchmark.CheckFailed.class).hasMessageStartingWith("fio: job 'disk' reported error 22");
        assertThatCode(() -> DiskFioBenchmark.parse(TestFixtures.read("fio/randwrite-128k-native.json"),
                new Params(Map.of("pattern", "randwrite", "block", "128K")))).doesNotThrowAnyException();
    }

    @Test
    void ddMustCopyEveryByteAskedFor() throws Exception {
        String full = TestFixtures.read("dd/dd-4k-native.txt"); // bs=4k count=16384
        DdOutput.check(DdOutput.parse(full), 4096L * 16384, full);
        String shortInput = TestFixtures.read("dd/dd-4k-short-input.txt");
        assertThatThrownBy(() -> DdOutput.check(DdOutput.parse(shortInput), 4096L * 16384, shortInput))
                .isInstanceOf(CommandBenchmark.CheckFailed.class)
                .hasMessage("dd copied 100000 of the 67108864 bytes asked for: "
                        + "'24+1 records out; 100000 bytes (100 kB, 98 KiB) copied, 0.00142378 s, 70.2 MB/s'");
        assertThatThrownBy(() -> DdOutput.parse(TestFixtures.read("dd/dd-4k-from-dev-null.txt")))
                .isInstanceOf(CommandBenchmark.CheckFailed.class).hasMessageContaining("'0+0 records out; 0 bytes copied");
        Params p = new Params(Map.of("block", "4K", "size", "64M"));
        assertThat(DiskDdBenchmark.expectedBytes(p)).isEqualTo(4096L * 16384);
    }

    @Test
    void sysbenchFileioUnpreparedFailsInSysbenchsWords() {
        assertThatThrownBy(() -> DiskFileioBenchmark.parse(TestFixtures.read("sysbench/fileio-seqrd-unprepared.txt"), "seqrd"))
                .isInstanceOf(CommandBenchmark.CheckFailed.class)
                .hasMessage("sysbench: 'FATAL: Cannot open file 'test_file.0' errno = 2 (No such file or directory)'");
    }
}
