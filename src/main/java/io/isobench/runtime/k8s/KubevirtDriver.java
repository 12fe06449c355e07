package io.isobench.runtime.k8s;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.isobench.runtime.Availability;
import io.isobench.runtime.LaunchSpec;
import io.isobench.runtime.Leftovers;
import io.isobench.runtime.ProbeContext;
import io.isobench.runtime.RuntimeDriver;
import io.isobench.runtime.Sandbox;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * {@code kubevirt}: the workload in a KubeVirt VirtualMachineInstance ({@code kubevirt.io/v1}, created as a generic
 * resource: no KubeVirt client library), booting a containerDisk from a registry ({@value #DISK_ENV}) that must hold
 * the workload's tools at the same paths; cloud-init (NoCloud) runs the argv and powers the guest off, so the VMI ends
 * Succeeded or Failed. Unavailable, with the reason, where the cluster has no VirtualMachineInstance CRD. Ports: the pod
 * network with masquerade binding, reached at the VMI's IP ({@code status.interfaces[0].ipAddress}) when isobench's host
 * routes to it; no port-forward. What it does not do yet: read the guest's output (it is on the serial console, a
 * websocket subresource), so a launch with a line listener is refused and a server's log is empty.
 */
public final class KubevirtDriver implements RuntimeDriver {
    public static final String ID = "kubevirt";
    public static final String DISK_ENV = "ISOBENCH_KUBEVIRT_DISK";
    static final String CRD = "virtualmachineinstances.kubevirt.io";

    private final K8sDriver.ClusterSource cluster;
    private final Function<String, String> env;

    public KubevirtDriver() {
        this(KubeCluster::shared, System::getenv);
    }

    KubevirtDriver(K8sDriver.ClusterSource cluster, Function<String, String> env) {
        this.cluster = cluster;
        this.env = env;
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String kind() {
        return "vm";
    }

    @Override
    public String description() {
        return "a KubeVirt VirtualMachineInstance on the Kubernetes cluster of your kubeconfig (containerDisk from $"
                + DISK_ENV + ")";
    }

    @Override
    public boolean installedBySetup() {
        return false;
    }

    @Override
    public Duration launchOverhead() {
        return Duration.ofSeconds(30);
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
        return List.of(runtimeId + " booted a VM per instance on a node of " + details.getOrDefault("api_server",
                "a Kubernetes cluster") + " (KubeVirt " + details.getOrDefault("kubevirt_crd_versions", "?")
                + "); its phases come from the VMI's phaseTransitionTimestamps, whole seconds.");
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
        CustomResourceDefinition crd;
        try {
            version = c.client().getKubernetesVersion().getGitVersion();
            crd = c.client().apiextensions().v1().customResourceDefinitions().withName(CRD).get();
        } catch (KubernetesClientException e) {
            return Availability.no(id(), null, "the API server at " + c.server() + " did not answer: " + KubeCluster.oneLine(e));
        }
        if (crd == null) {
            return Availability.no(id(), version, "KubeVirt is not installed on this cluster (no CustomResourceDefinition "
                    + CRD + ")");
        }
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("api_server", c.server());
        d.put("namespace", c.namespace());
        d.put("kubevirt_crd_versions", String.join(",", crd.getSpec().getVersions().stream().map(v -> v.getName()).toList()));
        String disk = env.apply(DISK_ENV);
        if (disk == null || disk.isBlank()) {
            return Availability.no(id(), version, "no guest disk: push a containerDisk holding the workload's tools and set $"
                    + DISK_ENV + " (docs/kubernetes.md)", d);
        }
        d.put("container_disk", disk);
        d.put("output", "not read (serial console): no line listener; a server's log is empty");
        d.put("network", "the VMI's IP (pod network, masquerade binding) when isobench's host reaches it, as on a node of "
                + "the cluster; no port-forward");
        d.put("probe", "API only (version, CRD); no trial VMI");
        return Availability.ok(id(), version, d);
    }

    /** The VMI of one instance: the run's CPUs (rounded up) and memory as the guest's, the disk, cloud-init's runcmd. */
    static GenericKubernetesResource vmi(String name, String namespace, String disk, LaunchSpec spec, Map<String, String> labels) {
        StringBuilder user = new StringBuilder("#cloud-config\nruncmd:\n  - [");
        List<String> argv = spec.argv();
        for (int i = 0; i < argv.size(); i++) {
            user.append(i == 0 ? "" : ", ").append('"').append(argv.get(i).replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
        }
        user.append("]\n  - [poweroff]\n");
        Map<String, Object> spec0 = new LinkedHashMap<>();
        spec0.put("terminationGracePeriodSeconds", 0);
        spec0.put("domain", Map.of(
                "cpu", Map.of("cores", (int) Math.max(1, Math.ceil(spec.limits().cpus()))),
                "resources", Map.of("requests", Map.of("memory", Long.toString(spec.limits().memoryBytes()))),
                "devices", devices(spec)));
        if (spec.network() != null) { // the pod network, masquerade binding: the VMI's IP forwards the declared ports
            spec0.put("networks", List.of(Map.of("name", "default", "pod", Map.of())));
        }
        spec0.put("volumes", List.of(
                Map.of("name", "containerdisk", "containerDisk", Map.of("image", disk)),
                Map.of("name", "cloudinitdisk", "cloudInitNoCloud", Map.of("userData", user.toString()))));
        return new GenericKubernetesResourceBuilder().withApiVersion("kubevirt.io/v1").withKind("VirtualMachineInstance")
                .withNewMetadata().withName(name).withNamespace(namespace).withLabels(labels).endMetadata()
                .addToAdditionalProperties("spec", spec0).build();
    }

    /** The guest's disks and, with a network, its one interface (masquerade, the launch's ports declared). */
    static Map<String, Object> devices(LaunchSpec spec) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("disks", List.of(
                Map.of("name", "containerdisk", "disk", Map.of("bus", "virtio")),
                Map.of("name", "cloudinitdisk", "disk", Map.of("bus", "virtio"))));
        if (spec.network() != null) {
            d.put("interfaces", List.of(Map.of("name", "default", "masquerade", Map.of(), "ports",
                    spec.network().tcpPorts().stream().map(p -> Map.of("name", "p-" + p, "port", p, "protocol", "TCP")).toList())));
        }
        return d;
    }

    @Override
    public Sandbox launch(LaunchSpec spec) throws LaunchException {
        if (spec.onLine() != null || !spec.wrapper().isEmpty()) {
            throw new LaunchException("kubevirt runs only workloads without a line listener or wrapper: the guest's output "
                    + "is on its serial console, which isobench does not read yet");
        }
        PodNetwork.Mode mode = PodNetwork.Mode.AUTO;
        if (spec.network() != null) {
            try {
                mode = PodNetwork.Mode.parse(env.apply(PodNetwork.ENV));
            } catch (IllegalArgumentException e) {
                throw new LaunchException(e.getMessage());
            }
            if (mode == PodNetwork.Mode.PORT_FORWARD) {
                throw new LaunchException("kubevirt has no port-forward path ($" + PodNetwork.ENV + "=port-forward): a "
                        + "VMI's ports are forwarded by KubeVirt's own portforward subresource (virtctl port-forward), which "
                        + "isobench does not use; only the VMI's IP is");
            }
        }
        if (spec.limits().cpuset() != null || spec.limits().mems() != null) {
            throw new LaunchException("kubevirt cannot pin: a VMI's dedicated CPUs are the kubelet CPU manager's to give, not isobench's");
        }
        String disk = env.apply(DISK_ENV);
        if (disk == null || disk.isBlank()) {
            throw new LaunchException("$" + DISK_ENV + " is not set");
        }
        KubeCluster c;
        try {
            c = cluster.get();
        } catch (KubeCluster.KubeException e) {
            throw new LaunchException(e.getMessage(), e);
        }
        String launch = PodManifests.token(12);
        Map<String, String> labels = PodManifests.ownerLabels(launch);
        labels.put(PodManifests.IMAGE_HASH, spec.image().shortHash());
        VmiSandbox s = new VmiSandbox(c, vmi(PodManifests.objectName(spec.name(), 63), c.namespace(), disk, spec, labels),
                spec, launch, mode);
        String wait = env.apply(K8sDriver.IP_WAIT_ENV);
        if (wait != null && !wait.isBlank()) {
            try {
                s.ipWait(Duration.ofSeconds(Long.parseLong(wait.strip())));
            } catch (NumberFormatException e) {
                throw new LaunchException("$" + K8sDriver.IP_WAIT_ENV + " is '" + wait + "': whole seconds");
            }
        }
        return s.start();
    }
}
