package io.isobench.runtime;

import io.isobench.IntegrationSupport;
import io.isobench.image.ImageBuilder;
import io.isobench.image.WorkloadImage;
import io.isobench.util.CpuSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * --cpuset for real: while a pinned sandbox runs, every host task under it (launcher, shim, sentry, gofer, workload,
 * every QEMU thread) may run only on the pinned CPU, read from /proc/PID/task/TID/status (Cpus_allowed_list); a VM's
 * vCPU threads are pinned one to one. The same workload unpinned may run anywhere, so the check can fail.
 */
class PinningIT {
    @TempDir
    static Path dir;
    static WorkloadImage image;
    static ProbeContext probe;

    @BeforeAll
    static void setUp() {
        assumeTrue(IntegrationSupport.isRoot(), "integration tests need root");
        assumeTrue(Runtime.getRuntime().availableProcessors() >= 2, "pinning needs 2 CPUs to be visible");
        ImageBuilder b = new ImageBuilder(dir.resolve("images"));
        image = b.build(Set.of("sleep"), true);
        probe = new ProbeContext(b, new Limits(1, 512L << 20));
    }

    /** Every task (thread) of every descendant of this JVM but isobench's own spawn helpers: task name -> allowed CPUs. */
    static Map<String, String> sandboxTasks() throws IOException {
        Map<String, String> m = new LinkedHashMap<>();
        for (ProcessHandle h : ProcessHandle.current().descendants().toList()) {
            String cmd = h.info().commandLine().orElse("");
            if (cmd.contains("isobench-spawn")) {
                continue;
            }
            Path tasks = Path.of("/proc", Long.toString(h.pid()), "task");
            List<Path> list;
            try (var s = Files.list(tasks)) {
                list = s.toList();
            } catch (IOException e) {
                continue; // exited meanwhile
            }
            for (Path t : list) {
                String allowed = CpuPinning.allowedList(t);
                String comm;
                try {
                    comm = Files.readString(t.resolve("comm")).strip();
                } catch (IOException e) {
                    continue;
                }
                if (allowed != null) {
                    m.put(h.pid() + "/" + t.getFileName() + " " + comm, allowed);
                }
            }
        }
        return m;
    }

    /** Launches {@code sleep} in {@code runtime} with {@code limits}; returns its tasks' allowed CPUs once it runs. */
    static Map<String, String> tasksWhileRunning(String runtime, Limits limits, List<String> placement) throws Exception {
        RuntimeDriver d = Runtimes.byId(runtime).orElseThrow();
        Availability a = d.probe(probe);
        assumeTrue(a.available(), runtime + " unavailable: " + a.reason());
        LaunchSpec spec = LaunchSpec.builder("isobench-pin-it-" + Trials.safeName(runtime) + "-" + System.nanoTime() % 10000,
                image, limits).argv(List.of(image.tools().get("sleep"), "60")).build();
        try (Sandbox s = d.launch(spec)) {
            placement.add(String.valueOf(s.cpuPlacement()));
            // a container's workload (a host process, or inside runsc's sentry) and a VM's threads are up by then
            Thread.sleep(4000);
            Map<String, String> tasks = sandboxTasks();
            if (tasks.isEmpty()) { // say why: the launcher's own words (it may have exited, e.g. a failed create)
                io.isobench.proc.ProcResult r = s.await(java.time.Duration.ofSeconds(2));
                throw new AssertionError(runtime + ": no sandbox task seen; the launcher "
                        + (r.timedOut() ? "still ran" : "exited " + r.exitCode()) + ": " + r.stdout() + r.stderr());
            }
            return tasks;
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"native", "runc", "runsc", "qemu-microvm", "crun", "bwrap", "nspawn", "lxc", "lxc-system"})
    void everyTaskOfAPinnedSandboxRunsOnlyOnItsCpu(String runtime) throws Exception {
        int last = Runtime.getRuntime().availableProcessors() - 1;
        CpuSet set = CpuSet.parse(Integer.toString(last), "test");
        List<String> placement = new ArrayList<>();
        Map<String, String> tasks = tasksWhileRunning(runtime, new Limits(1, 512L << 20).pinned(set, null), placement);
        assertThat(tasks).as(runtime + ": no sandbox task seen").isNotEmpty();
        assertThat(tasks).as(runtime + " tasks' Cpus_allowed_list").allSatisfy((task, allowed) ->
                assertThat(allowed).as(task).isEqualTo(set.toString()));
        if (runtime.startsWith("qemu")) {
            // the vCPU thread QMP named is one of QEMU's tasks, pinned to the CPU the placement says
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("vCPU 0 \\(thread (\\d+)\\) -> CPU (\\d+)")
                    .matcher(placement.get(0));
            assertThat(m.find()).as(placement.get(0)).isTrue();
            assertThat(m.group(2)).isEqualTo(Integer.toString(last));
            assertThat(tasks.keySet()).as("vCPU thread " + m.group(1)).anyMatch(k -> k.contains("/" + m.group(1) + " qemu"));
        } else if (runtime.equals("runsc")) {
            assertThat(tasks).as("runsc's own processes (sentry, gofer) besides the launcher").hasSizeGreaterThan(3);
        } else {
            assertThat(tasks.keySet()).anyMatch(k -> k.endsWith(" sleep"));
        }
        System.out.println(runtime + " pinned to " + set + ": " + tasks);
    }

    @ParameterizedTest
    @ValueSource(strings = {"native", "runc"})
    void unpinnedTheSameWorkloadMayRunAnywhere(String runtime) throws Exception {
        Map<String, String> tasks = tasksWhileRunning(runtime, new Limits(1, 512L << 20), new ArrayList<>());
        String all = "0-" + (Runtime.getRuntime().availableProcessors() - 1);
        Map<String, String> workload = new LinkedHashMap<>();
        tasks.forEach((k, v) -> {
            if (k.endsWith(" sleep")) {
                workload.put(k, v);
            }
        });
        assertThat(workload).isNotEmpty().allSatisfy((k, v) -> assertThat(v).as(k).isEqualTo(all));
    }
}
