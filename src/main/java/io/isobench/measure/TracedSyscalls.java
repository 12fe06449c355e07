package io.isobench.measure;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which host system calls the traced processes made, from ftrace's text output ({@code trace_pipe}) of the events
 * {@code raw_syscalls:sys_enter}, {@code sched:sched_process_fork} and {@code sched:sched_process_exec}.
 *
 * <p>Attribution: the trace starts with isobench's own threads ({@code excluded}) in the pid filter, so every
 * process isobench starts is traced from its fork. A task counts once it (or an ancestor since the fork) has
 * executed a program other than the JDK's spawn helper ({@code jspawnhelper}); tasks forked from a counted task
 * (threads and children) count too. isobench's JVM threads, including the tracer, never count, nor does a child
 * between the fork and the exec of the launcher. Tasks added while running ({@link #addTask}, host pids that are
 * not isobench's descendants) count from then on. Events of tasks never seen forked or added are ignored and
 * counted as unattributed. Processes started by isobench's pid polling thread (annotated in the stream) never count.
 * Not thread-safe: the caller synchronizes.
 */
public final class TracedSyscalls {
    /** {@code comm-pid [cpu] flags timestamp: event: body}; the optional {@code (tgid)} column of record-tgid too. */
    private static final Pattern LINE = Pattern.compile(
            "^\\s*(.*)-(\\d+)\\s+(?:\\(\\s*[-\\d]+\\)\\s+)?\\[\\d+\\]\\s+(?:\\S+\\s+)?\\d+\\.\\d+: (\\w+): (.*)$");
    private static final Pattern SYS_ENTER = Pattern.compile("^NR (-?\\d+) .*");
    private static final Pattern FORK = Pattern.compile("^comm=.* pid=(\\d+) child_comm=.* child_pid=(\\d+)$");
    private static final Pattern EXEC = Pattern.compile("^filename=(.*) pid=(\\d+) old_pid=(\\d+)$");
    private static final Pattern LOST = Pattern.compile("^CPU:\\d+ \\[LOST (\\d+) EVENTS\\]$");
    /** An annotation the tracer inserts after a runtime re-executes itself: the new process's argv[0]. */
    private static final Pattern ARGV0 = Pattern.compile("^# isobench argv0 pid=(\\d+) argv0=(.*)$");
    static final String REEXEC = " (re-exec";
    static final String LATE = " (traced from when first seen)";
    /** An annotation: this JVM thread runs isobench's own accounting (pid polling); what it starts never counts. */
    private static final Pattern ACCOUNTING = Pattern.compile("^# isobench accounting thread tid=(\\d+)$");
    static final String ACCOUNTING_LABEL = "isobench accounting (Sandbox.hostPids)";
    static final String SPAWN_HELPER = "jspawnhelper";
    /**
     * isobench's own preparation tools that a driver may run on a cold cache (guest kernel download, the static-busybox
     * check, the probe's compiler, an engine's image import): they and everything they run are not the runtime.
     */
    public static final Set<String> PREPARATION_TOOLS = Set.of("ldd", "apt-get", "dpkg", "dpkg-deb", "gcc", "cc", "tar");
    static final String JVM = "isobench JVM";

    /** @param sticky an isobench preparation tool: neither it nor anything it runs ever counts */
    private record Task(boolean counted, String exe, boolean late, boolean sticky) {
        Task(boolean counted, String exe, boolean late) {
            this(counted, exe, late, false);
        }
    }

    private final SyscallTable table;
    private final Map<Long, Task> tasks = new HashMap<>();
    /** syscall number to the program (exe) that made it first. */
    private final Map<Integer, String> firstSeen = new LinkedHashMap<>();
    private final Set<Long> accounting = new java.util.HashSet<>();
    private long syscallEvents;
    private long unattributedEvents;
    private long lostEvents;
    private long unparsedLines;
    private String lastMarker;

    public TracedSyscalls(Set<Long> excluded, SyscallTable table) {
        this.table = table;
        for (long t : excluded) {
            tasks.put(t, new Task(false, JVM, false));
        }
    }

    /** A task that joins while running (not a descendant of isobench): it counts from now on. */
    public void addTask(long tid, String exe) {
        tasks.putIfAbsent(tid, new Task(true, exe + LATE, true));
    }

    public boolean knows(long tid) {
        return tasks.containsKey(tid);
    }

    /**
     * Feeds one line of trace output.
     *
     * @return the syscall number when it is counted for the first time, else -1 (so a caller can filter it out)
     */
    public int line(String line) {
        Matcher m = LINE.matcher(line);
        if (!m.matches()) {
            Matcher lost = LOST.matcher(line.strip());
            Matcher argv0 = ARGV0.matcher(line);
            Matcher acct = ACCOUNTING.matcher(line);
            if (acct.matches()) {
                accounting.add(Long.parseLong(acct.group(1)));
            } else if (argv0.matches()) {
                relabel(Long.parseLong(argv0.group(1)), argv0.group(2));
            } else if (lost.matches()) {
                lostEvents += Long.parseLong(lost.group(1));
            } else if (!line.isBlank() && !line.startsWith("#")) {
                unparsedLines++;
            }
            return -1;
        }
        long pid = Long.parseLong(m.group(2));
        String event = m.group(3);
        String body = m.group(4);
        switch (event) {
            case "sys_enter" -> {
                Matcher s = SYS_ENTER.matcher(body);
                if (!s.matches()) {
                    unparsedLines++;
                    return -1;
                }
                return syscall(pid, Integer.parseInt(s.group(1)));
            }
            case "sched_process_fork" -> {
                Matcher f = FORK.matcher(body);
                if (f.matches()) {
                    fork(Long.parseLong(f.group(1)), Long.parseLong(f.group(2)));
                } else {
                    unparsedLines++;
                }
            }
            case "sched_process_exec" -> {
                Matcher e = EXEC.matcher(body);
                if (e.matches()) {
                    exec(Long.parseLong(e.group(2)), Long.parseLong(e.group(3)), e.group(1));
                } else {
                    unparsedLines++;
                }
            }
            case "tracing_mark_write" -> lastMarker = body.strip();
            default -> {
                // another event: not ours
            }
        }
        return -1;
    }

    /** The text of the last trace_marker line seen (the tracer's end marker), or null. */
    public String lastMarker() {
        return lastMarker;
    }

    private void fork(long parent, long child) {
        Task p = tasks.get(parent);
        if (p == null) {
            return;
        }
        if (accounting.contains(parent)) {
            // e.g. `docker inspect` run to find the instance's pids: isobench's bookkeeping, not the runtime
            tasks.put(child, new Task(false, ACCOUNTING_LABEL, false, true));
            return;
        }
        tasks.put(child, p);
    }

    /** Whether an exec is a runtime re-executing itself (runc init, runsc boot/gofer, runc's cloned binary). */
    public static boolean isReexec(String filename) {
        return filename.equals("/proc/self/exe") || filename.startsWith("/proc/self/fd/") || filename.startsWith("/dev/fd/");
    }

    private static String base(String exe) {
        int i = exe.indexOf(REEXEC);
        return i < 0 ? exe : exe.substring(0, i);
    }

    private void relabel(long pid, String argv0) {
        Task t = tasks.get(pid);
        if (t != null && t.counted() && t.exe().endsWith(REEXEC + ")")) {
            tasks.put(pid, new Task(true, base(t.exe()) + REEXEC + " as " + argv0 + ")", t.late()));
        }
    }

    private void exec(long pid, long oldPid, String filename) {
        Task before = tasks.get(oldPid);
        if (before == null) {
            before = tasks.get(pid);
        }
        if (before == null) {
            return;
        }
        String program = filename.substring(filename.lastIndexOf('/') + 1);
        if (before.sticky() || PREPARATION_TOOLS.contains(program)) {
            tasks.put(pid, new Task(false, before.sticky() ? before.exe() : "isobench preparation (" + program + ")", false, true));
            return;
        }
        boolean helper = filename.endsWith("/" + SPAWN_HELPER);
        String exe = isReexec(filename) ? base(before.exe()) + REEXEC + ")" : filename;
        tasks.put(pid, new Task(!helper, helper ? SPAWN_HELPER : exe, before.late()));
    }

    private int syscall(long tid, int nr) {
        syscallEvents++;
        Task t = tasks.get(tid);
        if (t == null) {
            unattributedEvents++;
            return -1;
        }
        if (!t.counted()) {
            return -1;
        }
        return firstSeen.putIfAbsent(nr, t.exe()) == null ? nr : -1;
    }

    public Result result() {
        TreeMap<String, String> calls = new TreeMap<>();
        Map<String, Set<String>> perExe = new TreeMap<>();
        firstSeen.forEach((nr, exe) -> {
            String name = table.name(nr);
            calls.put(name, exe);
            perExe.computeIfAbsent(exe, k -> new TreeSet<>()).add(name);
        });
        Map<String, Integer> taskCounts = new TreeMap<>();
        tasks.values().stream().filter(Task::counted).forEach(t -> taskCounts.merge(t.exe(), 1, Integer::sum));
        int unknown = (int) firstSeen.keySet().stream().filter(nr -> !table.knows(nr)).count();
        return new Result(List.copyOf(calls.keySet()), perExe, taskCounts, syscallEvents, unattributedEvents,
                lostEvents, unparsedLines, unknown);
    }

    /**
     * @param names       distinct counted calls, sorted by name
     * @param firstSeenIn program to the calls it made first (a call made by several programs is listed under the
     *                    first one: the tracer stops recording a call once it has been seen)
     * @param tasks       program to the number of counted tasks (processes and threads) that ran it
     */
    public record Result(List<String> names, Map<String, Set<String>> firstSeenIn, Map<String, Integer> tasks,
                         long syscallEvents, long unattributedEvents, long lostEvents, long unparsedLines,
                         int unnamed) {
        /** A few lines for the raw output: who was counted and how complete the trace was. */
        public String describe() {
            StringBuilder b = new StringBuilder();
            int late = tasks.entrySet().stream().filter(e -> e.getKey().endsWith(LATE)).mapToInt(Map.Entry::getValue).sum();
            if (late > 0) {
                b.append("PARTIAL: ").append(late).append(" task(s) of the instance were not started by isobench (e.g. an "
                        + "engine's shim) and are traced only from when first seen; their earlier calls, and the engine "
                        + "daemons serving every container, are not counted\n");
            }
            b.append("counted tasks (processes and threads) by program:\n");
            if (tasks.isEmpty()) {
                b.append("  none\n");
            }
            tasks.forEach((exe, n) -> b.append("  ").append(exe).append(": ").append(n).append('\n'));
            b.append("calls by the program that made them first:\n");
            firstSeenIn.forEach((exe, calls) -> b.append("  ").append(exe).append(" (").append(calls.size())
                    .append("): ").append(String.join(",", calls)).append('\n'));
            b.append("syscall events read: ").append(syscallEvents).append(" (after in-kernel filtering of calls already seen)")
                    .append("; of tasks never attributed: ").append(unattributedEvents)
                    .append("; lost events: ").append(lostEvents)
                    .append("; unparsed lines: ").append(unparsedLines)
                    .append("; calls not in the name table: ").append(unnamed).append('\n');
            return b.toString();
        }
    }
}
