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
            assertThat(run.runtimes()).filteredOn(r -> r.runtime().equals(RUNC_V2)).singleElement()
                    .satisfies(r -> assertThat(r.details()).containsEntry("image", "imported (snapshotter overlayfs)"));
            double nativePss = pss(run, "native");
            assertThat(pss(run, RUNC_V2)).as("ctr, the shim and the workload").isGreaterThan(nativePss);
            String prefix = "isobench-" + id;
            IntegrationSupport.assertNothingLeft(prefix);
            assertThat(IntegrationSupport.leftoverContainers("crun", prefix)).as("crun list").isEmpty();
            assertNothingInContainerd(prefix);
        }
    }

    /** The imported image runs read-only, from an overlayfs snapshot, and the snapshot goes with the container. */
    @Test
    void importedImageIsReadOnlyAndItsSnapshotGoes() throws Exception {
        var image = new ImageBuilder(dir.resolve("images")).build(java.util.Set.of("touch", "grep"), false);
        var driver = ContainerdDriver.forId(RUNC_V2).orElseThrow();
        String name = "isobench-ro-" + ProcessHandle.current().pid();
        var spec = io.isobench.runtime.LaunchSpec.builder(name, image, new io.isobench.runtime.Limits(1, 256L << 20))
                .argv(List.of(image.tools().get("grep"), " / overlay ", "/proc/self/mounts")).build();
        try (var s = driver.launch(spec)) {
            ProcResult r = s.await(java.time.Duration.ofSeconds(60));
            assertThat(r.exitCode()).as(r.combinedOutput()).isZero();
            assertThat(r.stdout()).as("the rootfs is an overlay mounted read-only").containsPattern("^overlay / overlay ro[,\s]");
        }
        var touch = io.isobench.runtime.LaunchSpec.builder(name + "-w", image, new io.isobench.runtime.Limits(1, 256L << 20))
                .argv(List.of(image.tools().get("touch"), "/written")).build();
        try (var s = driver.launch(touch)) {
            ProcResult r = s.await(java.time.Duration.ofSeconds(60));
            assertThat(r.exitCode()).as(r.combinedOutput()).isNotZero();
            assertThat(r.combinedOutput()).contains("Read-only file system");
        }
        assertNothingInContainerd(name);
    }

    /** Importing a new image removes isobench's image of a process that is gone, with its unpacked snapshot. */
    @Test
    void anImportPrunesImagesOfDeadProcesses() throws Exception {
        Containerd daemon = Containerd.get();
        ImageBuilder builder = new ImageBuilder(dir.resolve("images"));
        var old = builder.build(java.util.Set.of("true"), false);
        var fresh = builder.build(java.util.Set.of("true", "false"), false);
        String oldRef = ContainerdImage.ensure(daemon, old);
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        ProcResult label = Proc.of(daemon.ctr("images", "label", oldRef, Containerd.PID_LABEL + "=" + gone.pid()))
                .timeout(Containerd.CALL_TIMEOUT).run();
        assertThat(label.ok()).as(label.combinedOutput()).isTrue();
        String oldSnapshots = Proc.of(daemon.ctr("snapshots", "ls")).timeout(Containerd.CALL_TIMEOUT).run().stdout();
        String freshRef = ContainerdImage.ensure(daemon, fresh);
        String images = Proc.of(daemon.ctr("images", "ls", "-q")).timeout(Containerd.CALL_TIMEOUT).run().stdout();
        assertThat(images.lines().toList()).contains(freshRef).doesNotContain(oldRef);
        assertThat(ContainerdImage.ensure(daemon, fresh)).isEqualTo(freshRef);
        List<String> oldLayers = oldSnapshots.lines().skip(1).map(x -> x.strip().split("\\s+")[0]).toList();
        String now = Proc.of(daemon.ctr("snapshots", "ls")).timeout(Containerd.CALL_TIMEOUT).run().stdout();
        assertThat(oldLayers).as("the old image's layer snapshot: " + now).isNotEmpty()
                .anyMatch(k -> !now.contains(k));
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
