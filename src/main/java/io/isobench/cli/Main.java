package io.isobench.cli;

import io.isobench.bench.Benchmark;
import io.isobench.bench.ParamSpec;
import io.isobench.bench.registry.Benchmarks;
import io.isobench.plan.Defaults;
import io.isobench.util.UserException;
import io.isobench.util.Version;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.util.Arrays;

/** Entry point: picocli dispatch, one-line errors with exit code 2 for user mistakes, stack traces only with --debug. */
@Command(name = "isobench", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        description = "Measures what isolation costs: the same workloads natively, in containers, sandboxes and VMs.",
        subcommands = {DoctorCommand.class, RunCommand.class, StudyCommand.class, SetupCommand.class, CompareCommand.class, ReportCommand.class, ExportCommand.class,
                ListCommand.class, ShowCommand.class, PushCommand.class, FleetCommand.class, CacheCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    public static final int EXIT_USAGE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        io.isobench.proc.SpawnMode.init(); // before the first process: see SpawnMode
        int code = execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true));
        System.exit(code);
    }

    /** Runs the CLI with the given writers (tests capture them). */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        boolean debug = Arrays.asList(args).contains("--debug");
        CommandLine cl = commandLine();
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler((ex, a) -> {
            String name = ex.getCommandLine().getCommandName();
            err.println("isobench: " + oneLine(ex.getMessage()) + (debug ? ""
                    : " (see 'isobench " + (name.equals("isobench") ? "" : name + " ") + "--help')"));
            if (debug) {
                ex.printStackTrace(err);
            }
            return EXIT_USAGE;
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> {
            Throwable t = ex;
            if (t instanceof io.isobench.store.Store.StoreException) {
                // the store failed underneath (server stopped, disk full): one line, committed trials stay
                err.println("isobench: " + t.getMessage());
                if (debug) {
                    t.printStackTrace(err);
                }
                return 1;
            }
            if (t instanceof UserException) {
                err.println("isobench: " + oneLine(t.getMessage()));
                if (debug) {
                    t.printStackTrace(err);
                }
                return EXIT_USAGE;
            }
            err.println("isobench: error: " + t + (debug ? "" : " (run with --debug for details)"));
            if (debug) {
                t.printStackTrace(err);
            }
            return 1;
        });
        return cl.execute(args);
    }

    /** A message as one line (a user error is one line on stderr). */
    static String oneLine(String m) {
        return String.valueOf(m).strip().replaceAll("\\s*\\R\\s*", "; ");
    }

    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setUsageHelpWidth(110);
        cl.getSubcommands().get("run").getCommandSpec().usageMessage().footer(benchmarkHelp());
        return cl;
    }

    /**
     * The benchmarks, their parameters and defaults, for `run --help`. picocli formats a footer as a format string:
     * every '%' of the text (e.g. "CPU %") is doubled here.
     */
    static String benchmarkHelp() {
        String nl = System.lineSeparator();
        StringBuilder sb = new StringBuilder(nl + "Defaults: repetitions " + Defaults.REPETITIONS + ", warmups "
                + Defaults.WARMUPS + ", cooldown " + Defaults.COOLDOWN.toSeconds() + "s, every available runtime, baseline "
                + Defaults.BASELINE + ", limits: all host CPUs and " + Defaults.MEMORY_LIMIT + " memory per sandbox." + nl
                + nl + "Benchmarks and their parameters (set with --set BENCH.PARAM=VALUE or under params: in a plan file):" + nl);
        for (Benchmark b : Benchmarks.all()) {
            sb.append(nl).append("  ").append(b.id()).append(" - ").append(b.description())
                    .append(b.runByDefault() ? "" : " (opt-in: only with --benchmarks " + b.id() + ")").append(nl);
            for (ParamSpec p : b.params()) {
                sb.append(String.format("    %-12s default %-8s %s", p.name(), p.defaultValue(),
                        p.description() + (p.choices().isEmpty() ? "" : " {" + String.join(",", p.choices()) + "}"))).append(nl);
            }
        }
        return sb.toString().replace("%", "%%");
    }

    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[]{"isobench " + Version.get()};
        }
    }
}
