package io.isobench.fleet;

import io.isobench.store.Store;
import io.isobench.store.Stores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

/**
 * The fleet core against an engine simulated in the test (each node's behaviour scripted: its agent's run in the
 * store, its job's phases): per-node outcomes and reasons, one node at a time, cancel in the middle.
 */
class FleetServiceTest {
    @TempDir
    Path dir;

    /** What a node's simulated job does once submitted. */
    enum Behaviour { OK, FAILS, VANISHES, REFUSED, HANGS }

    /** An engine whose "nodes" run their agent in the submit call and report scripted job phases. */
    static final class ScriptedEngine implements FleetEngine {
        final Store store;
        final Map<String, Behaviour> nodes;
        final Map<String, NodeJobState> jobs = new LinkedHashMap<>();
        final List<String> submitted = new ArrayList<>();
        final List<String> liveAtSubmit = new ArrayList<>();
        int polls;

        ScriptedEngine(Store store, Map<String, Behaviour> nodes) {
            this.store = store;
            this.nodes = nodes;
        }

        @Override
        public String id() {
            return "scripted";
        }

        @Override
        public List<FleetNode> nodes(NodeSelection selection) {
            return nodes.keySet().stream().map(n -> new FleetNode(n, true, null)).toList();
        }

        @Override
        public String render(FleetJob job, FleetNode node) {
            return String.join(" ", job.agentArgs(node.name()));
        }

        @Override
        public synchronized String submit(FleetJob job, FleetNode node) throws FleetException {
            Behaviour b = nodes.get(node.name());
            if (b == Behaviour.REFUSED) {
                throw new FleetException("sbatch refused the job for node " + node.name() + ": Invalid node name specified");
            }
            liveAtSubmit.add(node.name() + ":" + jobs.values().stream()
                    .filter(j -> j.phase() == NodeJobState.Phase.RUNNING).count());
            String id = "j" + (submitted.size() + 1);
            submitted.add(node.name());
            String run = "run-" + node.name();
            store.createRun(run, Instant.now(), "t", Map.of("hostname", node.name()), Map.of(), Map.of());
            store.tagFleet(run, job.fleetId(), node.name());
            store.setTrialsPlanned(run, 4);
            switch (b) {
                case OK -> {
                    store.finishRun(run, "completed", 0, 0);
                    jobs.put(id, new NodeJobState(node.name(), id, NodeJobState.Phase.RUNNING, null));
                }
                case FAILS -> jobs.put(id, new NodeJobState(node.name(), id, NodeJobState.Phase.FAILED,
                        "Slurm job " + id + " FAILED (NonZeroExitCode)"));
                case HANGS -> jobs.put(id, new NodeJobState(node.name(), id, NodeJobState.Phase.RUNNING, null));
                default -> { } // VANISHES: never listed
            }
            return id;
        }

        @Override
        public synchronized List<NodeJobState> jobs(String fleetId) {
            polls++;
            List<NodeJobState> l = List.copyOf(jobs.values());
            // an OK job is seen running once, then succeeded
            jobs.replaceAll((id, j) -> nodes.get(j.node()) == Behaviour.OK
                    ? new NodeJobState(j.node(), id, NodeJobState.Phase.SUCCEEDED, null) : j);
            return l;
        }

        @Override
        public synchronized List<String> cancel(String fleetId) {
            List<String> lines = new ArrayList<>();
            jobs.replaceAll((id, j) -> {
                if (j.phase() == NodeJobState.Phase.RUNNING || j.phase() == NodeJobState.Phase.PENDING) {
                    lines.add("job " + id + " on " + j.node());
                    return new NodeJobState(j.node(), id, NodeJobState.Phase.FAILED, "Slurm job " + id + " CANCELLED");
                }
                return j;
            });
            return lines;
        }

        /** A FAILS node's job printed 30 lines (a Slurm output file, a pod's log); the others printed nothing kept. */
        @Override
        public JobOutput output(String fleetId, String node, String job) {
            if (nodes.get(node) != Behaviour.FAILS) {
                return null;
            }
            StringBuilder sb = new StringBuilder();
            for (int i = 1; i <= 30; i++) {
                sb.append("line ").append(i).append(i == 30 ? " isobench: --db: cannot connect " + "x".repeat(400) : "").append('\n');
            }
            return JobOutput.tail("/out/" + fleetId + "/" + node + ".out", sb.toString());
        }

        synchronized long live() {
            return jobs.values().stream().filter(j -> j.phase() == NodeJobState.Phase.RUNNING).count();
        }
    }

    private static FleetJob job(String id) {
        return new FleetJob(id, List.of("--benchmarks", "cpu"), "postgresql://u@h/db", Duration.ofMinutes(10));
    }

    private static Map<String, Behaviour> nodes(Object... kv) {
        Map<String, Behaviour> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], (Behaviour) kv[i + 1]);
        }
        return m;
    }

    @Test
    void eachNodeEndsWithItsOwnReasonAndTheOthersGoOn() throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (Store store = Stores.open(dir.resolve("f.db").toString(), Stores.Mode.CREATE)) {
            ScriptedEngine eng = new ScriptedEngine(store, nodes("a", Behaviour.OK, "b", Behaviour.FAILS,
                    "c", Behaviour.VANISHES, "d", Behaviour.REFUSED));
            FleetService svc = new FleetService(eng, store, new PrintStream(log, true, StandardCharsets.UTF_8), Duration.ofMillis(5));
            FleetService.Outcome o = svc.run(job("f1"), eng.nodes(NodeSelection.all()), true, "login1");

            assertThat(o.cancelled()).isFalse();
            assertThat(o.allOk()).isFalse();
            assertThat(o.nodes()).extracting(FleetService.NodeOutcome::node, FleetService.NodeOutcome::ok,
                    FleetService.NodeOutcome::runId).containsExactly(tuple("a", true, "run-a"), tuple("b", false, "run-b"),
                    tuple("c", false, "run-c"), tuple("d", false, null));
            assertThat(o.nodes().get(1).reason()).as("the job ended: its run's process is gone")
                    .isEqualTo("Slurm job j2 FAILED (NonZeroExitCode); its run run-b is abandoned with 0 trials");
            assertThat(o.nodes().get(2).reason()).startsWith("scripted job j3 disappeared from the engine; its run run-c is running");
            assertThat(o.nodes().get(3).reason()).contains("Invalid node name specified");
            assertThat(o.runIds()).containsExactly("run-a", "run-b", "run-c");

            Store.FleetRow f = store.loadFleet("f1");
            assertThat(f.status()).isEqualTo("failed");
            assertThat(f.nodes()).extracting(Store.FleetNodeRow::node, Store.FleetNodeRow::job, Store.FleetNodeRow::state)
                    .containsExactly(tuple("a", "j1", "succeeded"), tuple("b", "j2", "failed"), tuple("c", "j3", "failed"),
                            tuple("d", null, "failed"));
            assertThat(svc.status(f)).extracting(FleetService.StatusRow::node, FleetService.StatusRow::phase,
                    FleetService.StatusRow::runStatus, FleetService.StatusRow::trialsPlanned)
                    .containsExactly(tuple("a", "succeeded", "completed", 4L), tuple("b", "failed", "abandoned", 4L),
                            tuple("c", "failed", "running", 4L), tuple("d", "failed", null, null));
        }
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("fleet f1: a: done, run run-a")
                .contains("fleet f1: b: FAILED: Slurm job j2 FAILED");
    }

    @Test
    void aFailedNodesOutputTailIsKeptWithItsReasonAndShownByStatus() {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (Store store = Stores.open(dir.resolve("o.db").toString(), Stores.Mode.CREATE)) {
            ScriptedEngine eng = new ScriptedEngine(store, nodes("a", Behaviour.OK, "b", Behaviour.FAILS));
            FleetService svc = new FleetService(eng, store, new PrintStream(log, true, StandardCharsets.UTF_8), Duration.ofMillis(5));
            svc.run(job("f5"), eng.nodes(NodeSelection.all()), true, "login1");

            assertThat(store.fleetStatus("f5")).isEqualTo("failed");
            assertThat(store.fleetStatus("f")).as("an exact id, not a prefix").isNull();
            String stored = store.loadFleet("f5").nodes().get(1).reason();
            assertThat(stored).startsWith("Slurm job j2 FAILED (NonZeroExitCode); its run run-b is abandoned with 0 trials\n"
                    + "last 20 lines of the job's output (/out/f5/b.out):\n  | line 11\n");
            assertThat(stored).doesNotContain("line 10\n");
            assertThat(stored.lines().mapToInt(String::length).max().orElseThrow()).isLessThanOrEqualTo(JobOutput.LINE_CHARS + 4);
            assertThat(log.toString(StandardCharsets.UTF_8)).contains("b: FAILED: Slurm job j2").contains("  | line 30 isobench: --db");

            List<FleetService.StatusRow> rows = svc.status(store.loadFleet("f5"));
            assertThat(rows.get(0).output()).isNull();
            assertThat(rows.get(1).reason()).isEqualTo("Slurm job j2 FAILED (NonZeroExitCode); its run run-b is abandoned with 0 trials");
            assertThat(rows.get(1).output().source()).isEqualTo("/out/f5/b.out");
            assertThat(rows.get(1).output().lines()).hasSize(20).first().isEqualTo("line 11");
            assertThat(rows.get(1).output().lines().get(19)).startsWith("line 30 isobench: --db: cannot connect xxx").endsWith("…")
                    .hasSize(JobOutput.LINE_CHARS);

            // a failure fleet run did not see (it was stopped): status reads the output itself
            store.updateFleetNode("f5", "b", null, "failed", "Slurm job j2 FAILED");
            FleetService.StatusRow b = svc.status(store.loadFleet("f5")).get(1);
            assertThat(b.reason()).isEqualTo("Slurm job j2 FAILED");
            assertThat(b.output().lines()).hasSize(20);
        }
    }

    @Test
    void oneAtATimeSubmitsTheNextNodeWhenThePreviousEnded() {
        try (Store store = Stores.open(dir.resolve("g.db").toString(), Stores.Mode.CREATE)) {
            ScriptedEngine eng = new ScriptedEngine(store, nodes("a", Behaviour.OK, "b", Behaviour.OK, "c", Behaviour.OK));
            FleetService.Outcome o = new FleetService(eng, store, new PrintStream(new ByteArrayOutputStream()), Duration.ofMillis(5))
                    .run(job("f2"), eng.nodes(NodeSelection.all()), false, "login1");
            assertThat(o.allOk()).isTrue();
            assertThat(eng.liveAtSubmit).as("running jobs when each node's job was submitted").containsExactly("a:0", "b:0", "c:0");
            assertThat(store.loadFleet("f2").status()).isEqualTo("completed");
        }
    }

    @Test
    void cancelInTheMiddleStopsTheJobsAndTheRunButKeepsTheSamples() throws Exception {
        Path db = dir.resolve("h.db");
        try (Store store = Stores.open(db.toString(), Stores.Mode.CREATE);
             Store other = Stores.open(db.toString(), Stores.Mode.CREATE)) {
            ScriptedEngine eng = new ScriptedEngine(store, nodes("a", Behaviour.HANGS, "b", Behaviour.HANGS));
            FleetService runner = new FleetService(eng, store, new PrintStream(new ByteArrayOutputStream()), Duration.ofMillis(5));
            CompletableFuture<FleetService.Outcome> running = CompletableFuture.supplyAsync(
                    () -> runner.run(job("f3"), eng.nodes(NodeSelection.all()), true, "login1"));
            while (eng.polls < 3) {
                Thread.sleep(5);
            }
            // `fleet cancel` is another process with its own connection to the store
            FleetService.Cancelled c = new FleetService(eng, other, new PrintStream(new ByteArrayOutputStream()),
                    Duration.ofMillis(5)).cancel("f3", "cancelled");
            assertThat(c.engineError()).isNull();
            assertThat(c.lines()).contains("cancelled job j1 on a", "cancelled job j2 on b",
                    "run run-a marked interrupted (its samples stay; 'isobench run --resume run-a' on its node finishes it)");
            FleetService.Outcome o = running.get(30, TimeUnit.SECONDS);
            assertThat(o.cancelled()).isTrue();
            assertThat(eng.live()).isZero();
            assertThat(other.fleetRuns("f3")).extracting(Store.FleetRunRow::status).containsOnly("interrupted");
            assertThat(other.loadFleet("f3").status()).isEqualTo("cancelled");
            assertThat(other.loadFleet("f3").nodes()).extracting(Store.FleetNodeRow::state).containsOnly("cancelled");
        }
    }
}
