package io.isobench.exec;

import io.isobench.IntegrationSupport;
import io.isobench.TestDockerEngine;
import io.isobench.image.ImageBuilder;
import io.isobench.image.WorkloadImage;
import io.isobench.plan.Plan;
import io.isobench.plan.PlanLoader;
import io.isobench.proc.Proc;
import io.isobench.proc.ProcResult;
import io.isobench.runtime.LaunchSpec;
import io.isobench.runtime.Limits;
import io.isobench.runtime.RuntimeDriver;
import io.isobench.runtime.Runtimes;
import io.isobench.runtime.Sandbox;
import io.isobench.store.Store;
import io.isobench.store.StoredRun;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Real cpu runs in bwrap, nspawn, lxc, docker:runc and docker:runsc. When no Docker engine is running, one is
 * started with the safe flags and a private config file that registers runsc (so /etc/docker/daemon.json is never
 * involved), and stopped afterwards ({@link TestDockerEngine}).
 */
class EnginesIT {
    static final Path DAEMON_JSON = Path.of("/etc/docker/daemon.json");

    @TempDir
    static Path dir;
    static TestDockerEngine engine;
    static long startedDockerd = -1;
    static byte[] daemonJsonBefore;

    @BeforeAll
    static void engine() throws Exception {
        assumeTrue(IntegrationSupport.isRoot(), "integration tests need root");
        daemonJsonBefore = Files.exists(DAEMON_JSON) ? Files.readAllBytes(DAEMON_JSON) : null;
        engine = TestDockerEngine.start(dir);
        startedDockerd = engine.startedHere() ? 1 : -1;
    }

    @AfterAll
    static void stopEngine() throws Exception {
        if (engine != null) {
            engine.stop();
        }
    }

    @Test
    void cpuInBwrapNspawnLxcAndDocker() throws Exception {
        List<String> rts = new ArrayList<>(List.of("bwrap", "nspawn", "lxc", "lxc-system", "docker:runc"));
        ProcResult info = Proc.of("docker", "info", "--format", "{{json .Runtimes}}").timeout(Duration.ofSeconds(20)).run();
        if (startedDockerd > 0 || info.stdout().contains("\"runsc\"")) {
            rts.add("docker:runsc");
        } else {
            System.err.println("EnginesIT: the running engine has no runsc runtime; docker:runsc not tested");
        }
        Plan plan = new PlanLoader().top("runtimes", String.join(",", rts), "test").top("repetitions", "1", "test")
                .top("warmups", "0", "test").top("cooldown", "0s", "test").top("benchmarks", "cpu", "test")
                .set("cpu.time=1s", "test").build();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        String id;
        try (Store store = Store.open(dir.resolve("run.db"))) {
            id = new RunService(store, new ImageBuilder(dir.resolve("images")), new PrintStream(log)).run(plan, false);
            StoredRun run = store.loadRun(id);
            assertThat(run.header().status()).isEqualTo("completed");
            assertThat(run.runtimes()).as(log.toString()).allSatisfy(r -> assertThat(r.available()).as(r.runtime() + ": " + r.reason()).isTrue());
            assertThat(run.failures()).as(log.toString()).isEmpty();
            Map<String, List<Double>> eps = run.samples().stream().filter(s -> s.metric().equals("events_per_second"))
                    .collect(Collectors.groupingBy(StoredRun.SampleRow::runtime,
                            Collectors.mapping(StoredRun.SampleRow::value, Collectors.toList())));
            assertThat(eps.keySet()).containsExactlyInAnyOrderElementsOf(rts);
            eps.forEach((rt, v) -> assertThat(v).as(rt).singleElement().satisfies(x -> assertThat(x).isGreaterThan(50)));
            assertThat(run.samples()).hasSize(rts.size() * 4);
            assertThat(run.runtimes()).filteredOn(r -> r.runtime().equals("docker:runc")).singleElement()
                    .satisfies(r -> assertThat(r.details()).containsKeys("engine", "runtime_options", "limits"));
        }
        assertNoContainersLeft(List.of("isobench-" + id + "-", PROBES));
        assertThat(Files.exists(DAEMON_JSON) ? Files.readAllBytes(DAEMON_JSON) : null).as("daemon.json unchanged")
                .isEqualTo(daemonJsonBefore);
    }

    /** hostPids of a docker:runc container: the workload (State.Pid), found via its cgroup, and its containerd shim. */
    @Test
    void dockerHostPidsHaveTheWorkloadAndTheShim() throws Exception {
        WorkloadImage image = new ImageBuilder(dir.resolve("images")).build(Set.of("sleep"), false);
        RuntimeDriver d = Runtimes.byId("docker:runc").orElseThrow();
        String name = "isobench-it-hostpids-" + ProcessHandle.current().pid();
        try (Sandbox s = d.launch(new LaunchSpec(name, image, List.of(image.tools().get("sleep"), "30"), Map.of(),
                new Limits(1, 256L << 20), null))) {
            String pid = "";
            for (int i = 0; i < 100 && (pid.isEmpty() || pid.equals("0")); i++) {
                pid = Proc.of("docker", "inspect", "--format", "{{.State.Pid}}", name).timeout(Duration.ofSeconds(10)).run()
                        .stdout().strip();
                Thread.sleep(100);
            }
            long workload = Long.parseLong(pid);
            List<Long> pids = s.hostPids();
            assertThat(pids).contains(workload);
            long shim = ProcessHandle.of(workload).orElseThrow().parent().orElseThrow().pid();
            assertThat(pids).contains(shim);
            assertThat(ProcessHandle.of(shim).orElseThrow().info().command().orElse("")).contains("containerd-shim");
        }
        assertNoContainersLeft(List.of(name));
    }

    /** Probe containers of this JVM ("isobench-probe-<runtime>-<pid>-..."), matched with ".*" by {@link #mine}. */
    static final String PROBES = "isobench-probe-.*-" + ProcessHandle.current().pid() + "-";

    static boolean mine(String name, List<String> prefixes) {
        return prefixes.stream().anyMatch(p -> java.util.regex.Pattern.compile("^" + p).matcher(name).find());
    }

    /**
     * Nothing this test started is left: docker containers (docker ps -a), runsc sandboxes in docker's state root
     * (runsc list), LXC containers (lxc-ls) and cgroups, runc/runsc containers. Only names this JVM created are
     * checked, because other isobench runs may share the host.
     */
    static void assertNoContainersLeft(List<String> prefixes) throws java.io.IOException {
        ProcResult ps = Proc.of("docker", "ps", "-a", "--format", "{{.Names}}", "--filter", "name=isobench-")
                .timeout(Duration.ofSeconds(20)).run();
        assertThat(ps.ok()).as(ps.failureSummary()).isTrue();
        assertThat(ps.stdout().lines().filter(n -> mine(n, prefixes)).toList()).as("docker ps -a --filter name=isobench-").isEmpty();
        for (String root : List.of("/var/run/docker/runtime-runsc/moby", "/var/run/docker/runtime-runc/moby")) {
            if (!Files.isDirectory(Path.of(root))) {
                continue; // the engine never ran a container with this runtime
            }
            ProcResult moby = Proc.of("runsc", "--root", root, "list", "--quiet").timeout(Duration.ofSeconds(20)).run();
            if (root.contains("runtime-runsc")) {
                assertThat(moby.exitCode()).as("runsc list in " + root + ": " + moby.combinedOutput()).isZero();
                assertThat(moby.stdout().lines().filter(n -> mine(n, prefixes)).toList()).as("runsc list in " + root).isEmpty();
            }
        }
        ProcResult lxc = Proc.of("lxc-ls", "-1").timeout(Duration.ofSeconds(20)).run();
        assertThat(lxc.stdout().lines().filter(n -> mine(n, prefixes)).toList()).as("lxc-ls").isEmpty();
        for (String rt : List.of("runc", "runsc")) {
            assertThat(IntegrationSupport.leftoverContainers(rt, "").stream().filter(n -> mine(n, prefixes)).toList())
                    .as(rt + " list").isEmpty();
        }
        List<String> cgroups = new ArrayList<>();
        try (var hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
            for (Path h : hierarchies.filter(Files::isDirectory).toList()) {
                for (Path parent : List.of(h, h.resolve("isobench"), h.resolve("docker"))) {
                    if (!Files.isDirectory(parent)) {
                        continue;
                    }
                    try (var c = Files.list(parent)) {
                        c.map(p -> p.getFileName().toString())
                                .filter(n -> mine(n.replaceFirst("^lxc\\.(payload|monitor)\\.", ""), prefixes))
                                .forEach(n -> cgroups.add(parent + "/" + n));
                    }
                }
            }
        }
        assertThat(cgroups).as("cgroups").isEmpty();
    }
}
