package io.isobench.runtime.host;

import io.isobench.image.ImageBuilder;
import io.isobench.image.WorkloadImage;
import io.isobench.proc.Proc;
import io.isobench.proc.ProcResult;
import io.isobench.runtime.AptPackage;
import io.isobench.runtime.Cgroups;
import io.isobench.runtime.LaunchSpec;
import io.isobench.runtime.Leftovers;
import io.isobench.runtime.NetNs;
import io.isobench.runtime.ProbeContext;
import io.isobench.runtime.ProcessSandbox;
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
import java.util.Objects;
import java.util.Optional;

/**
 * LXC system container: the workload image's init (busybox init, idling on the image's /etc/inittab) boots as
 * PID 1 with {@code lxc-start -d}, and the workload runs inside it with {@code lxc-attach}, as work runs in an
 * Incus or LXD container. Same config as {@link LxcDriver} (read-only image, no network, cgroup limits) plus
 * {@code lxc.init.cmd}. The instance's launch time counts from {@code lxc-start}, so startup measurements include
 * the container's boot. Teardown: {@code lxc-stop -k} and removal of the temporary lxcpath, never lxc-destroy.
 */
public final class LxcSystemDriver extends HostLauncherDriver {
    static final Duration BOOT_TIMEOUT = Duration.ofSeconds(30);

    @Override
    public String id() {
        return "lxc-system";
    }

    @Override
    public String description() {
        return "LXC system container: the image's init as PID 1 (lxc-start), workload attached (lxc-attach)";
    }

    @Override
    public List<AptPackage> packages() {
        return List.of(LxcDriver.PACKAGE);
    }

    @Override
    public Optional<Leftovers> leftovers() {
        return Optional.of(LxcLeftovers.INSTANCE);
    }

    @Override
    protected String launcher() {
        return "lxc-start";
    }

    @Override
    protected List<String> alsoNeeds() {
        return List.of("lxc-attach", "lxc-wait", "lxc-stop");
    }

    @Override
    protected WorkloadImage probeImage(ProbeContext ctx) {
        return ctx.probeImageWithInit();
    }

    @Override
    protected Map<String, Object> probeDetails() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("cli", "lxc-start -d + lxc-attach");
        d.put("init", "busybox init from the workload image (idles; /etc/inittab runs nothing)");
        d.put("network", "none (lxc.net.0.type = empty)");
        d.put("rootfs", "workload image, read-only (lxc.rootfs.options = ro); tmpfs /tmp");
        d.put("limits_enforced", "cpu, memory");
        return d;
    }

    /**
     * Boots the container ({@code lxc-start -d}, {@code lxc-wait -s RUNNING}); the launcher is {@code lxc-attach}. The
     * launch time counts from here, so startup measurements include the boot.
     */
    @Override
    protected Instance start(String bin, LaunchSpec spec, Path scratch, NetNs netns) throws LaunchException {
        String init = spec.imageInit();
        String name = Trials.safeName(spec.name());
        Path lxcpath = WorkDir.get().resolve("lxc").resolve(name);
        Path config = lxcpath.resolve("isobench.conf");
        Path log = lxcpath.resolve("lxc.log");
        String payload = "/lxc.payload." + name;
        // LXC's command socket is an abstract unix socket, which lives in a network namespace: with an isobench
        // netns every lxc-* command that talks to the container must run in it too
        java.util.function.UnaryOperator<List<String>> inNs = a -> NetNs.enter(netns, a);
        List<String> stop = inNs.apply(List.of(Objects.requireNonNullElse(Tools.which("lxc-stop"), "lxc-stop"),
                "-k", "-n", name, "-P", lxcpath.toString()));
        Runnable teardown = () -> {
            Proc.of(stop).timeout(Trials.CLI_TIMEOUT).run();
            ImageBuilder.deleteTree(lxcpath); // the temp config dir only, never the rootfs
            Cgroups.removeIfEmpty(payload);
            Cgroups.removeIfEmpty("/lxc.monitor." + name);
            Cgroups.removeIfEmpty("/lxc.pivot");
        };
        // the container runs before the ProcessSandbox exists: make sure an interrupt tears it down meanwhile
        io.isobench.proc.Cleanup.Action booting = io.isobench.proc.Cleanup.register("lxc system container " + name, () -> {
            teardown.run();
            Scratch.remove(scratch);
            NetNs.closeQuietly(netns);
        });
        long booted;
        try {
            Files.createDirectories(lxcpath);
            Files.writeString(config, LxcDriver.config(spec, LxcDriver.unifiedOnly(), scratch, netns != null)
                    + "lxc.init.cmd = " + init + "\n");
            // with ports: the container keeps lxc-start's network namespace, an isobench one (nsenter)
            ProcResult start = Proc.of(inNs.apply(startArgv(bin, name, lxcpath))).timeout(BOOT_TIMEOUT).run();
            if (!start.ok()) {
                throw new LaunchException("lxc-start failed: " + start.failureSummary() + logTail(log));
            }
            ProcResult wait = Proc.of(inNs.apply(List.of(Tools.which("lxc-wait"), "-n", name, "-P", lxcpath.toString(),
                    "-s", "RUNNING", "-t", Long.toString(BOOT_TIMEOUT.toSeconds())))).timeout(BOOT_TIMEOUT.plusSeconds(5)).run();
            if (!wait.ok()) {
                throw new LaunchException("the system container did not reach RUNNING: " + wait.failureSummary() + logTail(log));
            }
            booted = System.nanoTime();
        } catch (IOException | LaunchException | RuntimeException e) {
            booting.close();
            throw e instanceof LaunchException le ? le : new LaunchException("cannot start the system container: " + e.getMessage(), e);
        }
        return new Instance(attachArgv(Tools.which("lxc-attach"), name, lxcpath, spec), teardown, () -> Cgroups.pids(payload),
                "lxc.mount.entry", booted, booting);
    }

    /** {@code lxc-start -d} of the container whose config is in {@code lxcpath}. */
    static List<String> startArgv(String bin, String name, Path lxcpath) {
        return List.of(bin, "-d", "-n", name, "-P", lxcpath.toString(), "-f", lxcpath.resolve("isobench.conf").toString(),
                "-o", lxcpath.resolve("lxc.log").toString(), "-l", "WARN");
    }

    /** {@code lxc-attach} of the workload with its environment passed explicitly (lxc-attach does not inherit lxc.environment). */
    static List<String> attachArgv(String bin, String name, Path lxcpath, LaunchSpec spec) {
        List<String> argv = new ArrayList<>(List.of(bin, "-n", name, "-P", lxcpath.toString(), "--clear-env"));
        Scratch.workloadEnv(spec).forEach((k, v) -> argv.addAll(List.of("-v", k + "=" + v)));
        argv.add("--");
        argv.addAll(spec.argv());
        return argv;
    }

    private static String logTail(Path log) {
        try {
            List<String> l = io.isobench.util.LogTail.read(log, java.nio.charset.StandardCharsets.UTF_8).lines().toList();
            return l.isEmpty() ? "" : " (" + String.join(" | ", l.subList(Math.max(0, l.size() - 3), l.size())) + ")";
        } catch (IOException e) {
            return "";
        }
    }
}
