package io.isobench.bench.server;

import io.isobench.bench.Benchmark;
import io.isobench.bench.CommandBenchmark;
import io.isobench.bench.Metric;
import io.isobench.bench.ParamSpec;
import io.isobench.bench.Params;
import io.isobench.bench.Sample;
import io.isobench.bench.TrialContext;
import io.isobench.bench.TrialFailure;
import io.isobench.bench.TrialOutcome;
import io.isobench.image.BuiltTool;
import io.isobench.proc.ProcResult;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * TCP between the host and a server inside the sandbox, through the runtime's own network path
 * ({@link ServerTrial}: {@code LaunchSpec.withNetwork}, {@code Sandbox.endpoint}): iperf3 throughput in both
 * directions (server {@code iperf3 -s} in the sandbox, client {@code iperf3 -c -J} on the host, {@code -R} for
 * sandbox-to-host) and 1-byte request/response round trips from isobench's own static probe
 * ({@code resources/probe/net-probe.c}: server in the sandbox, client on the host). One case per {@code direction};
 * one fresh sandbox per trial. The raw output of every trial starts with the network path and the placement.
 */
public final class NetworkBenchmark implements Benchmark {
    public static final BuiltTool PROBE = new BuiltTool("net-probe", "probe/net-probe.c");
    public static final Metric THROUGHPUT = new Metric("throughput_mbit_per_s", "Mbit/s", true);
    public static final Metric RETRANSMITS = new Metric("retransmits", "segments", false);
    public static final Metric RTT_P50 = new Metric("rtt_p50_us", "us", false);
    public static final Metric RTT_P90 = new Metric("rtt_p90_us", "us", false);
    public static final Metric RTT_P99 = new Metric("rtt_p99_us", "us", false);
    public static final String HOST_TO_SANDBOX = "host-to-sandbox";
    public static final String SANDBOX_TO_HOST = "sandbox-to-host";
    public static final String ROUND_TRIP = "round-trip";
    static final int IPERF_PORT = 5201;
    static final int PROBE_PORT = 5202;
    /** How long the server may take to listen (a VM under TCG boots in 3-8 s); also bounded by the trial's timeout. */
    static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    /** An iperf3 control connection that stays open this long was accepted by a listening server, not a forwarder. */
    static final Duration HELD_OPEN = Duration.ofMillis(200);
    /**
     * iperf3 clients per trial when one fails before measuring anything: iperf3's server re-opens its listener after
     * every test (and after the readiness check's bare connection), and a client arriving in that gap is refused.
     */
    static final int CLIENT_ATTEMPTS = 4;
    static final Duration RETRY_PAUSE = Duration.ofMillis(200);
    private static final Pattern RTT = Pattern.compile(
            "^round_trips=(\\d+) warmup=(\\d+) min_ns=(\\d+) p50_ns=(\\d+) p90_ns=(\\d+) p99_ns=(\\d+) max_ns=(\\d+)"
                    + " mean_ns=([0-9.]+)$", Pattern.MULTILINE);

    @Override
    public String id() {
        return "network";
    }

    @Override
    public String description() {
        return "TCP between host and sandbox over the runtime's own network path: iperf3 throughput both ways, "
                + "1-byte request/response round-trip latency";
    }

    @Override
    public List<ParamSpec> params() {
        return List.of(
                ParamSpec.choice("direction", HOST_TO_SANDBOX + "," + SANDBOX_TO_HOST + "," + ROUND_TRIP, true,
                        "one case each: iperf3 from the host to iperf3 -s in the sandbox, the same with -R (the sandbox "
                                + "sends), 1-byte TCP ping-pong from the host to isobench's probe in the sandbox",
                        HOST_TO_SANDBOX, SANDBOX_TO_HOST, ROUND_TRIP),
                ParamSpec.of("time", "10s", ParamSpec.Type.DURATION, "measured iperf3 time per trial (iperf3 -t, whole seconds)"),
                ParamSpec.of("omit", "1s", ParamSpec.Type.DURATION,
                        "iperf3 warm-up left out of the figures (iperf3 -O, whole seconds: TCP slow start)"),
                ParamSpec.of("parallel", "1", ParamSpec.Type.INT, "iperf3 parallel streams (iperf3 -P)"),
                ParamSpec.of("round_trips", "10000", ParamSpec.Type.INT, "timed round trips per round-trip trial")
                        .range(1, 10_000_000), // net-probe's MAX_TRIPS: its sample array
                ParamSpec.of("warmup_round_trips", "1000", ParamSpec.Type.INT,
                        "untimed round trips before the timed ones, on the same connection"),
                ServerTrial.placementParam());
    }

    @Override
    public Set<String> tools() {
        return Set.of("iperf3");
    }

    @Override
    public List<BuiltTool> builtTools() {
        return List.of(PROBE);
    }

    @Override
    public List<Metric> metrics() {
        return List.of(THROUGHPUT, RETRANSMITS, RTT_P50, RTT_P90, RTT_P99);
    }

    @Override
    public List<Params> cases(Params resolved) {
        List<Params> l = new ArrayList<>();
        for (String d : resolved.getList("direction")) {
            l.add(resolved.with("direction", d));
        }
        return l;
    }

    @Override
    public Duration expectedDuration(Params p) {
        Duration launch = Duration.ofSeconds(10); // sandbox start and the server's readiness
        if (p.get("direction").equals(ROUND_TRIP)) {
            // 200 us per round trip is slow (gVisor ptrace with hostinet: ~100 us; native ~15 us)
            return launch.plusNanos((p.getLong("round_trips") + p.getLong("warmup_round_trips")) * 200_000L);
        }
        return launch.plusSeconds(seconds(p, "time") + seconds(p, "omit"));
    }

    @Override
    public boolean runByDefault() {
        return false;
    }

    /** A duration parameter in whole seconds, rounded up (iperf3 takes no fractions for -t and -O); time is at least 1. */
    static long seconds(Params p, String name) {
        return Math.max(name.equals("time") ? 1 : 0, (p.getDuration(name).toMillis() + 999) / 1000);
    }

    @Override
    public TrialOutcome run(TrialContext ctx) throws TrialFailure, InterruptedException {
        Params p = ctx.params();
        boolean rtt = p.get("direction").equals(ROUND_TRIP);
        int port = rtt ? PROBE_PORT : IPERF_PORT;
        String iperf = ctx.image().tools().get("iperf3");
        String probe = ctx.image().tools().get(PROBE.name());
        List<String> server = rtt ? List.of(probe, "server", Integer.toString(port))
                : List.of(iperf, "-s", "-p", Integer.toString(port), "--forceflush");
        try (ServerTrial t = ServerTrial.start(ctx, server, Map.of(), port, null, ServerTrial.placement(ctx, p), READY_TIMEOUT,
                rtt ? NetworkBenchmark::echoes : NetworkBenchmark::accepts)) {
            List<String> client = rtt
                    ? List.of(probe, "client", t.host(), Integer.toString(t.port()), p.get("round_trips"),
                    p.get("warmup_round_trips"))
                    : iperfClient(iperf, t.host(), t.port(), p);
            StringBuilder info = new StringBuilder("isobench: client (host): " + String.join(" ", client) + "\n");
            ProcResult c = t.client(client);
            for (int attempt = 1; !rtt && attempt < CLIENT_ATTEMPTS && !c.timedOut(); attempt++) {
                String early = IperfOutput.errorBeforeStart(c.stdout());
                if (early == null) {
                    break;
                }
                info.append("isobench: iperf3 attempt ").append(attempt).append(" failed before measuring anything (")
                        .append(early).append("); retrying in ").append(RETRY_PAUSE.toMillis()).append(" ms\n");
                Thread.sleep(RETRY_PAUSE.toMillis());
                c = t.client(client);
            }
            if (!c.ok()) {
                String why = c.timedOut() ? "client timed out (trial timeout)" : "client: " + c.failureSummary();
                throw new TrialFailure(why + serverError(t.stopAndLog()), t.rawOutput(info + c.combinedOutput()));
            }
            String raw = t.rawOutput(info + c.combinedOutput());
            try {
                return new TrialOutcome(rtt ? parseRoundTrips(c.stdout(), p.getLong("round_trips"))
                        : parseIperf(c.stdout(), p), raw);
            } catch (CommandBenchmark.ParseException e) {
                TrialFailure f = CommandBenchmark.failure(rtt ? "net-probe" : "iperf3", e, raw);
                throw new TrialFailure(f.reason() + serverError(t.stopAndLog()), raw);
            }
        }
    }

    static List<String> iperfClient(String iperf, String addr, int port, Params p) {
        List<String> argv = new ArrayList<>(List.of(iperf, "-c", addr, "-p", Integer.toString(port), "-J",
                "-t", Long.toString(seconds(p, "time")), "-O", Long.toString(seconds(p, "omit")),
                "-P", Long.toString(Math.max(1, p.getLong("parallel")))));
        if (p.get("direction").equals(SANDBOX_TO_HOST)) {
            argv.add("-R");
        }
        return argv;
    }

    /**
     * The server's last error line as " (server: ...)", or "". The readiness check's own connection makes iperf3 log
     * one error; the last line is the real client's.
     */
    static String serverError(String serverLog) {
        List<String> errs = serverLog.lines()
                .filter(l -> l.startsWith("iperf3: error") || l.startsWith("net-probe:") && l.contains("failed")).toList();
        return errs.isEmpty() ? "" : " (server: " + errs.get(errs.size() - 1).strip() + ")";
    }

    /**
     * iperf3's readiness: a TCP connection is accepted and then stays open {@link #HELD_OPEN} or brings a byte from the
     * server (iperf3 waits for the client's cookie; under a broken socket layer it sends an error state at once). A
     * connection closed at once without a byte is a forwarder (QEMU hostfwd, a proxy) with no server behind it yet.
     */
    static void accepts(InetSocketAddress ep) throws IOException {
        try (Socket so = new Socket()) {
            so.connect(ep, 2000);
            so.setSoTimeout((int) HELD_OPEN.toMillis());
            try {
                if (so.getInputStream().read() < 0) {
                    throw new IOException("connection accepted and closed at once (nothing listening behind it yet?)");
                }
            } catch (SocketTimeoutException held) {
                // held open: a listening server waits for the cookie
            }
        }
    }

    /** net-probe's readiness: one byte sent comes back. */
    static void echoes(InetSocketAddress ep) throws IOException {
        try (Socket so = new Socket()) {
            so.connect(ep, 2000);
            so.setSoTimeout(5000);
            so.setTcpNoDelay(true);
            so.getOutputStream().write('r');
            InputStream in = so.getInputStream();
            int b = in.read();
            if (b != 'r') {
                throw new IOException(b < 0 ? "connection closed without an echo" : "echo was " + b + ", not 'r'");
            }
        }
    }

    static List<Sample> parseIperf(String stdout, Params p) throws CommandBenchmark.ParseException {
        IperfOutput o = IperfOutput.parse(stdout);
        boolean wantReverse = p.get("direction").equals(SANDBOX_TO_HOST);
        if (o.reverse() != wantReverse) {
            throw new CommandBenchmark.ParseException("iperf3 ran with reverse=" + o.reverse() + " for direction "
                    + p.get("direction"));
        }
        List<Sample> l = new ArrayList<>(List.of(new Sample(THROUGHPUT, o.receivedBitsPerSecond() / 1e6)));
        if (o.retransmits() >= 0) {
            l.add(new Sample(RETRANSMITS, o.retransmits()));
        }
        return l;
    }

    static List<Sample> parseRoundTrips(String stdout, long asked) throws CommandBenchmark.ParseException {
        Matcher m = RTT.matcher(stdout);
        if (!m.find()) {
            throw new CommandBenchmark.ParseException("no 'round_trips=N ... p99_ns=X' line from net-probe");
        }
        if (Long.parseLong(m.group(1)) != asked) {
            throw new CommandBenchmark.CheckFailed("net-probe timed " + m.group(1) + " round trips, " + asked
                    + " were asked for: '" + m.group().strip() + "'");
        }
        return List.of(new Sample(RTT_P50, Long.parseLong(m.group(4)) / 1000.0),
                new Sample(RTT_P90, Long.parseLong(m.group(5)) / 1000.0),
                new Sample(RTT_P99, Long.parseLong(m.group(6)) / 1000.0));
    }
}
