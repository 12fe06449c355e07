package io.isobench.bench.server;

import io.isobench.IntegrationSupport;
import io.isobench.analysis.ResultStats;
import io.isobench.analysis.Summary;
import io.isobench.bench.Params;
import io.isobench.bench.TrialContext;
import io.isobench.bench.TrialFailure;
import io.isobench.exec.RunService;
import io.isobench.image.ImageBuilder;
import io.isobench.plan.Plan;
import io.isobench.plan.PlanLoader;
import io.isobench.proc.Proc;
import io.isobench.runtime.Scratch;
import io.isobench.store.Store;
import io.isobench.store.StoredRun;
import io.isobench.util.Tools;
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
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Real servers in native, runc and runsc, tiny request counts: nginx (ab and wrk) and redis answer through each
 * runtime's network path, every trial records that path and the CPU placement, and no sandbox, netns, veth or
 * scratch directory is left.
 */
class ServersIT {
    @TempDir
    static Path dir;

    @BeforeAll
    static void root() {
        assumeTrue(IntegrationSupport.isRoot(), "integration tests need root");
        for (String t : List.of("nginx", "ab", "wrk", "redis-server", "redis-benchmark")) {
            assumeTrue(Tools.which(t) != null, t + " not installed");
        }
    }

    static StoredRun run(Path dir, Plan plan, String db, List<String> raw) throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        String id;
        try (Store store = Store.open(dir.resolve(db))) {
            id = new RunService(store, new ImageBuilder(dir.resolve("images")), new PrintStream(log)).run(plan, false);
        }
        raw.addAll(io.isobench.IntegrationSupport.trialRawOutputs(dir.resolve(db), id, null));
        assertNothingLeft(id);
        try (Store store = Store.open(dir.resolve(db))) {
            StoredRun r = store.loadRun(id);
            assertThat(r.failures()).as(log.toString()).isEmpty();
            return r;
        }
    }

    static void assertNothingLeft(String id) throws Exception {
        IntegrationSupport.assertNothingLeft("isobench-" + id);
        String pid = "isobench-" + ProcessHandle.current().pid() + "-";
        assertThat(Proc.of("ip", "netns", "list").timeout(Duration.ofSeconds(10)).run().stdout()).doesNotContain(pid);
        if (Files.isDirectory(Scratch.root())) {
            try (var s = Files.list(Scratch.root())) {
                assertThat(s.toList()).as("scratch dirs").isEmpty();
            }
        }
        assertThat(Proc.of("pgrep", "-f", "isobench-" + id).timeout(Duration.ofSeconds(10)).run().stdout()).isBlank();
    }

    static double median(List<ResultStats> stats, String bench, String rt, String metric, String param, String value) {
        return stats.stream().filter(s -> s.benchmark().equals(bench) && s.runtime().equals(rt) && s.metric().equals(metric)
                        && value.equals(s.params().get(param))).findFirst()
                .orElseThrow(() -> new AssertionError("no " + bench + " " + metric + " " + value + " for " + rt)).median();
    }

    @Test
    void nginxAndRedisInNativeRuncAndRunsc() throws Exception {
        Plan plan = new PlanLoader().top("runtimes", "native,runc,runsc", "test").top("benchmarks", "nginx,redis", "test")
                .top("repetitions", "1", "test").top("warmups", "0", "test").top("cooldown", "0s", "test")
                .set("nginx.client=ab,wrk", "test").set("nginx.requests=500", "test").set("nginx.concurrency=10", "test")
                .set("nginx.wrk_duration=1s", "test").set("nginx.warmup=1s", "test")
                .set("redis.command=set,lpop", "test").set("redis.requests=2000", "test")
                .set("redis.warmup_requests=200", "test").build();
        List<String> raw = new ArrayList<>();
        StoredRun run = run(dir, plan, "s.db", raw);
        List<ResultStats> stats = Summary.of(run, "native");
        for (String rt : List.of("native", "runc", "runsc")) {
            for (String client : List.of("ab", "wrk")) {
                assertThat(median(stats, "nginx", rt, "requests_per_second", "client", client)).as(rt + " " + client).isPositive();
                assertThat(median(stats, "nginx", rt, "failed_requests", "client", client)).as(rt + " " + client).isZero();
            }
            assertThat(median(stats, "nginx", rt, "total_median_ms", "client", "ab")).isNotNegative();
            for (String cmd : List.of("set", "lpop")) {
                assertThat(median(stats, "redis", rt, "requests_per_second", "command", cmd)).as(rt + " " + cmd).isPositive();
            }
        }
        assertThat(raw).hasSize(12).allSatisfy(r -> assertThat(r).contains("isobench: network path: ")
                .contains("isobench: placement: ").contains("isobench: ready after ").contains("--- server log ---"));
        // redis-benchmark's -a is redacted from what is stored; no 128-bit hex password appears anywhere
        assertThat(raw).filteredOn(r -> r.contains("redis-benchmark")).hasSize(6)
                .allSatisfy(r -> assertThat(r).contains(" -a *** ").doesNotContainPattern("-a [0-9a-f]{32}"));
        Set<String> paths = new java.util.HashSet<>(raw.stream().map(r -> r.lines()
                .filter(l -> l.startsWith("isobench: network path: ")).findFirst().orElseThrow()
                .replaceAll("\\d+", "N")).toList());
        assertThat(paths).as("runsc's path differs from the veth-only ones").anyMatch(p -> p.contains("gVisor"));
    }

    /** A server that exits at once: the trial fails after the readiness wait with the server's log, nothing is left. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"native", "runc"})
    void aServerThatDiesFailsTheTrialWithItsLog(String runtime) throws Exception {
        io.isobench.image.WorkloadImage image = new ImageBuilder(dir.resolve("images")).build(Set.of("true"), true);
        io.isobench.runtime.RuntimeDriver driver = io.isobench.runtime.Runtimes.all().stream()
                .filter(d -> d.id().equals(runtime)).findFirst().orElseThrow();
        String name = "isobench-srvit-" + runtime + "-" + ProcessHandle.current().pid();
        TrialContext ctx = new TrialContext(driver, image, new io.isobench.runtime.Limits(1, 256L << 20),
                new Params(java.util.Map.of()), Duration.ofSeconds(60), name);
        List<String> argv = List.of(image.tools().get("busybox"), "sh", "-c", "echo 'server says: no config'; sleep 1; exit 3");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ServerTrial.start(ctx, argv, java.util.Map.of(), 8080,
                        null, ServerTrial.Placement.plan("apart", 2), Duration.ofSeconds(3), ep -> RedisBenchmark.pong(ep, "unused")))
                .isInstanceOfSatisfying(TrialFailure.class, f -> {
                    assertThat(f.reason()).startsWith("server exited before it was ready");
                    assertThat(f.rawOutput()).contains("isobench: network path: ").contains("--- server log ---")
                            .contains("server says: no config");
                });
        IntegrationSupport.assertNothingLeft(name);
        assertThat(Proc.of("ip", "netns", "list").timeout(Duration.ofSeconds(10)).run().stdout())
                .doesNotContain("isobench-" + ProcessHandle.current().pid() + "-");
    }
}
