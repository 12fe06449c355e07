package io.isobench.bench.server;

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
class ServerChecksTest {

    @ParameterizedTest
    @ValueSource(strings = {"ab/ab-n2000-c100-native-trial.txt", "ab/ab-n2000-c100-runc-trial.txt",
            "ab/ab-n2000-c100-runsc-trial.txt", "ab/ab-n50000-c100-runsc-netstack-trial.txt"})
    void abTrialsOfTheNginxPagePass(String fixture) {
        assertThatCode(() -> AbOutput.check(TestFixtures.read(fixture), NginxBenchmark.PAGE_BYTES)).doesNotThrowAnyException();
    }

    @Test
    void abFailedRequestsFailInAbsWords() {
        // 200 answers alternating 612 and 611 bytes: ab counts the 611-byte ones as "Length" failures, exit 0
        assertThatThrownBy(() -> AbOutput.check(TestFixtures.read("ab/ab-n200-c4-varlen-loopback.txt"), 612))
                .isInstanceOf(CommandBenchmark.CheckFailed.class)
                .hasMessage("ab: 'Failed requests: 100 (Connect: 0, Receive: 0, Length: 100, Exceptions: 0)'");
    }

    @Test
    void abNon2xxFails() {
        assertThatThrownBy(() -> AbOutput.check(TestFixtures.read("ab/ab-n500-c10-404-loopback.txt"), 612))
                .isInstanceOf(CommandBenchmark.CheckFailed.class).hasMessageStartingWith("ab: 'Non-2xx responses:");
    }

    @Test
    void abBodyOfAnotherLengthFails() {
        // the loopback fixture served a 4096-byte page: every answer 200, but not the page the trial asked for
        assertThatThrownBy(() -> AbOutput.check(TestFixtures.read("ab/ab-n5000-c100-loopback.txt"), 612))
                .isInstanceOf(CommandBenchmark.CheckFailed.class)
                .hasMessage("ab: 'Document Length:        4096 bytes', expected 612 bytes");
        assertThatCode(() -> AbOutput.check(TestFixtures.read("ab/ab-n5000-c100-loopback.txt"), 4096))
                .doesNotThrowAnyException();
    }

    @ParameterizedTest
    @ValueSource(strings = {"wrk/wrk-t2-c100-d2s-loopback.txt", "wrk/wrk-t2-c100-d2s-native-trial.txt",
            "wrk/wrk-t2-c100-d2s-runc-trial.txt", "wrk/wrk-t2-c100-d2s-runsc-trial.txt"})
    void wrkTrialsPass(String fixture) {
        assertThatCode(() -> WrkOutput.check(TestFixtures.read(fixture))).doesNotThrowAnyException();
    }

    @Test
    void wrkNon2xxAndSocketErrorsFailInWrksWords() {
        assertThatThrownBy(() -> WrkOutput.check(TestFixtures.read("wrk/wrk-t1-c4-d1s-404-loopback.txt")))
                .isInstanceOf(CommandBenchmark.CheckFailed.class).hasMessage("wrk: 'Non-2xx or 3xx responses: 488'");
        // 3064 requests done, each on a connection the server had closed: the rate is real but measures errors
        assertThatThrownBy(() -> WrkOutput.check(TestFixtures.read("wrk/wrk-t1-c4-d1s-halfclosed-loopback.txt")))
                .isInstanceOf(CommandBenchmark.CheckFailed.class)
                .hasMessage("wrk: 'Socket errors: connect 0, read 3064, write 0, timeout 0'");
    }

    @Test
    void redisServerErrorsFailInRedisBenchmarksWords() {
        assertThatCode(() -> RedisBenchmarkOutput.check(TestFixtures.read("redis/redis-benchmark-set-runc-trial.txt")))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> RedisBenchmarkOutput.check(TestFixtures.read("redis/redis-benchmark-set-oom-loopback.txt")))
                .isInstanceOf(CommandBenchmark.CheckFailed.class)
                .hasMessage("redis-benchmark: 'Error from server: OOM command not allowed when used memory > 'maxmemory'.'");
    }

    @Test
    void iperfMustMoveBytesAndNetProbeTimeEveryRoundTrip() throws Exception {
        assertThat(IperfOutput.parse(TestFixtures.read("iperf3/loopback-host-to-server.json")).receivedBitsPerSecond())
                .isPositive();
        String rtt = TestFixtures.read("net-probe/round-trip-native-trial.txt"); // asked for 2000
        assertThatThrownBy(() -> NetworkBenchmark.parseRoundTrips(rtt, 10000))
                .isInstanceOf(CommandBenchmark.CheckFailed.class).hasMessageStartingWith("net-probe timed 2000 round trips, 10000");
    }
}
