package io.isobench.runtime.host;

import io.isobench.image.ImageBuilder;
import io.isobench.proc.Proc;
import io.isobench.runtime.AptPackage;
import io.isobench.runtime.Cgroups;
import io.isobench.runtime.LaunchSpec;
import io.isobench.runtime.Leftovers;
import io.isobench.runtime.NetNs;
import io.isobench.runtime.Scratch;
import io.isobench.runtime.Trials;
import io.isobench.util.Tools;
import io.isobench.proc.WorkDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * LXC application container: {@code lxc-execute} with a generated minimal config in a per-launch lxcpath
 * (never the system's /var/lib/lxc). The rootfs is the shared workload image mounted read-only, the network is
 * {@code empty} (a private namespace with loopback only, which LXC leaves down), /tmp is a tmpfs, and the
 * plan's CPU and memory limits are set on the container's cgroup (v1 keys on v1/hybrid hosts, v2 keys on
 * unified hosts). Teardown is {@code lxc-stop -k} and removal of the temp lxcpath only: never
 * {@code lxc-destroy}, which deletes the rootfs directory the config points at.
 */
public final class LxcDriver extends HostLauncherDriver {
    private static final Path CGROUP = Path.of("/sys/fs/cgroup");
    /** lxc and lxc-system come from one package. */
    static final AptPackage PACKAGE = new AptPackage("lxc", "lxc-execute", "runtimes lxc and lxc-system");

    @Override
    public String id() {
        return "lxc";
    }

    @Override
    public String description() {
        return "LXC application container (lxc-execute), read-only image, no network";
    }

    @Override
    public List<AptPackage> packages() {
        return List.of(PACKAGE);
    }

    @Override
    public Optional<Leftovers> leftovers() {
        return Optional.of(LxcLeftovers.INSTANCE);
    }

    @Override
    protected String launcher() {
        return "lxc-execute";
    }

    @Override
    protected Map<String, Object> probeDetails() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("cli", "lxc-execute");
        d.put("network", "none (lxc.net.0.type = empty: private namespace, loopback down)");
        d.put("rootfs", "workload image, read-only (lxc.rootfs.options = ro); tmpfs /tmp");
        d.put("cgroup_keys", unifiedOnly() ? "lxc.cgroup2.cpu.max, lxc.cgroup2.memory.max"
                : "lxc.cgroup.cpu.cfs_quota_us/cfs_period_us, lxc.cgroup.memory.limit_in_bytes");
        d.put("limits_enforced", "cpu, memory");
        return d;
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
        long period = Cgroups.CPU_PERIOD_US;
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
        Scratch.workloadEnv(spec).forEach((k, v) -> c.append("lxc.environment = ").append(k).append('=').append(v).append('\n'));
        return c.toString();
    }

    @Override
    protected Instance start(String bin, LaunchSpec spec, Path scratch, NetNs ns) throws LaunchException {
        String name = Trials.safeName(spec.name());
        Path lxcpath = WorkDir.get().resolve("lxc").resolve(name);
        try {
            Files.createDirectories(lxcpath);
            Files.writeString(lxcpath.resolve("isobench.conf"), config(spec, unifiedOnly(), scratch, ns != null));
        } catch (IOException e) {
            ImageBuilder.deleteTree(lxcpath);
            throw new LaunchException("cannot write the LXC config: " + e.getMessage(), e);
        }
        String payload = "/lxc.payload." + name;
        Runnable teardown = () -> {
            // after a normal exit there is nothing to stop and lxc-stop just says so
            // LXC's command socket is abstract, so per network namespace: lxc-stop must run where lxc-execute ran
            List<String> stop = List.of(Objects.requireNonNullElse(Tools.which("lxc-stop"), "lxc-stop"),
                    "-k", "-n", name, "-P", lxcpath.toString());
            Proc.of(NetNs.enter(ns, stop)).timeout(Trials.CLI_TIMEOUT).run();
            ImageBuilder.deleteTree(lxcpath); // the temp config dir only, never the rootfs
            Cgroups.removeIfEmpty(payload);
            Cgroups.removeIfEmpty("/lxc.monitor." + name);
            Cgroups.removeIfEmpty("/lxc.pivot"); // LXC leaves it empty in every hierarchy
        };
        return new Instance(argv(bin, spec, lxcpath), teardown, () -> Cgroups.pids(payload), "lxc.mount.entry");
    }

    /** lxc-execute's command line for a container whose config ({@link #config}) is in {@code lxcpath}. */
    static List<String> argv(String bin, LaunchSpec spec, Path lxcpath) {
        List<String> argv = new ArrayList<>(List.of(bin, "-n", Trials.safeName(spec.name()), "-P", lxcpath.toString(),
                "-f", lxcpath.resolve("isobench.conf").toString(), "-o", lxcpath.resolve("lxc.log").toString(), "-l", "WARN",
                "--"));
        argv.addAll(spec.argv());
        return argv;
    }
}
