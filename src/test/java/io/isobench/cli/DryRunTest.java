package io.isobench.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code run --dry-run} prints cases, trials and the expected duration, and touches no database. */
class DryRunTest {
    @TempDir
    Path dir;

    private String run(String... args) {
        StringWriter out = new StringWriter();
        int code = Main.execute(args, new PrintWriter(out, true), new PrintWriter(new StringWriter(), true));
        assertThat(code).isZero();
        return out.toString();
    }

    @Test
    void printsEveryCaseWithItsTrialsAndTouchesNoDatabase() {
        Path db = dir.resolve("runs.db");
        String out = run("run", "--dry-run", "--runtimes", "native", "--benchmarks", "cpu,memory", "--repetitions", "3",
                "--warmups", "1", "--cooldown", "1s", "--set", "cpu.time=2s", "--set", "memory.time=4s",
                "--set", "memory.block_size=1K,1M", "--set", "memory.access_mode=seq", "--db", db.toString());
        assertThat(db).doesNotExist();
        assertThat(Files.exists(dir.resolve("runs.db-wal"))).isFalse();
        // cpu: 4 x (2 s + 0.5 s launch + 1 s cooldown) = 14 s; memory: 2 cases of 4 x (4 + 0.5 + 1) = 22 s
        assertThat(out).containsPattern("cpu +- +1w \\+ 3 +4 +14 s");
        assertThat(out).containsPattern("memory +block_size=1K +1w \\+ 3 +4 +22 s");
        assertThat(out).containsPattern("memory +block_size=1M +1w \\+ 3 +4 +22 s");
        assertThat(out).contains("total: 12 trials, about 58 s");
    }

    @Test
    void adaptiveRepetitionsShowTheirBound() {
        String out = run("run", "--dry-run", "--runtimes", "native", "--benchmarks", "cpu", "--repetitions", "auto:9",
                "--db", dir.resolve("x.db").toString());
        assertThat(out).containsPattern("cpu +- +1w \\+ ≤9 ");
        assertThat(out).contains("at most (adaptive repetitions may stop earlier)");
        assertThat(dir.resolve("x.db")).doesNotExist();
    }
}
