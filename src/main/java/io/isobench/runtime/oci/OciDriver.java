package io.isobench.runtime.oci;

import io.isobench.image.ImageBuilder;
import io.isobench.proc.Proc;
import io.isobench.proc.ProcResult;
import io.isobench.runtime.AptPackage;
import io.isobench.runtime.Availability;
import io.isobench.runtime.Cgroups;
import io.isobench.runtime.LaunchSpec;
import io.isobench.runtime.Leftovers;
import io.isobench.runtime.NetNs;
import io.isobench.runtime.ProbeContext;
import io.isobench.runtime.ProcessSandbox;
import io.isobench.runtime.RuntimeDriver;
import io.isobench.runtime.Sandbox;
import io.isobench.runtime.SandboxNetwork;
import io.isobench.runtime.Scratch;
import io.isobench.runtime.Trials;
import io.isobench.util.Tools;
import io.isobench.proc.WorkDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Base for low-level OCI runtimes driven through their CLI ({@code runc}, {@code runsc}, {@code crun}):
 * writes a bundle over the shared read-only image, runs {@code <bin> run --bundle DIR ID} in the foreground
 * (the workload's stdio is the launcher's), and tears down with {@code kill} + {@code delete --force} and
 * removal of the bundle. State lives in each runtime's default root, so `runc list` / `runsc list` show
 * anything left behind.
 */
public abstract class OciDriver implements RuntimeDriver {
    static final Duration CLI_TIMEOUT = Trials.CLI_TIMEOUT;

    /** Name of the CLI binary. */
    protected abstract String binary();

    /** Global flags placed before the subcommand (e.g. runsc's --platform). */
    protected List<String> globalFlags() {
        return List.of();
    }

    /**
     * Where this runtime keeps each container's state (a directory per container name), or null when unknown. When
     * it is known and a container's directory is gone at teardown, the launcher has already deleted the container
     * (a {@code run} whose process exited), and teardown does not start the runtime twice more to kill and delete
     * nothing: those two process starts just before the next launch slowed it by a fifth (see README's fidelity notes).
     */
    protected Path stateRoot() {
        return null;
    }

    /** Extra facts recorded with every result of this runtime. */
    protected Map<String, Object> details() {
        return Map.of();
    }

    @Override
    public String kind() {
        return "container";
    }

    @Override
    public List<AptPackage> packages() {
        return List.of(new AptPackage(binary(), binary(), "runtime " + id()));
    }

    /** {@code <binary> list}: containers named isobench-* whose bundle is in a dead work dir are killed and deleted. */
    @Override
    public java.util.Optional<Leftovers> leftovers() {
        return java.util.Optional.of(new OciLeftovers(binary()));
    }

    /** The executable to run: {@link #binary()} found on PATH by default (null when absent). */
    protected String executable() {
        return Tools.which(binary());
    }

    protected List<String> cli(String... args) {
        List<String> argv = new ArrayList<>();
        String bin = executable();
        argv.add(bin == null ? binary() : bin);
        argv.addAll(globalFlags());
        argv.addAll(List.of(args));
        return argv;
    }

    @Override
    public Availability probe(ProbeContext ctx) {
        if (executable() == null) {
            return Availability.no(id(), null, "not installed (" + binary() + " not found on PATH; "
                    + (packages().isEmpty() ? "see README"
                    : "apt-get install " + String.join(" ", packages().stream().map(AptPackage::name).toList())) + ")");
        }
        ProcResult v = Proc.of(executable(), "--version").timeout(CLI_TIMEOUT).run();
        String version = v.ok() ? Trials.parseVersion(v.stdout()) : null;
        if (version == null) {
            return Availability.no(id(), null, binary() + " --version failed: " + v.failureSummary());
        }
        Map<String, Object> d = new LinkedHashMap<>(details());
        d.put("cli", binary());
        return Trials.trial(this, ctx, version, d);
    }

    @Override
    public boolean supportsWrapper() {
        return true;
    }

    @Override
    public Sandbox launch(LaunchSpec spec) throws LaunchException {
        long t0 = System.nanoTime(); // the launch starts here: bundle, namespace and network setup count
        Path bundle = WorkDir.get().resolve("bundles").resolve(spec.name());
        String cgroupsPath;
        Path scratch = Scratch.hostDir(spec);
        NetNs netns = null;
        List<String> pin;
        try {
            // pinned: config.json's cpus pins the container; the launcher under taskset keeps the runtime's own
            // processes (runc, runsc's sentry and gofer) on the same CPUs
            pin = io.isobench.runtime.CpuPinning.prefix(spec.limits());
            netns = NetNs.createFor(spec);
            cgroupsPath = OciBundle.write(bundle, spec, scratch, netns == null ? null : netns.path());
        } catch (IOException | LaunchException e) {
            ImageBuilder.deleteTree(bundle);
            Scratch.remove(scratch);
            if (netns != null) {
                netns.close();
            }
            throw e instanceof LaunchException le ? le
                    : new LaunchException("cannot write OCI bundle: " + e.getMessage(), e);
        }
        List<String> run = new ArrayList<>(List.of("run", "--bundle", bundle.toString(), spec.name()));
        List<String> launcher = new ArrayList<>(pin);
        launcher.addAll(netns == null ? cli(run.toArray(String[]::new)) : networkCli(run));
        List<String> argv = spec.wrapped(launcher);
        final NetNs ns = netns;
        Path stateRoot = stateRoot();
        Runnable teardown = () -> {
            if (stateRoot == null || Files.exists(stateRoot.resolve(spec.name()))) {
                Proc.of(cli("kill", spec.name(), "KILL")).timeout(CLI_TIMEOUT).run();
                Proc.of(cli("delete", "--force", spec.name())).timeout(CLI_TIMEOUT).run();
            }
            ImageBuilder.deleteTree(bundle);
            Scratch.remove(scratch);
            Cgroups.removeIfEmpty(cgroupsPath);
            if (ns != null) {
                ns.close();
            }
        };
        ProcessSandbox s = new ProcessSandbox(spec.name(), argv, spec, teardown, () -> Cgroups.pids(cgroupsPath), null, t0);
        if (ns != null) { // describe() wraps the namespace (runsc names its stack): only when there is one
            s.network(describe(ns), spec.network());
        }
        return scratch == null ? s : s.scratchStorage(scratchStorage(scratch));
    }

    /**
     * The launcher command for a container that joins an isobench network namespace (its path is in the bundle);
     * runsc overrides it to pick its network mode.
     */
    protected List<String> networkCli(List<String> args) {
        return cli(args.toArray(String[]::new));
    }

    /** How the host reaches a container in {@code ns}; runsc says which of its network stacks serves it. */
    protected SandboxNetwork describe(NetNs ns) {
        return ns;
    }

    /** How this runtime's workload reaches a bind-mounted scratch directory on the host. */
    protected String scratchStorage(Path hostDir) {
        return "bind mount of a host directory on " + Scratch.fileSystem(hostDir);
    }
}
