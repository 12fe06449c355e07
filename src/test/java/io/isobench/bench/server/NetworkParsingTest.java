package io.isobench.bench.server;

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

/** Parsers of the network benchmark on output captured from real runs (fixtures/iperf3, fixtures/net-probe). */
class NetworkParsingTest {
    private static Params direction(String d) {
        return new Params(Map.of("direction", d, "time", "2s", "omit", "1s", "parallel", "1", "round_trips", "2000",
                "warmup_round_trips", "1000", "placement", "apart"));
    }

    private static double value(List<Sample> samples, Metric m) {
        return samples.stream().filter(s -> s.metric().equals(m)).findFirst().orElseThrow().value();
    }

    @Test
    void iperf3ReceiverRateAndSenderRetransmits() throws Exception {
        IperfOutput o = IperfOutput.parse(TestFixtures.read("iperf3/loopback-host-to-server.json"));
        assertThat(o.reverse()).isFalse();
        assertThat(o.streams()).isEqualTo(1);
        assertThat(o.receivedBitsPerSecond()).isEqualTo(17210861370.368538);
        assertThat(o.retransmits()).isEqualTo(2);
        List<Sample> s = NetworkBenchmark.parseIperf(TestFixtures.read("iperf3/loopback-host-to-server.json"),
                direction(NetworkBenchmark.HOST_TO_SANDBOX));
        assertThat(value(s, NetworkBenchmark.THROUGHPUT)).isCloseTo(17210.86, within(0.01));
        assertThat(value(s, NetworkBenchmark.RETRANSMITS)).isEqualTo(2);
    }

    @Test
    void reverseAndParallelStreams() throws Exception {
        IperfOutput r = IperfOutput.parse(TestFixtures.read("iperf3/loopback-reverse.json"));
        assertThat(r.reverse()).isTrue();
        assertThat(r.receivedBitsPerSecond()).isEqualTo(20528203075.163326);
        assertThat(r.retransmits()).as("the server sent: its retransmits come back in sum_sent").isEqualTo(4);
        IperfOutput p2 = IperfOutput.parse(TestFixtures.read("iperf3/loopback-parallel-2.json"));
        assertThat(p2.streams()).isEqualTo(2);
        assertThat(p2.receivedBitsPerSecond()).isEqualTo(15166651426.546516);
        assertThat(p2.seconds()).as("omitted second excluded").isBetween(1.9, 2.1);
    }

    @Test
    void directionMustMatchWhatIperfRan() {
        assertThatThrownBy(() -> NetworkBenchmark.parseIperf(TestFixtures.read("iperf3/loopback-reverse.json"),
                direction(NetworkBenchmark.HOST_TO_SANDBOX)))
                .isInstanceOf(CommandBenchmark.ParseException.class).hasMessageContaining("reverse=true");
    }

    @Test
    void iperf3ErrorJsonIsAParseErrorAndRetryableBeforeStart() throws Exception {
        String refused = TestFixtures.read("iperf3/connection-refused.json");
        assertThatThrownBy(() -> IperfOutput.parse(refused)).isInstanceOf(CommandBenchmark.ParseException.class)
                .hasMessage("iperf3: unable to connect to server: Connection refused");
        assertThat(IperfOutput.errorBeforeStart(refused)).isEqualTo("unable to connect to server: Connection refused");
        assertThat(IperfOutput.errorBeforeStart(TestFixtures.read("iperf3/loopback-reverse.json"))).isNull();
        assertThatThrownBy(() -> IperfOutput.parse("iperf3: error - nothing")).isInstanceOf(CommandBenchmark.ParseException.class);
    }

    @Test
    void storedTrialsParseAndRecordPathAndPlacement() throws Exception {
        String runc = TestFixtures.read("iperf3/runc-host-to-sandbox-trial.txt");
        assertThat(runc).containsPattern("(?m)^isobench: network path: veth pair \\S+ \\(10\\.213\\.")
                .containsPattern("(?m)^isobench: placement: ");
        assertThat(value(NetworkBenchmark.parseIperf(runc, direction(NetworkBenchmark.HOST_TO_SANDBOX)),
                NetworkBenchmark.THROUGHPUT)).isPositive();
        String nat = TestFixtures.read("iperf3/native-sandbox-to-host-trial.txt");
        assertThat(value(NetworkBenchmark.parseIperf(nat, direction(NetworkBenchmark.SANDBOX_TO_HOST)),
                NetworkBenchmark.THROUGHPUT)).isPositive();
    }

    @Test
    void brokenControlConnectionUnderGvisorHostinet() throws Exception {
        String raw = TestFixtures.read("iperf3/runsc-hostinet-eagain-failure.txt");
        assertThat(raw).contains("isobench: network path: gVisor hostinet")
                .contains("iperf3: error - unable to receive parameters from client: Resource temporarily unavailable");
        // the reason names the server's last error: the one of the client that got furthest
        assertThat(NetworkBenchmark.serverError(raw.substring(raw.indexOf("--- server log ---"))))
                .isEqualTo(" (server: iperf3: error - unable to receive results: Bad file descriptor)");
        assertThatThrownBy(() -> IperfOutput.parse(raw.substring(0, raw.indexOf("--- server log ---"))))
                .isInstanceOf(CommandBenchmark.ParseException.class).hasMessageStartingWith("iperf3: ");
    }

    @Test
    void roundTripPercentilesInMicroseconds() throws Exception {
        List<Sample> n = NetworkBenchmark.parseRoundTrips(TestFixtures.read("net-probe/round-trip-native-trial.txt"), 2000);
        assertThat(n).extracting(Sample::metric).containsExactly(NetworkBenchmark.RTT_P50, NetworkBenchmark.RTT_P90,
                NetworkBenchmark.RTT_P99);
        List<Sample> g = NetworkBenchmark.parseRoundTrips(TestFixtures.read("net-probe/round-trip-runsc-trial.txt"), 2000);
        assertThat(value(g, NetworkBenchmark.RTT_P50)).isEqualTo(69.494);
        assertThat(value(g, NetworkBenchmark.RTT_P99)).isEqualTo(5606.977);
        assertThat(value(g, NetworkBenchmark.RTT_P50)).isLessThanOrEqualTo(value(g, NetworkBenchmark.RTT_P90));
        assertThatThrownBy(() -> NetworkBenchmark.parseRoundTrips(TestFixtures.read("net-probe/client-refused.txt"), 2000))
                .isInstanceOf(CommandBenchmark.ParseException.class);
    }

    @Test
    void oneCasePerDirectionAndIperfArgv() {
        NetworkBenchmark b = new NetworkBenchmark();
        Params all = direction("host-to-sandbox,sandbox-to-host,round-trip");
        assertThat(b.cases(all)).extracting(c -> c.get("direction"))
                .containsExactly(NetworkBenchmark.HOST_TO_SANDBOX, NetworkBenchmark.SANDBOX_TO_HOST, NetworkBenchmark.ROUND_TRIP);
        assertThat(NetworkBenchmark.iperfClient("/usr/bin/iperf3", "10.213.0.2", 5201, direction(NetworkBenchmark.SANDBOX_TO_HOST)))
                .containsExactly("/usr/bin/iperf3", "-c", "10.213.0.2", "-p", "5201", "-J", "-t", "2", "-O", "1", "-P", "1", "-R");
        assertThat(NetworkBenchmark.iperfClient("iperf3", "a", 1, direction(NetworkBenchmark.HOST_TO_SANDBOX)
                .with("time", "1500ms").with("omit", "0s"))).containsSubsequence("-t", "2", "-O", "0").doesNotContain("-R");
    }
}
