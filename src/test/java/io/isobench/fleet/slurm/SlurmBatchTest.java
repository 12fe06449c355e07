package io.isobench.fleet.slurm;

import io.isobench.fleet.FleetJob;
import io.isobench.proc.Proc;
import io.isobench.proc.ProcResult;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The batch script passes every argument to isobench unchanged, whatever it holds; sbatch's argv is what it says. */
class SlurmBatchTest {
    private static final List<String> HOSTILE = List.of("$(touch /tmp/isobench-pwned)", "`touch /tmp/isobench-pwned`",
            "it's", "\"double\"", "a;b && c || d | e", "$HOME ${PATH} $1 $@", "*", "~", " lead and trail ", "",
            "back\\slash", "new\nline", "\n#SBATCH --wrap=evil", "-n", "--set=x", "ünïcødé ✓", "tab\there", "'", "''",
            "a'b'c", "!history", "#comment", "%j %N");

    private static FleetJob job(List<String> runArgs) {
        return new FleetJob("f20261203-0000-abcd", runArgs, "postgresql://u@db.example:5432/team", Duration.ofMinutes(90));
    }

    @Test
    void hostileArgumentsReachTheAgentUnchanged() throws Exception {
        Path marker = Path.of("/tmp/isobench-pwned");
        Files.deleteIfExists(marker);
        List<String> runArgs = new ArrayList<>();
        for (String h : HOSTILE) {
            runArgs.add("--set");
            runArgs.add(h);
        }
        // the "launcher" prints each argument NUL-terminated, so the argv it got can be compared exactly
        String node = "node'1 $(touch /tmp/isobench-pwned)\ntouch /tmp/isobench-pwned";
        String script = SlurmBatch.script(job(runArgs), node, List.of("printf", "%s\\0"));
        ProcResult r = Proc.of("sh", "-c", script, "sh").timeout(Duration.ofSeconds(10)).run();
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        List<String> got = Arrays.asList(r.stdout().split("\0", -1));
        List<String> expected = new ArrayList<>(job(runArgs).agentArgs(node));
        expected.add(""); // after the last NUL
        assertThat(got).isEqualTo(expected);
        assertThat(marker).doesNotExist();
    }

    @Test
    void thePlanTextReachesTheAgentOnItsStdinUnchangedAndNoShellReadsIt() throws Exception {
        Path marker = Path.of("/tmp/isobench-pwned");
        Files.deleteIfExists(marker);
        String text = "# a plan\nruntimes: [native, runc]\nbenchmarks: cpu\nnote: '$(touch /tmp/isobench-pwned) `id` $HOME \\'\n"
                + "ISOBENCH_PLAN_EOF\n#SBATCH --wrap=evil\nset:\n  cpu.time: 1s"; // no final newline
        FleetJob j = new FleetJob("f1", List.of("--repetitions", "2"), "postgresql://u@h/db", Duration.ofMinutes(5),
                new FleetJob.PlanText("/home/me/plan.yaml", text));
        // the "launcher" prints its stdin, a NUL, then each argument NUL-terminated
        String script = SlurmBatch.script(j, "n1", List.of("sh", "-c", "cat; printf '\\0'; printf '%s\\0' \"$@\"", "sh"));
        assertThat(script).contains("ISOBENCH_PLAN_EOF_1").doesNotContain("/home/me/plan.yaml");
        ProcResult r = Proc.of("sh", "-c", script, "sh").timeout(Duration.ofSeconds(10)).run();
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        String[] parts = r.stdout().split("\0", -1);
        assertThat(parts[0]).isEqualTo(text + "\n");
        assertThat(Arrays.asList(parts).subList(1, parts.length - 1)).containsExactly("run", "--fleet", "f1", "--fleet-node",
                "n1", "--db", "postgresql://u@h/db", "--plan", "/dev/stdin", "--repetitions", "2");
        assertThat(marker).doesNotExist();
        assertThat(j.agentArgs()).containsExactly("run", "--fleet", "f1", "--db", "postgresql://u@h/db", "--plan",
                "/home/me/plan.yaml", "--repetitions", "2");
        List<String> lines = script.lines().toList();
        int exec = 0;
        while (!lines.get(exec).startsWith("exec ")) {
            assertThat(lines.get(exec)).doesNotStartWith("#SBATCH");
            exec++;
        }
        assertThat(exec).isEqualTo(2);
    }

    @Test
    void noSbatchDirectiveComesFromAnArgument() {
        String script = SlurmBatch.script(job(List.of("--set", "\n#SBATCH --wrap=evil\n#SBATCH -w other")), "n1",
                List.of("/opt/isobench/isobench"));
        List<String> lines = script.lines().toList();
        assertThat(lines.get(0)).isEqualTo("#!/bin/sh");
        int exec = 0;
        while (!lines.get(exec).startsWith("exec ")) {
            assertThat(lines.get(exec)).doesNotStartWith("#SBATCH");
            exec++;
        }
        // sbatch reads directives only up to the first command: everything after the exec line is an argument
        assertThat(exec).isEqualTo(2);
    }

    @Test
    void sbatchArgvExportsOnlyNamedVariablesAndRoundsTimeUp() {
        FleetJob j = new FleetJob("f1", List.of(), "postgresql://u@h/db", Duration.ofSeconds(61));
        java.nio.file.Path out = java.nio.file.Path.of("/home/u/.local/share/isobench/fleet");
        List<String> argv = SlurmBatch.sbatchArgv(j, "n7", Map.of("PATH", "/usr/bin", "PGPASSWORD", "secret", "AWS_SECRET", "x"), out);
        assertThat(argv).containsExactly("sbatch", "--parsable", "--exclusive", "--nodes=1", "--nodelist=n7",
                "--job-name=isobench-f1", "--time=2", "--output=/home/u/.local/share/isobench/fleet/f1/n7.out",
                "--export=PATH,PGPASSWORD");
        assertThat(String.join(" ", argv)).doesNotContain("secret");
        assertThat(SlurmBatch.sbatchArgv(j, "n7", Map.of(), out)).last().isEqualTo("--export=NONE");
        assertThat(SlurmBatch.minutes(Duration.ofSeconds(1))).isEqualTo(1);
        assertThat(SlurmBatch.minutes(Duration.ofMinutes(90))).isEqualTo(90);
    }

    @Test
    void quoting() {
        assertThat(SlurmBatch.quote("plain-word_1.2:/x=y,z@h%j+")).isEqualTo("plain-word_1.2:/x=y,z@h%j+");
        assertThat(SlurmBatch.quote("")).isEqualTo("''");
        assertThat(SlurmBatch.quote("it's")).isEqualTo("'it'\\''s'");
        assertThatThrownBy(() -> SlurmBatch.quote("a\0b")).isInstanceOf(IllegalArgumentException.class);
    }
}
