package io.isobench.runtime.vm;

import io.isobench.runtime.CpuPinning;
import io.isobench.util.CpuSet;
import io.isobench.util.Json;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A pinned VM's vCPU threads: found through QEMU's QMP monitor ({@code query-cpus-fast}: each vCPU's host
 * {@code thread-id}) and pinned one to one onto the plan's CPU set (vCPU i to the set's i-th CPU, round robin when
 * there are more vCPUs than CPUs) with sched_setaffinity ({@code taskset -p}). QEMU itself runs under {@code taskset}
 * on the whole set, so its I/O and emulator threads stay within it.
 */
final class QemuVcpus {
    static final Duration TIMEOUT = Duration.ofSeconds(15);

    private QemuVcpus() {
    }

    /** QEMU's argument for a QMP socket at {@code socket}. */
    static List<String> qmpArgs(Path socket) {
        return List.of("-qmp", "unix:" + socket + ",server=on,wait=off");
    }

    /** vCPU index to host thread id, from QMP at {@code socket} (waits for the socket up to {@link #TIMEOUT}). */
    static Map<Integer, Long> threads(Path socket) throws IOException {
        Future<Map<Integer, Long>> f;
        SocketChannel[] ch = new SocketChannel[1];
        try (var ex = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            f = ex.submit(() -> {
                long end = System.nanoTime() + TIMEOUT.toNanos();
                while (true) {
                    SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
                    try {
                        c.connect(UnixDomainSocketAddress.of(socket));
                        ch[0] = c;
                        break;
                    } catch (IOException e) {
                        c.close();
                        if (System.nanoTime() > end) {
                            throw new IOException("QMP socket " + socket + " not reachable: " + e.getMessage());
                        }
                        Thread.sleep(20);
                    }
                }
                LineReader r = new LineReader(ch[0]);
                r.reply(); // the greeting: {"QMP": {...}}
                send(ch[0], "{\"execute\":\"qmp_capabilities\"}");
                r.reply();
                send(ch[0], "{\"execute\":\"query-cpus-fast\"}");
                return parseCpus(r.reply());
            });
            try {
                return f.get(TIMEOUT.toMillis() + 5000, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                f.cancel(true);
                throw new IOException("no QMP answer within " + TIMEOUT.toSeconds() + " s");
            } catch (ExecutionException e) {
                throw e.getCause() instanceof IOException io ? io : new IOException(String.valueOf(e.getCause()), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while asking QMP", e);
            } finally {
                if (ch[0] != null) {
                    ch[0].close();
                }
            }
        }
    }

    /** {@code {"return": [{"cpu-index": 0, "thread-id": 1234, ...}, ...]}} to index -> thread id. */
    static Map<Integer, Long> parseCpus(String reply) throws IOException {
        Map<String, Object> m = Json.readMap(reply);
        if (!(m.get("return") instanceof List<?> cpus)) {
            throw new IOException("query-cpus-fast: unexpected answer " + reply);
        }
        Map<Integer, Long> out = new TreeMap<>();
        for (Object o : cpus) {
            if (o instanceof Map<?, ?> c && c.get("cpu-index") instanceof Number i && c.get("thread-id") instanceof Number t) {
                out.put(i.intValue(), t.longValue());
            }
        }
        if (out.isEmpty()) {
            throw new IOException("query-cpus-fast listed no vCPU thread: " + reply);
        }
        return out;
    }

    /** The host CPU vCPU {@code index} is pinned to: the set's CPUs one to one, round robin past the set's size. */
    static int hostCpu(CpuSet set, int index) {
        return set.cpus().get(index % set.size());
    }

    /** Pins every vCPU thread; returns what was done (for the trial's record). */
    static String pin(Path socket, CpuSet set) throws IOException {
        Map<Integer, Long> threads = threads(socket);
        List<String> done = new ArrayList<>();
        for (var e : threads.entrySet()) {
            int cpu = hostCpu(set, e.getKey());
            String why = CpuPinning.pinThread(e.getValue(), Integer.toString(cpu));
            if (why != null) {
                throw new IOException("cannot pin vCPU " + e.getKey() + " (thread " + e.getValue() + ") to CPU " + cpu
                        + ": " + why);
            }
            done.add("vCPU " + e.getKey() + " (thread " + e.getValue() + ") -> CPU " + cpu);
        }
        return "QEMU under taskset -c " + set + "; vCPU threads (QMP query-cpus-fast) pinned " + String.join(", ", done);
    }

    private static void send(SocketChannel ch, String cmd) throws IOException {
        ByteBuffer b = ByteBuffer.wrap((cmd + "\n").getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /** Reads QMP's newline-separated JSON, skipping asynchronous events. */
    private static final class LineReader {
        private final SocketChannel ch;
        private final StringBuilder pending = new StringBuilder();
        private final ByteBuffer buf = ByteBuffer.allocate(8192);

        LineReader(SocketChannel ch) {
            this.ch = ch;
        }

        String reply() throws IOException {
            while (true) {
                String line = line();
                if (!line.contains("\"event\"")) {
                    return line;
                }
            }
        }

        private String line() throws IOException {
            while (true) {
                int nl = pending.indexOf("\n");
                if (nl >= 0) {
                    String l = pending.substring(0, nl).strip();
                    pending.delete(0, nl + 1);
                    if (!l.isEmpty()) {
                        return l;
                    }
                    continue;
                }
                if (pending.length() > 1 << 20) {
                    throw new IOException("QMP line over 1 MiB");
                }
                buf.clear();
                int n = ch.read(buf);
                if (n < 0) {
                    throw new IOException("QMP closed the connection (read: " + pending + ")");
                }
                pending.append(new String(buf.array(), 0, n, StandardCharsets.UTF_8));
            }
        }
    }
}
