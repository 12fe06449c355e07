package io.isobench.analysis;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Which host a run was made on, from its stored host facts. Two runs are from the same host when hostname, CPU model,
 * CPU count and architecture agree (a kernel upgrade or a reboot keeps the host; two machines that share a hostname but
 * not their hardware do not). Cost factors are only ever taken against a run's own baseline, so a report or comparison
 * across hosts compares each host's cost against that host's own native.
 */
public final class Hosts {
    /** Facts that identify a host. */
    static final List<String> IDENTITY = List.of("hostname", "cpu_model", "cpus", "arch");

    private Hosts() {
    }

    /** A key equal for runs of the same host. */
    public static String key(Map<String, Object> host) {
        List<String> parts = new ArrayList<>();
        for (String k : IDENTITY) {
            parts.add(String.valueOf(host.get(k)));
        }
        return String.join("\u0000", parts);
    }

    public static boolean same(Map<String, Object> a, Map<String, Object> b) {
        return key(a).equals(key(b));
    }

    /** The host's name (its hostname, or "unknown host"). */
    public static String name(Map<String, Object> host) {
        Object h = host.get("hostname");
        return h == null || h.toString().isBlank() ? "unknown host" : h.toString();
    }

    /**
     * The facts that matter to a reader comparing hosts, as text, in a fixed order: CPU, cores, memory, architecture, OS,
     * kernel, cgroup mode, KVM, CPU governor. A fact a run did not record is "not recorded".
     */
    public static Map<String, String> facts(Map<String, Object> host) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("CPU model", text(host.get("cpu_model")));
        m.put("CPUs", text(host.get("cpus")));
        m.put("memory", host.get("memory_bytes") instanceof Number n
                ? String.format(Locale.ROOT, "%.1f GiB", n.doubleValue() / (1L << 30)) : "not recorded");
        m.put("architecture", text(host.get("arch")));
        m.put("OS", text(host.get("os")));
        m.put("kernel", text(host.get("kernel")));
        m.put("cgroup mode", text(host.get("cgroup")));
        m.put("KVM", host.get("kvm") instanceof Map<?, ?> kvm ? (Boolean.TRUE.equals(kvm.get("usable")) ? "usable"
                : Boolean.TRUE.equals(kvm.get("present")) ? "present, unusable" : "absent") : "not recorded");
        m.put("CPU governor", text(host.get("cpu_governor")));
        return m;
    }

    private static String text(Object o) {
        return o == null ? "not recorded" : Objects.toString(o);
    }
}
