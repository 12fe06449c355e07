package io.isobench.cli;

import io.isobench.store.Store;
import io.isobench.store.Stores;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

/** `isobench push RUN... --to URL`: copy runs, whole, from this store to another (a team's PostgreSQL, or back). */
@Command(name = "push", mixinStandardHelpOptions = true,
        description = {"Copy runs with their trials, samples, failures and raw outputs to another store, keeping their ids.",
                "Pushing a run the target already has changes nothing; a run that grew since (pushed while running) is replaced."})
public final class PushCommand implements Callable<Integer> {
    @Parameters(paramLabel = "RUN", arity = "1..*", description = "run ids, unique prefixes, or 'latest'")
    List<String> runs;

    @Option(names = "--to", required = true, paramLabel = "PATH|URL",
            description = "the target store: postgresql://user@host:port/db or a SQLite file (created when missing)")
    String to;

    @Mixin
    CommonOptions common;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (Store from = common.openStore(); Store target = Stores.open(to, Stores.Mode.CREATE)) {
            if (from.location().equals(target.location())) {
                throw new io.isobench.util.UserException("--to: " + target.location() + " is the store the runs come from");
            }
            List<String> ids = runs.stream().map(from::resolveRunId).distinct().toList();
            for (String id : ids) {
                Store.PushOutcome o = from.pushRun(id, target);
                out.printf("%s: %s%n", id, switch (o) {
                    case COPIED -> "copied to " + target.location();
                    case UNCHANGED -> "already in " + target.location() + ", unchanged";
                    case UPDATED -> "updated in " + target.location() + " (it had an earlier state of the run)";
                });
            }
            out.flush();
            return 0;
        }
    }
}
