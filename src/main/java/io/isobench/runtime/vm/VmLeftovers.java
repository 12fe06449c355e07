package io.isobench.runtime.vm;

import io.isobench.runtime.Leftovers;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * VMM processes (QEMU, Firecracker) left running by an isobench process that died without cleaning up (SIGKILL): those
 * with an argument inside a dead work dir (their initramfs, console log, disk, API socket; found by the path alone when
 * the dir is already gone) or, for a Firecracker the
 * jailer started (its arguments are relative to its chroot), whose root directory is inside one. SIGTERM, then SIGKILL
 * after 5 s.
 */
enum VmLeftovers implements Leftovers {
    INSTANCE;

    @Override
    public List<String> sweep(List<Path> deadWorkDirs) {
        List<String> done = new ArrayList<>();
        List<ProcessHandle> orphans = ProcessHandle.allProcesses().filter(h -> {
            List<String> args = h.info().arguments().map(List::of).orElse(List.of());
            String cmd = h.info().command().orElse("");
            boolean qemu = cmd.contains("qemu-system");
            boolean firecracker = cmd.endsWith("/firecracker") || cmd.equals("firecracker");
            if (!qemu && !firecracker) {
                return false;
            }
            if (args.stream().anyMatch(a -> deadWorkDirs.stream().anyMatch(d -> a.contains(d.toString() + "/"))
                    || io.isobench.proc.WorkDir.inDeadWorkDir(a))) {
                return true;
            }
            return firecracker && rootInside(h.pid(), deadWorkDirs);
        }).toList();
        java.util.Map<Long, String> names = new java.util.HashMap<>(); // read before the process is gone
        for (ProcessHandle h : orphans) {
            names.put(h.pid(), h.info().command().orElse("").contains("qemu-system") ? "QEMU" : "Firecracker");
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
            done.add(names.get(h.pid()) + " process " + h.pid());
        }
        return done;
    }

    /** Whether process {@code pid}'s root directory (a jailer's chroot) lies in one of {@code dirs}. */
    private static boolean rootInside(long pid, List<Path> dirs) {
        try {
            Path root = java.nio.file.Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "root"));
            return dirs.stream().anyMatch(root::startsWith);
        } catch (java.io.IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }
}
