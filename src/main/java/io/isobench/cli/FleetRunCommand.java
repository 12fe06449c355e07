package io.isobench.cli;

import io.isobench.fleet.FleetEngine;
import io.isobench.fleet.FleetEngines;
import io.isobench.fleet.FleetException;
import io.isobench.fleet.FleetJob;
import io.isobench.fleet.FleetNode;
import io.isobench.fleet.FleetService;
import io.isobench.fleet.NodeSelection;
import io.isobench.plan.Plan;
import io.isobench.proc.Cleanup;
import io.isobench.report.ReportRun;
import io.isobench.report.ReportWriter;
import io.isobench.store.Store;
import io.isobench.store.StoreLocation;
import io.isobench.store.Stores;
import io.isobench.util.Units;
import io.isobench.util.UserException;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * `isobench fleet run`: the same plan on every selected node, one node agent job per node through the engine, every
 * run in the team store; progress per node, then one report over all the nodes' runs.
 */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run the plan on every selected node of a cluster engine: one isobench job per node (a quiet node:",
                "nothing else of isobench on it), each writing its run to the team store (--db, PostgreSQL); per-node",
                "progress, then a report over all the nodes' runs. Ctrl-C cancels the fleet."})
public final class FleetRunCommand implements Callable<Integer> {
    @Option(names = "--engine", required = true, paramLabel = "ENGINE", description = "slurm or kubernetes")
    String engine;

    @Option(names = "--nodes", paramLabel = "A,B", split = ",", description = "these nodes (default: every node the engine can schedule on)")
    List<String> nodes = new ArrayList<>();

    @Option(names = "--node-selector", paramLabel = "S", description = "nodes by the engine's own terms: a Kubernetes "
            + "label selector; a Slurm partition, or feature=F")
    String selector;

    static final class Mode {
        @Option(names = "--parallel", description = "every node's job at once (the default: each node is quiet, the nodes run side by side)")
        boolean parallel;

        @Option(names = "--one-at-a-time", description = "the next node's job when the previous one ended (for nodes that "
                + "share something a measurement would feel: a network, storage, power)")
        boolean oneAtATime;
    }

    @ArgGroup(exclusive = true)
    Mode mode;

    @Option(names = "--quick", description = "the quick preset of 'study' on every node; flags still override")
    boolean quick;

    @Option(names = "--preset", paramLabel = "NAME", description = "a named preset on every node, as 'run --preset' "
            + "(quick, ml-paper); the plan file and flags still override")
    String preset;

    @Option(names = "--time", paramLabel = "DURATION", description = "each node's job limit on the engine (Slurm --time, "
            + "Kubernetes activeDeadlineSeconds; default: twice the plan's estimate + 30 min)")
    String time;

    @Option(names = "--shared-db-file", description = "accept a SQLite --db: every node sees this file at the same path "
            + "(a shared file system); without it a fleet needs a PostgreSQL store")
    boolean sharedDbFile;

    @Option(names = "--dry-run", description = "print what each node would get (the engine's job, exactly); submit nothing, touch no database")
    boolean dryRun;

    @Option(names = {"-o", "--out"}, paramLabel = "FILE", description = "write the report over all nodes' runs to FILE (format "
            + "from its extension, as 'report'); default: Markdown on stdout")
    String out;

    @Option(names = "--job-output", paramLabel = "DIR", description = "Slurm: where each node's job writes its output, "
            + "DIR/FLEET_ID/NODE.out (a directory you own that the nodes see, e.g. in a shared home; default "
            + "~/.local/share/isobench/fleet); a failed node's last lines are shown with its reason")
    java.nio.file.Path jobOutput;

    @Option(names = "--poll", paramLabel = "DURATION", defaultValue = "5s",
            description = "how often the engine and the store are read for progress (default 5s, at least 1s): each "
                    + "poll is one engine listing of the fleet's jobs and two store queries, whatever the node count")
    String poll;

    @Mixin
    RunOptions options;

    @Mixin
    CommonOptions common;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter stdout = spec.commandLine().getOut();
        // everything the user gave is checked here, before anything is submitted
        if (quick && preset != null && !preset.equals("quick")) {
            throw new UserException("--quick and --preset " + preset + " are two presets: give one");
        }
        String presetName = quick ? "quick" : preset == null ? "default" : preset;
        Plan plan = options.build(presetName); // the plan file, preset and flags as each node will load them
        FleetJob.PlanText planText = options.plan == null ? null : planText(options.plan);
        List<String> runArgs = new ArrayList<>(quick ? List.of("--quick")
                : preset != null ? List.of("--preset", preset) : List.of());
        runArgs.addAll(options.args());
        Duration pollEvery = Units.parseDuration(poll, "--poll");
        if (pollEvery.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new UserException("--poll: at least 1s (every poll asks the engine and the store): '" + poll + "'");
        }
        Duration deadline = time != null ? Units.parseDuration(time, "--time")
                : DryRun.expected(plan).multipliedBy(2).plus(Duration.ofMinutes(30));
        StoreLocation loc = StoreLocation.parse(common.db == null ? Stores.defaultLocation() : common.db);
        checkStore(loc);
        boolean parallel = mode == null || !mode.oneAtATime;
        String fleetId = FleetService.newFleetId();
        FleetJob job = new FleetJob(fleetId, runArgs, loc.display(), deadline, planText);
        try (FleetEngine eng = FleetEngines.open(engine, jobOutput == null ? null : jobOutput.toAbsolutePath())) {
            List<FleetNode> picked;
            String unchecked = null;
            try {
                picked = pick(eng);
            } catch (UserException e) {
                if (!dryRun || nodes.isEmpty()) {
                    throw e;
                }
                // a reviewer without access to the cluster still reads what each named node would get
                unchecked = e.getMessage();
                picked = nodes.stream().map(n -> new FleetNode(n, true, null)).toList();
            }
            if (dryRun) {
                stdout.printf("# isobench fleet run --dry-run: nothing is submitted and no database is touched; fleet id "
                        + "%s is an example%n", fleetId);
                if (unchecked != null) {
                    stdout.printf("# the engine could not be asked (%s): the nodes named by --nodes are rendered unchecked, "
                            + "with the engine's defaults where it would have answered (e.g. the namespace)%n", unchecked);
                }
                for (FleetNode n : picked) {
                    stdout.printf("%n# ---- node %s ----%n%s", n.name(), eng.render(job, n));
                }
                stdout.flush();
                return 0;
            }
            try (Store store = common.openStore()) {
                System.err.printf("isobench: fleet %s: %d node(s) on %s (%s), runs into %s%n", fleetId, picked.size(),
                        eng.id(), parallel ? "all at once" : "one at a time", store.location());
                FleetService svc = new FleetService(eng, store, System.err, pollEvery);
                FleetService.Outcome o = svc.run(job, picked, parallel, new io.isobench.host.HostProbe().hostname());
                if (Cleanup.shuttingDown()) {
                    return 130;
                }
                System.err.printf("isobench: fleet %s %s%n", fleetId, o.cancelled() ? "was cancelled"
                        : o.allOk() ? "completed on every node" : "ended; failed nodes: "
                        + String.join(", ", o.nodes().stream().filter(n -> !n.ok()).map(FleetService.NodeOutcome::node).toList()));
                PrintWriter err = new PrintWriter(System.err, true);
                FleetStatusCommand.print(err, svc.status(store.loadFleet(fleetId)));
                report(store, o.runIds(), stdout);
                return o.allOk() ? 0 : 1;
            }
        }
    }

    /**
     * The plan file's text, which the engine carries to every node (nodes need not see this host's files): at most
     * {@link FleetJob#MAX_PLAN_BYTES}, UTF-8, no NUL byte. It was loaded (validated) by {@code options.build} already.
     */
    static FleetJob.PlanText planText(Path file) {
        try {
            if (Files.size(file) > FleetJob.MAX_PLAN_BYTES) {
                throw new UserException("--plan " + file + ": over " + FleetJob.MAX_PLAN_BYTES / 1024 + " KiB (it travels "
                        + "in each node's job)");
            }
            String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
            return new FleetJob.PlanText(file.toAbsolutePath().normalize().toString(), text);
        } catch (IOException e) {
            throw new UserException("--plan: cannot read " + file + ": " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new UserException("--plan " + file + ": " + e.getMessage());
        }
    }

    /** The team store must be one every node reaches, and its password must reach them another way than the job's text. */
    private void checkStore(StoreLocation loc) {
        if (!loc.isPostgres()) {
            if (!sharedDbFile) {
                throw new UserException("--db: a fleet needs a store every node writes to: a PostgreSQL URL "
                        + "(postgresql://user@host:port/db); a SQLite file only when every node sees it at the same path "
                        + "(a shared file system), said with --shared-db-file");
            }
            return;
        }
        if ("url".equals(loc.passwordSource())) {
            throw new UserException("--db: the password in the URL is never put in the nodes' jobs (the cluster's users "
                    + "can read them): give it as $PGPASSWORD, $ISOBENCH_DB_PASSWORD_FILE or ~/.pgpass, which the engine "
                    + "passes on");
        }
        String host = loc.display().replaceFirst("^postgresql://([^@/]*@)?", "").replaceFirst("[:/].*$", "");
        if (List.of("localhost", "127.0.0.1", "[::1]").contains(host)) {
            System.err.println("isobench: warning: --db names " + host + ", which on each node is the node itself; give an "
                    + "address the nodes reach this store at");
        }
    }

    private List<FleetNode> pick(FleetEngine eng) {
        List<FleetNode> all;
        try {
            all = eng.nodes(new NodeSelection(nodes, selector));
        } catch (FleetException e) {
            throw new UserException("--engine " + engine + ": " + e.getMessage());
        }
        List<FleetNode> usable = new ArrayList<>();
        for (FleetNode n : all) {
            if (n.schedulable()) {
                usable.add(n);
            } else if (!nodes.isEmpty()) {
                throw new UserException("--nodes: node " + n.name() + " cannot take a job now: " + n.reason());
            } else {
                System.err.println("isobench: skipping node " + n.name() + ": " + n.reason());
            }
        }
        if (usable.isEmpty()) {
            throw new UserException("no node of " + engine + " can take a job now" + (all.isEmpty() ? " (none selected)" : ""));
        }
        return usable;
    }

    private void report(Store store, List<String> runIds, PrintWriter stdout) throws IOException {
        if (runIds.isEmpty()) {
            System.err.println("isobench: no node's run reached the store: no report");
            return;
        }
        List<ReportRun> rs = new ArrayList<>();
        for (String id : runIds) {
            rs.add(ReportRun.of(store.loadRun(id)));
        }
        if (out == null) {
            ReportWriter.forFormat("md").write(rs, stdout);
            stdout.flush();
            return;
        }
        String fmt = Arrays.stream(new String[]{"md", "csv", "json"}).filter(out::endsWith).findFirst().orElse("html");
        Path p = Path.of(out);
        try (Writer w = Files.newBufferedWriter(p, StandardCharsets.UTF_8)) {
            ReportWriter.forFormat(fmt).write(rs, w);
        }
        System.err.println("isobench: wrote the fleet's report to " + p.toAbsolutePath());
    }
}
