package io.isobench.runtime.containerd;

import io.isobench.proc.Proc;
import io.isobench.proc.ProcResult;
import io.isobench.runtime.AptPackage;
import io.isobench.runtime.Availability;
import io.isobench.runtime.Cgroups;
import io.isobench.runtime.LaunchSpec;
import io.isobench.runtime.Leftovers;
import io.isobench.runtime.Limits;
import io.isobench.runtime.NetNs;
import io.isobench.runtime.ProbeContext;
import io.isobench.runtime.ProcessSandbox;
import io.isobench.runtime.RuntimeDriver;
import io.isobench.runtime.Sandbox;
import io.isobench.runtime.Scratch;
import io.isobench.runtime.Trials;
import io.isobench.util.Tools;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * containerd without an engine in front, as Kata's own metrics ran: {@code ctr run --read-only} of the workload image
 * imported into isobench's namespace {@code -n isobench} ({@link ContainerdImage}: containerd's content store, unpacked
 * by the overlayfs snapshotter into a snapshot per container), with one driver per shim installed ({@code containerd:io.containerd.runc.v2},
 * ...: shims are the {@code containerd-shim-<name>-v1|v2} binaries on PATH, each proven by a trial container). Limits
 * through {@code --cpus} and {@code --memory-limit}, cgroup {@code /isobench/<name>}; ports through the isobench netns
 * ({@code --with-ns network:PATH}); host pids are the task's cgroup plus its shim.
 */
public final class ContainerdDriver implements RuntimeDriver {
    static final String PREFIX = "containerd:";
    private static final Pattern SHIM = Pattern.compile("containerd-shim-([a-z0-9]+)-(v[12])");

    private final String runtime;

    ContainerdDriver(String runtime) {
        this.runtime = runtime;
    }

    /** One driver per shim binary on PATH. */
    public static List<ContainerdDriver> all() {
        Set<String> names = new LinkedHashSet<>();
        String path = System.getenv().getOrDefault("PATH", "") + ":/usr/local/sbin:/usr/sbin:/sbin:/usr/local/bin:/usr/bin:/bin";
        for (String dir : path.split(File.pathSeparator)) {
            File[] files = dir.isEmpty() ? null : new File(dir).listFiles();
            if (files != null) {
                for (File f : files) {
                    if (f.canExecute()) {
                        names.add(f.getName());
                    }
                }
            }
        }
        return runtimes(names).stream().map(ContainerdDriver::new).toList();
    }

    /** Without looking at PATH: the shim containerd itself ships (for packages and leftovers). */
    public static List<ContainerdDriver> builtIn() {
        return List.of(new ContainerdDriver("io.containerd.runc.v2"));
    }

    /** The driver of a stored id {@code containerd:<runtime>}, whether or not its shim is here. */
    public static Optional<ContainerdDriver> forId(String id) {
        return id.startsWith(PREFIX) && id.length() > PREFIX.length()
                ? Optional.of(new ContainerdDriver(id.substring(PREFIX.length()))) : Optional.empty();
    }

    /** containerd runtime names from file names: containerd-shim-runc-v2 → io.containerd.runc.v2 (sorted, v2 first). */
    static List<String> runtimes(Iterable<String> fileNames) {
        List<String> l = new ArrayList<>();
        for (String n : fileNames) {
            Matcher m = SHIM.matcher(n);
            if (m.matches() && !l.contains("io.containerd." + m.group(1) + "." + m.group(2))) {
                l.add("io.containerd." + m.group(1) + "." + m.group(2));
            }
        }
        l.sort(java.util.Comparator.comparing((String r) -> !r.endsWith(".v2")).thenComparing(r -> r));
        return l;
    }

    /** io.containerd.runc.v2 → containerd-shim-runc-v2. */
    static String shimBinary(String runtime) {
        String[] p = runtime.split("\\.");
        return p.length == 4 ? "containerd-shim-" + p[2] + "-" + p[3] : runtime;
    }

    @Override
    public String id() {
        return PREFIX + runtime;
    }

    @Override
    public String kind() {
        String r = runtime.toLowerCase(Locale.ROOT);
        return r.contains("kata") ? "vm" : r.contains("runsc") ? "sandbox" : "container";
    }

    @Override
    public String description() {
        return "containerd without an engine (ctr run of the imported image, shim " + runtime + ")";
    }

    @Override
    public List<AptPackage> packages() {
        return List.of(new AptPackage("containerd", "ctr", "runtime " + id() + " (containerd, ctr, the runc shim)"));
    }

    @Override
    public Optional<Leftovers> leftovers() {
        return Optional.of(ContainerdLeftovers.INSTANCE);
    }

    @Override
    public List<String> caveats(String runtimeId, Map<String, Object> details) {
        return List.of(runtimeId + " runs each instance through an attached ctr client (a Go process per instance, as a"
                + " user running ctr has): its memory and start are part of this runtime's footprint and startup, besides"
                + " the containerd shim and the workload.");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ContainerdDriver d && d.runtime.equals(runtime);
    }

    @Override
    public int hashCode() {
        return runtime.hashCode();
    }

    @Override
    public Availability probe(ProbeContext ctx) {
        for (String bin : List.of("ctr", "containerd", shimBinary(runtime))) {
            if (Tools.which(bin) == null) {
                return Availability.no(id(), null, "not installed (" + bin + " not found on PATH"
                        + (bin.equals(shimBinary(runtime)) ? ")" : "; apt-get install containerd)"));
            }
        }
        ProcResult v = Proc.of(Tools.which("ctr"), "--version").timeout(Containerd.ANSWER_TIMEOUT).run();
        String version = v.ok() ? version(v.stdout()) : null;
        if (version == null) {
            return Availability.no(id(), null, "ctr --version failed: " + v.failureSummary());
        }
        Containerd daemon;
        try {
            daemon = Containerd.get();
        } catch (LaunchException e) {
            return Availability.no(id(), version, e.getMessage());
        }
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("cli", "ctr run " + ContainerdImage.REPO + ":<image hash>, namespace " + Containerd.NAMESPACE);
        d.put("image", "imported (snapshotter " + ContainerdImage.SNAPSHOTTER + ")");
        d.put("daemon", daemon.description());
        d.put("shim", Tools.which(shimBinary(runtime)));
        d.put("network", "none (new network namespace, loopback only)");
        d.put("rootfs", "workload image's " + ContainerdImage.SNAPSHOTTER + " snapshot, read-only (--read-only); tmpfs /tmp");
        d.put("limits_enforced", "cpu, memory (--cpus, --memory-limit)");
        return Trials.trial(this, ctx, version, d);
    }

    /** "ctr github.com/containerd/containerd 1.6.20~ds1" → "1.6.20~ds1". */
    static String version(String out) {
        String first = out.strip().lines().findFirst().orElse("").strip();
        if (first.isEmpty()) {
            return null;
        }
        String[] f = first.split("\\s+");
        return f[f.length - 1];
    }

    @Override
    public Duration launchOverhead() {
        return Duration.ofMillis(400);
    }

    /** containerd's longest container id. */
    static final int MAX_ID = 76;

    /**
     * A valid containerd id for an instance name (letters and digits joined by single '.', '_' or '-', at most 76):
     * "containerd:io.containerd.runc.v2" in it becomes "ctrd-runc.v2"; a longer name keeps its start (the run id) and
     * ends in a hash of the whole name.
     */
    static String containerId(String name) {
        String id = name.replace(PREFIX + "io.containerd.", "ctrd-").replace(PREFIX, "ctrd-")
                .replaceAll("[^A-Za-z0-9._-]", "-").replaceAll("[._-]{2,}", "-").replaceAll("^[._-]+|[._-]+$", "");
        if (id.length() <= MAX_ID) {
            return id;
        }
        String hash = String.format("%08x", name.hashCode());
        return id.substring(0, MAX_ID - 9).replaceAll("[._-]+$", "") + "-" + hash;
    }

    @Override
    public Sandbox launch(LaunchSpec spec) throws LaunchException {
        if (spec.limits().cpuset() != null || spec.limits().mems() != null) {
            // the workload is the shim's child (a taskset on ctr would not reach it) and ctr has no cpuset flag
            throw new LaunchException("pinning is not implemented for containerd: ctr run has no --cpuset-cpus");
        }
        Containerd daemon = Containerd.get();
        // imported once per image and daemon (the probe's trial does it), before the launch's clock starts
        String image = ContainerdImage.ensure(daemon, spec.image());
        long t0 = System.nanoTime();
        String cid = containerId(spec.name());
        Path scratch = Scratch.hostDir(spec);
        NetNs ns;
        try {
            ns = NetNs.createFor(spec);
        } catch (LaunchException e) {
            Scratch.remove(scratch);
            throw e;
        }
        daemon.launched.add(cid);
        String cgroup = "/" + Containerd.NAMESPACE + "/" + cid;
        List<String> argv = daemon.ctr(runArgs(runtime, spec, image, cid, cgroup, scratch,
                ns == null ? null : ns.path(), ProcessHandle.current().pid()).toArray(String[]::new));
        AtomicBoolean exitedOnItsOwn = new AtomicBoolean();
        long[] shim = {-1};
        Runnable teardown = () -> {
            // ctr run --rm deletes the container (and its snapshot) when its task exits; after a kill, or a task still
            // there, delete both (ctr container delete removes the snapshot too), then a snapshot a create left alone
            if (!exitedOnItsOwn.get() || Files.exists(daemon.taskDir(cid))) {
                Proc.of(daemon.ctr("task", "kill", "-s", "SIGKILL", cid)).timeout(Containerd.CALL_TIMEOUT).run();
                Proc.of(daemon.ctr("task", "delete", "--force", cid)).timeout(Containerd.CALL_TIMEOUT).run();
                Proc.of(daemon.ctr("container", "delete", cid)).timeout(Containerd.CALL_TIMEOUT).run();
                Proc.of(daemon.ctr("snapshots", "--snapshotter", ContainerdImage.SNAPSHOTTER, "rm", cid))
                        .timeout(Containerd.CALL_TIMEOUT).run();
            }
            Scratch.remove(scratch);
            Cgroups.removeIfEmpty(cgroup);
            if (ns != null) {
                ns.close();
            }
        };
        ProcessSandbox s = new ProcessSandbox(spec.name(), argv, spec, teardown, () -> {
            List<Long> pids = new ArrayList<>(Cgroups.pids(cgroup));
            if (shim[0] < 0) {
                shim[0] = shimPid(daemon.taskDir(cid));
            }
            if (shim[0] > 0 && ProcessHandle.of(shim[0]).map(ProcessHandle::isAlive).orElse(false)) {
                pids.add(shim[0]);
            }
            return pids;
        }, null, t0) {
            @Override
            public io.isobench.proc.ProcResult await(Duration timeout) {
                io.isobench.proc.ProcResult r = super.await(timeout);
                exitedOnItsOwn.set(!r.timedOut());
                return r;
            }
        };
        if (ns != null) {
            s.network(ns, spec.network());
        }
        return scratch == null ? s : s.scratchStorage("bind mount of a host directory on " + Scratch.fileSystem(scratch));
    }

    /** The shim: the parent of the task's init ({@code init.pid} in its task dir), or -1 when not (yet) there. */
    private static long shimPid(Path taskDir) {
        try {
            long init = Long.parseLong(Files.readString(taskDir.resolve("init.pid")).strip());
            return ProcessHandle.of(init).flatMap(ProcessHandle::parent).map(ProcessHandle::pid).orElse(-1L);
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    @Override
    public boolean supportsWrapper() {
        return false; // the workload is the shim's child, not ctr's: a wrapper on ctr would not see it
    }

    /** The arguments of {@code ctr run} (after the global flags) for one instance. */
    static List<String> runArgs(String runtime, LaunchSpec spec, String image, String id, String cgroup, Path scratch,
                                Path netns, long pid) {
        Limits l = spec.limits();
        List<String> a = new ArrayList<>(List.of("run", "--snapshotter", ContainerdImage.SNAPSHOTTER, "--read-only", "--rm",
                "--runtime", runtime,
                "--cgroup", cgroup, "--cpus", Double.toString(l.cpus()), "--memory-limit", Long.toString(l.memoryBytes()),
                "--label", Containerd.PID_LABEL + "=" + pid, "--snapshotter-label", Containerd.PID_LABEL + "=" + pid,
                "--mount", "type=tmpfs,src=tmpfs,dst=/tmp,options=nosuid:nodev:mode=1777"));
        if (scratch != null) {
            a.addAll(List.of("--mount", "type=bind,src=" + scratch.toAbsolutePath() + ",dst=" + Scratch.PATH
                    + ",options=rbind:rw"));
        }
        if (netns != null) {
            a.addAll(List.of("--with-ns", "network:" + netns));
        }
        Scratch.workloadEnv(spec).forEach((k, v) -> a.addAll(List.of("--env", k + "=" + v)));
        a.add(image);
        a.add(id);
        a.addAll(spec.argv());
        return a;
    }
}
