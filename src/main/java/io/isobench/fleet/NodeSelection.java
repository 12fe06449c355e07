package io.isobench.fleet;

import java.util.List;

/**
 * Which nodes a fleet run uses: explicit names ({@code --nodes a,b}), and/or a selector in the engine's own terms
 * ({@code --node-selector}: a Kubernetes label selector, a Slurm partition or feature constraint). Both empty: all.
 */
public record NodeSelection(List<String> names, String selector) {
    public NodeSelection {
        names = List.copyOf(names);
    }

    public static NodeSelection all() {
        return new NodeSelection(List.of(), null);
    }
}
