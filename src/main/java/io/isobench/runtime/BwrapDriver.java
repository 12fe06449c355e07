package io.isobench.runtime;

import io.isobench.proc.Proc;
import io.isobench.util.Tools;

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
public final class BwrapDriver implements RuntimeDriver {
    @Override
    public String id() {
        return "bwrap";
    }

    @Override
    public String kind() {
        return "container";
    }

    @Override
    public String description() {
        return "bubblewrap namespaces over the read-only image (no cgroup limits)";
    }

    @Override
    public List<String> packages() {
        return List.of("bubblewrap");
    }

    @Override
    public Availability probe(ProbeContext ctx) {
        String bin = Tools.which("bwrap");
        if (bin == null) {
            return Availability.no(id(), null, "not installed (bwrap not found on PATH; apt-get install bubblewrap)");
        }
        String first = Proc.firstLine(OciDriver.CLI_TIMEOUT, bin, "--version");
        if (first == null) {
            return Availability.no(id(), null, "bwrap --version failed");
        }
        String version = first.startsWith("bubblewrap ") ? first.substring("bubblewrap ".length()).strip() : first;
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("cli", "bwrap");
        d.put("namespaces", "--unshare-all (user, pid, ipc, uts, cgroup, mount, net)");
        d.put("network", "none (new network namespace, loopback only)");
        d.put("rootfs", "workload image, read-only bind; private /proc, /dev, tmpfs /tmp");
        d.put("limits_enforced", "none (bwrap creates no cgroup; the workload stays in isobench's cgroup)");
        return OciDriver.trial(this, ctx, version, d);
    }

    @Override
    public Sandbox launch(LaunchSpec spec) throws LaunchException {
        long t0 = System.nanoTime(); // the launch starts here: bundle, namespace and network setup count
        String bin = Tools.which("bwrap");
        if (bin == null) {
            throw new LaunchException("bwrap not found on PATH");
        }
        Path scratch = Scratch.hostDir(spec);
        NetNs ns = NetNs.createFor(spec, scratch);
        List<String> argv = new ArrayList<>(List.of(bin, "--unshare-all", "--die-with-parent",
                "--ro-bind", spec.image().rootfs().toAbsolutePath().toString(), "/",
                "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--hostname", "isobench", "--chdir", "/",
                "--clearenv"));
        if (ns != null) {
            argv.add(2, "--share-net"); // keep the isobench netns that nsenter put the launcher in
        }
        if (scratch != null) {
            argv.addAll(List.of("--bind", scratch.toString(), Scratch.PATH));
        }
        Map<String, String> env = new LinkedHashMap<>(LaunchSpec.DEFAULT_ENV);
        env.putAll(Scratch.env(spec, Scratch.PATH));
        env.forEach((k, v) -> argv.addAll(List.of("--setenv", k, v)));
        argv.add("--");
        argv.addAll(spec.argv());
        // no state, no mounts outside the sandbox: killing the launcher tree (and removing scratch) is the whole teardown
        ProcessSandbox s = new ProcessSandbox(spec.name(), NetNs.enter(ns, argv), spec, () -> {
            Scratch.remove(scratch);
            NetNs.closeQuietly(ns);
        }, List::of, null, t0);
        s.network(ns, spec.network());
        return scratch == null ? s : s.scratchStorage("bind mount (--bind) of a host directory on " + Scratch.fileSystem(scratch));
    }
}
