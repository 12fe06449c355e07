package io.isobench.bench.micro;

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

class SysbenchParsingTest {
    private static final Params CPU = new Params(Map.of("max_prime", "20000", "threads", "1", "time", "3s"));

    private static double value(List<Sample> samples, Metric m) {
        return samples.stream().filter(s -> s.metric().equals(m)).findFirst().orElseThrow().value();
    }

    @Test
    void cpuNative() throws Exception {
        List<Sample> s = new CpuBenchmark().parse(TestFixtures.read("sysbench/cpu-native.txt"), CPU);
        assertThat(s).hasSize(4);
        String text = TestFixtures.read("sysbench/cpu-native.txt");
        // the figures exactly as printed in the fixture
        assertThat(text).contains("events per second:  " + fmt(value(s, CpuBenchmark.EVENTS_PER_SECOND)));
        assertThat(value(s, CpuBenchmark.LATENCY_MIN)).isLessThanOrEqualTo(value(s, CpuBenchmark.LATENCY_AVG));
        assertThat(value(s, CpuBenchmark.LATENCY_AVG)).isLessThanOrEqualTo(value(s, CpuBenchmark.LATENCY_P95));
    }

    private static String fmt(double d) {
        return String.format(java.util.Locale.ROOT, "%.2f", d);
    }

    @Test
    void cpuInsideRunsc() throws Exception {
        List<Sample> s = new CpuBenchmark().parse(TestFixtures.read("sysbench/cpu-runsc-ptrace.txt"), CPU);
        assertThat(value(s, CpuBenchmark.EVENTS_PER_SECOND)).isGreaterThan(100);
    }

    @Test
    void memorySequentialAndRandom() throws Exception {
        MemoryBenchmark mb = new MemoryBenchmark();
        List<Sample> seq = mb.parse(TestFixtures.read("sysbench/memory-seq-write.txt"), CPU);
        assertThat(value(seq, MemoryBenchmark.THROUGHPUT)).isCloseTo(6605.16, within(1e-9));
        assertThat(value(seq, MemoryBenchmark.OPS)).isCloseTo(6763684.59, within(1e-6));
        List<Sample> rnd = mb.parse(TestFixtures.read("sysbench/memory-rnd-write.txt"), CPU);
        assertThat(value(rnd, MemoryBenchmark.THROUGHPUT)).isPositive().isLessThan(value(seq, MemoryBenchmark.THROUGHPUT));
    }

    @Test
    void memoryStoppedBySizeNotTime() throws Exception {
        List<Sample> s = new MemoryBenchmark().parse(TestFixtures.read("sysbench/memory-seq-write-total-limited.txt"), CPU);
        assertThat(value(s, MemoryBenchmark.THROUGHPUT)).isCloseTo(6723.39, within(1e-9));
    }

    @Test
    void paddedSmallRates() throws Exception {
        List<Sample> s = new MemoryBenchmark().parse(TestFixtures.read("sysbench/memory-rnd-write-1M.txt"), CPU);
        String text = TestFixtures.read("sysbench/memory-rnd-write-1M.txt");
        assertThat(text).containsPattern("\\(\\s+[0-9.]+ per second\\)");
        assertThat(value(s, MemoryBenchmark.OPS)).isPositive();
        assertThat(value(s, MemoryBenchmark.THROUGHPUT)).isPositive();
    }

    @Test
    void errorOutputIsAParseFailureNamingWhatIsMissing() {
        assertThatThrownBy(() -> new CpuBenchmark().parse(TestFixtures.read("sysbench/cpu-bad-arg.txt"), CPU))
                .isInstanceOf(CommandBenchmark.ParseException.class).hasMessageContaining("events per second");
        assertThatThrownBy(() -> new MemoryBenchmark().parse(TestFixtures.read("sysbench/cpu-native.txt"), CPU))
                .isInstanceOf(CommandBenchmark.ParseException.class).hasMessageContaining("MiB");
    }

    @Test
    void memoryCasesOnePerAccessModeAndBlockSize() {
        MemoryBenchmark mb = new MemoryBenchmark();
        Params p = new Params(Map.of("access_mode", "seq,rnd", "oper", "write", "block_size", "1K,1M",
                "total_size", "100G", "threads", "1", "time", "10s"));
        assertThat(mb.cases(p)).extracting(c -> c.get("block_size") + "/" + c.get("access_mode"))
                .containsExactly("1K/seq", "1K/rnd", "1M/seq", "1M/rnd");
    }
}
