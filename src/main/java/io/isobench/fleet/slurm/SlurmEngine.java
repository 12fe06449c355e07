package io.isobench.fleet.slurm;

import io.isobench.fleet.AgentLauncher;
import io.isobench.fleet.FleetEngine;
import io.isobench.fleet.FleetException;
import io.isobench.fleet.FleetJob;
import io.isobench.fleet.FleetNode;
import io.isobench.fleet.JobOutput;
import io.isobench.fleet.NodeJobState;
import io.isobench.fleet.NodeSelection;
import io.isobench.proc.Proc;
import io.isobench.proc.ProcResult;
import io.isobench.util.UserException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Slurm: one batch job per node ({@code sbatch --exclusive --nodelist=NODE --job-name=isobench-FLEET}) that execs the
 * installed isobench as the node agent. Nodes come from {@code scontrol show node -o}; a {@code --node-selector} is a
 * partition name, or {@code feature=F} (an active node feature). Job states come from {@code squeue --states=all}
 * and, where the cluster keeps accounting, {@code sacct} (a job squeue has forgotten); cancel is {@code scancel} by
 * the fleet's job name. Slurm's own configuration (slurm.conf, munge) is used as is.
 */
public final class SlurmEngine implements FleetEngine {
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);

    private final Supplier<List<String>> launcher;
    private final Map<String, String> env;
    private final Path outputDir;
    private Boolean sacct; // null: not tried yet; false: the cluster keeps no accounting

    public SlurmEngine() {
        this(null, System.getenv(), defaultOutputDir(System.getenv()));
    }

    /** {@code outputDir}: where the nodes' jobs write their output, DIR/FLEET_ID/NODE.out (null: the default). */
    public SlurmEngine(Path outputDir) {
        this(null, System.getenv(), outputDir == null ? defaultOutputDir(System.getenv()) : outputDir);
    }

    /** {@code launcher}: how nodes start isobench (null: as this process was started, {@link AgentLauncher}). */
    SlurmEngine(List<String> launcher, Map<String, String> env, Path outputDir) {
        String dir = outputDir.toString();
        if (!outputDir.isAbsolute() || dir.contains("%") || dir.contains("\\")) {
            throw new UserException("--job-output: give an absolute directory without '%' or '\\' (Slurm reads those "
                    + "as filename patterns): " + dir);
        }
        this.outputDir = outputDir.normalize();
        this.launcher = launcher != null ? () -> launcher : () -> {
            try {
                return AgentLauncher.current();
            } catch (FleetException e) {
                throw new UserException(e.getMessage());
            }
        };
        this.env = Map.copyOf(env);
    }

    /**
     * $XDG_DATA_HOME/isobench/fleet, else $HOME/.local/share/isobench/fleet: under the submitting user's home, which
     * Slurm clusters share with their nodes.
     */
    public static Path defaultOutputDir(Map<String, String> env) {
        String xdg = env.get("XDG_DATA_HOME");
        Path base = xdg != null && xdg.startsWith("/") ? Path.of(xdg)
                : Path.of(env.getOrDefault("HOME", System.getProperty("user.home")), ".local", "share");
        return base.resolve("isobench").resolve("fleet");
    }

    @Override
    public String id() {
        return "slurm";
    }

    @Override
    public List<FleetNode> nodes(NodeSelection selection) throws FleetException {
        ProcResult r = slurm("scontrol", "show", "node", "-o");
        List<SlurmNodes.Node> all = SlurmNodes.parse(r.stdout());
        List<SlurmNodes.Node> picked = new ArrayList<>(all);
        String sel = selection.selector();
        if (sel != null && !sel.isBlank()) {
            if (sel.startsWith("feature=")) {
                String f = sel.substring("feature=".length());
                picked.removeIf(n -> !n.features().contains(f));
            } else {
                picked.removeIf(n -> !n.partitions().contains(sel));
            }
            if (picked.isEmpty()) {
                throw new UserException("--node-selector: no Slurm node " + (sel.startsWith("feature=")
                        ? "has the feature '" + sel.substring(8) + "'" : "is in a partition '" + sel + "'")
                        + " (a partition name, or feature=F)");
            }
        }
        if (!selection.names().isEmpty()) {
            Map<String, SlurmNodes.Node> byName = new LinkedHashMap<>();
            picked.forEach(n -> byName.put(n.name(), n));
            List<SlurmNodes.Node> named = new ArrayList<>();
            for (String name : selection.names()) {
                SlurmNodes.Node n = byName.get(name);
                if (n == null) {
                    throw new UserException("--nodes: Slurm knows no node '" + name + "'"
                            + (sel == null ? "" : " matching the selector '" + sel + "'") + " (known: "
                            + String.join(", ", all.stream().map(SlurmNodes.Node::name).toList()) + ")");
                }
                named.add(n);
            }
            picked = named;
        }
        return picked.stream().map(SlurmNodes.Node::toFleetNode).toList();
    }

    @Override
    public String render(FleetJob job, FleetNode node) {
        return "# " + String.join(" ", SlurmBatch.sbatchArgv(job, node.name(), env, outputDir).stream().map(SlurmBatch::quote).toList())
                + " < this script\n" + SlurmBatch.script(job, node.name(), launcher.get());
    }

    @Override
    public String submit(FleetJob job, FleetNode node) throws FleetException {
        Path out = SlurmBatch.output(job, node.name(), outputDir);
        try {
            Files.createDirectories(out.getParent()); // Slurm does not: a job whose --output directory is missing fails silently
        } catch (IOException e) {
            throw new FleetException("cannot create the directory of the node jobs' output " + out.getParent() + ": " + e
                    + " (--job-output DIR: a directory the nodes see and you can write)", e);
        }
        ProcResult r = Proc.of(SlurmBatch.sbatchArgv(job, node.name(), env, outputDir))
                .stdin(SlurmBatch.script(job, node.name(), launcher.get())).timeout(COMMAND_TIMEOUT).run();
        return jobId(r, node.name());
    }

    /** The job id of {@code sbatch --parsable} ("123" or "123;cluster"), or why sbatch refused the job. */
    static String jobId(ProcResult r, String node) throws FleetException {
        String id = r.stdout().strip().split(";")[0];
        if (!r.ok() || !id.matches("\\d+")) {
            throw new FleetException("sbatch refused the job for node " + node + ": " + r.failureSummary());
        }
        return id;
    }

    /** The tail of the node's --output file, as this host sees it (null when there is no such file). */
    @Override
    public JobOutput output(String fleetId, String node, String job) {
        Path p = outputDir.resolve(fleetId).resolve(node + ".out");
        try {
            return JobOutput.tail(p.toString(), tail(p, 64 * 1024));
        } catch (java.nio.file.NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            return new JobOutput(p.toString(), List.of("cannot read it: " + e.getMessage()));
        }
    }

    /** The last {@code max} bytes of a file (as UTF-8; a cut character at the start becomes U+FFFD). */
    static String tail(Path p, int max) throws IOException {
        try (var ch = java.nio.channels.FileChannel.open(p)) {
            long size = ch.size();
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate((int) Math.min(size, max));
            ch.position(size - b.capacity());
            while (b.hasRemaining() && ch.read(b) > 0) {
                // until full or at the end
            }
            return new String(b.array(), 0, b.position(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    @Override
    public List<NodeJobState> jobs(String fleetId) throws FleetException {
        String name = "isobench-" + fleetId;
        Map<String, NodeJobState> byId = new LinkedHashMap<>();
        if (!Boolean.FALSE.equals(sacct)) {
            ProcResult a = Proc.of("sacct", "-n", "-P", "-X", "--name=" + name, "--starttime=now-30days",
                    "--format=" + SlurmJobs.SACCT_FIELDS).timeout(COMMAND_TIMEOUT).run();
            if (a.ok()) {
                sacct = true;
                SlurmJobs.parseSacct(a.stdout()).forEach(j -> byId.put(j.jobName(), j));
            } else {
                sacct = false; // "Slurm accounting storage is disabled": squeue and the store must do
            }
        }
        ProcResult q = slurm("squeue", "-h", "--states=all", "--name=" + name, "--format=" + SlurmJobs.SQUEUE_FORMAT);
        SlurmJobs.parseSqueue(q.stdout()).forEach(j -> byId.put(j.jobName(), j));
        return List.copyOf(byId.values());
    }

    @Override
    public List<String> cancel(String fleetId) throws FleetException {
        String name = "--name=isobench-" + fleetId;
        List<NodeJobState> live = live(fleetId);
        if (live.isEmpty()) {
            return List.of();
        }
        List<String> lines = new ArrayList<>();
        for (NodeJobState j : live) {
            lines.add("Slurm job " + j.jobName() + " on " + (j.node().isEmpty() ? "?" : j.node()) + " ("
                    + j.phase().name().toLowerCase(java.util.Locale.ROOT) + ")");
        }
        // pending jobs go first, so none starts meanwhile; a running node agent gets SIGTERM (it marks its run
        // interrupted and removes its sandboxes), then whatever is left is Slurm's to kill
        slurm("scancel", "--state=PENDING", name);
        slurm("scancel", "--batch", "--signal=TERM", name);
        if (!awaitNone(fleetId, Duration.ofSeconds(45))) {
            slurm("scancel", name);
            if (!awaitNone(fleetId, Duration.ofSeconds(90))) {
                throw new FleetException("Slurm still lists jobs of fleet " + fleetId + " 90 s after scancel: "
                        + live(fleetId));
            }
        }
        return lines;
    }

    private List<NodeJobState> live(String fleetId) throws FleetException {
        ProcResult q = slurm("squeue", "-h", "--name=isobench-" + fleetId, "--format=" + SlurmJobs.SQUEUE_FORMAT);
        return SlurmJobs.parseSqueue(q.stdout()).stream()
                .filter(j -> j.phase() == NodeJobState.Phase.PENDING || j.phase() == NodeJobState.Phase.RUNNING).toList();
    }

    private boolean awaitNone(String fleetId, Duration max) throws FleetException {
        long end = System.nanoTime() + max.toNanos();
        while (!live(fleetId).isEmpty()) {
            if (System.nanoTime() > end) {
                return false;
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    private static ProcResult slurm(String... argv) throws FleetException {
        ProcResult r = Proc.of(argv).timeout(COMMAND_TIMEOUT).run();
        if (!r.ok()) {
            throw new FleetException(argv[0] + " failed: " + r.failureSummary()
                    + (r.exitCode() == 127 ? " (is Slurm's client installed and on PATH?)" : ""));
        }
        return r;
    }
}
