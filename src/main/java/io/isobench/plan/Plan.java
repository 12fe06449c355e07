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
 */
public record Plan(List<String> runtimes, List<String> benchmarks, int repetitions, int warmups, Duration cooldown,
                   Duration timeout, String baseline, Limits limits, Map<String, Params> params, String preset,
                   Adaptive adaptive, String subnet, String runscBinary) {

    public Plan(List<String> runtimes, List<String> benchmarks, int repetitions, int warmups, Duration cooldown,
                Duration timeout, String baseline, Limits limits, Map<String, Params> params, String preset, Adaptive adaptive,
                String subnet) {
        this(runtimes, benchmarks, repetitions, warmups, cooldown, timeout, baseline, limits, params, preset, adaptive, subnet, null);
    }

    public Plan(List<String> runtimes, List<String> benchmarks, int repetitions, int warmups, Duration cooldown,
                Duration timeout, String baseline, Limits limits, Map<String, Params> params, String preset, Adaptive adaptive) {
        this(runtimes, benchmarks, repetitions, warmups, cooldown, timeout, baseline, limits, params, preset, adaptive, null);
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
