package io.isobench.fleet;

import io.isobench.proc.Cleanup;
import io.isobench.store.Store;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One fleet end to end on an engine: records the fleet in the team store, submits one node agent job per node (all at
 * once, or the next when the previous ended), follows each node by its job's phase (the engine) and its run's trials
 * done of planned (the store), reports a node that fails or disappears with the engine's reason and its run's, and
 * goes on with the others. Ctrl-C cancels the fleet: nothing is left on the cluster. Also {@code status} and
 * {@code cancel} of a recorded fleet.
 */
public final class FleetService {
    /** Polls of the engine in a row that must miss a job before it counts as disappeared. */
    static final int MISSING_POLLS = 3;

    private final FleetEngine engine;
    private final Store store;
    private final PrintStream err;
    private final Duration poll;

    public FleetService(FleetEngine engine, Store store, PrintStream err, Duration poll) {
        this.engine = engine;
        this.store = store;
        this.err = err;
        this.poll = poll;
    }

    /** How one node's part of a fleet ended. {@code runId} null when no run of it reached the store. */
    public record NodeOutcome(String node, String job, String runId, boolean ok, String reason) {
    }

    /** What a fleet run did; {@code cancelled}: stopped by Ctrl-C or {@code fleet cancel} before every node ended. */
    public record Outcome(String fleetId, List<NodeOutcome> nodes, boolean cancelled) {
        public List<String> runIds() {
            return nodes.stream().map(NodeOutcome::runId).filter(Objects::nonNull).toList();
        }

        public boolean allOk() {
            return !cancelled && nodes.stream().allMatch(NodeOutcome::ok);
        }
    }

    /** One node's line of {@code fleet status}. */
    public record StatusRow(String node, String job, String phase, String runId, String runStatus, Integer trials,
                            Long trialsPlanned, String reason, JobOutput output) {
    }

    /** A new fleet id: UTC time and a random suffix ("f20261203-0105-3fa9"), short enough for job names and labels. */
    public static String newFleetId() {
        return "f" + DateTimeFormatter.ofPattern("yyyyMMdd-HHmm", Locale.ROOT).withZone(ZoneOffset.UTC).format(Instant.now())
                + "-" + String.format(Locale.ROOT, "%04x", ThreadLocalRandom.current().nextInt(0x10000));
    }

    /** A node being followed: its job and what was last said about it. */
    private static final class Track {
        final FleetNode node;
        final String job;
        String said = "";
        int missing;

        Track(FleetNode node, String job) {
            this.node = node;
            this.job = job;
        }
    }

    /** Runs the fleet and returns how each node ended (the caller reports over {@link Outcome#runIds()}). */
    public Outcome run(FleetJob job, List<FleetNode> nodes, boolean parallel, String submitHost) {
        String id = job.fleetId();
        store.createFleet(id, engine.id(), Instant.now(), submitHost, parallel ? "parallel" : "one-at-a-time",
                job.agentArgs(), nodes.stream().map(FleetNode::name).toList());
        Cleanup.Action onStop = Cleanup.register("fleet " + id, () -> {
            err.println("isobench: fleet " + id + " interrupted: cancelling its jobs");
            for (String line : cancel(id, "interrupted").lines()) {
                err.println("isobench: " + line);
            }
        });
        Deque<FleetNode> waiting = new ArrayDeque<>(nodes);
        Map<String, Track> active = new LinkedHashMap<>();
        Map<String, NodeOutcome> ended = new LinkedHashMap<>();
        boolean cancelled = false;
        try {
            while (!waiting.isEmpty() || !active.isEmpty()) {
                if (Cleanup.shuttingDown() || cancelledElsewhere(id)) {
                    cancelled = true;
                    break;
                }
                while (!waiting.isEmpty() && (parallel || active.isEmpty())) {
                    FleetNode n = waiting.poll();
                    try {
                        String name = engine.submit(job, n);
                        store.updateFleetNode(id, n.name(), name, "pending", null);
                        active.put(n.name(), new Track(n, name));
                        say(id, n.name() + ": submitted (" + engine.id() + " job " + name + ")");
                    } catch (FleetException e) {
                        end(id, ended, new NodeOutcome(n.name(), null, null, false, e.getMessage()));
                    }
                    if (cancelledElsewhere(id)) { // fleet cancel ran between the check and the submission
                        cancel(id, "cancelled");
                    }
                }
                sleep();
                List<NodeJobState> states;
                try {
                    states = engine.jobs(id);
                } catch (FleetException e) {
                    say(id, "cannot read the jobs' states (" + e.getMessage() + "); trying again");
                    continue;
                }
                if (cancelledElsewhere(id)) {
                    cancelled = true;
                    break;
                }
                Map<String, Store.FleetRunRow> runs = runsByNode(id);
                for (Track t : List.copyOf(active.values())) {
                    NodeOutcome o = follow(id, t, states, runs.get(t.node.name()));
                    if (o != null) {
                        active.remove(t.node.name());
                        end(id, ended, o);
                    }
                }
            }
        } catch (RuntimeException e) {
            onStop.close(); // the store or the engine failed under us: leave nothing running on the cluster
            throw e;
        }
        if (!Cleanup.shuttingDown()) {
            onStop.disarm();
        }
        Map<String, Store.FleetRunRow> runs = runsByNode(id);
        List<NodeOutcome> all = new ArrayList<>();
        for (FleetNode n : nodes) {
            NodeOutcome o = ended.get(n.name());
            Store.FleetRunRow r = runs.get(n.name());
            all.add(o != null ? o : new NodeOutcome(n.name(), active.containsKey(n.name()) ? active.get(n.name()).job : null,
                    r == null ? null : r.runId(), false, "fleet cancelled"));
        }
        if (!cancelled) {
            boolean ok = all.stream().allMatch(NodeOutcome::ok);
            if (!ok) {
                // a failed node's job may still be queued (Slurm requeues a job whose node went down): remove it
                try {
                    engine.cancel(id).forEach(l -> say(id, "removed " + l + ", left by a failed node"));
                } catch (FleetException e) {
                    say(id, "could not remove what failed nodes left: " + e.getMessage() + " (isobench fleet cancel " + id + ")");
                }
            }
            store.finishFleet(id, ok ? "completed" : "failed");
        } else {
            say(id, "cancelled (" + store.loadFleet(id).status() + ")");
        }
        return new Outcome(id, all, cancelled);
    }

    /** The node's state now: null while it goes on, else how it ended. Prints what changed. */
    private NodeOutcome follow(String id, Track t, List<NodeJobState> states, Store.FleetRunRow run) {
        String node = t.node.name();
        NodeJobState st = states.stream().filter(s -> s.jobName().equals(t.job)).findFirst()
                .orElse(states.stream().filter(s -> s.node().equals(node)).reduce((a, b) -> b).orElse(null));
        String runPart = run == null ? "" : ", run " + run.runId() + " " + run.status() + ": " + run.trials()
                + (run.trialsPlanned() == null ? "" : "/" + run.trialsPlanned()) + " trials";
        if (st == null) {
            if (run != null && run.status().equals("completed")) {
                return new NodeOutcome(node, t.job, run.runId(), true, null);
            }
            if (++t.missing < MISSING_POLLS) {
                return null;
            }
            return new NodeOutcome(node, t.job, run == null ? null : run.runId(), false,
                    engine.id() + " job " + t.job + " disappeared from the engine" + runReason(run));
        }
        t.missing = 0;
        switch (st.phase()) {
            case PENDING, RUNNING -> {
                String now = st.phase().name().toLowerCase(Locale.ROOT)
                        + (st.reason() == null ? "" : " (" + st.reason() + ")") + runPart;
                if (!now.equals(t.said)) {
                    t.said = now;
                    store.updateFleetNode(id, node, null, st.phase().name().toLowerCase(Locale.ROOT), st.reason());
                    say(id, node + ": " + now);
                }
                return null;
            }
            case SUCCEEDED -> {
                if (run != null && run.status().equals("completed")) {
                    return new NodeOutcome(node, t.job, run.runId(), true, null);
                }
                Store.FleetRunRow r = abandoned(run);
                return new NodeOutcome(node, t.job, r == null ? null : r.runId(), false,
                        "the job ended without error but " + (r == null ? "no run of it reached the store"
                                : "its run " + r.runId() + " is " + r.status()));
            }
            default -> {
                Store.FleetRunRow r = abandoned(run);
                return new NodeOutcome(node, t.job, r == null ? null : r.runId(), false,
                        (st.reason() == null ? "the job failed" : st.reason()) + runReason(r));
            }
        }
    }

    /**
     * The engine says the node's job ended: a run of it still "running" has lost its process, so it is marked
     * abandoned (as the node's own next run would, had it run on the same host).
     */
    private Store.FleetRunRow abandoned(Store.FleetRunRow run) {
        if (run == null || !run.status().equals("running") || !store.abandonRun(run.runId())) {
            return run;
        }
        return new Store.FleetRunRow(run.runId(), run.node(), run.host(), "abandoned", run.trials(), run.trialsPlanned(),
                run.failures(), run.lastFailure());
    }

    /** The run's side of a failure: its status and last failed trial, or that it never reached the store. */
    private String runReason(Store.FleetRunRow run) {
        if (run == null) {
            return "; no run of it reached the store (the agent did not start, or could not reach the store: see the job's output)";
        }
        return "; its run " + run.runId() + " is " + run.status() + " with " + run.trials() + " trials"
                + (run.lastFailure() == null ? "" : " (last failure: " + run.lastFailure() + ")");
    }

    private void end(String id, Map<String, NodeOutcome> ended, NodeOutcome o) {
        ended.put(o.node(), o);
        String reason = o.reason();
        if (!o.ok() && o.job() != null) {
            // what the node itself printed: all there is when its run never reached the store; kept with the reason,
            // for the engine may drop it (a Kubernetes Job's TTL removes its pod and log)
            JobOutput out = output(id, o.node(), o.job());
            if (out != null && !out.lines().isEmpty()) {
                reason = reason + "\n" + out.block();
            }
        }
        store.updateFleetNode(id, o.node(), o.job(), o.ok() ? "succeeded" : "failed", reason);
        say(id, o.node() + ": " + (o.ok() ? "done, run " + o.runId() : "FAILED: " + reason));
    }

    /** The engine's tail of the node's job output, or null (none, or the engine cannot say: why, as its one line). */
    private JobOutput output(String id, String node, String job) {
        try {
            return engine.output(id, node, job);
        } catch (FleetException | RuntimeException e) {
            return new JobOutput(engine.id(), List.of("cannot read the job's output: " + e.getMessage()));
        }
    }

    /** Whether the fleet was ended by someone else ({@code fleet cancel}, or this process's Ctrl-C hook). */
    private boolean cancelledElsewhere(String id) {
        return !"running".equals(store.fleetStatus(id)); // one row: this runs several times per poll
    }

    /** The latest run of each node of the fleet (by the node name it was tagged with, else its host name). */
    private Map<String, Store.FleetRunRow> runsByNode(String id) {
        Map<String, Store.FleetRunRow> m = new LinkedHashMap<>();
        for (Store.FleetRunRow r : store.fleetRuns(id)) {
            m.put(r.node() != null ? r.node() : r.host(), r);
        }
        return m;
    }

    /**
     * Cancels the fleet: the engine removes its jobs, the store marks its unfinished runs interrupted (their samples
     * stay) and its unfinished nodes and the fleet {@code status}. Returns a line per thing done.
     */
    public Cancelled cancel(String fleetId, String status) {
        List<String> lines = new ArrayList<>();
        // first, so that a `fleet run` following this fleet stops submitting and following it
        if (store.loadFleet(fleetId).status().equals("running")) {
            store.finishFleet(fleetId, status);
        }
        String engineError = null;
        try {
            for (String l : engine.cancel(fleetId)) {
                lines.add("cancelled " + l);
            }
        } catch (FleetException e) {
            engineError = e.getMessage();
            lines.add("the engine could not cancel every job: " + engineError);
        }
        for (String run : store.interruptFleetRuns(fleetId)) {
            lines.add("run " + run + " marked interrupted (its samples stay; 'isobench run --resume " + run
                    + "' on its node finishes it)");
        }
        Store.FleetRow f = store.loadFleet(fleetId);
        for (Store.FleetNodeRow n : f.nodes()) {
            if (List.of("waiting", "pending", "running").contains(n.state())) {
                store.updateFleetNode(fleetId, n.node(), null, "cancelled", "fleet " + status);
            }
        }
        return new Cancelled(lines, engineError);
    }

    /** What cancel did, a line each; {@code engineError} non-null when jobs may be left on the cluster. */
    public record Cancelled(List<String> lines, String engineError) {
    }

    /** Per node: the job (the engine's phase now, else the recorded state), its run, trials done of planned, why. */
    public List<StatusRow> status(Store.FleetRow fleet) {
        List<NodeJobState> states;
        String engineNote = null;
        try {
            states = engine.jobs(fleet.id());
        } catch (FleetException e) {
            states = List.of();
            engineNote = "engine unreachable: " + e.getMessage();
        }
        Map<String, Store.FleetRunRow> runs = runsByNode(fleet.id());
        List<StatusRow> rows = new ArrayList<>();
        for (Store.FleetNodeRow n : fleet.nodes()) {
            NodeJobState st = n.job() == null ? null
                    : states.stream().filter(s -> s.jobName().equals(n.job())).findFirst().orElse(null);
            String phase = st != null && !List.of("succeeded", "failed", "cancelled").contains(n.state())
                    ? st.phase().name().toLowerCase(Locale.ROOT) : n.state();
            String reason = st != null && st.reason() != null && n.reason() == null ? st.reason() : n.reason();
            if (reason == null && engineNote != null) {
                reason = engineNote;
            }
            Store.FleetRunRow r = runs.get(n.node());
            JobOutput.Reason why = JobOutput.split(reason);
            JobOutput out = why.output();
            if (out == null && "failed".equals(phase) && n.job() != null) {
                out = output(fleet.id(), n.node(), n.job()); // fleet run did not see it fail (it was stopped, or is running)
            }
            rows.add(new StatusRow(n.node(), n.job(), phase, r == null ? null : r.runId(), r == null ? null : r.status(),
                    r == null ? null : r.trials(), r == null ? null : r.trialsPlanned(), why.text(),
                    out == null || out.lines().isEmpty() ? null : out));
        }
        return rows;
    }

    private void say(String id, String line) {
        err.println("isobench: fleet " + id + ": " + line);
        err.flush();
    }

    private void sleep() {
        try {
            Thread.sleep(poll.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
