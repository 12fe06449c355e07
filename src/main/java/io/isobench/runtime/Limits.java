package io.isobench.runtime;

import io.isobench.util.CpuSet;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Resource limits every sandbox gets (CPU quota in CPUs and memory). The same values are given to every
 * runtime that can enforce them and recorded with the run; the native baseline runs unconfined.
 *
 * @param cpuset null: unpinned (the default). Otherwise the host CPUs every process of the sandbox (and every vCPU
 *               thread of a VM) may run on; the native baseline runs under {@code taskset} on the same set
 * @param mems   null: memory from any NUMA node. Otherwise the nodes the sandbox allocates from (a NUMA placement,
 *               only on a host with more than one node)
 */
public record Limits(double cpus, long memoryBytes, CpuSet cpuset, String mems) {
    public Limits(double cpus, long memoryBytes) {
        this(cpus, memoryBytes, null, null);
    }

    /** These limits pinned to {@code set} (null: unpinned) with memory from {@code memNodes} (null: any node). */
    public Limits pinned(CpuSet set, String memNodes) {
        return new Limits(cpus, memoryBytes, set, memNodes);
    }

    /** How many CPUs the sandbox's threads may use at once: the pinned set's size, else the quota rounded up. */
    public int cpuCount() {
        int quota = Math.max(1, (int) Math.ceil(cpus - 1e-9));
        return cpuset == null ? quota : Math.min(quota, cpuset.size());
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cpus", cpus);
        m.put("memory_bytes", memoryBytes);
        if (cpuset != null) {
            m.put("cpuset", cpuset.toString());
        }
        if (mems != null) {
            m.put("mems", mems);
        }
        return m;
    }
}
