package io.isobench.cli;

import io.isobench.IntegrationSupport;
import io.isobench.analysis.Statistics;
import io.isobench.report.MultiHostReport;
import io.isobench.store.Store;
import io.isobench.store.StoredRun;
import io.isobench.store.Stores;
import io.isobench.store.TestStores;
import io.isobench.util.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Real runs from two host identities into one PostgreSQL database, and reports over both.
 *
 * <p>NOT two machines: this is one machine. Both "hosts" are isobench processes on it, each in a cpu cgroup of its own:
 * the first with the largest CPU weight (so a busy machine does not slow it), the second in a UTS namespace with
 * another hostname and pinned to CPU 0 ({@code taskset}, so it records 1 CPU), sharing that CPU with a busy loop whose
 * cgroup has 8 times the CPU weight of isobench's instance cgroups ({@code /isobench}: the native baseline and bwrap
 * run in cgroups of their own there, so a quota on the isobench process would not hold them), so its native baseline
 * runs several times slower (at least twice, checked). That is what makes a mix-up visible: a runtime's cost taken
 * against the other host's native would be off by that factor. (bwrap is slowed like native on that host and costs
 * about 1× on both.)
 */
class MultiHostIT {
    @TempDir
    Path dir;

    private static int cli(StringWriter out, String... args) {
        return Main.execute(args, new PrintWriter(out, true), new PrintWriter(new StringWriter(), true));
    }

    private static final List<String> RUN = List.of("run", "--runtimes", "native,bwrap", "--benchmarks", "cpu", "--repetitions", "5",
            "--warmups", "0", "--cooldown", "0s", "--set", "cpu.time=1s", "--quiet");

    @Test
    void eachHostsCostIsAgainstItsOwnBaseline() throws Exception {
        assumeTrue(IntegrationSupport.isRoot(), "integration tests need root");
        Path jar = Path.of("target/isobench.jar").toAbsolutePath();
        assumeTrue(Files.exists(jar), "needs the packaged jar (mvn verify)");
        // CPU control for both hosts: cgroup v1's cpu controller, else cgroup v2's
        Path v1 = Path.of("/sys/fs/cgroup/cpu");
        Path v2 = Path.of("/sys/fs/cgroup");
        boolean isV1 = Files.exists(v1.resolve("cpu.cfs_quota_us"));
        assumeTrue(isV1 || (Files.exists(v2.resolve("cgroup.subtree_control"))
                        && Files.readString(v2.resolve("cgroup.subtree_control")).contains("cpu")),
                "needs a cgroup cpu controller (v1, or v2 enabled for children)");
        Path cpuCgroup = isV1 ? v1 : v2;
        String hostname = "isobench-it-host2-" + ProcessHandle.current().pid();
        try (TestStores stores = new TestStores()) {
            String db = stores.freshPostgres();
            List<String> args = new ArrayList<>(RUN);
            args.addAll(List.of("--db", db));
            // host 1: this machine, its real hostname, with the largest CPU weight, so that however busy the machine is
            // (other tests, other work) it gets a CPU when it asks for one
            Path cg1 = cpuCgroup.resolve("isobench-it-host1-" + ProcessHandle.current().pid());
            isobench(cg1, isV1 ? Map.of("cpu.shares", "262144") : Map.of("cpu.weight", "10000"), null, jar, args);
            // host 2: another hostname, one CPU, shared with a busy loop that has 8 times the weight of isobench's
            // instance cgroups (all of them in /isobench, whose weight is the default)
            Path cg2 = cpuCgroup.resolve(hostname);
            Path hogCg = cpuCgroup.resolve("isobench-it-hog-" + ProcessHandle.current().pid());
            Files.createDirectory(hogCg);
            Process hog = null;
            try {
                Files.writeString(hogCg.resolve(isV1 ? "cpu.shares" : "cpu.weight"), isV1 ? "8192" : "800");
                hog = new ProcessBuilder("taskset", "-c", "0", "sh", "-c",
                        "echo $$ > \"$1/cgroup.procs\" && exec sh -c 'while :; do :; done'", "sh", hogCg.toString()).start();
                isobench(cg2, Map.of(), hostname, jar, args);
            } finally {
                if (hog != null) {
                    hog.destroyForcibly();
                    hog.waitFor(10, TimeUnit.SECONDS);
                }
                for (int i = 0; i < 50 && Files.exists(hogCg); i++) {
                    try {
                        Files.deleteIfExists(hogCg);
                    } catch (java.nio.file.FileSystemException e) { // EBUSY while the kernel finishes the exit
                        Thread.sleep(200);
                    }
                }
            }

            StringWriter list = new StringWriter();
            assertThat(cli(list, "list", "--json", "--db", db)).isZero();
            List<?> rows = Json.MAPPER.readValue(list.toString(), List.class);
            assertThat(rows).hasSize(2);
            List<String> ids = rows.stream().map(r -> (String) ((Map<?, ?>) r).get("run_id")).toList().reversed(); // oldest first
            StringWriter only2 = new StringWriter();
            assertThat(cli(only2, "list", "--host", hostname, "--db", db)).isZero();
            assertThat(only2.toString()).contains(ids.get(1)).doesNotContain(ids.get(0));

            List<StoredRun> runs = new ArrayList<>();
            try (Store store = Stores.open(db, Stores.Mode.READ)) {
                for (String id : ids) {
                    runs.add(store.loadRun(id));
                }
                double[] nat = {median(runs.get(0), "native"), median(runs.get(1), "native")};
                double[] bwrap = {median(runs.get(0), "bwrap"), median(runs.get(1), "bwrap")};
                assertThat(runs.get(1).header().host()).containsEntry("hostname", hostname).containsEntry("cpus", 1);
                assertThat(nat[0] / nat[1]).as("host 2's native is much slower (events/s): the check below has teeth")
                        .isGreaterThan(2.0);

                MultiHostReport m = MultiHostReport.of(store, ids);
                assertThat(m.multiHost()).isTrue();
                assertThat(m.hosts()).hasSize(2).contains(hostname);
                MultiHostReport.Line line = m.lines().stream().filter(l -> l.runtime().equals("bwrap")).findFirst().orElseThrow();
                for (int h = 0; h < 2; h++) {
                    double own = nat[h] / bwrap[h]; // higher is better: baseline over runtime
                    double crossed = nat[1 - h] / bwrap[h];
                    double shown = line.perColumn().get(h).ratioToBaseline();
                    assertThat(shown).as("host %d's bwrap cost against its own native", h).isCloseTo(own, within(1e-9));
                    assertThat(Math.max(shown / crossed, crossed / shown)).as("not against the other host's native")
                            .isGreaterThan(2.0);
                }
                assertThat(m.differingFacts()).extracting(MultiHostReport.Fact::name).contains("CPUs");
            }

            StringWriter md = new StringWriter();
            assertThat(cli(md, "report", ids.get(0), ids.get(1), "--format", "md", "--db", db)).isZero();
            assertThat(md.toString()).contains("Hosts side by side").contains(hostname).contains("cpu · events_per_second: cost per host");
            Path html = dir.resolve("r.html");
            assertThat(cli(new StringWriter(), "report", ids.get(0), ids.get(1), "--out", html.toString(), "--db", db)).isZero();
            assertThat(Files.readString(html)).contains("class=\"chart grouped\"");
            StringWriter show = new StringWriter();
            assertThat(cli(show, "show", ids.get(0), ids.get(1), "--db", db)).isZero();
            assertThat(show.toString()).contains("hosts side by side").containsPattern("bwrap\\s+\\d\\.\\d{3}x");
            StringWriter compare = new StringWriter();
            cli(compare, "compare", ids.get(0), ids.get(1), "--db", db);
            assertThat(compare.toString()).contains("ACROSS HOSTS").containsPattern("native\\s+host difference")
                    .containsPattern("bwrap\\s+cost ");
        }
    }

    /**
     * A genuinely different (virtual) machine: {@code scripts/second-host-vm.sh} boots a QEMU VM with its own kernel, an
     * emulated CPU, one vCPU and its own memory, and runs isobench inside it into the same PostgreSQL database (this
     * host's 127.0.0.1 is 10.0.2.2 in the guest). Still the same physical machine. Under TCG it takes minutes, so it runs
     * only when asked: {@code ISOBENCH_IT_VM_HOST=1}.
     */
    @Test
    void aVirtualMachineIsASecondHost() throws Exception {
        assumeTrue(IntegrationSupport.isRoot(), "integration tests need root");
        assumeTrue("1".equals(System.getenv("ISOBENCH_IT_VM_HOST")), "set ISOBENCH_IT_VM_HOST=1 to boot a VM as the second host");
        Path jar = Path.of("target/isobench.jar").toAbsolutePath();
        assumeTrue(Files.exists(jar), "needs the packaged jar (mvn verify)");
        Path guests = Path.of(System.getProperty("user.home"), ".cache/isobench/guest");
        assumeTrue(Files.isDirectory(guests), "needs the guest kernel a qemu runtime fetches");
        try (TestStores stores = new TestStores()) {
            String db = stores.freshPostgres();
            assumeTrue(db.contains("@127.0.0.1:") || db.contains("@localhost:"), "the guest reaches only this host's loopback");
            String inGuest = db.replace("@127.0.0.1:", "@10.0.2.2:").replace("@localhost:", "@10.0.2.2:");
            List<String> args = new ArrayList<>(RUN);
            args.addAll(List.of("--db", db));
            StringWriter first = new StringWriter();
            assertThat(cli(first, args.toArray(String[]::new))).as(first.toString()).isZero();

            List<String> cmd = new ArrayList<>(List.of("sh", Path.of("scripts/second-host-vm.sh").toAbsolutePath().toString(), inGuest));
            cmd.addAll(RUN.subList(1, RUN.size()));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("vm.log").toFile());
            pb.environment().put("ISOBENCH_JAR", jar.toString());
            pb.environment().put("VM_HOSTNAME", "isobench-it-vm");
            Process p = pb.start();
            try {
                assertThat(p.waitFor(40, TimeUnit.MINUTES)).as("the VM's run within 40 minutes").isTrue();
                assertThat(p.exitValue()).as(Files.readString(dir.resolve("vm.log"))).isZero();
            } finally {
                p.destroyForcibly();
            }
            StringWriter list = new StringWriter();
            assertThat(cli(list, "list", "--json", "--db", db)).isZero();
            List<String> ids = Json.MAPPER.readValue(list.toString(), List.class).stream()
                    .map(r -> (String) ((Map<?, ?>) r).get("run_id")).toList().reversed();
            assertThat(ids).hasSize(2);
            try (Store store = Stores.open(db, Stores.Mode.READ)) {
                StoredRun here = store.loadRun(ids.get(0));
                StoredRun vm = store.loadRun(ids.get(1));
                assertThat(vm.header().host()).containsEntry("hostname", "isobench-it-vm").containsEntry("cpus", 1);
                assertThat(vm.header().host().get("kernel")).as("the VM's own kernel").isNotEqualTo(here.header().host().get("kernel"));
                assertThat(vm.header().host().get("cpu_model")).isNotEqualTo(here.header().host().get("cpu_model"));
                MultiHostReport m = MultiHostReport.of(store, ids);
                assertThat(m.hosts()).hasSize(2);
                MultiHostReport.Line line = m.lines().stream().filter(l -> l.runtime().equals("bwrap")).findFirst().orElseThrow();
                List<StoredRun> runs = List.of(here, vm);
                for (int h = 0; h < 2; h++) {
                    assertThat(line.perColumn().get(h).ratioToBaseline()).as("host %d's bwrap against its own native", h)
                            .isCloseTo(median(runs.get(h), "native") / median(runs.get(h), "bwrap"), within(1e-9));
                }
                assertThat(m.differingFacts()).extracting(MultiHostReport.Fact::name).contains("CPU model", "kernel", "CPUs", "memory");
            }
        }
    }

    /**
     * Runs isobench ({@code args}) in a new cpu cgroup {@code cg} with {@code settings}; with a {@code hostname}, in a
     * UTS namespace under that name and pinned to CPU 0. Removes the cgroup afterwards, checking nothing was left in it.
     */
    private void isobench(Path cg, Map<String, String> settings, String hostname, Path jar, List<String> args) throws Exception {
        Files.createDirectory(cg);
        try {
            for (var e : settings.entrySet()) {
                Files.writeString(cg.resolve(e.getKey()), e.getValue());
            }
            List<String> cmd = new ArrayList<>();
            if (hostname != null) {
                cmd.addAll(List.of("unshare", "--uts", "--"));
            }
            // joins the cgroup, takes the hostname if given, then becomes the command (positional arguments, no interpolation)
            cmd.addAll(List.of("sh", "-c", "echo $$ > \"$1/cgroup.procs\" && { [ -z \"$2\" ] || hostname \"$2\"; } && shift 2 && exec \"$@\"",
                    "sh", cg.toString(), hostname == null ? "" : hostname));
            if (hostname != null) {
                cmd.addAll(List.of("taskset", "-c", "0"));
            }
            cmd.addAll(List.of(ProcessHandle.current().info().command().orElse("java"), "--enable-native-access=ALL-UNNAMED", "-jar",
                    jar.toString()));
            cmd.addAll(args);
            Path log = dir.resolve(cg.getFileName() + ".log");
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                assertThat(p.waitFor(8, TimeUnit.MINUTES)).as(cg.getFileName() + "'s run within 8 minutes").isTrue();
                assertThat(p.exitValue()).as(Files.readString(log)).isZero();
            } finally {
                p.destroyForcibly();
            }
        } finally {
            // the last exiting processes may leave the cgroup a moment after isobench's exit
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!Files.readString(cg.resolve("cgroup.procs")).isBlank() && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertThat(Files.readString(cg.resolve("cgroup.procs"))).as("nothing of that isobench left running").isBlank();
            for (int i = 0; ; i++) {
                try {
                    Files.deleteIfExists(cg);
                    break;
                } catch (java.nio.file.FileSystemException e) { // EBUSY while the kernel finishes the last exit
                    if (i >= 50) {
                        throw e;
                    }
                    Thread.sleep(200);
                }
            }
        }
    }

    private static double median(StoredRun run, String runtime) {
        return Statistics.median(run.samples().stream().filter(s -> s.runtime().equals(runtime) && !s.warmup() && !s.isSeriesPoint()
                && s.metric().equals("events_per_second")).mapToDouble(StoredRun.SampleRow::value).toArray());
    }
}
