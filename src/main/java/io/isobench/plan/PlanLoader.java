package io.isobench.plan;

import io.isobench.bench.Benchmark;
import io.isobench.bench.ParamSpec;
import io.isobench.bench.Params;
import io.isobench.bench.registry.Benchmarks;
import io.isobench.runtime.Limits;
import io.isobench.runtime.Runtimes;
import io.isobench.util.CpuSet;
import io.isobench.util.Units;
import io.isobench.util.UserException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds a {@link Plan} from layers: {@link Defaults}, then an optional preset, then an optional YAML plan
 * file, then command-line flags and {@code --set bench.key=value}. Every value is validated here; a
 * mistake becomes a {@link UserException} naming the file or flag.
 */
public final class PlanLoader {
    static final Set<String> TOP_KEYS = Set.of("runtimes", "benchmarks", "repetitions", "warmups", "cooldown",
            "timeout", "baseline", "limits", "params", "ci_target", "subnet", "runsc", "cpuset", "numa");

    private List<String> runtimes = List.of();
    private List<String> benchmarks = Benchmarks.defaultIds();
    private int repetitions = Defaults.REPETITIONS;
    private Integer adaptiveMax;
    private double ciTarget = Defaults.CI_TARGET;
    private int warmups = Defaults.WARMUPS;
    private Duration cooldown = Defaults.COOLDOWN;
    private Duration timeout;
    private String baseline = Defaults.BASELINE;
    private double cpus = Defaults.cpus();
    private long memory = Units.parseSize(Defaults.MEMORY_LIMIT, "memory");
    private String preset = "default";
    private String subnet;
    private String runscBinary;
    private List<String> cpusets = List.of(Plan.Pinning.UNPINNED);
    private String numa = "none";
    private final Map<String, Map<String, String>> params = new LinkedHashMap<>();
    static final int MAX_COUNT = 100_000;
    static final double MAX_CPUS = 4096;
    static final long MIN_MEMORY = 1L << 20;

    /**
     * The plan a run stored ({@link Plan#toMap()}, read back from {@code plan_json}), rebuilt and validated as a
     * {@link Plan}: what {@code run --resume} runs. The stored values are complete, so no preset is applied again.
     */
    public static Plan stored(Map<String, Object> m) {
        PlanLoader l = new PlanLoader();
        String src = "stored plan";
        if (m.get("runsc") instanceof Map<?, ?> rs && rs.get("binary") instanceof String bin) {
            l.top("runsc.binary", bin, src); // first: its runsc@<version> runtimes are among the stored runtimes
        }
        if (m.get("runtimes") instanceof List<?> rts && !rts.isEmpty()) {
            l.top("runtimes", String.join(",", rts.stream().map(String::valueOf).toList()), src);
        }
        if (m.get("benchmarks") instanceof List<?> bs && !bs.isEmpty()) {
            l.top("benchmarks", String.join(",", bs.stream().map(String::valueOf).toList()), src);
        }
        l.top("repetitions", String.valueOf(m.get("repetitions")), src);
        if (m.get("adaptive") instanceof Map<?, ?> a && a.get("ci_target") instanceof Number t) {
            l.ciTarget = t.doubleValue();
        }
        l.top("warmups", String.valueOf(m.get("warmups")), src);
        l.top("cooldown", String.valueOf(m.get("cooldown")), src);
        l.top("timeout", String.valueOf(m.get("timeout")), src);
        l.top("baseline", String.valueOf(m.get("baseline")), src);
        if (m.get("limits") instanceof Map<?, ?> lim) {
            l.top("limits.cpus", String.valueOf(lim.get("cpus")), src);
            if (lim.get("memory_bytes") instanceof Number mem) {
                l.memory = mem.longValue();
            }
        }
        if (m.get("params") instanceof Map<?, ?> ps) {
            ps.forEach((bench, values) -> {
                if (values instanceof Map<?, ?> vs) {
                    vs.forEach((k, v) -> l.set(bench + "." + k + "=" + v, src));
                }
            });
        }
        if (m.get("preset") instanceof String p) {
            l.preset = p;
        }
        if (m.get("subnet") instanceof String sn) {
            l.top("subnet", sn, src);
        }
        if (m.get("placement") instanceof Map<?, ?> pl) {
            if (pl.get("cpuset") instanceof List<?> sets && !sets.isEmpty()) {
                l.top("cpuset", String.join(";", sets.stream().map(String::valueOf).toList()), src);
            }
            if (pl.get("numa") instanceof String n) {
                l.top("numa", n, src);
            }
        }
        return l.build();
    }

    /** Applies the named preset ("default" or one of {@link Defaults#PRESETS}: quick, ml-paper). */
    public PlanLoader preset(String name) {
        if (!name.equals("default")) {
            Map<String, String> p = Defaults.PRESETS.get(name);
            if (p == null) {
                throw new UserException("unknown preset '" + name + "' (known: default, "
                        + String.join(", ", new java.util.TreeSet<>(Defaults.PRESETS.keySet())) + ")");
            }
            new java.util.TreeMap<>(p).forEach((k, v) -> {
                if (k.contains(".")) {
                    set(k + "=" + v, "preset " + name);
                } else {
                    top(k, v, "preset " + name);
                }
            });
        }
        preset = name;
        return this;
    }

    /** Applies a YAML plan file. */
    public PlanLoader file(Path path) {
        String src = path.toString();
        JsonNode root;
        try {
            root = new YAMLMapper().readTree(Files.readString(path));
        } catch (IOException e) {
            throw new UserException("cannot read plan file " + src + ": " + e.getMessage());
        } catch (JacksonException e) {
            throw new UserException("plan file " + src + " is not valid YAML: " + e.getOriginalMessage());
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            return this;
        }
        if (!root.isObject()) {
            throw new UserException("plan file " + src + ": expected a mapping of settings at the top level");
        }
        if (root.has("runsc")) { // before runtimes and baseline, which may name the runsc@<version> it adds
            JsonNode v = root.get("runsc");
            requireObject(v, src + ": runsc");
            for (var r : v.properties()) {
                top("runsc." + r.getKey(), scalar(r.getValue(), src + ": runsc." + r.getKey()), src);
            }
        }
        for (var e : root.properties()) {
            String key = e.getKey();
            JsonNode v = e.getValue();
            String where = src + ": " + key;
            switch (key) {
                case "runsc" -> { } // applied first
                case "runtimes", "benchmarks" -> top(key, listText(v, where), src);
                case "cpuset" -> { // items are CPU lists, which hold commas themselves
                    List<String> items = new ArrayList<>();
                    if (v.isArray()) {
                        v.forEach(i -> items.add(scalar(i, where)));
                    } else {
                        items.add(scalar(v, where));
                    }
                    top(key, String.join(";", items), src);
                }
                case "limits" -> {
                    requireObject(v, where);
                    for (var l : v.properties()) {
                        top("limits." + l.getKey(), scalar(l.getValue(), where + "." + l.getKey()), src);
                    }
                }
                case "params" -> {
                    requireObject(v, where);
                    for (var b : v.properties()) {
                        requireObject(b.getValue(), where + "." + b.getKey());
                        for (var p : b.getValue().properties()) {
                            String value = p.getValue().isArray() ? listText(p.getValue(), where) : scalar(p.getValue(), where);
                            set(b.getKey() + "." + p.getKey() + "=" + value, src);
                        }
                    }
                }
                default -> {
                    if (!TOP_KEYS.contains(key)) {
                        throw new UserException(src + ": unknown key '" + key + "' (known: "
                                + String.join(", ", TOP_KEYS.stream().sorted().toList()) + ")");
                    }
                    top(key, scalar(v, where), src);
                }
            }
        }
        return this;
    }

    private static void requireObject(JsonNode v, String where) {
        if (!v.isObject()) {
            throw new UserException(where + ": expected a mapping");
        }
    }

    private static String scalar(JsonNode v, String where) {
        if (!v.isValueNode()) {
            throw new UserException(where + ": expected a single value");
        }
        return v.asString();
    }

    private static String listText(JsonNode v, String where) {
        if (v.isArray()) {
            List<String> items = new ArrayList<>();
            v.forEach(i -> items.add(scalar(i, where)));
            return String.join(",", items);
        }
        return scalar(v, where);
    }

    /** A top-level setting from any layer; {@code src} names the layer in errors. */
    public PlanLoader top(String key, String value, String src) {
        String where = src.startsWith("--") ? src : src + ": " + key;
        switch (key) {
            case "runtimes" -> runtimes = ids(value, Runtimes.ids(), "runtime", where);
            case "benchmarks" -> benchmarks = benchmarkIds(value, where);
            case "repetitions" -> {
                String v = value.strip();
                if (v.equals("auto") || v.startsWith("auto:")) {
                    adaptiveMax = v.equals("auto") ? Defaults.ADAPTIVE_MAX : count(v.substring(5), where, Defaults.ADAPTIVE_MIN);
                } else {
                    repetitions = count(v, where, 1);
                    adaptiveMax = null;
                }
            }
            case "ci_target" -> {
                ciTarget = Units.parsePercent(value, where);
                if (!(ciTarget > 0 && ciTarget < 1)) {
                    throw new UserException(where + ": must be between 0% and 100%, got '" + value + "'");
                }
            }
            case "warmups" -> warmups = count(value, where, 0);
            case "cooldown" -> cooldown = Units.parseDuration(value, where);
            case "timeout" -> timeout = value.equals("auto") ? null : nonZero(Units.parseDuration(value, where), where);
            case "baseline" -> baseline = ids(value, Runtimes.ids(), "runtime", where).get(0);
            case "limits.cpus" -> {
                cpus = Units.parseDecimal(value, where);
                if (cpus < 0.01 || cpus > MAX_CPUS) {
                    throw new UserException(where + ": must be between 0.01 and " + MAX_CPUS + ", got '" + value + "'");
                }
            }
            case "subnet" -> subnet = io.isobench.runtime.AddressPool.validate(value, where).toString();
            case "runsc.binary" -> runscBinary = io.isobench.runtime.oci.RunscDriver.useBinary(value, where);
            case "cpuset" -> cpusets = cpusets(value, where);
            case "numa" -> numa = numa(value, where);
            case "limits.memory" -> {
                memory = Units.parseSize(value, where);
                if (memory < MIN_MEMORY) {
                    throw new UserException(where + ": must be at least 1M, got '" + value + "'");
                }
            }
            default -> throw new UserException(where + ": unknown setting");
        }
        return this;
    }

    /** {@code bench.key=value} from --set or a plan file. */
    public PlanLoader set(String assignment, String src) {
        int eq = assignment.indexOf('=');
        int dot = assignment.indexOf('.');
        if (eq < 0 || dot < 0 || dot > eq) {
            throw new UserException(src + ": expected bench.key=value, got '" + assignment + "'");
        }
        String bench = assignment.substring(0, dot);
        String key = assignment.substring(dot + 1, eq);
        String value = assignment.substring(eq + 1);
        List<String> members = Benchmarks.groups().get(bench);
        if (members != null) {
            List<String> having = members.stream().filter(m -> Benchmarks.byId(m).orElseThrow().params().stream()
                    .anyMatch(p -> p.name().equals(key))).toList();
            if (having.isEmpty()) {
                throw new UserException(src + ": no benchmark of group " + bench + " (" + String.join(", ", members)
                        + ") has a parameter '" + key + "'");
            }
            for (String m : having) {
                set(m + assignment.substring(dot), src);
            }
            return this;
        }
        Benchmark b = Benchmarks.byId(bench).orElseThrow(() -> new UserException(src + ": unknown benchmark '"
                + bench + "' in '" + assignment + "' (known: " + String.join(", ", known()) + ")"));
        ParamSpec spec = b.params().stream().filter(p -> p.name().equals(key)).findFirst()
                .orElseThrow(() -> new UserException(src + ": benchmark " + bench + " has no parameter '" + key
                        + "' (it has: " + String.join(", ", b.params().stream().map(ParamSpec::name).toList()) + ")"));
        params.computeIfAbsent(bench, k -> new LinkedHashMap<>()).put(key, spec.validate(bench, value));
        return this;
    }

    public Plan build() {
        if (!benchmarks.isEmpty() && timeout != null && timeout.isZero()) {
            throw new UserException("timeout must be positive");
        }
        Map<String, Params> resolved = new LinkedHashMap<>();
        for (String id : params.keySet()) {
            if (!benchmarks.contains(id)) { // set but not selected: still a mistake to report now
                resolve(id);
            }
        }
        for (String id : benchmarks) {
            resolved.put(id, resolve(id));
        }
        Plan.Adaptive adaptive = adaptiveMax == null ? null : new Plan.Adaptive(Defaults.ADAPTIVE_MIN, adaptiveMax, ciTarget);
        return new Plan(runtimes, benchmarks, adaptive == null ? repetitions : Defaults.ADAPTIVE_MIN, warmups, cooldown,
                timeout, baseline, new Limits(cpus, memory), resolved, preset, adaptive, subnet, runscBinary,
                pinning(cpusets, numa, new io.isobench.host.HostProbe().numaNodes()));
    }

    /** {@code --cpuset}: ";"-separated items, each {@code none} or a CPU list of this host's online CPUs. */
    static List<String> cpusets(String value, String where) {
        List<String> out = new ArrayList<>();
        CpuSet online = onlineCpus();
        for (String item : value.split(";", -1)) {
            String i = item.strip();
            if (i.equals(Plan.Pinning.UNPINNED) || i.equals("unpinned")) {
                out.add(Plan.Pinning.UNPINNED);
                continue;
            }
            CpuSet set = CpuSet.parse(i, where);
            if (!online.containsAll(set)) {
                throw new UserException(where + ": CPU set " + set + " is not within this host's online CPUs " + online);
            }
            out.add(set.toString());
        }
        return out.stream().distinct().toList();
    }

    /** The host's online CPUs (/sys/devices/system/cpu/online), else 0..n-1. */
    static CpuSet onlineCpus() {
        try {
            return CpuSet.parse(Files.readString(Path.of("/sys/devices/system/cpu/online")), "online CPUs");
        } catch (IOException | UserException e) {
            List<Integer> l = new ArrayList<>();
            for (int i = 0; i < Runtime.getRuntime().availableProcessors(); i++) {
                l.add(i);
            }
            return new CpuSet(l);
        }
    }

    /** {@code --numa}: none, node:N or spread (checked against the host's nodes when the plan is built). */
    static String numa(String value, String where) {
        String v = value.strip();
        if (v.equals("none") || v.equals("spread") || v.matches("node:[0-9]{1,5}")) {
            return v.startsWith("node:") ? "node:" + Integer.parseInt(v.substring(5)) : v;
        }
        throw new UserException(where + ": '" + value + "' is not a NUMA placement (none, node:N or spread)");
    }

    /**
     * The placement of a plan on a host with {@code nodes} (node to CPU list; empty: no NUMA support, one node). On a
     * one-node host a NUMA setting is accepted and recorded as having no effect; node:N binds cases to the node's
     * CPUs (and must contain every pinned set) and memory; spread allocates from every node and binds no CPU.
     */
    static Plan.Pinning pinning(List<String> cpusets, String numa, java.util.SortedMap<Integer, String> nodes) {
        int count = Math.max(1, nodes.size());
        if (numa.equals("none")) {
            return new Plan.Pinning(cpusets, numa, null, null, null);
        }
        if (numa.startsWith("node:")) {
            int n = Integer.parseInt(numa.substring(5));
            if (!nodes.isEmpty() && !nodes.containsKey(n) || nodes.isEmpty() && n != 0) {
                throw new UserException("--numa " + numa + ": this host has no NUMA node " + n + " (nodes: "
                        + (nodes.isEmpty() ? "0" : String.join(", ", nodes.keySet().stream().map(String::valueOf).toList())) + ")");
            }
        }
        if (count == 1) {
            return new Plan.Pinning(cpusets, numa, "no effect: 1 NUMA node", null, null);
        }
        if (numa.equals("spread")) {
            String all = String.join(",", nodes.keySet().stream().map(String::valueOf).toList());
            return new Plan.Pinning(cpusets, numa, "memory from every node (" + all + "), CPUs not bound to a node", null, all);
        }
        int n = Integer.parseInt(numa.substring(5));
        CpuSet nodeCpus = CpuSet.parse(nodes.get(n), "NUMA node " + n);
        for (String s : cpusets) {
            if (!s.equals(Plan.Pinning.UNPINNED) && !nodeCpus.containsAll(CpuSet.parse(s, "--cpuset"))) {
                throw new UserException("--cpuset " + s + " is not within NUMA node " + n + "'s CPUs " + nodeCpus);
            }
        }
        return new Plan.Pinning(cpusets, numa, "CPUs " + nodeCpus + " and memory of node " + n, nodeCpus.toString(),
                Integer.toString(n));
    }

    /** A benchmark's parameters (defaults, then what was set), checked by the benchmark itself. */
    private Params resolve(String id) {
        Benchmark b = Benchmarks.byId(id).orElseThrow();
        Map<String, String> v = new LinkedHashMap<>();
        for (ParamSpec p : b.params()) {
            v.put(p.name(), p.validate(id, p.defaultValue()));
        }
        v.putAll(params.getOrDefault(id, Map.of()));
        Params p = new Params(v);
        b.cases(p); // a combination the benchmark cannot run (startup.readiness=http) is a usage error now, not mid-run
        b.repetitions(p);
        return p;
    }

    /** Benchmark ids and group names. */
    private static List<String> known() {
        List<String> k = new java.util.ArrayList<>(Benchmarks.ids());
        k.addAll(new java.util.TreeSet<>(Benchmarks.groups().keySet()));
        return k;
    }

    /** --benchmarks: ids, with group names expanded to their members. */
    private static List<String> benchmarkIds(String value, String where) {
        List<String> l = new java.util.ArrayList<>();
        for (String id : ids(value, known(), "benchmark", where)) {
            l.addAll(Benchmarks.groups().getOrDefault(id, List.of(id)));
        }
        return l.stream().distinct().toList();
    }

    private static List<String> ids(String value, List<String> known, String what, String where) {
        List<String> l = Arrays.stream(value.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
        if (l.isEmpty()) {
            throw new UserException(where + ": no " + what + " given");
        }
        for (String s : l) {
            if (!known.contains(s)) {
                throw new UserException(where + ": unknown " + what + " '" + s + "' (known: " + String.join(", ", known) + ")");
            }
        }
        return l.stream().distinct().toList();
    }

    /** Repetitions and warmups: a whole number in [min, {@link #MAX_COUNT}]. */
    private static int count(String value, String where, int min) {
        return (int) Units.parseWhole(value, where, min, MAX_COUNT);
    }

    private static Duration nonZero(Duration d, String where) {
        if (d.isZero()) {
            throw new UserException(where + ": must be longer than 0");
        }
        return d;
    }
}
