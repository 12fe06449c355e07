package io.isobench.runtime;

import io.isobench.proc.Proc;
import io.isobench.proc.ProcResult;
import io.isobench.util.Tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Pins processes to the plan's CPU set ({@link Limits#cpuset()}) for drivers whose runtime has no option of its own:
 * a {@code taskset -c SET} prefix for a launcher (its children inherit the affinity), or {@code numactl} when memory
 * nodes are bound too; and {@code taskset -p} for one thread found later (a VM's vCPU threads).
 */
public final class CpuPinning {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private CpuPinning() {
    }

    /** The argv prefix that runs a command on the limits' CPUs (and memory nodes); empty when unpinned. */
    public static List<String> prefix(Limits l) throws RuntimeDriver.LaunchException {
        if (l.cpuset() == null && l.mems() == null) {
            return List.of();
        }
        if (l.mems() != null) {
            String numactl = Tools.which("numactl");
            if (numactl == null) {
                throw new RuntimeDriver.LaunchException("binding memory to NUMA node " + l.mems()
                        + " needs numactl (apt-get install numactl)");
            }
            List<String> p = new ArrayList<>(List.of(numactl, "--membind=" + l.mems()));
            if (l.cpuset() != null) {
                p.add("--physcpubind=" + l.cpuset());
            }
            return List.copyOf(p);
        }
        String taskset = Tools.which("taskset");
        if (taskset == null) {
            throw new RuntimeDriver.LaunchException("pinning to CPUs " + l.cpuset() + " needs taskset (util-linux)");
        }
        return List.of(taskset, "-c", l.cpuset().toString());
    }

    /** {@code argv} run on the limits' CPUs: {@link #prefix} in front, or argv itself when unpinned. */
    public static List<String> wrap(Limits l, List<String> argv) throws RuntimeDriver.LaunchException {
        List<String> p = prefix(l);
        if (p.isEmpty()) {
            return argv;
        }
        List<String> out = new ArrayList<>(p);
        out.addAll(argv);
        return List.copyOf(out);
    }

    /** Pins one thread (a task id) to {@code cpus} (taskset -p); returns null, or why it failed. */
    public static String pinThread(long tid, String cpus) {
        String taskset = Tools.which("taskset");
        if (taskset == null) {
            return "taskset not found";
        }
        ProcResult r = Proc.of(taskset, "-p", "-c", cpus, Long.toString(tid)).timeout(TIMEOUT).run();
        return r.ok() ? null : r.failureSummary();
    }

    /** The {@code Cpus_allowed_list} of a task (a process or a thread: /proc/PID/task/TID), or null when gone. */
    public static String allowedList(Path procTask) {
        try {
            for (String line : Files.readAllLines(procTask.resolve("status"))) {
                if (line.startsWith("Cpus_allowed_list:")) {
                    return line.substring(line.indexOf(':') + 1).strip();
                }
            }
        } catch (IOException e) {
            return null;
        }
        return null;
    }
}
