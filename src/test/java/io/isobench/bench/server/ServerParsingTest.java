package io.isobench.bench.server;

import io.isobench.TestFixtures;
import io.isobench.bench.CommandBenchmark;
import io.isobench.bench.Sample;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** ab, wrk and redis-benchmark parsers on real captured outputs (fixtures/ab, wrk, redis; the .cmd files say how). */
class ServerParsingTest {
    private static double value(List<Sample> samples, String metric) {
        return samples.stream().filter(s -> s.metric().name().equals(metric)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + metric + " in " + samples)).value();
    }

    @Test
    void abEveryFigureOfTheReport() throws Exception {
        List<Sample> s = AbOutput.parse(TestFixtures.read("ab/ab-n5000-c100-loopback.txt"));
        assertThat(s).extracting(Sample::metric).containsExactlyInAnyOrderElementsOf(AbOutput.metrics());
        assertThat(value(s, "requests_per_second")).isEqualTo(20609.46);
        assertThat(value(s, "time_per_request_ms")).isEqualTo(4.852);
        assertThat(value(s, "time_per_request_all_ms")).isEqualTo(0.049);
        assertThat(value(s, "transfer_rate_kib_per_s")).isEqualTo(87167.56);
        assertThat(value(s, "failed_requests")).isZero();
        assertThat(value(s, "non_2xx_responses")).isZero();
        // Connect:        0    2   0.4      2       4
        assertThat(List.of(value(s, "connect_min_ms"), value(s, "connect_mean_ms"), value(s, "connect_sd_ms"),
                value(s, "connect_median_ms"), value(s, "connect_max_ms"))).containsExactly(0.0, 2.0, 0.4, 2.0, 4.0);
        // Waiting:        0    2   0.5      2       4 ; Total: 3 5 0.4 5 6
        assertThat(value(s, "waiting_sd_ms")).isEqualTo(0.5);
        assertThat(value(s, "processing_min_ms")).isEqualTo(1.0);
        assertThat(value(s, "total_max_ms")).isEqualTo(6.0);
        assertThat(value(s, "latency_p50_ms")).isEqualTo(5.0);
        assertThat(value(s, "latency_p98_ms")).isEqualTo(6.0);
        assertThat(value(s, "latency_p100_ms")).isEqualTo(6.0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"native", "runc", "runsc"})
    void abInsideAStoredTrial(String runtime) throws Exception {
        String raw = TestFixtures.read("ab/ab-n2000-c100-" + runtime + "-trial.txt");
        List<Sample> s = AbOutput.parse(raw);
        assertThat(value(s, "requests_per_second")).isPositive();
        // ab's mean time per request is concurrency / rate
        assertThat(value(s, "time_per_request_ms")).isCloseTo(100_000 / value(s, "requests_per_second"),
                within(value(s, "time_per_request_ms") * 0.01));
        assertThat(value(s, "latency_p50_ms")).isLessThanOrEqualTo(value(s, "latency_p100_ms"));
        assertThat(raw).contains("isobench: network path: ").contains("isobench: placement: ");
    }

    @Test
    void abPapersSettingsInRunscOnNetstack() throws Exception {
        String raw = TestFixtures.read("ab/ab-n50000-c100-runsc-netstack-trial.txt");
        List<Sample> s = AbOutput.parse(raw);
        assertThat(value(s, "requests_per_second")).isEqualTo(1147.58);
        assertThat(value(s, "failed_requests")).isZero();
        assertThat(raw).contains("isobench: network path: gVisor netstack").contains("-n 50000 -c 100");
    }

    @Test
    void abNon2xxResponsesAreCounted() throws Exception {
        List<Sample> s = AbOutput.parse(TestFixtures.read("ab/ab-n500-c10-404-loopback.txt"));
        assertThat(value(s, "non_2xx_responses")).isEqualTo(500);
        assertThat(value(s, "failed_requests")).isZero();
    }

    @Test
    void abThatCouldNotConnectIsNotParsed() {
        assertThatThrownBy(() -> AbOutput.parse(TestFixtures.read("ab/ab-refused.txt")))
                .isInstanceOf(CommandBenchmark.ParseException.class).hasMessageContaining("Complete requests");
    }

    @Test
    void wrkWithLatencyDistribution() throws Exception {
        List<Sample> s = WrkOutput.parse(TestFixtures.read("wrk/wrk-t2-c100-d2s-loopback.txt"));
        assertThat(value(s, "requests_per_second")).isEqualTo(90433.17);
        assertThat(value(s, "latency_avg_ms")).isEqualTo(1.24);
        assertThat(value(s, "latency_stdev_ms")).isEqualTo(1.83);
        assertThat(value(s, "latency_max_ms")).isEqualTo(51.59);
        assertThat(value(s, "latency_p50_ms")).isEqualTo(1.07);
        assertThat(value(s, "latency_p99_ms")).isEqualTo(4.25);
        assertThat(value(s, "transfer_rate_kib_per_s")).isCloseTo(373.95 * 1024, within(1e-6));
        assertThat(value(s, "failed_requests")).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"native", "runc", "runsc"})
    void wrkInsideAStoredTrial(String runtime) throws Exception {
        List<Sample> s = WrkOutput.parse(TestFixtures.read("wrk/wrk-t2-c100-d2s-" + runtime + "-trial.txt"));
        assertThat(value(s, "requests_per_second")).isPositive();
        assertThat(value(s, "latency_p50_ms")).isLessThanOrEqualTo(value(s, "latency_p99_ms"));
    }

    @Test
    void wrkUnits() {
        assertThat(WrkOutput.ms("512.00", "us")).isEqualTo(0.512);
        assertThat(WrkOutput.ms("1.5", "s")).isEqualTo(1500.0);
        assertThat(WrkOutput.kib("2.00", "MB")).isEqualTo(2048.0);
    }

    @Test
    void redisBenchmarkCsvEveryCommand() throws Exception {
        String csv = TestFixtures.read("redis/redis-benchmark-csv-all-loopback.txt");
        // "LPOP","68493.15","0.477","0.048","0.455","0.743","0.871","3.199"
        List<Sample> s = RedisBenchmarkOutput.parse(csv, "lpop");
        assertThat(s).extracting(Sample::metric).containsExactlyElementsOf(RedisBenchmarkOutput.metrics());
        assertThat(value(s, "requests_per_second")).isEqualTo(68493.15);
        assertThat(value(s, "latency_avg_ms")).isEqualTo(0.477);
        assertThat(value(s, "latency_min_ms")).isEqualTo(0.048);
        assertThat(value(s, "latency_p50_ms")).isEqualTo(0.455);
        assertThat(value(s, "latency_p95_ms")).isEqualTo(0.743);
        assertThat(value(s, "latency_p99_ms")).isEqualTo(0.871);
        assertThat(value(s, "latency_max_ms")).isEqualTo(3.199);
        assertThat(value(RedisBenchmarkOutput.parse(csv, "lpush"), "requests_per_second")).isEqualTo(64724.92);
        for (String c : List.of("set", "get", "incr")) {
            assertThat(value(RedisBenchmarkOutput.parse(csv, c), "requests_per_second")).as(c).isPositive();
        }
        assertThatThrownBy(() -> RedisBenchmarkOutput.parse(csv, "sadd"))
                .isInstanceOf(CommandBenchmark.ParseException.class).hasMessageContaining("SADD");
    }

    @ParameterizedTest
    @ValueSource(strings = {"set-native", "set-runc", "set-runsc", "lpop-native", "lpop-runc", "lpop-runsc"})
    void redisInsideAStoredTrial(String which) throws Exception {
        String raw = TestFixtures.read("redis/redis-benchmark-" + which + "-trial.txt");
        List<Sample> s = RedisBenchmarkOutput.parse(raw, which.substring(0, which.indexOf('-')));
        assertThat(value(s, "requests_per_second")).isPositive();
        assertThat(value(s, "latency_min_ms")).isLessThanOrEqualTo(value(s, "latency_max_ms"));
        assertThat(raw).contains("--- server log ---").contains("Ready to accept connections");
    }

    @Test
    void placementPinsApartOnlyWithTwoOrMoreCpus() {
        assertThat(ServerTrial.Placement.plan("apart", 2)).isEqualTo(new ServerTrial.Placement("0", "1", 1, "pinned apart"));
        assertThat(ServerTrial.Placement.plan("apart", 8).serverCpus()).isEqualTo("0-6");
        assertThat(ServerTrial.Placement.plan("apart", 1).pinned()).isFalse();
        assertThat(ServerTrial.Placement.plan("none", 8).pinned()).isFalse();
    }

    @Test
    void nginxPageHasItsFixedSize() {
        assertThat(NginxBenchmark.page()).hasSize(NginxBenchmark.PAGE_BYTES);
        assertThat(NginxBenchmark.config()).contains("listen " + NginxBenchmark.PORT).contains("access_log off");
        // only the page, only GET/HEAD; anything else 404
        assertThat(NginxBenchmark.config()).contains("location = " + NginxBenchmark.PAGE + " {")
                .contains("limit_except GET { deny all; }").contains("return 404;").contains("disable_symlinks on;");
    }

    @Test
    void sysbenchOltpFigures() throws Exception {
        // transactions: 3177 (1058.18 per sec.), queries: 63671 (21207.17 per sec.), ignored errors: 8 (2.66 per sec.)
        List<Sample> s = MysqlBenchmark.parse(TestFixtures.read("sysbench/oltp_read_write-t4-loopback.txt"));
        assertThat(s).extracting(Sample::metric).containsExactlyElementsOf(new MysqlBenchmark().metrics());
        assertThat(value(s, "transactions_per_second")).isEqualTo(1058.18);
        assertThat(value(s, "queries_per_second")).isEqualTo(21207.17);
        assertThat(value(s, "latency_p95_ms")).isEqualTo(7.98);
        assertThat(value(s, "latency_avg_ms")).isEqualTo(3.77);
        assertThat(value(s, "ignored_errors_per_second")).isEqualTo(2.66);
        List<Sample> ro = MysqlBenchmark.parse(TestFixtures.read("sysbench/oltp_read_only-t4-loopback.txt"));
        assertThat(value(ro, "queries_per_second")).isEqualTo(42439.29);
        assertThat(value(ro, "ignored_errors_per_second")).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"oltp_read_write-native", "oltp_read_write-runc", "oltp_read_write-runsc",
            "oltp_read_only-native", "oltp_read_only-runc", "oltp_read_only-runsc"})
    void sysbenchOltpInsideAStoredTrial(String which) throws Exception {
        String raw = TestFixtures.read("sysbench/" + which + "-trial.txt");
        List<Sample> s = MysqlBenchmark.parse(raw);
        // oltp_read_write: 20 queries per transaction, oltp_read_only 16 (sysbench 1.0 defaults; BEGIN and COMMIT count)
        double perTx = which.contains("read_write") ? 20 : 16;
        assertThat(value(s, "queries_per_second") / value(s, "transactions_per_second")).isCloseTo(perTx, within(0.5));
        assertThat(raw).contains("isobench: server data on ").contains("ready for connections")
                .contains("isobench: prepared 2 tables x 1000 rows");
    }

    @Test
    void sysbenchOutputWithoutOltpFiguresIsRefused() {
        assertThatThrownBy(() -> MysqlBenchmark.parse(TestFixtures.read("sysbench/cpu-native.txt")))
                .isInstanceOf(CommandBenchmark.ParseException.class).hasMessageContaining("transactions");
    }
}
