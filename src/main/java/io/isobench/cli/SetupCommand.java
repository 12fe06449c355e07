package io.isobench.cli;

import io.isobench.setup.Setup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/** `isobench setup`: install the Debian packages the runtimes and benchmarks need. */
@Command(name = "setup", mixinStandardHelpOptions = true,
        description = "Install missing packages for the runtimes and benchmarks with apt-get, and get the Docker engine ready (asks first).")
public final class SetupCommand implements Callable<Integer> {
    @Option(names = {"-y", "--yes"}, description = "do not ask")
    boolean yes;

    @Option(names = "--dry-run", description = "only say what would be installed")
    boolean dryRun;

    @Option(names = "--debug", description = "show stack traces of errors")
    boolean debug;

    @Override
    public Integer call() {
        if (dryRun) {
            Setup.dryRun(System.err);
            return 0;
        }
        return Setup.run(yes, System.err) ? 0 : 1;
    }
}
