package io.isobench.runtime;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Resource limits every sandbox gets (CPU quota in CPUs and memory). The same values are given to every
 * runtime that can enforce them and recorded with the run; the native baseline runs unconfined.
 */
public record Limits(double cpus, long memoryBytes) {
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cpus", cpus);
        m.put("memory_bytes", memoryBytes);
        return m;
    }
}
