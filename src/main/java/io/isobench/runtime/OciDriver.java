package io.isobench.runtime;

import io.isobench.image.ImageBuilder;
import io.isobench.proc.Proc;
import io.isobench.proc.ProcResult;
import io.isobench.proc.WorkDir;
import io.isobench.util.Tools;

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
    static final Duration CLI_TIMEOUT = Duration.ofSeconds(20);
    static final Duration PROBE_TIMEOUT = Duration.ofSeconds(30);

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
    public List<String> packages() {
        return List.of(binary());
    }

    protected List<String> cli(String... args) {
        List<String> argv = new ArrayList<>();
        String bin = Tools.which(binary());
        argv.add(bin == null ? binary() : bin);
        argv.addAll(globalFlags());
        argv.addAll(List.of(args));
        return argv;
    }

    @Override
    public Availability probe(ProbeContext ctx) {
        if (Tools.which(binary()) == null) {
            return Availability.no(id(), null, "not installed (" + binary() + " not found on PATH; "
                    + (packages().isEmpty() ? "see README" : "apt-get install " + String.join(" ", packages())) + ")");
        }
        ProcResult v = Proc.of(Tools.which(binary()), "--version").timeout(CLI_TIMEOUT).run();
        String version = v.ok() ? parseVersion(v.stdout()) : null;
        if (version == null) {
            return Availability.no(id(), null, binary() + " --version failed: " + v.failureSummary());
        }
        Map<String, Object> d = new LinkedHashMap<>(details());
        d.put("cli", binary());
        return trial(this, ctx, version, d);
    }

    /**
     * Starts one real instance of {@code driver} running the probe image's {@code true}: the only proof the
     * runtime works on this host's kernel and cgroups. Returns ok with {@code details}, or the runtime's own error.
     */
    static Availability trial(RuntimeDriver driver, ProbeContext ctx, String version, Map<String, Object> details) {
        return trial(driver, ctx, ctx.probeImage(), version, details);
    }

    /** As {@link #trial(RuntimeDriver, ProbeContext, String, Map)} with a given probe image. */
    static Availability trial(RuntimeDriver driver, ProbeContext ctx, io.isobench.image.WorkloadImage image, String version,
                              Map<String, Object> details) {
        String failure = trialFailure(driver, ctx, image, "", java.util.function.UnaryOperator.identity());
        return failure == null ? Availability.ok(driver.id(), version, details)
                : Availability.no(driver.id(), version, failure);
    }

    /**
     * Starts one instance of {@code driver} running {@code image}'s {@code true}, its spec changed by {@code adjust}
     * (e.g. given a network); null when it ran and exited 0, else the runtime's own reason.
     *
     * @param nameTag added to the instance name after the driver id ("" or e.g. "-net")
     */
    static String trialFailure(RuntimeDriver driver, ProbeContext ctx, io.isobench.image.WorkloadImage image,
                               String nameTag, java.util.function.UnaryOperator<LaunchSpec> adjust) {
        String name = "isobench-probe-" + safeName(driver.id()) + nameTag + "-" + ProcessHandle.current().pid() + "-"
                + System.nanoTime() % 100000;
        LaunchSpec spec = adjust.apply(
                LaunchSpec.builder(name, image, ctx.limits()).argv(List.of(image.tools().get("true"))).build());
        try (Sandbox s = driver.launch(spec)) {
            ProcResult r = s.await(PROBE_TIMEOUT);
            return r.ok() ? null : "a trial container failed: " + reason(r);
        } catch (LaunchException e) {
            return "a trial container could not start: " + e.getMessage();
        }
    }

    /** An instance name usable as a container name, hostname part and cgroup name ("docker:runc" -> "docker-runc"). */
    static String safeName(String name) {
        return name.replaceAll("[^a-zA-Z0-9_.-]", "-");
    }

    /** The most telling line of a failed trial: the runtime's own error message, without log prefixes. */
    static String reason(ProcResult r) {
        if (r.timedOut()) {
            return "no exit within " + r.elapsed().toSeconds() + " s";
        }
        String text = (r.stderr() + "\n" + r.stdout()).strip();
        for (String line : text.lines().toList()) {
            String l = line.strip();
            int msg = l.indexOf("msg=\"");
            if (msg >= 0) {
                l = l.substring(msg + 5, l.endsWith("\"") ? l.length() - 1 : l.length());
            }
            if (!l.isEmpty()) {
                return l + " (exit code " + r.exitCode() + ")";
            }
        }
        return "exit code " + r.exitCode() + " with no output";
    }

    /** First line of `--version`, e.g. "runc version 1.1.5+ds1" -> "1.1.5+ds1". */
    static String parseVersion(String out) {
        String first = out.strip().lines().findFirst().orElse("");
        int i = first.indexOf("version ");
        if (i >= 0) {
            return first.substring(i + "version ".length()).strip();
        }
        return first.isEmpty() ? null : first;
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
        try {
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
        List<String> argv = spec.wrapped(netns == null ? cli(run.toArray(String[]::new))
                : networkCli(run));
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
