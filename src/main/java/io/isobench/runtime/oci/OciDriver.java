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
    /**
     * A prewarm's create and its start: hundreds created at once on a saturated host take far longer than one CLI call
     * (194 runsc creates at once here: over 20 s each); the trial's own timeout still bounds the time to ready.
     */
    static final Duration PREWARM_TIMEOUT = Duration.ofSeconds(120);

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

    /**
     * Where this runtime keeps its per-container state files, whatever their layout (a directory per container, or
     * runsc's lock and state files): what a create cut short leaves there is removed at teardown and by the janitor
     * ({@link OciStateRoot}). Null when unknown.
     */
    protected Path stateFilesRoot() {
        return stateRoot();
    }

    /**
     * Global flags that make the runtime write its own crash report for one container to {@code log} (runsc:
     * {@code --panic-log}: a sentry panic otherwise goes nowhere, and the trial fails with an empty output); empty:
     * the runtime has none. A failed instance's report is appended to its output ({@link #crashReport}).
     */
    protected List<String> crashLogFlags(Path log) {
        return List.of();
    }

    /** What a failed instance's output gains from its crash log (null or empty: nothing). */
    protected String crashReport(Path log) {
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
        return java.util.Optional.of(new OciLeftovers(binary(), stateFilesRoot()));
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
        return start(spec, null, null);
    }

    /** A live instance of this driver: what a checkpoint needs (its network, kept for the restore). */
    private record Instance(LaunchSpec spec, java.util.concurrent.atomic.AtomicReference<NetNs> net) {
    }

    private final Map<String, Instance> instances = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Runs {@code spec} ({@code <bin> run}), or restores it from {@code image} ({@code <bin> restore --image-path}) in
     * {@code keptNet} (the saved instance's network namespace, whose addresses the saved network stack holds; null:
     * a new one as for a launch).
     */
    private Sandbox start(LaunchSpec spec, Path image, NetNs keptNet) throws LaunchException {
        long t0 = System.nanoTime(); // the launch starts here: bundle, namespace and network setup count
        Prepared p = prepare(spec, keptNet);
        // pinned: config.json's cpus pins the container; the launcher under taskset keeps the runtime's own
        // processes (runc, runsc's sentry and gofer) on the same CPUs
        List<String> launcher = new ArrayList<>(p.pin);
        launcher.addAll(image == null ? p.cli("run", "--bundle", p.bundle.toString(), spec.name())
                : p.cli("restore", "--bundle", p.bundle.toString(), "--image-path", image.toString(), spec.name()));
        List<String> argv = spec.wrapped(launcher);
        instances.put(spec.name(), new Instance(spec, p.net));
        try {
            return p.sandbox(new ProcessSandbox(spec.name(), argv, spec, p.teardown, () -> Cgroups.pids(p.cgroupsPath), null, t0));
        } catch (LaunchException e) {
            instances.remove(spec.name());
            throw e;
        }
    }

    @Override
    public String prewarmUnsupported() {
        return null;
    }

    /**
     * {@code <bin> create} (bundle, namespaces, cgroup; the container's init waits, holding the workload's stdio, which
     * the launcher passed on), waited for; {@link io.isobench.runtime.Prewarmed#start()} runs {@code <bin> start}.
     */
    @Override
    public io.isobench.runtime.Prewarmed prewarm(LaunchSpec spec) throws LaunchException {
        if (!spec.wrapper().isEmpty() || spec.runToCompletion()) {
            throw new LaunchException("cannot prewarm with a wrapper or to run to completion");
        }
        long t0 = System.nanoTime();
        Prepared p = prepare(spec, null);
        List<String> create = new ArrayList<>(p.pin);
        create.addAll(p.cli("create", "--bundle", p.bundle.toString(), spec.name()));
        ProcessSandbox created = p.sandbox(new ProcessSandbox(spec.name(), create, spec, p.teardown,
                () -> Cgroups.pids(p.cgroupsPath), null, t0));
        int status;
        try {
            status = created.awaitLauncher(PREWARM_TIMEOUT);
        } catch (InterruptedException e) {
            created.close();
            Thread.currentThread().interrupt();
            throw new LaunchException("interrupted while creating " + spec.name(), e);
        }
        if (status != 0) {
            String out = created.outputSoFar();
            String crash = p.crashLog == null ? null : crashReport(p.crashLog);
            if (crash != null && !crash.isEmpty()) {
                out = out.isEmpty() ? crash.strip() : out + "\n" + crash.strip();
            }
            created.close();
            throw new LaunchException(binary() + " create " + (status < 0 ? "timed out after " + PREWARM_TIMEOUT.toSeconds() + " s"
                    : "exited with status " + status) + (out.isEmpty() ? "" : ": " + out));
        }
        long createdAt = System.nanoTime();
        return new io.isobench.runtime.PrewarmedInstance(spec.name(), t0, createdAt, at -> {
            ProcResult r = Proc.of(p.cli("start", spec.name())).timeout(PREWARM_TIMEOUT).run();
            if (!r.ok()) {
                throw new LaunchException(binary() + " start failed: " + Trials.reason(r));
            }
            return created.phase(Sandbox.Phase.STARTED, System.nanoTime());
        }, created::close);
    }

    /** A container's host-side setup done (bundle, scratch, network namespace) and how to undo it. */
    private final class Prepared {
        final Path bundle;
        final String cgroupsPath;
        final Path scratch;
        /** The network namespace; emptied when a checkpoint keeps it for the restore (teardown then leaves it). */
        final java.util.concurrent.atomic.AtomicReference<NetNs> net;
        final boolean hasNet;
        final Runnable teardown;
        final String name;
        final io.isobench.runtime.NetworkSpec network;
        /** The taskset/numactl prefix of a pinned launch (empty: unpinned). */
        final List<String> pin;
        /** The runtime's crash report for this container ({@link #crashLogFlags}), or null. */
        final Path crashLog;
        private final List<String> crashFlags;

        Prepared(LaunchSpec spec, Path bundle, String cgroupsPath, Path scratch, NetNs netns, List<String> pin) {
            this.pin = List.copyOf(pin);
            this.bundle = bundle;
            this.cgroupsPath = cgroupsPath;
            this.scratch = scratch;
            this.net = new java.util.concurrent.atomic.AtomicReference<>(netns);
            this.hasNet = netns != null;
            this.name = spec.name();
            this.network = spec.network();
            Path log = WorkDir.get().resolve(name + ".crash.log");
            this.crashFlags = crashLogFlags(log);
            this.crashLog = crashFlags.isEmpty() ? null : log;
            Path stateRoot = stateRoot();
            Path stateFiles = stateFilesRoot();
            this.teardown = () -> {
                instances.remove(name);
                if (stateRoot == null || Files.exists(stateRoot.resolve(name))) {
                    Proc.of(cli("kill", name, "KILL")).timeout(CLI_TIMEOUT).run();
                    Proc.of(cli("delete", "--force", name)).timeout(CLI_TIMEOUT).run();
                    // a create cut short (timed out, killed with the trial) leaves state the runtime cannot delete
                    OciStateRoot.removeUnloadable(stateFiles, name);
                }
                ImageBuilder.deleteTree(bundle);
                Scratch.remove(scratch);
                Cgroups.removeIfEmpty(cgroupsPath);
                if (crashLog != null) {
                    try {
                        Files.deleteIfExists(crashLog);
                    } catch (IOException ignored) {
                        // the work dir goes at exit
                    }
                }
                NetNs n = net.getAndSet(null); // null when a checkpoint kept it for the restore
                if (n != null) {
                    n.close();
                }
            };
        }

        /** The runtime's command line for {@code args}, with the network flags when the container has a namespace. */
        List<String> cli(String... args) {
            List<String> a = new ArrayList<>(crashFlags); // global flags: before the command
            a.addAll(List.of(args));
            return !hasNet ? OciDriver.this.cli(a.toArray(String[]::new)) : networkCli(a);
        }

        ProcessSandbox sandbox(ProcessSandbox s) {
            if (crashLog != null) {
                s.onFailure(() -> crashReport(crashLog));
            }
            NetNs n = net.get();
            if (n != null) { // describe() wraps the namespace (runsc names its stack): only when there is one
                s.network(describe(n), network);
            }
            return scratch == null ? s : s.scratchStorage(scratchStorage(scratch));
        }
    }

    private Prepared prepare(LaunchSpec spec, NetNs keptNet) throws LaunchException {
        Path bundle = WorkDir.get().resolve("bundles").resolve(spec.name());
        Path scratch = Scratch.hostDir(spec);
        NetNs netns = keptNet;
        try {
            List<String> pin = io.isobench.runtime.CpuPinning.prefix(spec.limits());
            if (netns == null) {
                netns = NetNs.createFor(spec);
            }
            io.isobench.runtime.Cgroups.prepareCpusetParent(); // runsc does not fill a cpuset parent it creates
            String cgroupsPath = OciBundle.write(bundle, spec, scratch, netns == null ? null : netns.path());
            return new Prepared(spec, bundle, cgroupsPath, scratch, netns, pin);
        } catch (IOException | LaunchException e) {
            ImageBuilder.deleteTree(bundle);
            Scratch.remove(scratch);
            if (netns != null) {
                netns.close();
            }
            throw e instanceof LaunchException le ? le
                    : new LaunchException("cannot write OCI bundle: " + e.getMessage(), e);
        }
    }

    /** For a checkpoint: how long saving an instance may take. */
    static final Duration CHECKPOINT_TIMEOUT = Duration.ofSeconds(120);

    /**
     * Why this runtime cannot checkpoint and restore here, or null when it can ({@link #checkpointer()} then drives
     * {@code <bin> checkpoint --image-path DIR ID} and {@code <bin> restore --bundle B --image-path DIR ID}).
     */
    protected String checkpointUnsupported() {
        return id() + ": isobench drives checkpoint/restore only for runsc, and for runc where CRIU works";
    }

    @Override
    public java.util.Optional<io.isobench.runtime.Checkpointer> checkpointer() {
        return checkpointUnsupported() == null ? java.util.Optional.of(new CliCheckpointer()) : java.util.Optional.empty();
    }

    @Override
    public String restoreUnsupported() {
        return checkpointUnsupported();
    }

    /** The OCI CLI's own checkpoint and restore subcommands (gVisor's are built in; runc's call CRIU). */
    private final class CliCheckpointer implements io.isobench.runtime.Checkpointer {
        @Override
        public String method() {
            return binary() + " checkpoint --image-path DIR, then " + binary() + " restore --bundle B --image-path DIR"
                    + " in the saved instance's network namespace";
        }

        @Override
        public Snapshot checkpoint(Sandbox sandbox, Path dir) throws LaunchException {
            Instance in = instances.get(sandbox.id());
            if (in == null) {
                throw new LaunchException(sandbox.id() + " is not a running instance of " + id());
            }
            ProcResult r = Proc.of(cli("checkpoint", "--image-path", dir.toString(), sandbox.id()))
                    .timeout(CHECKPOINT_TIMEOUT).run();
            if (!r.ok()) {
                throw new LaunchException(binary() + " checkpoint failed: " + Trials.reason(r));
            }
            Map<String, String> facts = new LinkedHashMap<>();
            facts.put("checkpoint", String.join(" ", r.argv()));
            String out = (r.stdout() + r.stderr()).strip();
            if (!out.isEmpty()) {
                facts.put("checkpoint_output", out.length() > 2000 ? out.substring(0, 2000) + "…" : out);
            }
            return new Snapshot(dir, facts, in.net().getAndSet(null));
        }

        @Override
        public Sandbox restore(Snapshot snapshot, LaunchSpec spec) throws LaunchException {
            if (!(snapshot.kept() == null || snapshot.kept() instanceof NetNs)) {
                throw new LaunchException("not a snapshot of " + id());
            }
            NetNs kept = (NetNs) snapshot.kept();
            if (kept != null) {
                try {
                    kept.readdress(); // gVisor's netstack took the address off the device; its restore looks there
                } catch (LaunchException e) {
                    kept.close();
                    throw e;
                }
            }
            return start(spec, snapshot.dir(), kept);
        }
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
