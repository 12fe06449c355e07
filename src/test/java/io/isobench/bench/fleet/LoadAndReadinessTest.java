package io.isobench.bench.fleet;

import io.isobench.bench.Metric;
import io.isobench.bench.Params;
import io.isobench.bench.registry.Benchmarks;
import io.isobench.plan.Plan;
import io.isobench.plan.PlanLoader;
import io.isobench.util.UserException;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LoadAndReadinessTest {
    @Test
    void readinessPollIntervalGrowsWithElapsedTimeWithinBounds() {
        assertThat(HttpPoller.interval(0)).isEqualTo(1_000_000L);
        assertThat(HttpPoller.interval(10_000_000L)).isEqualTo(1_000_000L);   // 5 % of 10 ms is below the 1 ms floor
        assertThat(HttpPoller.interval(100_000_000L)).isEqualTo(5_000_000L);  // 5 % of 100 ms
        assertThat(HttpPoller.interval(5_000_000_000L)).isEqualTo(10_000_000L); // capped
        assertThat(HttpPoller.connectTimeout(0)).isEqualTo(10_000_000L);
        assertThat(HttpPoller.connectTimeout(5_000_000_000L)).isEqualTo(20_000_000L);
    }

    @Test
    void onlyTwoHundredsAreSuccess() {
        assertThat(HttpPoller.isSuccess("HTTP/1.0 200 OK\r")).isTrue();
        assertThat(HttpPoller.isSuccess("HTTP/1.1 204 No Content")).isTrue();
        assertThat(HttpPoller.isSuccess("HTTP/1.1 404 Not Found")).isFalse();
        assertThat(HttpPoller.isSuccess("HTTP/1.1 503 Service Unavailable")).isFalse();
        assertThat(HttpPoller.isSuccess("")).isFalse();
        assertThat(HttpPoller.isSuccess("SSH-2.0-OpenSSH")).isFalse();
    }

    /** A server that refuses at first, then answers 503, then 200: ready is the 200, seen after the server switched. */
    @Test
    void pollerWaitsForTheFirstSuccessfulAnswer() throws Exception {
        try (ServerSocket ss = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
             HttpPoller poller = new HttpPoller()) {
            InetSocketAddress ep = new InetSocketAddress(ss.getInetAddress(), ss.getLocalPort());
            AtomicLong switchedAt = new AtomicLong();
            Thread server = Thread.ofPlatform().daemon().start(() -> {
                for (int i = 0; ; i++) {
                    try (Socket c = ss.accept()) {
                        c.getInputStream().read(new byte[512]);
                        String status = i < 3 ? "503 Busy" : "200 OK";
                        if (i == 3) {
                            switchedAt.set(System.nanoTime());
                        }
                        c.getOutputStream().write(("HTTP/1.0 " + status + "\r\nContent-Length: 0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    } catch (java.io.IOException e) {
                        return;
                    }
                }
            });
            CountDownLatch ready = new CountDownLatch(1);
            AtomicLong readyAt = new AtomicLong();
            long since = System.nanoTime();
            HttpPoller.Target t = poller.watch(ep, since, at -> {
                readyAt.set(at);
                ready.countDown();
            });
            assertThat(ready.await(10, TimeUnit.SECONDS)).as("ready; last error %s", t.lastError()).isTrue();
            assertThat(readyAt.get()).isGreaterThanOrEqualTo(switchedAt.get()).isGreaterThan(since);
            assertThat(t.lastError()).contains("503");
            assertThat(poller.attempts()).isGreaterThanOrEqualTo(4);
            server.interrupt();
        }
    }

    @Test
    void loadScheduleAndPercentiles() {
        assertThat(LoadGenerator.due(1_000, 0, 100)).isEqualTo(1_000);
        assertThat(LoadGenerator.due(1_000, 3, 100)).isEqualTo(1_000 + 30_000_000L); // 10 ms apart at 100/s
        double[] sorted = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        assertThat(LoadGenerator.percentile(sorted, 0.5)).isEqualTo(5);
        assertThat(LoadGenerator.percentile(sorted, 0.99)).isEqualTo(10);
        assertThat(LoadGenerator.percentile(sorted, 0.0)).isEqualTo(1);
    }

    /** A real host server: every request of a short fixed-rate run is answered and timed. */
    @Test
    void loadGeneratorSendsTheRateItWasAskedFor() throws Exception {
        try (ServerSocket ss = new ServerSocket(0, 200, java.net.InetAddress.getLoopbackAddress())) {
            Thread server = Thread.ofPlatform().daemon().start(() -> {
                while (true) {
                    try (Socket c = ss.accept()) {
                        c.getInputStream().read(new byte[512]);
                        c.getOutputStream().write("HTTP/1.0 200 OK\r\n\r\nok\n".getBytes(StandardCharsets.US_ASCII));
                    } catch (java.io.IOException e) {
                        return;
                    }
                }
            });
            LoadGenerator.Result r = LoadGenerator.run(new InetSocketAddress(ss.getInetAddress(), ss.getLocalPort()), 50,
                    java.time.Duration.ofMillis(400));
            assertThat(r.sent()).isEqualTo(20);
            assertThat(r.errors()).isZero();
            assertThat(r.latenciesMs()).hasSize(20);
            assertThat(java.util.Arrays.stream(r.latenciesMs()).min().orElse(0)).isPositive();
            server.interrupt();
        }
    }

    @Test
    void startupReadinessIsOneCaseEachAndLineMeansFirstLine() {
        Plan p = new PlanLoader().top("benchmarks", "startup", "--benchmarks").set("startup.instances=1,4", "--set")
                .set("startup.readiness=line,http", "--set").build();
        List<Params> cases = new StartupBenchmark().cases(p.params().get("startup"));
        assertThat(cases).extracting(c -> c.get("readiness") + "@" + c.get("instances"))
                .containsExactly("first-line@1", "first-line@4", "http@1", "http@4");
        assertThatThrownBy(() -> new PlanLoader().set("startup.readiness=smoke-signal", "--set"))
                .isInstanceOf(UserException.class).hasMessageContaining("not one of");
        assertThat(new StartupBenchmark().builtTools()).extracting(t -> t.name()).containsExactly("http-probe", "counter-probe");
        assertThat(new StartupBenchmark().metrics()).extracting(Metric::name)
                .contains("ready_ms", "teardown_ms", "all_ready_ms", "first_line_ms", "setup_ms", "spawned_ms", "booted_ms");
    }

    @Test
    void loadProfileDefaultsAndBadValues() {
        Plan p = new PlanLoader().top("benchmarks", "load-profile", "--benchmarks").build();
        Params c = new LoadProfileBenchmark().cases(p.params().get("load-profile")).get(0);
        assertThat(c.values()).containsEntry("idle", "5s").containsEntry("load", "20s").containsEntry("rate", "100")
                .containsEntry("interval", "100ms");
        assertThat(new LoadProfileBenchmark().expectedDuration(c).toSeconds()).isEqualTo(30);
        assertThat(Benchmarks.defaultIds()).doesNotContain("load-profile");
        assertThatThrownBy(() -> new PlanLoader().top("benchmarks", "load-profile", "--benchmarks")
                .set("load-profile.rate=0", "--set").build()).isInstanceOf(UserException.class).hasMessageContaining("at least 1");
        assertThatThrownBy(() -> new PlanLoader().top("benchmarks", "load-profile", "--benchmarks")
                .set("load-profile.interval=1ms", "--set").build()).isInstanceOf(UserException.class).hasMessageContaining("10ms");
    }
}
