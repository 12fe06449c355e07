package io.isobench.runtime.vm;

import io.isobench.util.Json;
import tools.jackson.databind.JsonNode;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which hypervisor a Kata Containers installation uses, read from its configuration: either the output of
 * {@code kata-runtime kata-env --json} (the Go runtime's EnvInfo: {@code Hypervisor.Path}, {@code Hypervisor.MachineType},
 * {@code Hypervisor.Version}, {@code Runtime.Config.Path}) or the {@code configuration.toml} it uses, whose one
 * {@code [hypervisor.<name>]} table names it (qemu, clh, firecracker, dragonball, stratovirt, acrn, remote).
 *
 * @param hypervisor the label for reports: "QEMU", "Cloud Hypervisor", "Firecracker", ...
 * @param path       the hypervisor binary, or null
 * @param version    its version line, or null
 * @param config     the configuration file, or null
 */
public record KataConfig(String hypervisor, String path, String version, String config) {
    private static final Pattern TABLE = Pattern.compile("(?m)^\\s*\\[hypervisor\\.([A-Za-z0-9_-]+)\\]\\s*(#.*)?$");
    private static final Pattern PATH = Pattern.compile("(?m)^\\s*path\\s*=\\s*\"([^\"]*)\"");

    /** "QEMU (q35, 7.2.0)": the label with machine type and version when known. */
    public String describe() {
        return hypervisor + (path == null ? "" : " at " + path) + (version == null ? "" : ", " + version);
    }

    /** The hypervisor named by a configuration.toml's {@code [hypervisor.X]} table; empty when there is none. */
    public static Optional<KataConfig> fromToml(String toml, String file) {
        Matcher m = TABLE.matcher(toml);
        if (!m.find()) {
            return Optional.empty();
        }
        String name = m.group(1);
        // the table's path = "..." (the first one after the header, before the next table)
        String rest = toml.substring(m.end());
        int next = rest.indexOf("\n[");
        Matcher p = PATH.matcher(next < 0 ? rest : rest.substring(0, next));
        return Optional.of(new KataConfig(label(name), p.find() ? p.group(1) : null, null, file));
    }

    /** From {@code kata-runtime kata-env --json}; empty when the output has no Hypervisor.Path. */
    public static Optional<KataConfig> fromKataEnv(String json) {
        JsonNode n;
        try {
            n = Json.MAPPER.readTree(json);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
        JsonNode h = n == null ? null : n.get("Hypervisor");
        String path = text(h, "Path");
        if (path == null) {
            return Optional.empty();
        }
        String config = text(n.get("Runtime") == null ? null : n.get("Runtime").get("Config"), "Path");
        String version = text(h, "Version");
        String first = version == null ? null : version.lines().findFirst().orElse(null);
        String machine = text(h, "MachineType");
        String base = path.substring(path.lastIndexOf('/') + 1);
        String label = labelForBinary(base, config);
        if (machine != null && !machine.isEmpty()) {
            label = label + " (machine " + machine + ")";
        }
        return Optional.of(new KataConfig(label, path, first == null || first.equals("unknown") ? null : first, config));
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n == null ? null : n.get(field);
        return v == null || !v.isString() || v.asString().isEmpty() ? null : v.asString();
    }

    /** qemu-system-x86_64 / qemu-kvm -> QEMU, cloud-hypervisor -> Cloud Hypervisor, firecracker -> Firecracker. */
    static String labelForBinary(String binary, String config) {
        String b = binary.toLowerCase(Locale.ROOT);
        if (b.startsWith("qemu")) {
            return "QEMU";
        }
        if (b.contains("cloud-hypervisor")) {
            return "Cloud Hypervisor";
        }
        if (b.contains("firecracker")) {
            return "Firecracker";
        }
        if (b.contains("stratovirt")) {
            return "StratoVirt";
        }
        if (b.contains("acrn")) {
            return "ACRN";
        }
        if (config != null) {
            Matcher m = Pattern.compile("configuration-([a-z]+)").matcher(config);
            if (m.find()) {
                return label(m.group(1));
            }
        }
        return binary;
    }

    /** The label of a {@code [hypervisor.X]} table name. */
    static String label(String table) {
        return switch (table) {
            case "qemu" -> "QEMU";
            case "clh" -> "Cloud Hypervisor";
            case "firecracker", "fc" -> "Firecracker";
            case "dragonball" -> "Dragonball";
            case "stratovirt" -> "StratoVirt";
            case "acrn" -> "ACRN";
            case "remote" -> "remote hypervisor (peer pods)";
            default -> table;
        };
    }
}
