package io.isobench.cli;

import io.isobench.setup.DockerEngine;
import io.isobench.setup.Installer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.concurrent.Callable;

/** `isobench setup`: install the Debian packages the runtimes and benchmarks need. */
@Command(name = "setup", mixinStandardHelpOptions = true,
        description = "Install missing packages for the runtimes and benchmarks with apt-get (asks first).")
public final class SetupCommand implements Callable<Integer> {
    @Option(names = {"-y", "--yes"}, description = "do not ask")
    boolean yes;

    @Option(names = "--dry-run", description = "only say what would be installed")
    boolean dryRun;

    @Option(names = "--debug", description = "show stack traces of errors")
    boolean debug;

    @Override
    public Integer call() {
        Installer inst = new Installer(System.err);
        List<Installer.Need> missing = inst.missing(Installer.defaultPackages());
        if (dryRun) {
            if (missing.isEmpty()) {
                System.err.println("isobench: nothing to install");
            }
            missing.forEach(n -> System.err.println("would install " + n.pkg() + " (" + n.why() + ")"));
            new DockerEngine(System.err).plan().forEach(s -> System.err.println("would " + s));
            return 0;
        }
        boolean ok = inst.ensure(Installer.defaultPackages(), yes);
        // the Docker engine step changes host state (a running daemon, daemon.json): only with --yes or a yes answer
        DockerEngine engine = new DockerEngine(System.err);
        List<String> steps = engine.plan();
        if (!steps.isEmpty()) {
            if (yes || Installer.confirm(System.err, "Docker engine: " + String.join("; ", steps) + ". Do it now?")) {
                ok &= engine.setUp();
            } else {
                System.err.println("isobench: not changing the Docker engine (isobench setup --yes does)");
            }
        }
        return ok ? 0 : 1;
    }
}
