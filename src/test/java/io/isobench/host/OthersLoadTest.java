package io.isobench.host;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class OthersLoadTest {
    @Test
    void runningCountIsTheFourthFieldBeforeTheSlash() {
        // cat /proc/loadavg on this host (Debian 12, 6.1), quiet and with four busy shell loops
        assertThat(OthersLoad.running("0.60 2.82 2.95 1/87 29096\n")).isEqualTo(1);
        assertThat(OthersLoad.running("4.12 3.30 1.95 5/93 30117")).isEqualTo(5);
        assertThat(OthersLoad.running("0.60 2.82 2.95")).isNull();
        assertThat(OthersLoad.running("0.60 2.82 2.95 x/87 1")).isNull();
    }

    @Test
    void taskStateIsAfterTheLastParenthesis() {
        // /proc/PID/task/TID/stat of a JVM thread: the command may hold spaces and parentheses
        assertThat(OthersLoad.state("2160 (C2 CompilerThre) S 1 2153 28443 0 -1 4194368")).isEqualTo('S');
        assertThat(OthersLoad.state("2153 (java (x) y) R 28443 2153")).isEqualTo('R');
        assertThat(OthersLoad.state("garbage")).isEqualTo((char) 0);
        assertThat(OthersLoad.state("1 (x)")).isEqualTo((char) 0);
    }

    private static void task(Path proc, long pid, long tid, String comm, char state) throws Exception {
        Path d = Files.createDirectories(proc.resolve(pid + "/task/" + tid));
        Files.writeString(d.resolve("stat"), tid + " (" + comm + ") " + state + " 1 " + pid + " 0 0 -1\n");
    }

    @Test
    void isobenchsOwnRunnableTasksAreNotOthers(@TempDir Path proc) throws Exception {
        task(proc, 100, 100, "java", 'R'); // the reading thread
        task(proc, 100, 101, "C2 CompilerThre", 'R'); // a JIT compile after the last trial
        task(proc, 100, 102, "GC Thread#0", 'S');
        task(proc, 200, 200, "runsc (exiting)", 'R'); // a descendant still exiting
        OthersLoad l = new OthersLoad(proc, () -> List.of(100L, 200L, 300L)); // 300: gone since
        Files.writeString(proc.resolve("loadavg"), "4.12 3.30 1.95 7/93 30117\n");
        assertThat(l.ownRunning(List.of(100L, 200L, 300L))).isEqualTo(3);
        assertThat(l.measure()).isEqualTo(4.0);
        Files.writeString(proc.resolve("loadavg"), "0.00 0.00 0.00 2/80 1\n"); // read a moment apart: never below 0
        assertThat(l.measure()).isEqualTo(0.0);
        Files.writeString(proc.resolve("loadavg"), "garbage\n");
        assertThat(l.measure()).isNull();
        Files.delete(proc.resolve("loadavg"));
        assertThat(l.measure()).isNull();
        // no readable own task: the reading thread still counts
        assertThat(l.ownRunning(List.of())).isEqualTo(1);
    }

    @Test
    void theRealProcGivesAFigureAndSeesThisThread() throws Exception {
        OthersLoad l = new OthersLoad();
        assertThat(l.ownRunning(OthersLoad.selfAndDescendants())).isGreaterThanOrEqualTo(1);
        assertThat(l.measure()).isNotNull().isGreaterThanOrEqualTo(0.0);
    }
}
