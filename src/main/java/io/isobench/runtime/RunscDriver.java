package io.isobench.runtime;

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
    /** --network= value when a launch asks for host-reachable ports: "sandbox" (netstack) unless the probe saw it fail. */
    private volatile String portsNetwork = "sandbox";
    private volatile String netstackFailure;

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
    protected String binary() {
        return "runsc";
    }

    @Override
    protected List<String> globalFlags() {
        return List.of("--platform=" + platform, "--network=none");
    }

    /**
     * Also finds out which network stack serves launches that ask for ports: gVisor's own netstack
     * ({@code --network=sandbox}) when a trial container with it starts in an isobench namespace, else hostinet
     * ({@code --network=host}: the Sentry passes socket calls to the host kernel, inside that same namespace).
     * Old runsc releases refuse netstack on new kernels ("cannot run with network enabled in root network
     * namespace": their root-namespace test is a sysctl file that kernels now show in every namespace).
     */
    @Override
    public Availability probe(ProbeContext ctx) {
        Availability a = super.probe(ctx);
        if (!a.available() || NetNs.unavailableReason() != null) {
            return a;
        }
        portsNetwork = "sandbox";
        String name = "isobench-probe-runsc-net-" + ProcessHandle.current().pid() + "-" + System.nanoTime() % 100000;
        var image = ctx.probeImage();
        LaunchSpec spec = new LaunchSpec(name, image, List.of(image.tools().get("true")), Map.of(), ctx.limits(), null)
                .withNetwork(NetworkSpec.tcp(9));
        String failure;
        try (Sandbox s = launch(spec)) {
            io.isobench.proc.ProcResult r = s.await(PROBE_TIMEOUT);
            failure = r.ok() ? null : reason(r);
        } catch (LaunchException e) {
            failure = e.getMessage();
        }
        netstackFailure = failure;
        portsNetwork = failure == null ? "sandbox" : "host";
        Map<String, Object> d = new LinkedHashMap<>(a.details());
        d.put("network_with_ports", failure == null ? "gVisor netstack (--network=sandbox) in an isobench netns"
                : "hostinet (--network=host: host kernel TCP/IP) in an isobench netns; netstack failed here: " + failure);
        return Availability.ok(a.id(), a.version(), d);
    }

    @Override
    protected List<String> networkCli(List<String> args) {
        List<String> argv = new java.util.ArrayList<>(cli(args.toArray(String[]::new)));
        argv.replaceAll(a -> a.equals("--network=none") ? "--network=" + portsNetwork : a);
        return argv;
    }

    @Override
    protected SandboxNetwork describe(NetNs ns) {
        String stack = "sandbox".equals(portsNetwork) ? "gVisor netstack"
                : "gVisor hostinet (netstack unavailable: " + netstackFailure + ")";
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
