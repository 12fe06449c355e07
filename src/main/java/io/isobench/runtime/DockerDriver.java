package io.isobench.runtime;

import io.isobench.image.WorkloadImage;
import io.isobench.proc.Proc;
import io.isobench.proc.ProcResult;
import io.isobench.util.Json;
import io.isobench.util.Tools;

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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The Docker engine with one of its registered OCI runtimes ({@code docker:runc}, {@code docker:runsc}...): one
 * instance of this class per runtime the engine knows. The workload image is imported once per image hash
 * ({@code docker import} of the rootfs, tagged {@code isobench/workload:<short hash>}); every trial is
 * {@code docker run --rm --network=none --read-only --runtime=<rt>} with the plan's CPU and memory limits, torn
 * down with {@code docker rm -f}. Host processes are found through the container's cgroup and its
 * containerd shim (the parent of {@code .State.Pid}), never by process name. Every docker call has a timeout,
 * so a stopped or wedged engine gives a reason, not a hang.
 */
public final class DockerDriver implements RuntimeDriver {
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(20);
    static final Duration QUICK_TIMEOUT = Duration.ofSeconds(8);
    static final Duration IMPORT_TIMEOUT = Duration.ofMinutes(5);
    public static final String IMAGE_REPO = "isobench/workload";
    public static final String ENGINE_DOWN = "engine not running (start it with 'isobench setup' or "
            + "dockerd --iptables=false --ip-forward=false --bridge=none)";
    private static final Map<String, Object> IMPORT_LOCKS = new ConcurrentHashMap<>();
    private static volatile Set<String> discovered;

    private final String runtime;

    public DockerDriver(String runtime) {
        this.runtime = runtime;
    }

    /** docker:runc and docker:runsc always (doctor says why one is unusable), plus any other runtime the engine has. */
    public static List<DockerDriver> all() {
        Set<String> names = new LinkedHashSet<>(List.of("runc", "runsc"));
        for (String n : registeredRuntimes()) {
            if (!n.startsWith("io.containerd.")) { // containerd's own aliases of runc
                names.add(n);
            }
        }
        return names.stream().map(DockerDriver::new).toList();
    }

    /** Runtimes registered with the running engine, looked up once per process (empty when it is not running). */
    static Set<String> registeredRuntimes() {
        Set<String> d = discovered;
        if (d == null) {
            Map<String, Object> rts = Tools.which("docker") == null || !Files.exists(Path.of("/var/run/docker.sock"))
                    ? Map.of() : runtimesJson(QUICK_TIMEOUT);
            d = rts == null ? Set.of() : Set.copyOf(rts.keySet());
            discovered = d;
        }
        return d;
    }

    /** {@code docker info --format '{{json .Runtimes}}'}, or null when the engine does not answer. */
    static Map<String, Object> runtimesJson(Duration timeout) {
        ProcResult r = Proc.of(docker(), "info", "--format", "{{json .Runtimes}}").timeout(timeout).run();
        if (!r.ok() || r.stdout().isBlank()) {
            return null;
        }
        try {
            return Json.readMap(r.stdout().strip());
        } catch (RuntimeException e) {
            return null;
        }
    }

    static String docker() {
        String p = Tools.which("docker");
        return p == null ? "docker" : p;
    }

    @Override
    public String id() {
        return "docker:" + runtime;
    }

    @Override
    public String kind() {
        return runtime.equals("runsc") ? "sandbox" : "container";
    }

    @Override
    public String description() {
        return "Docker engine with the " + runtime + " runtime, --network=none";
    }

    @Override
    public List<String> packages() {
        return runtime.equals("runsc") ? List.of("docker.io", "runsc") : List.of("docker.io");
    }

    @Override
    public Availability probe(ProbeContext ctx) {
        if (Tools.which("docker") == null) {
            return Availability.no(id(), null, "not installed (docker not found on PATH; apt-get install docker.io)");
        }
        ProcResult v = Proc.of(docker(), "version", "--format", "{{.Server.Version}}").timeout(CALL_TIMEOUT).run();
        if (!v.ok() || v.stdout().isBlank()) {
            String text = (v.stderr() + v.stdout()).toLowerCase(Locale.ROOT);
            if (v.timedOut()) {
                return Availability.no(id(), null, "the engine does not answer (docker version timed out after "
                        + CALL_TIMEOUT.toSeconds() + " s)");
            }
            if (text.contains("cannot connect") || text.contains("is the docker daemon running")
                    || text.contains("no such file or directory")) {
                return Availability.no(id(), null, ENGINE_DOWN);
            }
            return Availability.no(id(), null, "docker version failed: " + v.failureSummary());
        }
        String version = v.stdout().strip();
        Map<String, Object> rts = runtimesJson(CALL_TIMEOUT);
        if (rts == null) {
            return Availability.no(id(), version, "docker info did not list the engine's runtimes");
        }
        if (!rts.containsKey(runtime)) {
            return Availability.no(id(), version, "runtime " + runtime + " is not registered with the engine (registered: "
                    + String.join(", ", rts.keySet()) + (runtime.equals("runsc")
                    ? "; 'isobench setup' registers runsc in /etc/docker/daemon.json" : "") + ")");
        }
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("engine", "docker " + version);
        d.put("runtime", runtime);
        d.put("runtime_options", rts.get(runtime));
        String info = Proc.firstLine(CALL_TIMEOUT, docker(), "info", "--format",
                "{{.Driver}} {{.CgroupDriver}} {{.CgroupVersion}}");
        if (info != null) {
            String[] f = info.strip().split(" ");
            if (f.length == 3) {
                d.put("storage_driver", f[0]);
                d.put("cgroup_driver", f[1]);
                d.put("cgroup_version", f[2]);
            }
        }
        d.put("network", "none (--network=none: loopback only)");
        d.put("rootfs", "workload image imported as " + IMAGE_REPO + ":<hash>, --read-only, tmpfs /tmp");
        d.put("limits_enforced", "cpu (--cpus), memory (--memory)");
        return OciDriver.trial(this, ctx, version, d);
    }

    static String tag(WorkloadImage image) {
        return IMAGE_REPO + ":" + image.shortHash();
    }

    /** Imports the image's rootfs into the engine unless that tag is already there. */
    static void ensureImported(WorkloadImage image) throws LaunchException {
        String tag = tag(image);
        synchronized (IMPORT_LOCKS.computeIfAbsent(tag, t -> new Object())) {
            if (Proc.of(docker(), "image", "inspect", "--format", "{{.Id}}", tag).timeout(CALL_TIMEOUT).run().ok()) {
                return;
            }
            // tar -C rootfs -c . | docker import - TAG
            ProcessBuilder tar = new ProcessBuilder("tar", "-C", image.rootfs().toAbsolutePath().toString(), "-c", ".")
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectError(ProcessBuilder.Redirect.DISCARD);
            Path log;
            try {
                log = Files.createTempFile(io.isobench.util.WorkDir.get(), "docker-import-", ".log");
            } catch (IOException e) {
                throw new LaunchException("cannot import the workload image: " + e.getMessage(), e);
            }
            ProcessBuilder imp = new ProcessBuilder(docker(), "import", "-", tag).redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            List<Process> pipe;
            try {
                pipe = ProcessBuilder.startPipeline(List.of(tar, imp));
            } catch (IOException e) {
                throw new LaunchException("cannot import the workload image: " + e.getMessage(), e);
            }
            try {
                boolean done = pipe.get(1).waitFor(IMPORT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)
                        && pipe.get(0).waitFor(10, TimeUnit.SECONDS);
                if (!done) {
                    pipe.forEach(p -> Proc.killTree(p.toHandle()));
                    throw new LaunchException("docker import of " + tag + " timed out");
                }
            } catch (InterruptedException e) {
                pipe.forEach(p -> Proc.killTree(p.toHandle()));
                Thread.currentThread().interrupt();
                throw new LaunchException("interrupted while importing " + tag, e);
            }
            int tarExit = pipe.get(0).exitValue();
            int dockerExit = pipe.get(1).exitValue();
            if (tarExit != 0 || dockerExit != 0) {
                String out;
                try {
                    out = Files.readString(log).strip();
                } catch (IOException e) {
                    out = "";
                }
                throw new LaunchException("docker import of " + tag + " failed (tar exit " + tarExit
                        + ", docker exit " + dockerExit + "): " + out);
            }
            try {
                Files.deleteIfExists(log);
            } catch (IOException ignored) {
                // the work dir goes at exit anyway
            }
        }
    }

    @Override
    public Sandbox launch(LaunchSpec spec) throws LaunchException {
        ensureImported(spec.image());
        String name = OciDriver.safeName(spec.name());
        Limits l = spec.limits();
        List<String> argv = new ArrayList<>(List.of(docker(), "run", "--rm", "--network=none", "--runtime=" + runtime,
                "--name", name, "--hostname", "isobench", "--read-only", "--tmpfs", "/tmp",
                "--cpus=" + l.cpus(), "--memory=" + l.memoryBytes()));
        Path scratch = Scratch.hostDir(spec);
        if (scratch != null) {
            argv.addAll(List.of("-v", scratch.toAbsolutePath() + ":" + Scratch.PATH + ":rw"));
        }
        Map<String, String> env = new LinkedHashMap<>(LaunchSpec.DEFAULT_ENV);
        env.putAll(Scratch.env(spec, Scratch.PATH));
        env.forEach((k, v) -> argv.addAll(List.of("-e", k + "=" + v)));
        argv.add(tag(spec.image()));
        argv.addAll(spec.argv());
        Runnable teardown = () -> {
            Proc.of(docker(), "rm", "-f", name).timeout(CALL_TIMEOUT).run();
            Scratch.remove(scratch);
        };
        ProcessSandbox s = new ProcessSandbox(spec.name(), argv, spec, teardown, new HostPids(name), null);
        return scratch == null ? s : s.scratchStorage("bind mount (docker run -v) of a host directory on "
                + Scratch.fileSystem(scratch) + (runtime.equals("runsc") ? ", file I/O served by gVisor" : ""));
    }

    /** The container's processes (its cgroup /docker/ID in every hierarchy) plus its containerd shim and the shim's tree. */
    static final class HostPids implements java.util.function.Supplier<List<Long>> {
        private final String name;
        private volatile String fullId;
        private volatile long shim = -1;

        HostPids(String name) {
            this.name = name;
        }

        @Override
        public List<Long> get() {
            if (fullId == null || shim < 0) {
                ProcResult r = Proc.of(docker(), "inspect", "--format", "{{.Id}} {{.State.Pid}}", name)
                        .timeout(QUICK_TIMEOUT).run();
                if (!r.ok()) {
                    return List.of();
                }
                String[] f = r.stdout().strip().split(" ");
                if (f.length != 2) {
                    return List.of();
                }
                fullId = f[0];
                long pid = Long.parseLong(f[1]);
                if (pid > 0) {
                    long parent = ProcessHandle.of(pid).flatMap(ProcessHandle::parent).map(ProcessHandle::pid).orElse(-1L);
                    shim = parent > 1 ? parent : -1;
                }
            }
            Set<Long> pids = new LinkedHashSet<>(Cgroups.pids("/docker/" + fullId));
            if (shim > 0) {
                ProcessHandle.of(shim).ifPresent(h -> {
                    pids.add(h.pid());
                    h.descendants().forEach(c -> pids.add(c.pid()));
                });
            }
            return new ArrayList<>(pids);
        }
    }
}
