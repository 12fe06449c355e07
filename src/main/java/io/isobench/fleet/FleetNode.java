package io.isobench.fleet;

/** A node as the engine reports it: its name (Kubernetes node name, Slurm NodeName) and whether it can take a job now. */
public record FleetNode(String name, boolean schedulable, String reason) {
}
