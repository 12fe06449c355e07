package io.isobench.exec;

import io.isobench.IntegrationSupport;
import io.isobench.analysis.ResultStats;
import io.isobench.analysis.Summary;
import io.isobench.image.ImageBuilder;
import io.isobench.plan.Plan;
import io.isobench.plan.PlanLoader;
import io.isobench.runtime.oci.RunscBinary;
import io.isobench.runtime.oci.RunscFetch;
import io.isobench.store.Store;
import io.isobench.store.StoredRun;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A current gVisor beside the installed one: the test setup fetches Debian sid's runsc through isobench's own fetch
 * (idempotent: the cached, verified copy when present), then syscall and startup run for real in runsc (the installed
 * release, its default platform) and runsc@VERSION-systrap, each recorded with its own version, source and sha256.
 */
class RunscPlatformsIT {
    @TempDir
    static Path dir;
    static RunscBinary current;

    @BeforeAll
    static void fetch() throws Exception {
        assumeTrue(IntegrationSupport.isRoot(), "integration tests need root");
        current = RunscFetch.defaultCache().obtainCurrent();
    }

    @Test
    void systrapOfTheFetchedRunscRunsSyscallAndStartup() {
        String systrap = current.label() + "-systrap";
        Plan plan = new PlanLoader().top("runtimes", "native,runsc," + systrap, "t").top("benchmarks", "syscall,startup", "t")
                .top("repetitions", "2", "t").top("warmups", "0", "t").top("cooldown", "0s", "t")
                .set("syscall.call=getpid", "t").set("syscall.time=300ms", "t")
                .set("startup.instances=1", "t").set("startup.iterations=2", "t").build();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (Store store = Store.open(dir.resolve("runsc.db"))) {
            String id = new RunService(store, new ImageBuilder(dir.resolve("images")), new PrintStream(log)).run(plan, true);
            StoredRun run = store.loadRun(id);
            assertThat(run.header().status()).isEqualTo("completed");
            assertThat(run.failures()).as(log.toString()).isEmpty();
            StoredRun.RuntimeRow row = run.runtimes().stream().filter(r -> r.runtime().equals(systrap)).findFirst().orElseThrow();
            assertThat(row.available()).as(String.valueOf(row.reason())).isTrue();
            assertThat(row.details()).containsEntry("platform", "systrap").containsEntry("runsc_version", current.version())
                    .containsEntry("runsc_sha256", current.sha256());
            assertThat(String.valueOf(row.details().get("runsc_source"))).startsWith("apt " + RunscFetch.SUITE + " runsc ");
            StoredRun.RuntimeRow installed = run.runtimes().stream().filter(r -> r.runtime().equals("runsc")).findFirst().orElseThrow();
            assertThat(installed.details().get("runsc_sha256")).isNotEqualTo(current.sha256()); // two gVisors, two labels

            List<ResultStats> stats = Summary.of(run, "native");
            for (String rt : List.of("runsc", systrap)) {
                assertThat(stats).as(rt + " getpid").anyMatch(s -> s.runtime().equals(rt) && s.metric().equals("ns_per_call")
                        && s.median() > 0);
                assertThat(stats).as(rt + " startup").anyMatch(s -> s.runtime().equals(rt) && s.metric().equals("ready_ms")
                        && s.median() > 0);
            }
            IntegrationSupport.assertNothingLeft("isobench-" + id);
            assertThat(IntegrationSupport.leftoverContainers(current.path().toString(), "isobench-" + id))
                    .as(current.path() + " list").isEmpty();
        }
    }
}
