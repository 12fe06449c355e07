package io.isobench.fleet;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What every node runs: {@code isobench run --fleet fleetId --db storeUrl [--plan FILE] runArgs…}. {@code runArgs} are
 * the user's usual run options, already validated locally (the plan is loaded before anything is submitted).
 * {@code storeUrl} is the team store as shown (no password: nodes take credentials from their environment, a
 * Kubernetes Secret or ~/.pgpass, never from the job's text). {@code deadline} bounds each node's job (Kubernetes
 * activeDeadlineSeconds, Slurm --time). {@code plan}: the text of the user's plan file, which the engine carries to
 * every node itself (a Slurm job's script, a Kubernetes ConfigMap), since nodes need not see this host's files; null
 * when none was given.
 */
public record FleetJob(String fleetId, List<String> runArgs, String storeUrl, Duration deadline, PlanText plan) {
    /** At most this many bytes of plan file: it travels in a batch script or a ConfigMap (1 MiB at most). */
    public static final int MAX_PLAN_BYTES = 256 * 1024;

    /** A plan file's text and where it was read from here (for the fleet's record). */
    public record PlanText(String source, String text) {
        public PlanText {
            if (text.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("a plan file with a NUL byte");
            }
            if (text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_PLAN_BYTES) {
                throw new IllegalArgumentException("a plan file over " + MAX_PLAN_BYTES + " bytes");
            }
        }
    }

    public FleetJob {
        runArgs = List.copyOf(runArgs);
    }

    public FleetJob(String fleetId, List<String> runArgs, String storeUrl, Duration deadline) {
        this(fleetId, runArgs, storeUrl, deadline, null);
    }

    /** The node agent's argv after the isobench launcher, without the node (for the fleet's record). */
    public List<String> agentArgs() {
        List<String> a = new ArrayList<>(List.of("run", "--fleet", fleetId, "--db", storeUrl));
        if (plan != null) {
            a.add("--plan");
            a.add(plan.source());
        }
        a.addAll(runArgs);
        return List.copyOf(a);
    }

    /**
     * The node agent's argv after the isobench launcher on {@code node}: its run is tagged with the fleet and the
     * node's name as the engine knows it ({@code run --fleet-node}), so status finds it whatever the node's hostname.
     * Without a plan file.
     */
    public List<String> agentArgs(String node) {
        return agentArgs(node, null);
    }

    /**
     * {@link #agentArgs(String)} with {@code --plan planPath}: where the engine puts the plan's text on the node (null:
     * no --plan, also when the job has no plan).
     */
    public List<String> agentArgs(String node, String planPath) {
        List<String> a = new ArrayList<>(List.of("run", "--fleet", fleetId, "--fleet-node", node, "--db", storeUrl));
        if (plan != null && planPath != null) {
            a.add("--plan");
            a.add(planPath);
        }
        a.addAll(runArgs);
        return List.copyOf(a);
    }

    /** The engine's name for the fleet's jobs (Slurm job name, Kubernetes label value): "isobench-" + fleet id. */
    public String jobName() {
        return "isobench-" + fleetId;
    }
}
