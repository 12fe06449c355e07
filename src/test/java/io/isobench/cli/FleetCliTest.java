package io.isobench.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** `fleet` mistakes are one line and exit 2 before anything is submitted or opened; `run --fleet` checks its id. */
class FleetCliTest {
    @TempDir
    Path dir;

    record Result(int code, String out, String err) {
    }

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    private static void usageError(Result r, String expected) {
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.err()).contains(expected).doesNotContain("\tat ");
        assertThat(r.err().lines().filter(l -> l.startsWith("isobench: ")).count()).isEqualTo(1);
    }

    @Test
    void aDryRunForNamedNodesRendersWithoutACluster() throws java.io.IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv("KUBECONFIG") == null
                && !java.nio.file.Files.exists(Path.of(System.getProperty("user.home"), ".kube", "config"))
                && System.getenv("KUBERNETES_SERVICE_HOST") == null, "needs a machine without a Kubernetes configuration");
        Path plan = dir.resolve("p.yaml");
        java.nio.file.Files.writeString(plan, "runtimes: [native, runc]\nbenchmarks: [cpu]\n");
        Result r = run("fleet", "run", "--engine", "kubernetes", "--dry-run", "--nodes", "node-a", "--db",
                "postgresql://u@db.example/team", "--plan", plan.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("no Kubernetes configuration", "rendered unchecked", "# ---- node node-a ----",
                "kind: \"ConfigMap\"", "runtimes: [native, runc]", "kind: \"Job\"", "kubernetes.io/hostname: \"node-a\"");
        // without named nodes there is nothing to render
        usageError(run("fleet", "run", "--engine", "kubernetes", "--dry-run", "--db", "postgresql://u@db.example/team"),
                "no Kubernetes configuration");
    }

    @Test
    void aSqliteStoreNeedsToBeSharedByEveryNode() {
        usageError(run("fleet", "run", "--engine", "slurm", "--db", dir.resolve("x.db").toString()),
                "--db: a fleet needs a store every node writes to");
    }

    @Test
    void aPasswordInTheUrlIsNeverSentToTheNodes() {
        usageError(run("fleet", "run", "--engine", "slurm", "--db", "postgresql://u:hunter2@db.example/team"),
                "--db: the password in the URL is never put in the nodes' jobs");
    }

    @Test
    void planOptionsAreCheckedBeforeTheEngineIsAsked() {
        usageError(run("fleet", "run", "--engine", "slurm", "--db", "postgresql://u@db.example/team", "--runtimes", "dokker"),
                "unknown runtime 'dokker'");
        usageError(run("fleet", "run", "--engine", "slurm", "--db", "postgresql://u@db.example/team", "--plan",
                dir.resolve("p.yaml").toString()), "cannot read plan file");
        usageError(run("fleet", "run", "--engine", "slurm", "--db", "postgresql://u@db.example/team", "--preset",
                "fastest"), "unknown preset 'fastest'");
        Path big = dir.resolve("big.yaml");
        try {
            java.nio.file.Files.writeString(big, ("# " + "x".repeat(1000) + "\n").repeat(300) + "repetitions: 3\n");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        usageError(run("fleet", "run", "--engine", "slurm", "--db", "postgresql://u@db.example/team", "--plan",
                big.toString()), "over 256 KiB (it travels in each node's job)");
        usageError(run("fleet", "run", "--engine", "slurm", "--db", "postgresql://u@db.example/team", "--quick",
                "--preset", "ml-paper"), "--quick and --preset ml-paper are two presets");
        usageError(run("fleet", "run", "--engine", "slurm", "--db", "postgresql://u@db.example/team", "--time", "soon"),
                "--time: not a duration");
    }

    @Test
    void thePollIntervalIsADocumentedSettingOfAtLeastASecond() {
        Result help = run("fleet", "run", "--help");
        assertThat(help.out().replaceAll("\\s+", " ")).contains("--poll=DURATION how often the engine and the store are read")
                .contains("(default 5s, at least 1s)");
        usageError(run("fleet", "run", "--engine", "slurm", "--db", "postgresql://u@db.example/team", "--poll", "200ms"),
                "--poll: at least 1s");
    }

    @Test
    void unknownEngineAndExclusiveModes() {
        usageError(run("fleet", "run", "--engine", "nomad", "--db", "postgresql://u@db.example/team"),
                "unknown fleet engine 'nomad'");
        Result r = run("fleet", "run", "--engine", "slurm", "--parallel", "--one-at-a-time", "--db", "postgresql://u@h/db");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("mutually exclusive");
    }

    @Test
    void runFleetOptions() {
        usageError(run("run", "--fleet-node", "n1", "--db", dir.resolve("x.db").toString()), "--fleet-node: only with --fleet");
        usageError(run("run", "--fleet", "bad id!", "--db", dir.resolve("x.db").toString()), "--fleet: 'bad id!' is not a fleet id");
    }

    @Test
    void statusOfAnUnknownFleet() {
        Path db = dir.resolve("s.db");
        assertThat(run("list", "--db", db.toString()).code()).isEqualTo(2); // no database yet: list does not create one
        io.isobench.store.Stores.open(db.toString(), io.isobench.store.Stores.Mode.CREATE).close();
        usageError(run("fleet", "status", "f-nope", "--db", db.toString()), "no fleet 'f-nope'");
        usageError(run("fleet", "cancel", "f-nope", "--db", db.toString()), "no fleet 'f-nope'");
    }

    @Test
    void statusShowsWhatTheStoreRecordedWhenTheEngineCannotBeAsked() {
        Path db = dir.resolve("r.db");
        try (var store = io.isobench.store.Stores.open(db.toString(), io.isobench.store.Stores.Mode.CREATE)) {
            store.createFleet("f9", "nomad", java.time.Instant.now(), "login1", "parallel", java.util.List.of("run"),
                    java.util.List.of("n1"));
            store.updateFleetNode("f9", "n1", "77", "running", null);
            store.createRun("r9", java.time.Instant.now(), "t", java.util.Map.of("hostname", "n1"), java.util.Map.of(),
                    java.util.Map.of());
            store.tagFleet("r9", "f9", "n1");
            store.setTrialsPlanned("r9", 6);
        }
        Result r = run("fleet", "status", "f9", "--db", db.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("fleet f9 on nomad: running")
                .containsPattern("n1 +77 +running +r9 +running +0/6 +engine unreachable: unknown fleet engine 'nomad'");
    }
}
