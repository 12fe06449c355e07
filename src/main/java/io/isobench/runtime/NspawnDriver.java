package io.isobench.runtime;

import io.isobench.proc.Proc;
import io.isobench.util.Tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * systemd-nspawn over the read-only workload image, without registering with systemd-machined
 * ({@code --register=no --keep-unit}: works on hosts where PID 1 is not systemd), with a private network
 * namespace (loopback only) and the workload as PID 2 under a stub init. Without a systemd unit nspawn sets
 * no CPU or memory limits; the details say so.
 */
public final class NspawnDriver implements RuntimeDriver {
    @Override
    public String id() {
        return "nspawn";
    }

    @Override
    public String kind() {
        return "container";
    }

    @Override
    public String description() {
        return "systemd-nspawn over the read-only image, private network (no cgroup limits)";
    }

    @Override
    public List<String> packages() {
        return List.of("systemd-container");
    }

    @Override
    public Availability probe(ProbeContext ctx) {
        String bin = Tools.which("systemd-nspawn");
        if (bin == null) {
            return Availability.no(id(), null,
                    "not installed (systemd-nspawn not found on PATH; apt-get install systemd-container)");
        }
        String first = Proc.firstLine(OciDriver.CLI_TIMEOUT, bin, "--version");
        if (first == null) {
            return Availability.no(id(), null, "systemd-nspawn --version failed");
        }
        // "systemd 252 (252.39-1~deb12u2)" -> "252 (252.39-1~deb12u2)"
        String version = first.startsWith("systemd ") ? first.substring("systemd ".length()).strip() : first;
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("cli", "systemd-nspawn");
        d.put("flags", "--read-only --register=no --keep-unit --private-network --as-pid2 --timezone=off --resolv-conf=off");
        d.put("network", "none (private network namespace, loopback only)");
        d.put("rootfs", "workload image, read-only");
        d.put("limits_enforced", "none (no systemd unit: nspawn sets no CPU or memory limit)");
        return OciDriver.trial(this, ctx, version, d);
    }

    @Override
    public Sandbox launch(LaunchSpec spec) throws LaunchException {
        long t0 = System.nanoTime(); // the launch starts here: bundle, namespace and network setup count
        String bin = Tools.which("systemd-nspawn");
        if (bin == null) {
            throw new LaunchException("systemd-nspawn not found on PATH");
        }
        String machine = machineName(spec.name());
        Path scratch = Scratch.hostDir(spec);
        NetNs ns = NetNs.createFor(spec, scratch);
        List<String> argv = new ArrayList<>(List.of(bin, "-D", spec.image().rootfs().toAbsolutePath().toString(),
                "--read-only", "--quiet", "--register=no", "--keep-unit",
                ns == null ? "--private-network" : "--network-namespace-path=" + ns.path(), "--as-pid2",
                "--timezone=off", "--resolv-conf=off", "--machine=" + machine, "--hostname=isobench", "--chdir=/"));
        if (scratch != null) {
            argv.add("--bind=" + scratch + ":" + Scratch.PATH);
        }
        Map<String, String> env = new LinkedHashMap<>(LaunchSpec.DEFAULT_ENV);
        env.putAll(Scratch.env(spec, Scratch.PATH));
        env.forEach((k, v) -> argv.add("--setenv=" + k + "=" + v));
        argv.add("--");
        argv.addAll(spec.argv());
        ProcessSandbox s = new ProcessSandbox(spec.name(), argv, spec, () -> {
            NspawnDriver.removeEmptyPayloadCgroups();
            Scratch.remove(scratch);
            NetNs.closeQuietly(ns);
        }, List::of, null, t0);
        s.network(ns, spec.network());
        return scratch == null ? s : s.scratchStorage("bind mount (--bind) of a host directory on " + Scratch.fileSystem(scratch));
    }

    /** nspawn wants a valid hostname-like machine name of at most 64 characters; keep the unique tail. */
    static String machineName(String name) {
        String s = OciDriver.safeName(name).replace('_', '-').replace('.', '-');
        return s.length() <= 64 ? s : s.substring(s.length() - 64).replaceFirst("^-+", "");
    }

    /**
     * Without systemd, nspawn puts the payload into a {@code payload} sub-cgroup of the caller's name=systemd and
     * unified cgroups and leaves it behind empty. rmdir only succeeds on an empty cgroup, so a concurrent
     * nspawn's live payload cgroup is never removed.
     */
    static void removeEmptyPayloadCgroups() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
                String[] f = line.split(":", 3);
                if (f.length < 3) {
                    continue;
                }
                String hierarchy = f[1].equals("name=systemd") ? "systemd" : f[1].isEmpty() ? "unified" : null;
                if (hierarchy == null) {
                    continue;
                }
                for (Path base : List.of(Path.of("/sys/fs/cgroup", hierarchy), Path.of("/sys/fs/cgroup"))) {
                    if (hierarchy.equals("unified") && base.equals(Path.of("/sys/fs/cgroup"))
                            && !Files.exists(base.resolve("cgroup.controllers"))) {
                        continue;
                    }
                    if (hierarchy.equals("systemd") && base.equals(Path.of("/sys/fs/cgroup"))) {
                        continue;
                    }
                    Path payload = base.resolve(f[2].replaceFirst("^/", "")).resolve("payload");
                    try {
                        Files.deleteIfExists(payload);
                    } catch (IOException ignored) {
                        // not empty (another nspawn is running) or not ours
                    }
                }
            }
        } catch (IOException ignored) {
            // no /proc/self/cgroup
        }
    }
}
