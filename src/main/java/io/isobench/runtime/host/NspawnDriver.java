package io.isobench.runtime.host;

import io.isobench.runtime.AptPackage;
import io.isobench.runtime.LaunchSpec;
import io.isobench.runtime.NetNs;
import io.isobench.runtime.Scratch;
import io.isobench.runtime.Trials;

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
public final class NspawnDriver extends HostLauncherDriver {
    @Override
    public String id() {
        return "nspawn";
    }

    @Override
    public String description() {
        return "systemd-nspawn over the read-only image, private network (no cgroup limits)";
    }

    @Override
    public List<AptPackage> packages() {
        return List.of(new AptPackage("systemd-container", "systemd-nspawn",
                "runtime nspawn (may upgrade systemd to the same release)"));
    }

    @Override
    protected boolean ownCgroup() {
        return true; // it makes none: without one the instance would compete task by task on a busy host
    }

    @Override
    protected String launcher() {
        return "systemd-nspawn";
    }

    /** "systemd 252 (252.39-1~deb12u2)" -> "252 (252.39-1~deb12u2)". */
    @Override
    protected String version(String first) {
        return first.startsWith("systemd ") ? first.substring("systemd ".length()).strip() : first;
    }

    @Override
    protected Map<String, Object> probeDetails() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("cli", "systemd-nspawn");
        d.put("flags", "--read-only --register=no --keep-unit --private-network --as-pid2 --timezone=off --resolv-conf=off");
        d.put("network", "none (private network namespace, loopback only)");
        d.put("rootfs", "workload image, read-only");
        d.put("limits_enforced", "none (no systemd unit: nspawn sets no CPU or memory limit)");
        return d;
    }

    /** nspawn joins an isobench namespace itself ({@code --network-namespace-path}). */
    @Override
    protected boolean joinsNamespaceItself() {
        return true;
    }

    @Override
    protected Instance start(String bin, LaunchSpec spec, Path scratch, NetNs ns) {
        return new Instance(argv(bin, spec, scratch, ns == null ? null : ns.path()),
                NspawnDriver::removeEmptyPayloadCgroups, List::of, "--bind");
    }

    /** nspawn's command line: a private loopback-only network, or the namespace at {@code netnsPath} when not null. */
    static List<String> argv(String bin, LaunchSpec spec, Path scratch, Path netnsPath) {
        List<String> argv = new ArrayList<>(List.of(bin, "-D", spec.image().rootfs().toAbsolutePath().toString(),
                "--read-only", "--quiet", "--register=no", "--keep-unit",
                netnsPath == null ? "--private-network" : "--network-namespace-path=" + netnsPath, "--as-pid2",
                "--timezone=off", "--resolv-conf=off", "--machine=" + machineName(spec.name()), "--hostname=isobench",
                "--chdir=/"));
        if (scratch != null) {
            argv.add("--bind=" + scratch + ":" + Scratch.PATH);
        }
        Scratch.workloadEnv(spec).forEach((k, v) -> argv.add("--setenv=" + k + "=" + v));
        argv.add("--");
        argv.addAll(spec.argv());
        return argv;
    }

    /** nspawn wants a valid hostname-like machine name of at most 64 characters; keep the unique tail. */
    static String machineName(String name) {
        String s = Trials.safeName(name).replace('_', '-').replace('.', '-');
        return s.length() <= 64 ? s : s.substring(s.length() - 64).replaceFirst("^-+", "");
    }

    /**
     * Without systemd, nspawn puts the payload into a {@code payload} sub-cgroup of its name=systemd and unified
     * cgroups, and itself into {@code supervisor}, and leaves both behind empty. Its cgroup is the instance's own
     * ({@link io.isobench.runtime.OwnCgroup}, which removes them with it) unless instances cannot have one here: then
     * it is isobench's, and these go here. rmdir only succeeds on an empty cgroup, so a concurrent nspawn's live
     * cgroups are never removed.
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
                    for (String sub : List.of("payload", "supervisor")) {
                        try {
                            Files.deleteIfExists(base.resolve(f[2].replaceFirst("^/", "")).resolve(sub));
                        } catch (IOException ignored) {
                            // not empty (another nspawn is running) or not ours
                        }
                    }
                }
            }
        } catch (IOException ignored) {
            // no /proc/self/cgroup
        }
    }
}
