package io.isobench.host;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Facts about the host a run happened on. Stored with every run; {@code compare} warns when two runs
 * come from hosts whose facts differ.
 */
public record HostFacts(String hostname, String os, String kernel, String arch, String cpuModel, int cpus,
                        long memoryBytes, String cgroup, KvmStatus kvm, String cpuGovernor, double loadAverage) {

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
        return m;
    }
}
