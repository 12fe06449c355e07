package io.isobench.runtime.k8s;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.isobench.proc.Cleanup;
import io.isobench.proc.ProcResult;
import io.isobench.runtime.LaunchSpec;
import io.isobench.runtime.RuntimeDriver;
import io.isobench.runtime.Sandbox;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One {@code kubevirt} instance: a VMI created through the API, its {@code status.phase} read every
 * {@value #POLL_MILLIS} ms until Succeeded or Failed (the guest powered off), deleted on close and by a {@link Cleanup}
 * action. Phases from {@code status.phaseTransitionTimestamps}: Scheduled as {@code scheduled}, Running as
 * {@code containers_ready} (the guest's virt-launcher pod runs the VM).
 */
final class VmiSandbox implements Sandbox {
    static final long POLL_MILLIS = 500;
    /** kubevirt.io/v1 VirtualMachineInstance, namespaced (no discovery call needed). */
    static final ResourceDefinitionContext VMI = new ResourceDefinitionContext.Builder().withGroup("kubevirt.io")
            .withVersion("v1").withKind("VirtualMachineInstance").withPlural("virtualmachineinstances")
            .withNamespaced(true).build();
    private final KubeCluster cluster;
    private final GenericKubernetesResource manifest;
    private final LaunchSpec spec;
    private final String launch;
    private final String name;
    private long launchedAt;
    private long createdAt;
    private volatile GenericKubernetesResource latest;
    private volatile long exitedAt = -1;
    private Cleanup.Action cleanup;
    private volatile boolean closed;
    private final Object closeLock = new Object();
    private final PodNetwork.Mode mode;
    private PodNetwork network;
    private Duration ipWait = PodSandbox.IP_WAIT;

    VmiSandbox(KubeCluster cluster, GenericKubernetesResource manifest, LaunchSpec spec, String launch) {
        this(cluster, manifest, spec, launch, PodNetwork.Mode.AUTO);
    }

    VmiSandbox(KubeCluster cluster, GenericKubernetesResource manifest, LaunchSpec spec, String launch, PodNetwork.Mode mode) {
        this.mode = mode;
        this.cluster = cluster;
        this.manifest = manifest;
        this.spec = spec;
        this.launch = launch;
        this.name = manifest.getMetadata().getName();
    }

    private Resource<GenericKubernetesResource> vmi() {
        return cluster.client().genericKubernetesResources(VMI).inNamespace(cluster.namespace()).withName(name);
    }

    VmiSandbox start() throws RuntimeDriver.LaunchException {
        launchedAt = System.nanoTime();
        K8sLeftovers.record("vmi", cluster.namespace(), name, launch);
        cleanup = Cleanup.register("delete KubeVirt VMI " + cluster.namespace() + "/" + name, this::deleteQuietly);
        try {
            latest = cluster.client().genericKubernetesResources(VMI).inNamespace(cluster.namespace())
                    .resource(manifest).create();
        } catch (KubernetesClientException e) {
            close();
            throw new RuntimeDriver.LaunchException("the API refused VMI " + name + ": " + KubeCluster.oneLine(e), e);
        }
        createdAt = System.nanoTime();
        return this;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> status(GenericKubernetesResource r) {
        Object s = r == null ? null : r.getAdditionalProperties().get("status");
        return s instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
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
        String phase = null;
        String error = "";
        while (System.nanoTime() < deadline) {
            try {
                GenericKubernetesResource r = vmi().get();
                if (r == null) {
                    error = "the VMI was deleted before it finished";
                    break;
                }
                latest = r;
                phase = (String) status(r).get("phase");
                if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
                    exitedAt = System.nanoTime();
                    break;
                }
            } catch (KubernetesClientException e) {
                error = "reading the VMI: " + KubeCluster.oneLine(e);
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - launchedAt);
        if (exitedAt < 0) {
            deleteQuietly();
            return new ProcResult(spec.argv(), -1, error.isEmpty(), "", error.isEmpty() ? "VMI phase " + phase : error, elapsed);
        }
        return new ProcResult(spec.argv(), "Succeeded".equals(phase) ? 0 : 1, false, "",
                "Succeeded".equals(phase) ? "" : "VMI phase Failed: " + status(latest).get("reason"), elapsed);
    }

    /** For tests: how long {@link #endpoint} waits for the VMI's IP. */
    VmiSandbox ipWait(Duration d) {
        this.ipWait = d;
        return this;
    }

    /**
     * The VMI's {@code port} at its IP ({@code status.interfaces[0].ipAddress}, read every {@value #POLL_MILLIS} ms for at
     * most {@link PodSandbox#IP_WAIT}) when isobench's host reaches it; otherwise an IllegalStateException with the
     * reason (no port-forward for VMIs).
     */
    @Override
    public synchronized InetSocketAddress endpoint(int port) {
        if (spec.network() == null || !spec.network().tcpPorts().contains(port)) {
            throw new IllegalStateException("port " + port + " was not asked for");
        }
        if (network == null) {
            String ip = awaitIp();
            boolean forced = PodNetwork.Mode.POD_IP == mode;
            String unreachable = forced ? null : PodNetwork.unreachable(ip, spec.network().tcpPorts().get(0), PodNetwork.PROBE_TIMEOUT);
            if (unreachable != null) {
                throw new IllegalStateException("VMI " + id() + ": its IP " + ip + " is not reachable from isobench's host ("
                        + unreachable + "); kubevirt has no port-forward path: run isobench on a node of the cluster (a fleet agent)");
            }
            network = PodNetwork.podIp(ip, spec.network().tcpPorts(), "status.interfaces[0].ipAddress, masquerade binding; "
                    + (forced ? "forced by $" + PodNetwork.ENV + "=pod-ip" : "a TCP connect from isobench's host was answered"));
        }
        return network.endpoint(port);
    }

    @Override
    public synchronized String networkPath() {
        return spec.network() == null ? null : network != null ? network.description() : "not chosen yet";
    }

    private String awaitIp() {
        long deadline = System.nanoTime() + ipWait.toNanos();
        String phase = null;
        while (System.nanoTime() < deadline && !closed) {
            try {
                GenericKubernetesResource r = vmi().get();
                if (r == null) {
                    throw new IllegalStateException("VMI " + id() + " was deleted before it had an IP");
                }
                latest = r;
                phase = (String) status(r).get("phase");
                if (status(r).get("interfaces") instanceof List<?> l && !l.isEmpty() && l.get(0) instanceof Map<?, ?> i
                        && i.get("ipAddress") instanceof String ip && !ip.isBlank()) {
                    return ip;
                }
                if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
                    throw new IllegalStateException("VMI " + id() + " ended (" + phase + ") before it had an IP");
                }
            } catch (KubernetesClientException e) {
                phase = "unknown (" + KubeCluster.oneLine(e) + ")";
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new IllegalStateException("VMI " + id() + ": no IP (status.interfaces[0].ipAddress) after "
                + ipWait.toSeconds() + " s; phase " + phase);
    }

    @Override
    public long exitedAtNanos() {
        return exitedAt;
    }

    @Override
    public List<Long> hostPids() {
        return List.of();
    }

    @Override
    public List<Phase> phases() {
        if (createdAt == 0) {
            return List.of();
        }
        return phases(latest, createdAt);
    }

    /** created, then Scheduled and Running from the VMI's phaseTransitionTimestamps relative to its creationTimestamp. */
    static List<Phase> phases(GenericKubernetesResource r, long createdNanos) {
        List<Phase> l = new ArrayList<>(List.of(new Phase(Phase.CREATED, createdNanos)));
        Instant creation = r == null ? null : PodSandbox.instant(r.getMetadata().getCreationTimestamp());
        Object ts = status(r).get("phaseTransitionTimestamps");
        if (creation == null || !(ts instanceof List<?> list)) {
            return l;
        }
        for (String[] p : new String[][]{{"Scheduled", Phase.SCHEDULED}, {"Running", Phase.CONTAINERS_READY}}) {
            for (Object o : list) {
                if (o instanceof Map<?, ?> m && p[0].equals(m.get("phase"))) {
                    Instant at = PodSandbox.instant((String) m.get("phaseTransitionTimestamp"));
                    if (at != null) {
                        l.add(new Phase(p[1], createdNanos + Duration.between(creation, at).toNanos()));
                    }
                }
            }
        }
        return l;
    }

    private void deleteQuietly() {
        try {
            vmi().delete();
        } catch (KubernetesClientException e) {
            // the janitor's ledger sweep stays the safety net
        }
    }

    @Override
    public void close() {
        synchronized (closeLock) { // not this: an endpoint() waiting for the IP holds this, and sees closed
            if (closed) {
                return;
            }
            closed = true;
        }
        deleteQuietly();
        if (cleanup != null) {
            cleanup.disarm();
        }
    }
}
