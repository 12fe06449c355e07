package io.isobench.fleet;

import java.util.List;

/**
 * A cluster engine that runs one isobench node agent per selected node (a Kubernetes Job pinned to the node, a Slurm
 * batch job with {@code --exclusive --nodelist}). The engine only places and watches jobs; each node agent runs
 * {@code isobench run --fleet FLEET_ID --db TEAM_STORE …} and writes its own run to the team store, so progress and
 * results are read from the store, never from the engine. One implementation per engine, in its own package
 * ({@code fleet.slurm}, {@code fleet.kubernetes}), registered in {@link FleetEngines}.
 */
public interface FleetEngine extends AutoCloseable {

    /** The engine's id as given to {@code fleet run --engine} ("slurm", "kubernetes"). */
    String id();

    /**
     * The nodes the selection names, each with whether the engine would schedule on it now and, if not, why. An
     * empty selection means every schedulable node. A selection naming a node the engine does not know is a
     * {@link io.isobench.util.UserException}.
     */
    List<FleetNode> nodes(NodeSelection selection) throws FleetException;

    /**
     * What {@link #submit} would create for this node, exactly, for {@code --dry-run} and for the log: Kubernetes
     * objects as YAML, a Slurm batch script with its sbatch argv. Touches nothing.
     */
    String render(FleetJob job, FleetNode node);

    /** Places the node's job; returns the engine's name for it. Nothing of the fleet is on the node before this. */
    String submit(FleetJob job, FleetNode node) throws FleetException;

    /**
     * The current state of every job of this fleet the engine still knows (by the fleet's label or job name), with
     * {@link NodeJobState#jobName()} the name {@link #submit} returned for it.
     */
    List<NodeJobState> jobs(String fleetId) throws FleetException;

    /**
     * Removes every job, pod and object of the fleet from the cluster (running ones are stopped) and returns a line
     * per thing removed; afterwards {@link #jobs} lists none of them PENDING or RUNNING (an engine that keeps finished
     * jobs' records, like Slurm's squeue for MinJobAge, may still list them as FAILED). Idempotent.
     */
    List<String> cancel(String fleetId) throws FleetException;

    /**
     * The end of what the node's job {@code job} printed (for a failed node's reason), or null when the engine kept
     * nothing of it (not started, its output already gone). Touches nothing.
     */
    default JobOutput output(String fleetId, String node, String job) throws FleetException {
        return null;
    }

    @Override
    default void close() {
    }
}
