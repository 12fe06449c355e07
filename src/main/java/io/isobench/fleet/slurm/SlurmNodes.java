package io.isobench.fleet.slurm;

import io.isobench.fleet.FleetNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Parses {@code scontrol show node -o} (one line per node, {@code Key=Value} fields) into nodes and their state. */
final class SlurmNodes {
    /** One node: its fields as scontrol prints them. */
    record Node(String name, String state, List<String> partitions, List<String> features, String reason) {
        /** Whether Slurm would start a job there now or later: up, not drained, not failing, not in maintenance. */
        boolean schedulable() {
            return unusable() == null;
        }

        /** Why not, in Slurm's words (its state flags, then the admin's reason); null when schedulable. */
        String unusable() {
            List<String> words = List.of(state.toUpperCase(Locale.ROOT).split("\\+"));
            String base = words.get(0).replace("*", "");
            boolean bad = !Set.of("IDLE", "MIXED", "ALLOCATED", "COMPLETING").contains(base) || state.contains("*")
                    || words.stream().anyMatch(w -> Set.of("DRAIN", "DRAINING", "DRAINED", "DOWN", "FAIL", "FAILING", "MAINT",
                    "NOT_RESPONDING", "POWERED_DOWN", "POWERING_DOWN", "POWER_DOWN", "REBOOT_ISSUED", "REBOOT_REQUESTED",
                    "RESERVED", "INVALID_REG").contains(w));
            if (!bad) {
                return null;
            }
            return "state " + state + (reason == null ? "" : " (" + reason + ")");
        }

        FleetNode toFleetNode() {
            return new FleetNode(name, schedulable(), unusable());
        }
    }

    /** A field starts where a space is followed by {@code Key=}; values (OS=, Reason=) may hold spaces. */
    private static final Pattern FIELD = Pattern.compile("\\s+(?=[A-Za-z][A-Za-z_]*=)");

    private SlurmNodes() {
    }

    static List<Node> parse(String scontrolOneLiners) {
        List<Node> nodes = new ArrayList<>();
        for (String line : scontrolOneLiners.split("\n")) {
            if (line.isBlank() || !line.startsWith("NodeName=")) {
                continue;
            }
            Map<String, String> f = fields(line);
            nodes.add(new Node(f.get("NodeName"), f.getOrDefault("State", "UNKNOWN"), list(f.get("Partitions")),
                    list(f.get("ActiveFeatures")), reason(f.get("Reason"))));
        }
        return nodes;
    }

    static Map<String, String> fields(String line) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String kv : FIELD.split(line.strip())) {
            int eq = kv.indexOf('=');
            if (eq > 0) {
                m.put(kv.substring(0, eq), kv.substring(eq + 1).strip());
            }
        }
        return m;
    }

    private static List<String> list(String v) {
        if (v == null || v.isBlank() || v.equals("(null)")) {
            return List.of();
        }
        return List.of(v.split(","));
    }

    /** "disk check [root@2026-12-02T23:52:20]" → "disk check (root, 2026-12-02T23:52:20)"; none → null. */
    private static String reason(String v) {
        if (v == null || v.isBlank() || v.equals("(null)") || v.equalsIgnoreCase("none")) {
            return null;
        }
        var m = Pattern.compile("^(.*?)\\s*\\[([^@\\]]*)@([^\\]]*)]$").matcher(v);
        return m.matches() ? m.group(1) + " (set by " + m.group(2) + " at " + m.group(3) + ")" : v;
    }
}
