package io.isobench.cli;

import io.isobench.setup.Setup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** `isobench study`: the one-command first answer — install what is missing, then a quick run of every usable runtime. */
@Command(name = "study", mixinStandardHelpOptions = true,
        description = {"Install what is missing (asks first; --yes to skip the question), then run the quick plan",
                "over every usable runtime and print what each costs against native."})
public final class StudyCommand implements Callable<Integer> {
    @Option(names = {"-y", "--yes"}, description = "install missing packages without asking")
    boolean yes;

    @Option(names = "--no-install", description = "do not install anything; use what is there")
    boolean noInstall;

    @Option(names = "--json", description = "print the run as JSON on stdout")
    boolean json;

    @Mixin
    RunOptions options;

    @Mixin
    CommonOptions common;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        // every input is checked before anything is installed
        var plan = options.build("quick");
        common.validate();
        if (!noInstall) {
            Setup.run(yes, System.err);
        }
        return RunCommand.execute(plan, json, false, common, spec.commandLine().getOut());
    }
}
