package io.isobench.plan;

import io.isobench.bench.Params;
import io.isobench.runtime.Limits;
import io.isobench.util.Units;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The effective settings of one run, after layering defaults < preset < plan file < command line. Stored
 * with the run as JSON ({@link #toMap()}), so a run can be repeated and two runs compared.
 *
 * @param runtimes     runtime ids; empty means every available runtime
 * @param timeout      per-trial timeout; null means automatic (3 x expected duration + 60 s)
 * @param params       per benchmark, every parameter resolved (defaults filled in)
 * @param subnet       the IPv4 block sandbox networks take addresses from; null means the default (198.18.0.0/15)
 * @param runscBinary  a user's own runsc executable (absolute path), run beside the installed one as
 *                     {@code runsc@<version>}; null for none (then {@code ISOBENCH_RUNSC}, if set)
 * @param pinning      where sandboxes run (CPU sets, NUMA placement); {@link Pinning#NONE} by default
 */
public record Plan(List<String> runtimes, List<String> benchmarks, int repetitions, int warmups, Duration cooldown,
                   Duration timeout, String baseline, Limits limits, Map<String, Params> params, String preset,
                   Adaptive adaptive, String subnet, String runscBinary, Pinning pinning) {

    public Plan(List<String> runtimes, List<String> benchmarks, int repetitions, int warmups, Duration cooldown,
                Duration timeout, String baseline, Limits limits, Map<String, Params> params, String preset, Adaptive adaptive) {
        this(runtimes, benchmarks, repetitions, warmups, cooldown, timeout, baseline, limits, params, preset, adaptive,
                null, null, Pinning.NONE);
    }

    public Plan(List<String> runtimes, List<String> benchmarks, int repetitions, int warmups, Duration cooldown,
                Duration timeout, String baseline, Limits limits, Map<String, Params> params, String preset,
                Adaptive adaptive, String subnet) {
        this(runtimes, benchmarks, repetitions, warmups, cooldown, timeout, baseline, limits, params, preset, adaptive,
                subnet, null, Pinning.NONE);
    }

    /** The case key that holds a pinned case's CPU set (absent: unpinned, so unpinned cases keep their old keys). */
    public static final String CPUSET_KEY = "cpuset";
    /** The case key that holds a NUMA placement that had an effect (absent on a single-node host). */
    public static final String NUMA_KEY = "numa";

    /**
     * Where sandboxes run ({@code --cpuset}, {@code --numa}).
     *
     * @param cpusets    {@link #UNPINNED} and/or canonical CPU lists; each benchmark case runs once per item, a pinned
     *                   one with {@link #CPUSET_KEY} in its parameters (so pinned and unpinned are separate cases)
     * @param numa       {@code none}, {@code node:N} or {@code spread}, as asked
     * @param numaEffect what the NUMA setting did ("no effect: 1 NUMA node", "CPUs 0-7 and memory of node 0", ...)
     * @param numaCpus   node:N on a multi-node host: the node's CPUs (cases are pinned to them); else null
     * @param numaMems   the memory nodes sandboxes allocate from; null: any (the default and every single-node host)
     */
    public record Pinning(List<String> cpusets, String numa, String numaEffect, String numaCpus, String numaMems) {
        public static final String UNPINNED = "none";
        public static final Pinning NONE = new Pinning(List.of(UNPINNED), "none", null, null, null);

        public Pinning {
            cpusets = List.copyOf(cpusets);
        }

        /** Whether anything differs from the default (unpinned, no NUMA setting). */
        public boolean isDefault() {
            return cpusets.equals(List.of(UNPINNED)) && numa.equals("none");
        }

        /**
         * Every case of a benchmark under this plan's placements: each case once per CPU set (unpinned ones unchanged),
         * with the NUMA placement when it has an effect.
         */
        public List<Params> expand(List<Params> cases) {
            List<Params> out = new java.util.ArrayList<>();
            for (Params c : cases) {
                for (String set : cpusets) {
                    Params x = set.equals(UNPINNED) ? c : c.with(CPUSET_KEY, set);
                    out.add(numaCpus != null || numaMems != null ? x.with(NUMA_KEY, numa) : x);
                }
            }
            return out;
        }

        /** The limits of one expanded case: pinned to its CPU set (or its NUMA node's CPUs), memory from numaMems. */
        public Limits limits(Limits base, Params expandedCase) {
            String set = expandedCase.values().get(CPUSET_KEY);
            if (set == null) {
                set = numaCpus;
            }
            if (set == null && numaMems == null) {
                return base;
            }
            return base.pinned(set == null ? null : io.isobench.util.CpuSet.parse(set, CPUSET_KEY), numaMems);
        }

        /** The benchmark's own parameters of an expanded case (without the placement keys). */
        public static Params benchmarkParams(Params expandedCase) {
            return expandedCase.without(CPUSET_KEY).without(NUMA_KEY);
        }

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("cpuset", cpusets);
            m.put("numa", numa);
            if (numaEffect != null) {
                m.put("numa_effect", numaEffect);
            }
            return m;
        }
    }

    /**
     * Adaptive repetitions ({@code --repetitions auto[:max]}): after {@code min} repetitions, keep adding rounds
     * until the 95 % CI half-width of every runtime's median (first metric of the benchmark) is within
     * {@code ciTarget} of the median, or {@code max} is reached. Null when repetitions are fixed.
     */
    public record Adaptive(int min, int max, double ciTarget) {
    }

    /** Measured rounds to plan for (the maximum when adaptive). */
    public int maxRepetitions() {
        return adaptive == null ? repetitions : adaptive.max();
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("preset", preset);
        m.put("runtimes", runtimes);
        m.put("benchmarks", benchmarks);
        m.put("repetitions", adaptive == null ? repetitions : "auto:" + adaptive.max());
        if (adaptive != null) {
            m.put("adaptive", Map.of("min", adaptive.min(), "max", adaptive.max(), "ci_target", adaptive.ciTarget()));
        }
        m.put("warmups", warmups);
        m.put("cooldown", Units.formatDuration(cooldown));
        m.put("timeout", timeout == null ? "auto" : Units.formatDuration(timeout));
        m.put("baseline", baseline);
        m.put("limits", limits.toMap());
        if (subnet != null) {
            m.put("subnet", subnet);
        }
        if (runscBinary != null) {
            m.put("runsc", Map.of("binary", runscBinary));
        }
        if (!pinning.isDefault()) {
            m.put("placement", pinning.toMap());
        }
        Map<String, Object> p = new LinkedHashMap<>();
        params.forEach((b, v) -> p.put(b, v.values()));
        m.put("params", p);
        return m;
    }

    /** The per-trial timeout for a case expected to take {@code expected}. */
    public Duration trialTimeout(Duration expected) {
        return timeout != null ? timeout : expected.multipliedBy(3).plusSeconds(60);
    }
}
