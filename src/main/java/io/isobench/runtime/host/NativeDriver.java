package io.isobench.runtime.host;

import io.isobench.proc.Proc;
import io.isobench.runtime.Availability;
import io.isobench.runtime.LaunchSpec;
import io.isobench.runtime.NetNs;
import io.isobench.runtime.OwnCgroup;
import io.isobench.runtime.ProbeContext;
import io.isobench.runtime.ProcessSandbox;
import io.isobench.runtime.RuntimeDriver;
import io.isobench.runtime.Sandbox;
import io.isobench.runtime.Scratch;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The baseline: the workload's binaries run directly on the host, no namespaces, no cgroup limits. They
 * are the very files the workload image was copied from (same content hash), so the only difference to
 * the sandboxes is the isolation. Each instance runs in a cgroup of its own without limits ({@link OwnCgroup}), as
 * each container does, so that on a busy host the scheduler shares the CPU out to both alike.
 */
public final class NativeDriver implements RuntimeDriver {
    public static final String ID = "native";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String kind() {
        return "native";
    }

    @Override
    public String description() {
        return "bare host process, no isolation (the baseline)";
    }

    @Override
    public Availability probe(ProbeContext ctx) {
        String kernel = Proc.firstLine(Duration.ofSeconds(5), "uname", "-r");
        Map<String, Object> d = new java.util.LinkedHashMap<>(Map.of("confinement", "none", "limits", "none (host resources)"));
        d.putAll(OwnCgroup.details()); // scheduled as one entity, like each container: fair on a busy host
        return Availability.ok(ID, "kernel " + (kernel == null ? "unknown" : kernel), d);
    }

    @Override
    public boolean supportsWrapper() {
        return true;
    }

    @Override
    public Sandbox launch(LaunchSpec spec) throws LaunchException {
        // a cgroup of its own, as each container has (see OwnCgroup): made before the clock starts, isobench's bookkeeping
        OwnCgroup cg = OwnCgroup.forLaunch();
        long t0 = System.nanoTime(); // with scratch storage or a network, the launch starts here: their setup counts
        java.nio.file.Path scratch;
        NetNs ns;
        try {
            scratch = Scratch.hostDir(spec);
            try {
                ns = NetNs.createFor(spec, scratch);
            } catch (LaunchException | RuntimeException e) {
                Scratch.remove(scratch);
                throw e;
            }
        } catch (LaunchException | RuntimeException e) {
            if (cg != null) {
                cg.close();
            }
            throw e;
        }
        // with ports: the process runs in an isobench netns (nsenter), reached over a veth pair like the containers
        List<String> argv;
        try {
            // pinned: taskset (numactl with memory nodes) execs the workload, which inherits the affinity
            argv = spec.wrapped(NetNs.enter(ns, io.isobench.runtime.CpuPinning.wrap(spec.limits(), spec.argv())));
        } catch (LaunchException e) {
            Scratch.remove(scratch);
            NetNs.closeQuietly(ns);
            if (cg != null) {
                cg.close();
            }
            throw e;
        }
        Map<String, String> env = new java.util.HashMap<>(LaunchSpec.DEFAULT_ENV);
        env.putAll(Scratch.env(spec, scratch == null ? null : scratch.toString()));
        ProcessSandbox s = new ProcessSandbox(spec.name(), argv, spec, () -> {
            Scratch.remove(scratch);
            NetNs.closeQuietly(ns);
        }, List::of, env, scratch != null || ns != null ? t0 : -1, cg); // else at the spawn, as a plain launcher's would
        s.network(ns, spec.network());
        return scratch == null ? s
                : s.scratchStorage("host directory on " + Scratch.fileSystem(scratch) + ", no isolation");
    }
}
