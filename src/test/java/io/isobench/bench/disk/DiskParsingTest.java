package io.isobench.bench.disk;

import io.isobench.TestFixtures;
import io.isobench.bench.CommandBenchmark;
import io.isobench.bench.Metric;
import io.isobench.bench.Params;
import io.isobench.bench.Sample;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** fio, dd and sysbench fileio parsers on real captured outputs (fixtures/fio, dd, sysbench; see COMMANDS.md there). */
class DiskParsingTest {
    private static Params fio(String pattern, String block) {
        return new Params(Map.of("pattern", pattern, "block", block, "size", "64M", "time", "2s", "direct", "1"));
    }

    private static double value(List<Sample> samples, Metric m) {
        return samples.stream().filter(s -> s.metric().equals(m)).findFirst().orElseThrow().value();
    }

    @Test
    void fioRandreadFigures() throws Exception {
        List<Sample> s = DiskFioBenchmark.parse(TestFixtures.read("fio/randread-4k-native.json"), fio("randread", "4K"));
        assertThat(s).extracting(Sample::metric).containsExactly(DiskFioBenchmark.READ_MIB, DiskFioBenchmark.IOPS,
                DiskFioBenchmark.CLAT_P50, DiskFioBenchmark.CLAT_P99);
        // bw_bytes 75036672, iops 18319.5, clat p50 47872 ns, p99 94720 ns as printed
        assertThat(value(s, DiskFioBenchmark.READ_MIB)).isCloseTo(75036672 / 1048576.0, within(1e-9));
        assertThat(value(s, DiskFioBenchmark.IOPS)).isEqualTo(18319.5);
        assertThat(value(s, DiskFioBenchmark.CLAT_P50)).isEqualTo(47.872);
        assertThat(value(s, DiskFioBenchmark.CLAT_P99)).isEqualTo(94.72);
    }

    @Test
    void fioEveryPatternReadsItsOwnDirection() throws Exception {
        for (String pattern : List.of("randread", "randwrite", "read", "write")) {
            List<Sample> s = DiskFioBenchmark.parse(TestFixtures.read("fio/" + pattern + "-128k-native.json"),
                    fio(pattern, "128K"));
            Metric bw = pattern.contains("read") ? DiskFioBenchmark.READ_MIB : DiskFioBenchmark.WRITE_MIB;
            assertThat(value(s, bw)).as(pattern).isGreaterThan(10);
            assertThat(value(s, DiskFioBenchmark.CLAT_P50)).isLessThanOrEqualTo(value(s, DiskFioBenchmark.CLAT_P99));
            // MiB/s and IOPS agree at 128 KiB per I/O
            assertThat(value(s, bw) * 8).as(pattern).isCloseTo(value(s, DiskFioBenchmark.IOPS),
                    within(value(s, DiskFioBenchmark.IOPS) * 0.01));
        }
    }

    @Test
    void fioTrialOutputWithIsobenchHeaderAndMarker() throws Exception {
        String raw = TestFixtures.read("fio/write-128k-runsc-trial.txt");
        assertThat(FioOutput.directMarker(raw)).isEqualTo("1");
        assertThat(value(DiskFioBenchmark.parse(raw, fio("write", "128K")), DiskFioBenchmark.WRITE_MIB)).isGreaterThan(10);
    }

    @Test
    void fioDirectIoRefusedIsAParseErrorNotAZero() {
        assertThatThrownBy(() -> DiskFioBenchmark.parse(TestFixtures.read("fio/randwrite-4k-ramfs-direct-error.json"),
                fio("randwrite", "4K"))).isInstanceOf(CommandBenchmark.ParseException.class).hasMessageContaining("error 22");
        // the fallback in the trial script keys on what fio says on stderr
        assertThat(TestFixtures.read("fio/randwrite-4k-ramfs-direct-error.stderr.txt")).containsIgnoringCase("direct");
    }

    @Test
    void fioGarbage() {
        assertThatThrownBy(() -> DiskFioBenchmark.parse("fio: unknown option\n", fio("read", "4K")))
                .isInstanceOf(CommandBenchmark.ParseException.class);
        assertThatThrownBy(() -> DiskFioBenchmark.parse("{\"jobs\": []}", fio("read", "4K")))
                .isInstanceOf(CommandBenchmark.ParseException.class);
    }

    @Test
    void fioScriptRetriesBufferedOnlyWhenDirectIsRequested() {
        String direct = DiskFioBenchmark.script("/usr/bin/fio", fio("randread", "4K"));
        assertThat(direct).contains("--direct=1", "--direct=0", "O_DIRECT not supported here", "--output-format=json",
                "--bs=4K", "--rw=randread", "--size=64M", "--runtime=2");
        String buffered = DiskFioBenchmark.script("/usr/bin/fio", fio("randread", "4K").with("direct", "0"));
        assertThat(buffered).doesNotContain("--direct=1").contains("--direct=0", "direct=0 requested");
    }

    @Test
    void ddSummary() throws Exception {
        DdOutput.Copy c = DdOutput.parse(TestFixtures.read("dd/dd-4k-native.txt"));
        assertThat(c.bytes()).isEqualTo(67108864L);
        assertThat(c.seconds()).isEqualTo(0.176526);
        assertThat(c.mibPerSecond()).isCloseTo(64 / 0.176526, within(1e-6));
        assertThat(DdOutput.parse(TestFixtures.read("dd/dd-128k-native.txt")).seconds()).isEqualTo(0.0440275);
        assertThat(DdOutput.parse(TestFixtures.read("dd/dd-128k-runsc-trial.txt")).bytes()).isEqualTo(33554432L);
        assertThatThrownBy(() -> DdOutput.parse("512+0 records in\n512+0 records out\n"))
                .isInstanceOf(CommandBenchmark.ParseException.class);
    }

    @Test
    void ddScriptWritesSizeInBlocks() {
        String s = DiskDdBenchmark.script("/usr/bin/dd", new Params(Map.of("block", "128K", "size", "32M")));
        assertThat(s).contains("bs=131072 count=256 conv=fsync");
    }

    @Test
    void sysbenchFileio() throws Exception {
        List<Sample> rd = DiskFileioBenchmark.parse(TestFixtures.read("sysbench/fileio-seqrd-native.txt"), "seqrd");
        assertThat(value(rd, DiskFioBenchmark.READ_MIB)).isEqualTo(9987.53);
        assertThat(value(rd, DiskFileioBenchmark.OPS)).isEqualTo(639201.73);
        List<Sample> wr = DiskFileioBenchmark.parse(TestFixtures.read("sysbench/fileio-seqwr-native.txt"), "seqwr");
        assertThat(value(wr, DiskFioBenchmark.WRITE_MIB)).isEqualTo(1027.14);
        assertThat(value(wr, DiskFileioBenchmark.OPS)).isEqualTo(65737.23);
        List<Sample> rewr = DiskFileioBenchmark.parse(TestFixtures.read("sysbench/fileio-seqrewr-native.txt"), "seqrewr");
        assertThat(value(rewr, DiskFioBenchmark.WRITE_MIB)).isEqualTo(208.65);
        assertThat(value(DiskFileioBenchmark.parse(TestFixtures.read("sysbench/fileio-seqrd-runsc-trial.txt"), "seqrd"),
                DiskFioBenchmark.READ_MIB)).isPositive();
        // a read figure asked of a write run is zero: an error, not a sample
        assertThatThrownBy(() -> DiskFileioBenchmark.parse(TestFixtures.read("sysbench/fileio-seqwr-native.txt"), "seqrd"))
                .isInstanceOf(CommandBenchmark.ParseException.class);
    }
}
