package io.isobench.measure;

import io.isobench.proc.Cleanup;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Traces the host system calls of every process isobench starts (and of host pids added while running) with
 * ftrace, in a private instance {@code instances/isobench-PID-N} of tracefs ({@link Tracefs}):
 * events {@code raw_syscalls:sys_enter}, {@code sched:sched_process_fork} and {@code sched:sched_process_exec},
 * filtered by {@code set_event_pid} = isobench's own threads with {@code options/event-fork}, so the kernel adds
 * every child and thread from its fork on, whatever the runtime does (daemonizing, new pid namespaces, ptrace).
 * A reader thread consumes {@code trace_pipe} and attributes events ({@link TracedSyscalls}); an event filter
 * drops isobench's own threads and every call already seen, so the event rate falls to almost nothing once a
 * runtime's steady-state calls are known. Started before the launch, stopped after the sandbox is closed.
 * Everything is removed in {@link #close()}, also on Ctrl-C ({@link Cleanup}); the janitor removes instances of
 * dead isobench processes.
 */
public final class FtraceSyscalls implements AutoCloseable {
    private static final AtomicInteger SEQ = new AtomicInteger();
    /** The kernel refuses an event filter of a page or more. */
    private static final int FILTER_MAX = 3800;
    private static final int BUFFER_KB_PER_CPU = 4096;

    private final Tracefs fs;
    private final Path dir;
    private final SyscallTable table;
    private final Cleanup.Action cleanup;
    private final String marker = "isobench-end-" + Long.toHexString(System.nanoTime());
    private final Set<Long> excluded = new LinkedHashSet<>();
    private final Set<Integer> seen = new TreeSet<>();
    private final StringBuilder dump;
    private TracedSyscalls state;
    private volatile FileChannel pipe;
    private Thread reader;
    private volatile IOException readerError;
    private String filterProblem;
    private boolean stopped;

    private FtraceSyscalls(Tracefs fs, Path dir, SyscallTable table, boolean keepDump) {
        this.fs = fs;
        this.dir = dir;
        this.table = table;
        this.dump = keepDump ? new StringBuilder() : null;
        this.cleanup = Cleanup.register("ftrace instance " + dir, this::teardown);
    }

    /** Null when ftrace can be used here, else why not (one line). */
    public static String unavailableReason() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return "ftrace needs root";
        }
        if (!Files.isDirectory(Path.of("/sys/kernel/tracing")) && !Files.isDirectory(Path.of("/sys/kernel/debug/tracing"))) {
            return "the kernel has no tracefs (CONFIG_FTRACE off)";
        }
        return null;
    }

    /**
     * Starts tracing isobench's own threads and everything they start from now on.
     *
     * @param keepDump keep the raw trace lines (with a header naming isobench's threads) for {@link #dump()}
     */
    public static FtraceSyscalls start(SyscallTable table, boolean keepDump) throws IOException {
        Tracefs fs = Tracefs.open();
        Tracefs.sweepInstances(fs.root());
        Path dir = fs.root().resolve("instances").resolve("isobench-" + ProcessHandle.current().pid() + "-" + SEQ.incrementAndGet());
        try {
            Files.createDirectory(dir);
        } catch (IOException e) {
            fs.close();
            throw new IOException("cannot create ftrace instance " + dir + ": " + e.getMessage(), e);
        }
        FtraceSyscalls t = new FtraceSyscalls(fs, dir, table, keepDump);
        try {
            t.configure();
        } catch (IOException | RuntimeException e) {
            t.close();
            throw e;
        }
        return t;
    }

    private void configure() throws IOException {
        write("tracing_on", "0");
        write("buffer_size_kb", Integer.toString(BUFFER_KB_PER_CPU));
        write("options/event-fork", "1");
        // when the reader falls behind, drop new events rather than overwrite old ones: the first fork and exec
        // events are what attributes everything after them, and a flood of one call stops once it is filtered
        write("options/overwrite", "0");
        write("trace", "");
        CountDownLatch open = new CountDownLatch(1);
        reader = new Thread(() -> read(open), "isobench-ftrace-reader");
        reader.setDaemon(true);
        reader.start();
        try {
            if (!open.await(10, TimeUnit.SECONDS) || pipe == null) {
                throw new IOException("cannot open " + dir.resolve("trace_pipe")
                        + (readerError == null ? "" : ": " + readerError.getMessage()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
        // every current thread of this JVM (the reader included): the kernel adds what they fork from now on
        try (var s = Files.list(Path.of("/proc/self/task"))) {
            for (Path p : s.toList()) {
                excluded.add(Long.parseLong(p.getFileName().toString()));
            }
        }
        synchronized (this) {
            state = new TracedSyscalls(excluded, table);
            if (dump != null) {
                dump.append("# isobench JVM threads: ").append(joined(excluded)).append('\n');
            }
        }
        writePids(new ArrayList<>(excluded), false);
        writeFilter();
        write("events/raw_syscalls/sys_enter/enable", "1");
        write("events/sched/sched_process_fork/enable", "1");
        write("events/sched/sched_process_exec/enable", "1");
        write("tracing_on", "1");
    }

    /** What this trace is, for the raw output. */
    public String describe() {
        return "ftrace events raw_syscalls:sys_enter, sched:sched_process_fork, sched:sched_process_exec in instance "
                + dir.getFileName() + " of tracefs " + fs.describe()
                + "; pid filter set_event_pid (isobench's threads) + options/event-fork; system call names from "
                + table.source();
    }

    /**
     * Adds host pids that belong to the instance but were not started by isobench (e.g. an engine's shim), with
     * all their threads, from now on. Pids already traced are skipped.
     */
    public void follow(List<Long> pids) {
        List<Long> add = new ArrayList<>();
        synchronized (this) {
            if (stopped || state == null) {
                return;
            }
            for (long pid : pids) {
                if (state.knows(pid) || pid == ProcessHandle.current().pid()) {
                    continue;
                }
                String exe;
                try {
                    exe = Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "exe")).toString();
                } catch (IOException | UnsupportedOperationException e) {
                    continue; // gone already
                }
                try (var s = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
                    for (Path t : s.toList()) {
                        long tid = Long.parseLong(t.getFileName().toString());
                        if (!state.knows(tid)) {
                            state.addTask(tid, exe);
                            add.add(tid);
                        }
                    }
                } catch (IOException e) {
                    // exited meanwhile
                }
            }
        }
        if (!add.isEmpty()) {
            try {
                writePids(add, true);
            } catch (IOException e) {
                // the process may have exited; nothing to trace then
            }
        }
    }

    /**
     * Marks the calling (platform) thread as isobench's accounting thread: processes it starts from now on (e.g. an
     * engine CLI asked for the instance's pids) are not counted.
     */
    public void accountingThread() {
        String tid;
        try {
            tid = Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString();
        } catch (IOException | UnsupportedOperationException e) {
            return;
        }
        String note = "# isobench accounting thread tid=" + tid;
        synchronized (this) {
            if (state != null) {
                state.line(note);
            }
            if (dump != null) {
                dump.append(note).append('\n');
            }
        }
    }

    /** Stops tracing and returns what was seen. Idempotent in effect: later calls return the same state. */
    public TracedSyscalls.Result stop() throws IOException {
        synchronized (this) {
            stopped = true;
        }
        write("events/enable", "0");
        write("trace_marker", marker);
        try {
            reader.join(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (reader.isAlive()) {
            reader.interrupt(); // closes the channel, which wakes the blocked read
        }
        write("tracing_on", "0");
        if (readerError != null) {
            throw new IOException("reading " + dir.resolve("trace_pipe") + ": " + readerError.getMessage(), readerError);
        }
        synchronized (this) {
            return state.result();
        }
    }

    /** Ring buffer overruns and dropped events per CPU (from per_cpu/cpuN/stats), or "" when there were none. */
    public String bufferLosses() {
        StringBuilder b = new StringBuilder();
        try (var s = Files.list(dir.resolve("per_cpu"))) {
            for (Path cpu : s.sorted().toList()) {
                for (String line : Files.readAllLines(cpu.resolve("stats"))) {
                    String[] kv = line.split(":\\s*", 2);
                    if (kv.length == 2 && (kv[0].equals("overrun") || kv[0].equals("dropped events"))
                            && !kv[1].strip().equals("0")) {
                        b.append(cpu.getFileName()).append(' ').append(kv[0]).append('=').append(kv[1].strip()).append(' ');
                    }
                }
            }
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        }
        return b.toString().strip();
    }

    /** Why the in-kernel filter of seen calls stopped growing, or null. */
    public synchronized String filterProblem() {
        return filterProblem;
    }

    /** The raw trace lines read, after a header line naming isobench's threads; null unless asked for. */
    public synchronized String dump() {
        return dump == null ? null : dump.toString();
    }

    private void read(CountDownLatch open) {
        try (FileChannel ch = FileChannel.open(dir.resolve("trace_pipe"), StandardOpenOption.READ)) {
            pipe = ch;
            open.countDown();
            ByteBuffer buf = ByteBuffer.allocate(1 << 16);
            StringBuilder partial = new StringBuilder();
            boolean dirty = false;
            while (true) {
                buf.clear();
                int n = ch.read(buf);
                if (n < 0) {
                    return;
                }
                partial.append(new String(buf.array(), 0, n, StandardCharsets.UTF_8));
                int nl;
                boolean end = false;
                synchronized (this) {
                    while ((nl = partial.indexOf("\n")) >= 0) {
                        String line = partial.substring(0, nl);
                        partial.delete(0, nl + 1);
                        if (dump != null) {
                            dump.append(line).append('\n');
                        }
                        if (state == null) {
                            continue;
                        }
                        int nr = state.line(line);
                        String note = reexecNote(line);
                        if (note != null) {
                            state.line(note);
                            if (dump != null) {
                                dump.append(note).append('\n');
                            }
                        }
                        if (nr >= 0 && seen.add(nr)) {
                            dirty = true;
                        }
                        if (marker.equals(state.lastMarker())) {
                            end = true;
                        }
                    }
                }
                if (end) {
                    return;
                }
                if (dirty) {
                    // at once: a workload in a tight loop of one call floods the buffer until its call is filtered
                    writeFilter();
                    dirty = false;
                }
            }
        } catch (IOException e) {
            if (!Thread.currentThread().isInterrupted()) {
                readerError = e;
            }
        } finally {
            open.countDown();
        }
    }

    private static final java.util.regex.Pattern EXEC = java.util.regex.Pattern.compile(
            ".*: sched_process_exec: filename=(.*) pid=(\\d+) old_pid=\\d+$");

    /** After a runtime re-executes itself, its argv[0] (e.g. runsc-gofer, runsc-sandbox) says which part it is. */
    private static String reexecNote(String line) {
        if (!line.contains("sched_process_exec")) {
            return null;
        }
        java.util.regex.Matcher m = EXEC.matcher(line);
        if (!m.matches() || !TracedSyscalls.isReexec(m.group(1))) {
            return null;
        }
        try {
            byte[] cmd = Files.readAllBytes(Path.of("/proc", m.group(2), "cmdline"));
            int end = 0;
            while (end < cmd.length && cmd[end] != 0) {
                end++;
            }
            String argv0 = new String(cmd, 0, end, StandardCharsets.UTF_8);
            return argv0.isEmpty() ? null : "# isobench argv0 pid=" + m.group(2) + " argv0=" + argv0;
        } catch (IOException e) {
            return null;
        }
    }

    /** Drops isobench's own threads and every call already counted, as long as the filter fits in a page. */
    private void writeFilter() throws IOException {
        StringBuilder f = new StringBuilder();
        List<Integer> ids;
        synchronized (this) {
            for (long t : excluded) {
                append(f, "common_pid!=" + t);
            }
            ids = new ArrayList<>(seen);
        }
        for (int id : ids) {
            String term = "id!=" + id;
            if (f.length() + term.length() + 2 > FILTER_MAX) {
                synchronized (this) {
                    filterProblem = "the event filter is full (" + ids.size() + " calls seen): later repeats are read and ignored";
                }
                break;
            }
            append(f, term);
        }
        if (f.length() > 0) {
            write("events/raw_syscalls/sys_enter/filter", f.toString());
        }
    }

    private static void append(StringBuilder f, String term) {
        if (f.length() > 0) {
            f.append("&&");
        }
        f.append(term);
    }

    private void writePids(List<Long> pids, boolean append) throws IOException {
        Path p = dir.resolve("set_event_pid");
        StringBuilder chunk = new StringBuilder();
        boolean first = true;
        for (long pid : pids) {
            if (chunk.length() > 3000) {
                writeTo(p, chunk.toString(), append || !first);
                first = false;
                chunk.setLength(0);
            }
            chunk.append(pid).append(' ');
        }
        if (chunk.length() > 0) {
            writeTo(p, chunk.toString(), append || !first);
        }
    }

    private void write(String file, String value) throws IOException {
        writeTo(dir.resolve(file), value, false);
    }

    private static void writeTo(Path p, String value, boolean append) throws IOException {
        if (append) {
            Files.writeString(p, value, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        } else {
            Files.writeString(p, value, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        }
    }

    private static String joined(Set<Long> s) {
        StringBuilder b = new StringBuilder();
        for (long l : s) {
            b.append(b.length() == 0 ? "" : " ").append(l);
        }
        return b.toString();
    }

    private void teardown() {
        try {
            Files.writeString(dir.resolve("tracing_on"), "0");
            Files.writeString(dir.resolve("events/enable"), "0");
        } catch (IOException ignored) {
            // removed below anyway
        }
        if (reader != null && reader.isAlive()) {
            reader.interrupt();
            try {
                reader.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (int i = 0; i < 50; i++) {
            try {
                Files.deleteIfExists(dir); // rmdir removes the instance; busy while trace_pipe is open
                break;
            } catch (IOException e) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        fs.close();
    }

    @Override
    public void close() {
        cleanup.close();
    }
}
