package io.isobench.fleet.kubernetes;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.isobench.fleet.FleetEngines;
import io.isobench.fleet.FleetException;
import io.isobench.fleet.FleetJob;
import io.isobench.fleet.FleetNode;
import io.isobench.fleet.NodeJobState;
import io.isobench.fleet.NodeSelection;
import io.isobench.runtime.k8s.MockCluster;
import io.isobench.runtime.k8s.SimulatedKubelet;
import io.isobench.util.UserException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.dataformat.yaml.YAMLMapper;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The Kubernetes fleet engine against fabric8's mock API server in CRUD mode with a simulated kubelet and Job
 * controller: node selection with readiness, cordons and taints as reasons; one Job per node with the fields the
 * Kubernetes API reference defines; submit (and a create retried after a lost answer), jobs() through the states, and
 * cancel leaving nothing of the fleet behind.
 */
class KubernetesEngineTest {
    static final Map<String, String> ENV = Map.of(KubernetesEngine.IMAGE_ENV, "registry.example:5000/isobench:0.1.0",
            KubernetesEngine.SECRET_ENV, "isobench-store/pgpass");
    static final FleetJob JOB = new FleetJob("f-20261203-ab12", List.of("--quick", "--runtimes", "native,runc"),
            "postgresql://bench@db.example:5432/isobench", Duration.ofHours(2));

    MockCluster mock;
    SimulatedKubelet kubelet;
    KubernetesEngine engine;

    @BeforeEach
    void start() {
        mock = new MockCluster();
        node("node-a", "node-a.example", "True", false, null);
        node("node-b", "node-b", "True", false, null);
        node("node-c", "node-c", "False", false, null);
        node("node-d", "node-d", "True", true, "dedicated");
        engine = new KubernetesEngine(() -> mock.cluster, ENV::get);
    }

    @AfterEach
    void stop() {
        if (kubelet != null) {
            kubelet.close();
            assertThat(kubelet.errors).isEmpty();
        }
        mock.close();
    }

    void node(String name, String hostname, String ready, boolean cordoned, String taint) {
        NodeBuilder b = new NodeBuilder().withNewMetadata().withName(name)
                .addToLabels("kubernetes.io/hostname", hostname).addToLabels("pool", name.equals("node-d") ? "gpu" : "bench")
                .endMetadata().withNewSpec().withUnschedulable(cordoned).endSpec()
                .withNewStatus().addNewCondition().withType("Ready").withStatus(ready)
                .withReason(ready.equals("True") ? "KubeletReady" : "KubeletNotReady")
                .withMessage(ready.equals("True") ? null : "container runtime network not ready").endCondition().endStatus();
        Node n = b.build();
        if (taint != null) {
            n.getSpec().setTaints(List.of(new io.fabric8.kubernetes.api.model.TaintBuilder().withKey(taint).withValue("gpu")
                    .withEffect("NoSchedule").build()));
        }
        mock.client.nodes().resource(n).create();
    }

    List<Job> jobsInCluster() {
        return mock.client.batch().v1().jobs().inNamespace(MockCluster.NAMESPACE).list().getItems();
    }

    @Test
    void nodesComeWithWhyTheyCannotTakeAJob() throws Exception {
        List<FleetNode> all = engine.nodes(NodeSelection.all());
        assertThat(all).extracting(FleetNode::name).containsExactly("node-a", "node-b", "node-c", "node-d");
        assertThat(all).filteredOn(FleetNode::schedulable).extracting(FleetNode::name).containsExactly("node-a", "node-b");
        assertThat(all.get(2).reason()).isEqualTo("not Ready (False, KubeletNotReady: container runtime network not ready)");
        assertThat(all.get(3).reason()).isEqualTo("cordoned (spec.unschedulable); taint dedicated=gpu:NoSchedule");
        assertThat(engine.nodes(new NodeSelection(List.of(), "pool=gpu"))).extracting(FleetNode::name).containsExactly("node-d");
        assertThat(engine.nodes(new NodeSelection(List.of("node-b"), null))).extracting(FleetNode::name).containsExactly("node-b");
        assertThatThrownBy(() -> engine.nodes(new NodeSelection(List.of("node-a", "node-x"), null)))
                .isInstanceOf(UserException.class).hasMessageStartingWith("unknown node node-x;");
        FleetNode c = all.get(2);
        assertThatThrownBy(() -> engine.submit(JOB, c)).isInstanceOf(FleetException.class).hasMessageContaining("not Ready");
        assertThat(jobsInCluster()).isEmpty();
    }

    @Test
    void theRenderedJobParsesAndHasTheFieldsTheApiReferenceDefines() throws Exception {
        FleetNode a = engine.nodes(new NodeSelection(List.of("node-a"), null)).get(0);
        String yaml = engine.render(JOB, a);
        assertThat(jobsInCluster()).as("render touches nothing").isEmpty();

        // plain YAML first: what a reviewer reads
        Map<?, ?> doc = new YAMLMapper().readValue(yaml, Map.class);
        assertThat(doc.get("apiVersion")).isEqualTo("batch/v1");
        assertThat(doc.get("kind")).isEqualTo("Job");

        Job j = Serialization.unmarshal(yaml, Job.class);
        assertThat(j.getMetadata().getName()).isEqualTo("isobench-f-20261203-ab12-node-a");
        assertThat(j.getMetadata().getNamespace()).isEqualTo(MockCluster.NAMESPACE);
        assertThat(j.getMetadata().getLabels()).containsEntry("app.kubernetes.io/managed-by", "isobench")
                .containsEntry("isobench.io/fleet", "f-20261203-ab12").containsEntry("isobench.io/node", "node-a");
        var spec = j.getSpec();
        assertThat(spec.getBackoffLimit()).isZero();
        assertThat(spec.getActiveDeadlineSeconds()).isEqualTo(7200L);
        assertThat(spec.getTtlSecondsAfterFinished()).isEqualTo(86400);
        var pod = spec.getTemplate().getSpec();
        assertThat(spec.getTemplate().getMetadata().getLabels()).isEqualTo(j.getMetadata().getLabels());
        assertThat(pod.getRestartPolicy()).isEqualTo("Never");
        assertThat(pod.getNodeSelector()).containsExactly(Map.entry("kubernetes.io/hostname", "node-a.example"));
        var term = pod.getAffinity().getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution()
                .getNodeSelectorTerms().get(0).getMatchFields().get(0);
        assertThat(List.of(term.getKey(), term.getOperator(), term.getValues())).containsExactly("metadata.name", "In", List.of("node-a"));
        assertThat(pod.getHostPID()).isTrue();
        assertThat(pod.getHostNetwork()).isTrue();
        assertThat(pod.getDnsPolicy()).isEqualTo("ClusterFirstWithHostNet");
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();
        assertThat(pod.getTolerations()).isEmpty();
        var c = pod.getContainers().get(0);
        assertThat(c.getImage()).isEqualTo("registry.example:5000/isobench:0.1.0");
        assertThat(c.getArgs()).containsExactly("run", "--fleet", "f-20261203-ab12", "--fleet-node", "node-a", "--db",
                "postgresql://bench@db.example:5432/isobench", "--quick", "--runtimes", "native,runc");
        assertThat(c.getSecurityContext().getPrivileged()).isTrue();
        var pg = c.getEnv().stream().filter(e -> e.getName().equals("PGPASSWORD")).findFirst().orElseThrow();
        assertThat(pg.getValue()).isNull();
        assertThat(pg.getValueFrom().getSecretKeyRef().getName()).isEqualTo("isobench-store");
        assertThat(pg.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("pgpass");
        assertThat(c.getVolumeMounts()).extracting(m -> m.getMountPath())
                .containsExactly("/run", "/tmp", "/root/.cache/isobench", "/sys/fs/cgroup", "/lib/modules");
        assertThat(c.getVolumeMounts().get(0).getMountPropagation()).isEqualTo("Bidirectional");
        assertThat(pod.getVolumes()).allSatisfy(v -> assertThat(v.getHostPath().getPath()).startsWith("/"));
        assertThat(pod.getVolumes()).extracting(v -> v.getHostPath().getType()).doesNotContainNull();

        // what the engine creates is exactly what it rendered
        engine.submit(JOB, a);
        Job created = jobsInCluster().get(0);
        assertThat(created.getSpec()).isEqualTo(j.getSpec());
    }

    @Test
    void aPlanFileTravelsInAConfigMapOwnedByTheJobMountedIntoItAndShownByTheDryRun() throws Exception {
        String text = "runtimes: [native, runc]\nbenchmarks: [cpu]\nrepetitions: 3\n";
        FleetJob planned = new FleetJob(JOB.fleetId(), List.of("--preset", "quick"), JOB.storeUrl(), JOB.deadline(),
                new FleetJob.PlanText("/home/me/plan.yaml", text));
        FleetNode a = engine.nodes(new NodeSelection(List.of("node-a"), null)).get(0);
        String yaml = engine.render(planned, a);
        assertThat(mock.client.configMaps().inNamespace(MockCluster.NAMESPACE).list().getItems()).as("render touches nothing").isEmpty();
        List<?> docs = new YAMLMapper().readerFor(Map.class).readValues(yaml).readAll();
        assertThat(docs).hasSize(2);
        var shownMap = Serialization.unmarshal(yaml.substring(0, yaml.indexOf("# then")), io.fabric8.kubernetes.api.model.ConfigMap.class);
        assertThat(shownMap.getData()).containsExactly(Map.entry("plan.yaml", text));
        assertThat(yaml).contains("ownerReferences").contains("kind: Job");

        String jobName = engine.submit(planned, a);
        Job created = jobsInCluster().get(0);
        var cm = mock.client.configMaps().inNamespace(MockCluster.NAMESPACE).withName(jobName).get();
        assertThat(cm.getData()).containsExactly(Map.entry("plan.yaml", text));
        assertThat(cm.getImmutable()).isTrue();
        assertThat(cm.getMetadata().getLabels()).isEqualTo(created.getMetadata().getLabels());
        assertThat(cm.getMetadata().getAnnotations()).containsEntry("isobench.io/plan-source", "/home/me/plan.yaml");
        assertThat(cm.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> {
            assertThat(o.getKind()).isEqualTo("Job");
            assertThat(o.getName()).isEqualTo(jobName);
            assertThat(o.getUid()).isNotBlank().isEqualTo(created.getMetadata().getUid());
        });
        var pod = created.getSpec().getTemplate().getSpec();
        var c = pod.getContainers().get(0);
        assertThat(c.getArgs()).containsExactly("run", "--fleet", "f-20261203-ab12", "--fleet-node", "node-a", "--db",
                "postgresql://bench@db.example:5432/isobench", "--plan", "/etc/isobench/plan/plan.yaml", "--preset", "quick");
        assertThat(c.getVolumeMounts()).filteredOn(m -> m.getName().equals("plan")).singleElement()
                .satisfies(m -> assertThat(m.getMountPath()).isEqualTo("/etc/isobench/plan"))
                .satisfies(m -> assertThat(m.getReadOnly()).isTrue());
        assertThat(pod.getVolumes()).filteredOn(v -> v.getName().equals("plan")).singleElement()
                .satisfies(v -> assertThat(v.getConfigMap().getName()).isEqualTo(jobName));
        assertThat(created.getSpec()).isEqualTo(Serialization.unmarshal(yaml.substring(yaml.indexOf("# then")), Job.class).getSpec());

        // a second submit (a lost answer) adopts both; cancel removes the ConfigMap with the Job
        assertThat(engine.submit(planned, a)).isEqualTo(jobName);
        assertThat(engine.cancel(planned.fleetId())).contains("ConfigMap isobench-test/" + jobName + " (the plan)");
        assertThat(mock.client.configMaps().inNamespace(MockCluster.NAMESPACE).withLabels(AgentJobs.fleetSelector(
                planned.fleetId())).list().getItems()).isEmpty();
        assertThat(jobsInCluster()).isEmpty();
    }

    @Test
    void aLongFleetIdAndNodeNameStillMakeAValidUniqueJobName() {
        String a = AgentJobs.jobName("fleet-" + "x".repeat(60), "ip-10-0-0-1.eu-west-1.compute.internal");
        String b = AgentJobs.jobName("fleet-" + "x".repeat(60), "ip-10-0-0-2.eu-west-1.compute.internal");
        assertThat(a).hasSizeLessThanOrEqualTo(63).matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?").isNotEqualTo(b);
    }

    @Test
    void submitWatchAndCancelLeaveNothingBehind() throws Exception {
        Supplier<SimulatedKubelet.Behaviour> forever = SimulatedKubelet.Behaviour::runsForever;
        kubelet = new SimulatedKubelet(mock, p -> p.getMetadata().getLabels().get(AgentJobs.NODE).equals("node-b")
                ? SimulatedKubelet.Behaviour.prints("done\n") : forever.get());
        List<FleetNode> nodes = engine.nodes(NodeSelection.all()).stream().filter(FleetNode::schedulable).toList();
        for (FleetNode n : nodes) {
            assertThat(engine.submit(JOB, n)).isEqualTo("isobench-f-20261203-ab12-" + n.name());
        }
        assertThat(engine.jobs(JOB.fleetId())).extracting(NodeJobState::node).containsExactlyInAnyOrder("node-a", "node-b");
        List<NodeJobState> states = awaitStates(s -> s.stream().anyMatch(x -> x.phase() == NodeJobState.Phase.RUNNING)
                && s.stream().anyMatch(x -> x.phase() == NodeJobState.Phase.SUCCEEDED));
        assertThat(states).filteredOn(s -> s.node().equals("node-a")).singleElement()
                .extracting(NodeJobState::phase).isEqualTo(NodeJobState.Phase.RUNNING);
        assertThat(engine.jobs("another-fleet")).isEmpty();

        // a second submit of the same node is the same job (the API answers 409 AlreadyExists): not a second one
        assertThat(engine.submit(JOB, new FleetNode("node-a", true, null))).isEqualTo("isobench-f-20261203-ab12-node-a");
        assertThat(jobsInCluster()).hasSize(2);
        kubelet.close();
        kubelet = null;

        List<String> removed = engine.cancel(JOB.fleetId());
        assertThat(removed).contains("Job isobench-test/isobench-f-20261203-ab12-node-a",
                "Job isobench-test/isobench-f-20261203-ab12-node-b");
        assertThat(removed).filteredOn(l -> l.startsWith("pod ")).hasSize(2);
        assertThat(engine.jobs(JOB.fleetId())).isEmpty();
        assertThat(jobsInCluster()).isEmpty();
        assertThat(mock.client.pods().inNamespace(MockCluster.NAMESPACE).list().getItems()).isEmpty();
        assertThat(engine.cancel(JOB.fleetId())).isEmpty(); // idempotent
    }

    @Test
    void aCreateWhoseAnswerWasLostIsTheFleetsJobAndAForeignJobIsRefused() throws Exception {
        FleetNode a = new FleetNode("node-a", true, null);
        mock.injectAfter("POST", "/jobs", 409);
        assertThat(engine.submit(JOB, a)).isEqualTo("isobench-f-20261203-ab12-node-a");
        assertThat(jobsInCluster()).hasSize(1);

        FleetNode b = new FleetNode("node-b", true, null);
        Job foreign = AgentJobs.job(JOB, "node-b", "node-b", engine.settings());
        foreign.getMetadata().getLabels().put(AgentJobs.FLEET, "someone-else");
        mock.client.batch().v1().jobs().inNamespace(MockCluster.NAMESPACE).resource(foreign).create();
        assertThatThrownBy(() -> engine.submit(JOB, b)).isInstanceOf(FleetException.class)
                .hasMessageContaining("exists and is not this fleet's node job");
    }

    @Test
    void aFailedNodeJobIsReportedWithItsReason() throws Exception {
        kubelet = new SimulatedKubelet(mock, p -> new SimulatedKubelet.Behaviour("boom\n", 3, true, null));
        engine.submit(JOB, new FleetNode("node-a", true, null));
        List<NodeJobState> s = awaitStates(l -> l.size() == 1 && l.get(0).phase() == NodeJobState.Phase.FAILED);
        assertThat(s.get(0).reason()).startsWith("BackoffLimitExceeded").contains("container Error, exit code 3");
        engine.cancel(JOB.fleetId());
    }

    @Test
    void aFailedAgentPodsLogTailGoesIntoTheNodesReason(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        StringBuilder out = new StringBuilder();
        for (int i = 1; i <= 30; i++) {
            out.append("agent line ").append(i).append('\n');
        }
        out.append("isobench: --db: cannot reach postgresql://bench@db.example:5432/isobench\n");
        kubelet = new SimulatedKubelet(mock, p -> new SimulatedKubelet.Behaviour(out.toString(), 2, true, null));
        assertThat(engine.output(JOB.fleetId(), "node-a", "x")).as("no pod yet").isNull();
        try (io.isobench.store.Store store = io.isobench.store.Stores.open(dir.resolve("k.db").toString(),
                io.isobench.store.Stores.Mode.CREATE)) {
            java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
            io.isobench.fleet.FleetService svc = new io.isobench.fleet.FleetService(engine, store,
                    new java.io.PrintStream(log, true, java.nio.charset.StandardCharsets.UTF_8), Duration.ofMillis(50));
            io.isobench.fleet.FleetService.Outcome o = svc.run(JOB, List.of(new FleetNode("node-a", true, null)), true, "here");
            assertThat(o.nodes()).singleElement().satisfies(n -> assertThat(n.ok()).isFalse());

            String reason = store.loadFleet(JOB.fleetId()).nodes().get(0).reason();
            assertThat(reason).contains("BackoffLimitExceeded").contains("exit code 2")
                    .contains("last 20 lines of the job's output (log of pod isobench-test/isobench-f-20261203-ab12-node-a")
                    .contains("  | agent line 12\n").doesNotContain("agent line 11\n")
                    .endsWith("  | isobench: --db: cannot reach postgresql://bench@db.example:5432/isobench");
            assertThat(mock.logRequests).isNotEmpty().as("the log is asked for its tail only")
                    .allMatch(path -> path.contains("tailLines=20"));
            assertThat(svc.status(store.loadFleet(JOB.fleetId())).get(0).output().lines()).hasSize(20);
        }
        engine.cancel(JOB.fleetId());
    }

    @Test
    void theEngineIsRegisteredAndWithoutAClusterSaysWhy() {
        assertThat(FleetEngines.ids()).contains("kubernetes");
        KubernetesEngine none = new KubernetesEngine(() -> {
            throw new io.isobench.runtime.k8s.KubeCluster.KubeException("no Kubernetes configuration (test)");
        }, ENV::get);
        assertThatThrownBy(() -> none.jobs("x")).isInstanceOf(FleetException.class).hasMessage("no Kubernetes configuration (test)");
        // --dry-run still renders, in the default namespace
        assertThat(none.render(JOB, new FleetNode("node-a", true, null))).contains("namespace: \"default\"", "kind: \"Job\"");
    }

    List<NodeJobState> awaitStates(java.util.function.Predicate<List<NodeJobState>> done) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        List<NodeJobState> s = engine.jobs(JOB.fleetId());
        while (!done.test(s) && System.nanoTime() < deadline) {
            Thread.sleep(50);
            s = engine.jobs(JOB.fleetId());
        }
        assertThat(done.test(s)).as("states reached: %s", s).isTrue();
        return s;
    }
}
