package io.isobench.runtime;

import io.isobench.IntegrationSupport;
import io.isobench.image.ImageBuilder;
import io.isobench.image.WorkloadImage;
import io.isobench.proc.Launched;
import io.isobench.proc.Proc;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Instances of runtimes that make no cgroup (native, bwrap, nspawn) run in one of their own, for real: the workload's
 * /proc/PID/cgroup names it in the cpu and memory hierarchies from its first instruction, a process that left the
 * launcher's tree is still the instance's and dies at teardown, the cgroup goes with the instance, and the janitor
 * removes the cgroups of an isobench that died.
 */
class OwnCgroupIT {
    @TempDir
    static Path dir;
    static WorkloadImage image;
    static ProbeContext probe;

    @BeforeAll
    static void setUp() {
        assumeTrue(IntegrationSupport.isRoot(), "integration tests need root");
        assertThat(OwnCgroup.unavailableReason()).as("a root process on this host can make cgroups").isNull();
        ImageBuilder b = new ImageBuilder(dir.resolve("images"));
        image = b.build(Set.of("sleep", "sh", "cat"), true);
        probe = new ProbeContext(b, new Limits(1, 512L << 20));
    }

    /** The cgroup of {@code pid} in the hierarchy holding {@code controller} (v1), from /proc/PID/cgroup. */
    static String cgroupOf(long pid, String controller) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "cgroup"))) {
            String[] f = line.split(":", 3);
            if (List.of(f[1].split(",")).contains(controller)) {
                return f[2];
            }
        }
        return null;
    }

    @ParameterizedTest
    @ValueSource(strings = {"native", "bwrap", "nspawn"})
    void theWorkloadRunsInItsOwnCgroupAndTeardownRemovesItWithAStrayProcess(String runtime) throws Exception {
        RuntimeDriver d = Runtimes.byId(runtime).orElseThrow();
        Availability a = d.probe(probe);
        assumeTrue(a.available(), runtime + " unavailable: " + a.reason());
        assertThat(a.details().get("cgroup")).asString().startsWith("own, unlimited: /isobench/isobench-PID-N (cpu; ");
        // the workload prints its own cgroups (read inside, where /proc is its own: the path is what it sees), then
        // leaves a process behind that is not a descendant of the launcher (a subshell's background child, orphaned when
        // the subshell exits)
        String sh = image.tools().get("sh");
        java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
        LaunchSpec spec = LaunchSpec.builder("isobench-owncg-it-" + runtime, image, new Limits(1, 512L << 20))
                .argv(List.of(sh, "-c", "cat /proc/self/cgroup; (" + image.tools().get("sleep") + " 300 &); echo started; "
                        + image.tools().get("sleep") + " 301"))
                .onLine((line, at) -> {
                    if (line.equals("started")) {
                        started.countDown();
                    }
                })
                .build();
        Path cpuDir;
        long straySeen;
        List<Path> rootHad = java.util.stream.Stream.of("systemd/payload", "systemd/supervisor", "unified/payload",
                "unified/supervisor").map(x -> Path.of("/sys/fs/cgroup", x)).filter(Files::exists).toList();
        try (Sandbox s = d.launch(spec)) {
            // cat has exited then (an exited process shows the root cgroup until it is reaped), the sleeps run
            assertThat(started.await(30, TimeUnit.SECONDS)).as("the workload started").isTrue();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            List<Long> pids = s.hostPids();
            String path = null;
            while (System.nanoTime() < deadline) {
                pids = s.hostPids().stream().filter(Proc::running).toList();
                path = pids.stream().map(p -> {
                    try {
                        return cgroupOf(p, "cpu");
                    } catch (IOException e) {
                        return null;
                    }
                }).filter(c -> c != null && c.startsWith("/isobench/isobench-")).findFirst().orElse(null);
                if (path != null && pids.size() >= 2) {
                    break;
                }
                Thread.sleep(50);
            }
            assertThat(path).as("a process of the instance in cpu:/isobench/isobench-*").isNotNull()
                    .matches("/isobench/isobench-" + ProcessHandle.current().pid() + "-\\d+(/.*)?");
            String own = path.replaceAll("^(/isobench/isobench-\\d+-\\d+).*", "$1");
            cpuDir = Path.of("/sys/fs/cgroup/cpu" + own);
            for (long p : pids) {
                String cpu = cgroupOf(p, "cpu");
                if (cpu != null) {
                    assertThat(cpu).as("pid %d in cpu: %s", p, ProcessHandle.of(p).flatMap(h -> h.info().commandLine()).orElse("?"))
                            .startsWith(own);
                    assertThat(cgroupOf(p, "memory")).as("pid %d in memory", p).startsWith(own);
                    // the controller-less trees too: nspawn nests its payload and supervisor cgroups in its own there
                    if (Files.exists(Path.of("/sys/fs/cgroup/systemd/cgroup.procs"))) {
                        assertThat(cgroupOf(p, "name=systemd")).as("pid %d in name=systemd", p).startsWith(own);
                    }
                    if (Files.exists(Path.of("/sys/fs/cgroup/unified/cgroup.procs"))) {
                        assertThat(cgroupOf(p, "")).as("pid %d in the unified tree", p).startsWith(own);
                    }
                }
            }
            // the orphaned sleep 300 left the launcher's tree (for native: its parent is the host's init now); it may
            // still be a forked shell for a moment after "started"
            List<Long> inCgroup;
            List<Long> strays;
            do {
                inCgroup = Files.readAllLines(cpuDir.resolve("cgroup.procs")).stream().map(Long::parseLong).toList();
                strays = inCgroup.stream().filter(p -> ProcessHandle.of(p).flatMap(h -> h.info().commandLine())
                        .orElse("").endsWith("sleep 300")).toList();
                Thread.sleep(strays.isEmpty() ? 20 : 0);
            } while (strays.isEmpty() && System.nanoTime() < deadline);
            assertThat(strays).as("the orphan, in " + inCgroup).hasSize(1);
            assertThat(s.hostPids()).as("the instance's processes include the cgroup's").containsAll(inCgroup);
            straySeen = strays.getFirst();
            if (runtime.equals("native")) {
                assertThat(ProcessHandle.current().descendants().map(ProcessHandle::pid).toList())
                        .as("the stray is no descendant of isobench: only its cgroup holds it").doesNotContain(straySeen);
            }
        }
        assertThat(cpuDir).as("removed with the instance").doesNotExist();
        for (String h : List.of("systemd", "unified")) {
            for (String nested : List.of("payload", "supervisor")) {
                assertThat(Path.of("/sys/fs/cgroup", h, nested)).as("nspawn's cgroups went into the instance's, not the root's")
                        .satisfies(p -> assertThat(Files.exists(p)).isEqualTo(rootHad.contains(p)));
            }
        }
        assertThat(Proc.running(straySeen)).as("what ran in it is gone").isFalse();
        assertThat(IntegrationSupport.leftoverCgroups("isobench-" + ProcessHandle.current().pid() + "-")).isEmpty();
    }

    @Test
    void theChildJoinsBeforeItsExecAndAJoinThatFailsIsAClearError() throws Exception {
        try (OwnCgroup cg = OwnCgroup.create()) {
            Launched l = Launched.start(List.of("cat", "/proc/self/cgroup"), null, null, cg.procsFiles());
            assertThat(l.waitFor(10, TimeUnit.SECONDS)).isTrue();
            l.awaitOutput(Duration.ofSeconds(5));
            assertThat(l.exitValue()).isZero();
            // cat's very first read of its own cgroups: it was in them at its exec
            assertThat(l.stdout()).containsPattern("(?m)^\\d+:cpu:" + cg.path() + "$").containsPattern("(?m)^\\d+:memory:" + cg.path() + "$");
            assertThat(l.cgroupJoinNanos()).as("the join is timed, to be taken out of the launch").isPositive()
                    .isLessThan(TimeUnit.SECONDS.toNanos(1));
            // nothing of the helper leaks into the program: the same open fds as a plain start (0-2, and ls's own dir)
            Launched fds = Launched.start(List.of("ls", "/proc/self/fd"), null, null, cg.procsFiles());
            Launched plain = Launched.start(List.of("ls", "/proc/self/fd"), null, null);
            for (Launched x : List.of(fds, plain)) {
                assertThat(x.waitFor(10, TimeUnit.SECONDS)).isTrue();
                x.awaitOutput(Duration.ofSeconds(5));
            }
            assertThat(fds.stdout()).isEqualTo(plain.stdout()).isEqualTo("0\n1\n2\n3\n");
            // nor its signal state: nothing blocked, nothing ignored (the helper ignores SIGINT, SIGTERM, SIGHUP), own group
            Launched sig = Launched.start(List.of("grep", "-E", "^(SigBlk|SigIgn|NSpgid|Pid):", "/proc/self/status"), null, null,
                    cg.procsFiles());
            Launched sigPlain = Launched.start(List.of("grep", "-E", "^(SigBlk|SigIgn):", "/proc/self/status"), null, null);
            for (Launched x : List.of(sig, sigPlain)) {
                assertThat(x.waitFor(10, TimeUnit.SECONDS)).isTrue();
                x.awaitOutput(Duration.ofSeconds(5));
            }
            // as posix_spawn leaves them: nothing blocked, and of the ignored only glibc's own 32 and 33 (its posix_spawn
            // ignores them in every child, as under hyperfine), not the helper's SIGHUP, SIGINT, SIGPIPE, SIGTERM
            assertThat(sig.stdout()).contains(sigPlain.stdout()).contains("SigBlk:\t0000000000000000");
            long ign = Long.parseLong(sig.stdout().replaceAll("(?s).*SigIgn:\t([0-9a-f]+).*", "$1"), 16);
            assertThat(ign & ~0x180000000L).as("ignored signals but 32, 33: %x", ign).isZero();
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^Pid:\t(\\d+)$").matcher(sig.stdout());
            assertThat(m.find()).as(sig.stdout()).isTrue();
            String pid = m.group(1);
            assertThat(sig.stdout()).as("a process group of its own").contains("NSpgid:\t" + pid + "\n");
            Launched quiet = Launched.startQuiet(List.of("cat", "/proc/self/cgroup"), null, cg.procsFiles());
            assertThat(quiet.waitFor(10, TimeUnit.SECONDS)).isTrue();
            quiet.awaitOutput(Duration.ofSeconds(5));
            assertThat(quiet.stdout()).containsPattern("(?m)^\\d+:cpu:" + cg.path() + "$");
            assertThat(quiet.cgroupJoinNanos()).isPositive();
        }
        assertThatThrownBy(() -> Launched.start(List.of("true"), null, null,
                List.of(Path.of("/sys/fs/cgroup/cpu/isobench-it-no-such-cgroup/cgroup.procs"))))
                .isInstanceOf(IOException.class).hasMessage("cannot put \"true\" into its cgroup: error=2, No such file or directory");
        Launched quiet = Launched.startQuiet(List.of("true"), null,
                List.of(Path.of("/sys/fs/cgroup/cpu/isobench-it-no-such-cgroup/cgroup.procs")));
        assertThat(quiet.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(quiet.exitValue()).isEqualTo(127);
        assertThat(quiet.stderr()).contains("cannot put \"true\" into its cgroup");
    }

    @Test
    void theJanitorRemovesTheCgroupsOfADeadIsobenchAndKillsWhatIsLeftInThem() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        long dead = gone.pid();
        Path cpu = Path.of("/sys/fs/cgroup/cpu/isobench/isobench-" + dead + "-1");
        Path memory = Path.of("/sys/fs/cgroup/memory/isobench/isobench-" + dead + "-1");
        Files.createDirectories(cpu);
        Files.createDirectories(memory);
        Process stray = new ProcessBuilder("sleep", "300").start();
        try {
            Files.writeString(cpu.resolve("cgroup.procs"), Long.toString(stray.pid()));
            Path alive = Path.of("/sys/fs/cgroup/cpu/isobench/isobench-" + ProcessHandle.current().pid() + "-999999");
            Files.createDirectories(alive);
            try {
                List<String> removed = OwnCgroup.sweepDead();
                assertThat(removed).contains("cgroup " + cpu, "cgroup " + memory);
                assertThat(stray.waitFor(10, TimeUnit.SECONDS)).as("the process left in it is killed").isTrue();
                assertThat(cpu).doesNotExist();
                assertThat(memory).doesNotExist();
                assertThat(alive).as("a live isobench's cgroup stays").isDirectory();
            } finally {
                Files.deleteIfExists(alive);
            }
        } finally {
            stray.destroyForcibly();
            stray.waitFor();
            Files.deleteIfExists(cpu);
            Files.deleteIfExists(memory);
        }
    }
}
