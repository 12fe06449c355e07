package io.isobench.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

/** `isobench fleet run|status|cancel`: one study across the nodes of a cluster engine (Slurm, Kubernetes). */
@Command(name = "fleet", mixinStandardHelpOptions = true,
        description = {"Run one study on many nodes of a cluster engine (Slurm, Kubernetes): one isobench job per node,",
                "every node's run in one team store, one report over all of them."},
        subcommands = {FleetRunCommand.class, FleetStatusCommand.class, FleetCancelCommand.class})
public final class FleetCommand implements Runnable {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
