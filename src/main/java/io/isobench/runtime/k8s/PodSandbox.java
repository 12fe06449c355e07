package io.isobench.runtime.k8s;

import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.LogWatch;
import io.fabric8.kubernetes.client.dsl.PodResource;
import io.isobench.proc.Cleanup;
import io.isobench.proc.ProcResult;
import io.isobench.runtime.LaunchSpec;
import io.isobench.runtime.RuntimeDriver;
import io.isobench.runtime.Sandbox;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One {@code k8s:*} instance: a pod created through the API, watched until its container has run, its log read as the
 * workload's output (stdout and stderr merged: Kubernetes keeps one log per container), deleted on close (and by a
 * {@link Cleanup} action on Ctrl-C). A create whose answer was lost and was retried (409 AlreadyExists) adopts the pod
 * only if it carries this launch's token; a watch the server ended with 410 Gone (its resourceVersion expired) is
 * re-established from a fresh read. Phases come from the API's own timestamps ({@link #phases()}).
 */
final class PodSandbox implements Sandbox {
    /** Container waiting reasons after which the pod will not run without someone changing something. */
    static final Set<String> FATAL_WAITING = Set.of("ErrImagePull", "ImagePullBackOff", "InvalidImageName",
            "CreateContainerConfigError", "CreateContainerError", "RunContainerError", "ErrImageNeverPull");
    static final Duration LOG_DRAIN = Duration.ofSeconds(10);
    static final Duration DELETE_WAIT = Duration.ofSeconds(60);
    static final int MAX_OUTPUT = 8 << 20;
    /** How long {@link #endpoint} waits for the pod's IP (scheduling, the pod sandbox's network set up). */
    static final Duration IP_WAIT = Duration.ofSeconds(120);

    private final KubeCluster cluster;
    private final LaunchSpec spec;
    private final Pod manifest;
    private final String name;
    private final String launch;
    private final Object lock = new Object();
    private long launchedAt;
    private long createdAt;
    private Pod latest;
    private long runningSeenAt = -1;
    private long exitedAt = -1;
    private String fatal;
    private boolean deleted;
    private Watch watch;
    private LogWatch logWatch;
    private Thread logThread;
    private final StringBuilder output = new StringBuilder();
    private Cleanup.Action cleanup;
    private boolean closed;
    private final List<String> events = new ArrayList<>();
    private final PodNetwork.Mode networkMode;
    private final Object networkLock = new Object();
    private PodNetwork network;
    private Duration ipWait = IP_WAIT;

    PodSandbox(KubeCluster cluster, Pod manifest, LaunchSpec spec) {
        this(cluster, manifest, spec, PodNetwork.Mode.AUTO);
    }

    PodSandbox(KubeCluster cluster, Pod manifest, LaunchSpec spec, PodNetwork.Mode networkMode) {
        this.cluster = cluster;
        this.manifest = manifest;
        this.spec = spec;
        this.networkMode = networkMode;
        this.name = manifest.getMetadata().getName();
        this.launch = manifest.getMetadata().getLabels().get(PodManifests.LAUNCH);
    }

    private PodResource pod() {
        return cluster.client().pods().inNamespace(cluster.namespace()).withName(name);
    }

    /** Creates the pod and starts watching it. */
    PodSandbox start() throws RuntimeDriver.LaunchException {
        launchedAt = System.nanoTime();
        K8sLeftovers.record("pod", cluster.namespace(), name, launch);
        cleanup = Cleanup.register("delete Kubernetes pod " + cluster.namespace() + "/" + name, this::deleteQuietly);
        try {
            try {
                latest = cluster.client().pods().inNamespace(cluster.namespace()).resource(manifest).create();
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    throw e;
                }
                Pod existing = pod().get(); // our create may have gone through before its answer was lost
                if (existing == null || !launch.equals(existing.getMetadata().getLabels().get(PodManifests.LAUNCH))) {
                    throw new RuntimeDriver.LaunchException("pod " + name + " exists and is not this launch's: "
                            + KubeCluster.oneLine(e));
                }
                events.add("create answered 409 AlreadyExists; adopted the pod (it carries this launch's token)");
                latest = existing;
            }
            createdAt = System.nanoTime();
            watchPod();
        } catch (KubernetesClientException e) {
            close();
            throw new RuntimeDriver.LaunchException("the API refused pod " + name + ": " + KubeCluster.oneLine(e), e);
        } catch (RuntimeDriver.LaunchException e) {
            close();
            throw e;
        }
        return this;
    }

    private void watchPod() {
        for (int attempt = 0; ; attempt++) {
            try {
                Watch w = pod().watch(new PodWatcher());
                synchronized (lock) {
                    watch = w;
                }
                break;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 410 || attempt >= 3) {
                    throw e;
                }
                events.add("watch answered 410 Gone; watching again from a fresh read");
            }
        }
        Pod now = pod().get(); // what happened before the watch started
        if (now != null) {
            observe(now);
        }
    }

    private final class PodWatcher implements Watcher<Pod> {
        @Override
        public void eventReceived(Action action, Pod p) {
            if (action == Action.DELETED) {
                synchronized (lock) {
                    deleted = true;
                    lock.notifyAll();
                }
            } else if (action != Action.ERROR) {
                observe(p);
            }
        }

        @Override
        public void onClose(WatcherException e) {
            boolean done;
            synchronized (lock) {
                done = closed || exitedAt >= 0 || deleted;
            }
            if (!done) {
                events.add("watch closed (" + (e.isHttpGone() ? "410 Gone" : KubeCluster.oneLine(e))
                        + "); watching again from a fresh read");
                Thread.ofPlatform().daemon().name("isobench-k8s-rewatch").start(() -> {
                    try {
                        watchPod();
                    } catch (KubernetesClientException again) {
                        synchronized (lock) {
                            fatal = "lost the watch on pod " + name + ": " + KubeCluster.oneLine(again);
                            lock.notifyAll();
                        }
                    }
                });
            }
        }
    }

    /** Takes a pod snapshot: the container running or terminated as isobench's clock saw it, fatal waiting reasons. */
    void observe(Pod p) {
        long now = System.nanoTime();
        boolean startLog = false;
        synchronized (lock) {
            if (p.getMetadata().getResourceVersion() != null && latest != null
                    && older(p.getMetadata().getResourceVersion(), latest.getMetadata().getResourceVersion())) {
                return;
            }
            latest = p;
            ContainerStatus cs = containerStatus(p);
            if (cs != null && cs.getState() != null) {
                if ((cs.getState().getRunning() != null || cs.getState().getTerminated() != null) && runningSeenAt < 0) {
                    runningSeenAt = now;
                    startLog = true;
                }
                if (cs.getState().getTerminated() != null && exitedAt < 0) {
                    exitedAt = now;
                }
                ContainerStateWaiting w = cs.getState().getWaiting();
                if (w != null && w.getReason() != null && FATAL_WAITING.contains(w.getReason())) {
                    fatal = w.getReason() + (w.getMessage() == null ? "" : ": " + w.getMessage());
                }
            }
            if (exitedAt < 0 && p.getStatus() != null && ("Failed".equals(p.getStatus().getPhase())
                    || "Succeeded".equals(p.getStatus().getPhase()))) {
                exitedAt = now; // evicted or deadline exceeded before the container ran
                if (cs == null || cs.getState() == null || cs.getState().getTerminated() == null) {
                    fatal = "pod " + p.getStatus().getPhase() + ": " + p.getStatus().getReason() + " "
                            + p.getStatus().getMessage();
                }
            }
            lock.notifyAll();
        }
        if (startLog) {
            startLogReader();
        }
    }

    private static boolean older(String a, String b) {
        try {
            return b != null && Long.parseLong(a) < Long.parseLong(b);
        } catch (NumberFormatException e) {
            return false; // resourceVersions are opaque; only numeric ones are compared
        }
    }

    static ContainerStatus containerStatus(Pod p) {
        if (p.getStatus() == null || p.getStatus().getContainerStatuses() == null) {
            return null;
        }
        return p.getStatus().getContainerStatuses().stream().filter(c -> PodManifests.CONTAINER.equals(c.getName()))
                .findFirst().orElse(null);
    }

    /** Follows the container's log from its start; every line goes to the spec's listener with isobench's clock. */
    private void startLogReader() {
        Thread t = Thread.ofPlatform().daemon().name("isobench-k8s-log-" + name).unstarted(() -> {
            try {
                LogWatch lw = pod().inContainer(PodManifests.CONTAINER).watchLog();
                synchronized (lock) {
                    logWatch = lw;
                }
                try (BufferedReader r = new BufferedReader(new InputStreamReader(lw.getOutput(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        long at = System.nanoTime();
                        synchronized (lock) {
                            if (output.length() + line.length() < MAX_OUTPUT) {
                                output.append(line).append('\n');
                            }
                        }
                        if (spec.onLine() != null) {
                            spec.onLine().line(line, at);
                        }
                    }
                }
            } catch (IOException | KubernetesClientException e) {
                synchronized (lock) {
                    if (!closed) {
                        events.add("log stream ended: " + KubeCluster.oneLine(e));
                    }
                }
            }
        });
        synchronized (lock) {
            logThread = t;
        }
        t.start();
    }

    @Override
    public String id() {
        return cluster.namespace() + "/" + name;
    }

    @Override
    public long launchedAtNanos() {
        return launchedAt;
    }

    @Override
    public ProcResult await(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String why;
        synchronized (lock) {
            while (exitedAt < 0 && fatal == null && !deleted && System.nanoTime() < deadline) {
                try {
                    lock.wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            why = fatal;
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - launchedAt);
        boolean timedOut;
        synchronized (lock) {
            timedOut = exitedAt < 0 && fatal == null;
        }
        if (timedOut || why != null) {
            deleteQuietly();
            return new ProcResult(spec.argv(), -1, timedOut, outputSoFar(), describe(why), elapsed);
        }
        drainLog();
        ContainerStatus cs;
        synchronized (lock) {
            cs = containerStatus(latest);
        }
        ContainerStateTerminated t = cs == null || cs.getState() == null ? null : cs.getState().getTerminated();
        int code = t == null || t.getExitCode() == null ? -1 : t.getExitCode();
        return new ProcResult(spec.argv(), code, false, outputSoFar(), code == 0 ? "" : describe(
                t == null ? "no exit status" : t.getReason() + (t.getMessage() == null ? "" : ": " + t.getMessage())), elapsed);
    }

    /** Waits for the log stream to end (a followed log ends when the container exits); reads it whole if it never ran. */
    private void drainLog() {
        Thread t;
        synchronized (lock) {
            t = logThread;
        }
        if (t == null) {
            return;
        }
        try {
            t.join(LOG_DRAIN.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private String outputSoFar() {
        synchronized (lock) {
            return output.toString();
        }
    }

    /** Why the pod did not run to a clean exit, with what the API said along the way. */
    private String describe(String why) {
        StringBuilder sb = new StringBuilder();
        if (why != null) {
            sb.append("pod ").append(id()).append(": ").append(why).append('\n');
        }
        synchronized (lock) {
            events.forEach(e -> sb.append(e).append('\n'));
            if (latest != null && latest.getStatus() != null && latest.getStatus().getConditions() != null) {
                for (PodCondition c : latest.getStatus().getConditions()) {
                    if (!"True".equals(c.getStatus())) {
                        sb.append(c.getType()).append('=').append(c.getStatus()).append(c.getReason() == null ? ""
                                : " " + c.getReason()).append(c.getMessage() == null ? "" : ": " + c.getMessage()).append('\n');
                    }
                }
            }
        }
        return sb.toString();
    }

    @Override
    public long exitedAtNanos() {
        synchronized (lock) {
            return exitedAt;
        }
    }

    /** None on this host: the pod's processes run on a cluster node. */
    @Override
    public List<Long> hostPids() {
        return List.of();
    }

    @Override
    public String scratchStorage() {
        return spec.scratchBytes() == null ? null : "emptyDir on the node's disk (sizeLimit " + spec.scratchBytes() + " bytes)";
    }

    /** For tests: how long {@link #endpoint} waits for the pod's IP. */
    PodSandbox ipWait(Duration d) {
        this.ipWait = d;
        return this;
    }

    /**
     * The host-side address of the pod's {@code port}: waits (at most {@link #IP_WAIT}) until the pod has an IP, then
     * chooses the path once for all ports ({@link PodNetwork}): the pod IP when isobench's host reaches it, else a
     * port-forward through the API server.
     *
     * @throws IllegalStateException no network asked for, a port not asked for, no IP in time (with the pod's state),
     *                               the pod ended or failed first, or the port-forward could not be opened
     */
    @Override
    public InetSocketAddress endpoint(int port) {
        if (spec.network() == null) {
            throw new IllegalStateException("this sandbox has no network (LaunchSpec.network was null)");
        }
        if (!spec.network().tcpPorts().contains(port)) {
            throw new IllegalStateException("port " + port + " was not asked for (ports " + spec.network().tcpPorts() + ")");
        }
        synchronized (networkLock) {
            if (network == null) {
                network = choose(awaitIp());
            }
            return network.endpoint(port);
        }
    }

    @Override
    public String networkPath() {
        if (spec.network() == null) {
            return null;
        }
        synchronized (networkLock) {
            return network != null ? network.description() : "not chosen yet (the pod's IP is awaited by the first endpoint call)";
        }
    }

    /** The pod's IP once the API has one; throws with the reason when it ends, fails or times out first. */
    private String awaitIp() {
        long deadline = System.nanoTime() + ipWait.toNanos();
        synchronized (lock) {
            while (true) {
                String ip = latest == null || latest.getStatus() == null ? null : latest.getStatus().getPodIP();
                if (ip != null && !ip.isBlank()) {
                    return ip;
                }
                String why = fatal != null ? fatal : deleted ? "the pod was deleted" : closed ? "the sandbox was closed"
                        : exitedAt >= 0 ? "the pod ended before it had an IP" : null;
                long left = deadline - System.nanoTime();
                if (why == null && left <= 0) {
                    why = "no IP (status.podIP) after " + ipWait.toSeconds() + " s";
                }
                if (why != null) {
                    throw new IllegalStateException("pod " + id() + ": " + why + "; " + state(latest));
                }
                try {
                    lock.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for the IP of pod " + id(), e);
                }
            }
        }
    }

    /** The pod's phase and its conditions that are not True, for reasons. */
    private static String state(Pod p) {
        if (p == null || p.getStatus() == null) {
            return "no status yet";
        }
        StringBuilder sb = new StringBuilder("phase " + p.getStatus().getPhase());
        if (p.getStatus().getConditions() != null) {
            for (PodCondition c : p.getStatus().getConditions()) {
                if (!"True".equals(c.getStatus())) {
                    sb.append(", ").append(c.getType()).append('=').append(c.getStatus())
                            .append(c.getReason() == null ? "" : " " + c.getReason())
                            .append(c.getMessage() == null ? "" : ": " + c.getMessage());
                }
            }
        }
        return sb.toString();
    }

    private PodNetwork choose(String ip) {
        List<Integer> ports = spec.network().tcpPorts();
        return switch (networkMode) {
            case POD_IP -> PodNetwork.podIp(ip, ports, "status.podIP; forced by $" + PodNetwork.ENV + "=pod-ip");
            case PORT_FORWARD -> PodNetwork.portForward(pod(), id(), ports, "forced by $" + PodNetwork.ENV
                    + "=port-forward; pod IP " + ip);
            case AUTO -> {
                String unreachable = PodNetwork.unreachable(ip, ports.get(0), PodNetwork.PROBE_TIMEOUT);
                yield unreachable == null
                        ? PodNetwork.podIp(ip, ports, "status.podIP; a TCP connect from isobench's host was answered")
                        : PodNetwork.portForward(pod(), id(), ports, "pod IP " + ip + " is not reachable from isobench's "
                        + "host: " + unreachable);
            }
        };
    }

    /**
     * {@code created}: isobench's clock when the create call returned; {@code scheduled}, {@code initialized},
     * {@code containers_ready}: the pod's conditions' lastTransitionTime minus its creationTimestamp (both written by
     * the cluster, whole seconds), added to {@code created}. Only conditions that are True are reported.
     */
    @Override
    public List<Phase> phases() {
        Pod p;
        long created;
        synchronized (lock) {
            p = latest;
            created = createdAt;
        }
        if (created == 0) {
            return List.of();
        }
        return phases(p, created);
    }

    /** The phases of a pod snapshot whose create call returned at {@code createdNanos}. */
    static List<Phase> phases(Pod p, long createdNanos) {
        List<Phase> l = new ArrayList<>(List.of(new Phase(Phase.CREATED, createdNanos)));
        Instant creation = p == null ? null : instant(p.getMetadata().getCreationTimestamp());
        if (creation == null || p.getStatus() == null || p.getStatus().getConditions() == null) {
            return l;
        }
        Map<String, String> names = Map.of("PodScheduled", Phase.SCHEDULED, "Initialized", Phase.INITIALIZED,
                "ContainersReady", Phase.CONTAINERS_READY);
        for (String type : List.of("PodScheduled", "Initialized", "ContainersReady")) {
            for (PodCondition c : p.getStatus().getConditions()) {
                Instant at = instant(c.getLastTransitionTime());
                if (type.equals(c.getType()) && "True".equals(c.getStatus()) && at != null) {
                    l.add(new Phase(names.get(type), createdNanos + Duration.between(creation, at).toNanos()));
                }
            }
        }
        return l;
    }

    static Instant instant(String rfc3339) {
        try {
            return rfc3339 == null ? null : Instant.parse(rfc3339);
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
    }

    private void deleteQuietly() {
        try {
            pod().withGracePeriod(PodManifests.GRACE_SECONDS).delete();
        } catch (KubernetesClientException e) {
            synchronized (lock) {
                events.add("delete failed: " + KubeCluster.oneLine(e));
            }
        }
    }

    /** Deletes the pod and waits until the API no longer has it (its containers stopped on the node). */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            lock.notifyAll(); // an endpoint() waiting for the IP gives up
        }
        synchronized (networkLock) {
            if (network != null) {
                network.close();
            }
        }
        deleteQuietly();
        long deadline = System.nanoTime() + DELETE_WAIT.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                synchronized (lock) {
                    if (deleted) {
                        break;
                    }
                    lock.wait(200);
                }
                if (pod().get() == null) {
                    break;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (KubernetesClientException e) {
            // the API is gone: the Cleanup action and the janitor's label sweep stay the safety net
        }
        Watch w;
        LogWatch lw;
        synchronized (lock) {
            w = watch;
            lw = logWatch;
        }
        if (w != null) {
            w.close();
        }
        if (lw != null) {
            lw.close();
        }
        if (cleanup != null) {
            cleanup.disarm();
        }
    }
}
