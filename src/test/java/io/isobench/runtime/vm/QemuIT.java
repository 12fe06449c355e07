package io.isobench.runtime.vm;

import io.isobench.IntegrationSupport;
import io.isobench.exec.RunService;
import io.isobench.host.KvmProbe;
import io.isobench.image.ImageBuilder;
import io.isobench.image.WorkloadImage;
import io.isobench.plan.Plan;
import io.isobench.plan.PlanLoader;
import io.isobench.proc.Cleanup;
import io.isobench.proc.Proc;
import io.isobench.proc.ProcResult;
import io.isobench.runtime.LaunchSpec;
import io.isobench.runtime.Limits;
import io.isobench.runtime.NetworkSpec;
import io.isobench.runtime.Sandbox;
import io.isobench.store.Store;
import io.isobench.store.StoredRun;
import io.isobench.proc.WorkDir;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Real VMs: both machine types boot the Debian cloud kernel (under TCG on hosts without usable KVM) and run
 * the cpu and memory benchmarks; a hung guest is killed at its timeout; Ctrl-C leaves no QEMU behind.
 */
class QemuIT {
    @TempDir
    static Path dir;

    @BeforeAll
    static void root() {
        assumeTrue(IntegrationSupport.isRoot(), "integration tests need root");
        assumeTrue(io.isobench.util.Tools.which("qemu-system-x86_64") != null, "qemu-system-x86 not installed");
    }

    /** True when a QEMU of a trial (not a probe) runs under {@code isobench}. */
    static boolean trialVmOf(ProcessHandle isobench) {
        return isobench.descendants().anyMatch(h -> h.info().commandLine()
                .map(c -> c.contains("qemu-system") && c.contains("isobench.nonce=") && !c.contains("isobench-probe-"))
                .orElse(false));
    }

    /**
     * QEMU processes of this test JVM's isobench (their files are in its work dir). Scoped: other test suites and
     * other isobench processes on the host legitimately run VMs at the same time.
     */
    static List<String> leftoverQemus() {
        return leftoverQemus(WorkDir.get().toString() + "/");
    }

    /** QEMU processes whose command line contains {@code pathFragment} (e.g. a dead process's "/isobench-PID-"). */
    static List<String> leftoverQemus(String pathFragment) {
        ProcResult r = Proc.of("pgrep", "-a", "-f", "isobench.nonce=").timeout(Duration.ofSeconds(10)).run();
        return r.stdout().lines().filter(l -> l.contains("qemu-system") && l.contains(pathFragment)).toList();
    }

    static List<Path> leftoverLaunchFiles() throws Exception {
        Path q = WorkDir.get().resolve("qemu");
        if (!Files.isDirectory(q)) {
            return List.of();
        }
        try (var s = Files.list(q)) {
            return s.toList();
        }
    }

    @Test
    void cpuAndMemoryInBothMachineTypes() throws Exception {
        String accel = new KvmProbe().probe().usable() ? "kvm" : "tcg";
        Plan plan = new PlanLoader().top("runtimes", "native,qemu,qemu-microvm", "test").top("repetitions", "1", "test")
                .top("warmups", "0", "test").top("cooldown", "0s", "test")
                .set("cpu.time=1s", "test").set("memory.time=1s", "test").set("memory.block_size=1K", "test").build();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (Store store = Store.open(dir.resolve("run.db"))) {
            String id = new RunService(store, new ImageBuilder(dir.resolve("images")), new PrintStream(log)).run(plan, false);
            StoredRun run = store.loadRun(id);
            assertThat(run.header().status()).isEqualTo("completed");
            assertThat(run.failures()).as(log.toString()).isEmpty();
            for (String rt : List.of("qemu", "qemu-microvm")) {
                // cpu: 4 metrics; memory: 2 cases (seq, rnd) x 2 metrics
                assertThat(run.samples()).as(rt).filteredOn(s -> s.runtime().equals(rt)).hasSize(4 + 2 + 2);
                assertThat(run.samples()).filteredOn(s -> s.runtime().equals(rt) && s.metric().equals("events_per_second"))
                        .singleElement().satisfies(s -> assertThat(s.value()).isGreaterThan(20));
                assertThat(run.runtimes()).filteredOn(r -> r.runtime().equals(rt)).singleElement().satisfies(r -> {
                    assertThat(r.available()).isTrue();
                    assertThat(r.details()).containsEntry("accel", accel)
                            .containsEntry("machine", rt.equals("qemu") ? "q35" : "microvm")
                            .containsKeys("vcpus", "memory_bytes", "guest_kernel", "probe_boot_ms", "guest_clocksource");
                    // the probe timed a busy loop in the guest against the host (estimates and timeouts, never results)
                    assertThat(String.valueOf(r.details().get("probe_cpu_slowdown")))
                            .matches("\\d+\\.\\dx \\(a busybox shell loop, guest against host\\)");
                    assertThat(String.valueOf(r.details().get("memory_bytes"))).isEqualTo(Long.toString(plan.limits().memoryBytes()));
                });
            }
        }
        assertThat(leftoverQemus()).isEmpty();
        assertThat(leftoverLaunchFiles()).isEmpty();
    }

    /**
     * startup and footprint in a microVM, for real: the guest's boot is its own phase before ready; footprint reports
     * the configured guest memory and splits the VMM's PSS into the guest RAM region and the VMM's overhead.
     */
    @Test
    void startupPhasesAndFootprintSplitInAMicrovm() throws Exception {
        Plan plan = new PlanLoader().top("runtimes", "qemu-microvm", "test").top("benchmarks", "startup,footprint", "test")
                .top("repetitions", "1", "test").top("warmups", "0", "test").top("cooldown", "0s", "test").top("limits.memory", "512M", "test")
                .set("startup.instances=1", "test").set("startup.iterations=1", "test")
                .set("footprint.instances=1", "test").set("footprint.settle=500ms", "test").build();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (Store store = Store.open(dir.resolve("vm-startup.db"))) {
            String id = new RunService(store, new ImageBuilder(dir.resolve("images")), new PrintStream(log)).run(plan, false);
            StoredRun run = store.loadRun(id);
            assertThat(run.failures()).as(log.toString()).isEmpty();
            java.util.function.Function<String, Double> v = m -> run.samples().stream().filter(x -> x.metric().equals(m))
                    .findFirst().orElseThrow(() -> new AssertionError("no " + m)).value();
            assertThat(v.apply("booted_ms")).isPositive().isLessThan(v.apply("ready_ms"));
            assertThat(v.apply("spawned_ms")).isLessThan(v.apply("booted_ms"));
            assertThat(v.apply("guest_configured_mib")).isEqualTo(512.0);
            double ram = v.apply("guest_ram_pss_mib_per_instance");
            double vmm = v.apply("vmm_overhead_pss_mib_per_instance");
            assertThat(ram).as("the booted guest touched some of its RAM, at most all of it").isPositive().isLessThanOrEqualTo(512.0);
            assertThat(vmm).as("QEMU's own memory").isPositive();
            assertThat(ram + vmm).isCloseTo(v.apply("pss_mib_total"), org.assertj.core.data.Offset.offset(0.01));
        }
        assertThat(leftoverQemus()).isEmpty();
        assertThat(leftoverLaunchFiles()).isEmpty();
    }

    @Test
    void hungGuestIsKilledAtTheTimeoutAndNothingIsLeft() throws Exception {
        int pending = Cleanup.pending();
        WorkloadImage image = new ImageBuilder(dir.resolve("images")).build(Set.of("sleep", "echo"), false);
        List<String> lines = new ArrayList<>();
        LaunchSpec spec = LaunchSpec.builder("isobench-qemu-it-hang", image, new Limits(1, 256L << 20))
                .argv(List.of(image.tools().get("sleep"), "600")).onLine((line, t) -> lines.add(line)).build();
        QemuDriver d = new QemuMicrovmDriver();
        ProcResult r;
        long t0 = System.nanoTime();
        try (Sandbox s = d.launch(spec)) {
            r = s.await(Duration.ofSeconds(25));
            assertThat(s.hostPids()).isEmpty();
        }
        assertThat((System.nanoTime() - t0) / 1e9).isLessThan(40);
        assertThat(r.timedOut()).isTrue();
        assertThat(r.exitCode()).isEqualTo(-1);
        assertThat(r.stdout()).isEmpty();
        assertThat(r.stderr()).as("boot time is reported, the serial console is attached").contains("guest boot", "guest kernel console");
        assertThat(leftoverQemus()).isEmpty();
        assertThat(leftoverLaunchFiles()).isEmpty();
        assertThat(Cleanup.pending()).isEqualTo(pending);
    }

    @Test
    void exitStatusAndOutputComeFromTheGuest() throws Exception {
        WorkloadImage image = new ImageBuilder(dir.resolve("images")).build(Set.of("sleep", "echo"), false);
        List<String> lines = new ArrayList<>();
        String echo = image.tools().get("echo");
        LaunchSpec spec = LaunchSpec.builder("isobench-qemu-it-echo", image, new Limits(1, 256L << 20))
                .argv(List.of(echo, "it's", "a b")).onLine((line, t) -> lines.add(line)).build();
        ProcResult r;
        try (Sandbox s = new QemuQ35Driver().launch(spec)) {
            r = s.await(Duration.ofSeconds(90));
        }
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.stdout()).isEqualTo("it's a b\n");
        assertThat(lines).containsExactly("it's a b");
        assertThat(r.elapsed()).as("workload time excludes the boot").isLessThan(Duration.ofSeconds(2));
        assertThat(leftoverQemus()).isEmpty();
        assertThat(leftoverLaunchFiles()).isEmpty();
    }

    @Test
    void sigintDuringAVmTrialLeavesNoQemu() throws Exception {
        Path jar = Path.of("target/isobench.jar");
        assumeTrue(Files.exists(jar), "needs the packaged jar (mvn verify)");
        Path db = dir.resolve("i.db");
        ProcessBuilder pb = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED", "-jar", jar.toString(), "run", "--db", db.toString(),
                "--runtimes", "qemu-microvm", "--benchmarks", "cpu", "--repetitions", "5", "--warmups", "0",
                "--cooldown", "0s", "--set", "cpu.time=5s");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        StringBuilder log = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
            // wait until a trial VM of this isobench process is running (other suites may run VMs on the host too)
            while (!trialVmOf(p.toHandle()) && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertThat(trialVmOf(p.toHandle())).as("a trial VM is running").isTrue();
            Thread.sleep(1000);
            Proc.of("kill", "-INT", Long.toString(p.pid())).timeout(Duration.ofSeconds(5)).run();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String line;
            while ((line = r.readLine()) != null) {
                log.append(line).append('\n');
            }
        } finally {
            p.destroyForcibly();
        }
        assertThat(log).contains("interrupted");
        assertThat(leftoverQemus("/isobench-" + p.pid() + "-")).isEmpty();
        assertThat(IntegrationSupport.leftoverWorkDirs(p.pid())).isEmpty();
    }

    /**
     * restrict=on: the guest reaches nothing through user-mode networking, not even the host's loopback (which is
     * 10.0.2.2 in the guest without it), while the host still reaches the guest through the forward (NetworkPathIT).
     * The NIC is ready (operstate up) before the workload starts, so its readiness is boot time, not workload time.
     */
    @Test
    void guestCannotOpenConnectionsThroughUserNetworking() throws Exception {
        WorkloadImage image = new ImageBuilder(dir.resolve("images")).build(Set.of("true"), true);
        try (java.net.ServerSocket host = new java.net.ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress())) {
            host.setSoTimeout(1);
            String target = QemuUserNet.GATEWAY + ":" + host.getLocalPort();
            // busybox nc, not wget: Debian's static busybox wget segfaults on a refused connection
            String bb = image.tools().get("busybox");
            LaunchSpec spec = LaunchSpec.builder("isobench-qemu-it-restrict", image, new Limits(1, 256L << 20))
                    .argv(List.of(bb, "sh", "-c", bb + " cat /sys/class/net/eth0/operstate; exec " + bb + " nc -w 5 "
                            + QemuUserNet.GATEWAY + " " + host.getLocalPort()))
                    .network(NetworkSpec.tcp(8080)).build();
            ProcResult r;
            String path;
            try (Sandbox s = new QemuMicrovmDriver().launch(spec)) {
                path = s.networkPath();
                r = s.await(Duration.ofSeconds(90));
            }
            assertThat(path).contains("restrict=on", "127.0.0.1:", "virtio-net-device");
            assertThat(r.timedOut()).as(r.stderr()).isFalse();
            assertThat(r.stderr()).as("the guest booted and ran nc").contains("guest boot").doesNotContain("isobench-init:");
            assertThat(r.stdout()).as("eth0 is up when the workload starts").isEqualTo("up\n");
            assertThat(r.exitCode()).as("nc %s from the guest must fail: %s", target, r.stderr()).isEqualTo(1);
            assertThat(catchThrowable(host::accept)).as("no connection reached the host's loopback")
                    .isInstanceOf(java.net.SocketTimeoutException.class);
        }
        assertThat(leftoverQemus()).isEmpty();
        assertThat(leftoverLaunchFiles()).isEmpty();
    }

    /**
     * The tap path (used once the probe found it works): the host reaches the guest's server at its namespace address
     * with 64 connections at once (slirp's relay reset such bursts), and the guest has a route to its /30 only:
     * an address beyond it is unreachable. Afterwards no namespace or link is left.
     */
    @Test
    void tapPathTakesConcurrentConnectionsAndRoutesNowhereElse() throws Exception {
        QemuMicrovmDriver driver = new QemuMicrovmDriver();
        assertThat(driver.probeNetwork()).as("why the tap path is unusable").isNull();
        WorkloadImage image = new ImageBuilder(dir.resolve("images")).build(Set.of("true"), true);
        String bb = image.tools().get("busybox");
        List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
        LaunchSpec spec = LaunchSpec.builder("isobench-qemu-it-tap", image, new Limits(1, 256L << 20))
                .argv(List.of(bb, "sh", "-c", bb + " ip route; " + bb + " nc -w 3 192.0.2.1 80 </dev/null; echo nc=$?; exec "
                        + bb + " httpd -f -p 8080 -h /"))
                .network(NetworkSpec.tcp(8080)).onLine((line, t) -> lines.add(line)).build();
        String path;
        List<Integer> statuses;
        try (Sandbox s = driver.launch(spec)) {
            path = s.networkPath();
            java.net.InetSocketAddress ep = s.endpoint(8080);
            assertThat(path).startsWith("tap: veth pair").contains("virtio-net-device", "vhost=off");
            assertThat(ep.getAddress().getHostAddress()).startsWith("198.18.");
            io.isobench.runtime.NetworkPathIT.get(ep, "/etc/hosts", Duration.ofSeconds(120)); // waits for the boot
            try (var pool = java.util.concurrent.Executors.newFixedThreadPool(64)) {
                List<java.util.concurrent.Future<Integer>> fs = new ArrayList<>();
                for (int i = 0; i < 64; i++) {
                    fs.add(pool.submit(() -> {
                        try (java.net.http.HttpClient c = java.net.http.HttpClient.newBuilder()
                                .connectTimeout(Duration.ofSeconds(20)).build()) {
                            return c.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://"
                                            + ep.getAddress().getHostAddress() + ":8080/etc/hosts")).timeout(Duration.ofSeconds(60)).build(),
                                    java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
                        }
                    }));
                }
                statuses = new ArrayList<>();
                for (var f : fs) {
                    statuses.add(f.get(90, TimeUnit.SECONDS));
                }
            }
        }
        assertThat(statuses).as("64 concurrent GETs through %s", path).hasSize(64).containsOnly(200);
        assertThat(String.join("\n", lines)).as("the guest's routes and its nc beyond them")
                .contains("dev eth0").doesNotContain("default").contains("nc=1");
        assertThat(Proc.of("ip", "netns", "list").timeout(Duration.ofSeconds(10)).run().stdout())
                .doesNotContain("isobench-" + ProcessHandle.current().pid() + "-");
        assertThat(leftoverQemus()).isEmpty();
        assertThat(leftoverLaunchFiles()).isEmpty();
    }

    private List<ProcessHandle> vmsAtKill;

    /**
     * Starts the packaged isobench (a 60 s cpu trial in qemu-microvm) with {@code env} added, waits until its trial
     * VM runs, SIGKILLs it and waits for it to end; the VMs seen at the kill are left in {@link #vmsAtKill}.
     */
    private Process startAndSigkillDuringABoot(Map<String, String> env, String name) throws Exception {
        Path jar = Path.of("target/isobench.jar");
        assumeTrue(Files.exists(jar), "needs the packaged jar (mvn verify)");
        ProcessBuilder pb = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED", "-jar", jar.toString(), "run", "--db", dir.resolve(name + ".db").toString(),
                "--runtimes", "qemu-microvm", "--benchmarks", "cpu", "--repetitions", "1", "--warmups", "0",
                "--cooldown", "0s", "--set", "cpu.time=60s", "--quiet")
                .redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
            while (!trialVmOf(p.toHandle()) && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertThat(trialVmOf(p.toHandle())).as("a trial VM is running").isTrue();
            vmsAtKill = p.toHandle().descendants().filter(h -> h.info().command().orElse("").contains("qemu-system")).toList();
            p.destroyForcibly();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            p.destroyForcibly();
        }
        return p;
    }

    /**
     * SIGKILL runs no cleanup in isobench, but the isobench-spawn helper sees its stdin end and SIGKILLs QEMU, its
     * child; the work dir is left for the next run's janitor.
     */
    @Test
    void sigkillDuringABootTakesTheVmDownAndTheJanitorSweepsTheRest() throws Exception {
        Process p = startAndSigkillDuringABoot(Map.of(), "k");
        List<ProcessHandle> vms = vmsAtKill;
        assertThat(vms).isNotEmpty();
        // QEMU is a child of the isobench-spawn helper, whose stdin ends with isobench: it SIGKILLs its children
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (vms.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(vms).as("the trial's QEMU after isobench's SIGKILL").noneMatch(ProcessHandle::isAlive);
        assertThat(IntegrationSupport.leftoverWorkDirs(p.pid())).isNotEmpty();
        io.isobench.exec.Janitor.sweep(System.err);
        assertThat(IntegrationSupport.leftoverWorkDirs(p.pid())).isEmpty();
    }

    /** Without the helper (ISOBENCH_SPAWN=jdk: the JDK starts QEMU), a VM outlives isobench's SIGKILL; the janitor kills it. */
    @Test
    void sigkillWithoutTheHelperLeavesAQemuThatTheJanitorKills() throws Exception {
        Process p = startAndSigkillDuringABoot(Map.of("ISOBENCH_SPAWN", "jdk"), "k2");
        List<ProcessHandle> vms = vmsAtKill;
        assertThat(vms).as("the trial's QEMU outlives the SIGKILL").isNotEmpty().anyMatch(ProcessHandle::isAlive);
        assertThat(IntegrationSupport.leftoverWorkDirs(p.pid())).isNotEmpty();
        List<String> swept = io.isobench.exec.Janitor.sweep(System.err);
        assertThat(swept).as("janitor report").anyMatch(l -> l.startsWith("QEMU process "));
        assertThat(vms).noneMatch(ProcessHandle::isAlive);
        assertThat(IntegrationSupport.leftoverWorkDirs(p.pid())).isEmpty();
    }

    /** syscall-surface's wrapper goes in front of QEMU itself: strace sees the VM monitor's host calls. */
    @Test
    void qemuRunsUnderTheLaunchersWrapper() throws Exception {
        String strace = io.isobench.util.Tools.which("strace");
        assumeTrue(strace != null, "strace not installed");
        WorkloadImage image = new ImageBuilder(dir.resolve("images")).build(Set.of("sleep", "echo"), false);
        Path out = dir.resolve("qemu-strace.txt");
        LaunchSpec spec = LaunchSpec.builder("isobench-qemu-it-wrap", image, new Limits(1, 256L << 20))
                .argv(List.of(image.tools().get("echo"), "traced"))
                .wrapper(List.of(strace, "-f", "-c", "-qq", "-o", out.toString())).build();
        QemuDriver d = new QemuMicrovmDriver();
        assertThat(d.supportsWrapper()).isTrue();
        ProcResult r;
        try (Sandbox s = d.launch(spec)) {
            r = s.await(Duration.ofSeconds(120));
        }
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.stdout()).isEqualTo("traced\n");
        assertThat(r.argv().subList(0, 2)).containsExactly(strace, "-f");
        // QEMU's main loop waits in ppoll; its vCPU threads are clone3'd
        assertThat(Files.readString(out)).contains("ppoll", "clone3");
        assertThat(leftoverQemus()).isEmpty();
        assertThat(leftoverLaunchFiles()).isEmpty();
    }

    /**
     * The host port refuses connections until the guest reports BEGIN: a forward that listened from QEMU's start
     * accepted connections during the boot, which readiness checks took for a running server.
     */
    @Test
    void forwardedPortRefusesUntilTheWorkloadStarts() throws Exception {
        WorkloadImage image = new ImageBuilder(dir.resolve("images")).build(Set.of("true"), true);
        String bb = image.tools().get("busybox");
        LaunchSpec spec = LaunchSpec.builder("isobench-qemu-it-early", image, new Limits(1, 256L << 20))
                .argv(List.of(bb, "sleep", "600")).network(NetworkSpec.tcp(8080)).build();
        long firstAccept = -1;
        try (Sandbox s = new QemuMicrovmDriver().launch(spec)) {
            java.net.InetSocketAddress ep = s.endpoint(8080);
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (firstAccept < 0 && System.nanoTime() < end) {
                try (java.net.Socket so = new java.net.Socket()) {
                    so.connect(ep, 1000);
                    firstAccept = System.nanoTime() - s.launchedAtNanos();
                } catch (java.io.IOException refused) {
                    Thread.sleep(20);
                }
            }
            long boot = ((io.isobench.runtime.vm.guest.GuestSandbox) s).bootMillis();
            assertThat(boot).as("the guest booted").isPositive();
            assertThat(firstAccept).as("first accepted connection").isPositive();
            assertThat(firstAccept / 1_000_000).as("first accept (ms after launch) vs BEGIN at %d ms", boot)
                    .isGreaterThanOrEqualTo(boot);
        }
        assertThat(leftoverQemus()).isEmpty();
        assertThat(leftoverLaunchFiles()).isEmpty();
    }
}
