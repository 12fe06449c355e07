package io.isobench.runtime.engine;

import io.isobench.image.WorkloadImage;
import io.isobench.proc.Proc;
import io.isobench.proc.ProcResult;
import io.isobench.runtime.AptPackage;
import io.isobench.runtime.Availability;
import io.isobench.runtime.Cgroups;
import io.isobench.runtime.HostSetup;
import io.isobench.runtime.LaunchSpec;
import io.isobench.runtime.Leftovers;
import io.isobench.runtime.Limits;
import io.isobench.runtime.NetworkSpec;
import io.isobench.runtime.ProbeContext;
import io.isobench.runtime.ProcessSandbox;
import io.isobench.runtime.RuntimeDriver;
import io.isobench.runtime.Sandbox;
import io.isobench.runtime.SandboxNetwork;
import io.isobench.runtime.Scratch;
import io.isobench.runtime.Trials;
import io.isobench.runtime.oci.RunscDriver;
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

    /** Registered by 'isobench setup' next to runsc: the same runsc with gVisor's netstack, and with hostinet. */
    public static final String RUNSC_NETSTACK = "runsc-netstack";
    public static final String RUNSC_HOSTINET = "runsc-hostinet";
    /** runsc's netstack with /proc/sys/net hidden from runsc (see setup.DockerEngine#RUNSC_SYSCTL_HIDDEN). */
    public static final String RUNSC_NETSTACK_HIDDEN = "runsc-netstack-hidden";
    /** A runsc variant's engine runtimes for launches with ports: {@code <variant>-netstack}, {@code <variant>-hostinet}. */
    static final String NETSTACK_SUFFIX = "-netstack";
    static final String HOSTINET_SUFFIX = "-hostinet";
    /** docker run's warning on every container of a bridge network when the engine runs with --ip-forward=false. */
    static final String FORWARDING_WARNING = "WARNING: IPv4 forwarding is disabled.";

    private final String runtime;
    /** The engine runtime that serves launches asking for ports (for runsc: decided by the probe), or null: none. */
    private volatile String portsRuntime;
    private volatile String portsStack;
    private volatile String portsUnavailable;
    private volatile boolean portsProbed;

    public DockerDriver(String runtime) {
        this.runtime = runtime;
        this.portsRuntime = RunscDriver.isRunsc(runtime) ? null : runtime;
    }

    /** docker:runc and docker:runsc always (doctor says why one is unusable), plus any other runtime the engine has. */
    public static List<DockerDriver> all() {
        Set<String> names = new LinkedHashSet<>(List.of("runc", "runsc"));
        for (String n : registeredRuntimes()) {
            if (!n.startsWith("io.containerd.") // containerd's own aliases of runc
                    && !(RunscDriver.isRunsc(n) && (n.endsWith(NETSTACK_SUFFIX) || n.endsWith(HOSTINET_SUFFIX)
                    || n.equals(RUNSC_NETSTACK_HIDDEN)))) { // the network variants of docker:runsc and its variants
                names.add(n);
            }
        }
        return names.stream().map(DockerDriver::new).toList();
    }

    /** docker:runc and docker:runsc, without asking the engine what else it has. */
    public static List<DockerDriver> builtIn() {
        return List.of(new DockerDriver("runc"), new DockerDriver("runsc"));
    }

    /** The driver of a stored runtime id "docker:RT", whatever the engine has registered now; empty for other ids. */
    public static java.util.Optional<DockerDriver> forId(String id) {
        return id.startsWith(PREFIX) && id.length() > PREFIX.length()
                ? java.util.Optional.of(new DockerDriver(id.substring(PREFIX.length()))) : java.util.Optional.empty();
    }

    private static final String PREFIX = "docker:";

    /** The ids of the engine's Kata runtimes ({@code docker:kata*}), asking the engine once per process. */
    public static List<String> kataIds() {
        return registeredRuntimes().stream().filter(n -> n.startsWith("kata")).sorted().map(n -> PREFIX + n).toList();
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
        return PREFIX + runtime;
    }

    @Override
    public String kind() {
        return RunscDriver.isRunsc(runtime) ? "sandbox" : runtime.startsWith("kata") ? "vm" : "container";
    }

    @Override
    public String description() {
        return "Docker engine with the " + runtime + " runtime, --network=none (or isobench's bridge network when the "
                + "workload needs ports)";
    }

    @Override
    public List<AptPackage> packages() {
        return runtime.equals("runsc") ? List.of(PACKAGE, RunscDriver.PACKAGE) : List.of(PACKAGE);
    }

    private static final AptPackage PACKAGE = new AptPackage("docker.io", "dockerd", "runtimes docker:runc and docker:runsc");

    /** Start the engine when it is down, register runsc and its network variants (one step for every docker:* runtime). */
    @Override
    public java.util.Optional<HostSetup> hostSetup() {
        return java.util.Optional.of(DockerEngine.SETUP);
    }

    /** Containers and networks labelled with a dead isobench pid, containerd tasks of a failed runsc start. */
    @Override
    public java.util.Optional<Leftovers> leftovers() {
        return java.util.Optional.of(DockerLeftovers.INSTANCE);
    }

    /** gVisor's platform when this engine runtime recorded one. */
    @Override
    public List<String> caveats(String runtimeId, Map<String, Object> details) {
        List<String> c = new java.util.ArrayList<>(RunscDriver.platformCaveat(runtimeId, details));
        if (details.get(KATA_HYPERVISOR) != null) {
            c.add(runtimeId + " ran every container in its own Kata VM (hypervisor: " + details.get(KATA_HYPERVISOR)
                    + "): its figures include a guest kernel, the Kata agent and that hypervisor.");
        }
        return c;
    }

    /** The gVisor build an engine runtime that runs runsc recorded. */
    @Override
    public Build build(Map<String, Object> details) {
        return RunscDriver.runscBuild(details);
    }

    /** The details key of a Kata engine runtime's hypervisor. */
    public static final String KATA_HYPERVISOR = "kata_hypervisor";

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
                    + String.join(", ", rts.keySet()) + (RunscDriver.isRunsc(runtime)
                    ? "; 'isobench setup' registers runsc in /etc/docker/daemon.json" : "") + ")");
        }
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("engine", "docker " + version);
        d.put("runtime", runtime);
        d.put("runtime_options", rts.get(runtime));
        if (io.isobench.runtime.vm.KataDriver.isKata(runtime, rts.get(runtime))) {
            var kvm = io.isobench.host.KvmProbe.shared().probe();
            var hv = io.isobench.runtime.vm.KataDriver.hypervisor();
            d.put(KATA_HYPERVISOR, hv.map(io.isobench.runtime.vm.KataConfig::describe)
                    .orElse("unknown (kata-runtime kata-env and configuration.toml unreadable)"));
            if (!kvm.usable()) {
                return Availability.no(id(), version, "Kata runtime " + runtime + " needs usable KVM, and KVM is " + kvm.summary(), d);
            }
        }
        if (RunscDriver.isRunsc(runtime)) {
            d.putAll(RunscDriver.engineRuntimeDetails(rts.get(runtime)));
        }
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
        Availability a = Trials.trial(this, ctx, version, d);
        if (!a.available()) {
            return a;
        }
        d = new LinkedHashMap<>(a.details());
        d.put("network_with_ports", probePorts(ctx, rts));
        return Availability.ok(a.id(), version, d);
    }

    /**
     * Finds the engine runtime that serves launches asking for ports, by starting a trial server on isobench's
     * bridge network with each candidate and connecting to it: runc serves itself; for runsc, gVisor's netstack ({@value #RUNSC_NETSTACK})
     * first, then the same with /proc/sys/net hidden from runsc ({@value #RUNSC_NETSTACK_HIDDEN}), then hostinet ({@value #RUNSC_HOSTINET}: the Sentry hands socket calls to the host kernel, inside the
     * container's network namespace). Old runsc releases refuse netstack on new kernels ("cannot run with network
     * enabled in root network namespace"). Returns the text recorded as the runtime's network_with_ports.
     */
    private String probePorts(ProbeContext ctx, Map<String, Object> rts) {
        List<String> candidates = runtime.equals("runsc") ? List.of(RUNSC_NETSTACK, RUNSC_NETSTACK_HIDDEN, RUNSC_HOSTINET)
                : RunscDriver.isRunsc(runtime) ? List.of(runtime + NETSTACK_SUFFIX, runtime + HOSTINET_SUFFIX)
                : List.of(runtime);
        List<String> failures = new ArrayList<>();
        for (String rt : candidates) {
            if (!rts.containsKey(rt)) {
                failures.add(rt + " is not registered with the engine ('isobench setup' registers it)");
                continue;
            }
            String failure = tryPorts(ctx, rt, stackOf(rt, failures));
            if (failure == null) {
                portsRuntime = rt;
                portsStack = stackOf(rt, failures);
                portsUnavailable = null;
                portsProbed = true;
                return "docker bridge network (isobench-PID), runtime " + rt + " " + rts.get(rt)
                        + (portsStack == null ? "" : ": " + portsStack);
            }
            failures.add(rt + ": " + failure);
        }
        portsRuntime = null;
        portsStack = null;
        portsUnavailable = String.join("; ", failures);
        portsProbed = true;
        return "unavailable: " + portsUnavailable;
    }

    static final int PROBE_PORT = 9;
    static final Duration CONNECT_WITHIN = Duration.ofSeconds(20);

    /**
     * Starts busybox httpd on {@value #PROBE_PORT} with engine runtime {@code rt} on the bridge and connects to it from
     * the host: null when a TCP connection was accepted, else why not (the start failed, or nothing answered: a
     * runtime registered with --network=none starts fine but is unreachable).
     */
    private String tryPorts(ProbeContext ctx, String rt, String stack) {
        var image = ctx.probeImageWithInit();
        String name = "isobench-probe-" + Trials.safeName(id()) + "-net-" + ProcessHandle.current().pid() + "-"
                + System.nanoTime() % 100000;
        LaunchSpec spec = LaunchSpec.builder(name, image, ctx.limits()).argv(List.of(image.tools().get("busybox"), "httpd",
                "-f", "-p", Integer.toString(PROBE_PORT), "-h", "/")).network(NetworkSpec.tcp(PROBE_PORT)).build();
        try (Sandbox s = launch(spec, rt, stack)) {
            java.util.concurrent.atomic.AtomicReference<ProcResult> exited = new java.util.concurrent.atomic.AtomicReference<>();
            Thread waiter = Thread.ofVirtual().start(() -> exited.set(s.await(Trials.PROBE_TIMEOUT)));
            java.net.InetSocketAddress ep = s.endpoint(PROBE_PORT);
            long end = System.nanoTime() + CONNECT_WITHIN.toNanos();
            while (System.nanoTime() < end) {
                ProcResult r = exited.get();
                if (r != null) {
                    return "the container exited before accepting a connection: " + reason(r);
                }
                try (java.net.Socket so = new java.net.Socket()) {
                    so.connect(ep, 500);
                    return null;
                } catch (IOException e) {
                    Thread.sleep(100);
                }
            }
            s.close();
            waiter.join(QUICK_TIMEOUT.toMillis());
            return "no TCP connection to " + ep.getAddress().getHostAddress() + ":" + PROBE_PORT + " within "
                    + CONNECT_WITHIN.toSeconds() + " s";
        } catch (LaunchException e) {
            return e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** The network stack behind engine runtime {@code rt}, for networkPath(); null for runc-like runtimes. */
    private static String stackOf(String rt, List<String> failuresBefore) {
        if (rt.equals(RUNSC_NETSTACK) || (RunscDriver.isRunsc(rt) && rt.endsWith(NETSTACK_SUFFIX))) {
            return "gVisor netstack";
        }
        if (rt.equals(RUNSC_NETSTACK_HIDDEN)) {
            return "gVisor netstack (old runsc's root-netns test defeated: /proc/sys/net hidden from runsc)";
        }
        if (rt.equals(RUNSC_HOSTINET) || (RunscDriver.isRunsc(rt) && rt.endsWith(HOSTINET_SUFFIX))) {
            return "gVisor hostinet (host kernel TCP/IP in the container's netns"
                    + (failuresBefore.isEmpty() ? "" : "; netstack unavailable: " + String.join("; ", failuresBefore)) + ")";
        }
        return null;
    }

    /** {@link OciDriver#reason} without docker's IPv4-forwarding warning (expected: the engine does not forward). */
    static String reason(ProcResult r) {
        String err = r.stderr().lines().filter(l -> !l.startsWith(FORWARDING_WARNING))
                .collect(java.util.stream.Collectors.joining("\n"));
        return Trials.reason(new ProcResult(r.argv(), r.exitCode(), r.timedOut(), r.stdout(), err, r.elapsed()));
    }

    /** The engine's per-runtime state roots ({@code /var/run/docker/runtime-<name>/moby}: runc, runsc and its variants). */
    private static List<String> engineRuntimeRoots() {
        try (var s = Files.list(Path.of("/var/run/docker"))) {
            return s.filter(p -> p.getFileName().toString().startsWith("runtime-")).map(p -> p.resolve("moby").toString()).sorted().toList();
        } catch (IOException e) {
            return List.of("/var/run/docker/runtime-runc/moby", "/var/run/docker/runtime-runsc/moby");
        }
    }

    public static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
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
                log = Files.createTempFile(io.isobench.proc.WorkDir.get(), "docker-import-", ".log");
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
                    out = io.isobench.util.LogTail.read(log, java.nio.charset.StandardCharsets.UTF_8).strip();
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
        if (spec.network() == null) {
            return launch(spec, runtime, null);
        }
        if (!portsProbed && RunscDriver.isRunsc(runtime)) {
            // not probed in this process: hostinet is what works on the hosts we know
            String hostinet = runtime.equals("runsc") ? RUNSC_HOSTINET : runtime + HOSTINET_SUFFIX;
            portsRuntime = registeredRuntimes().contains(hostinet) ? hostinet : null;
            portsStack = stackOf(hostinet, List.of());
            portsUnavailable = hostinet + " is not registered with the engine ('isobench setup' registers it)";
        }
        String rt = portsRuntime;
        if (rt == null) {
            throw new LaunchException(id() + " cannot give the workload a network here: " + portsUnavailable);
        }
        return launch(spec, rt, portsStack);
    }

    /**
     * Runs the container with engine runtime {@code rt}; with a network when the spec asks for one ({@code stack}
     * describes the runtime's network stack, null for runc-like runtimes). Every container is labelled with this
     * process's pid ({@value DockerNetwork#PID_LABEL}) and writes its id to a cidfile in the work dir, so that the
     * janitor can remove it after a SIGKILL and the teardown can find containerd leftovers of a failed start.
     */
    private Sandbox launch(LaunchSpec spec, String rt, String stack) throws LaunchException {
        ensureImported(spec.image());
        // like the image import, the bridge is made once per process: neither counts as this launch's time
        DockerNetwork bridge = spec.network() == null ? null : DockerNetwork.get();
        long t0 = System.nanoTime();
        String name = Trials.safeName(spec.name());
        Limits l = spec.limits();
        Path cidFile = io.isobench.proc.WorkDir.get().resolve("docker-" + name + ".cid");
        try {
            Files.deleteIfExists(cidFile);
        } catch (IOException e) {
            throw new LaunchException("cannot use " + cidFile + ": " + e.getMessage(), e);
        }
        // --pull=never: an image pruned meanwhile is an error, never fetched from a registry
        List<String> argv = new ArrayList<>(List.of(docker(), "run", "--rm", "--pull=never", "--runtime=" + rt,
                "--name", name));
        argv.addAll(DockerNetwork.labelArgs());
        argv.addAll(List.of("--cidfile", cidFile.toString(), "--hostname", "isobench", "--read-only", "--tmpfs", "/tmp",
                "--cpus=" + l.cpus(), "--memory=" + l.memoryBytes()));
        if (l.cpuset() != null) {
            argv.add("--cpuset-cpus=" + l.cpuset());
        }
        if (l.mems() != null) {
            argv.add("--cpuset-mems=" + l.mems());
        }
        SandboxNetwork net = null;
        if (spec.network() == null) {
            argv.add("--network=none");
        } else {
            java.net.InetAddress ip = bridge.nextAddress();
            argv.addAll(List.of("--network", bridge.name(), "--ip", ip.getHostAddress()));
            net = endpointOn(bridge, ip, rt, stack);
        }
        Path scratch = Scratch.hostDir(spec);
        if (scratch != null) {
            argv.addAll(List.of("-v", scratch.toAbsolutePath() + ":" + Scratch.PATH + ":rw"));
        }
        Scratch.workloadEnv(spec).forEach((k, v) -> argv.addAll(List.of("-e", k + "=" + v)));
        argv.add(tag(spec.image()));
        argv.addAll(spec.argv());
        Runnable teardown = () -> {
            Proc.of(docker(), "rm", "-f", name).timeout(CALL_TIMEOUT).run();
            removeLeftTask(cidFile);
            Scratch.remove(scratch);
        };
        long panicFrom = RunscDriver.isRunsc(runtime) ? fileSize(DockerEngine.RUNSC_PANIC_LOG) : -1;
        ProcessSandbox s = new ProcessSandbox(spec.name(), argv, spec, teardown, new HostPids(name), null, t0);
        s.network(net, spec.network());
        if (panicFrom >= 0) { // the engine's runsc entries all append to one panic log: what came while this one ran
            s.onFailure(() -> RunscDriver.panicReport(DockerEngine.RUNSC_PANIC_LOG, panicFrom, DockerEngine.RUNSC_PANIC_LOG
                    + ", appended while this container ran (shared by every engine-run runsc container)"));
        }
        return scratch == null ? s : s.scratchStorage("bind mount (docker run -v) of a host directory on "
                + Scratch.fileSystem(scratch) + (RunscDriver.isRunsc(runtime) ? ", file I/O served by gVisor" : ""));
    }

    private static long fileSize(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return 0; // not yet written: runsc creates it
        }
    }

    private SandboxNetwork endpointOn(DockerNetwork bridge, java.net.InetAddress ip, String rt, String stack) {
        String text = "docker bridge network " + bridge.name() + " (bridge " + bridge.bridge() + ", " + bridge.subnet()
                + "), container " + ip.getHostAddress() + ", runtime " + rt + (stack == null ? "" : ", " + stack);
        return new SandboxNetwork() {
            @Override
            public java.net.InetSocketAddress endpoint(int port) {
                return new java.net.InetSocketAddress(ip, port);
            }

            @Override
            public String description() {
                return text;
            }

            @Override
            public void close() {
                // the container's endpoint goes with the container; the network with the process
            }
        };
    }

    static final String CONTAINERD_SOCK = "/var/run/docker/containerd/containerd.sock";

    /**
     * A runsc start that fails under Docker (e.g. netstack refusing to run) leaves a containerd task in state CREATED
     * with its shim, gofer and sandbox processes, although {@code docker ps -a} no longer shows the container. When
     * the container of {@code cidFile} is gone from Docker but not from containerd, this deletes it the way that
     * works: the OCI runtime's delete --force first ({@code ctr tasks delete --force} alone fails with "cannot signal
     * container in state created"), then the task, then the containerd container. Deletes the cidfile.
     */
    public static boolean removeLeftTask(Path cidFile) {
        return removeLeftTask(cidFile, true);
    }

    /**
     * {@link #removeLeftTask(Path)}; {@code ownCidfile} false (the janitor, reading a dead process's work dir) never
     * removes a container Docker knows (those go by their isobench labels only) and acts on a containerd task only when
     * its spec is an isobench sandbox's (hostname isobench): a cidfile alone proves nothing.
     */
    static boolean removeLeftTask(Path cidFile, boolean ownCidfile) {
        String id;
        try {
            if (!Files.exists(cidFile)) {
                return false;
            }
            id = Files.readString(cidFile).strip();
            Files.deleteIfExists(cidFile);
        } catch (IOException e) {
            return false;
        }
        if (!id.matches("[0-9a-f]{64}") || Tools.which("ctr") == null) {
            return false;
        }
        List<String> ctr = List.of(Tools.which("ctr"), "--address", CONTAINERD_SOCK, "-n", "moby");
        ProcResult info = Proc.of(concat(ctr, "containers", "info", id)).timeout(QUICK_TIMEOUT).run();
        if (!info.ok()) {
            return false; // the usual case (one call per teardown): containerd has no trace of it
        }
        boolean dockerKnows = Proc.of(docker(), "inspect", "--format", "{{.Id}}", id).timeout(QUICK_TIMEOUT).run().ok();
        if (!ownCidfile && (dockerKnows || !isobenchSpec(info.stdout()))) {
            return false;
        }
        if (dockerKnows) {
            // docker still knows it (the janitor's case: its owner died mid-trial): docker rm -f is the way
            Proc.of(docker(), "rm", "-f", id).timeout(CALL_TIMEOUT).run();
            if (!Proc.of(concat(ctr, "containers", "info", id)).timeout(QUICK_TIMEOUT).run().ok()) {
                return true;
            }
        }
        String last = "";
        for (int attempt = 0; attempt < 3; attempt++) {
            for (String root : engineRuntimeRoots()) {
                if (Files.isDirectory(Path.of(root)) && Tools.which("runsc") != null) { // runsc state: ID_sandbox:ID.state
                    Proc.of(Tools.which("runsc"), "--root", root, "delete", "--force", id).timeout(CALL_TIMEOUT).run();
                }
            }
            Proc.of(concat(ctr, "tasks", "delete", "--force", id)).timeout(CALL_TIMEOUT).run();
            ProcResult del = Proc.of(concat(ctr, "containers", "delete", id)).timeout(CALL_TIMEOUT).run();
            if (del.ok()) {
                return true;
            }
            last = del.failureSummary();
            try {
                Thread.sleep(500); // the engine may still be cleaning up after the failed start
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        System.err.println("isobench: cannot remove containerd task " + id + " left by a failed start: " + last);
        return false;
    }

    /** Whether {@code ctr containers info} JSON shows the OCI spec of an isobench sandbox (hostname "isobench"). */
    static boolean isobenchSpec(String infoJson) {
        return java.util.regex.Pattern.compile("\"hostname\"\\s*:\\s*\"isobench\"").matcher(infoJson).find();
    }

    private static List<String> concat(List<String> head, String... tail) {
        List<String> l = new ArrayList<>(head);
        l.addAll(List.of(tail));
        return l;
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
