package io.isobench.proc;

import io.isobench.util.Tools;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The client of {@code isobench-spawn} (src/main/resources/native/isobench-spawn.c), one helper process per isobench
 * process that starts sandbox launchers with posix_spawnp and relays their output, each chunk stamped with
 * CLOCK_MONOTONIC (the clock of {@link System#nanoTime()} on Linux) when the helper read it. The JVM then holds no
 * pipe per sandbox and pays no JVM launch path per start: a launch costs the same for the 1st and the 1024th
 * sandbox, and a native startup is timed like hyperfine's. Built from source with gcc once per source content
 * (cached under ~/.cache/isobench/bin); when gcc is missing or the helper fails to start, {@link #shared()} is null
 * and {@link Launched} falls back to the JDK. One reader thread decodes the helper's events; line listeners run on
 * it and must return quickly. When isobench exits (or is killed), the helper's stdin ends and it SIGKILLs every
 * child it has not reaped.
 */
public final class Spawner {
    static final String DESCRIPTION = "isobench-spawn helper: posix_spawnp from a small process with close-on-exec fds "
            + "only; output stamped with CLOCK_MONOTONIC when read";
    static final String RESOURCE = "native/isobench-spawn.c";
    private static final Object LOCK = new Object();
    private static volatile Spawner shared;
    private static volatile String unavailable;
    private static volatile boolean tried;

    private final Process helper;
    private final Path binary;
    private final OutputStream requests;
    private final Map<Integer, Child> children = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();
    private volatile boolean dead;

    private Spawner(Process helper, Path binary) {
        this.helper = helper;
        this.binary = binary;
        this.requests = helper.getOutputStream();
        Thread reader = Thread.ofPlatform().daemon().name("isobench-spawn-reader").unstarted(this::readEvents);
        reader.start();
    }

    /** The helper of this process, started on first use; null when it cannot be built or started ({@link #unavailableReason()}). */
    public static Spawner shared() {
        if (!tried) {
            synchronized (LOCK) {
                if (!tried) {
                    start();
                    tried = true;
                }
            }
        }
        Spawner s = shared;
        return s != null && !s.dead ? s : null;
    }

    private static void start() {
        if ("jdk".equals(System.getenv("ISOBENCH_SPAWN"))) {
            unavailable = "disabled by ISOBENCH_SPAWN=jdk";
            return;
        }
        try {
            Path bin = build();
            Process p = new ProcessBuilder(bin.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            shared = new Spawner(p, bin);
        } catch (IOException e) {
            unavailable = e.getMessage();
        }
    }

    /** Why {@link #shared()} is null, or null when it is not (or was not asked for yet). */
    public static String unavailableReason() {
        Spawner s = shared;
        return s != null && s.dead ? "the helper process died" : unavailable;
    }

    Path binary() {
        return binary;
    }

    /** Compiles the helper unless a binary of the same source is cached; returns its path. */
    static Path build() throws IOException {
        byte[] source;
        try (InputStream in = Spawner.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IOException("no resource " + RESOURCE);
            }
            source = in.readAllBytes();
        }
        String key;
        try {
            key = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(source)).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        Path dir = io.isobench.util.CacheDir.root().resolve("bin").resolve(key);
        Path out = dir.resolve("isobench-spawn");
        if (Files.isExecutable(out)) {
            if (io.isobench.util.TrustedPath.untrusted(out) == null) {
                return out;
            }
            Files.delete(out); // another user could have written it: rebuilt below, and checked again
        }
        String gcc = Tools.which("gcc");
        if (gcc == null) {
            throw new IOException("gcc not found to build isobench-spawn (apt-get install gcc libc6-dev)");
        }
        Files.createDirectories(dir);
        Path src = Files.createTempFile(dir, ".src-", ".c");
        Path tmp = dir.resolve(".isobench-spawn-" + ProcessHandle.current().pid());
        try {
            Files.write(src, source);
            // JdkLaunched's path: the first process of the run, started before the helper exists
            ProcResult r = Proc.of(gcc, "-O2", "-o", tmp.toString(), src.toString()).timeout(Duration.ofSeconds(120)).run();
            if (!r.ok()) {
                throw new IOException("gcc could not build isobench-spawn: " + r.failureSummary());
            }
            Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            String why = io.isobench.util.TrustedPath.untrusted(out);
            if (why != null) { // a directory above it: rebuilding cannot help
                throw new IOException("refusing to run " + out + ": " + why);
            }
            return out;
        } finally {
            Files.deleteIfExists(src);
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Starts {@code argv}; see {@link Launched#start}. Quiet ({@link Launched#startQuiet}): returns at once, without
     * waiting for the spawn's report, which the helper holds back until the process has exited.
     */
    Child spawn(List<String> argv, Map<String, String> env, LineSink lines, boolean quiet) throws IOException {
        return spawn(argv, env, lines, quiet, List.of());
    }

    /**
     * As {@link #spawn(List, Map, LineSink, boolean)}, the child joining the cgroups whose {@code cgroup.procs} files
     * are {@code cgroups} (one per hierarchy, at most 16) before its exec.
     */
    Child spawn(List<String> argv, Map<String, String> env, LineSink lines, boolean quiet, List<Path> cgroups)
            throws IOException {
        int id = ids.incrementAndGet();
        Child c = new Child(id, argv, quiet ? null : lines, quiet);
        children.put(id, c);
        ByteArrayOutputStream b = new ByteArrayOutputStream(256);
        b.write(quiet ? 'Q' : 'S');
        writeInt(b, id);
        writeInt(b, argv.size());
        List<String> envList = new ArrayList<>();
        if (env != null) {
            env.forEach((k, v) -> envList.add(k + "=" + v));
        }
        writeInt(b, env == null ? -1 : envList.size());
        writeInt(b, cgroups.size());
        for (String a : argv) {
            writeString(b, a);
        }
        for (String e : envList) {
            writeString(b, e);
        }
        for (Path cg : cgroups) {
            writeString(b, cg.toString());
        }
        send(b.toByteArray());
        if (quiet) {
            return c; // a failed spawn shows as an exit with status 127 and the reason on stderr (Child.started)
        }
        long[] started;
        try {
            started = c.started.get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting " + argv.get(0));
        } catch (ExecutionException | TimeoutException e) {
            children.remove(id);
            throw new IOException("isobench-spawn did not start " + argv.get(0) + ": " + e.getMessage());
        }
        if (started[0] < 0) {
            children.remove(id);
            throw new IOException(startFailure(argv.get(0), (int) -started[0]));
        }
        return c;
    }

    /** Bit set in the helper's failure code when joining a cgroup failed, not the exec. */
    static final int JOIN_FAILED = 0x10000;

    /** Why a start failed, from the helper's code (an errno, or {@link #JOIN_FAILED} + errno). */
    static String startFailure(String program, int code) {
        return (code & JOIN_FAILED) != 0
                ? "cannot put \"" + program + "\" into its cgroup: " + errno(code & ~JOIN_FAILED)
                : "cannot run program \"" + program + "\": " + errno(code);
    }

    static String errno(int e) {
        return switch (e) {
            case 2 -> "error=2, No such file or directory";
            case 13 -> "error=13, Permission denied";
            case 8 -> "error=8, Exec format error";
            case 7 -> "error=7, Argument list too long";
            case 12 -> "error=12, Cannot allocate memory";
            case 11 -> "error=11, Resource temporarily unavailable";
            default -> "error=" + e;
        };
    }

    private void send(byte[] msg) throws IOException {
        synchronized (requests) {
            if (dead) {
                throw new IOException("the isobench-spawn helper died");
            }
            requests.write(msg);
            requests.flush();
        }
    }

    private static void writeInt(ByteArrayOutputStream b, int v) {
        b.write(v >>> 24);
        b.write(v >>> 16);
        b.write(v >>> 8);
        b.write(v);
    }

    private static void writeString(ByteArrayOutputStream b, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        writeInt(b, bytes.length);
        b.writeBytes(bytes);
    }

    private void readEvents() {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(helper.getInputStream(), 1 << 16))) {
            for (;;) {
                int tag = in.read();
                if (tag < 0) {
                    break;
                }
                int id = in.readInt();
                Child c = children.get(id);
                switch (tag) {
                    case 'P' -> {
                        int pid = in.readInt();
                        long t0 = in.readLong();
                        long t1 = in.readLong();
                        long join = in.readLong();
                        if (c != null) {
                            c.started.complete(new long[]{pid, t0, t1, join});
                            if (pid < 0 && c.quiet) {
                                c.notStarted(-pid);
                                children.remove(id);
                            }
                        }
                    }
                    case 'O' -> {
                        int stream = in.readUnsignedByte();
                        long t = in.readLong();
                        int len = in.readInt();
                        byte[] data = new byte[len];
                        in.readFully(data);
                        if (c != null) {
                            c.output(stream, data, t);
                        }
                    }
                    case 'E' -> {
                        int stream = in.readUnsignedByte();
                        if (c != null && c.eof(stream)) {
                            children.remove(id);
                        }
                    }
                    case 'X' -> {
                        int status = in.readInt();
                        long t = in.readLong();
                        if (c != null && c.exited(status, t)) {
                            children.remove(id);
                        }
                    }
                    default -> throw new IOException("isobench-spawn protocol error: event " + tag);
                }
            }
        } catch (EOFException e) {
            // the helper ended mid-event
        } catch (Throwable e) { // an Error too (OutOfMemoryError): the helper is dead, never a hung run
            System.err.println("isobench: isobench-spawn reader: " + e);
        }
        dead = true;
        for (Child c : children.values()) {
            c.lost();
        }
        children.clear();
    }

    /** One process started by the helper. */
    final class Child implements Launched {
        private final int id;
        private final List<String> argv;
        private final LineSink lines;
        private final boolean quiet;
        final CompletableFuture<long[]> started = new CompletableFuture<>();
        private final CountDownLatch exit = new CountDownLatch(1);
        private final CountDownLatch streams = new CountDownLatch(2);
        private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
        private boolean overflowed;
        private final StringBuilder out = new StringBuilder();
        private final ByteArrayOutputStream err = new ByteArrayOutputStream();
        private volatile int exitCode = Integer.MIN_VALUE;
        private volatile long exitedAt = -1;
        private boolean outDone;
        private boolean errDone;
        private boolean reaped;
        private long lastOutAt;

        Child(int id, List<String> argv, LineSink lines, boolean quiet) {
            this.id = id;
            this.argv = List.copyOf(argv);
            this.lines = lines;
            this.quiet = quiet;
        }

        /**
         * stdout: split into lines (a trailing \r dropped, as BufferedReader does), each to the sink with the read time
         * (a quiet child's output comes with t = 0, read after its exit: captured, and it has no sink).
         */
        void output(int stream, byte[] data, long t) {
            if (stream == 2) {
                synchronized (err) {
                    if (err.size() < MAX_CAPTURE) {
                        err.write(data, 0, Math.min(data.length, MAX_CAPTURE - err.size()));
                    }
                }
                return;
            }
            lastOutAt = t;
            int from = 0;
            for (int i = 0; i < data.length; i++) {
                if (data[i] == '\n') {
                    if (!overflowed) {
                        partial.write(data, from, i - from);
                        emit(t);
                    }
                    from = i + 1;
                }
            }
            if (overflowed) {
                return; // killed: the rest is dropped
            }
            if (partial.size() + (data.length - from) > MAX_LINE) {
                overflow();
                return;
            }
            partial.write(data, from, data.length - from);
        }

        /** An unterminated line past {@link #MAX_LINE}: drop it, say so on stderr, kill the process (not on this thread). */
        private void overflow() {
            overflowed = true;
            partial.reset();
            synchronized (err) {
                err.writeBytes(("\n" + Launched.overflowMessage() + "\n").getBytes(StandardCharsets.UTF_8));
            }
            Thread.ofVirtual().name("isobench-spawn-overflow").start(this::killTree);
        }

        private void emit(long t) {
            byte[] b = partial.toByteArray();
            partial.reset();
            int n = b.length > 0 && b[b.length - 1] == '\r' ? b.length - 1 : b.length;
            String line = new String(b, 0, n, StandardCharsets.UTF_8);
            if (lines != null) {
                try {
                    lines.line(line, t);
                } catch (RuntimeException e) {
                    System.err.println("isobench: line listener of " + argv.get(0) + ": " + e);
                }
            }
            synchronized (out) {
                if (out.length() < MAX_CAPTURE) {
                    out.append(line).append('\n');
                }
            }
        }

        /** End of a stream; true when the child is done (reaped, both streams ended). */
        synchronized boolean eof(int stream) {
            if (stream == 1 && !outDone) {
                outDone = true;
                if (partial.size() > 0 && !overflowed) {
                    emit(lastOutAt);
                }
                streams.countDown();
            } else if (stream == 2 && !errDone) {
                errDone = true;
                streams.countDown();
            }
            return reaped && outDone && errDone;
        }

        /** Reaped with wait status {@code status}; true when the child is done. */
        synchronized boolean exited(int status, long t) {
            int sig = status & 0x7f;
            exitCode = sig == 0 ? (status >> 8) & 0xff : 128 + sig;
            exitedAt = t;
            reaped = true;
            exit.countDown();
            return outDone && errDone;
        }

        /** A quiet start that failed (errno {@code e}): it ends at once with status 127, the reason on stderr. */
        void notStarted(int e) {
            synchronized (err) {
                err.writeBytes(("isobench: " + startFailure(argv.get(0), e) + "\n").getBytes(StandardCharsets.UTF_8));
            }
            exitCode = 127;
            exit.countDown();
            while (streams.getCount() > 0) {
                streams.countDown();
            }
        }

        void lost() {
            if (exitCode == Integer.MIN_VALUE) {
                exitCode = 255;
                synchronized (err) {
                    err.writeBytes("\nisobench: the isobench-spawn helper died; this process's exit status is unknown\n"
                            .getBytes(StandardCharsets.UTF_8));
                }
            }
            started.complete(new long[]{-5, 0, 0, 0});
            exit.countDown();
            while (streams.getCount() > 0) {
                streams.countDown();
            }
        }

        @Override
        public long pid() {
            return started.join()[0];
        }

        @Override
        public long spawnedNanos() {
            return started.join()[2];
        }

        /** CLOCK_MONOTONIC just before posix_spawnp. */
        @Override
        public long spawnStartNanos() {
            return started.join()[1];
        }

        /** The child's cgroup joins between its clone and its exec (0 without cgroups). */
        @Override
        public long cgroupJoinNanos() {
            return started.join()[3];
        }

        @Override
        public boolean waitFor(long timeout, TimeUnit unit) throws InterruptedException {
            return exit.await(timeout, unit);
        }

        @Override
        public int exitValue() {
            int c = exitCode;
            if (c == Integer.MIN_VALUE) {
                throw new IllegalThreadStateException("process " + pid() + " has not exited");
            }
            return c;
        }

        @Override
        public boolean isAlive() {
            return exit.getCount() > 0;
        }

        @Override
        public long exitedNanos() {
            return exitedAt;
        }

        @Override
        public void awaitOutput(Duration timeout) throws InterruptedException {
            streams.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
        }

        @Override
        public String stdout() {
            synchronized (out) {
                return out.toString();
            }
        }

        @Override
        public String stderr() {
            synchronized (err) {
                return err.toString(StandardCharsets.UTF_8);
            }
        }

        /** Descendants first (from /proc), then the process itself through the helper, which has not reaped it. */
        @Override
        public void killTree() {
            if (!isAlive()) {
                return;
            }
            if (!started.isDone()) {
                signal(0); // quiet: the helper reports the spawn (and so the pid) at once
                try {
                    started.get(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (ExecutionException | TimeoutException e) {
                    // fall through: the helper still kills it by id
                }
            }
            long[] s = started.getNow(null);
            if (s != null && s[0] > 0) {
                Proc.killDescendants(s[0]);
            }
            signal(9);
        }

        void signal(int sig) {
            ByteArrayOutputStream b = new ByteArrayOutputStream(9);
            b.write('K');
            writeInt(b, id);
            writeInt(b, sig);
            try {
                send(b.toByteArray());
            } catch (IOException e) {
                // the helper is gone, and with it (SIGKILL on its exit) this process
            }
        }
    }
}
