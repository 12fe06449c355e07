package io.isobench.runtime.host;

import io.isobench.image.WorkloadImage;
import io.isobench.proc.Proc;
import io.isobench.runtime.AptPackage;
import io.isobench.runtime.Availability;
import io.isobench.runtime.LaunchSpec;
import io.isobench.runtime.NetNs;
import io.isobench.runtime.OwnCgroup;
import io.isobench.runtime.ProbeContext;
import io.isobench.runtime.ProcessSandbox;
import io.isobench.runtime.RuntimeDriver;
import io.isobench.runtime.Sandbox;
import io.isobench.runtime.Scratch;
import io.isobench.runtime.Trials;
import io.isobench.util.Tools;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Base for runtimes that are one host launcher over the read-only workload image (bwrap, systemd-nspawn, lxc-execute,
 * lxc-start + lxc-attach). The probe: the launcher's executables are on PATH, its {@code --version}, then a trial
 * instance running {@code true}. The launch: scratch dir, isobench network namespace when ports are asked for, the
 * driver's {@link #start} (its launcher argv comes from a pure method that unit tests check), the launcher run under
 * {@code nsenter --net} unless it joins the namespace itself, and a {@link ProcessSandbox} whose teardown also removes
 * scratch and namespace.
 */
public abstract class HostLauncherDriver implements RuntimeDriver {
    /** The launcher executable (looked up on PATH for the probe and every launch). */
    protected abstract String launcher();

    /** Other executables the runtime needs on PATH. */
    protected List<String> alsoNeeds() {
        return List.of();
    }

    /** The version from the first line of {@code launcher --version} ("bubblewrap 0.8.0" -> "0.8.0"). */
    protected String version(String firstLine) {
        return firstLine.strip();
    }

    /** How the runtime runs, recorded with every result (network, rootfs, limits_enforced...). */
    protected abstract Map<String, Object> probeDetails();

    /** The image the probe's trial instance runs. */
    protected WorkloadImage probeImage(ProbeContext ctx) {
        return ctx.probeImage();
    }

    /**
     * One launch's launcher and what to undo after it (scratch and namespace are the base's).
     *
     * @param scratchVia how scratch is mounted, for the recorded storage path ("--bind")
     * @param bootedAt   System.nanoTime() when an instance booted before its launcher starts (lxc-system), else -1
     * @param guard      the teardown registered with {@link io.isobench.proc.Cleanup} while such a boot ran, disarmed
     *                   once the sandbox owns the teardown; null when there is none
     */
    protected record Instance(List<String> argv, Runnable teardown, Supplier<List<Long>> hostPids, String scratchVia,
                              long bootedAt, io.isobench.proc.Cleanup.Action guard) {
        public Instance(List<String> argv, Runnable teardown, Supplier<List<Long>> hostPids, String scratchVia) {
            this(argv, teardown, hostPids, scratchVia, -1, null);
        }
    }

    /**
     * Prepares one launch and returns its launcher. On failure, undoes what it did itself (the base removes scratch and
     * namespace).
     *
     * @param bin     the launcher's path
     * @param scratch the instance's host scratch dir, or null
     * @param ns      the isobench network namespace when the spec asks for ports, else null
     */
    protected abstract Instance start(String bin, LaunchSpec spec, Path scratch, NetNs ns) throws IOException, LaunchException;

    /**
     * True for a runtime that puts its instance into no cgroup of its own (bwrap, systemd-nspawn without systemd): the
     * base then starts the launcher in an unlimited {@link OwnCgroup}, as each container and the native baseline get,
     * so that on a busy host the scheduler treats them alike. False (LXC): the runtime makes the instance's cgroup.
     */
    protected boolean ownCgroup() {
        return false;
    }

    /** True when the launcher joins {@code ns} by itself (nspawn's --network-namespace-path), false: run under nsenter. */
    protected boolean joinsNamespaceItself() {
        return false;
    }

    @Override
    public String kind() {
        return "container";
    }

    @Override
    public Availability probe(ProbeContext ctx) {
        String install = String.join(" ", packages().stream().map(AptPackage::name).distinct().toList());
        for (String b : concat(launcher(), alsoNeeds())) {
            if (Tools.which(b) == null) {
                return Availability.no(id(), null, "not installed (" + b + " not found on PATH; apt-get install " + install + ")");
            }
        }
        String first = Proc.firstLine(Trials.CLI_TIMEOUT, Tools.which(launcher()), "--version");
        if (first == null) {
            return Availability.no(id(), null, launcher() + " --version failed");
        }
        Map<String, Object> details = new LinkedHashMap<>(probeDetails());
        if (ownCgroup()) {
            details.putAll(OwnCgroup.details());
        }
        return Trials.trial(this, ctx, probeImage(ctx), version(first), details);
    }

    @Override
    public Sandbox launch(LaunchSpec spec) throws LaunchException {
        String bin = Tools.which(launcher());
        if (bin == null) {
            throw new LaunchException(launcher() + " not found on PATH");
        }
        // made before the clock starts: isobench's bookkeeping, where a container runtime's own cgroup setup is timed
        OwnCgroup cg = ownCgroup() ? OwnCgroup.forLaunch() : null;
        try {
            return launch(spec, bin, cg);
        } catch (LaunchException | RuntimeException e) {
            if (cg != null) {
                cg.close(); // the sandbox owns it once made; before that, here
            }
            throw e;
        }
    }

    private Sandbox launch(LaunchSpec spec, String bin, OwnCgroup cg) throws LaunchException {
        long t0 = System.nanoTime(); // the launch starts here: config, namespace and network setup count
        Path scratch = Scratch.hostDir(spec);
        NetNs ns = NetNs.createFor(spec, scratch);
        Instance in;
        try {
            in = start(bin, spec, scratch, ns);
        } catch (IOException | LaunchException | RuntimeException e) {
            Scratch.remove(scratch);
            NetNs.closeQuietly(ns);
            throw e instanceof LaunchException le ? le
                    : new LaunchException("cannot prepare the " + id() + " instance: " + e.getMessage(), e);
        }
        List<String> pinned;
        try {
            // pinned: the launcher runs under taskset and every process of the container inherits the affinity
            pinned = io.isobench.runtime.CpuPinning.wrap(spec.limits(), in.argv());
        } catch (LaunchException e) {
            if (in.guard() != null) {
                in.guard().close(); // its action tears down instance, scratch and namespace
            } else {
                in.teardown().run();
                Scratch.remove(scratch);
                NetNs.closeQuietly(ns);
            }
            throw e;
        }
        List<String> argv = joinsNamespaceItself() ? pinned : NetNs.enter(ns, pinned);
        ProcessSandbox s;
        try {
            s = new ProcessSandbox(spec.name(), argv, spec, () -> {
                in.teardown().run();
                Scratch.remove(scratch);
                NetNs.closeQuietly(ns);
            }, in.hostPids(), null, t0, cg);
        } catch (LaunchException e) {
            if (in.guard() != null) {
                in.guard().close();
            }
            throw e;
        }
        if (in.guard() != null) {
            in.guard().disarm(); // the sandbox owns the teardown now
        }
        if (in.bootedAt() >= 0) {
            s.phase(Sandbox.Phase.BOOTED, in.bootedAt()); // e.g. init runs before the workload is attached
        }
        s.network(ns, spec.network());
        return scratch == null ? s
                : s.scratchStorage("bind mount (" + in.scratchVia() + ") of a host directory on " + Scratch.fileSystem(scratch));
    }

    static List<String> concat(String head, List<String> tail) {
        List<String> l = new java.util.ArrayList<>();
        l.add(head);
        l.addAll(tail);
        return l;
    }
}
