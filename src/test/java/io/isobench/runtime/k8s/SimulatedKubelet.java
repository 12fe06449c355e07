package io.isobench.runtime.k8s;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * What the mock API server lacks: a kubelet (and a Job controller) in a thread. Every {@value #TICK_MILLIS} ms it moves
 * each pod one step: scheduled to a node (PodScheduled, +1 s after creation), initialized (+2 s), its container running
 * with ContainersReady (+3 s) and its log served, then terminated with the behaviour's exit code (phase Succeeded or
 * Failed), or stuck waiting with a reason (ImagePullBackOff). Condition timestamps are whole seconds after the pod's
 * creationTimestamp, as a real API server writes them. For each Job without a pod it creates one from the template
 * (labels and job-name), and marks the Job Complete or Failed when its pod ends. Objects deleted meanwhile are left alone.
 */
public final class SimulatedKubelet implements AutoCloseable {
    static final long TICK_MILLIS = 30;

    /** What a pod does: its log, its exit code, whether it ends, or a waiting reason it never leaves. */
    public record Behaviour(String log, int exitCode, boolean ends, String waitingReason) {
        public static Behaviour prints(String log) {
            return new Behaviour(log, 0, true, null);
        }

        public static Behaviour runsForever() {
            return new Behaviour("started\n", 0, false, null);
        }

        public static Behaviour waiting(String reason) {
            return new Behaviour("", 0, false, reason);
        }
    }

    private final MockCluster mock;
    private final KubernetesClient client;
    private final Function<Pod, Behaviour> behaviour;
    private final Map<String, Integer> steps = new ConcurrentHashMap<>();
    private final Map<String, Instant> created = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean stop;
    public final List<String> errors = new ArrayList<>();
    /** The pod's IP as the network plugin would give it when the pod is initialized (null: the pod gets none). */
    public volatile Function<Pod, String> podIp = p -> null;

    public SimulatedKubelet(MockCluster mock, Function<Pod, Behaviour> behaviour) {
        this.mock = mock;
        this.client = mock.client;
        this.behaviour = behaviour;
        this.thread = Thread.ofPlatform().daemon().name("simulated-kubelet").start(this::loop);
    }

    private void loop() {
        while (!stop) {
            try {
                for (Job j : client.batch().v1().jobs().inNamespace(MockCluster.NAMESPACE).list().getItems()) {
                    jobStep(j);
                }
                for (Pod p : client.pods().inNamespace(MockCluster.NAMESPACE).list().getItems()) {
                    podStep(p);
                }
            } catch (KubernetesClientException e) {
                if (!stop) { // not the interrupt of close()
                    synchronized (errors) {
                        errors.add(e.getMessage());
                    }
                }
            }
            try {
                Thread.sleep(TICK_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void jobStep(Job j) {
        String name = j.getMetadata().getName();
        List<Pod> pods = client.pods().inNamespace(MockCluster.NAMESPACE).withLabel("job-name", name).list().getItems();
        if (pods.isEmpty() && (j.getStatus() == null || j.getStatus().getConditions() == null
                || j.getStatus().getConditions().isEmpty())) {
            Map<String, String> labels = new HashMap<>(j.getSpec().getTemplate().getMetadata().getLabels());
            labels.put("job-name", name);
            client.pods().inNamespace(MockCluster.NAMESPACE).resource(new PodBuilder().withNewMetadata()
                    .withName(name + "-" + PodManifests.token(5)).withLabels(labels).endMetadata()
                    .withSpec(j.getSpec().getTemplate().getSpec()).build()).create();
            return;
        }
        for (Pod p : pods) {
            String phase = p.getStatus() == null ? null : p.getStatus().getPhase();
            if (("Succeeded".equals(phase) || "Failed".equals(phase)) && (j.getStatus() == null
                    || j.getStatus().getConditions() == null || j.getStatus().getConditions().isEmpty())) {
                boolean ok = "Succeeded".equals(phase);
                j.setStatus(new io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder()
                        .withSucceeded(ok ? 1 : 0).withFailed(ok ? 0 : 1)
                        .withConditions(new JobConditionBuilder().withType(ok ? "Complete" : "Failed").withStatus("True")
                                .withReason(ok ? null : "BackoffLimitExceeded").withMessage(ok ? null : "Job has reached the specified backoff limit")
                                .build()).build());
                write(() -> client.batch().v1().jobs().inNamespace(MockCluster.NAMESPACE).resource(j).updateStatus());
            }
        }
    }

    private void podStep(Pod p) {
        String name = p.getMetadata().getName();
        Behaviour b = behaviour.apply(p);
        int step = steps.getOrDefault(name, 0);
        Instant t0 = created.computeIfAbsent(name, n -> p.getMetadata().getCreationTimestamp() == null
                ? Instant.now().truncatedTo(ChronoUnit.SECONDS) : Instant.parse(p.getMetadata().getCreationTimestamp()));
        PodStatus s = p.getStatus() == null ? new PodStatus() : p.getStatus();
        List<PodCondition> conditions = s.getConditions() == null ? new ArrayList<>() : new ArrayList<>(s.getConditions());
        String container = p.getSpec().getContainers().get(0).getName();
        switch (step) {
            case 0 -> {
                s.setPhase("Pending");
                conditions.add(condition("PodScheduled", t0.plusSeconds(1)));
                p.getSpec().setNodeName("node-a");
            }
            case 1 -> {
                conditions.add(condition("Initialized", t0.plusSeconds(2)));
                String ip = podIp.apply(p);
                if (ip != null) {
                    s.setPodIP(ip);
                    s.setPodIPs(List.of(new io.fabric8.kubernetes.api.model.PodIP(ip)));
                }
            }
            case 2 -> {
                if (b.waitingReason() != null) {
                    s.setContainerStatuses(List.of(new ContainerStatusBuilder().withName(container).withReady(false)
                            .withNewState().withNewWaiting().withReason(b.waitingReason())
                            .withMessage("Back-off pulling image \"" + p.getSpec().getContainers().get(0).getImage() + "\"")
                            .endWaiting().endState().build()));
                } else {
                    mock.logs.put(name, b.log());
                    s.setPhase("Running");
                    conditions.add(condition("ContainersReady", t0.plusSeconds(3)));
                    conditions.add(condition("Ready", t0.plusSeconds(3)));
                    s.setContainerStatuses(List.of(new ContainerStatusBuilder().withName(container).withReady(true)
                            .withNewState().withNewRunning().withStartedAt(t0.plusSeconds(3).toString()).endRunning()
                            .endState().build()));
                }
            }
            case 3 -> {
                if (b.waitingReason() != null || !b.ends()) {
                    return;
                }
                s.setPhase(b.exitCode() == 0 ? "Succeeded" : "Failed");
                ContainerStatus cs = new ContainerStatusBuilder().withName(container).withReady(false)
                        .withNewState().withNewTerminated().withExitCode(b.exitCode())
                        .withReason(b.exitCode() == 0 ? "Completed" : "Error").withFinishedAt(t0.plusSeconds(4).toString())
                        .endTerminated().endState().build();
                s.setContainerStatuses(List.of(cs));
            }
            default -> {
                return;
            }
        }
        s.setConditions(conditions);
        p.setStatus(s);
        steps.put(name, step + 1);
        write(() -> {
            Pod q = p;
            if (step == 0) {
                q = client.pods().inNamespace(MockCluster.NAMESPACE).resource(p).update();
                q.setStatus(s);
            }
            client.pods().inNamespace(MockCluster.NAMESPACE).resource(q).updateStatus();
        });
    }

    private static PodCondition condition(String type, Instant at) {
        PodCondition c = new PodCondition();
        c.setType(type);
        c.setStatus("True");
        c.setLastTransitionTime(at.toString());
        return c;
    }

    private void write(Runnable r) {
        try {
            r.run();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404 && e.getCode() != 409 && !stop) { // deleted or changed meanwhile: the next tick sees it
                synchronized (errors) {
                    errors.add(e.getMessage());
                }
            }
        }
    }

    @Override
    public void close() {
        stop = true;
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
