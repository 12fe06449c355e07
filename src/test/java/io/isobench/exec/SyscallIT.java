package io.isobench.exec;

import io.isobench.IntegrationSupport;
import io.isobench.analysis.ResultStats;
import io.isobench.analysis.Summary;
import io.isobench.image.ImageBuilder;
import io.isobench.plan.Plan;
import io.isobench.plan.PlanLoader;
import io.isobench.store.Store;
import io.isobench.store.StoredRun;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The syscall benchmarks for real in native, runc and runsc: per-call cost in the papers' direction, syscall coverage. */
class SyscallIT {
    @TempDir
    static Path dir;

    @BeforeAll
    static void root() {
        assumeTrue(IntegrationSupport.isRoot(), "integration tests need root");
    }

    private static double median(List<ResultStats> stats, String runtime, String call) {
        return stats.stream().filter(s -> s.runtime().equals(runtime) && s.metric().equals("ns_per_call")
                        && call.equals(s.params().get("call")))
                .findFirst().orElseThrow(() -> new AssertionError("no ns_per_call for " + runtime + " " + call)).median();
    }

    @Test
    void nsPerCallInNativeRuncAndRunsc() {
        Plan plan = new PlanLoader().top("runtimes", "native,runc,runsc", "t").top("benchmarks", "syscall", "t")
                .top("repetitions", "2", "t").top("warmups", "0", "t").top("cooldown", "0s", "t")
                .set("syscall.call=getpid,stat", "t").set("syscall.time=300ms", "t").build();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (Store store = Store.open(dir.resolve("syscall.db"))) {
            String id = new RunService(store, new ImageBuilder(dir.resolve("images")), new PrintStream(log)).run(plan, true);
            StoredRun run = store.loadRun(id);
            assertThat(run.header().status()).isEqualTo("completed");
            assertThat(run.failures()).as(log.toString()).isEmpty();
            List<ResultStats> stats = Summary.of(run, "native");
            Map<String, Double> getpid = new LinkedHashMap<>();
            for (String rt : List.of("native", "runc", "runsc")) {
                for (String call : List.of("getpid", "stat")) {
                    assertThat(median(stats, rt, call)).as(rt + " " + call).isPositive();
                }
                getpid.put(rt, median(stats, rt, "getpid"));
            }
            // the papers' direction: gVisor (ptrace) intercepts every call in user space, far above the host kernel
            assertThat(getpid.get("runsc")).as(getpid.toString()).isGreaterThan(5 * getpid.get("native"));
            IntegrationSupport.assertNothingLeft("isobench-" + id);
        }
    }

    @Test
    void syscallSurfaceListsTheHostCalls() throws Exception {
        Plan plan = new PlanLoader().top("runtimes", "native,runc,runsc", "t").top("benchmarks", "syscall-surface", "t")
                .top("repetitions", "1", "t").top("warmups", "0", "t").top("cooldown", "0s", "t")
                .set("syscall-surface.time=500ms", "t").build();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Path db = dir.resolve("surface.db");
        try (Store store = Store.open(db)) {
            String id = new RunService(store, new ImageBuilder(dir.resolve("images")), new PrintStream(log)).run(plan, true);
            StoredRun run = store.loadRun(id);
            assertThat(run.header().status()).isEqualTo("completed");
            Map<String, List<String>> lists = new LinkedHashMap<>();
            Map<String, String> methods = new LinkedHashMap<>();
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
                 PreparedStatement st = c.prepareStatement(
                         "SELECT runtime, raw_output FROM trials WHERE run_id = ? AND status = 'ok'")) {
                st.setString(1, id);
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        String first = rs.getString(2).lines().findFirst().orElse("");
                        String names = first.replaceFirst(".*syscalls=", "");
                        lists.put(rs.getString(1), List.of(names.split(",")));
                        methods.put(rs.getString(1), rs.getString(2).lines().skip(1).findFirst().orElse(""));
                    }
                }
            }
            // ftrace works for every runtime, gVisor's ptrace platform included (strace -f could not trace it)
            assertThat(run.failures()).as(log.toString()).isEmpty();
            assertThat(lists).containsOnlyKeys("native", "runc", "runsc");
            assertThat(methods).as("the method is recorded with every result").allSatisfy((rt, m) -> assertThat(m).startsWith("method: ftrace"));
            // native: the workload's own calls (clock_gettime is served by the vDSO, no system call)
            assertThat(lists.get("native")).contains("getpid", "read", "openat").doesNotContain("clock_gettime").isSorted();
            // runc's own processes (Go runtime, namespace and mount setup) add calls the bare process never makes
            assertThat(lists.get("runc")).contains("pivot_root", "mount", "getpid").hasSizeGreaterThan(lists.get("native").size());
            // gVisor's host processes: the Sentry drives its stubs with ptrace; the set differs from both
            assertThat(lists.get("runsc")).isNotEmpty().contains("ptrace", "wait4")
                    .isNotEqualTo(lists.get("native")).isNotEqualTo(lists.get("runc"));
            assertThat(lists.get("native")).doesNotContain("ptrace");
            List<ResultStats> stats = Summary.of(run, "native");
            for (String rt : lists.keySet()) {
                assertThat(stats).filteredOn(s -> s.metric().equals("distinct_syscalls") && s.runtime().equals(rt))
                        .singleElement().satisfies(s -> assertThat(s.median()).isEqualTo(lists.get(rt).size()));
            }
            // the private ftrace instances and any tracefs mount isobench made are gone
            long self = ProcessHandle.current().pid();
            assertThat(io.isobench.proc.StateDir.root().resolve("tracefs-" + self)).doesNotExist();
            Path tracefs = io.isobench.measure.Tracefs.mounted();
            if (tracefs != null) {
                try (var s = java.nio.file.Files.list(tracefs.resolve("instances"))) {
                    assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("isobench-" + self + "-"));
                }
            }
            IntegrationSupport.assertNothingLeft("isobench-" + id);
        }
    }
}
