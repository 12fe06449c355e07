package io.isobench.runtime.k8s;

import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.isobench.runtime.LaunchSpec;
import io.isobench.runtime.Scratch;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The objects isobench creates for {@code k8s:*} instances, built by pure methods (tests read them). Field names follow
 * the Kubernetes API reference (core/v1 Pod: {@code spec.runtimeClassName}, {@code spec.restartPolicy},
 * {@code spec.automountServiceAccountToken}, {@code spec.enableServiceLinks}, {@code containers[].command},
 * {@code resources.limits/requests}, {@code securityContext.readOnlyRootFilesystem}, {@code emptyDir.medium/sizeLimit}).
 */
public final class PodManifests {
    /** Labels every object isobench creates carries (kubectl get pods -l app.kubernetes.io/managed-by=isobench). */
    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final String ISOBENCH = "isobench";
    /** The isobench process that owns an instance: its host name and pid (the janitor's proof of a dead owner). */
    public static final String OWNER_HOST = "isobench.io/owner-host";
    public static final String OWNER_PID = "isobench.io/owner-pid";
    /** A random token per launch: a create retried after a lost answer (409 AlreadyExists) adopts only its own object. */
    public static final String LAUNCH = "isobench.io/launch";
    public static final String RUNTIME_CLASS = "isobench.io/runtime-class";
    public static final String IMAGE_HASH = "isobench.io/image-hash";
    public static final String CONTAINER = "workload";
    static final String TMP = "/tmp";
    /** Seconds a pod gets between SIGTERM and SIGKILL (the workload has usually exited by then). */
    static final long GRACE_SECONDS = 2;
    private static final SecureRandom RANDOM = new SecureRandom();

    private PodManifests() {
    }

    /** A DNS-1123 label from {@code name} (lower case, [a-z0-9-], at most {@code max} chars) plus "-" and 5 random chars. */
    public static String objectName(String name, int max) {
        String base = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-").replaceAll("-+", "-");
        base = base.substring(0, Math.min(base.length(), max - 6)).replaceAll("^-+|-+$", "");
        return (base.isEmpty() ? "isobench" : base) + "-" + token(5);
    }

    /** Random lower-case letters and digits (valid in names and label values). */
    public static String token(int n) {
        String abc = "abcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            sb.append(abc.charAt(RANDOM.nextInt(abc.length())));
        }
        return sb.toString();
    }

    /** A valid label value (at most 63 of [A-Za-z0-9_.-], alphanumeric at both ends). */
    public static String labelValue(String v) {
        String s = v.replaceAll("[^A-Za-z0-9_.-]", "-");
        s = s.substring(0, Math.min(63, s.length()));
        return s.replaceAll("^[^A-Za-z0-9]+|[^A-Za-z0-9]+$", "");
    }

    /** The labels of an instance of this process. */
    public static Map<String, String> ownerLabels(String launch) {
        Map<String, String> l = new LinkedHashMap<>();
        l.put(MANAGED_BY, ISOBENCH);
        l.put(OWNER_HOST, labelValue(hostName()));
        l.put(OWNER_PID, Long.toString(ProcessHandle.current().pid()));
        l.put(LAUNCH, launch);
        return l;
    }

    static String hostName() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    /** The launch's TCP ports as {@code containerPorts} (named p-PORT; none without a network). */
    static List<ContainerPort> ports(LaunchSpec spec) {
        if (spec.network() == null) {
            return List.of();
        }
        return spec.network().tcpPorts().stream().map(p -> new ContainerPortBuilder().withName("p-" + p)
                .withContainerPort(p).withProtocol("TCP").build()).toList();
    }

    /**
     * The pod of one instance: the workload image's argv as the container's command (its tools are at the same paths
     * as in every other runtime), the run's CPU and memory as limits and requests (Guaranteed QoS, as the local
     * runtimes get hard limits), read-only root file system with /tmp in memory (as docker:* gets --read-only and a
     * tmpfs), scratch storage as an emptyDir on the node's disk, no service account token, no service links (their
     * environment variables would differ between namespaces), never restarted.
     *
     * @param runtimeClass the RuntimeClass name, or null for the cluster's default runtime
     */
    public static Pod pod(String name, String namespace, String runtimeClass, String image, LaunchSpec spec,
                          Map<String, String> labels) {
        List<EnvVar> env = new ArrayList<>();
        Scratch.workloadEnv(spec).forEach((k, v) -> env.add(new EnvVar(k, v, null)));
        List<VolumeMount> mounts = new ArrayList<>(List.of(new VolumeMountBuilder().withName("tmp").withMountPath(TMP).build()));
        List<Volume> volumes = new ArrayList<>(List.of(new VolumeBuilder().withName("tmp").withNewEmptyDir()
                .withMedium("Memory").endEmptyDir().build()));
        if (spec.scratchBytes() != null) {
            mounts.add(new VolumeMountBuilder().withName("scratch").withMountPath(Scratch.PATH).build());
            volumes.add(new VolumeBuilder().withName("scratch").withNewEmptyDir()
                    .withSizeLimit(new Quantity(Long.toString(spec.scratchBytes()))).endEmptyDir().build());
        }
        Map<String, Quantity> limits = new LinkedHashMap<>();
        limits.put("cpu", new Quantity(Math.max(1, Math.round(spec.limits().cpus() * 1000)) + "m"));
        limits.put("memory", new Quantity(Long.toString(spec.limits().memoryBytes())));
        return new PodBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace).withLabels(labels).endMetadata()
                .withNewSpec()
                .withRuntimeClassName(runtimeClass)
                .withRestartPolicy("Never")
                .withAutomountServiceAccountToken(false)
                .withEnableServiceLinks(false)
                .withTerminationGracePeriodSeconds(GRACE_SECONDS)
                .addNewContainer()
                .withName(CONTAINER)
                .withImage(image)
                .withImagePullPolicy("IfNotPresent")
                .withCommand(spec.argv())
                .withEnv(env)
                .withNewResources().withLimits(limits).withRequests(limits).endResources()
                .withNewSecurityContext().withReadOnlyRootFilesystem(true).withAllowPrivilegeEscalation(false)
                .endSecurityContext()
                .withVolumeMounts(mounts)
                .withPorts(spec.network() == null ? null : ports(spec))
                .endContainer()
                .withVolumes(volumes)
                .endSpec()
                .build();
    }
}
