package io.isobench.runtime.host;

import io.isobench.IntegrationSupport;
import io.isobench.runtime.Cgroups;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The janitor's sweep of the empty cgroups LXC leaves for an isobench container whose monitor was killed before it
 * could remove them ({@code lxc.payload.NAME}, {@code lxc.monitor.NAME} in every hierarchy), on the real cgroup file
 * system: an empty pair goes; a pair a running process names (a container being started) and one holding a process stay.
 */
class LxcLeftoversIT {
    @Test
    void emptyCgroupsOfContainersNobodyNamesGoTheOthersStay() throws Exception {
        assumeTrue(IntegrationSupport.isRoot(), "integration tests need root");
        String base = "isobench-lxcleft-it-" + ProcessHandle.current().pid() + "-";
        String empty = base + "a", named = base + "b", busy = base + "c";
        List<Path> hierarchies = new ArrayList<>();
        try (var s = Files.list(Path.of("/sys/fs/cgroup"))) {
            s.filter(p -> Files.exists(p.resolve("cgroup.procs"))).forEach(hierarchies::add);
        }
        if (Files.exists(Path.of("/sys/fs/cgroup/cgroup.procs"))) {
            hierarchies.add(Path.of("/sys/fs/cgroup")); // cgroup v2 only
        }
        assumeTrue(!hierarchies.isEmpty(), "no cgroup file system");
        Process namer = null;
        Process inside = null;
        try {
            for (Path h : hierarchies) {
                for (String n : List.of(empty, named, busy)) {
                    Files.createDirectories(h.resolve("lxc.payload." + n));
                    Files.createDirectories(h.resolve("lxc.monitor." + n));
                }
                Files.createDirectories(h.resolve("lxc.payload." + empty + "/.lxc")); // LXC nests one in the unified tree
            }
            // a process whose command line names the container, as lxc-start -n NAME does while it starts it
            namer = new ProcessBuilder("sh", "-c", "sleep 60", named).start();
            // a process in the busy container's payload cgroup
            inside = new ProcessBuilder("sleep", "60").start();
            Files.writeString(hierarchies.getFirst().resolve("lxc.payload." + busy + "/cgroup.procs"), Long.toString(inside.pid()));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!io.isobench.proc.CommandLines.anyNames(List.of(cmdline(namer.pid())), named) && System.nanoTime() < deadline) {
                Thread.sleep(10); // sh may not have exec'ed yet
            }

            List<String> done = LxcLeftovers.sweepEmptyCgroups();

            assertThat(done).contains("empty cgroups of lxc container " + empty)
                    .noneMatch(l -> l.endsWith(named) || l.endsWith(busy));
            for (Path h : hierarchies) {
                assertThat(h.resolve("lxc.payload." + empty)).doesNotExist();
                assertThat(h.resolve("lxc.monitor." + empty)).doesNotExist();
                assertThat(h.resolve("lxc.payload." + named)).as("a running process names it").isDirectory();
                assertThat(h.resolve("lxc.payload." + busy)).as("a process is in it").isDirectory();
            }
        } finally {
            for (Process p : new Process[] {namer, inside}) {
                if (p != null) {
                    p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
            for (String n : List.of(empty, named, busy)) {
                Cgroups.removeTreeIfEmpty("/lxc.payload." + n);
                Cgroups.removeTreeIfEmpty("/lxc.monitor." + n);
            }
        }
        assertThat(Cgroups.topLevel("lxc.payload." + base)).as("the test's cleanup").isEmpty();
    }

    private static String cmdline(long pid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "cmdline")).replace('\0', ' ');
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
