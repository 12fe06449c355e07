package io.isobench.bench.fleet;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.LongConsumer;

/**
 * Finds when each of many HTTP servers first answers, with one thread and non-blocking sockets: per target, a
 * connect, a {@code GET /} and the status line; a refused or reset connection, an early EOF or a status other
 * than 2xx is retried. The attempt interval grows with the time since the target was watched ({@link #interval}):
 * 1 ms at first, then 5 % of the elapsed time, at most 10 ms, so a readiness time is late by at most ~5 % (+1 ms)
 * while 64 slow-booting instances cost a few hundred connection attempts per second, not tens of thousands.
 * A connect still pending after {@link #connectTimeout} is abandoned for a fresh one: a SYN sent while the
 * sandbox's link was not yet passing packets is otherwise retransmitted only after TCP's 1 s initial RTO.
 * The time reported is the host monotonic time the status line was read.
 */
final class HttpPoller implements AutoCloseable {
    static final String DESCRIPTION = "non-blocking GET / on one poller thread; retry interval 1 ms, then 5 % of the "
            + "time since launch (at most 10 ms): ready at most ~5 % + 1 ms after the server could first answer";
    private static final byte[] REQUEST = "GET / HTTP/1.0\r\nHost: isobench\r\nUser-Agent: isobench-readiness\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII);

    private final Selector selector;
    private final Thread thread;
    private final ConcurrentLinkedQueue<Target> added = new ConcurrentLinkedQueue<>();
    private final PriorityQueue<Target> waiting = new PriorityQueue<>((a, b) -> Long.compare(a.due, b.due));
    private final java.util.Set<Target> connecting = new java.util.LinkedHashSet<>();
    private volatile boolean closed;
    private volatile long attempts;

    /** One server being watched. */
    static final class Target {
        final InetSocketAddress endpoint;
        final long since;
        final LongConsumer onReady;
        long due;
        long attemptAt;
        SocketChannel channel;
        ByteBuffer out;
        final ByteBuffer in = ByteBuffer.allocate(256);
        volatile String lastError = "not tried yet";

        Target(InetSocketAddress endpoint, long since, LongConsumer onReady) {
            this.endpoint = endpoint;
            this.since = since;
            this.onReady = onReady;
        }

        /** Why the last attempt did not count (refused, reset, a non-2xx status...). */
        String lastError() {
            return lastError;
        }
    }

    HttpPoller() {
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            throw new IllegalStateException("cannot open a selector: " + e.getMessage(), e);
        }
        this.thread = Thread.ofPlatform().daemon().name("http-readiness").start(this::loop);
    }

    /** The wait before the next attempt, {@code elapsed} nanoseconds after the target was watched. */
    static long interval(long elapsedNanos) {
        return Math.min(10_000_000L, Math.max(1_000_000L, elapsedNanos / 20));
    }

    /** How long a connect may stay pending before a fresh attempt replaces it. */
    static long connectTimeout(long elapsedNanos) {
        return Math.max(10_000_000L, 2 * interval(elapsedNanos));
    }

    /**
     * Polls {@code endpoint} until it answers with a 2xx status, then calls {@code onReady} with the host monotonic
     * time the status line was read (on the poller thread; keep it short). {@code since} is the launch time.
     */
    Target watch(InetSocketAddress endpoint, long since, LongConsumer onReady) {
        Target t = new Target(endpoint, since, onReady);
        added.add(t);
        selector.wakeup();
        return t;
    }

    /** Connection attempts made so far (all targets). */
    long attempts() {
        return attempts;
    }

    private void loop() {
        while (!closed) {
            Target t;
            while ((t = added.poll()) != null) {
                attempt(t);
            }
            long now = System.nanoTime();
            while (!waiting.isEmpty() && waiting.peek().due <= now) {
                attempt(waiting.poll());
            }
            long nextDue = waiting.isEmpty() ? now + 100_000_000L : waiting.peek().due;
            for (var it = connecting.iterator(); it.hasNext(); ) {
                Target c = it.next();
                SelectionKey k = c.channel == null ? null : c.channel.keyFor(selector);
                if (k == null || !k.isValid() || (k.interestOps() & SelectionKey.OP_CONNECT) == 0) {
                    it.remove(); // connected (or given up): no longer a pending connect
                } else if (now - c.attemptAt > connectTimeout(c.attemptAt - c.since)) {
                    it.remove();
                    k.cancel();
                    retry(c, "connect pending for " + (now - c.attemptAt) / 1_000_000 + " ms (SYN unanswered)");
                } else {
                    nextDue = Math.min(nextDue, c.attemptAt + connectTimeout(c.attemptAt - c.since));
                }
            }
            if (!waiting.isEmpty()) {
                nextDue = Math.min(nextDue, waiting.peek().due);
            }
            long waitMs = Math.max(1, (nextDue - System.nanoTime() + 999_999) / 1_000_000);
            try {
                selector.select(waitMs);
            } catch (IOException | java.nio.channels.ClosedSelectorException e) {
                return;
            }
            if (closed) {
                return;
            }
            var it = selector.selectedKeys().iterator();
            while (it.hasNext()) {
                SelectionKey k = it.next();
                it.remove();
                Target tg = (Target) k.attachment();
                try {
                    if (k.isValid() && k.isConnectable()) {
                        tg.channel.finishConnect();
                        k.interestOps(SelectionKey.OP_WRITE);
                    }
                    if (k.isValid() && k.isWritable()) {
                        tg.channel.write(tg.out);
                        if (!tg.out.hasRemaining()) {
                            k.interestOps(SelectionKey.OP_READ);
                        }
                    }
                    if (k.isValid() && k.isReadable()) {
                        read(tg, k);
                    }
                } catch (IOException e) {
                    retry(tg, e.getMessage());
                }
            }
        }
    }

    private void attempt(Target t) {
        attempts++;
        try {
            t.channel = SocketChannel.open();
            t.channel.configureBlocking(false);
            t.out = ByteBuffer.wrap(REQUEST);
            t.in.clear();
            t.attemptAt = System.nanoTime();
            boolean connected = t.channel.connect(t.endpoint);
            t.channel.register(selector, connected ? SelectionKey.OP_WRITE : SelectionKey.OP_CONNECT, t);
            if (!connected) {
                connecting.add(t);
            }
        } catch (IOException e) {
            retry(t, e.getMessage());
        }
    }

    private void read(Target t, SelectionKey k) throws IOException {
        int n = t.channel.read(t.in);
        long at = System.nanoTime();
        String head = new String(t.in.array(), 0, t.in.position(), StandardCharsets.ISO_8859_1);
        int eol = head.indexOf('\n');
        if (eol >= 0) {
            if (isSuccess(head.substring(0, eol))) {
                k.cancel();
                closeQuietly(t);
                t.onReady.accept(at);
            } else {
                retry(t, "answered " + head.substring(0, eol).strip());
            }
        } else if (n < 0 || !t.in.hasRemaining()) {
            retry(t, "connection closed before a status line");
        }
    }

    /** Whether an HTTP status line says 2xx. */
    static boolean isSuccess(String statusLine) {
        String[] f = statusLine.strip().split(" ");
        return f.length >= 2 && f[0].startsWith("HTTP/") && f[1].length() == 3 && f[1].charAt(0) == '2';
    }

    private void retry(Target t, String why) {
        closeQuietly(t);
        t.lastError = why;
        long now = System.nanoTime();
        t.due = now + interval(now - t.since);
        waiting.add(t);
    }

    private static void closeQuietly(Target t) {
        try {
            if (t.channel != null) {
                t.channel.close();
            }
        } catch (IOException ignored) {
            // nothing to do
        }
    }

    @Override
    public void close() {
        closed = true;
        selector.wakeup();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (SelectionKey k : selector.keys()) {
            try {
                k.channel().close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        try {
            selector.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Target t : waiting) {
            closeQuietly(t);
        }
    }
}
