package io.isobench.runtime.incus;

import io.isobench.proc.Cleanup;
import io.isobench.proc.ProcResult;
import io.isobench.runtime.AptPackage;
import io.isobench.runtime.Availability;
import io.isobench.runtime.Cgroups;
import io.isobench.runtime.HostSetup;
import io.isobench.runtime.LaunchSpec;
import io.isobench.runtime.Leftovers;
import io.isobench.runtime.Limits;
import io.isobench.runtime.ProbeContext;
import io.isobench.runtime.ProcessSandbox;
import io.isobench.runtime.RuntimeDriver;
import io.isobench.runtime.Sandbox;
import io.isobench.runtime.Scratch;
import io.isobench.runtime.Trials;
import io.isobench.util.Tools;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Incus system container (as in Goyal's study): the workload image, imported as an Incus image ({@link IncusImage}), is
 * launched as a container whose init is the image's busybox init ({@code raw.lxc: lxc.init.cmd}, idling on its
 * /etc/inittab), with no profiles (so no NIC: the container has loopback only) on isobench's {@code dir} pool, and the
 * workload runs in it with {@code incus exec}, as {@code lxc-system} does with lxc-attach. The launch time counts from
 * {@code incus init}, so startup includes creating (a copy of the image on the dir pool), starting and booting the
 * container. Limits: {@code limits.cpu.allowance} (a CFS quota of the run's CPUs, as the other runtimes get) and
 * {@code limits.memory}; scratch: a {@code disk} device of the host scratch dir ({@code shift=true}); ports: one
 * {@code proxy} device per port from a free 127.0.0.1 port into the container's loopback (brought up with busybox
 * {@code ip} after the start: nothing else configures it). Every instance carries
 * {@link Incus#PID_KEY}; teardown is {@code incus delete --force}.
 */
public class IncusDriver implements RuntimeDriver {
    static final java.time.Duration START_TIMEOUT = java.time.Duration.ofSeconds(60);

    @Override
    public String id() {
        return "incus";
    }

    @Override
    public String kind() {
        return "container";
    }

    @Override
    public String description() {
        return "Incus system container: the image's init as PID 1 (incus init + start), workload run with incus exec";
    }

    static final AptPackage PACKAGE = new AptPackage("incus", "incus",
            "runtimes incus, incus-vm (Debian 12: from bookworm-backports, added by isobench setup with consent)");

    @Override
    public List<AptPackage> packages() {
        return List.of(PACKAGE);
    }

    /** Its host setup installs it: on Debian 12 that needs the backports suite first. */
    @Override
    public boolean installedBySetup() {
        return false;
    }

    @Override
    public Optional<HostSetup> hostSetup() {
        return Optional.of(IncusSetup.INSTANCE);
    }

    @Override
    public Optional<Leftovers> leftovers() {
        return Optional.of(IncusLeftovers.INSTANCE);
    }

    @Override
    public java.time.Duration launchOverhead() {
        return java.time.Duration.ofMillis(1500);
    }

    @Override
    public List<String> caveats(String runtimeId, Map<String, Object> details) {
        return List.of(runtimeId + " launches through the Incus daemon's API: its startup includes creating the instance"
                + " (a copy of the image on the dir storage pool), starting it (an unprivileged container, the Incus default)"
                + " and booting its init, and each workload runs through incus exec; lxc-system boots the same init from a"
                + " read-only image with no daemon.");
    }

    /** Why Incus cannot run here (not installed, daemon down, no pool), or null. */
    static String notReady() {
        if (Tools.which("incus") == null) {
            return "not installed (incus not found on PATH; isobench setup installs it, from bookworm-backports on Debian 12)";
        }
        if (!Incus.running()) {
            return "incusd is not running (isobench setup starts it)";
        }
        if (!Incus.poolExists()) {
            return "Incus has no storage pool '" + Incus.POOL + "' (isobench setup makes it)";
        }
        return null;
    }

    /** "6.0.4" from {@code incus version}'s "Server version: 6.0.4" (else the client's). */
    static String version(String out) {
        String client = null;
        for (String l : out.lines().toList()) {
            String[] kv = l.split(":", 2);
            if (kv.length == 2 && kv[0].strip().equals("Server version")) {
                return kv[1].strip();
            }
            if (kv.length == 2 && kv[0].strip().equals("Client version")) {
                client = kv[1].strip();
            }
        }
        return client;
    }

    @Override
    public Availability probe(ProbeContext ctx) {
        String why = notReady();
        if (why != null) {
            return Availability.no(id(), null, why);
        }
        ProcResult v = Incus.call("version");
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("cli", "incus init --no-profiles + incus start + incus exec");
        d.put("init", "busybox init from the workload image (raw.lxc lxc.init.cmd; idles on /etc/inittab)");
        d.put("network", "none (no profiles: loopback only); ports through proxy devices (forkproxy, 127.0.0.1)");
        d.put("rootfs", "workload image imported as an Incus image, copied per instance on the dir pool '" + Incus.POOL + "' (writable)");
        d.put("idmap", "unprivileged (Incus default: user namespace, shifted ids)");
        d.put("limits_enforced", "cpu (limits.cpu.allowance quota), memory (limits.memory)");
        return Trials.trial(this, ctx, ctx.probeImageWithInit(), v.ok() ? version(v.stdout()) : null, d);
    }

    /** An Incus instance name for {@code specName}: letters, digits and dashes, at most 63, starting "isobench-". */
    static String instanceName(String specName) {
        String n = specName.replaceAll("[^a-zA-Z0-9-]", "-").replaceAll("-+", "-").replaceAll("-$", "");
        if (!n.startsWith("isobench-")) {
            n = "isobench-" + n;
        }
        if (n.length() > 63) {
            String h = Integer.toHexString(specName.hashCode());
            n = n.substring(0, 62 - h.length()) + "-" + h;
        }
        return n;
    }

    /** The {@code -c key=value} settings of an instance: owner, limits, init. */
    static List<String> initConfig(Limits limits, String init, long ownerPid) {
        List<String> c = new ArrayList<>();
        c.add(Incus.PID_KEY + "=" + ownerPid);
        c.add(Incus.PIDNS_KEY + "=" + Incus.pidNamespace());
        if (limits != null && limits.cpus() > 0) {
            long ms = Math.max(1, Math.round(limits.cpus() * 100));
            c.add("limits.cpu.allowance=" + ms + "ms/100ms");
        }
        if (limits != null && limits.cpuset() != null) {
            c.add("limits.cpu=" + incusCpuSet(limits.cpuset()));
        }
        if (limits != null && limits.mems() != null) {
            c.add("limits.cpu.nodes=" + limits.mems());
        }
        if (limits != null && limits.memoryBytes() > 0) {
            c.add("limits.memory=" + limits.memoryBytes() + "B");
        }
        c.add("raw.lxc=lxc.init.cmd = " + init);
        return c;
    }

    /**
     * {@code limits.cpu} as a set of CPUs to pin to: Incus reads a bare number as a count of CPUs, so a single CPU is
     * written as the range {@code N-N}.
     */
    static String incusCpuSet(io.isobench.util.CpuSet set) {
        String s = set.toString();
        return s.matches("[0-9]+") ? s + "-" + s : s;
    }

    /** {@code incus exec} of the workload: no terminal, cwd /, its environment passed explicitly. */
    static List<String> execArgv(String bin, String name, LaunchSpec spec) {
        List<String> argv = new ArrayList<>(List.of(bin, "exec", name, "--force-noninteractive", "--cwd", "/"));
        Scratch.workloadEnv(spec).forEach((k, v) -> argv.addAll(List.of("--env", k + "=" + v)));
        argv.add("--");
        argv.addAll(spec.argv());
        return argv;
    }

    @Override
    public Sandbox launch(LaunchSpec spec) throws LaunchException {
        Created c = create(spec);
        return start(c, spec, c.t0);
    }

    @Override
    public String prewarmUnsupported() {
        return null;
    }

    /**
     * {@code incus init} (the container's copy of the image on the pool, its config, scratch and proxy devices) ahead;
     * {@link io.isobench.runtime.Prewarmed#start()} is {@code incus start} (booting its init) and the workload's
     * {@code incus exec}: start to ready counts the boot, as a stopped warm-pool member's start would.
     */
    @Override
    public io.isobench.runtime.Prewarmed prewarm(LaunchSpec spec) throws LaunchException {
        if (!spec.wrapper().isEmpty() || spec.runToCompletion()) {
            throw new LaunchException("cannot prewarm with a wrapper or to run to completion");
        }
        Created c = create(spec);
        return new io.isobench.runtime.PrewarmedInstance(spec.name(), c.t0, System.nanoTime(), at -> start(c, spec, at),
                c.booting::close);
    }

    /** An initialized, not yet started container and what tears it down until a sandbox owns it. */
    private record Created(String name, long t0, Path scratch, IncusProxy proxy, Runnable teardown, Cleanup.Action booting) {
    }

    private Created create(LaunchSpec spec) throws LaunchException {
        String why = notReady();
        if (why != null) {
            throw new LaunchException(why);
        }
        String alias = IncusImage.ensure(spec.image()); // once per image hash, before the launch's clock starts
        long t0 = System.nanoTime();
        String name = instanceName(spec.name());
        String init = spec.imageInit();
        Path scratch = Scratch.hostDir(spec);
        Runnable teardown = () -> {
            Incus.call("delete", "--force", name);
            Cgroups.removeIfEmpty("/lxc.payload." + name);
            Cgroups.removeIfEmpty("/lxc.monitor." + name);
        };
        IncusProxy[] net = new IncusProxy[1];
        Cleanup.Action booting = Cleanup.register("incus container " + name, () -> {
            teardown.run();
            Scratch.remove(scratch);
            IncusProxy.release(net[0]);
        });
        try {
            List<String> args = new ArrayList<>(List.of("init", alias, name, "--no-profiles", "--storage", Incus.POOL));
            for (String c : initConfig(spec.limits(), init, ProcessHandle.current().pid())) {
                args.addAll(List.of("--config", c));
            }
            check(Incus.call(START_TIMEOUT, args.toArray(String[]::new)), "incus init");
            if (scratch != null) {
                check(Incus.call("config", "device", "add", name, "scratch", "disk", "source=" + scratch,
                        "path=" + Scratch.PATH, "shift=true"), "adding the scratch disk");
            }
            if (spec.network() != null) {
                net[0] = IncusProxy.create(name, spec.network());
            }
        } catch (LaunchException | RuntimeException e) {
            booting.close();
            throw e instanceof LaunchException le ? le : new LaunchException("cannot create the Incus container: " + e.getMessage(), e);
        }
        return new Created(name, t0, scratch, net[0], teardown, booting);
    }

    /** {@code incus start}, loopback up when there are proxies, then the workload through {@code incus exec}; launched at t0. */
    private Sandbox start(Created c, LaunchSpec spec, long t0) throws LaunchException {
        String name = c.name;
        IncusProxy p = c.proxy;
        long booted;
        try {
            check(Incus.call(START_TIMEOUT, "start", name), "incus start");
            if (p != null) {
                // no NIC and an init that configures nothing: loopback is down until brought up, and the proxy
                // devices connect to the workload there (part of the launch, as a network setup is for the others)
                check(Incus.call("exec", name, "--force-noninteractive", "--", spec.image().tools().get("busybox"),
                        "ip", "link", "set", "lo", "up"), "bringing up the container's loopback");
            }
            booted = System.nanoTime();
        } catch (LaunchException | RuntimeException e) {
            c.booting.close();
            throw e instanceof LaunchException le ? le : new LaunchException("cannot start the Incus container: " + e.getMessage(), e);
        }
        ProcessSandbox s;
        try {
            s = new ProcessSandbox(spec.name(), execArgv(Incus.bin(), name, spec), spec, () -> {
                c.teardown.run();
                Scratch.remove(c.scratch);
                IncusProxy.release(p);
            }, () -> hostPids(name), null, t0);
        } catch (LaunchException e) {
            c.booting.close();
            throw e;
        }
        c.booting.disarm();
        s.phase(Sandbox.Phase.BOOTED, booted);
        if (p != null) {
            s.network(p, spec.network());
        }
        return c.scratch == null ? s
                : s.scratchStorage("Incus disk device (shift=true) of a host directory on " + Scratch.fileSystem(c.scratch));
    }

    /** The container's processes and its {@code [lxc monitor]} (one per instance): the payload and monitor cgroups. */
    static List<Long> hostPids(String name) {
        List<Long> l = new ArrayList<>(Cgroups.pids("/lxc.payload." + name));
        l.addAll(Cgroups.pids("/lxc.monitor." + name));
        return l;
    }

    private static void check(ProcResult r, String what) throws LaunchException {
        if (!r.ok()) {
            throw new LaunchException(what + " failed: " + Trials.reason(r));
        }
    }
}
