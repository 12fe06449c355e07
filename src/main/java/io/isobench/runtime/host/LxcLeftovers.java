package io.isobench.runtime.host;

import io.isobench.proc.Proc;
import io.isobench.runtime.Cgroups;
import io.isobench.runtime.Leftovers;
import io.isobench.runtime.Trials;
import io.isobench.util.Tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * LXC containers (lxc and lxc-system) whose lxcpath ({@code WORKDIR/lxc/NAME}, one per container) is in a dead work dir:
 * {@code lxc-stop -k}; when that cannot reach the container (its command socket lived in a network namespace that is
 * gone), the processes of its payload and monitor cgroups are killed. Runs before the janitor deletes dead namespaces:
 * lxc-stop talks to the container's monitor, which may live in one of them.
 */
enum LxcLeftovers implements Leftovers {
    INSTANCE;

    @Override
    public boolean beforeNetnsSweep() {
        return true;
    }

    @Override
    public List<String> sweep(List<Path> deadWorkDirs) {
        List<String> done = new ArrayList<>();
        for (Path d : deadWorkDirs) {
            Path lxc = d.resolve("lxc");
            if (!Files.isDirectory(lxc)) {
                continue;
            }
            try (var s = Files.list(lxc)) {
                for (Path path : s.filter(Files::isDirectory).toList()) {
                    String name = path.getFileName().toString();
                    List<Long> pids = new ArrayList<>(Cgroups.pids("/lxc.payload." + name));
                    pids.addAll(Cgroups.pids("/lxc.monitor." + name));
                    if (pids.isEmpty()) {
                        continue;
                    }
                    if (Tools.which("lxc-stop") != null) {
                        Proc.of(Tools.which("lxc-stop"), "-k", "-n", name, "-P", path.toString()).timeout(Trials.CLI_TIMEOUT).run();
                    }
                    for (long pid : pids) {
                        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                    }
                    long end = System.nanoTime() + Trials.CLI_TIMEOUT.toNanos();
                    while (pids.stream().anyMatch(Proc::running) && System.nanoTime() < end) {
                        try {
                            Thread.sleep(50);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            break;
                        }
                    }
                    Cgroups.removeIfEmpty("/lxc.payload." + name);
                    Cgroups.removeIfEmpty("/lxc.monitor." + name);
                    done.add("lxc container " + name);
                }
            } catch (IOException ignored) {
                // the dir went meanwhile
            }
        }
        return done;
    }
}
