package io.isobench.bench.server;

import io.isobench.bench.Benchmark;
import io.isobench.bench.CommandBenchmark;
import io.isobench.bench.Metric;
import io.isobench.bench.ParamSpec;
import io.isobench.bench.Params;
import io.isobench.bench.TrialContext;
import io.isobench.bench.TrialFailure;
import io.isobench.bench.TrialOutcome;
import io.isobench.proc.ProcResult;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * redis-server inside the runtime (no persistence, protected mode off, bound to all of the sandbox's addresses);
 * {@code redis-benchmark --csv} on the host, one case per command.
 */
public final class RedisBenchmark implements Benchmark {
    static final int PORT = 6379;

    @Override
    public String id() {
        return "redis";
    }

    @Override
    public String description() {
        return "redis-server inside the runtime, redis-benchmark on the host; requests/s per command";
    }

    @Override
    public List<ParamSpec> params() {
        return List.of(
                ParamSpec.choice("command", "set,get,lpush,lpop,incr", true, "redis-benchmark -t, one case each",
                        "set", "get", "lpush", "lpop", "incr", "sadd", "hset", "spop", "ping_inline", "ping_mbulk"),
                ParamSpec.of("requests", "100000", ParamSpec.Type.INT, "redis-benchmark -n: requests per trial"),
                ParamSpec.of("concurrency", "50", ParamSpec.Type.INT, "redis-benchmark -c: parallel connections"),
                ParamSpec.of("pipeline", "1", ParamSpec.Type.INT, "redis-benchmark -P: requests per round trip"),
                ParamSpec.of("data_size", "3", ParamSpec.Type.INT, "redis-benchmark -d: value size in bytes"),
                ParamSpec.of("warmup_requests", "10000", ParamSpec.Type.INT,
                        "untimed requests of the same command before the measured run (0: none)"),
                ServerTrial.placementParam());
    }

    @Override
    public Set<String> tools() {
        return Set.of("redis-server", "redis-benchmark");
    }

    /** Requests/s of a command, the report's redis table. */
    public static final String REQUESTS_PER_SECOND = RedisBenchmarkOutput.RPS.name();

    @Override
    public List<Metric> metrics() {
        return RedisBenchmarkOutput.metrics();
    }

    @Override
    public List<Params> cases(Params resolved) {
        return resolved.getList("command").stream().map(c -> resolved.with("command", c)).toList();
    }

    @Override
    public Duration expectedDuration(Params p) {
        // ~5000 req/s: a slow sandbox (gVisor ptrace: ~9000); lpop fills the list first (one more run of `requests`)
        long req = p.getLong("requests") * (p.get("command").equals("lpop") ? 2 : 1) + p.getLong("warmup_requests");
        return Duration.ofMillis(req / 5).plusSeconds(15);
    }

    @Override
    public boolean runByDefault() {
        return false;
    }

    @Override
    public TrialOutcome run(TrialContext ctx) throws TrialFailure, InterruptedException {
        Params p = ctx.params();
        String command = p.get("command");
        List<String> server = List.of(ctx.image().tools().get("redis-server"), "--port", Integer.toString(PORT),
                "--bind", "0.0.0.0", "--protected-mode", "no", "--save", "", "--appendonly", "no",
                "--daemonize", "no", "--logfile", "");
        try (ServerTrial t = ServerTrial.start(ctx, server, Map.of(), PORT, null, ServerTrial.placement(p),
                Duration.ofSeconds(60), RedisBenchmark::pong)) {
            StringBuilder info = new StringBuilder();
            long warm = p.getLong("warmup_requests");
            if (warm > 0) {
                ProcResult r = t.client(client(ctx, t, p, command, warm));
                if (!r.ok()) {
                    throw t.clientFailure("warm-up redis-benchmark", r);
                }
            }
            if (command.equals("lpop")) {
                // LPOP on an empty list measures nothing: push as many elements as the run will pop (untimed)
                ProcResult r = t.client(client(ctx, t, p, "lpush", p.getLong("requests")));
                if (!r.ok()) {
                    throw t.clientFailure("lpush fill before lpop", r);
                }
                info.append("isobench: list filled with ").append(p.get("requests")).append(" LPUSHes (untimed)\n");
            }
            List<String> cmd = client(ctx, t, p, command, p.getLong("requests"));
            info.append("isobench: client: ").append(String.join(" ", cmd)).append('\n');
            ProcResult r = t.client(cmd);
            if (!r.ok()) {
                throw t.clientFailure("redis-benchmark", r);
            }
            String raw = t.rawOutput(info + r.stdout());
            try {
                RedisBenchmarkOutput.check(r.combinedOutput());
                return new TrialOutcome(RedisBenchmarkOutput.parse(r.stdout(), command), raw);
            } catch (CommandBenchmark.ParseException e) {
                throw CommandBenchmark.failure("redis-benchmark", e, raw);
            }
        }
    }

    private static List<String> client(TrialContext ctx, ServerTrial t, Params p, String command, long n) {
        List<String> a = new ArrayList<>(List.of(ctx.image().tools().get("redis-benchmark"), "-h", t.host(), "-p",
                Integer.toString(t.port()), "-t", command, "-n", Long.toString(n), "-c", p.get("concurrency"),
                "-P", p.get("pipeline"), "-d", p.get("data_size"), "--csv"));
        return a;
    }

    /** PING answers +PONG. */
    static void pong(InetSocketAddress ep) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(ep, 2000);
            s.setSoTimeout(5000);
            OutputStream o = s.getOutputStream();
            o.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            o.flush();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[7];
            int n = in.readNBytes(buf, 0, 7);
            String reply = new String(buf, 0, n, StandardCharsets.US_ASCII);
            if (!reply.equals("+PONG\r\n")) {
                throw new IOException("PING answered '" + reply.strip() + "'");
            }
        }
    }
}
