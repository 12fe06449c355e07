package io.isobench.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Reads host facts directly from /proc and /sys (fast, no external tools) plus the KVM probe. */
public final class HostProbe {
    private final Path root;

    public HostProbe() {
        this(Path.of("/"));
    }

    /** @param root file-system root to read from (tests point it at a fixture tree) */
    public HostProbe(Path root) {
        this.root = root;
    }

    public HostFacts probe(KvmProbe kvmProbe) {
        return new HostFacts(hostname(), osName(), read("proc/sys/kernel/osrelease", "unknown").strip(),
                System.getProperty("os.arch"), cpuModel(), Runtime.getRuntime().availableProcessors(),
                memTotalBytes(), cgroupMode(), kvmProbe.probe(),
                read("sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", "n/a").strip(), loadAverage(),
                numaNodes());
    }

    /**
     * The host's NUMA nodes, node number to its CPU list ({@code /sys/devices/system/node/nodeN/cpulist}); empty when
     * the kernel has no NUMA support (then the host is one node).
     */
    public java.util.SortedMap<Integer, String> numaNodes() {
        java.util.SortedMap<Integer, String> m = new java.util.TreeMap<>();
        Path dir = root.resolve("sys/devices/system/node");
        if (!Files.isDirectory(dir)) {
            return m;
        }
        try (var s = Files.list(dir)) {
            for (Path p : s.toList()) {
                String name = p.getFileName().toString();
                if (name.matches("node[0-9]{1,5}")) {
                    m.put(Integer.parseInt(name.substring(4)),
                            read(root.relativize(p.resolve("cpulist")).toString(), "").strip());
                }
            }
        } catch (IOException e) {
            return m;
        }
        return m;
    }

    /** 1-minute load average from /proc/loadavg (NaN when unreadable). */
    public double loadAverage() {
        try {
            return Double.parseDouble(read("proc/loadavg", "").strip().split("\\s+")[0]);
        } catch (RuntimeException e) {
            return Double.NaN;
        }
    }

    public String hostname() {
        return read("proc/sys/kernel/hostname", "unknown").strip();
    }

    String osName() {
        for (String line : lines("etc/os-release")) {
            if (line.startsWith("PRETTY_NAME=")) {
                return line.substring("PRETTY_NAME=".length()).replace("\"", "");
            }
        }
        return "unknown";
    }

    String cpuModel() {
        for (String line : lines("proc/cpuinfo")) {
            if (line.startsWith("model name")) {
                return line.substring(line.indexOf(':') + 1).strip();
            }
        }
        return "unknown";
    }

    long memTotalBytes() {
        return MemInfo.read(root.resolve("proc/meminfo")).getOrDefault("MemTotal", 0L);
    }

    /**
     * "v2" when /sys/fs/cgroup is a cgroup2 mount (unified), "hybrid" when v1 controllers are mounted and a
     * cgroup2 hierarchy sits at /sys/fs/cgroup/unified, "v1" otherwise.
     */
    public String cgroupMode() {
        boolean v2Root = false;
        boolean v2Unified = false;
        boolean v1 = false;
        for (String line : lines("proc/self/mounts")) {
            String[] f = line.split(" ");
            if (f.length < 3) {
                continue;
            }
            String mountPoint = f[1];
            String type = f[2];
            if (type.equals("cgroup2") && mountPoint.equals("/sys/fs/cgroup")) {
                v2Root = true;
            } else if (type.equals("cgroup2") && mountPoint.startsWith("/sys/fs/cgroup/")) {
                v2Unified = true;
            } else if (type.equals("cgroup")) {
                v1 = true;
            }
        }
        if (v2Root) {
            return "v2";
        }
        if (v1 && v2Unified) {
            return "hybrid";
        }
        return v1 ? "v1" : "none";
    }

    private String read(String rel, String dflt) {
        try {
            return Files.readString(root.resolve(rel));
        } catch (IOException | RuntimeException e) {
            return dflt;
        }
    }

    private List<String> lines(String rel) {
        try {
            return Files.readAllLines(root.resolve(rel));
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }
}
