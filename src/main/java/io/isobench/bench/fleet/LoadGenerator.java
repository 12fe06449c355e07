package io.isobench.bench.fleet;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed-rate, open-loop HTTP client on the host: request i is due at start + i / rate, whether or not earlier
 * ones have finished (a slow server does not slow the load down, and latency counts from the due time, so queueing
 * is not hidden). One platform thread keeps the schedule; each request runs on its own virtual thread: a new TCP
 * connection, {@code GET /}, the whole response, close.
 */
final class LoadGenerator {
    private static final byte[] REQUEST = "GET / HTTP/1.0\r\nHost: isobench\r\nUser-Agent: isobench-load\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII);
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(2);

    /** The outcome of a run: latencies (ms, from each request's due time) of the successful requests, and errors. */
    record Result(int sent, double[] latenciesMs, int errors, List<String> errorSamples, double seconds, double maxLagMs) {
        double p(double q) {
            if (latenciesMs.length == 0) {
                return Double.NaN;
            }
            double[] s = latenciesMs.clone();
            Arrays.sort(s);
            return percentile(s, q);
        }

        double achievedPerSecond() {
            return seconds <= 0 ? 0 : latenciesMs.length / seconds;
        }
    }

    /** Nearest-rank percentile of sorted values (q in 0..1). */
    static double percentile(double[] sorted, double q) {
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
    }

    /** The due time of request i (host nanoTime). */
    static long due(long start, int i, double perSecond) {
        return start + Math.round(i * 1e9 / perSecond);
    }

    /** Sends {@code perSecond} requests per second to {@code ep} for {@code length}; returns when every request ended. */
    static Result run(InetSocketAddress ep, double perSecond, Duration length) throws InterruptedException {
        int total = (int) Math.floor(length.toNanos() / 1e9 * perSecond);
        ConcurrentLinkedQueue<Double> lat = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>(total);
        long start = System.nanoTime();
        double maxLag = 0;
        for (int i = 0; i < total; i++) {
            long due = due(start, i, perSecond);
            long wait;
            while ((wait = due - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
            }
            maxLag = Math.max(maxLag, (System.nanoTime() - due) / 1e6);
            threads.add(Thread.ofVirtual().start(() -> {
                try {
                    request(ep);
                    lat.add((System.nanoTime() - due) / 1e6);
                } catch (IOException e) {
                    errors.add(e.getClass().getSimpleName() + ": " + e.getMessage());
                }
            }));
        }
        for (Thread t : threads) {
            t.join(REQUEST_TIMEOUT.multipliedBy(3));
        }
        double seconds = (due(start, total, perSecond) - start) / 1e9;
        List<String> some = errors.stream().limit(5).toList();
        return new Result(total, lat.stream().mapToDouble(Double::doubleValue).toArray(), errors.size(), some, seconds, maxLag);
    }

    private static void request(InetSocketAddress ep) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(ep, (int) REQUEST_TIMEOUT.toMillis());
            s.setSoTimeout((int) REQUEST_TIMEOUT.toMillis());
            OutputStream out = s.getOutputStream();
            out.write(REQUEST);
            out.flush();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[512];
            StringBuilder head = new StringBuilder();
            int n;
            while ((n = in.read(buf)) > 0) {
                if (head.length() < 64) {
                    head.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
                }
            }
            int eol = head.indexOf("\n");
            String status = eol < 0 ? head.toString() : head.substring(0, eol);
            if (!HttpPoller.isSuccess(status)) {
                throw new IOException("not a 2xx answer: '" + status.strip() + "'");
            }
        }
    }
}
