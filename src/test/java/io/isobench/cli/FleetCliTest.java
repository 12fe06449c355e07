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
                dir.resolve("p.yaml").toString()), "--plan: a fleet's nodes do not see this host's files");
        usageError(run("fleet", "run", "--engine", "slurm", "--db", "postgresql://u@db.example/team", "--time", "soon"),
                "--time: not a duration");
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
}
