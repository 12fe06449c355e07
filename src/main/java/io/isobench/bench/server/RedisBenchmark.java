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
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * redis-server inside the runtime (no persistence, protected mode off, bound to all of the sandbox's addresses);
 * {@code redis-benchmark --csv} on the host, one case per command. The server asks for a random password of the
 * trial ({@code requirepass}, in a 0600 config file on its scratch storage) and has no command that reconfigures
 * it, writes files, replicates, loads code or lists or flushes the keyspace ({@link #DISABLED}).
 */
public final class RedisBenchmark implements Benchmark {
    static final int PORT = 6379;
    /** Renamed to "" (gone): none is needed by redis-benchmark's tests (it only warns that CONFIG is missing). */
    static final List<String> DISABLED = List.of("CONFIG", "DEBUG", "MODULE", "SLAVEOF", "REPLICAOF", "SYNC", "PSYNC",
            "FAILOVER", "CLUSTER", "MIGRATE", "RESTORE", "FLUSHALL", "FLUSHDB", "KEYS", "SAVE", "BGSAVE", "BGREWRITEAOF",
            "SHUTDOWN", "MONITOR", "ACL", "EVAL", "EVALSHA", "EVAL_RO", "EVALSHA_RO", "SCRIPT", "FUNCTION", "FCALL",
            "FCALL_RO");
    /**
     * Writes the config (password, disabled commands) to scratch with umask 077 and execs the server on it. $0
     * redis-server, $1 the disabled commands, $2 port; the password comes in {@link ServerSecret#ENV}, never on a
     * command line, and leaves the environment before the server starts.
     */
    static final String SCRIPT = """
            exec 2>&1
            P="$ISOBENCH_SERVER_PASSWORD"; unset ISOBENCH_SERVER_PASSWORD
            case "$P" in ''|*[!0-9a-f]*) echo "isobench: no usable password in the environment"; exit 1;; esac
            C="$ISOBENCH_SCRATCH/redis.conf"
            umask 077
            { echo "requirepass $P"; for c in $1; do echo "rename-command $c ''"; done; } > "$C" || exit 1
            P=
            exec "$0" "$C" --port "$2" --bind 0.0.0.0 --protected-mode no --save "" --appendonly no --daemonize no \
              --logfile "" --dir "$ISOBENCH_SCRATCH"
            """;

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
        try (ServerSecret secret = ServerSecret.create()) {
            return measure(ctx, p, command, secret);
        }
    }

    private TrialOutcome measure(TrialContext ctx, Params p, String command, ServerSecret secret) throws TrialFailure,
            InterruptedException {
        try (ServerTrial t = start(ctx, secret, ServerTrial.placement(ctx, p))) {
            StringBuilder info = new StringBuilder();
            long warm = p.getLong("warmup_requests");
            if (warm > 0) {
                ProcResult r = t.client(client(ctx, t, secret, p, command, warm));
                if (!r.ok()) {
                    throw t.clientFailure("warm-up redis-benchmark", r);
                }
            }
            if (command.equals("lpop")) {
                // LPOP on an empty list measures nothing: push as many elements as the run will pop (untimed)
                ProcResult r = t.client(client(ctx, t, secret, p, "lpush", p.getLong("requests")));
                if (!r.ok()) {
                    throw t.clientFailure("lpush fill before lpop", r);
                }
                info.append("isobench: list filled with ").append(p.get("requests")).append(" LPUSHes (untimed)\n");
            }
            List<String> cmd = client(ctx, t, secret, p, command, p.getLong("requests"));
            info.append("isobench: client: ").append(secret.redact(String.join(" ", cmd))).append('\n');
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
        } catch (TrialFailure f) {
            throw secret.redact(f);
        }
    }

    /** Starts redis-server for a trial, asking for the secret's password. */
    static ServerTrial start(TrialContext ctx, ServerSecret secret, ServerTrial.Placement placement) throws TrialFailure,
            InterruptedException {
        List<String> argv = List.of(ctx.image().tools().get("busybox"), "sh", "-c", SCRIPT,
                ctx.image().tools().get("redis-server"), String.join(" ", DISABLED), Integer.toString(PORT));
        return ServerTrial.start(ctx, argv, Map.of(ServerSecret.ENV, secret.password()), PORT, 16L << 20, placement,
                Duration.ofSeconds(60), ep -> pong(ep, secret.password()));
    }

    /**
     * redis-benchmark takes the password only as {@code -a} (no option file, no environment variable): it is on
     * this client's command line for the length of the run, and redacted from everything stored.
     */
    private static List<String> client(TrialContext ctx, ServerTrial t, ServerSecret secret, Params p, String command,
                                       long n) {
        List<String> a = new ArrayList<>(List.of(ctx.image().tools().get("redis-benchmark"), "-h", t.host(), "-p",
                Integer.toString(t.port()), "-a", secret.password(), "-t", command, "-n", Long.toString(n), "-c", p.get("concurrency"),
                "-P", p.get("pipeline"), "-d", p.get("data_size"), "--csv"));
        return a;
    }

    /** AUTH with the password answers +OK, then PING +PONG. */
    static void pong(InetSocketAddress ep, String password) throws IOException {
        String reply = ServerTrial.exchange(ep, "AUTH " + password + "\r\nPING\r\n", 12);
        if (!reply.equals("+OK\r\n+PONG\r\n")) {
            throw new IOException("AUTH + PING answered '" + reply.strip().replace("\r\n", " ") + "'");
        }
    }
}
