package io.isobench.bench.server;

import io.isobench.bench.TrialFailure;
import io.isobench.proc.ProcResult;
import io.isobench.runtime.Sandbox;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A client's error while the server had already died names the server's own end (e.g. a runtime's panic). */
class ServerTrialFailureTest {
    /** A sandbox whose server ended by itself ({@code exited}) or still runs (null: await times out, i.e. killed). */
    private static Sandbox server(ProcResult exited) {
        return new Sandbox() {
            @Override
            public String id() {
                return "s";
            }

            @Override
            public long launchedAtNanos() {
                return 0;
            }

            @Override
            public ProcResult await(Duration timeout) {
                return exited != null ? exited
                        : new ProcResult(List.of("server"), -1, true, "serving\n", "", Duration.ofMillis(1));
            }

            @Override
            public long exitedAtNanos() {
                return -1;
            }

            @Override
            public List<Long> hostPids() {
                return List.of();
            }

            @Override
            public void close() {
            }
        };
    }

    private static final InetSocketAddress EP = new InetSocketAddress("127.0.0.1", 8080);
    private static final ServerTrial.Placement NONE = new ServerTrial.Placement(null, null, 1, "not pinned");

    @Test
    void aServerThatDiedIsNamedInTheReason() {
        ProcResult panicked = new ProcResult(List.of("runsc"), 2, false, "",
                "panic: …\nrunsc: the gVisor sentry panicked: running on goroutine 0\n", Duration.ofSeconds(3));
        ServerTrial t = new ServerTrial(server(panicked), EP, NONE, Long.MAX_VALUE);
        TrialFailure f = t.failure("warm-up /usr/bin/ab: exit code 119: apr_pollset_poll: The timeout specified has expired (70007)", "ab out");
        assertThat(f.getMessage()).isEqualTo("warm-up /usr/bin/ab: exit code 119: apr_pollset_poll: The timeout specified has "
                + "expired (70007); the server had exited: exit code 2: runsc: the gVisor sentry panicked: running on goroutine 0");
        assertThat(f.rawOutput()).contains("ab out", "--- server log ---", "the gVisor sentry panicked");
    }

    @Test
    void aServerStillRunningLeavesTheClientsReasonAlone() {
        ServerTrial t = new ServerTrial(server(null), EP, NONE, Long.MAX_VALUE);
        assertThat(t.failure("ab: exit code 22: bad", "").getMessage()).isEqualTo("ab: exit code 22: bad");
    }
}
