package io.isobench.runtime.containerd;

import io.isobench.IntegrationSupport;
import io.isobench.exec.RunService;
import io.isobench.image.ImageBuilder;
import io.isobench.plan.Plan;
import io.isobench.plan.PlanLoader;
import io.isobench.proc.Proc;
import io.isobench.proc.ProcResult;
import io.isobench.store.Store;
import io.isobench.store.StoredRun;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** containerd (ctr, runc v2 shim) and crun for real through RunService: samples of every benchmark, nothing left. */
class ContainerdCrunIT {
    static final String RUNC_V2 = "containerd:io.containerd.runc.v2";

    @TempDir
    static Path dir;

    @BeforeAll
    static void root() {
        assumeTrue(IntegrationSupport.isRoot(), "integration tests need root");
    }

    @Test
    void syscallStartupAndFootprintInCrunAndContainerd() throws Exception {
        Plan plan = new PlanLoader().top("runtimes", "native,crun," + RUNC_V2, "test")
                .top("benchmarks", "syscall,startup,footprint", "test")
                .top("repetitions", "1", "test").top("warmups", "0", "test").top("cooldown", "0s", "test")
                .set("syscall.call=getpid", "test")
                .set("startup.instances=1,2", "test").set("startup.iterations=1", "test")
                .set("footprint.instances=2", "test").set("footprint.settle=200ms", "test").build();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (Store store = Store.open(dir.resolve("run.db"))) {
            String id = new RunService(store, new ImageBuilder(dir.resolve("images")), new PrintStream(log)).run(plan, false);
            StoredRun run = store.loadRun(id);
            assertThat(run.header().status()).isEqualTo("completed");
            assertThat(run.failures()).as(log.toString()).isEmpty();
            for (String rt : List.of("crun", RUNC_V2)) {
                for (String bench : List.of("syscall", "startup", "footprint")) {
                    assertThat(run.samples()).as(rt + " " + bench + "\n" + log)
                            .filteredOn(s -> s.runtime().equals(rt) && s.benchmark().equals(bench)).isNotEmpty();
                }
            }
            double nativePss = pss(run, "native");
            assertThat(pss(run, RUNC_V2)).as("ctr, the shim and the workload").isGreaterThan(nativePss);
            String prefix = "isobench-" + id;
            IntegrationSupport.assertNothingLeft(prefix);
            assertThat(IntegrationSupport.leftoverContainers("crun", prefix)).as("crun list").isEmpty();
            assertNothingInContainerd(prefix);
        }
    }

    @Test
    void sweepRemovesContainersOfADeadIsobench() throws Exception {
        Containerd daemon = Containerd.get();
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        long dead = gone.pid();
        Path rootfs = new ImageBuilder(dir.resolve("images")).build(java.util.Set.of("true"), false).rootfs();
        String name = "isobench-sweep-" + ProcessHandle.current().pid();
        ProcResult c = Proc.of(daemon.ctr("container", "create", "--rootfs", "--read-only", "--label",
                Containerd.PID_LABEL + "=" + dead, rootfs.toString(), name, "/true")).timeout(Containerd.CALL_TIMEOUT).run();
        assertThat(c.ok()).as(c.combinedOutput()).isTrue();
        List<String> done = ContainerdLeftovers.INSTANCE.sweep(List.of());
        if (!daemon.standalone) {
            assertThat(done).contains("containerd container " + name);
        } else {
            // the sweep reads the host's daemon and dead work dirs only: ours is neither, so remove by the same call
            assertThat(ContainerdLeftovers.labelPid(daemon.address, name)).isEqualTo(dead);
            Proc.of(daemon.ctr("container", "delete", name)).timeout(Containerd.CALL_TIMEOUT).run();
        }
        assertNothingInContainerd("isobench-sweep-");
    }

    private static void assertNothingInContainerd(String prefix) {
        Containerd daemon;
        try {
            daemon = Containerd.get();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        for (List<String> what : List.of(List.of("container", "list"), List.of("task", "list"),
                List.of("snapshot", "list"))) {
            ProcResult r = Proc.of(daemon.ctr(what.toArray(String[]::new))).timeout(Containerd.CALL_TIMEOUT).run();
            assertThat(r.ok()).as(r.combinedOutput()).isTrue();
            assertThat(r.stdout()).as("ctr " + what).doesNotContain(prefix);
        }
        assertThat(Files.exists(daemon.state.resolve("io.containerd.runtime.v2.task").resolve(Containerd.NAMESPACE)
                .resolve(prefix))).isFalse();
    }

    private static double pss(StoredRun run, String rt) {
        return run.samples().stream().filter(s -> s.runtime().equals(rt) && s.metric().equals("pss_mib_single"))
                .mapToDouble(StoredRun.SampleRow::value).findFirst().orElseThrow();
    }
}
