package io.isobench.measure;

import io.isobench.TestFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/** ftrace attribution and the syscall name table, on trace output and headers captured from real runs (fixtures/ftrace). */
class TracedSyscallsTest {
    private static final SyscallTable TABLE = SyscallTable.parse(TestFixtures.read("ftrace/unistd_64.h"), "fixture");

    /** Replays a dump the way the tracer fed it: the header names isobench's threads, then every line in order. */
    private static TracedSyscalls.Result replay(String dump) {
        String first = dump.lines().findFirst().orElseThrow();
        assertThat(first).startsWith("# isobench JVM threads: ");
        Set<Long> jvm = new LinkedHashSet<>();
        for (String t : first.substring("# isobench JVM threads: ".length()).split(" ")) {
            jvm.add(Long.parseLong(t));
        }
        TracedSyscalls s = new TracedSyscalls(jvm, TABLE);
        dump.lines().forEach(s::line);
        return s.result();
    }

    private static String gunzip(String fixture) throws IOException {
        try (InputStream in = new GZIPInputStream(TracedSyscallsTest.class.getResourceAsStream("/fixtures/" + fixture))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void nativeCountsOnlyTheWorkloadItself() throws Exception {
        TracedSyscalls.Result r = replay(gunzip("ftrace/trace-native.txt.gz"));
        assertThat(r.tasks().keySet()).singleElement().satisfies(k -> assertThat(k).endsWith("/syscall-probe"));
        // the probe's own calls; clock_gettime is served by the vDSO, never a system call
        assertThat(r.names()).contains("getpid", "read", "openat", "newfstatat", "close").doesNotContain("clock_gettime")
                .isSorted();
        // isobench's JVM threads (futex, epoll...) and the spawn helper's execve are not counted
        assertThat(r.names()).doesNotContain("futex", "execve", "epoll_wait");
        assertThat(r.syscallEvents()).isGreaterThan(r.names().size());
        assertThat(r.unattributedEvents()).isZero();
        assertThat(r.lostEvents()).isZero();
        assertThat(r.unparsedLines()).isZero();
    }

    @Test
    void runcCountsTheRuntimeAndTheWorkload() {
        TracedSyscalls.Result r = replay(TestFixtures.read("ftrace/trace-runc.txt"));
        assertThat(r.tasks().keySet()).anySatisfy(k -> assertThat(k).isEqualTo("/usr/sbin/runc"))
                .anySatisfy(k -> assertThat(k).startsWith("/usr/sbin/runc (re-exec"))
                .anySatisfy(k -> assertThat(k).endsWith("/syscall-probe"));
        // container setup on the host kernel; the workload's calls go to the host kernel too
        assertThat(r.names()).contains("pivot_root", "mount", "unshare", "clone", "execve", "getpid", "newfstatat");
        assertThat(r.unparsedLines()).isZero();
    }

    @Test
    void runscCountsTheSentryAndGoferNotTheWorkload() {
        TracedSyscalls.Result runsc = replay(TestFixtures.read("ftrace/trace-runsc.txt"));
        // the Sentry and the Gofer are runsc re-executing itself; the probe never runs on the host kernel
        assertThat(runsc.tasks().keySet()).anySatisfy(k -> assertThat(k).contains("as runsc-sandbox"))
                .anySatisfy(k -> assertThat(k).contains("as runsc-gofer"))
                .noneSatisfy(k -> assertThat(k).endsWith("/syscall-probe"));
        // the ptrace platform: the Sentry drives its stub processes with ptrace and waits for them
        assertThat(runsc.names()).contains("ptrace", "wait4", "seccomp");
        assertThat(runsc.firstSeenIn()).anySatisfy((exe, calls) -> {
            assertThat(exe).contains("runsc-sandbox");
            assertThat(calls).contains("ptrace");
        });
        TracedSyscalls.Result runc = replay(TestFixtures.read("ftrace/trace-runc.txt"));
        assertThat(runsc.names()).isNotEqualTo(runc.names());
    }

    @Test
    void tasksAddedWhileRunningCountFromThen() {
        TracedSyscalls s = new TracedSyscalls(Set.of(1L), TABLE);
        s.addTask(500, "/usr/bin/containerd-shim-runc-v2");
        String line = TestFixtures.read("ftrace/trace-runc.txt").lines().filter(l -> l.contains("sys_enter: NR 39 "))
                .findFirst().orElseThrow().replaceFirst("-\\d+(\\s+\\[)", "-500$1");
        assertThat(s.line(line)).isEqualTo(39);
        assertThat(s.line(line)).as("a call is new only once").isEqualTo(-1);
        assertThat(s.result().names()).containsExactly("getpid");
        assertThat(s.result().tasks()).containsOnlyKeys("/usr/bin/containerd-shim-runc-v2 (traced from when first seen)");
    }

    @Test
    void whatTheAccountingThreadStartsNeverCounts() {
        String dump = TestFixtures.read("ftrace/trace-runc.txt");
        // in this trace one JVM thread started every process (runc run, runc kill/delete); mark it as the pid poller
        String parent = dump.lines().filter(l -> l.contains("sched_process_fork: comm=java")).findFirst().orElseThrow()
                .replaceFirst(".* comm=java pid=(\\d+) .*", "$1");
        int nl = dump.indexOf('\n');
        TracedSyscalls.Result r = replay(dump.substring(0, nl + 1) + "# isobench accounting thread tid=" + parent + "\n"
                + dump.substring(nl + 1));
        assertThat(r.names()).isEmpty();
        assertThat(r.tasks()).isEmpty();
        assertThat(replay(dump).names()).isNotEmpty();
    }

    @Test
    void headerTablesOfBothLayouts() {
        assertThat(TABLE.name(39)).isEqualTo("getpid");
        assertThat(TABLE.name(101)).isEqualTo("ptrace");
        assertThat(TABLE.name(262)).isEqualTo("newfstatat");
        assertThat(TABLE.name(100_000)).isEqualTo("syscall_100000");
        assertThat(TABLE.size()).isGreaterThan(300);
        // arm64/riscv64: numbers through __NR3264_ aliases, the 64-bit names of the #if __BITS_PER_LONG branches
        SyscallTable generic = SyscallTable.parse(TestFixtures.read("ftrace/asm-generic-unistd.h"), "fixture");
        assertThat(generic.name(172)).isEqualTo("getpid");
        assertThat(generic.name(25)).isEqualTo("fcntl");
        assertThat(generic.name(62)).isEqualTo("lseek");
        assertThat(generic.name(79)).isEqualTo("newfstatat");
        assertThat(generic.name(222)).isEqualTo("mmap");
    }

    @Test
    void mountinfoLines() {
        Tracefs.MountInfo m = Tracefs.MountInfo.parse(
                "38 25 0:12 / /sys/kernel/tracing rw,nosuid,nodev,noexec,relatime shared:15 - tracefs tracefs rw");
        assertThat(m.fsType()).isEqualTo("tracefs");
        assertThat(m.mountPoint()).isEqualTo(Path.of("/sys/kernel/tracing"));
        assertThat(Tracefs.MountInfo.parse("40 25 0:7 / /tmp/a\\040b rw - debugfs debugfs rw").mountPoint())
                .isEqualTo(Path.of("/tmp/a b"));
    }

    @Test
    void sweepRemovesOnlyInstancesOfDeadIsobenchProcesses(@TempDir Path root) throws IOException {
        Path inst = Files.createDirectories(root.resolve("instances"));
        long self = ProcessHandle.current().pid();
        Files.createDirectory(inst.resolve("isobench-" + self + "-1"));
        Files.createDirectory(inst.resolve("isobench-4194304-3")); // PID_MAX_LIMIT: never a live pid
        Files.createDirectory(inst.resolve("isobench-99999999999999999999-1")); // malformed: kept, no exception
        Files.createDirectory(inst.resolve("perf-tool"));
        assertThat(Tracefs.sweepInstances(root)).containsExactly("ftrace instance isobench-4194304-3");
        try (var s = Files.list(inst)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("isobench-" + self + "-1", "perf-tool",
                    "isobench-99999999999999999999-1");
        }
    }
}
