package io.isobench.fleet;

import java.time.Duration;
import java.util.List;

/**
 * What every node runs: {@code isobench run --fleet fleetId --db storeUrl runArgs…}. {@code runArgs} are the user's
 * usual run options, already validated locally (the plan is loaded before anything is submitted). {@code storeUrl}
 * is the team store as shown (no password: nodes take credentials from their environment, a Kubernetes Secret or
 * ~/.pgpass, never from the job's text). {@code deadline} bounds each node's job (Kubernetes
 * activeDeadlineSeconds, Slurm --time).
 */
public record FleetJob(String fleetId, List<String> runArgs, String storeUrl, Duration deadline) {
    public FleetJob {
        runArgs = List.copyOf(runArgs);
    }

    /** The node agent's argv after the isobench launcher, without the node (for the fleet's record). */
    public List<String> agentArgs() {
        List<String> a = new java.util.ArrayList<>(List.of("run", "--fleet", fleetId, "--db", storeUrl));
        a.addAll(runArgs);
        return List.copyOf(a);
    }

    /**
     * The node agent's argv after the isobench launcher on {@code node}: its run is tagged with the fleet and the
     * node's name as the engine knows it ({@code run --fleet-node}), so status finds it whatever the node's hostname.
     */
    public List<String> agentArgs(String node) {
        List<String> a = new java.util.ArrayList<>(List.of("run", "--fleet", fleetId, "--fleet-node", node, "--db", storeUrl));
        a.addAll(runArgs);
        return List.copyOf(a);
    }

    /** The engine's name for the fleet's jobs (Slurm job name, Kubernetes label value): "isobench-" + fleet id. */
    public String jobName() {
        return "isobench-" + fleetId;
    }
}
