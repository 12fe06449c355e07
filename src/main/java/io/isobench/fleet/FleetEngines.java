package io.isobench.fleet;

import io.isobench.util.UserException;

import java.util.List;

/** Every fleet engine isobench knows; {@code fleet run --engine ID} picks one. One line per engine. */
public final class FleetEngines {
    private FleetEngines() {
    }

    /** Engine ids, in the order help lists them. */
    public static List<String> ids() {
        return List.of("slurm", "kubernetes");
    }

    /** The engine with this id, connected with the engine's usual configuration (kubeconfig, Slurm's own). */
    public static FleetEngine open(String id) {
        return open(id, null);
    }

    /**
     * As {@link #open(String)}; {@code jobOutput}: where Slurm jobs write their output (DIR/FLEET_ID/NODE.out; null:
     * the default, {@link io.isobench.fleet.slurm.SlurmEngine#defaultOutputDir}). Kubernetes keeps pod logs instead.
     */
    public static FleetEngine open(String id, java.nio.file.Path jobOutput) {
        if (id.equals("slurm")) {
            return new io.isobench.fleet.slurm.SlurmEngine(jobOutput);
        }
        if (id.equals("kubernetes")) {
            return io.isobench.fleet.kubernetes.KubernetesEngine.fromEnvironment();
        }
        throw new UserException("unknown fleet engine '" + id + "' (known: " + String.join(", ", ids()) + ")");
    }
}
