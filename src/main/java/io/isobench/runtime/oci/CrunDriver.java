package io.isobench.runtime.oci;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * crun: the C OCI runtime. crun (1.8 here) refuses hosts whose unified cgroup2 tree has a controller next to the v1
 * ones ("cgroups in hybrid mode not supported"), also with {@code --cgroup-manager=disabled}. On such a host every
 * crun call runs in a private mount namespace where {@code /sys/fs/cgroup/unified} is unmounted: crun then sees a
 * v1-only host and sets the plan's CPU and memory limits through the v1 controllers, as runc does here.
 */
public final class CrunDriver extends OciDriver {
    static final Path UNIFIED = Path.of("/sys/fs/cgroup/unified");
    /** A fixed script: unmount the unified tree in this private namespace, then exec its arguments (crun's argv). */
    static final String HIDE_UNIFIED = "umount " + UNIFIED + " && exec \"$@\"";

    @Override
    public String id() {
        return "crun";
    }

    @Override
    public String description() {
        return "OCI container with crun (C implementation of the OCI runtime spec)";
    }

    /** Not in the quick study: crun needs the unified cgroup tree hidden on hybrid hosts. */
    @Override
    public boolean installedBySetup() {
        return false;
    }

    @Override
    protected String binary() {
        return "crun";
    }

    /** crun's default state root for root. */
    @Override
    protected Path stateRoot() {
        return Path.of("/run/crun");
    }

    @Override
    protected List<String> cli(String... args) {
        return wrap(hybridHost(), super.cli(args));
    }

    @Override
    public java.util.Optional<io.isobench.runtime.Leftovers> leftovers() {
        return java.util.Optional.of(new OciLeftovers(binary(), wrap(hybridHost(), List.of()), stateFilesRoot()));
    }

    /** {@code argv} as is, or on a hybrid host run in a private mount namespace without the unified cgroup tree. */
    static List<String> wrap(boolean hybrid, List<String> argv) {
        if (!hybrid) {
            return argv;
        }
        List<String> l = new ArrayList<>(List.of("unshare", "--mount", "--propagation", "private", "--",
                "sh", "-c", HIDE_UNIFIED, "sh"));
        l.addAll(argv);
        return l;
    }

    /** True when {@code /sys/fs/cgroup/unified} is a cgroup2 mount next to v1 hierarchies (crun's "hybrid mode"). */
    static boolean hybridHost() {
        try {
            return hybrid(Files.readString(Path.of("/proc/self/mountinfo")));
        } catch (IOException e) {
            return false;
        }
    }

    /** From /proc/self/mountinfo text: a cgroup2 file system mounted at /sys/fs/cgroup/unified. */
    static boolean hybrid(String mountinfo) {
        for (String line : mountinfo.lines().toList()) {
            String[] f = line.split(" ");
            int dash = List.of(f).indexOf("-");
            if (f.length > 4 && dash > 0 && dash + 1 < f.length && f[4].equals(UNIFIED.toString())
                    && f[dash + 1].equals("cgroup2")) {
                return true;
            }
        }
        return false;
    }

    @Override
    protected Map<String, Object> details() {
        Map<String, Object> d = new LinkedHashMap<>(Map.of("network", "none (private netns, loopback only)",
                "rootfs", "workload image, read-only", "seccomp", "none"));
        if (hybridHost()) {
            d.put("cgroups", "v1 controllers only (crun refuses hybrid hosts: it runs in a private mount namespace"
                    + " without " + UNIFIED + ")");
            d.put("limits_enforced", "cpu, memory (cgroup v1)");
        }
        return d;
    }
}
