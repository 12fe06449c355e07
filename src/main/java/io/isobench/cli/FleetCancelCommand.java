package io.isobench.cli;

import io.isobench.fleet.FleetEngine;
import io.isobench.fleet.FleetEngines;
import io.isobench.fleet.FleetService;
import io.isobench.store.Store;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;

/** `isobench fleet cancel ID`: removes the fleet's jobs from the cluster and marks its unfinished runs interrupted. */
@Command(name = "cancel", mixinStandardHelpOptions = true,
        description = {"Cancel a fleet: its jobs are removed from the cluster (a running node agent is stopped and cleans up),",
                "its unfinished runs are marked interrupted (their samples stay; 'run --resume' on the node finishes one)."})
public final class FleetCancelCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FLEET_ID", description = "a fleet id, a unique prefix of one, or 'latest'")
    String fleetId;

    @Mixin
    CommonOptions common;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (Store store = common.openExistingStore()) {
            Store.FleetRow f = store.loadFleet(fleetId);
            FleetService.Cancelled c;
            try (FleetEngine engine = FleetEngines.open(f.engine())) {
                c = new FleetService(engine, store, System.err, Duration.ofSeconds(5)).cancel(f.id(), "cancelled");
            }
            c.lines().forEach(out::println);
            if (c.engineError() != null) {
                out.flush();
                System.err.println("isobench: fleet " + f.id() + ": jobs may be left on " + f.engine() + ": " + c.engineError());
                return 1;
            }
            out.printf("fleet %s cancelled: no job of it is left on %s%n", f.id(), f.engine());
            return 0;
        }
    }
}
