package io.isobench.runtime.vm;

import io.isobench.util.Json;
import tools.jackson.databind.JsonNode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * A tiny HTTP/1.1 client for Firecracker's API on its Unix socket ({@code --api-sock}): one connection per request,
 * a JSON body with Content-Length, the response read up to its Content-Length (Firecracker keeps connections open, so
 * the end of the stream cannot be waited for). Every request has a deadline. A status other than 2xx is an
 * {@link ApiException} carrying Firecracker's {@code fault_message}.
 */
final class FirecrackerApi {
    /** The largest response accepted (Firecracker's are a few hundred bytes). */
    static final int MAX_RESPONSE = 1 << 20;
    private final Path socket;
    private final Duration timeout;

    FirecrackerApi(Path socket, Duration timeout) {
        this.socket = socket;
        this.timeout = timeout;
    }

    record Response(int status, String body) {
    }

    /** A request Firecracker refused, or a malformed answer. */
    static final class ApiException extends IOException {
        final int status;

        ApiException(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    /** PUT {@code path} with {@code json}; returns normally on 2xx, else throws with the fault message. */
    void put(String path, String json) throws IOException {
        Response r = request("PUT", path, json);
        if (r.status() / 100 != 2) {
            throw new ApiException(r.status(), "PUT " + path + " -> HTTP " + r.status() + ": " + faultMessage(r.body()));
        }
    }

    /** PATCH {@code path} with {@code json} (e.g. {@code /vm} to pause); returns normally on 2xx. */
    void patch(String path, String json) throws IOException {
        Response r = request("PATCH", path, json);
        if (r.status() / 100 != 2) {
            throw new ApiException(r.status(), "PATCH " + path + " -> HTTP " + r.status() + ": " + faultMessage(r.body()));
        }
    }

    /** GET {@code path}; the body on 2xx. */
    String get(String path) throws IOException {
        Response r = request("GET", path, null);
        if (r.status() / 100 != 2) {
            throw new ApiException(r.status(), "GET " + path + " -> HTTP " + r.status() + ": " + faultMessage(r.body()));
        }
        return r.body();
    }

    /**
     * Polls until the socket exists and {@code GET /} answers 2xx (the API thread is up), or {@code within} passes or
     * {@code alive} says the VMM is gone; throws with what the last attempt saw.
     */
    void awaitUp(Duration within, java.util.function.BooleanSupplier alive) throws IOException {
        long deadline = System.nanoTime() + within.toNanos();
        IOException last = null;
        while (System.nanoTime() < deadline) {
            if (Files.exists(socket)) {
                try {
                    get("/");
                    return;
                } catch (IOException e) {
                    last = e;
                }
            }
            if (!alive.getAsBoolean()) {
                throw new IOException("Firecracker exited before its API socket answered"
                        + (last == null ? "" : " (" + last.getMessage() + ")"));
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for the API socket", e);
            }
        }
        throw new IOException("Firecracker's API socket " + socket + " did not answer within " + within.toMillis() + " ms"
                + (last == null ? " (no socket)" : " (" + last.getMessage() + ")"));
    }

    Response request(String method, String path, String json) throws IOException {
        byte[] body = json == null ? new byte[0] : json.getBytes(StandardCharsets.UTF_8);
        String head = method + " " + path + " HTTP/1.1\r\nHost: localhost\r\nAccept: application/json\r\n"
                + (json == null ? "" : "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n") + "\r\n";
        long deadline = System.nanoTime() + timeout.toNanos();
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
             Selector sel = Selector.open()) {
            ch.connect(UnixDomainSocketAddress.of(socket)); // a Unix socket connects at once or fails
            ch.configureBlocking(false);
            ByteBuffer out = ByteBuffer.allocate(head.length() + body.length);
            out.put(head.getBytes(StandardCharsets.US_ASCII)).put(body).flip();
            SelectionKey key = ch.register(sel, SelectionKey.OP_WRITE);
            while (out.hasRemaining()) {
                waitFor(sel, deadline, method, path);
                ch.write(out);
            }
            key.interestOps(SelectionKey.OP_READ);
            ByteArrayOutputStream in = new ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(8192);
            while (true) {
                Response r = parse(in.toByteArray());
                if (r != null) {
                    return r;
                }
                waitFor(sel, deadline, method, path);
                buf.clear();
                int n = ch.read(buf);
                if (n < 0) {
                    Response done = parseAtEof(in.toByteArray());
                    if (done == null) {
                        throw new IOException(method + " " + path + ": the API closed the connection before a complete response");
                    }
                    return done;
                }
                in.write(buf.array(), 0, n);
                if (in.size() > MAX_RESPONSE) {
                    throw new IOException(method + " " + path + ": response larger than " + MAX_RESPONSE + " bytes");
                }
            }
        }
    }

    private static void waitFor(Selector sel, long deadline, String method, String path) throws IOException {
        long left = deadline - System.nanoTime();
        if (left <= 0 || sel.select(Math.max(1, left / 1_000_000)) == 0 && System.nanoTime() >= deadline) {
            throw new IOException(method + " " + path + ": no answer from the API in time");
        }
        sel.selectedKeys().clear();
    }

    /** A complete response in {@code b} (status line, headers, Content-Length bytes of body), or null if more is needed. */
    static Response parse(byte[] b) throws IOException {
        int end = headerEnd(b);
        if (end < 0) {
            return null;
        }
        String head = new String(b, 0, end, StandardCharsets.ISO_8859_1);
        int status = status(head);
        long len = contentLength(head);
        if (len < 0) {
            // no Content-Length: bodiless statuses are complete now; any other is read until the connection closes
            return status == 204 || status == 304 || status / 100 == 1 ? new Response(status, "") : null;
        }
        int start = end + 4;
        if (b.length - start < len) {
            return null;
        }
        return new Response(status, new String(b, start, (int) len, StandardCharsets.UTF_8));
    }

    private static Response parseAtEof(byte[] b) throws IOException {
        int end = headerEnd(b);
        if (end < 0) {
            return null;
        }
        String head = new String(b, 0, end, StandardCharsets.ISO_8859_1);
        if (contentLength(head) >= 0) {
            return null; // shorter than announced
        }
        return new Response(status(head), new String(b, end + 4, b.length - end - 4, StandardCharsets.UTF_8));
    }

    private static int headerEnd(byte[] b) {
        for (int i = 0; i + 3 < b.length; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n' && b[i + 2] == '\r' && b[i + 3] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static int status(String head) throws IOException {
        String line = head.lines().findFirst().orElse("");
        String[] w = line.split(" ", 3);
        if (w.length < 2 || !w[0].startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP response: " + line);
        }
        try {
            return Integer.parseInt(w[1]);
        } catch (NumberFormatException e) {
            throw new IOException("bad HTTP status line: " + line);
        }
    }

    private static long contentLength(String head) throws IOException {
        for (String l : head.lines().skip(1).toList()) {
            int c = l.indexOf(':');
            if (c > 0 && l.substring(0, c).strip().toLowerCase(Locale.ROOT).equals("content-length")) {
                try {
                    long n = Long.parseLong(l.substring(c + 1).strip());
                    if (n < 0 || n > MAX_RESPONSE) {
                        throw new IOException("bad Content-Length: " + n);
                    }
                    return n;
                } catch (NumberFormatException e) {
                    throw new IOException("bad Content-Length: " + l);
                }
            }
        }
        return -1;
    }

    /** Firecracker's {@code {"fault_message": "..."}}, else the body itself (shortened), else "(no body)". */
    static String faultMessage(String body) {
        if (body == null || body.isBlank()) {
            return "(no body)";
        }
        try {
            JsonNode n = Json.MAPPER.readTree(body);
            JsonNode f = n == null ? null : n.get("fault_message");
            if (f != null && f.isString()) {
                return f.asString();
            }
        } catch (RuntimeException e) {
            // not JSON: show it as it is
        }
        String s = body.strip();
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }
}
