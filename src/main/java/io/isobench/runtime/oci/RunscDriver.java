package io.isobench.runtime.oci;

import io.isobench.runtime.AptPackage;
import io.isobench.runtime.Availability;
import io.isobench.runtime.NetNs;
import io.isobench.runtime.NetworkSpec;
import io.isobench.runtime.ProbeContext;
import io.isobench.runtime.SandboxNetwork;
import io.isobench.runtime.Scratch;
import io.isobench.runtime.Trials;

import io.isobench.runtime.RuntimeDriver;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * gVisor's runsc: the workload's system calls are served by the Sentry, a user-space kernel; file access
 * goes through the Gofer. The platform (how system calls are intercepted) decides most of its cost, so each platform
 * is a runtime of its own and the one used is recorded. Ids: {@code runsc} is the installed runsc (on PATH) with its
 * default platform, {@code runsc-<platform>} the installed runsc with that platform; a runsc fetched by {@code setup}
 * ({@link RunscFetch}) or named by {@value #USER_RUNSC_ENV} is {@code runsc@<version>} and {@code runsc@<version>-<platform>},
 * so two gVisor versions never share a label. Every result records the runsc's version, source and sha256.
 */
public final class RunscDriver extends OciDriver {
    /** The platforms each runsc gets a runtime for (old releases have ptrace and kvm only; systrap is 2023's default). */
    public static final List<String> PLATFORMS = List.of("systrap", "ptrace", "kvm");
    /** A user's own runsc executable, run beside the installed one as {@code runsc@<its version>}. */
    public static final String USER_RUNSC_ENV = "ISOBENCH_RUNSC";
    static final String INSTALLED = "runsc";

    private final String id;
    /** The platform passed with --platform, or null: the binary's default (recorded after the probe). */
    private final String platform;
    /** The runsc to run, or null: runsc on PATH. */
    private final RunscBinary fixed;
    /** Why this runsc must not run (a cache entry that failed verification), or null. */
    private final String unusable;
    private volatile RunscBinary binary;
    private volatile String effectivePlatform;

    /** The installed runsc, its default platform. */
    public RunscDriver() {
        this(INSTALLED, null, null, null);
    }

    RunscDriver(String id, String platform, RunscBinary fixed, String unusable) {
        this.id = id;
        this.platform = platform;
        this.fixed = fixed;
        this.unusable = unusable;
        this.binary = fixed;
        this.effectivePlatform = platform;
    }

    /**
     * Every runsc runtime: the installed one and one per platform, then the same for each runsc fetched into the cache
     * (verified there; one that fails verification is listed with the reason) and for {@value #USER_RUNSC_ENV}.
     */
    public static List<RuntimeDriver> variants() {
        List<RuntimeDriver> l = new ArrayList<>(family(INSTALLED, null, null));
        java.util.Set<String> labels = new java.util.HashSet<>();
        for (RunscFetch.Cached c : RunscFetch.defaultCache().cached()) {
            String label = c.binary().map(RunscBinary::label).orElse("runsc@" + c.dir().getFileName());
            if (labels.add(label)) {
                l.addAll(family(label, c.binary().orElse(null), c.problem()));
            }
        }
        userBinary().ifPresent(b -> l.addAll(family(labels.contains(b.label()) ? b.label() + "-user" : b.label(), b, null)));
        return l;
    }

    /**
     * The engine runtimes every runsc gets (the same scheme as the native ids): for the installed runsc one per platform
     * it offers ({@code runsc-ptrace}...; plain {@code runsc} is registered by the engine's own setup), for each fetched
     * or user runsc its default ({@code runsc@20240729}) and one per platform; name -> [executable, --platform flag or
     * ""]. Cached runsc entries that fail verification are left out.
     */
    public static Map<String, List<String>> engineVariants() {
        Map<String, List<String>> m = new LinkedHashMap<>();
        List<RunscBinary> bins = new ArrayList<>();
        String exe = io.isobench.util.Tools.which("runsc");
        if (exe != null) {
            RunscBinary.describe(Path.of(exe), "installed", INSTALLED).ifPresent(bins::add);
        }
        RunscFetch.defaultCache().cached().forEach(c -> c.binary().ifPresent(bins::add));
        userBinary().ifPresent(bins::add);
        for (RunscBinary b : bins) {
            if (!b.label().equals(INSTALLED)) {
                m.putIfAbsent(b.label(), List.of(b.path().toString(), ""));
            }
            for (String p : b.platforms().names()) {
                if (PLATFORMS.contains(p)) {
                    m.putIfAbsent(b.label() + "-" + p, List.of(b.path().toString(), "--platform=" + p));
                }
            }
        }
        return m;
    }

    /**
     * What an engine runtime entry ({@code {"path": ..., "runtimeArgs": [...]}}) runs: platform (its --platform flag,
     * else the binary's default), runsc version, source, path and sha256, as the native runsc runtimes record them.
     */
    public static Map<String, Object> engineRuntimeDetails(Object entry) {
        Map<String, Object> d = new LinkedHashMap<>();
        if (!(entry instanceof Map<?, ?> m) || !(m.get("path") instanceof String path)) {
            return d;
        }
        String exe = path.contains("/") ? path : io.isobench.util.Tools.which(path);
        java.util.Optional<RunscBinary> b = exe == null ? java.util.Optional.empty()
                : RunscBinary.describe(Path.of(exe), "engine runtime path " + exe, null);
        String flag = m.get("runtimeArgs") instanceof List<?> args ? args.stream().map(String::valueOf)
                .filter(a -> a.startsWith("--platform=")).findFirst().orElse(null) : null;
        if (flag != null) {
            d.put("platform", flag.substring("--platform=".length()));
        } else {
            b.map(RunscBinary::platforms).map(RunscBinary.Platforms::defaultPlatform).ifPresent(p -> d.put("platform", p));
        }
        b.ifPresent(x -> {
            d.put("runsc_version", x.version());
            d.put("runsc_source", sourceOf(x.path()));
            d.put("runsc_path", x.path().toString());
            d.put("runsc_sha256", x.sha256());
        });
        return d;
    }

    /** Where the runsc at {@code exe} came from: isobench's cache (with its RECORD), else the path as registered. */
    private static String sourceOf(Path exe) {
        return RunscFetch.defaultCache().cached().stream().flatMap(c -> c.binary().stream())
                .filter(c -> c.path().equals(exe)).map(RunscBinary::source).findFirst()
                .orElse("engine runtime path " + exe);
    }

    /** Whether engine runtime {@code name} runs runsc (runsc, runsc-systrap, runsc@20240729-ptrace, their network variants). */
    public static boolean isRunsc(String name) {
        return name.equals(INSTALLED) || name.startsWith(INSTALLED + "-") || name.startsWith(INSTALLED + "@");
    }

    private static volatile java.util.Optional<RunscBinary> user;

    /**
     * Makes the runsc at {@code path} (a plan's {@code runsc.binary}, or {@code --runsc-binary}) this process's user runsc,
     * registered as {@code runsc@<its version>} in place of {@value #USER_RUNSC_ENV}'s; its absolute path. A path that is
     * not an executable file or does not answer {@code --version} is a usage error naming {@code where}.
     */
    public static String useBinary(String path, String where) {
        Path p;
        try {
            p = Path.of(path.strip()).toAbsolutePath().normalize();
        } catch (java.nio.file.InvalidPathException e) {
            throw new io.isobench.util.UserException(where + ": '" + path + "' is not a path");
        }
        if (path.isBlank() || !java.nio.file.Files.isRegularFile(p) || !java.nio.file.Files.isExecutable(p)) {
            throw new io.isobench.util.UserException(where + ": " + p + " is not an executable file");
        }
        io.isobench.proc.ProcResult v = io.isobench.proc.Proc.of(p.toString(), "--version").timeout(Trials.CLI_TIMEOUT).run();
        if (!v.stdout().startsWith("runsc version ")) {
            throw new io.isobench.util.UserException(where + ": " + p + " is not runsc ('" + p.getFileName()
                    + " --version' does not say 'runsc version …')");
        }
        RunscBinary b = RunscBinary.describe(p, "user (plan runsc.binary=" + p + ")", null)
                .map(x -> new RunscBinary(x.path(), x.version(), x.source(), x.sha256(), "runsc@" + RunscBinary.shortVersion(x.version())))
                .orElseThrow(() -> new io.isobench.util.UserException(where + ": " + p + " does not answer --version (is it runsc?)"));
        user = java.util.Optional.of(b);
        return p.toString();
    }

    /** Forgets the user runsc (for tests): the next call reads {@value #USER_RUNSC_ENV} again. */
    static void forgetUserBinary() {
        user = null;
    }

    /** The user's runsc: a plan's {@code runsc.binary}, else {@value #USER_RUNSC_ENV}'s, asked for its version once per process. */
    static java.util.Optional<RunscBinary> userBinary() {
        java.util.Optional<RunscBinary> u = user;
        if (u == null) {
            String p = System.getenv(USER_RUNSC_ENV);
            u = p == null || p.isBlank() ? java.util.Optional.empty()
                    : RunscBinary.describe(Path.of(p).toAbsolutePath(), "user (" + USER_RUNSC_ENV + "=" + p + ")", null)
                            .map(b -> new RunscBinary(b.path(), b.version(), b.source(), b.sha256(),
                                    "runsc@" + RunscBinary.shortVersion(b.version())));
            if (u.isEmpty() && p != null && !p.isBlank()) {
                throw new io.isobench.util.UserException(USER_RUNSC_ENV + "=" + p + " does not answer --version");
            }
            user = u;
        }
        return u;
    }

    private static List<RuntimeDriver> family(String label, RunscBinary b, String unusable) {
        List<RuntimeDriver> l = new ArrayList<>();
        l.add(new RunscDriver(label, null, b, unusable));
        for (String p : PLATFORMS) {
            l.add(new RunscDriver(label + "-" + p, p, b, unusable));
        }
        return l;
    }

    /** A driver for a stored id of this family (runsc, runsc-systrap, runsc@20240729-ptrace), for caveats; else empty. */
    public static java.util.Optional<RuntimeDriver> forStoredId(String id) {
        if (!id.equals(INSTALLED) && !id.startsWith(INSTALLED + "-") && !id.startsWith(INSTALLED + "@")) {
            return java.util.Optional.empty();
        }
        String p = PLATFORMS.stream().filter(x -> id.endsWith("-" + x)).findFirst().orElse(null);
        return java.util.Optional.of(new RunscDriver(id, p, null, null));
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String kind() {
        return "sandbox";
    }

    @Override
    public String description() {
        String which = fixed == null ? "the installed runsc" : "runsc " + fixed.version() + " (" + fixed.source() + ")";
        return "gVisor sandbox (user-space kernel): " + which + ", " + (platform == null ? "its default platform" : "platform " + platform);
    }

    @Override
    public List<AptPackage> packages() {
        return fixed == null && unusable == null ? List.of(PACKAGE) : List.of();
    }

    /** Fetching a newer runsc than the installed one is the installed family's setup step (once: equal instances). */
    @Override
    public java.util.Optional<io.isobench.runtime.HostSetup> hostSetup() {
        return fixed == null && unusable == null ? java.util.Optional.of(RunscSetup.INSTANCE) : java.util.Optional.empty();
    }

    /** Each runsc executable sweeps its own containers (the state root is shared: {@code runsc list}). */
    @Override
    public java.util.Optional<io.isobench.runtime.Leftovers> leftovers() {
        return java.util.Optional.of(new OciLeftovers(fixed == null ? binary() : fixed.path().toString(), stateFilesRoot()));
    }

    /** runsc's default --root for root (isobench passes none): {@code ID_sandbox:ID.lock} and {@code .state} files. */
    @Override
    protected java.nio.file.Path stateFilesRoot() {
        return java.nio.file.Path.of("/var/run/runsc");
    }

    /** runsc's package, shared with the engine runtimes that use runsc. */
    public static final AptPackage PACKAGE = new AptPackage("runsc", "runsc", "runtime runsc (gVisor)");

    /** gVisor's platform (how system calls are intercepted) decides system-call heavy results. */
    @Override
    public List<String> caveats(String runtimeId, Map<String, Object> details) {
        return platformCaveat(runtimeId, details);
    }

    /** The platform caveat for any runtime that runs runsc and records its platform (and version, when recorded). */
    public static List<String> platformCaveat(String runtimeId, Map<String, Object> details) {
        Object p = details.get("platform");
        Object v = details.get("runsc_version");
        return p == null ? List.of()
                : List.of(runtimeId + " used " + (v == null ? "gVisor" : "gVisor " + v) + "'s " + p
                + " platform; system-call heavy results depend on it.");
    }

    @Override
    public Build build(Map<String, Object> details) {
        return runscBuild(details);
    }

    /**
     * The gVisor build any runtime that runs runsc recorded ({@code runsc_version}, {@code runsc_sha256}), or null when
     * it recorded neither (runs stored before isobench recorded them).
     */
    public static Build runscBuild(Map<String, Object> details) {
        Object v = details.get("runsc_version");
        Object sha = details.get("runsc_sha256");
        if (v == null && sha == null) {
            return null;
        }
        String version = v == null ? "version not recorded" : v.toString();
        String shortSha = sha == null ? null : sha.toString().substring(0, Math.min(12, sha.toString().length()));
        return new Build("gVisor", version + "/" + sha, version + (shortSha == null ? "" : ", sha256 " + shortSha));
    }

    @Override
    protected String binary() {
        return "runsc";
    }

    @Override
    protected String executable() {
        RunscBinary b = binary;
        return b != null ? b.path().toString() : super.executable();
    }

    @Override
    protected List<String> globalFlags() {
        return platform == null ? List.of("--network=none") : List.of("--platform=" + platform, "--network=none");
    }

    /** {@code --panic-log}: where the sandbox's Go runtime writes a sentry panic (else it is lost: exit 2, no output). */
    @Override
    protected List<String> crashLogFlags(java.nio.file.Path log) {
        return List.of("--panic-log=" + log);
    }

    /** The most of a panic log shown with a failed trial: the panic and the panicking goroutine come first. */
    static final int PANIC_HEAD_BYTES = 64 * 1024;

    /**
     * A sentry panic's report (its head: the panic message and the panicking goroutine's stack, the rest being every
     * other goroutine), then one line naming it, which becomes the failure's reason; null when runsc wrote none.
     */
    @Override
    protected String crashReport(java.nio.file.Path log) {
        return panicReport(log);
    }

    static String panicReport(java.nio.file.Path log) {
        return panicReport(log, 0, "runsc --panic-log");
    }

    /**
     * What {@code log} holds from byte {@code from} on (a Sentry panic report), headed by {@code what} and ending with
     * one line naming the panic; null when nothing is there. The file must be a regular file of root's (never a
     * symlink): it is read as root.
     */
    public static String panicReport(java.nio.file.Path log, long from, String what) {
        byte[] head;
        long size;
        try {
            var a = java.nio.file.Files.readAttributes(log, java.nio.file.attribute.PosixFileAttributes.class,
                    java.nio.file.LinkOption.NOFOLLOW_LINKS);
            if (!a.isRegularFile() || !a.owner().getName().equals("root")) {
                return null;
            }
            try (var ch = java.nio.channels.FileChannel.open(log, java.nio.file.StandardOpenOption.READ,
                    java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                size = ch.size() - from;
                if (size <= 0) {
                    return null;
                }
                java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate((int) Math.min(size, PANIC_HEAD_BYTES));
                while (b.hasRemaining() && ch.read(b, from + b.position()) > 0) {
                    // read on
                }
                head = java.util.Arrays.copyOf(b.array(), b.position());
            }
        } catch (java.io.IOException | UnsupportedOperationException e) {
            return null; // none written: runsc did not crash
        }
        String text = new String(head, java.nio.charset.StandardCharsets.UTF_8);
        if (text.isBlank()) {
            return null;
        }
        String first = text.strip().lines().findFirst().orElse("").strip();
        StringBuilder sb = new StringBuilder("--- ").append(what).append(" (").append(size).append(" bytes")
                .append(size > head.length ? ", first " + head.length + " shown" : "").append(") ---\n").append(text);
        if (!text.endsWith("\n")) {
            sb.append('\n');
        }
        sb.append("runsc: the gVisor sentry ").append(first.startsWith("panic:") ? "panicked: " + first.substring(6).strip()
                : "wrote to its panic log: " + first).append('\n');
        return sb.toString();
    }

    /** How launches that ask for ports are networked; chosen by {@link #probe} by trying each in turn. */
    enum PortsNetwork {
        /** gVisor's own TCP/IP stack over the isobench netns's veth ({@code --network=sandbox}). */
        NETSTACK("gVisor netstack"),
        /**
         * The same netstack, with runsc's host processes started in a private mount namespace where /proc/sys/net is
         * an empty tmpfs. Old runsc releases decide "this is the root network namespace" by whether a sysctl file
         * exists there, and kernels now show those files in every namespace, so they refuse netstack in a real,
         * isobench-made namespace ("cannot run with network enabled in root network namespace"). Hiding the
         * sysctls from runsc only defeats that test; the sandbox still joins the isobench namespace.
         */
        NETSTACK_SYSCTL_HIDDEN("gVisor netstack (old runsc's root-netns test defeated: /proc/sys/net hidden from runsc)"),
        /** The Sentry passes socket calls to the host kernel, inside the isobench netns ({@code --network=host}). */
        HOSTINET("gVisor hostinet (host kernel TCP/IP)");

        final String label;

        PortsNetwork(String label) {
            this.label = label;
        }
    }

    private static final String HIDE_SYSCTL_SCRIPT = "runsc-hide-net-sysctl.sh";
    private volatile PortsNetwork portsNetwork = PortsNetwork.NETSTACK;
    /**
     * A probe's failure text as stored with every result: pids in runsc's messages ("/proc/15013/ns/net") become
     * "/proc/PID/", since compare warns when a runtime's stored details differ between runs.
     */
    static String stableReason(String reason) {
        return reason.replaceAll("/proc/\\d+/", "/proc/PID/");
    }

    private volatile String netstackFailure;

    /**
     * Also finds out which network stack serves launches that ask for ports: netstack, else netstack with the
     * sysctls hidden, else hostinet (see {@link PortsNetwork}); records which, and why the better ones failed.
     */
    @Override
    public Availability probe(ProbeContext ctx) {
        if (unusable != null) {
            return Availability.no(id, fixed == null ? null : fixed.version(), unusable);
        }
        if (fixed != null && fixed.source().startsWith("apt ")) { // checked again right before root runs it
            RunscFetch.Cached now = RunscFetch.verify(fixed.path().getParent());
            if (now.problem() != null) {
                return Availability.no(id, fixed.version(), now.problem());
            }
        }
        if (fixed == null) {
            String exe = super.executable();
            if (exe == null) {
                return super.probe(ctx); // says "not installed" with the package
            }
            java.util.Optional<RunscBinary> b = RunscBinary.describe(Path.of(exe), "installed (" + exe + " on PATH)", INSTALLED);
            if (b.isEmpty()) {
                return Availability.no(id, null, exe + " --version failed");
            }
            binary = b.get();
        }
        RunscBinary b = binary;
        RunscBinary.Platforms offered = b.platforms();
        if (platform != null && !offered.names().isEmpty() && !offered.has(platform)) {
            return Availability.no(id, b.version(), "runsc " + b.version() + " has no " + platform + " platform (it offers "
                    + String.join(", ", offered.names()) + (platform.equals("systrap")
                    ? "; systrap came with gVisor releases of 2023: 'isobench setup' fetches a newer runsc as runsc@<version>"
                    : "") + ")");
        }
        effectivePlatform = platform != null ? platform : offered.defaultPlatform();
        Availability a = super.probe(ctx);
        if (!a.available() && "kvm".equals(effectivePlatform) && kvmUnusable() != null) {
            return Availability.no(id, a.version(), "KVM is unusable here (" + kvmUnusable() + "): " + a.reason(), a.details());
        }
        if (!a.available() || NetNs.unavailableReason() != null) {
            return a;
        }
        java.util.List<String> failures = new java.util.ArrayList<>();
        PortsNetwork chosen = PortsNetwork.HOSTINET;
        for (PortsNetwork mode : PortsNetwork.values()) {
            portsNetwork = mode;
            String failure = Trials.trialFailure(this, ctx, ctx.probeImage(), "-net", s -> s.withNetwork(NetworkSpec.tcp(9)));
            if (failure == null) {
                chosen = mode;
                break;
            }
            failures.add(mode.name().toLowerCase(java.util.Locale.ROOT) + ": " + failure);
        }
        portsNetwork = chosen;
        netstackFailure = failures.isEmpty() ? null : stableReason(String.join("; ", failures));
        Map<String, Object> d = new LinkedHashMap<>(a.details());
        d.put("network_with_ports", chosen.label + " in an isobench netns"
                + (failures.isEmpty() ? "" : " (tried first: " + netstackFailure + ")"));
        return Availability.ok(a.id(), a.version(), d);
    }

    /**
     * gVisor saves the whole sandbox (Sentry, netstack, file state) with {@code runsc checkpoint} and starts it again with
     * {@code runsc restore}. Not with hostinet (the probe's fallback when netstack fails): its sockets are the host
     * kernel's, which a checkpoint cannot save.
     */
    @Override
    protected String checkpointUnsupported() {
        return portsNetwork == PortsNetwork.HOSTINET && netstackFailure != null
                ? id() + " serves ports with hostinet here (netstack failed), whose host-kernel sockets a checkpoint cannot save"
                : null;
    }

    @Override
    protected List<String> networkCli(List<String> args) {
        PortsNetwork mode = portsNetwork;
        List<String> argv = new java.util.ArrayList<>(cli(args.toArray(String[]::new)));
        String flag = mode == PortsNetwork.HOSTINET ? "--network=host" : "--network=sandbox";
        argv.replaceAll(a -> a.equals("--network=none") ? flag : a);
        if (mode != PortsNetwork.NETSTACK_SYSCTL_HIDDEN) {
            return argv;
        }
        // unshare -m --propagation private /bin/sh SCRIPT runsc ...: the script (a fixed resource, no interpolation)
        // mounts an empty tmpfs on /proc/sys/net in that private mount namespace and execs its arguments
        List<String> wrapped = new java.util.ArrayList<>(List.of(
                java.util.Objects.requireNonNullElse(io.isobench.util.Tools.which("unshare"), "unshare"),
                "--mount", "--propagation", "private", "/bin/sh", hideSysctlScript().toString()));
        wrapped.addAll(argv);
        return wrapped;
    }

    private static java.nio.file.Path hideSysctlScript() {
        java.nio.file.Path p = io.isobench.proc.WorkDir.get().resolve(HIDE_SYSCTL_SCRIPT);
        synchronized (RunscDriver.class) {
            if (!java.nio.file.Files.exists(p)) {
                try (var in = RunscDriver.class.getResourceAsStream("/runsc/" + HIDE_SYSCTL_SCRIPT)) {
                    java.nio.file.Files.write(p, java.util.Objects.requireNonNull(in, HIDE_SYSCTL_SCRIPT).readAllBytes());
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        }
        return p;
    }

    @Override
    protected SandboxNetwork describe(NetNs ns) {
        PortsNetwork mode = portsNetwork;
        String stack = mode.label + (mode == PortsNetwork.NETSTACK || netstackFailure == null ? ""
                : " (tried first: " + netstackFailure + ")");
        return new SandboxNetwork() {
            @Override
            public java.net.InetSocketAddress endpoint(int port) {
                return ns.endpoint(port);
            }

            @Override
            public String description() {
                return stack + " over " + ns.description();
            }

            @Override
            public void close() {
                ns.close();
            }
        };
    }

    @Override
    protected String scratchStorage(java.nio.file.Path hostDir) {
        return "bind mount of a host directory on " + Scratch.fileSystem(hostDir)
                + ", file I/O served by gVisor (Sentry + gofer)";
    }

    /** Why the kvm platform cannot work on this host, or null when /dev/kvm opens for reading and writing. */
    static String kvmUnusable() {
        Path dev = Path.of("/dev/kvm");
        if (!java.nio.file.Files.exists(dev)) {
            return "no /dev/kvm: no hardware virtualization, or nested virtualization is off";
        }
        try (var ch = java.nio.channels.FileChannel.open(dev, java.nio.file.StandardOpenOption.READ, java.nio.file.StandardOpenOption.WRITE)) {
            return null;
        } catch (java.io.IOException e) {
            return "/dev/kvm cannot be opened: " + e.getMessage();
        }
    }

    @Override
    protected Map<String, Object> details() {
        Map<String, Object> d = new LinkedHashMap<>();
        RunscBinary b = binary;
        d.put("platform", effectivePlatform == null ? "unknown (runsc flags did not say)" : effectivePlatform);
        d.put("platform_chosen", platform == null ? "runsc's default" : "--platform=" + platform);
        if (b != null) {
            d.put("runsc_version", b.version());
            d.put("runsc_source", b.source());
            d.put("runsc_path", b.path().toString());
            d.put("runsc_sha256", b.sha256());
        }
        d.put("network", "none (--network=none: loopback only, gVisor netstack)");
        d.put("rootfs", "workload image, read-only, served by the gofer");
        return d;
    }
}
