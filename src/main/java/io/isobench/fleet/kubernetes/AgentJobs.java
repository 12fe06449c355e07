package io.isobench.fleet.kubernetes;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.isobench.fleet.FleetJob;
import io.isobench.runtime.k8s.PodManifests;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code batch/v1} Job of one node's agent, built by a pure method (render, submit and tests share it). Fields as
 * the Kubernetes API reference names them: JobSpec {@code backoffLimit}, {@code activeDeadlineSeconds},
 * {@code ttlSecondsAfterFinished}, {@code template}; PodSpec {@code restartPolicy}, {@code nodeSelector},
 * {@code affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[].matchFields},
 * {@code hostPID}, {@code hostNetwork}, {@code dnsPolicy}, {@code automountServiceAccountToken},
 * {@code terminationGracePeriodSeconds}; Container {@code securityContext.privileged}, {@code env[].valueFrom.secretKeyRef},
 * {@code volumeMounts[].mountPropagation}; Volume {@code hostPath.path/type}.
 */
public final class AgentJobs {
    public static final String FLEET = "isobench.io/fleet";
    public static final String NODE = "isobench.io/node";
    /** The whole fleet id and store, when the label value had to be shortened or cleaned. */
    public static final String FLEET_ID_ANNOTATION = "isobench.io/fleet-id";
    public static final String HOSTNAME_LABEL = "kubernetes.io/hostname";
    public static final String CONTAINER = "isobench";
    /** Finished Jobs (and their pods, for `kubectl logs`) stay this long, then the TTL controller deletes them. */
    public static final long TTL_SECONDS = 24 * 3600;
    /** isobench's own SIGTERM handling tears its sandboxes down and marks the run interrupted: give it time. */
    public static final long GRACE_SECONDS = 120;

    /**
     * Host paths the agent mounts at the same path, why each: the local drivers hand paths to host daemons (docker,
     * containerd) and keep state where the host's tools look, so inside and outside must agree.
     */
    public static final List<HostMount> HOST_MOUNTS = List.of(
            new HostMount("run", "/run", "Directory", true, false,
                    "sockets of dockerd and containerd, runc/crun/runsc state roots (/run/runc…), network namespaces "
                            + "(/run/netns, made by isobench; Bidirectional so the host sees them) and the address "
                            + "leases of /run/isobench shared with other isobench processes on the node"),
            new HostMount("tmp", "/tmp", "Directory", false, false,
                    "isobench's work dir (bundles, scratch dirs, standalone containerd) is bind-mounted by host daemons "
                            + "and swept by the next run's janitor: it must be the host's /tmp"),
            new HostMount("cache", "/root/.cache/isobench", "DirectoryOrCreate", false, false,
                    "workload images, built tools, fetched runsc and guest kernels, given to host daemons by path "
                            + "(docker import, ctr --rootfs) and reused by the next run on the node"),
            new HostMount("cgroup", "/sys/fs/cgroup", "Directory", false, false,
                    "the host's cgroup hierarchy: OCI runtimes put sandboxes under /isobench/<name> and isobench reads "
                            + "their usage there"),
            new HostMount("modules", "/lib/modules", "Directory", false, true,
                    "modprobe of veth, tun, bridge and kvm modules for the network and VM runtimes (read-only)"));

    /** One hostPath mount of the agent. */
    public record HostMount(String name, String path, String type, boolean bidirectional, boolean readOnly, String why) {
    }

    /** What a node's Job needs besides the fleet job: namespace, isobench's image, the Secret with the store password. */
    public record Settings(String namespace, String image, String secretName, String secretKey) {
    }

    private AgentJobs() {
    }

    /** "isobench-FLEET-NODE" as a DNS-1123 label (a Job's name is also its pods' job-name label: at most 63). */
    public static String jobName(String fleetId, String node) {
        String full = ("isobench-" + fleetId + "-" + node).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-")
                .replaceAll("-+", "-").replaceAll("-$", "");
        if (full.length() <= 63) {
            return full;
        }
        return full.substring(0, 56).replaceAll("-+$", "") + "-" + hash(fleetId + "/" + node).substring(0, 6);
    }

    private static String hash(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The labels of every object of this fleet on this node (jobs(), cancel() and a janitor select on them). */
    public static Map<String, String> labels(String fleetId, String node) {
        Map<String, String> l = new LinkedHashMap<>();
        l.put(PodManifests.MANAGED_BY, PodManifests.ISOBENCH);
        l.put(FLEET, PodManifests.labelValue(fleetId));
        l.put(NODE, PodManifests.labelValue(node));
        return l;
    }

    /** The selector of a whole fleet. */
    public static Map<String, String> fleetSelector(String fleetId) {
        return Map.of(PodManifests.MANAGED_BY, PodManifests.ISOBENCH, FLEET, PodManifests.labelValue(fleetId));
    }

    /**
     * The node agent's Job: one pod, never retried (backoffLimit 0: a failed node is reported, not rerun), bounded by
     * the job's deadline, pinned to the node by its hostname label and by its name (a nodeAffinity matchFields
     * term, as the DaemonSet controller pins its pods; the scheduler still checks taints and resources, which
     * spec.nodeName would skip), privileged with the host's PID and network namespaces and {@link #HOST_MOUNTS}.
     *
     * @param hostname the node's kubernetes.io/hostname label (usually its name)
     */
    /** Where the agent's container sees the plan file (the ConfigMap's {@value #PLAN_KEY}), read-only. */
    public static final String PLAN_DIR = "/etc/isobench/plan";
    public static final String PLAN_KEY = "plan.yaml";

    /**
     * The ConfigMap carrying the fleet's plan file to the node's agent: named and labelled like the node's Job (so
     * {@code cancel} deletes it by the fleet's labels), the plan's text under {@value #PLAN_KEY}, immutable. {@code
     * submit} makes the Job its owner once the Job exists (an ownerReference with the Job's uid), so Kubernetes' garbage
     * collector deletes it with the Job (when the TTL controller removes a finished Job, or anyone deletes it). Null
     * when the fleet has no plan file.
     */
    public static ConfigMap planConfigMap(FleetJob fleet, String node, Settings s) {
        if (fleet.plan() == null) {
            return null;
        }
        return new ConfigMapBuilder()
                .withNewMetadata().withName(jobName(fleet.fleetId(), node)).withNamespace(s.namespace())
                .withLabels(labels(fleet.fleetId(), node)).addToAnnotations(FLEET_ID_ANNOTATION, fleet.fleetId())
                .addToAnnotations(PLAN_SOURCE_ANNOTATION, fleet.plan().source()).endMetadata()
                .withImmutable(true)
                .addToData(PLAN_KEY, fleet.plan().text())
                .build();
    }

    /** The plan file's path on the submitting host, for a reader of the ConfigMap. */
    public static final String PLAN_SOURCE_ANNOTATION = "isobench.io/plan-source";

    public static Job job(FleetJob fleet, String node, String hostname, Settings s) {
        Map<String, String> labels = labels(fleet.fleetId(), node);
        List<EnvVar> env = new ArrayList<>();
        if (s.secretName() != null) {
            env.add(new EnvVarBuilder().withName("PGPASSWORD").withNewValueFrom().withNewSecretKeyRef()
                    .withName(s.secretName()).withKey(s.secretKey()).withOptional(false).endSecretKeyRef().endValueFrom().build());
        }
        env.add(new EnvVarBuilder().withName("ISOBENCH_FLEET_NODE").withNewValueFrom().withNewFieldRef()
                .withFieldPath("spec.nodeName").endFieldRef().endValueFrom().build());
        env.add(new EnvVar("HOME", "/root", null));
        List<VolumeMount> mounts = new ArrayList<>();
        List<Volume> volumes = new ArrayList<>();
        for (HostMount m : HOST_MOUNTS) {
            mounts.add(new VolumeMountBuilder().withName(m.name()).withMountPath(m.path())
                    .withMountPropagation(m.bidirectional() ? "Bidirectional" : null)
                    .withReadOnly(m.readOnly() ? Boolean.TRUE : null).build());
            volumes.add(new VolumeBuilder().withName(m.name()).withNewHostPath().withPath(m.path()).withType(m.type())
                    .endHostPath().build());
        }
        if (fleet.plan() != null) {
            mounts.add(new VolumeMountBuilder().withName("plan").withMountPath(PLAN_DIR).withReadOnly(true).build());
            volumes.add(new VolumeBuilder().withName("plan").withNewConfigMap().withName(jobName(fleet.fleetId(), node))
                    .withOptional(false).endConfigMap().build());
        }
        return new JobBuilder()
                .withNewMetadata().withName(jobName(fleet.fleetId(), node)).withNamespace(s.namespace())
                .withLabels(labels).addToAnnotations(FLEET_ID_ANNOTATION, fleet.fleetId()).endMetadata()
                .withNewSpec()
                .withBackoffLimit(0)
                .withActiveDeadlineSeconds(fleet.deadline().toSeconds())
                .withTtlSecondsAfterFinished((int) TTL_SECONDS)
                .withNewTemplate()
                .withNewMetadata().withLabels(labels).endMetadata()
                .withNewSpec()
                .withRestartPolicy("Never")
                .addToNodeSelector(HOSTNAME_LABEL, hostname)
                .withNewAffinity().withNewNodeAffinity().withNewRequiredDuringSchedulingIgnoredDuringExecution()
                .addNewNodeSelectorTerm().addNewMatchField().withKey("metadata.name").withOperator("In").withValues(node)
                .endMatchField().endNodeSelectorTerm()
                .endRequiredDuringSchedulingIgnoredDuringExecution().endNodeAffinity().endAffinity()
                .withHostPID(true)
                .withHostNetwork(true)
                .withDnsPolicy("ClusterFirstWithHostNet")
                .withAutomountServiceAccountToken(false)
                .withEnableServiceLinks(false)
                .withTerminationGracePeriodSeconds(GRACE_SECONDS)
                .addNewContainer()
                .withName(CONTAINER)
                .withImage(s.image())
                .withImagePullPolicy("IfNotPresent")
                .withArgs(fleet.agentArgs(node, PLAN_DIR + "/" + PLAN_KEY))
                .withEnv(env)
                .withNewSecurityContext().withPrivileged(true).endSecurityContext()
                .withVolumeMounts(mounts)
                .endContainer()
                .withVolumes(volumes)
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
    }
}
