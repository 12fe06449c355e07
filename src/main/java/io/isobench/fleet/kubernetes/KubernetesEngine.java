package io.isobench.fleet.kubernetes;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.isobench.fleet.FleetEngine;
import io.isobench.fleet.FleetException;
import io.isobench.fleet.FleetJob;
import io.isobench.fleet.FleetNode;
import io.isobench.fleet.JobOutput;
import io.isobench.fleet.NodeJobState;
import io.isobench.fleet.NodeSelection;
import io.isobench.runtime.k8s.K8sDriver;
import io.isobench.runtime.k8s.KubeCluster;
import io.isobench.runtime.k8s.PodManifests;
import io.isobench.util.UserException;
import io.isobench.util.Version;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Fleet on Kubernetes: one {@code batch/v1} Job per node ({@link AgentJobs#job}) running isobench's own image
 * ({@value #IMAGE_ENV}) in the namespace of {@link KubeCluster}; the store's password from a Secret the user names
 * ({@value #SECRET_ENV}: {@code NAME} or {@code NAME/KEY}, key "password" by default), never in the Job's text. Jobs
 * and their pods are found by the labels {@code app.kubernetes.io/managed-by=isobench} and
 * {@code isobench.io/fleet=ID}. Objects are created and deleted, never applied server-side.
 */
public final class KubernetesEngine implements FleetEngine {
    public static final String IMAGE_ENV = "ISOBENCH_K8S_AGENT_IMAGE";
    public static final String SECRET_ENV = "ISOBENCH_K8S_DB_SECRET";
    /** How long cancel waits for the agents' pods to be gone (their grace period plus the kubelet's reaction). */
    static final Duration CANCEL_WAIT = Duration.ofSeconds(AgentJobs.GRACE_SECONDS + 30);

    private final K8sDriver.ClusterSource source;
    private final Function<String, String> env;
    private final Map<String, String> hostnames = new ConcurrentHashMap<>();
    private KubeCluster cluster;

    public KubernetesEngine(K8sDriver.ClusterSource source, Function<String, String> env) {
        this.source = source;
        this.env = env;
    }

    /** The engine of this process's kubeconfig and environment; connects on first use, not here. */
    public static KubernetesEngine fromEnvironment() {
        return new KubernetesEngine(KubeCluster::shared, System::getenv);
    }

    @Override
    public String id() {
        return "kubernetes";
    }

    private synchronized KubeCluster cluster() throws FleetException {
        if (cluster == null) {
            try {
                cluster = source.get();
            } catch (KubeCluster.KubeException e) {
                throw new FleetException(e.getMessage(), e);
            }
        }
        return cluster;
    }

    /** The Job's settings: namespace (the cluster's, or $ISOBENCH_K8S_NAMESPACE, or "default" without a cluster). */
    AgentJobs.Settings settings() {
        String ns = env.apply(KubeCluster.NAMESPACE_ENV);
        if (ns == null || ns.isBlank()) {
            try {
                ns = cluster().namespace();
            } catch (FleetException e) {
                ns = "default";
            }
        }
        String image = env.apply(IMAGE_ENV);
        if (image == null || image.isBlank()) {
            image = "isobench:" + Version.get();
        }
        String secret = env.apply(SECRET_ENV);
        String name = null;
        String key = null;
        if (secret != null && !secret.isBlank()) {
            int slash = secret.indexOf('/');
            name = slash < 0 ? secret : secret.substring(0, slash);
            key = slash < 0 ? "password" : secret.substring(slash + 1);
        }
        return new AgentJobs.Settings(ns, image, name, key);
    }

    @Override
    public List<FleetNode> nodes(NodeSelection selection) throws FleetException {
        List<Node> all;
        try {
            var op = cluster().client().nodes();
            all = (selection.selector() == null || selection.selector().isBlank() ? op.list()
                    : op.withLabelSelector(selection.selector()).list()).getItems();
        } catch (KubernetesClientException e) {
            throw new FleetException("listing nodes: " + KubeCluster.oneLine(e), e);
        }
        Set<String> known = new LinkedHashSet<>();
        all.forEach(n -> known.add(n.getMetadata().getName()));
        List<String> unknown = selection.names().stream().filter(n -> !known.contains(n)).toList();
        if (!unknown.isEmpty()) {
            throw new UserException("unknown node" + (unknown.size() > 1 ? "s " : " ") + String.join(", ", unknown)
                    + (selection.selector() == null ? "" : " (with selector " + selection.selector() + ")")
                    + "; the cluster has: " + String.join(", ", known));
        }
        List<FleetNode> out = new ArrayList<>();
        for (Node n : all) {
            String name = n.getMetadata().getName();
            if (!selection.names().isEmpty() && !selection.names().contains(name)) {
                continue;
            }
            Map<String, String> labels = n.getMetadata().getLabels();
            hostnames.put(name, labels == null ? name : labels.getOrDefault(AgentJobs.HOSTNAME_LABEL, name));
            String why = unschedulable(n);
            out.add(new FleetNode(name, why == null, why));
        }
        return out;
    }

    /** Why a Job of ours would not be scheduled on the node now (not Ready, cordoned, a taint we do not tolerate), or null. */
    static String unschedulable(Node n) {
        List<String> why = new ArrayList<>();
        NodeCondition ready = n.getStatus() == null || n.getStatus().getConditions() == null ? null
                : n.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType())).findFirst().orElse(null);
        if (ready == null) {
            why.add("no Ready condition");
        } else if (!"True".equals(ready.getStatus())) {
            why.add("not Ready (" + ready.getStatus() + (ready.getReason() == null ? "" : ", " + ready.getReason())
                    + (ready.getMessage() == null ? "" : ": " + ready.getMessage()) + ")");
        }
        if (n.getSpec() != null && Boolean.TRUE.equals(n.getSpec().getUnschedulable())) {
            why.add("cordoned (spec.unschedulable)");
        }
        if (n.getSpec() != null && n.getSpec().getTaints() != null) {
            for (Taint t : n.getSpec().getTaints()) {
                if ("NoSchedule".equals(t.getEffect()) || "NoExecute".equals(t.getEffect())) {
                    why.add("taint " + t.getKey() + (t.getValue() == null ? "" : "=" + t.getValue()) + ":" + t.getEffect());
                }
            }
        }
        return why.isEmpty() ? null : String.join("; ", why);
    }

    private Job job(FleetJob job, FleetNode node) {
        return AgentJobs.job(job, node.name(), hostnames.getOrDefault(node.name(), node.name()), settings());
    }

    @Override
    public String render(FleetJob job, FleetNode node) {
        var cm = AgentJobs.planConfigMap(job, node.name(), settings());
        String jobYaml = Serialization.asYaml(job(job, node));
        if (cm == null) {
            return jobYaml;
        }
        // created first; once the Job exists, submit adds an ownerReference to it (its uid is the API server's)
        return Serialization.asYaml(cm) + "# then, once the Job below exists: metadata.ownerReferences = [{apiVersion: "
                + "batch/v1, kind: Job, name: " + job(job, node).getMetadata().getName() + ", uid: <the Job's uid>}]\n"
                + jobYaml;
    }

    /** Creates the plan's ConfigMap (a 409 adopts it when it carries the node job's labels). */
    private void createPlan(io.fabric8.kubernetes.api.model.ConfigMap cm) throws FleetException {
        String ns = cm.getMetadata().getNamespace();
        String name = cm.getMetadata().getName();
        var maps = cluster().client().configMaps().inNamespace(ns);
        try {
            maps.resource(cm).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw new FleetException("creating ConfigMap " + ns + "/" + name + " (the plan): " + KubeCluster.oneLine(e), e);
            }
            var existing = maps.withName(name).get();
            if (existing == null || existing.getMetadata().getLabels() == null
                    || !existing.getMetadata().getLabels().entrySet().containsAll(cm.getMetadata().getLabels().entrySet())
                    || !cm.getData().equals(existing.getData())) {
                throw new FleetException("ConfigMap " + ns + "/" + name + " exists and is not this fleet's plan ("
                        + KubeCluster.oneLine(e) + ")");
            }
        }
    }

    private void deletePlanQuietly(io.fabric8.kubernetes.api.model.ConfigMap cm) {
        try {
            cluster().client().configMaps().inNamespace(cm.getMetadata().getNamespace()).withName(cm.getMetadata().getName())
                    .delete();
        } catch (KubernetesClientException | FleetException e) {
            // cancel deletes it by the fleet's labels
        }
    }

    /** Makes the node's Job the owner of its plan ConfigMap, so the garbage collector deletes them together. */
    private void ownPlan(io.fabric8.kubernetes.api.model.ConfigMap cm, Job created) throws FleetException {
        String ns = cm.getMetadata().getNamespace();
        try {
            cluster().client().configMaps().inNamespace(ns).withName(cm.getMetadata().getName()).edit(c -> {
                c.getMetadata().setOwnerReferences(List.of(new io.fabric8.kubernetes.api.model.OwnerReferenceBuilder()
                        .withApiVersion("batch/v1").withKind("Job").withName(created.getMetadata().getName())
                        .withUid(created.getMetadata().getUid()).withBlockOwnerDeletion(false).build()));
                return c;
            });
        } catch (KubernetesClientException e) {
            throw new FleetException("making Job " + ns + "/" + created.getMetadata().getName() + " the owner of its plan "
                    + "ConfigMap: " + KubeCluster.oneLine(e) + " (fleet cancel still deletes it)", e);
        }
    }

    @Override
    public String submit(FleetJob job, FleetNode node) throws FleetException {
        if (!node.schedulable()) {
            throw new FleetException("node " + node.name() + " cannot take a job: " + node.reason());
        }
        Job manifest = job(job, node);
        String ns = manifest.getMetadata().getNamespace();
        String name = manifest.getMetadata().getName();
        var jobs = cluster().client().batch().v1().jobs().inNamespace(ns);
        var plan = AgentJobs.planConfigMap(job, node.name(), settings());
        if (plan != null) {
            createPlan(plan); // before the Job: its pod mounts it
        }
        try {
            Job created = jobs.resource(manifest).create();
            if (plan != null) {
                ownPlan(plan, created);
            }
            return created.getMetadata().getName();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                if (plan != null) {
                    deletePlanQuietly(plan);
                }
                throw new FleetException("creating Job " + ns + "/" + name + ": " + KubeCluster.oneLine(e), e);
            }
            // AlreadyExists: ours when a retried create's first attempt went through, else someone else's
            Job existing;
            try {
                existing = jobs.withName(name).get();
            } catch (KubernetesClientException again) {
                throw new FleetException("creating Job " + ns + "/" + name + ": " + KubeCluster.oneLine(again), again);
            }
            if (existing != null && existing.getMetadata().getLabels() != null
                    && existing.getMetadata().getLabels().entrySet().containsAll(manifest.getMetadata().getLabels().entrySet())) {
                if (plan != null) {
                    ownPlan(plan, existing);
                }
                return name;
            }
            throw new FleetException("Job " + ns + "/" + name + " exists and is not this fleet's node job ("
                    + KubeCluster.oneLine(e) + ")");
        }
    }

    @Override
    public List<NodeJobState> jobs(String fleetId) throws FleetException {
        String ns = settings().namespace();
        List<Job> jobs;
        List<Pod> pods;
        try {
            jobs = cluster().client().batch().v1().jobs().inNamespace(ns).withLabels(AgentJobs.fleetSelector(fleetId))
                    .list().getItems();
            pods = cluster().client().pods().inNamespace(ns).withLabels(AgentJobs.fleetSelector(fleetId)).list().getItems();
        } catch (KubernetesClientException e) {
            throw new FleetException("listing the fleet's Jobs: " + KubeCluster.oneLine(e), e);
        }
        List<NodeJobState> out = new ArrayList<>();
        for (Job j : jobs) {
            String node = j.getMetadata().getLabels().get(AgentJobs.NODE);
            Pod pod = pods.stream().filter(p -> node.equals(p.getMetadata().getLabels().get(AgentJobs.NODE))).findFirst()
                    .orElse(null);
            out.add(state(j, pod, node));
        }
        return out;
    }

    /**
     * The tail of the node's agent pod's log (the newest pod of the fleet on that node; the kubelet keeps a failed
     * Job's pod, and so its log, until the Job's TTL), or null when there is no pod or no log yet.
     */
    @Override
    public JobOutput output(String fleetId, String node, String job) throws FleetException {
        String ns = settings().namespace();
        var pods = cluster().client().pods().inNamespace(ns);
        String podName = null;
        try {
            Pod pod = pods.withLabels(AgentJobs.fleetSelector(fleetId)).list().getItems().stream()
                    .filter(p -> PodManifests.labelValue(node).equals(p.getMetadata().getLabels().get(AgentJobs.NODE)))
                    .max(java.util.Comparator.comparing(p -> String.valueOf(p.getMetadata().getCreationTimestamp())))
                    .orElse(null);
            if (pod == null) {
                return null;
            }
            podName = pod.getMetadata().getName();
            String log = pods.withName(podName).tailingLines(JobOutput.LINES).getLog();
            return log == null ? null : JobOutput.tail("log of pod " + ns + "/" + podName, log);
        } catch (KubernetesClientException e) {
            if (e.getCode() == 400 || e.getCode() == 404) {
                return null; // the container never started (no log), or the pod is gone
            }
            throw new FleetException("reading the log of " + (podName == null ? "the agent pod of " + node
                    : "pod " + ns + "/" + podName) + ": " + KubeCluster.oneLine(e), e);
        }
    }

    /** A Job's state: its Complete/Failed condition, else its pod's (Pending with the waiting reason, Running). */
    static NodeJobState state(Job j, Pod pod, String node) {
        String name = j.getMetadata().getName();
        if (j.getStatus() != null && j.getStatus().getConditions() != null) {
            for (JobCondition c : j.getStatus().getConditions()) {
                if ("True".equals(c.getStatus()) && "Complete".equals(c.getType())) {
                    return new NodeJobState(node, name, NodeJobState.Phase.SUCCEEDED, null);
                }
                if ("True".equals(c.getStatus()) && "Failed".equals(c.getType())) {
                    return new NodeJobState(node, name, NodeJobState.Phase.FAILED,
                            c.getReason() + (c.getMessage() == null ? "" : ": " + c.getMessage()) + podReason(pod));
                }
            }
        }
        if (j.getStatus() != null && j.getStatus().getSucceeded() != null && j.getStatus().getSucceeded() > 0) {
            return new NodeJobState(node, name, NodeJobState.Phase.SUCCEEDED, null);
        }
        if (j.getStatus() != null && j.getStatus().getFailed() != null && j.getStatus().getFailed() > 0) {
            return new NodeJobState(node, name, NodeJobState.Phase.FAILED, "pod failed" + podReason(pod));
        }
        if (pod != null && pod.getStatus() != null && "Running".equals(pod.getStatus().getPhase())) {
            return new NodeJobState(node, name, NodeJobState.Phase.RUNNING, null);
        }
        String why = podReason(pod);
        return new NodeJobState(node, name, NodeJobState.Phase.PENDING, why.isEmpty() ? "no pod yet" : why.substring(2));
    }

    /** "; " + the pod's telling reason (a waiting or terminated container's, an unschedulable condition's), or "". */
    static String podReason(Pod pod) {
        if (pod == null || pod.getStatus() == null) {
            return "";
        }
        if (pod.getStatus().getContainerStatuses() != null) {
            for (ContainerStatus cs : pod.getStatus().getContainerStatuses()) {
                if (cs.getState() != null && cs.getState().getWaiting() != null && cs.getState().getWaiting().getReason() != null) {
                    var w = cs.getState().getWaiting();
                    return "; " + w.getReason() + (w.getMessage() == null ? "" : ": " + w.getMessage());
                }
                if (cs.getState() != null && cs.getState().getTerminated() != null) {
                    var t = cs.getState().getTerminated();
                    return "; container " + t.getReason() + ", exit code " + t.getExitCode();
                }
            }
        }
        if (pod.getStatus().getConditions() != null) {
            for (var c : pod.getStatus().getConditions()) {
                if ("PodScheduled".equals(c.getType()) && "False".equals(c.getStatus())) {
                    return "; " + c.getReason() + (c.getMessage() == null ? "" : ": " + c.getMessage());
                }
            }
        }
        return pod.getStatus().getPhase() == null ? "" : "; pod " + pod.getStatus().getPhase();
    }

    /**
     * Deletes the fleet's Jobs, then their pods (each gets its grace period: isobench's SIGTERM handling tears its
     * sandboxes down and marks the run interrupted), and waits until no pod of the fleet is left.
     */
    @Override
    public List<String> cancel(String fleetId) throws FleetException {
        String ns = settings().namespace();
        var client = cluster().client();
        List<String> done = new ArrayList<>();
        try {
            for (Job j : client.batch().v1().jobs().inNamespace(ns).withLabels(AgentJobs.fleetSelector(fleetId)).list().getItems()) {
                if (!client.batch().v1().jobs().inNamespace(ns).withName(j.getMetadata().getName())
                        .withPropagationPolicy(io.fabric8.kubernetes.api.model.DeletionPropagation.BACKGROUND).delete().isEmpty()) {
                    done.add("Job " + ns + "/" + j.getMetadata().getName());
                }
            }
            for (Pod p : client.pods().inNamespace(ns).withLabels(AgentJobs.fleetSelector(fleetId)).list().getItems()) {
                if (!client.pods().inNamespace(ns).withName(p.getMetadata().getName()).delete().isEmpty()) {
                    done.add("pod " + ns + "/" + p.getMetadata().getName());
                }
            }
            for (var cm : client.configMaps().inNamespace(ns).withLabels(AgentJobs.fleetSelector(fleetId)).list().getItems()) {
                if (!client.configMaps().inNamespace(ns).withName(cm.getMetadata().getName()).delete().isEmpty()) {
                    done.add("ConfigMap " + ns + "/" + cm.getMetadata().getName() + " (the plan)");
                }
            }
            long deadline = System.nanoTime() + CANCEL_WAIT.toNanos();
            List<Pod> left = client.pods().inNamespace(ns).withLabels(AgentJobs.fleetSelector(fleetId)).list().getItems();
            while (!left.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(1000);
                left = client.pods().inNamespace(ns).withLabels(AgentJobs.fleetSelector(fleetId)).list().getItems();
            }
            for (Pod p : left) {
                done.add("pod " + ns + "/" + p.getMetadata().getName() + " still terminating after "
                        + CANCEL_WAIT.toSeconds() + " s");
            }
        } catch (KubernetesClientException e) {
            throw new FleetException("cancelling fleet " + fleetId + ": " + KubeCluster.oneLine(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FleetException("cancel interrupted while the fleet's pods terminate", e);
        }
        return done;
    }
}
