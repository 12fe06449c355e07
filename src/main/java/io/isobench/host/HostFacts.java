package io.isobench.host;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Facts about the host a run happened on. Stored with every run; {@code compare} warns when two runs
 * come from hosts whose facts differ.
 */
public record HostFacts(String hostname, String os, String kernel, String arch, String cpuModel, int cpus,
                        long memoryBytes, String cgroup, KvmStatus kvm, String cpuGovernor, double loadAverage,
                        java.util.SortedMap<Integer, String> numaNodes) {

    public HostFacts(String hostname, String os, String kernel, String arch, String cpuModel, int cpus,
                     long memoryBytes, String cgroup, KvmStatus kvm, String cpuGovernor, double loadAverage) {
        this(hostname, os, kernel, arch, cpuModel, cpus, memoryBytes, cgroup, kvm, cpuGovernor, loadAverage,
                new java.util.TreeMap<>());
    }

    /** Whether KVM can run guests here, as shown by a probe guest, not by the existence of /dev/kvm. */
    public record KvmStatus(boolean present, boolean usable, String detail) {
        public String summary() {
            if (!present) {
                return "absent (" + detail + ")";
            }
            return usable ? "usable (" + detail + ")" : "present, unusable (" + detail + ")";
        }
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("hostname", hostname);
        m.put("os", os);
        m.put("kernel", kernel);
        m.put("arch", arch);
        m.put("cpu_model", cpuModel);
        m.put("cpus", cpus);
        m.put("memory_bytes", memoryBytes);
        m.put("cgroup", cgroup);
        Map<String, Object> k = new LinkedHashMap<>();
        k.put("present", kvm.present());
        k.put("usable", kvm.usable());
        k.put("detail", kvm.detail());
        m.put("kvm", k);
        m.put("cpu_governor", cpuGovernor);
        m.put("loadavg_start", loadAverage);
        Map<String, Object> numa = new LinkedHashMap<>();
        numaNodes.forEach((n, cpuList) -> numa.put("node" + n, cpuList));
        m.put("numa_nodes", numa);
        return m;
    }

    /** {@code numaNodes}: node number to its CPU list, from /sys/devices/system/node (one node 0 where absent). */
    public int numaNodeCount() {
        return Math.max(1, numaNodes.size());
    }
}
