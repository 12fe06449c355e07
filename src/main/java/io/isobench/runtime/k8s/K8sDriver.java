package io.isobench.runtime.k8s;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.node.v1.RuntimeClass;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.isobench.runtime.Availability;
import io.isobench.runtime.LaunchSpec;
import io.isobench.runtime.Leftovers;
import io.isobench.runtime.ProbeContext;
import io.isobench.runtime.RuntimeDriver;
import io.isobench.runtime.Sandbox;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * {@code k8s:<runtimeClass>}: the workload as a pod on a Kubernetes cluster with that RuntimeClass
 * ({@code k8s:default}: none, the cluster's default handler), what a Kubernetes user gets, CRI and all. One driver per
 * RuntimeClass the cluster lists, plus {@code k8s:default}. The pod runs the workload image from a registry the cluster
 * pulls from ({@value #IMAGE_ENV}: a repository, to which the image's content hash is added as the tag, or a full
 * reference used as given). The probe asks the API (version, the RuntimeClass, its declared {@code overhead.podFixed});
 * it starts no trial pod, since the registry image is the plan's, not the probe's. Instances expose the API's
 * milestones as phases ({@link PodSandbox#phases()}); no host pids, no wrapper; ports through {@link PodNetwork} (the pod
 * IP, or a port-forward through the API server, labelled as such).
 */
public final class K8sDriver implements RuntimeDriver {
    public static final String PREFIX = "k8s:";
    public static final String DEFAULT = "default";
    /** The workload image in a registry: {@code registry/repo} (tag = the image's content hash) or a full reference. */
    public static final String IMAGE_ENV = "ISOBENCH_K8S_IMAGE";
    static final String OVERHEAD = "pod_overhead";
    /** Seconds a launch with ports waits for its pod's IP (default {@link PodSandbox#IP_WAIT}). */
    public static final String IP_WAIT_ENV = "ISOBENCH_K8S_IP_WAIT";

    private final String runtimeClass;
    private final ClusterSource cluster;
    private final Function<String, String> env;

    /** Where a driver gets its cluster: the process's configuration, or a test's mock server. */
    @FunctionalInterface
    public interface ClusterSource {
        KubeCluster get() throws KubeCluster.KubeException;
    }

    public K8sDriver(String runtimeClass) {
        this(runtimeClass, KubeCluster::shared, System::getenv);
    }

    K8sDriver(String runtimeClass, ClusterSource cluster, Function<String, String> env) {
        this.runtimeClass = runtimeClass;
        this.cluster = cluster;
        this.env = env;
    }

    /**
     * {@code k8s:default} and one driver per RuntimeClass the cluster lists; only {@code k8s:default} without a
     * Kubernetes configuration (no client is loaded then) or when the API does not answer (its probe says why).
     */
    public static List<K8sDriver> all() {
        List<K8sDriver> l = new ArrayList<>(builtIn());
        listed().forEach(rc -> l.add(new K8sDriver(rc)));
        return l;
    }

    private static volatile List<String> listed;

    /** The cluster's RuntimeClasses, asked once per process (none without a configuration or an answer). */
    private static List<String> listed() {
        List<String> l = listed;
        if (l == null) {
            l = List.of();
            if (KubeCluster.configMissing() == null) {
                try {
                    l = runtimeClasses(KubeCluster.shared());
                } catch (KubeCluster.KubeException | KubernetesClientException e) {
                    // k8s:default's probe gives the reason
                }
            }
            listed = l;
        }
        return l;
    }

    /** The RuntimeClasses the cluster lists, by name. */
    static List<String> runtimeClasses(KubeCluster c) {
        return c.client().resources(RuntimeClass.class).list().getItems().stream()
                .map(r -> r.getMetadata().getName()).filter(n -> !n.equals(DEFAULT)).sorted().toList();
    }

    /** {@code k8s:default}, without asking any cluster. */
    public static List<K8sDriver> builtIn() {
        return List.of(new K8sDriver(DEFAULT));
    }

    /** The driver of a stored id {@code k8s:RC}; empty for other ids. */
    public static Optional<K8sDriver> forId(String id) {
        return id.startsWith(PREFIX) && id.length() > PREFIX.length()
                ? Optional.of(new K8sDriver(id.substring(PREFIX.length()))) : Optional.empty();
    }

    @Override
    public String id() {
        return PREFIX + runtimeClass;
    }

    /** By the RuntimeClass's name, as clusters conventionally name them (gvisor/runsc, kata*): a guess, said in docs. */
    @Override
    public String kind() {
        String n = runtimeClass.toLowerCase(Locale.ROOT);
        return n.contains("gvisor") || n.contains("runsc") ? "sandbox"
                : n.contains("kata") || n.contains("firecracker") ? "vm" : "container";
    }

    @Override
    public String description() {
        return "a pod on the Kubernetes cluster of your kubeconfig, " + (runtimeClass.equals(DEFAULT)
                ? "the cluster's default runtime" : "RuntimeClass " + runtimeClass) + " (workload image from $" + IMAGE_ENV + ")";
    }

    @Override
    public boolean installedBySetup() {
        return false;
    }

    @Override
    public Duration launchOverhead() {
        return Duration.ofSeconds(3);
    }

    @Override
    public Optional<Leftovers> leftovers() {
        return Optional.of(K8sLeftovers.INSTANCE);
    }

    /** The cluster's nodes start the instances: many at once do not share this host's CPUs. */
    @Override
    public boolean launchesOnThisHost() {
        return false;
    }

    @Override
    public List<String> caveats(String runtimeId, Map<String, Object> details) {
        List<String> c = new ArrayList<>(List.of(runtimeId + " ran every instance as a pod on a node of "
                + details.getOrDefault("api_server", "a Kubernetes cluster") + ", not on this host: its figures include "
                + "the API server, scheduler and kubelet, and the node's hardware, not this host's; its created, scheduled, "
                + "initialized and containers_ready phases come from the API's timestamps, whole seconds."));
        Object overhead = details.get(OVERHEAD);
        if (overhead != null && !String.valueOf(overhead).startsWith("none")) {
            c.add(runtimeId + "'s RuntimeClass declares a pod overhead of " + overhead + ", which the scheduler adds to "
                    + "every pod's requests.");
        }
        return c;
    }

    @Override
    public Availability probe(ProbeContext ctx) {
        KubeCluster c;
        try {
            c = cluster.get();
        } catch (KubeCluster.KubeException e) {
            return Availability.no(id(), null, e.getMessage());
        }
        return probe(c);
    }

    Availability probe(KubeCluster c) {
        String version;
        try {
            version = c.client().getKubernetesVersion().getGitVersion();
        } catch (KubernetesClientException e) {
            return Availability.no(id(), null, "the API server at " + c.server() + " did not answer: " + KubeCluster.oneLine(e));
        }
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("api_server", c.server());
        d.put("namespace", c.namespace());
        d.put("runtime_class", runtimeClass.equals(DEFAULT) ? "none (the cluster's default runtime handler)" : runtimeClass);
        if (!runtimeClass.equals(DEFAULT)) {
            RuntimeClass rc;
            try {
                rc = c.client().resources(RuntimeClass.class).withName(runtimeClass).get();
            } catch (KubernetesClientException e) {
                return Availability.no(id(), version, "RuntimeClass " + runtimeClass + " could not be read: " + KubeCluster.oneLine(e));
            }
            if (rc == null) {
                return Availability.no(id(), version, "the cluster has no RuntimeClass " + runtimeClass, d);
            }
            d.put("handler", rc.getHandler());
            d.put(OVERHEAD, overhead(rc));
            if (rc.getScheduling() != null && rc.getScheduling().getNodeSelector() != null) {
                d.put("scheduling_node_selector", new TreeMap<>(rc.getScheduling().getNodeSelector()).toString());
            }
        } else {
            d.put(OVERHEAD, "none (no RuntimeClass)");
        }
        String image = env.apply(IMAGE_ENV);
        if (image == null || image.isBlank()) {
            return Availability.no(id(), version, "no workload image: push it to a registry the cluster pulls from and set $"
                    + IMAGE_ENV + " (docs/kubernetes.md)", d);
        }
        d.put("image", image + (hasTag(image) ? " (as given: not checked against the plan's image hash)"
                : ":<workload image hash>"));
        try {
            d.put("network", network(PodNetwork.Mode.parse(env.apply(PodNetwork.ENV))));
        } catch (IllegalArgumentException e) {
            return Availability.no(id(), version, e.getMessage(), d);
        }
        d.put("limits_enforced", "cpu, memory (pod limits = requests: Guaranteed QoS)");
        d.put("output", "the container's log (stdout and stderr merged)");
        d.put("probe", "API only (version, RuntimeClass); no trial pod");
        return Availability.ok(id(), version, d);
    }

    /** The probe's word on how a launch's ports will be reached (each trial's raw output names the path it took). */
    static String network(PodNetwork.Mode mode) {
        return switch (mode) {
            case AUTO -> "per pod: its IP when isobench's host reaches it (" + PodNetwork.POD_IP_LABEL + ", as on a node "
                    + "of the cluster), else " + PodNetwork.PORT_FORWARD_LABEL + ", which includes the tunnel in what is "
                    + "measured; $" + PodNetwork.ENV + "=pod-ip|port-forward forces one";
            case POD_IP -> PodNetwork.POD_IP_LABEL + " (forced by $" + PodNetwork.ENV + ")";
            case PORT_FORWARD -> PodNetwork.PORT_FORWARD_LABEL + " (forced by $" + PodNetwork.ENV + "): what is measured "
                    + "through it includes the tunnel";
        };
    }

    /** "cpu=250m, memory=120Mi", or "none declared". */
    static String overhead(RuntimeClass rc) {
        if (rc.getOverhead() == null || rc.getOverhead().getPodFixed() == null || rc.getOverhead().getPodFixed().isEmpty()) {
            return "none declared";
        }
        StringBuilder sb = new StringBuilder();
        new TreeMap<String, Quantity>(rc.getOverhead().getPodFixed()).forEach((k, v) ->
                sb.append(sb.isEmpty() ? "" : ", ").append(k).append('=').append(v.toString()));
        return sb.toString();
    }

    /** Whether a reference names its tag or digest ({@code repo:tag}, {@code repo@sha256:…}). */
    static boolean hasTag(String ref) {
        return ref.contains("@") || ref.substring(ref.lastIndexOf('/') + 1).contains(":");
    }

    /** The image reference of a launch: the given one, or the repository with the image's short hash as tag. */
    static String imageRef(String configured, LaunchSpec spec) {
        return hasTag(configured) ? configured : configured + ":" + spec.image().shortHash();
    }

    @Override
    public Sandbox launch(LaunchSpec spec) throws LaunchException {
        if (!spec.wrapper().isEmpty()) {
            throw new LaunchException(id() + " cannot wrap a launcher: the pod's processes are on a cluster node");
        }
        if (spec.limits().cpuset() != null || spec.limits().mems() != null) {
            // a pod's CPUs are the kubelet's CPU manager's to give (static policy, Guaranteed QoS), not a setting of a pod
            throw new LaunchException(id() + " cannot pin: a pod's CPUs are set by the node's kubelet CPU manager, not by isobench");
        }
        PodNetwork.Mode mode;
        try {
            mode = PodNetwork.Mode.parse(env.apply(PodNetwork.ENV));
        } catch (IllegalArgumentException e) {
            throw new LaunchException(e.getMessage());
        }
        String image = env.apply(IMAGE_ENV);
        if (image == null || image.isBlank()) {
            throw new LaunchException("$" + IMAGE_ENV + " is not set");
        }
        KubeCluster c;
        try {
            c = cluster.get();
        } catch (KubeCluster.KubeException e) {
            throw new LaunchException(e.getMessage(), e);
        }
        String launch = PodManifests.token(12);
        Map<String, String> labels = PodManifests.ownerLabels(launch);
        labels.put(PodManifests.RUNTIME_CLASS, PodManifests.labelValue(runtimeClass));
        labels.put(PodManifests.IMAGE_HASH, spec.image().shortHash());
        var pod = PodManifests.pod(PodManifests.objectName(spec.name(), 63), c.namespace(),
                runtimeClass.equals(DEFAULT) ? null : runtimeClass, imageRef(image, spec), spec, labels);
        PodSandbox s = new PodSandbox(c, pod, spec, mode);
        String wait = env.apply(IP_WAIT_ENV);
        if (wait != null && !wait.isBlank()) {
            try {
                s.ipWait(Duration.ofSeconds(Long.parseLong(wait.strip())));
            } catch (NumberFormatException e) {
                throw new LaunchException("$" + IP_WAIT_ENV + " is '" + wait + "': whole seconds");
            }
        }
        return s.start();
    }
}
