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
import java.util.concurrent.TimeUnit;
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
        try (Sandbox s = d.launch(LaunchSpec.builder(name, image, new Limits(1, 256L << 20))
                .argv(List.of(image.tools().get("sleep"), "30")).build())) {
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

    /**
     * SIGKILL of a running {@code isobench run} (the shipped jar) in the middle of a docker:runc trial leaves its
     * container (docker run's client outlives the JVM) and its bridge network; in the middle of an lxc-system trial,
     * the daemonized container. The janitor removes all of it, and the dead process's work dir.
     */
    @Test
    void sigkilledRunsLeaveNothingAfterTheJanitor() throws Exception {
        Path jar = Path.of("target/isobench.jar").toAbsolutePath();
        assumeTrue(Files.exists(jar), "needs the packaged jar (mvn verify)");
        // docker:runc
        Process p = startRun(jar, "docker:runc");
        String label = "label=io.isobench.pid=" + p.pid();
        try {
            waitFor(() -> docker("ps", "--format", "{{.Names}}", "--filter", label, "--filter", "status=running").lines()
                    .anyMatch(n -> !n.startsWith("isobench-probe-")), p, "a running trial container");
            Thread.sleep(1000);
            p.destroyForcibly();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            p.destroyForcibly();
        }
        assertThat(docker("ps", "-aq", "--filter", label)).as("SIGKILL leaves the container (what the sweep is for)").isNotBlank();
        assertThat(docker("network", "ls", "-q", "--filter", "name=isobench-" + p.pid())).as("and the network").isNotBlank();
        List<String> swept = Janitor.sweep(System.err);
        assertThat(swept).anyMatch(w -> w.startsWith("docker container isobench-"))
                .contains("docker network isobench-" + p.pid());
        assertThat(docker("ps", "-aq", "--filter", label)).as("containers of the dead pid").isBlank();
        assertThat(docker("network", "ls", "-q", "--filter", "name=isobench-" + p.pid())).as("its network").isBlank();
        assertThat(IntegrationSupport.leftoverWorkDirs(p.pid())).isEmpty();
        assertNoContainersLeft(List.of("isobench-" + runId("docker:runc") + "-"));

        // lxc-system: lxc-start -d, so the container's monitor is not a child of the JVM
        Process q = startRun(jar, "lxc-system");
        List<Long> payload = new ArrayList<>();
        try {
            waitFor(() -> {
                payload.clear();
                for (Path wd : IntegrationSupport.leftoverWorkDirs(q.pid())) {
                    try (var names = Files.list(wd.resolve("lxc"))) {
                        for (Path n : names.filter(n -> !n.getFileName().toString().startsWith("isobench-probe-")).toList()) {
                            payload.addAll(io.isobench.runtime.Cgroups.pids("/lxc.payload." + n.getFileName()));
                        }
                    } catch (java.io.IOException ignored) {
                        // not there yet
                    }
                }
                return !payload.isEmpty();
            }, q, "a running lxc-system trial container");
            Thread.sleep(1500); // its trial is running
            q.destroyForcibly();
            assertThat(q.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            q.destroyForcibly();
        }
        assertThat(payload).as("the container outlives the JVM").anyMatch(Janitor::running);
        assertThat(Janitor.sweep(System.err)).anyMatch(w -> w.startsWith("lxc container isobench-"));
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (payload.stream().anyMatch(Janitor::running) && System.nanoTime() < end) {
            Thread.sleep(100);
        }
        assertThat(payload).as("container processes after the sweep (zombies aside)").noneMatch(Janitor::running);
        assertThat(IntegrationSupport.leftoverWorkDirs(q.pid())).isEmpty();
        assertNoContainersLeft(List.of("isobench-" + runId("lxc-system") + "-"));
    }

    /**
     * A runsc start that fails under Docker leaves a containerd task (shim, gofer, sandbox) that docker ps -a does not
     * show. The driver removes it at teardown; after a SIGKILL the janitor finds it through the cidfile in the dead
     * process's work dir. Made for real here: runsc-netstack refuses to start on this kernel (skipped where it works).
     */
    @Test
    void janitorRemovesTheTaskOfAFailedRunscStartFromADeadWorkDir() throws Exception {
        assumeTrue(docker("info", "--format", "{{json .Runtimes}}").contains("\"runsc-netstack\""), "runsc-netstack not registered");
        WorkloadImage image = new ImageBuilder(dir.resolve("images")).build(Set.of("true"), false);
        try (Sandbox s = Runtimes.byId("docker:runc").orElseThrow().launch(LaunchSpec.builder("isobench-it-import-"
                + ProcessHandle.current().pid(), image, new Limits(1, 256L << 20)).argv(List.of(image.tools().get("true"))).build())) {
            assertThat(s.await(Duration.ofSeconds(60)).ok()).isTrue(); // imports the image
        }
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Path work = Files.createDirectory(io.isobench.proc.StateDir.root().resolve("isobench-" + gone.pid() + "-4242"));
        Path cid = work.resolve("docker-it.cid");
        try {
            ProcResult run = Proc.of("docker", "run", "--rm", "--cidfile", cid.toString(), "--runtime=runsc-netstack",
                    "--network=none", "--hostname", "isobench", "isobench/workload:" + image.shortHash(), image.tools().get("true"))
                    .timeout(Duration.ofSeconds(60)).run();
            String id = Files.readString(cid).strip();
            String ctr = "--address=/var/run/docker/containerd/containerd.sock";
            boolean leaked = Proc.of("ctr", ctr, "-n", "moby", "containers", "info", id).timeout(Duration.ofSeconds(10)).run().ok();
            assumeTrue(!run.ok() && leaked, "runsc-netstack started here, or left nothing: " + run.failureSummary());
            assertThat(Janitor.sweep(System.err)).contains("containerd task of docker-it.cid", "work dir " + work);
            assertThat(Proc.of("ctr", ctr, "-n", "moby", "containers", "info", id).timeout(Duration.ofSeconds(10)).run().ok())
                    .as("containerd container " + id).isFalse();
            assertThat(ProcessHandle.allProcesses().filter(h -> h.info().arguments().map(a -> String.join(" ", a).contains(id))
                    .orElse(false)).filter(h -> Janitor.running(h.pid())).map(h -> h.pid() + " " + h.info().command().orElse(""))
                    .toList()).as("processes of the failed start (shim, gofer, sandbox)").isEmpty();
        } finally {
            Janitor.sweep(System.err); // whatever happened above, the dead work dir and its task go
        }
    }

    /** The id of the run that {@link #startRun} started with {@code runtime}, from its database. */
    static String runId(String runtime) throws Exception {
        try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("k-" + runtime.replace(':', '-') + ".db"));
             var rs = c.createStatement().executeQuery("SELECT id FROM runs")) {
            assertThat(rs.next()).isTrue();
            return rs.getString(1);
        }
    }

    static Process startRun(Path jar, String runtime) throws java.io.IOException {
        return new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED", "-jar", jar.toString(), "run", "--db", dir.resolve("k-"
                + runtime.replace(':', '-') + ".db").toString(), "--runtimes", runtime, "--benchmarks", "cpu",
                "--repetitions", "3", "--warmups", "0", "--cooldown", "0s", "--set", "cpu.time=60s", "--quiet")
                .redirectErrorStream(true).redirectOutput(dir.resolve("k-" + runtime.replace(':', '-') + ".log").toFile())
                .start();
    }

    static void waitFor(java.util.function.BooleanSupplier cond, Process p, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240); // a loaded 2-CPU host (load 50) took over 90 s for the probes and image before the first trial
        while (!cond.getAsBoolean()) {
            assertThat(p.isAlive()).as("isobench still running while waiting for " + what).isTrue();
            assertThat(System.nanoTime()).as(what + " within 240 s").isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    static String docker(String... args) {
        List<String> argv = new ArrayList<>(List.of("docker"));
        argv.addAll(List.of(args));
        ProcResult r = Proc.of(argv).timeout(Duration.ofSeconds(20)).run();
        assertThat(r.ok()).as(String.join(" ", argv) + ": " + r.failureSummary()).isTrue();
        return r.stdout().strip();
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
