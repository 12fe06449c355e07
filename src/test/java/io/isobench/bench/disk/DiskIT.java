package io.isobench.bench.disk;

import io.isobench.IntegrationSupport;
import io.isobench.analysis.ResultStats;
import io.isobench.analysis.Summary;
import io.isobench.bench.Params;
import io.isobench.exec.RunService;
import io.isobench.image.ImageBuilder;
import io.isobench.plan.Plan;
import io.isobench.plan.PlanLoader;
import io.isobench.proc.Proc;
import io.isobench.proc.ProcResult;
import io.isobench.proc.WorkDir;
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
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Disk benchmarks for real, tiny: the test file lives on each runtime's own storage path (recorded per trial), the
 * metrics exist, and no scratch directory, raw disk file, container, cgroup or QEMU process is left.
 */
class DiskIT {
    @TempDir
    static Path dir;

    @BeforeAll
    static void root() {
        assumeTrue(IntegrationSupport.isRoot(), "integration tests need root");
        assumeTrue(Tools.which("fio") != null, "fio not installed");
    }

    private static String run(Plan plan, String db, ByteArrayOutputStream log) {
        try (Store store = Store.open(dir.resolve(db))) {
            return new RunService(store, new ImageBuilder(dir.resolve("images")), new PrintStream(log)).run(plan, false);
        }
    }

    /** runtime -> the "isobench: test file on ..." line of its first trial of {@code benchmark}. */
    private static Map<String, String> storage(String db, String runId, String benchmark) throws Exception {
        Map<String, String> m = new LinkedHashMap<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(db));
             var st = c.prepareStatement("SELECT runtime, raw_output FROM trials WHERE run_id = ? AND benchmark = ? ORDER BY id")) {
            st.setString(1, runId);
            st.setString(2, benchmark);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    String raw = rs.getString(2);
                    m.putIfAbsent(rs.getString(1), raw.lines().filter(l -> l.startsWith("isobench: test file on "))
                            .findFirst().orElse("(none) " + raw));
                    assertThat(raw).contains("isobench: page cache dropped on the host");
                }
            }
        }
        return m;
    }

    private static List<Path> leftoverScratch() throws Exception {
        List<Path> l = new ArrayList<>();
        for (Path d : List.of(Scratch.root(), WorkDir.get().resolve("qemu"), WorkDir.scratch().resolve("qemu"))) {
            if (Files.isDirectory(d)) {
                try (var s = Files.list(d)) {
                    s.forEach(l::add);
                }
            }
        }
        return l;
    }

    private static double median(List<ResultStats> stats, String benchmark, String runtime, String metric) {
        return stats.stream().filter(s -> s.benchmark().equals(benchmark) && s.runtime().equals(runtime)
                && s.metric().equals(metric)).findFirst().orElseThrow(() -> new AssertionError(
                "no " + benchmark + " " + metric + " for " + runtime)).median();
    }

    @Test
    void nativeRuncAndRunscEachOnTheirOwnStorage() throws Exception {
        Plan plan = new PlanLoader().top("runtimes", "native,runc,runsc", "test").top("benchmarks", "disk", "test")
                .top("repetitions", "1", "test").top("warmups", "0", "test").top("cooldown", "0s", "test")
                // the group name sets a key in every member that has it
                .set("disk.block=128K", "test").set("disk.size=16M", "test").set("disk.time=1s", "test")
                .set("disk-fio.pattern=randread,write", "test").set("disk-fileio.mode=seqwr", "test")
                .build();
        assertThat(plan.benchmarks()).containsExactly("disk-fio", "disk-dd", "disk-fileio");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        String id = run(plan, "c.db", log);
        try (Store store = Store.open(dir.resolve("c.db"))) {
            StoredRun run = store.loadRun(id);
            assertThat(run.failures()).as(log.toString()).isEmpty();
            List<ResultStats> stats = Summary.of(run, "native");
            for (String rt : List.of("native", "runc", "runsc")) {
                assertThat(median(stats, "disk-fio", rt, "read_mib_per_s")).isPositive();
                assertThat(median(stats, "disk-fio", rt, "write_mib_per_s")).isPositive();
                assertThat(median(stats, "disk-fio", rt, "iops")).isPositive();
                assertThat(median(stats, "disk-fio", rt, "clat_p99_us")).isPositive();
                assertThat(median(stats, "disk-dd", rt, "write_mib_per_s")).isPositive();
                assertThat(median(stats, "disk-fileio", rt, "write_mib_per_s")).isPositive();
            }
        }
        Map<String, String> where = storage("c.db", id, "disk-fio");
        assertThat(where.keySet()).containsExactlyInAnyOrder("native", "runc", "runsc");
        assertThat(where.get("native")).contains("host directory").contains("no isolation");
        assertThat(where.get("runc")).contains("bind mount");
        assertThat(where.get("runsc")).contains("gVisor");
        assertThat(new java.util.HashSet<>(where.values())).hasSize(3);
        IntegrationSupport.assertNothingLeft("isobench-" + id);
        assertThat(leftoverScratch()).isEmpty();
    }

    /**
     * A trial whose tool did not do what was asked fails with the tool's own words, through the real path: fio
     * refusing an impossible size (exit status), sysbench memory doing no work with exit 0 (its event count); dd
     * copying every byte it was asked for passes its check.
     */
    @Test
    void toolsThatDidNotDoTheirWorkFailInTheirOwnWords() throws Exception {
        Plan plan = new PlanLoader().top("runtimes", "native,runc", "test").top("benchmarks", "disk-fio,disk-dd,memory", "test")
                .top("repetitions", "1", "test").top("warmups", "0", "test").top("cooldown", "0s", "test")
                .set("disk-fio.size=4K", "test").set("disk-fio.block=128K", "test").set("disk-fio.pattern=read", "test")
                .set("disk-fio.time=1s", "test").set("disk-dd.size=1M", "test").set("disk-dd.block=128K", "test")
                .set("memory.total_size=1K", "test").set("memory.block_size=1M", "test").set("memory.access_mode=seq", "test")
                .set("memory.time=1s", "test").build();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        String id = run(plan, "checks.db", log);
        try (Store store = Store.open(dir.resolve("checks.db"))) {
            StoredRun run = store.loadRun(id);
            for (String rt : List.of("native", "runc")) {
                assertThat(run.failures()).as(log.toString()).filteredOn(f -> f.runtime().equals(rt))
                        .extracting(StoredRun.FailureRow::benchmark, StoredRun.FailureRow::reason).containsExactlyInAnyOrder(
                                org.assertj.core.groups.Tuple.tuple("disk-fio",
                                        "exit code 1: fio: size too small, must not be less than minimum block size: 4096 < 131072"),
                                org.assertj.core.groups.Tuple.tuple("memory",
                                        "check failed: sysbench did no work: 'total number of events:              0'"));
                assertThat(median(Summary.of(run, "native"), "disk-dd", rt, "write_mib_per_s")).isPositive();
            }
            assertThat(run.failures()).filteredOn(f -> f.benchmark().equals("memory"))
                    .allSatisfy(f -> assertThat(f.rawOutput()).contains("Total operations: 0 (    0.00 per second)"));
        }
        IntegrationSupport.assertNothingLeft("isobench-" + id);
        assertThat(leftoverScratch()).isEmpty();
    }

    @Test
    void qemuMicrovmWritesToItsVirtioDisk() throws Exception {
        assumeTrue(Tools.which("qemu-system-x86_64") != null, "qemu-system-x86 not installed");
        Plan plan = new PlanLoader().top("runtimes", "native,qemu-microvm", "test").top("benchmarks", "disk-fio", "test")
                .top("repetitions", "1", "test").top("warmups", "0", "test").top("cooldown", "0s", "test")
                .set("disk-fio.pattern=write", "test").set("disk-fio.block=128K", "test").set("disk-fio.size=16M", "test")
                .set("disk-fio.time=1s", "test").build();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        String id = run(plan, "q.db", log);
        try (Store store = Store.open(dir.resolve("q.db"))) {
            StoredRun run = store.loadRun(id);
            assertThat(run.failures()).as(log.toString()).isEmpty();
            assertThat(median(Summary.of(run, "native"), "disk-fio", "qemu-microvm", "write_mib_per_s")).isPositive();
        }
        Map<String, String> where = storage("q.db", id, "disk-fio");
        assertThat(where.get("qemu-microvm")).contains("virtio-blk").contains("raw file").contains("ext2 in the guest");
        assertThat(where.get("qemu-microvm")).isNotEqualTo(where.get("native"));
        assertThat(leftoverScratch()).isEmpty();
        ProcResult q = Proc.of("pgrep", "-a", "-f", "isobench-" + id).timeout(Duration.ofSeconds(10)).run();
        assertThat(q.stdout().lines().filter(l -> l.contains("qemu-system"))).isEmpty();
    }

    /** ramfs refuses O_DIRECT: the trial script reruns buffered and says so, and the output still parses. */
    @Test
    void directIoRefusedFallsBackToBufferedAndSaysSo() throws Exception {
        Path mnt = Files.createDirectories(dir.resolve("ramfs"));
        assumeTrue(Proc.of("mount", "-t", "ramfs", "ramfs", mnt.toString()).timeout(Duration.ofSeconds(10)).run().ok(),
                "cannot mount ramfs");
        try {
            Params p = new Params(Map.of("pattern", "randwrite", "block", "4K", "size", "8M", "time", "1s", "direct", "1"));
            ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", DiskFioBenchmark.script(Tools.which("fio"), p));
            pb.environment().put(Scratch.ENV, mnt.toString());
            pb.redirectErrorStream(false);
            Process proc = pb.start();
            String out = new String(proc.getInputStream().readAllBytes());
            proc.getErrorStream().readAllBytes();
            assertThat(proc.waitFor()).as(out).isZero();
            assertThat(FioOutput.directMarker(out)).startsWith("0 (O_DIRECT not supported here");
            assertThat(DiskFioBenchmark.parse(out, p)).isNotEmpty();
        } finally {
            Proc.of("umount", mnt.toString()).timeout(Duration.ofSeconds(10)).run();
        }
    }
}
