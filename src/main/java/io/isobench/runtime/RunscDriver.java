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
