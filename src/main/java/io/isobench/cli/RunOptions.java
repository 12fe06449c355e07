package io.isobench.cli;

import io.isobench.plan.Plan;
import io.isobench.plan.PlanLoader;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The plan-shaping options of `run` and `study`; layered over defaults, preset and plan file. */
public final class RunOptions {
    @Option(names = "--runtimes", paramLabel = "A,B", description = "runtimes to measure (default: every available one)")
    String runtimes;

    @Option(names = "--benchmarks", paramLabel = "X,Y", description = "benchmarks to run (default: cpu,memory; the others only when named)")
    String benchmarks;

    @Option(names = "--repetitions", paramLabel = "N|auto[:MAX]",
            description = "measured repetitions per runtime and case (default 5); auto: at least 5, then until the "
                    + "95%% CI of every runtime's median is within --ci-target, at most MAX (default 30)")
    String repetitions;

    @Option(names = "--ci-target", paramLabel = "PERCENT", description = "CI half-width target of --repetitions auto (default 2%%)")
    String ciTarget;

    @Option(names = "--warmups", paramLabel = "N", description = "warmup repetitions, stored but never in statistics (default 1)")
    String warmups;

    @Option(names = "--cooldown", paramLabel = "DURATION", description = "pause between trials, e.g. 5s (default 5s)")
    String cooldown;

    @Option(names = "--timeout", paramLabel = "DURATION",
            description = "per-trial timeout (default auto: 3 x the trial's expected time + 60s)")
    String timeout;

    @Option(names = "--baseline", paramLabel = "RUNTIME", description = "runtime costs are measured against (default native)")
    String baseline;

    @Option(names = "--cpus", paramLabel = "N", description = "CPU limit per sandbox (default: all host CPUs)")
    String cpus;

    @Option(names = "--memory", paramLabel = "SIZE", description = "memory limit per sandbox (default 2G)")
    String memory;

    @Option(names = "--subnet", paramLabel = "CIDR", description = "IPv4 block (a /23 or larger) for sandbox network "
            + "addresses (default 198.18.0.0/15, reserved for benchmarking); a block overlapping the host's addresses or "
            + "routes stops the run")
    String subnet;

    @Option(names = "--runsc-binary", paramLabel = "PATH", description = "your own runsc executable, run beside the "
            + "installed one as runsc@<its version> (plan key runsc.binary; version, source and sha256 are recorded)")
    String runscBinary;

    @Option(names = "--cpuset", paramLabel = "CPUS|none", description = "pin every sandbox (natively: taskset; VMs: "
            + "every vCPU thread) to these host CPUs, e.g. 0-1; repeat it to measure each case once per set, "
            + "e.g. --cpuset none --cpuset 0-1 (default none: unpinned)")
    List<String> cpusets = new ArrayList<>();

    @Option(names = "--numa", paramLabel = "none|node:N|spread", description = "NUMA placement: node:N binds CPUs and "
            + "memory to node N, spread uses every node (default none); on a one-node host recorded as having no effect")
    String numa;

    @Option(names = "--plan", paramLabel = "FILE", description = "YAML plan file (flags override it)")
    Path plan;

    @Option(names = "--set", paramLabel = "BENCH.PARAM=VALUE", description = "set a benchmark parameter, e.g. --set cpu.time=5s")
    List<String> sets = new ArrayList<>();

    /** Whether any plan option was given (run --resume takes none). */
    boolean given() {
        return runtimes != null || benchmarks != null || repetitions != null || ciTarget != null || warmups != null
                || cooldown != null || timeout != null || baseline != null || cpus != null || memory != null
                || plan != null || !sets.isEmpty() || runscBinary != null || subnet != null || !cpusets.isEmpty() || numa != null;
    }

    /**
     * The given plan options as `run` arguments, for a fleet's node agents (a plan file is not among them: nodes do
     * not see this host's files, so the fleet's engine carries its text and adds --plan with the node's path).
     */
    List<String> args() {
        List<String> a = new ArrayList<>();
        String[][] given = {{"--runtimes", runtimes}, {"--benchmarks", benchmarks}, {"--repetitions", repetitions},
                {"--ci-target", ciTarget}, {"--warmups", warmups}, {"--cooldown", cooldown}, {"--timeout", timeout},
                {"--baseline", baseline}, {"--cpus", cpus}, {"--memory", memory}, {"--subnet", subnet}};
        for (String[] o : given) {
            if (o[1] != null) {
                a.add(o[0]);
                a.add(o[1]);
            }
        }
        for (String c : cpusets) {
            a.add("--cpuset");
            a.add(c);
        }
        if (numa != null) {
            a.add("--numa");
            a.add(numa);
        }
        for (String s : sets) {
            a.add("--set");
            a.add(s);
        }
        return a;
    }

    Plan build(String preset) {
        PlanLoader l = new PlanLoader().preset(preset);
        if (plan != null) {
            l.file(plan);
        }
        top(l, "runsc.binary", runscBinary); // first: it adds runsc@<version> runtimes that --runtimes may name
        top(l, "runtimes", runtimes);
        top(l, "benchmarks", benchmarks);
        top(l, "repetitions", repetitions);
        top(l, "ci_target", ciTarget);
        top(l, "warmups", warmups);
        top(l, "cooldown", cooldown);
        top(l, "timeout", timeout);
        top(l, "baseline", baseline);
        top(l, "limits.cpus", cpus);
        top(l, "limits.memory", memory);
        top(l, "subnet", subnet);
        if (!cpusets.isEmpty()) {
            l.top("cpuset", String.join(";", cpusets), "--cpuset");
        }
        top(l, "numa", numa);
        for (String s : sets) {
            l.set(s, "--set");
        }
        return l.build();
    }

    private static void top(PlanLoader l, String key, String value) {
        if (value != null) {
            l.top(key, value, "--" + (key.startsWith("limits.") ? key.substring(7) : key).replace('_', '-').replace('.', '-'));
        }
    }
}
