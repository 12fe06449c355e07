package io.isobench.runtime.vm;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A dialogue with QEMU's human monitor (HMP) on a unix socket ({@code -monitor unix:PATH,server=on,wait=off}): send a
 * command line, read up to the next prompt. The reply is what follows HMP's echo of the command.
 */
final class QemuMonitor implements AutoCloseable {
    private static final String PROMPT = "(qemu) ";
    private final SocketChannel ch;

    private QemuMonitor(SocketChannel ch) {
        this.ch = ch;
    }

    /** Connects, retrying while the socket is not there yet, and reads the greeting. */
    static QemuMonitor connect(Path socket, Duration within) throws IOException {
        long end = System.nanoTime() + within.toNanos();
        IOException last = null;
        while (System.nanoTime() < end) {
            SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                ch.connect(UnixDomainSocketAddress.of(socket));
                QemuMonitor m = new QemuMonitor(ch);
                m.readToPrompt(Duration.ofSeconds(10));
                return m;
            } catch (IOException e) {
                ch.close();
                last = e;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while connecting to QEMU's monitor", e);
            }
        }
        throw new IOException("QEMU's monitor " + socket + " did not answer within " + within.toSeconds() + " s"
                + (last == null ? "" : ": " + last.getMessage()));
    }

    /** Runs one HMP command (no newline in it) and returns its reply without the echo and the prompt. */
    String command(String cmd, Duration timeout) throws IOException {
        if (cmd.indexOf('\n') >= 0 || cmd.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("one line only");
        }
        ch.write(ByteBuffer.wrap((cmd + "\n").getBytes(StandardCharsets.US_ASCII)));
        String out = readToPrompt(timeout);
        int nl = out.indexOf("\r\n");
        return nl < 0 ? "" : out.substring(nl + 2, out.length() - PROMPT.length()).strip();
    }

    /** Sends {@code quit}; QEMU closes the connection as it exits. */
    void quit() throws IOException {
        ch.write(ByteBuffer.wrap("quit\n".getBytes(StandardCharsets.US_ASCII)));
    }

    private String readToPrompt(Duration timeout) throws IOException {
        StringBuilder sb = new StringBuilder();
        ByteBuffer buf = ByteBuffer.allocate(4096);
        long end = System.nanoTime() + timeout.toNanos();
        ch.configureBlocking(false);
        try {
            while (!sb.toString().endsWith(PROMPT)) {
                if (System.nanoTime() > end) {
                    throw new IOException("no monitor prompt within " + timeout.toSeconds() + " s (read: " + sb + ")");
                }
                buf.clear();
                int n = ch.read(buf);
                if (n < 0) {
                    throw new IOException("monitor closed (read: " + sb + ")");
                }
                if (n == 0) {
                    Thread.sleep(5);
                    continue;
                }
                sb.append(new String(buf.array(), 0, n, StandardCharsets.ISO_8859_1));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while reading QEMU's monitor", e);
        } finally {
            ch.configureBlocking(true);
        }
        return sb.toString();
    }

    @Override
    public void close() {
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }
}
