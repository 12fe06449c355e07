package io.isobench.runtime.vm;

import io.isobench.runtime.Leftovers;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * QEMU processes left running by an isobench process that died without cleaning up (SIGKILL): those with an argument
 * inside a dead work dir (their initramfs, console log, disk). SIGTERM, then SIGKILL after 5 s.
 */
enum QemuLeftovers implements Leftovers {
    INSTANCE;

    @Override
    public List<String> sweep(List<Path> deadWorkDirs) {
        List<String> done = new ArrayList<>();
        if (deadWorkDirs.isEmpty()) {
            return done;
        }
        List<ProcessHandle> orphans = ProcessHandle.allProcesses().filter(h -> {
            List<String> args = h.info().arguments().map(List::of).orElse(List.of());
            String cmd = h.info().command().orElse("");
            return cmd.contains("qemu-system") && args.stream().anyMatch(a -> deadWorkDirs.stream()
                    .anyMatch(d -> a.contains(d.toString() + "/")));
        }).toList();
        for (ProcessHandle h : orphans) {
            h.destroy();
        }
        for (ProcessHandle h : orphans) {
            try {
                h.onExit().get(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                h.destroyForcibly();
            } catch (ExecutionException | TimeoutException e) {
                h.destroyForcibly();
            }
            done.add("QEMU process " + h.pid());
        }
        return done;
    }
}
