package io.isobench.bench.server;

import io.isobench.bench.Benchmark;
import io.isobench.bench.Metric;
import io.isobench.bench.ParamSpec;
import io.isobench.bench.CommandBenchmark;
import io.isobench.bench.Params;
import io.isobench.bench.TrialContext;
import io.isobench.bench.TrialFailure;
import io.isobench.bench.TrialOutcome;
import io.isobench.proc.ProcResult;
import io.isobench.util.Tools;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * nginx serving one static page from inside the runtime; the client (ab with the papers' {@code -n 50000 -c 100},
 * or wrk) runs on the host and reaches it through the runtime's network path. The config and the page are written by
 * isobench into the image; nginx's prefix (pid file, temp dirs, and the page, copied there at start so that it is
 * served from the runtime's own storage) is the sandbox's scratch storage.
 */
public final class NginxBenchmark implements Benchmark {
    static final int PORT = 8080;
    /** Metric names of the report's nginx table (reported through ab's and wrk's parsers, listed by {@link #metrics()}). */
    public static final String REQUESTS_PER_SECOND = AbOutput.REQUESTS_PER_SECOND.name();
    public static final String TIME_PER_REQUEST_MS = AbOutput.TIME_PER_REQUEST.name();
    public static final String TRANSFER_RATE_KIB_PER_S = AbOutput.TRANSFER_RATE.name();
    public static final String FAILED_REQUESTS = AbOutput.FAILED.name();
    public static final String TOTAL_MEDIAN_MS = AbOutput.connectionTime("total", "median").name();
    public static final String LATENCY_P50_MS = AbOutput.percentile(50).name();
    public static final String LATENCY_P99_MS = AbOutput.percentile(99).name();
    public static final String LATENCY_AVG_MS = WrkOutput.LATENCY_AVG.name();
    static final String CONF = "nginx/nginx.conf";
    static final String PAGE_FILE = "nginx/index.html";
    static final String PAGE = "/index.html";
    /** The size of nginx's stock welcome page, which the papers' containers served. */
    static final int PAGE_BYTES = 612;

    @Override
    public String id() {
        return "nginx";
    }

    @Override
    public String description() {
        return "nginx serves a " + PAGE_BYTES + "-byte static page from inside the runtime; ab (or wrk) on the host";
    }

    @Override
    public List<ParamSpec> params() {
        return List.of(
                ParamSpec.choice("client", "ab", true, "HTTP client on the host, one case each", "ab", "wrk"),
                ParamSpec.of("requests", "50000", ParamSpec.Type.INT, "ab -n: requests per trial (the papers' 50000)"),
                ParamSpec.of("concurrency", "100", ParamSpec.Type.INT, "ab -c: concurrent requests (the papers' 100)"),
                ParamSpec.of("wrk_duration", "10s", ParamSpec.Type.DURATION, "wrk -d: length of a wrk trial"),
                ParamSpec.of("wrk_threads", "2", ParamSpec.Type.INT, "wrk -t: client threads"),
                ParamSpec.of("wrk_connections", "100", ParamSpec.Type.INT, "wrk -c: open connections"),
                ParamSpec.of("warmup", "2s", ParamSpec.Type.DURATION, "untimed client run before the measured one (0s: none)"),
                ServerTrial.placementParam());
    }

    @Override
    public Set<String> tools() {
        return Set.of("nginx", "ab");
    }

    @Override
    public Set<String> hostFiles() {
        return Set.of("/etc/nginx/mime.types");
    }

    @Override
    public Map<String, String> imageFiles() {
        return Map.of(CONF, config(), PAGE_FILE, page());
    }

    /**
     * The whole config. {@code daemon}, {@code master_process} and {@code worker_processes} come from the command
     * line ({@code -g}); relative paths are under the prefix ({@code -p}, the scratch directory). Only the benchmark
     * page is served, only to GET/HEAD; every other path is 404 (no index, no symlinks followed).
     */
    static String config() {
        return """
                # written by isobench: nginx benchmark
                user root root;
                pid nginx.pid;
                events { worker_connections 4096; }
                http {
                    include /etc/nginx/mime.types;
                    default_type application/octet-stream;
                    access_log off;
                    sendfile on;
                    keepalive_timeout 65;
                    client_body_temp_path body;
                    proxy_temp_path proxy;
                    fastcgi_temp_path fastcgi;
                    uwsgi_temp_path uwsgi;
                    scgi_temp_path scgi;
                    server_tokens off;
                    server {
                        listen %d default_server;
                        root html;
                        disable_symlinks on;
                        autoindex off;
                        # the benchmark page, read-only (GET and HEAD); nothing else is served
                        location = %s {
                            limit_except GET { deny all; }
                        }
                        location / {
                            return 404;
                        }
                    }
                }
                """.formatted(PORT, PAGE);
    }

    /** A fixed {@value #PAGE_BYTES}-byte HTML page. */
    static String page() {
        String head = "<!DOCTYPE html>\n<html>\n<head><title>isobench</title></head>\n<body>\n<p>";
        String tail = "</p>\n</body>\n</html>\n";
        return head + "x".repeat(PAGE_BYTES - head.length() - tail.length()) + tail;
    }

    @Override
    public List<Metric> metrics() {
        List<Metric> m = new ArrayList<>(AbOutput.metrics());
        m.addAll(WrkOutput.metrics());
        return List.copyOf(new LinkedHashSet<>(m));
    }

    @Override
    public List<Params> cases(Params resolved) {
        return resolved.getList("client").stream().map(c -> resolved.with("client", c)).toList();
    }

    @Override
    public Duration expectedDuration(Params p) {
        Duration run = p.get("client").equals("wrk") ? p.getDuration("wrk_duration")
                : Duration.ofMillis(p.getLong("requests") / 2); // ~2000 req/s: a slow sandbox (gVisor ptrace: ~1500)
        return run.plus(p.getDuration("warmup")).plusSeconds(15);
    }

    @Override
    public boolean runByDefault() {
        return false;
    }

    @Override
    public TrialOutcome run(TrialContext ctx) throws TrialFailure, InterruptedException {
        Params p = ctx.params();
        String client = p.get("client");
        String wrk = client.equals("wrk") ? Tools.which("wrk") : null;
        if (client.equals("wrk") && wrk == null) {
            throw new TrialFailure("wrk not installed on the host (apt-get install wrk)", "");
        }
        ServerTrial.Placement pl = ServerTrial.placement(ctx, p);
        int workers = ServerTrial.serverCpus(ctx, pl);
        String globals = "daemon off; master_process on; worker_processes " + workers + ";";
        // the shell joins stderr to stdout, puts the page under the prefix and passes the scratch path; the values are
        // arguments ($0..$3), not script text
        List<String> argv = List.of(ctx.image().tools().get("busybox"), "sh", "-c",
                "exec 2>&1; mkdir -p \"$ISOBENCH_SCRATCH/html\" && cp \"$3\" \"$ISOBENCH_SCRATCH/html/index.html\" && "
                        + "chmod 0444 \"$ISOBENCH_SCRATCH/html/index.html\" && chmod 0555 \"$ISOBENCH_SCRATCH/html\" && "
                        + "exec \"$0\" -p \"$ISOBENCH_SCRATCH/\" -c \"$1\" -e stderr -g \"$2\"",
                ctx.image().tools().get("nginx"), ctx.image().dataFiles().get(CONF), globals,
                ctx.image().dataFiles().get(PAGE_FILE));
        try (ServerTrial t = ServerTrial.start(ctx, argv, Map.of(), PORT, 16L << 20, pl, Duration.ofSeconds(60),
                NginxBenchmark::httpOk)) {
            // an IPv6 endpoint (a pod IP on an IPv6 cluster) goes in brackets in a URL
            String url = "http://" + (t.host().contains(":") ? "[" + t.host() + "]" : t.host()) + ":" + t.port() + PAGE;
            String ab = ctx.image().tools().get("ab");
            long warm = p.getDuration("warmup").toSeconds();
            if (warm > 0) {
                List<String> w = client.equals("wrk")
                        ? List.of(wrk, "-t", p.get("wrk_threads"), "-c", p.get("wrk_connections"), "-d", warm + "s", url)
                        : List.of(ab, "-q", "-t", Long.toString(warm), "-n", "10000000", "-c", p.get("concurrency"), url);
                ProcResult r = t.client(w);
                if (!r.ok()) {
                    throw t.clientFailure("warm-up " + w.get(0), r);
                }
            }
            List<String> cmd = client.equals("wrk")
                    ? List.of(wrk, "--latency", "-t", p.get("wrk_threads"), "-c", p.get("wrk_connections"), "-d",
                    p.getDuration("wrk_duration").toSeconds() + "s", url)
                    : List.of(ab, "-n", p.get("requests"), "-c", p.get("concurrency"), url);
            String info = "isobench: nginx worker_processes " + workers + "; client: " + String.join(" ", cmd) + "\n";
            ProcResult r = t.client(cmd);
            if (!r.ok()) {
                throw t.failure(r.timedOut() ? client + " timed out (trial timeout)" : client + ": " + r.failureSummary(),
                        info + r.combinedOutput());
            }
            String raw = t.rawOutput(info + r.stdout());
            try {
                // the page is static: any other answer means the server is broken, and the rate would measure errors
                if (client.equals("wrk")) {
                    WrkOutput.check(r.stdout());
                } else {
                    AbOutput.check(r.stdout(), PAGE_BYTES);
                }
                return new TrialOutcome(client.equals("wrk") ? WrkOutput.parse(r.stdout()) : AbOutput.parse(r.stdout()), raw);
            } catch (CommandBenchmark.ParseException e) {
                throw CommandBenchmark.failure(client, e, raw);
            }
        }
    }

    /** HTTP/1.0 GET of the page answers 200. */
    static void httpOk(InetSocketAddress ep) throws IOException {
        String status = ServerTrial.exchange(ep, "GET " + PAGE + " HTTP/1.0\r\nHost: isobench\r\n\r\n", 12);
        if (!status.matches("HTTP/1\\.[01] 200")) {
            throw new IOException("HTTP status line '" + status.strip() + "'");
        }
    }
}
