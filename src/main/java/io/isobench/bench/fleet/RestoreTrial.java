package io.isobench.bench.fleet;

import io.isobench.bench.Metric;
import io.isobench.bench.Sample;
import io.isobench.bench.TrialContext;
import io.isobench.bench.TrialFailure;
import io.isobench.bench.TrialOutcome;
import io.isobench.image.BuiltTool;
import io.isobench.image.ImageBuilder;
import io.isobench.proc.WorkDir;
import io.isobench.runtime.Checkpointer;
import io.isobench.runtime.LaunchSpec;
import io.isobench.runtime.NetworkSpec;
import io.isobench.runtime.RuntimeDriver;
import io.isobench.runtime.Sandbox;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code startup.mode=restore}: one instance of the counter probe (an HTTP server whose answers carry a token drawn at its
 * start and the count of answers given) is launched, answers, is warmed with {@value #WARM_REQUESTS} requests, and is
 * saved by the runtime's {@link Checkpointer} (timed; the snapshot's size measured); the saved instance is closed and a
 * new one restored from the snapshot. Restore is timed from the restore call to the first answer through the runtime's
 * network path, and that answer must carry the saved token and the next count (the server's memory survived, not a
 * fresh start), else the trial fails. A runtime without a checkpointer fails the trial with its reason, so the case
 * records why it was skipped.
 */
public final class RestoreTrial {
    public static final BuiltTool COUNTER_PROBE = new BuiltTool("counter-probe", "probe/counter-probe.c");
    public static final int PORT = 8080;
    /** Requests that warm the server before the checkpoint. */
    static final int WARM_REQUESTS = 20;
    /** From the checkpoint call to the runtime saying the instance is saved. */
    public static final Metric CHECKPOINT_MS = new Metric("checkpoint_ms", "ms", false);
    /** The snapshot's files on the host. */
    public static final Metric SNAPSHOT_MIB = new Metric("snapshot_mib", "MiB", false);
    /** From the restore call to the first correct answer of the restored instance. */
    public static final Metric RESTORE_MS = new Metric("restore_ms", "ms", false);
    public static final List<Metric> METRICS = List.of(RESTORE_MS, CHECKPOINT_MS, SNAPSHOT_MIB);
    private static final Pattern ANSWER = Pattern.compile("counter-probe token=([0-9a-f]{16}) served=(\\d+)");
    private static final Duration POLL = Duration.ofMillis(10);

    private RestoreTrial() {
    }

    /** One restore trial in {@code ctx}'s runtime (its params are not used: one instance, HTTP readiness). */
    public static TrialOutcome run(TrialContext ctx) throws TrialFailure, InterruptedException {
        RuntimeDriver driver = ctx.driver();
        java.util.Optional<Checkpointer> cp = driver.checkpointer();
        if (cp.isEmpty()) {
            throw new TrialFailure("restore skipped: " + driver.restoreUnsupported(), "");
        }
        String probe = ctx.image().tools().get(COUNTER_PROBE.name());
        if (probe == null) {
            String why = ctx.image().missingReasons().get(COUNTER_PROBE.name());
            throw new TrialFailure("the counter probe is not in the image" + (why == null ? "" : ": " + why), "");
        }
        long deadline = System.nanoTime() + ctx.timeout().toNanos();
        StringBuilder raw = new StringBuilder();
        raw.append("isobench: restore through ").append(cp.get().method()).append('\n');
        LaunchSpec spec = ctx.launchSpec(List.of(probe, Integer.toString(PORT))).network(NetworkSpec.tcp(PORT)).build();
        Path dir = WorkDir.scratch().resolve("snapshots").resolve(spec.name());
        Sandbox saved = null;
        Sandbox restored = null;
        Checkpointer.Snapshot snap = null;
        try {
            Files.createDirectories(dir);
            try {
                saved = driver.launch(spec);
            } catch (RuntimeDriver.LaunchException e) {
                throw new TrialFailure("launch failed: " + e.getMessage(), raw.toString());
            }
            raw.append("isobench: network path: ").append(saved.networkPath()).append('\n');
            Answer first = awaitAnswer(saved.endpoint(PORT), deadline, new Poll());
            if (first == null) {
                throw new TrialFailure("the instance to save never answered", raw + output(saved));
            }
            Answer last = first;
            for (int i = 0; i < WARM_REQUESTS; i++) {
                last = get(saved.endpoint(PORT), Duration.ofSeconds(5));
            }
            Thread.sleep(100); // the last connection's close handshake ends (nothing of it is left to save)
            raw.append(String.format(Locale.ROOT, "saved instance %s: token %s, %d answers before the checkpoint%n",
                    saved.id(), last.token(), last.served()));
            long c0 = System.nanoTime();
            try {
                snap = cp.get().checkpoint(saved, dir);
            } catch (RuntimeDriver.LaunchException e) {
                throw new TrialFailure("checkpoint failed: " + e.getMessage(), raw + output(saved));
            }
            double checkpointMs = (System.nanoTime() - c0) / 1e6;
            long bytes = snap.bytes();
            snap.facts().forEach((k, v) -> raw.append("checkpoint ").append(k).append(": ").append(v).append('\n'));
            saved.close();
            LaunchSpec again = spec.toBuilder().name(spec.name() + "-r").build();
            long r0 = System.nanoTime();
            try {
                restored = cp.get().restore(snap, again);
                snap = snap.handedOver();
            } catch (RuntimeDriver.LaunchException e) {
                snap = snap.handedOver(); // a failed restore closed what it took over
                throw new TrialFailure("restore failed: " + e.getMessage(), raw.toString());
            }
            double launchedMs = (System.nanoTime() - r0) / 1e6;
            Poll poll = new Poll();
            Answer back = awaitAnswer(restored.endpoint(PORT), deadline, poll);
            long answeredAt = System.nanoTime();
            if (back == null) {
                throw new TrialFailure("the restored instance never answered within the trial's timeout", raw + output(restored));
            }
            double restoreMs = (answeredAt - r0) / 1e6;
            raw.append(String.format(Locale.ROOT, "restored instance %s: first answer %s (restore call returned after "
                    + "%.3f ms; %s)%n", restored.id(), back.line(), launchedMs, poll));
            if (!back.token().equals(last.token()) || back.served() != last.served() + 1) {
                throw new TrialFailure(String.format(Locale.ROOT, "the restored instance lost its state: expected token %s "
                        + "served=%d, got %s", last.token(), last.served() + 1, back.line()), raw.toString());
            }
            raw.append(String.format(Locale.ROOT, "checkpoint %.3f ms, snapshot %d bytes, restore to first correct answer "
                    + "%.3f ms%n", checkpointMs, bytes, restoreMs));
            return new TrialOutcome(List.of(new Sample(RESTORE_MS, restoreMs), new Sample(CHECKPOINT_MS, checkpointMs),
                    new Sample(SNAPSHOT_MIB, bytes / (1024.0 * 1024.0))), raw.toString());
        } catch (IOException e) {
            throw new TrialFailure("snapshot directory: " + e.getMessage(), raw.toString());
        } finally {
            if (restored != null) {
                restored.close();
            }
            if (saved != null) {
                saved.close();
            }
            if (snap != null) {
                snap.close();
            }
            ImageBuilder.deleteTree(dir);
        }
    }

    /** One answer of the counter probe. */
    record Answer(String token, long served, String line) {
    }

    /** The counter probe's answer in an HTTP response, or null when the body is not one. */
    static Answer parse(String response) {
        Matcher m = ANSWER.matcher(response);
        return m.find() ? new Answer(m.group(1), Long.parseLong(m.group(2)), m.group()) : null;
    }

    /** Polls until the server answers (the first answer counts), or null at the deadline; {@code poll} records the attempts. */
    private static Answer awaitAnswer(InetSocketAddress ep, long deadline, Poll poll) throws InterruptedException {
        while (System.nanoTime() < deadline) {
            poll.attempts++;
            try {
                Answer a = get(ep, Duration.ofMillis(Math.max(1, Math.min(2000, (deadline - System.nanoTime()) / 1_000_000))));
                if (a != null) {
                    return a;
                }
            } catch (IOException e) {
                poll.lastError = e.getClass().getSimpleName() + ": " + e.getMessage(); // not up yet
            }
            Thread.sleep(POLL);
        }
        return null;
    }

    /** How a wait for the first answer went: attempts and the last attempt's error. */
    private static final class Poll {
        int attempts;
        String lastError;

        @Override
        public String toString() {
            return attempts + " attempts" + (lastError == null ? "" : ", the last failed one: " + lastError);
        }
    }

    /** One GET / (HTTP/1.0, the server closes); the parsed answer, or IOException when it is not the probe's. */
    static Answer get(InetSocketAddress ep, Duration timeout) throws IOException {
        try (Socket s = new Socket()) {
            int ms = (int) Math.max(1, timeout.toMillis());
            s.connect(ep, Math.min(ms, 200));
            s.setSoTimeout(ms);
            OutputStream out = s.getOutputStream();
            out.write("GET / HTTP/1.0\r\nHost: isobench\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String resp = readResponse(s.getInputStream());
            Answer a = parse(resp);
            if (a == null || !resp.startsWith("HTTP/1.0 200")) {
                throw new IOException("not the counter probe's answer: " + resp.lines().findFirst().orElse("(nothing)"));
            }
            return a;
        }
    }

    /**
     * Reads the head and Content-Length bytes of body, then returns, so that the client closes first (the probe waits
     * for that: its end of the connection must not linger in TIME_WAIT, which gVisor's checkpoint refuses).
     */
    static String readResponse(InputStream in) throws IOException {
        byte[] buf = new byte[4096];
        int have = 0;
        while (have < buf.length) {
            int n = in.read(buf, have, buf.length - have);
            if (n < 0) {
                break;
            }
            have += n;
            String text = new String(buf, 0, have, StandardCharsets.ISO_8859_1);
            int end = text.indexOf("\r\n\r\n");
            if (end >= 0) {
                Matcher m = CONTENT_LENGTH.matcher(text.substring(0, end));
                if (m.find() && have >= end + 4 + Integer.parseInt(m.group(1))) {
                    break;
                }
            }
        }
        return new String(buf, 0, have, StandardCharsets.ISO_8859_1);
    }

    private static final Pattern CONTENT_LENGTH = Pattern.compile("(?i)content-length: *(\\d{1,6})");

    private static String output(Sandbox s) {
        if (s == null) {
            return "";
        }
        String o = s.await(Duration.ofSeconds(2)).combinedOutput();
        return "--- instance output:\n" + (o.length() > 4000 ? o.substring(0, 4000) + "…\n" : o);
    }
}
