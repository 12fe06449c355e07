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
    private boolean closed;

    VmiSandbox(KubeCluster cluster, GenericKubernetesResource manifest, LaunchSpec spec, String launch) {
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
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        deleteQuietly();
        if (cleanup != null) {
            cleanup.disarm();
        }
    }
}
