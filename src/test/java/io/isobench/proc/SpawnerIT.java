package io.isobench.proc;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The isobench-spawn helper, for real: built with gcc, starting real processes. */
class SpawnerIT {
    static Spawner spawner;

    @BeforeAll
    static void helper() {
        spawner = Spawner.shared();
        assertThat(spawner).as("isobench-spawn: %s", Spawner.unavailableReason()).isNotNull();
    }

    record Line(String text, long at) {
    }

    @Test
    void linesAreStampedOnTheClockOfNanoTimeAndExitCodesComeBack() throws Exception {
        List<Line> lines = new CopyOnWriteArrayList<>();
        long before = System.nanoTime();
        Launched p = spawner.spawn(List.of("sh", "-c", "echo one; echo two >&2; printf 'three\\r\\nfour'; exit 3"), null,
                (l, t) -> lines.add(new Line(l, t)), false);
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        p.awaitOutput(Duration.ofSeconds(5));
        long after = System.nanoTime();
        assertThat(p.exitValue()).isEqualTo(3);
        assertThat(lines).extracting(Line::text).containsExactly("one", "three", "four"); // \r\n like readLine; last without \n
        assertThat(p.stdout()).isEqualTo("one\nthree\nfour\n");
        assertThat(p.stderr()).isEqualTo("two\n");
        // the helper stamps with CLOCK_MONOTONIC: the JVM's nanoTime clock, so the times fall between ours
        assertThat(p.spawnedNanos()).isBetween(before, after);
        assertThat(lines).allSatisfy(l -> assertThat(l.at()).isBetween(p.spawnedNanos(), after));
        assertThat(p.isAlive()).isFalse();
    }

    @Test
    void environmentIsReplacedWhenGivenAndInheritedOtherwise() throws Exception {
        Launched own = spawner.spawn(List.of("/usr/bin/env"), Map.of("ISOBENCH_X", "1"), null, false);
        assertThat(own.waitFor(10, TimeUnit.SECONDS)).isTrue();
        own.awaitOutput(Duration.ofSeconds(5));
        assertThat(own.stdout()).isEqualTo("ISOBENCH_X=1\n");
        Launched inherited = spawner.spawn(List.of("/usr/bin/env"), null, null, false);
        assertThat(inherited.waitFor(10, TimeUnit.SECONDS)).isTrue();
        inherited.awaitOutput(Duration.ofSeconds(5));
        assertThat(inherited.stdout()).contains("PATH=" + System.getenv("PATH"));
    }

    @Test
    void aMissingProgramIsAnIOExceptionLikeTheJdks() {
        assertThatThrownBy(() -> spawner.spawn(List.of("/nonexistent/isobench-x"), null, null, false))
                .isInstanceOf(IOException.class).hasMessageContaining("/nonexistent/isobench-x")
                .hasMessageContaining("No such file or directory");
    }

    @Test
    void killTreeKillsTheDescendantsAndTheProcess() throws Exception {
        List<String> pids = new CopyOnWriteArrayList<>();
        Launched p = spawner.spawn(List.of("sh", "-c", "sleep 300 & echo $!; sleep 300"), null, (l, t) -> pids.add(l), false);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (pids.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        long child = Long.parseLong(pids.get(0));
        assertThat(Proc.descendants(p.pid())).contains(child);
        killTreeAndAssertGone(p, child);
    }

    /** killTree on p: it ends by SIGKILL, and so does {@code grandchild}, a process it started. */
    private static void killTreeAndAssertGone(Launched p, long grandchild) throws InterruptedException {
        p.killTree();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(128 + 9);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (ProcessHandle.of(grandchild).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(ProcessHandle.of(grandchild).map(ProcessHandle::isAlive).orElse(false)).as("grandchild %d", grandchild).isFalse();
    }

    /**
     * A quiet child: nothing of it reaches isobench while it runs (its spawn report waits for the exit), then its
     * spawn stamps, its whole output (captured, no listener called) and its exit come together.
     */
    @Test
    void aQuietChildIsReportedOnlyOnceItHasExited() throws Exception {
        List<String> heard = new CopyOnWriteArrayList<>();
        long before = System.nanoTime();
        Launched p = spawner.spawn(List.of("sh", "-c", "echo one; echo two >&2; sleep 1; echo three; exit 4"), null,
                (l, t) -> heard.add(l), true);
        Thread.sleep(300);
        assertThat(p.isAlive()).isTrue();
        assertThat(((Spawner.Child) p).started).as("the spawn report is held back while it runs").isNotDone();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        p.awaitOutput(Duration.ofSeconds(5));
        assertThat(p.exitValue()).isEqualTo(4);
        assertThat(p.stdout()).isEqualTo("one\nthree\n");
        assertThat(p.stderr()).isEqualTo("two\n");
        assertThat(heard).as("a quiet child's lines are not timed, so no listener hears them").isEmpty();
        assertThat(p.pid()).isPositive();
        assertThat(p.spawnStartNanos()).isGreaterThan(before).isLessThanOrEqualTo(p.spawnedNanos());
        assertThat(p.exitedNanos() - p.spawnStartNanos()).as("it slept 1 s").isGreaterThan(TimeUnit.MILLISECONDS.toNanos(900));
    }

    @Test
    void aQuietChildThatCannotStartExitsWith127AndSaysWhy() throws Exception {
        Launched p = spawner.spawn(List.of("/nonexistent/isobench-q"), null, null, true);
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(127);
        assertThat(p.stderr()).contains("/nonexistent/isobench-q").contains("No such file or directory");
    }

    /** killTree on a quiet child first asks the helper for its pid, then kills its descendants and it. */
    @Test
    void killTreeOfAQuietChildKillsItsDescendantsToo() throws Exception {
        Path pidFile = Files.createTempFile("isobench-quiet-", ".pid");
        try {
            Launched p = spawner.spawn(List.of("sh", "-c", "sleep 300 & echo $! > " + pidFile + "; sleep 300"), null, null, true);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (Files.readString(pidFile).isBlank() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            killTreeAndAssertGone(p, Long.parseLong(Files.readString(pidFile).strip()));
        } finally {
            Files.deleteIfExists(pidFile);
        }
    }

    /** A quiet child's output goes to memory capped at the capture limit: writing past it fails the write, not the helper. */
    @Test
    void aQuietChildWritingPastTheCapIsCutNotStalled() throws Exception {
        Launched p = spawner.spawn(List.of("sh", "-c", "head -c 9437184 /dev/zero | tr '\\0' x; echo after >&2"), null, null, true);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        p.awaitOutput(Duration.ofSeconds(5));
        assertThat(p.stdout().strip()).hasSize(Launched.MAX_CAPTURE).matches("x+");
        assertThat(p.stderr()).contains("after");
        Launched next = spawner.spawn(List.of("sh", "-c", "echo still"), null, null, true);
        assertThat(next.waitFor(10, TimeUnit.SECONDS)).isTrue();
        next.awaitOutput(Duration.ofSeconds(5));
        assertThat(next.stdout()).isEqualTo("still\n");
    }

    /** Hundreds of live children cost the JVM no file descriptors (each holds two pipes in the helper, not here). */
    @Test
    void manyLiveChildrenHoldNoDescriptorsInTheJvm() throws Exception {
        long fdsBefore = fds();
        List<Launched> all = new ArrayList<>();
        List<Long> ready = new CopyOnWriteArrayList<>();
        try {
            for (int i = 0; i < 300; i++) {
                all.add(spawner.spawn(List.of("sh", "-c", "echo ready; exec sleep 300"), null, (l, t) -> ready.add(t), false));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (ready.size() < 300 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(ready).hasSize(300);
            assertThat(fds() - fdsBefore).as("JVM fds with 300 live children").isLessThan(20);
        } finally {
            for (Launched l : all) {
                l.killTree();
            }
            for (Launched l : all) {
                assertThat(l.waitFor(10, TimeUnit.SECONDS)).isTrue();
            }
        }
    }

    private static long fds() throws IOException {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    /** When isobench goes away (the helper's stdin ends), the helper SIGKILLs the children it has not reaped. */
    @Test
    void theHelperKillsItsChildrenWhenItsStdinEnds() throws Exception {
        Process helper = new ProcessBuilder(Spawner.build().toString()).start();
        try {
            DataOutputStream req = new DataOutputStream(helper.getOutputStream());
            req.write('S');
            req.writeInt(1);
            req.writeInt(2);
            req.writeInt(-1);
            req.writeInt(0); // no cgroups
            for (String a : List.of("sleep", "300")) {
                byte[] b = a.getBytes(StandardCharsets.UTF_8);
                req.writeInt(b.length);
                req.write(b);
            }
            req.flush();
            DataInputStream ev = new DataInputStream(helper.getInputStream());
            assertThat(ev.read()).isEqualTo('P');
            assertThat(ev.readInt()).isEqualTo(1);
            long pid = ev.readInt();
            assertThat(pid).isPositive();
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isTrue();
            req.close();
            assertThat(helper.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(helper.exitValue()).isZero();
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("sleep %d after the helper", pid).isFalse();
        } finally {
            helper.destroyForcibly();
        }
    }
    /**
     * Every other way out of the helper kills too, and kills each child's whole process group (a launcher's own
     * children, e.g. the background sleep here), not only the child: a protocol error (exit 5), and isobench's end of
     * the event pipe closing while the helper still writes (exit 3).
     */
    @Test
    void everyExitPathKillsTheChildrensProcessGroups() throws Exception {
        for (String how : List.of("protocol error", "events unread")) {
            Process helper = new ProcessBuilder(Spawner.build().toString()).start();
            try {
                DataOutputStream req = new DataOutputStream(helper.getOutputStream());
                start(req, 1, "sh", "-c", "sleep 300 & echo $!; exec sleep 301");
                DataInputStream ev = new DataInputStream(helper.getInputStream());
                assertThat(ev.read()).isEqualTo('P');
                assertThat(ev.readInt()).isEqualTo(1);
                long child = ev.readInt();
                ev.readLong();
                ev.readLong();
                ev.readLong(); // the cgroup join: none
                assertThat(ev.read()).isEqualTo('O');
                ev.readInt();
                ev.read();
                ev.readLong();
                byte[] line = new byte[ev.readInt()];
                ev.readFully(line);
                long grandchild = Long.parseLong(new String(line, StandardCharsets.UTF_8).strip());
                assertThat(ProcessHandle.of(grandchild).map(ProcessHandle::isAlive).orElse(false)).isTrue();
                if (how.equals("protocol error")) {
                    req.write('Z');
                    req.write(new byte[12]);
                    req.flush();
                } else {
                    helper.getInputStream().close(); // isobench stopped reading; the next event's write fails
                    start(req, 2, "true");
                }
                assertThat(helper.waitFor(10, TimeUnit.SECONDS)).as(how).isTrue();
                assertThat(helper.exitValue()).as(how).isEqualTo(how.equals("protocol error") ? 5 : 3);
                assertThat(alive(child)).as("%s: the child after the helper", how).isFalse();
                assertThat(alive(grandchild)).as("%s: the child's own child (same process group)", how).isFalse();
            } finally {
                helper.destroyForcibly();
            }
        }
    }

    private static void start(DataOutputStream req, int id, String... argv) throws IOException {
        req.write('S');
        req.writeInt(id);
        req.writeInt(argv.length);
        req.writeInt(-1);
        req.writeInt(0); // no cgroups
        for (String a : argv) {
            byte[] b = a.getBytes(StandardCharsets.UTF_8);
            req.writeInt(b.length);
            req.write(b);
        }
        req.flush();
    }

    private static boolean alive(long pid) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (Proc.running(pid) && System.nanoTime() < end) {
            Thread.sleep(20);
        }
        return Proc.running(pid);
    }
}
