package io.isobench.runtime.host;

import io.isobench.runtime.AptPackage;
import io.isobench.runtime.LaunchSpec;
import io.isobench.runtime.NetNs;
import io.isobench.runtime.Scratch;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * bubblewrap: the workload runs in fresh namespaces (user, pid, ipc, uts, cgroup, mount and network with only
 * loopback, from {@code --unshare-all}) over the read-only workload image, with its own /proc, a minimal /dev
 * and a private /tmp. bwrap creates no cgroup, so it cannot enforce the plan's CPU and memory limits; the
 * details say so. {@code --die-with-parent} ties the sandbox to its launcher.
 */
public final class BwrapDriver extends HostLauncherDriver {
    @Override
    public String id() {
        return "bwrap";
    }

    @Override
    public String description() {
        return "bubblewrap namespaces over the read-only image (no cgroup limits)";
    }

    @Override
    public List<AptPackage> packages() {
        return List.of(new AptPackage("bubblewrap", "bwrap", "runtime bwrap"));
    }

    @Override
    protected boolean ownCgroup() {
        return true; // it makes none: without one the instance would compete task by task on a busy host
    }

    @Override
    protected String launcher() {
        return "bwrap";
    }

    @Override
    protected String version(String first) {
        return first.startsWith("bubblewrap ") ? first.substring("bubblewrap ".length()).strip() : first;
    }

    @Override
    protected Map<String, Object> probeDetails() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("cli", "bwrap");
        d.put("namespaces", "--unshare-all (user, pid, ipc, uts, cgroup, mount, net)");
        d.put("network", "none (new network namespace, loopback only)");
        d.put("rootfs", "workload image, read-only bind; private /proc, /dev, tmpfs /tmp");
        d.put("limits_enforced", "none (bwrap creates no cgroup)");
        return d;
    }

    @Override
    protected Instance start(String bin, LaunchSpec spec, Path scratch, NetNs ns) {
        // no state, no mounts outside the sandbox: killing the launcher tree (and removing scratch) is the whole teardown
        return new Instance(argv(bin, spec, scratch, ns != null), () -> { }, List::of, "--bind");
    }

    /**
     * bwrap's command line (before nsenter): {@code sharedNet} keeps the launcher's network namespace (an isobench one
     * that nsenter put it in) instead of a new, loopback-only one.
     */
    static List<String> argv(String bin, LaunchSpec spec, Path scratch, boolean sharedNet) {
        List<String> argv = new ArrayList<>(List.of(bin, "--unshare-all", "--die-with-parent",
                "--ro-bind", spec.image().rootfs().toAbsolutePath().toString(), "/",
                "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--hostname", "isobench", "--chdir", "/",
                "--clearenv"));
        if (sharedNet) {
            argv.add(2, "--share-net");
        }
        if (scratch != null) {
            argv.addAll(List.of("--bind", scratch.toString(), Scratch.PATH));
        }
        Scratch.workloadEnv(spec).forEach((k, v) -> argv.addAll(List.of("--setenv", k, v)));
        argv.add("--");
        argv.addAll(spec.argv());
        return argv;
    }
}
