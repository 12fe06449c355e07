package io.isobench.fleet;

import io.isobench.IntegrationSupport;
import io.isobench.cli.Main;
import io.isobench.proc.Proc;
import io.isobench.proc.ProcResult;
import io.isobench.store.Store;
import io.isobench.store.StoreLocation;
import io.isobench.store.StoredRun;
import io.isobench.store.Stores;
import io.isobench.store.TestStores;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A real Slurm cluster on this machine (scripts/slurm-test-cluster.sh: slurmctld and two slurmd nodes, each a network
 * namespace with its own hostname) runs fleets of the packaged isobench into the real PostgreSQL (a fresh schema of
 * the test database, reached by the nodes through the cluster's bridge): a small study with one run per node and
 * every sample, `fleet status`, and `fleet cancel` in the middle of another fleet (no job left, no run left running).
 */
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class SlurmFleetIT {
    private static final Path CLUSTER = Path.of("scripts/slurm-test-cluster.sh").toAbsolutePath();
    private static final Path JAR = Path.of("target/isobench.jar").toAbsolutePath();
    private static final String NODES_SEE_HOST_AT = "10.233.0.1";
    private static final Pattern FLEET_ID = Pattern.compile("isobench: fleet (f[0-9a-f-]+):");

    private static final TestStores STORES = new TestStores();
    private static boolean startedCluster;
    /** The store as the nodes reach it, without its password (that goes through $PGPASSWORD). */
    private static String nodeUrl;
    /** The same store with its password, for this JVM's own `fleet status` / `fleet cancel`. */
    private static String localUrl;
    private static String password;

    @TempDir
    Path dir;

    @BeforeAll
    static void cluster() {
        assumeTrue(IntegrationSupport.isRoot(), "integration tests need root");
        assumeTrue(Files.exists(JAR), "needs the packaged jar (mvn verify)");
        boolean ci = "true".equalsIgnoreCase(System.getenv("CI"));
        boolean slurm = io.isobench.util.Tools.which("slurmctld") != null && io.isobench.util.Tools.which("sbatch") != null;
        if (!slurm && ci) {
            throw new AssertionError("CI=true: Slurm is not installed (scripts/test-deps.sh installs slurm-wlm and munge)");
        }
        assumeTrue(slurm, "Slurm is not installed (scripts/test-deps.sh installs slurm-wlm and munge)");
        startedCluster = !Proc.of(CLUSTER.toString(), "status").timeout(Duration.ofSeconds(30)).run().ok();
        ProcResult up = Proc.of(CLUSTER.toString(), "start").timeout(Duration.ofMinutes(3)).run();
        assertThat(up.ok()).as("slurm-test-cluster.sh start: " + up.combinedOutput()).isTrue();
        String pg = STORES.freshPostgres();
        StoreLocation loc = StoreLocation.parse(pg);
        password = loc.connectionProperties().getProperty("password");
        nodeUrl = loc.display().replaceFirst("@(127\\.0\\.0\\.1|localhost)(?=[:/])", "@" + NODES_SEE_HOST_AT);
        assertThat(nodeUrl).as("the test store must be on this host: " + loc.display()).contains(NODES_SEE_HOST_AT);
        localUrl = pg;
    }

    /**
     * Fleets the tests made: their jobs' output files (in the default --job-output directory under this user's home,
     * which the nodes, on this machine, share) are removed at the end.
     */
    private static final List<String> FLEETS = new java.util.concurrent.CopyOnWriteArrayList<>();

    @AfterAll
    static void stop() throws java.io.IOException {
        Path outputs = io.isobench.fleet.slurm.SlurmEngine.defaultOutputDir(System.getenv());
        for (String f : FLEETS) {
            Path d = outputs.resolve(f);
            if (Files.isDirectory(d)) {
                try (var files = Files.newDirectoryStream(d)) {
                    for (Path p : files) {
                        Files.deleteIfExists(p);
                    }
                }
                Files.deleteIfExists(d);
            }
        }
        STORES.close();
        if (startedCluster) {
            Proc.of(CLUSTER.toString(), "stop").timeout(Duration.ofMinutes(2)).run();
        }
    }

    /** `isobench fleet run …` of the packaged jar, as a user would start it, with the store's password in $PGPASSWORD. */
    private Process fleetRun(Path log, String... args) throws Exception {
        return fleetRunInto(nodeUrl, log, args);
    }

    private Process fleetRunInto(String db, Path log, String... args) throws Exception {
        List<String> argv = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED", "-jar", JAR.toString(), "fleet", "run", "--engine", "slurm",
                "--poll", "1s", "--db", db));
        argv.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(false)
                .redirectOutput(dir.resolve("stdout.txt").toFile()).redirectError(log.toFile());
        pb.environment().put("PGPASSWORD", password);
        pb.environment().remove("ISOBENCH_LAUNCHER");
        return pb.start();
    }

    record Cli(int code, String out, String err) {
    }

    private static Cli cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Cli(code, out.toString(), err.toString());
    }

    @Test
    void aSmallStudyOnTwoNodesOneAtATime() throws Exception {
        Path log = dir.resolve("fleet.log");
        // the plan file's text travels in each node's batch script (the nodes do not read this test's temp dir); its
        // repetitions are overridden by the flag, as on one host
        Path plan = dir.resolve("plan.yaml");
        Files.writeString(plan, "runtimes: [native, runc]\nbenchmarks: [cpu]\nrepetitions: 3\nwarmups: 0\n"
                + "cooldown: 0s\nparams:\n  cpu:\n    time: 1s\n");
        Process p = fleetRun(log, "--one-at-a-time", "--plan", plan.toString(), "--repetitions", "2");
        assertThat(p.waitFor(8, TimeUnit.MINUTES)).as("fleet run ends").isTrue();
        String err = Files.readString(log);
        assertThat(p.exitValue()).as(err).isZero();
        Matcher m = FLEET_ID.matcher(err);
        assertThat(m.find()).as(err).isTrue();
        String fleet = m.group(1);
        FLEETS.add(fleet);
        assertThat(err).contains(fleet + ": isb-n1: done, run ").contains(fleet + ": isb-n2: done, run ")
                .containsPattern("isb-n[12]: running, run \\S+ \\w+: \\d/4 trials"); // progress: trials done of planned
        assertThat(Files.readString(dir.resolve("stdout.txt"))).as("the report over both runs")
                .contains("# What isolation costs").containsPattern("Run \\S+ \\(completed\\)[\\s\\S]*Run \\S+ \\(completed\\)");

        try (Store store = Stores.open(localUrl, Stores.Mode.READ)) {
            List<Store.RunRow> runs = store.listRuns(new Store.RunFilter(null, null, null, null, fleet));
            assertThat(runs).extracting(Store.RunRow::host).containsExactlyInAnyOrder("isb-n1", "isb-n2");
            for (Store.RunRow r : runs) {
                assertThat(r.status()).isEqualTo("completed");
                assertThat(r.failures()).isZero();
                StoredRun run = store.loadRun(r.id());
                for (String rt : List.of("native", "runc")) {
                    assertThat(run.samples().stream().filter(s -> s.runtime().equals(rt)
                            && s.metric().equals("events_per_second")).count()).as(r.host() + " " + rt).isEqualTo(2);
                }
                // only the plan file's runtimes and benchmark (without it: every available runtime, cpu and memory)
                assertThat(run.samples()).extracting(s -> s.runtime()).containsOnly("native", "runc");
                assertThat(run.samples()).extracting(s -> s.benchmark()).containsOnly("cpu");
                assertThat(store.fleetOf(r.id()).node()).isEqualTo(r.host());
            }
            assertThat(store.fleetRuns(fleet)).allSatisfy(r -> {
                assertThat(r.trials()).isEqualTo(4);
                assertThat(r.trialsPlanned()).isEqualTo(4L);
            });
        }
        Cli status = cli("fleet", "status", fleet, "--db", localUrl);
        assertThat(status.code()).as(status.err()).isZero();
        assertThat(status.out()).contains("fleet " + fleet + " on slurm: completed")
                .containsPattern("isb-n1 +\\d+ +succeeded +\\S+ +completed +4/4")
                .containsPattern("isb-n2 +\\d+ +succeeded +\\S+ +completed +4/4");
        Cli list = cli("list", "--fleet", fleet, "--db", localUrl);
        assertThat(list.out().lines().filter(l -> l.contains(fleet)).count()).isEqualTo(2);
    }

    /**
     * A node whose run cannot open the store (the URL names 127.0.0.1: this host reaches PostgreSQL there, each node
     * only itself) fails before anything reaches the store: what its job printed is all there is, and both the end
     * of fleet run and fleet status show its last lines beside Slurm's state.
     */
    @Test
    void aNodeThatCannotReachTheStoreShowsWhatItsJobPrinted() throws Exception {
        String unreachable = nodeUrl.replace("@" + NODES_SEE_HOST_AT, "@127.0.0.1");
        Path log = dir.resolve("unreachable.log");
        Process p = fleetRunInto(unreachable, log, "--nodes", "isb-n1", "--runtimes", "native", "--benchmarks", "cpu",
                "--repetitions", "1", "--warmups", "0", "--cooldown", "0s", "--set", "cpu.time=1s");
        assertThat(p.waitFor(4, TimeUnit.MINUTES)).as("fleet run ends").isTrue();
        String err = Files.readString(log);
        Matcher m = FLEET_ID.matcher(err);
        assertThat(m.find()).as(err).isTrue();
        String fleet = m.group(1);
        FLEETS.add(fleet);
        assertThat(p.exitValue()).as(err).isEqualTo(1);
        Path out = io.isobench.fleet.slurm.SlurmEngine.defaultOutputDir(System.getenv()).resolve(fleet).resolve("isb-n1.out");
        assertThat(out).as("the job's --output file, read on this host").exists();
        assertThat(err).contains(fleet + ": isb-n1: FAILED: ").contains("no run of it reached the store")
                .contains("of the job's output (" + out + "):").containsPattern("\\n  \\| .*127\\.0\\.0\\.1");

        Cli status = cli("fleet", "status", fleet, "--db", localUrl);
        assertThat(status.code()).as(status.err()).isZero();
        assertThat(status.out()).containsPattern("isb-n1 +\\d+ +failed ")
                .contains("isb-n1: last ").contains("of the job's output (" + out + "):")
                .containsPattern("\\n  \\| .*127\\.0\\.0\\.1");
        Cli json = cli("fleet", "status", fleet, "--db", localUrl, "--json");
        assertThat(json.out()).contains("\"output\"").contains("\"source\" : \"" + out + "\"");
    }

    @Test
    void cancelInTheMiddleLeavesNoJobAndNoRunRunning() throws Exception {
        Path log = dir.resolve("cancel.log");
        Process p = fleetRun(log, "--parallel", "--runtimes", "native,runc", "--benchmarks", "cpu",
                "--repetitions", "30", "--warmups", "0", "--cooldown", "0s", "--set", "cpu.time=2s");
        String fleet = null;
        try {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
            List<Store.FleetRunRow> runs = List.of();
            while (true) {
                assertThat(p.isAlive()).as(Files.readString(log)).isTrue();
                assertThat(System.nanoTime()).as("both nodes' runs have a trial within 4 min: " + Files.readString(log))
                        .isLessThan(deadline);
                if (fleet == null) {
                    Matcher m = FLEET_ID.matcher(Files.readString(log));
                    fleet = m.find() ? m.group(1) : null;
                    if (fleet != null) {
                        FLEETS.add(fleet);
                    }
                }
                if (fleet != null) {
                    try (Store store = Stores.open(localUrl, Stores.Mode.READ)) {
                        runs = store.fleetRuns(fleet);
                    }
                    if (runs.size() == 2 && runs.stream().allMatch(r -> r.trials() >= 1)) {
                        break;
                    }
                }
                Thread.sleep(1000);
            }
            Cli c = cli("fleet", "cancel", fleet, "--db", localUrl);
            assertThat(c.code()).as(c.err()).isZero();
            assertThat(c.out()).contains("fleet " + fleet + " cancelled: no job of it is left on slurm");

            ProcResult q = Proc.of("squeue", "-h", "--name=isobench-" + fleet).run();
            assertThat(q.ok()).isTrue();
            assertThat(q.stdout()).as("squeue after fleet cancel").isBlank();
            assertThat(p.waitFor(2, TimeUnit.MINUTES)).as("fleet run stops when its fleet is cancelled").isTrue();
            assertThat(p.exitValue()).isEqualTo(1);
            try (Store store = Stores.open(localUrl, Stores.Mode.READ)) {
                assertThat(store.fleetRuns(fleet)).hasSize(2).allSatisfy(r -> {
                    assertThat(r.status()).isEqualTo("interrupted");
                    assertThat(r.trials()).isBetween(1, 59);
                    assertThat(IntegrationSupport.leftoverContainers("runc", "isobench-" + r.runId()))
                            .as("the node agent removed its containers").isEmpty();
                });
                assertThat(store.loadFleet(fleet).status()).isEqualTo("cancelled");
            }
            assertThat(Files.readString(log)).contains("fleet " + fleet + ": cancelled (cancelled)");
        } finally {
            p.destroy();
            if (fleet != null) {
                Proc.of("scancel", "--name=isobench-" + fleet).run();
            }
        }
    }
}
