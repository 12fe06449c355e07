package io.isobench.runtime.oci;

import java.util.Map;

/** runc: the reference OCI runtime (namespaces + cgroups, the host kernel serves every system call). */
public final class RuncDriver extends OciDriver {
    @Override
    public String id() {
        return "runc";
    }

    @Override
    public String description() {
        return "OCI container with runc (namespaces and cgroups on the host kernel)";
    }

    /** runc's default --root for root (isobench passes none). */
    @Override
    protected java.nio.file.Path stateRoot() {
        return java.nio.file.Path.of("/run/runc");
    }

    /** Checkpoint/restore needs CRIU, and {@code criu check} passing on this kernel (asked once per process, with a timeout). */
    @Override
    protected String checkpointUnsupported() {
        return Criu.problem();
    }

    @Override
    protected String binary() {
        return "runc";
    }

    @Override
    protected Map<String, Object> details() {
        return Map.of("network", "none (private netns, loopback only)", "rootfs", "workload image, read-only",
                "seccomp", "none");
    }
}
