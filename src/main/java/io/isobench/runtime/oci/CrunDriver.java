package io.isobench.runtime.oci;

import java.util.Map;

/** crun: the C OCI runtime; on hybrid cgroup hosts it refuses to run (its probe reports why). */
public final class CrunDriver extends OciDriver {
    @Override
    public String id() {
        return "crun";
    }

    @Override
    public String description() {
        return "OCI container with crun (C implementation of the OCI runtime spec)";
    }

    /** Not in the quick study: crun refuses hybrid cgroup hosts (its probe says why). */
    @Override
    public boolean installedBySetup() {
        return false;
    }

    @Override
    protected String binary() {
        return "crun";
    }

    @Override
    protected Map<String, Object> details() {
        return Map.of("network", "none (private netns, loopback only)", "rootfs", "workload image, read-only",
                "seccomp", "none");
    }
}
