package io.isobench.bench.server;

import io.isobench.bench.ParamSpec;
import io.isobench.bench.Params;
import io.isobench.bench.TrialContext;
import io.isobench.bench.TrialFailure;
import io.isobench.proc.Proc;
import io.isobench.proc.ProcResult;
import io.isobench.runtime.LaunchSpec;
import io.isobench.runtime.NetworkSpec;
import io.isobench.runtime.RuntimeDriver;
import io.isobench.runtime.Sandbox;
import io.isobench.util.Tools;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One server trial: a server in a fresh sandbox of the context's runtime, reached from the host only through the
 * driver's network path ({@link LaunchSpec#withNetwork}, {@link Sandbox#endpoint}); a client on the host. The
 * server is waited for by a readiness check (TCP connect plus a protocol exchange), never a sleep. Where the host
 * has 2 or more CPUs and placement is {@code apart}, the sandbox's host processes are pinned to all CPUs but the
 * last and the client to the last one ({@code taskset}); what was done is in the header of the raw output, with the
 * network path. {@link #close()} stops the server and removes the sandbox (and its scratch storage).
 */
final class ServerTrial implements AutoCloseable {
    static final Duration READY_POLL = Duration.ofMillis(50);
    private static final int MAX_LOG = 64 * 1024;

    private final Sandbox sandbox;
    private final InetSocketAddress endpoint;
    private final Placement placement;
    private final StringBuilder header = new StringBuilder();
    private final long deadline;
    private String serverLog;

    /** A protocol check of a server that accepted a TCP connection; throws while it is not ready. */
    @FunctionalInterface
    interface Readiness {
        void check(InetSocketAddress endpoint) throws IOException;
    }

    /**
     * Where client and server run. {@code serverCpus}/{@code clientCpus} are taskset CPU lists, null when not pinned.
     */
    record Placement(String serverCpus, String clientCpus, int serverCpuCount, String why) {
        /** {@code apart}: on 2+ CPUs the client gets the last CPU and the server the others; {@code none}: no pinning. */
        static Placement plan(String mode, int hostCpus) {
            if (mode.equals("none")) {
                return new Placement(null, null, hostCpus, "not pinned (placement=none)");
            }
            if (hostCpus < 2) {
                return new Placement(null, null, hostCpus, "not pinned (1 CPU: client and server share it)");
            }
            String server = hostCpus == 2 ? "0" : "0-" + (hostCpus - 2);
            return new Placement(server, Integer.toString(hostCpus - 1), hostCpus - 1, "pinned apart");
        }

        /** The plan pinned the sandbox to {@code set}: the client gets the CPUs outside it, or any CPU when none is. */
        static Placement pinnedByPlan(io.isobench.util.CpuSet set, int hostCpus) {
            List<Integer> rest = new ArrayList<>();
            for (int c = 0; c < hostCpus; c++) {
                if (!set.cpus().contains(c)) {
                    rest.add(c);
                }
            }
            String client = rest.isEmpty() ? null : new io.isobench.util.CpuSet(rest).toString();
            return new Placement(null, client, set.size(), "sandbox pinned to CPU " + set + " by the plan (--cpuset); "
                    + (client == null ? "client on any CPU (none is outside the set)" : "client on CPU " + client
                    + " (taskset -c " + client + ")"));
        }

        boolean pinned() {
            return serverCpus != null;
        }
    }

    static ParamSpec placementParam() {
        return ParamSpec.choice("placement", "apart", false, "apart: on 2+ CPUs pin the client (taskset) to the last CPU "
                + "and the sandbox's host processes to the others; none: no pinning (recorded either way); a case pinned "
                + "by --cpuset keeps the sandbox on its set and puts the client on the CPUs outside it", "apart", "none");
    }

    static Placement placement(Params p) {
        return Placement.plan(p.get("placement"), Runtime.getRuntime().availableProcessors());
    }

    /**
     * The placement of a trial: when the plan pins sandboxes ({@code --cpuset}), the driver has put the server on that
     * set and it stays there; the client then runs on the host CPUs outside the set (if there are any).
     */
    static Placement placement(TrialContext ctx, Params p) {
        io.isobench.util.CpuSet set = ctx.limits().cpuset();
        if (set == null) {
            return placement(p);
        }
        return Placement.pinnedByPlan(set, Runtime.getRuntime().availableProcessors());
    }

    /** CPUs the server may use: the plan's CPU limit rounded up, within the CPUs placement gives it. At least 1. */
    static int serverCpus(TrialContext ctx, Placement pl) {
        int limit = (int) Math.ceil(ctx.limits().cpus());
        return Math.max(1, Math.min(limit <= 0 ? pl.serverCpuCount() : limit, pl.serverCpuCount()));
    }

    ServerTrial(Sandbox sandbox, InetSocketAddress endpoint, Placement placement, long deadline) {
        this.sandbox = sandbox;
        this.endpoint = endpoint;
        this.placement = placement;
        this.deadline = deadline;
    }

    /**
     * Launches {@code argv} (stderr should go to stdout: the server log is what the sandbox printed) listening on
     * {@code port}, waits until {@code ready} passes (at most {@code readyTimeout}), then pins as planned.
     *
     * @param scratchBytes scratch storage for the server's data (null: none)
     */
    static ServerTrial start(TrialContext ctx, List<String> argv, Map<String, String> env, int port, Long scratchBytes,
                             Placement placement, Duration readyTimeout, Readiness ready) throws TrialFailure,
            InterruptedException {
        long deadline = System.nanoTime() + ctx.timeout().toNanos();
        LaunchSpec spec = ctx.launchSpec(argv).env(env).network(NetworkSpec.tcp(port))
                .scratchBytes(scratchBytes).build();
        Sandbox s;
        try {
            s = ctx.driver().launch(spec);
        } catch (RuntimeDriver.LaunchException e) {
            throw new TrialFailure("launch failed: " + e.getMessage(), "");
        }
        ServerTrial t = null;
        boolean started = false;
        try {
            InetSocketAddress ep;
            try {
                ep = s.endpoint(port);
            } catch (IllegalStateException e) { // a remote sandbox's address can fail to come (no pod IP in time)
                String log = s.await(Duration.ofMillis(1)).combinedOutput();
                throw new TrialFailure("no endpoint for the server's port " + port + ": " + e.getMessage(),
                        "isobench: network path: " + s.networkPath() + "\n--- server log ---\n" + log);
            }
            t = new ServerTrial(s, ep, placement, deadline);
            t.header.append("isobench: server ").append(String.join(" ", argv.stream()
                    .map(a -> a.isEmpty() || a.contains(" ") ? "'" + a + "'" : a).toList())).append('\n');
            t.header.append("isobench: network path: ").append(s.networkPath()).append('\n');
            t.header.append("isobench: endpoint: ").append(ep.getAddress().getHostAddress()).append(':')
                    .append(ep.getPort()).append('\n');
            if (s.scratchStorage() != null) {
                t.header.append("isobench: server data on ").append(s.scratchStorage()).append('\n');
            }
            long t0 = System.nanoTime();
            t.awaitReady(ready, readyTimeout);
            t.header.append("isobench: ready after ").append((System.nanoTime() - t0) / 1_000_000)
                    .append(" ms (readiness check passed)\n");
            t.header.append("isobench: placement: ").append(t.pin()).append('\n');
            started = true;
            return t;
        } finally {
            if (!started) {
                if (t != null) {
                    t.close();
                } else {
                    s.close();
                }
            }
        }
    }

    private void awaitReady(Readiness ready, Duration within) throws TrialFailure, InterruptedException {
        long end = Math.min(System.nanoTime() + within.toNanos(), deadline);
        Exception last = null;
        boolean hadProcesses = false;
        long nextPidCheck = 0;
        while (System.nanoTime() < end) {
            try {
                ready.check(endpoint);
                return;
            } catch (IOException | RuntimeException e) {
                last = e;
            }
            if (System.nanoTime() >= nextPidCheck) {
                // an instance whose host processes are all gone (or, without host processes, a pod, whose driver saw it
                // exit) will never become ready: fail now, not at the timeout
                boolean has = !sandbox.hostPids().isEmpty();
                if (hadProcesses && !has || sandbox.exitedAtNanos() >= 0) {
                    throw failure("server exited before it was ready (last check: " + last.getMessage() + ")", "");
                }
                hadProcesses |= has;
                nextPidCheck = System.nanoTime() + 500_000_000L;
            }
            Thread.sleep(READY_POLL.toMillis());
        }
        throw failure("server not ready within " + within.toSeconds() + " s (last check: "
                + (last == null ? "none ran" : last.getMessage()) + ")", "");
    }

    /** Pins the sandbox's host processes (all threads) to the server CPUs; says what was done. */
    private String pin() {
        if (!placement.pinned()) {
            return placement.clientCpus() != null ? placement.why()
                    : placement.why() + "; client and server processes on any host CPU";
        }
        String taskset = Tools.which("taskset");
        if (taskset == null) {
            return "not pinned (taskset not found)";
        }
        List<Long> pids = sandbox.hostPids();
        int ok = 0;
        List<String> errors = new ArrayList<>();
        for (long pid : pids) {
            ProcResult r = Proc.of(taskset, "-a", "-p", "-c", placement.serverCpus(), Long.toString(pid))
                    .timeout(Duration.ofSeconds(10)).run();
            if (r.ok()) {
                ok++;
            } else {
                errors.add(pid + ": " + r.stderr().strip());
            }
        }
        if (pids.isEmpty()) {
            return "server not pinned (the driver reported no host processes); client on CPU " + placement.clientCpus()
                    + " (taskset -c " + placement.clientCpus() + ")";
        }
        return "server: " + ok + " of " + pids.size() + " host processes of the sandbox (every thread) pinned to CPU "
                + placement.serverCpus() + " (taskset -a -p)" + (errors.isEmpty() ? "" : " [not pinned: "
                + String.join("; ", errors) + "]") + "; client on CPU " + placement.clientCpus() + " (taskset -c "
                + placement.clientCpus() + ")";
    }

    InetSocketAddress endpoint() {
        return endpoint;
    }

    String host() {
        return endpoint.getAddress().getHostAddress();
    }

    int port() {
        return endpoint.getPort();
    }

    /** The lines that go first in the trial's raw output: network path, endpoint, storage, readiness, placement. */
    String header() {
        return header.toString();
    }

    /** Time left before the trial's timeout. */
    Duration remaining() {
        return Duration.ofNanos(Math.max(1_000_000_000L, deadline - System.nanoTime()));
    }

    /** Runs a client on the host, pinned to the client CPU when placement says so, within the trial's time. */
    ProcResult client(List<String> argv) {
        List<String> full = new ArrayList<>();
        String taskset = Tools.which("taskset");
        if (placement.clientCpus() != null && taskset != null) {
            full.addAll(List.of(taskset, "-c", placement.clientCpus()));
        }
        full.addAll(argv);
        return Proc.of(full).timeout(remaining()).run();
    }

    /** Stops the server and returns what it printed (stdout, then stderr), at most the last 64 KiB. */
    /** The server's own exit, when it ended before isobench stopped it (a crash, a runtime's panic); else null. */
    private ProcResult serverExited;

    String stopAndLog() {
        if (serverLog == null) {
            ProcResult r = sandbox.await(Duration.ofMillis(1)); // kills it if it still runs
            if (!r.timedOut()) {
                serverExited = r;
            }
            sandbox.close();
            String text = r.combinedOutput();
            serverLog = text.length() > MAX_LOG ? "...\n" + text.substring(text.length() - MAX_LOG) : text;
        }
        return serverLog;
    }

    /** A failure with the header, the client's output and the server's log. */
    TrialFailure failure(String reason, String clientOutput) {
        String raw = rawOutput(clientOutput);
        ProcResult gone = serverExited;
        if (gone != null) { // the client's error is a symptom: say what happened to the server
            reason = reason + "; the server had exited: " + gone.failureSummary();
        }
        return new TrialFailure(reason, raw);
    }

    /** header + client output + server log (stops the server). */
    String rawOutput(String clientOutput) {
        return header + clientOutput + (clientOutput.endsWith("\n") || clientOutput.isEmpty() ? "" : "\n")
                + "--- server log ---\n" + stopAndLog();
    }

    /** A failure for a client run that did not succeed (timeout, non-zero exit). */
    TrialFailure clientFailure(String what, ProcResult r) {
        String reason = r.timedOut() ? what + " timed out (trial timeout)" : what + ": " + r.failureSummary();
        return failure(reason, r.combinedOutput());
    }

    @Override
    public void close() {
        stopAndLog();
    }

    /**
     * A readiness probe's exchange: connects to {@code ep} (2 s), sends {@code request} and returns the first
     * {@code replyBytes} bytes of the answer (fewer when the server closes; 5 s read timeout).
     */
    static String exchange(InetSocketAddress ep, String request, int replyBytes) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(ep, 2000);
            s.setSoTimeout(5000);
            OutputStream o = s.getOutputStream();
            o.write(request.getBytes(StandardCharsets.US_ASCII));
            o.flush();
            byte[] buf = new byte[replyBytes];
            int n = s.getInputStream().readNBytes(buf, 0, replyBytes);
            return new String(buf, 0, n, StandardCharsets.US_ASCII);
        }
    }
}
