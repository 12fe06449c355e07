package io.isobench.runtime;

import io.isobench.image.ImageBuilder;
import io.isobench.proc.Proc;
import io.isobench.proc.WorkDir;
import io.isobench.util.Tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * LXC application container: {@code lxc-execute} with a generated minimal config in a per-launch lxcpath
 * (never the system's /var/lib/lxc). The rootfs is the shared workload image mounted read-only, the network is
 * {@code empty} (a private namespace with loopback only, which LXC leaves down), /tmp is a tmpfs, and the
 * plan's CPU and memory limits are set on the container's cgroup (v1 keys on v1/hybrid hosts, v2 keys on
 * unified hosts). Teardown is {@code lxc-stop -k} and removal of the temp lxcpath only: never
 * {@code lxc-destroy}, which deletes the rootfs directory the config points at.
 */
public final class LxcDriver implements RuntimeDriver {
    private static final Path CGROUP = Path.of("/sys/fs/cgroup");

    @Override
    public String id() {
        return "lxc";
    }

    @Override
    public String kind() {
        return "container";
    }

    @Override
    public String description() {
        return "LXC application container (lxc-execute), read-only image, no network";
    }

    @Override
    public List<String> packages() {
        return List.of("lxc");
    }

    @Override
    public Availability probe(ProbeContext ctx) {
        String bin = Tools.which("lxc-execute");
        if (bin == null) {
            return Availability.no(id(), null, "not installed (lxc-execute not found on PATH; apt-get install lxc)");
        }
        String version = Proc.firstLine(OciDriver.CLI_TIMEOUT, bin, "--version");
        if (version == null) {
            return Availability.no(id(), null, "lxc-execute --version failed");
        }
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("cli", "lxc-execute");
        d.put("network", "none (lxc.net.0.type = empty: private namespace, loopback down)");
        d.put("rootfs", "workload image, read-only (lxc.rootfs.options = ro); tmpfs /tmp");
        d.put("cgroup_keys", unifiedOnly() ? "lxc.cgroup2.cpu.max, lxc.cgroup2.memory.max"
                : "lxc.cgroup.cpu.cfs_quota_us/cfs_period_us, lxc.cgroup.memory.limit_in_bytes");
        d.put("limits_enforced", "cpu, memory");
        return OciDriver.trial(this, ctx, version.strip(), d);
    }

    /** True on a pure cgroup v2 host (no v1 controller hierarchies). */
    static boolean unifiedOnly() {
        return Files.exists(CGROUP.resolve("cgroup.controllers"));
    }

    static String config(LaunchSpec spec, boolean unified) {
        return config(spec, unified, null);
    }

    static String config(LaunchSpec spec, boolean unified, Path scratch) {
        return config(spec, unified, scratch, false);
    }

    /**
     * @param callerNetns the container keeps the network namespace of lxc-execute (lxc.net.0.type = none), which
     *                    isobench has put into one of its own namespaces with nsenter; false: a new, empty one
     */
    static String config(LaunchSpec spec, boolean unified, Path scratch, boolean callerNetns) {
        StringBuilder c = new StringBuilder();
        c.append("lxc.uts.name = isobench\n");
        c.append("lxc.rootfs.path = dir:").append(spec.image().rootfs().toAbsolutePath()).append('\n');
        c.append("lxc.rootfs.options = ro\n");
        c.append(callerNetns ? "lxc.net.0.type = none\n" : "lxc.net.0.type = empty\n");
        c.append("lxc.apparmor.profile = unconfined\n");
        c.append("lxc.mount.auto = proc:mixed sys:ro cgroup:mixed\n");
        c.append("lxc.mount.entry = tmpfs tmp tmpfs rw,nosuid,nodev,mode=1777,create=dir 0 0\n");
        if (scratch != null) {
            // the image has /scratch, so the read-only rootfs needs no new mount point
            c.append("lxc.mount.entry = ").append(scratch.toAbsolutePath()).append(' ')
                    .append(Scratch.PATH.substring(1)).append(" none rw,bind 0 0\n");
        }
        c.append("lxc.autodev = 1\n");
        c.append("lxc.tty.max = 0\n");
        c.append("lxc.pty.max = 16\n");
        long period = OciBundle.CPU_PERIOD_US;
        long quota = Math.round(spec.limits().cpus() * period);
        long mem = spec.limits().memoryBytes();
        if (unified) {
            c.append("lxc.cgroup2.cpu.max = ").append(quota).append(' ').append(period).append('\n');
            c.append("lxc.cgroup2.memory.max = ").append(mem).append('\n');
        } else {
            c.append("lxc.cgroup.cpu.cfs_period_us = ").append(period).append('\n');
            c.append("lxc.cgroup.cpu.cfs_quota_us = ").append(quota).append('\n');
            c.append("lxc.cgroup.memory.limit_in_bytes = ").append(mem).append('\n');
        }
        Map<String, String> env = new LinkedHashMap<>(LaunchSpec.DEFAULT_ENV);
        env.putAll(Scratch.env(spec, Scratch.PATH));
        env.forEach((k, v) -> c.append("lxc.environment = ").append(k).append('=').append(v).append('\n'));
        return c.toString();
    }

    @Override
    public Sandbox launch(LaunchSpec spec) throws LaunchException {
        long t0 = System.nanoTime(); // the launch starts here: bundle, namespace and network setup count
        String bin = Tools.which("lxc-execute");
        if (bin == null) {
            throw new LaunchException("lxc-execute not found on PATH");
        }
        String name = OciDriver.safeName(spec.name());
        Path lxcpath = WorkDir.get().resolve("lxc").resolve(name);
        Path config = lxcpath.resolve("isobench.conf");
        Path scratch = Scratch.hostDir(spec);
        NetNs ns = null;
        try {
            ns = NetNs.createFor(spec);
            Files.createDirectories(lxcpath);
            Files.writeString(config, config(spec, unifiedOnly(), scratch, ns != null));
        } catch (IOException | LaunchException e) {
            ImageBuilder.deleteTree(lxcpath);
            Scratch.remove(scratch);
            NetNs.closeQuietly(ns);
            throw e instanceof LaunchException le ? le
                    : new LaunchException("cannot write the LXC config: " + e.getMessage(), e);
        }
        final NetNs netns = ns;
        List<String> argv = new ArrayList<>(List.of(bin, "-n", name, "-P", lxcpath.toString(), "-f", config.toString(),
                "-o", lxcpath.resolve("lxc.log").toString(), "-l", "WARN", "--"));
        argv.addAll(spec.argv());
        String payload = "/lxc.payload." + name;
        Runnable teardown = () -> {
            // after a normal exit there is nothing to stop and lxc-stop just says so
            // LXC's command socket is abstract, so per network namespace: lxc-stop must run where lxc-execute ran
            List<String> stop = List.of(Objects.requireNonNullElse(Tools.which("lxc-stop"), "lxc-stop"),
                    "-k", "-n", name, "-P", lxcpath.toString());
            Proc.of(NetNs.enter(netns, stop)).timeout(OciDriver.CLI_TIMEOUT).run();
            ImageBuilder.deleteTree(lxcpath); // the temp config dir only, never the rootfs
            Scratch.remove(scratch);
            Cgroups.removeIfEmpty(payload);
            Cgroups.removeIfEmpty("/lxc.monitor." + name);
            Cgroups.removeIfEmpty("/lxc.pivot"); // LXC leaves it empty in every hierarchy
            NetNs.closeQuietly(netns);
        };
        ProcessSandbox s = new ProcessSandbox(spec.name(), NetNs.enter(netns, argv), spec, teardown,
                () -> Cgroups.pids(payload), null, t0);
        s.network(netns, spec.network());
        return scratch == null ? s : s.scratchStorage("bind mount (lxc.mount.entry) of a host directory on "
                + Scratch.fileSystem(scratch));
    }
}
