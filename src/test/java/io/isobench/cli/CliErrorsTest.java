package io.isobench.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** User mistakes: one clear line on stderr, exit code 2, no stack trace (unless --debug). Nothing runs. */
class CliErrorsTest {
    @TempDir
    Path dir;

    record Result(int code, String out, String err) {
    }

    private Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    private void assertUsageError(Result r, String expected) {
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains(expected);
        assertThat(r.err()).doesNotContain("\tat ").doesNotContain("Exception");
        assertThat(r.err().lines().filter(l -> l.startsWith("isobench: ")).count()).isEqualTo(1);
    }

    @Test
    void unknownRuntime() {
        assertUsageError(run("run", "--runtimes", "native,dokker", "--db", dir.resolve("x.db").toString()),
                "unknown runtime 'dokker'");
    }

    @Test
    void unknownBenchmark() {
        assertUsageError(run("run", "--benchmarks", "gpu"), "unknown benchmark 'gpu'");
    }

    @Test
    void malformedNumberAndDuration() {
        assertUsageError(run("run", "--repetitions", "many"), "--repetitions: not a whole number");
        assertUsageError(run("run", "--cooldown", "soon"), "--cooldown: not a duration");
        assertUsageError(run("run", "--set", "cpu.time=forever"), "cpu.time: not a duration");
    }

    @Test
    void unknownFlag() {
        Result r = run("run", "--repititions", "3");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("Unknown options: '--repititions'").doesNotContain("\tat ");
    }

    @Test
    void unwritableDatabasePath() throws Exception {
        Path file = dir.resolve("afile");
        Files.writeString(file, "x");
        assertUsageError(run("list", "--db", file.resolve("x.db").toString()), "database");
        assertUsageError(run("show", "latest", "--db", dir.toString()), "is a directory");
    }

    @Test
    void badPlanFile() throws Exception {
        Path plan = dir.resolve("p.yaml");
        Files.writeString(plan, "warmups: -1\n");
        assertUsageError(run("run", "--plan", plan.toString()), "warmups: must be at least 0");
    }

    @Test
    void debugShowsTheStackTrace() {
        Result r = run("run", "--benchmarks", "gpu", "--debug");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("\tat ");
    }

    @Test
    void showOfAMissingRun() {
        io.isobench.store.Store.open(dir.resolve("x.db")).close();
        assertUsageError(run("show", "nope", "--db", dir.resolve("x.db").toString()), "no run 'nope'");
    }

    @Test
    void listOnAnEmptyDatabase() {
        io.isobench.store.Store.open(dir.resolve("x.db")).close();
        Result r = run("list", "--db", dir.resolve("x.db").toString());
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("no runs");
    }

    @Test
    void everySubcommandsHelpRendersWithoutAWarning() {
        // picocli's own warnings (an unescaped '%' in a description) go to System.err, not the command's writer
        java.io.PrintStream saved = System.err;
        java.io.ByteArrayOutputStream sysErr = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(sysErr, true));
        try {
            for (String sub : Main.commandLine().getSubcommands().keySet()) {
                Result r = sub.equals("help") ? run("help") : run(sub, "--help");
                assertThat(r.code()).as(sub).isZero();
                assertThat(r.out() + r.err()).as(sub + " --help").doesNotContain("WARN").doesNotContain("%n")
                        .contains("Usage:");
                assertThat(r.err()).as(sub + " --help stderr").isEmpty();
            }
        } finally {
            System.setErr(saved);
        }
        assertThat(sysErr.toString()).doesNotContain("picocli WARN").isEmpty();
    }

    @Test
    void runHelpListsEveryBenchmarkParameterWithDefault() {
        Result r = run("run", "--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("max_prime", "default 20000", "access_mode", "default seq,rnd", "--repetitions");
        // picocli formats the footer: a bare '%' in a description made it print the raw text with a warning
        assertThat(r.out() + r.err()).doesNotContain("picocli WARN").doesNotContain("%n");
        assertThat(r.out()).contains("load-profile - CPU % and RSS");
    }
}
