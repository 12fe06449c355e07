package io.isobench.runtime.oci;

import io.isobench.runtime.AptPackage;
import io.isobench.runtime.Availability;
import io.isobench.runtime.NetNs;
import io.isobench.runtime.NetworkSpec;
import io.isobench.runtime.ProbeContext;
import io.isobench.runtime.SandboxNetwork;
import io.isobench.runtime.Scratch;
import io.isobench.runtime.Trials;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * gVisor's runsc: the workload's system calls are served by the Sentry, a user-space kernel; file access
 * goes through the Gofer. The platform (how system calls are intercepted) decides most of its cost, so
 * it is always passed explicitly and recorded. ptrace works everywhere (including without nested
 * virtualization); systrap and kvm are faster where available.
 */
public final class RunscDriver extends OciDriver {
    public static final String DEFAULT_PLATFORM = "ptrace";
    private final String platform;

    public RunscDriver() {
        this(System.getenv().getOrDefault("ISOBENCH_RUNSC_PLATFORM", DEFAULT_PLATFORM));
    }

    public RunscDriver(String platform) {
        this.platform = platform;
    }

    @Override
    public String id() {
        return "runsc";
    }

    @Override
    public String kind() {
        return "sandbox";
    }

    @Override
    public String description() {
        return "gVisor sandbox (user-space kernel), platform " + platform;
    }

    @Override
    public List<AptPackage> packages() {
        return List.of(PACKAGE);
    }

    /** runsc's package, shared with the engine runtimes that use runsc. */
    public static final AptPackage PACKAGE = new AptPackage("runsc", "runsc", "runtime runsc (gVisor)");

    /** gVisor's platform (how system calls are intercepted) decides system-call heavy results. */
    @Override
    public List<String> caveats(String runtimeId, Map<String, Object> details) {
        return platformCaveat(runtimeId, details);
    }

    /** The platform caveat for any runtime that runs runsc and records its platform. */
    public static List<String> platformCaveat(String runtimeId, Map<String, Object> details) {
        Object p = details.get("platform");
        return p == null ? List.of()
                : List.of(runtimeId + " used gVisor's " + p + " platform; system-call heavy results depend on it.");
    }

    @Override
    protected String binary() {
        return "runsc";
    }

    @Override
    protected List<String> globalFlags() {
        return List.of("--platform=" + platform, "--network=none");
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
    private volatile String netstackFailure;

    /**
     * Also finds out which network stack serves launches that ask for ports: netstack, else netstack with the
     * sysctls hidden, else hostinet (see {@link PortsNetwork}); records which, and why the better ones failed.
     */
    @Override
    public Availability probe(ProbeContext ctx) {
        Availability a = super.probe(ctx);
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
        netstackFailure = failures.isEmpty() ? null : String.join("; ", failures);
        Map<String, Object> d = new LinkedHashMap<>(a.details());
        d.put("network_with_ports", chosen.label + " in an isobench netns"
                + (failures.isEmpty() ? "" : " (tried first: " + netstackFailure + ")"));
        return Availability.ok(a.id(), a.version(), d);
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

    @Override
    protected Map<String, Object> details() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("platform", platform);
        d.put("network", "none (--network=none: loopback only, gVisor netstack)");
        d.put("rootfs", "workload image, read-only, served by the gofer");
        return d;
    }
}
