package io.isobench.runtime.incus;

import io.isobench.IntegrationSupport;
import io.isobench.exec.RunService;
import io.isobench.image.ImageBuilder;
import io.isobench.image.WorkloadImage;
import io.isobench.plan.Plan;
import io.isobench.plan.PlanLoader;
import io.isobench.proc.Proc;
import io.isobench.runtime.LaunchSpec;
import io.isobench.runtime.Limits;
import io.isobench.runtime.Sandbox;
import io.isobench.store.Store;
import io.isobench.store.StoredRun;
import io.isobench.util.Json;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Incus for real (scripts/test-deps.sh installs it; the daemon and pool are set up here through isobench's own
 * {@link IncusSetup} when missing): a cpu and a small startup run against native, one instance's host processes
 * (payload and its [lxc monitor]), and the leftovers sweep.
 */
class IncusIT {
    @TempDir
    static Path dir;

    @BeforeAll
    static void daemon() {
        assumeTrue(IntegrationSupport.isRoot(), "integration tests need root");
        if (IncusDriver.notReady() != null && io.isobench.util.Tools.which("incus") != null) {
            IncusSetup.INSTANCE.apply(System.err);
        }
        assertThat(IncusDriver.notReady()).as("Incus ready (scripts/test-deps.sh installs it)").isNull();
    }

    static List<String> instances(String prefix) {
        var r = Incus.call("list", "--format", "csv", "--columns", "n");
        assertThat(r.ok()).as(r.combinedOutput()).isTrue();
        return r.stdout().lines().map(String::strip).filter(n -> n.startsWith(prefix)).toList();
    }

    @Test
    void cpuAndStartupAgainstNative() throws Exception {
        Plan plan = new PlanLoader().top("runtimes", "native,incus", "test").top("repetitions", "1", "test")
                .top("warmups", "0", "test").top("cooldown", "0s", "test").top("benchmarks", "cpu,startup", "test")
                .set("cpu.time=1s", "test").set("startup.instances=1,2", "test").set("startup.iterations=1", "test").build();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        String id;
        try (Store store = Store.open(dir.resolve("run.db"))) {
            id = new RunService(store, new ImageBuilder(dir.resolve("images")), new PrintStream(log)).run(plan, false);
            StoredRun run = store.loadRun(id);
            assertThat(run.header().status()).isEqualTo("completed");
            assertThat(run.runtimes()).as(log.toString()).allSatisfy(r -> assertThat(r.available()).as(r.runtime() + ": " + r.reason()).isTrue());
            assertThat(run.failures()).as(log.toString()).isEmpty();
            assertThat(run.samples()).filteredOn(s -> s.runtime().equals("incus") && s.metric().equals("events_per_second"))
                    .singleElement().satisfies(s -> assertThat(s.value()).isGreaterThan(50));
            // startup: ready after the container booted (incus start returned) and after the driver's setup
            List<StoredRun.SampleRow> incus = run.samples().stream().filter(s -> s.runtime().equals("incus")
                    && s.benchmark().equals("startup")).toList();
            assertThat(incus).extracting(StoredRun.SampleRow::metric).contains("ready_ms", "booted_ms", "setup_ms");
            double ready = incus.stream().filter(s -> s.metric().equals("ready_ms")).mapToDouble(StoredRun.SampleRow::value).min().orElseThrow();
            double booted = incus.stream().filter(s -> s.metric().equals("booted_ms")).mapToDouble(StoredRun.SampleRow::value).max().orElseThrow();
            assertThat(ready).isPositive();
            assertThat(booted).isPositive();
        }
        assertThat(instances("isobench-" + id.replaceAll("[^a-zA-Z0-9-]", "-"))).isEmpty();
        assertThat(instances("isobench-probe-")).isEmpty();
    }

    @Test
    void oneInstanceCountsItsProcessesAndItsMonitor() throws Exception {
        WorkloadImage image = new ImageBuilder(dir.resolve("images")).build(Set.of("sleep"), true);
        String name = "isobench-it-incus-" + ProcessHandle.current().pid();
        String instance;
        try (Sandbox s = new IncusDriver().launch(LaunchSpec.builder(name, image, new Limits(1, 256L << 20))
                .argv(List.of(image.tools().get("sleep"), "30")).build())) {
            instance = IncusDriver.instanceName(name);
            Map<String, Object> state = Json.readMap(Incus.call("query", "/1.0/instances/" + instance + "/state").stdout());
            long init = ((Number) state.get("pid")).longValue();
            List<Long> pids = s.hostPids();
            assertThat(pids).contains(init);
            assertThat(pids).anySatisfy(p -> assertThat(Files.readString(Path.of("/proc/" + p + "/cmdline")))
                    .startsWith("[lxc monitor]").contains(instance));
            Map<String, Object> conf = Json.readMap(Incus.call("query", "/1.0/instances/" + instance).stdout());
            @SuppressWarnings("unchecked")
            Map<String, Object> config = (Map<String, Object>) conf.get("config");
            assertThat(config).containsEntry(Incus.PID_KEY, Long.toString(ProcessHandle.current().pid()))
                    .containsEntry("limits.memory", (256L << 20) + "B");
        }
        assertThat(instances(instance)).isEmpty();
    }

    @Test
    void leftoversOfADeadOwnerAreRemovedALiveOnesKept() throws Exception {
        WorkloadImage image = new ImageBuilder(dir.resolve("images")).build(Set.of("true"), true);
        String alias = IncusImage.ensure(image);
        Process dead = new ProcessBuilder("true").start();
        dead.waitFor();
        String deadName = "isobench-it-dead-" + ProcessHandle.current().pid();
        String liveName = "isobench-it-live-" + ProcessHandle.current().pid();
        try {
            for (String[] n : new String[][]{{deadName, Long.toString(dead.pid())}, {liveName, Long.toString(ProcessHandle.current().pid())}}) {
                var r = Incus.call("init", alias, n[0], "--no-profiles", "--storage", Incus.POOL,
                        "--config", Incus.PID_KEY + "=" + n[1], "--config", Incus.PIDNS_KEY + "=" + Incus.pidNamespace());
                assertThat(r.ok()).as(r.combinedOutput()).isTrue();
            }
            assertThat(IncusLeftovers.INSTANCE.sweep(List.of())).contains("incus instance " + deadName)
                    .doesNotContain("incus instance " + liveName);
            assertThat(instances("isobench-it-")).contains(liveName).doesNotContain(deadName);
        } finally {
            Incus.call("delete", "--force", deadName);
            Incus.call("delete", "--force", liveName);
        }
        assertThat(Proc.of("incus", "image", "info", alias).timeout(Duration.ofSeconds(20)).run().ok())
                .as("the cached image stays").isTrue();
    }
}
