package io.isobench.runtime;

import java.util.Map;

/**
 * The result of probing a runtime: whether it can run sandboxes here, its version, and, when it cannot,
 * a reason a user can act on. {@code details} records how the runtime is configured (platform, accel,
 * network mode...) so every result says how it ran.
 */
public record Availability(String id, boolean available, String version, String reason, Map<String, Object> details) {

    public static Availability ok(String id, String version, Map<String, Object> details) {
        return new Availability(id, true, version, null, ordered(details));
    }

    /** Keeps the driver's order (reports list details as the driver wrote them). */
    private static Map<String, Object> ordered(Map<String, Object> m) {
        return java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(m));
    }

    public static Availability no(String id, String version, String reason) {
        return new Availability(id, false, version, reason, Map.of());
    }

    public static Availability no(String id, String version, String reason, Map<String, Object> details) {
        return new Availability(id, false, version, reason, ordered(details));
    }
}
