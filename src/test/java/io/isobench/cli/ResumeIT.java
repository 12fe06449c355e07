package io.isobench.cli;

import io.isobench.IntegrationSupport;
import io.isobench.bench.registry.Benchmarks;
import io.isobench.bench.Params;
import io.isobench.plan.Plan;
import io.isobench.plan.PlanLoader;
import io.isobench.util.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code isobench run --resume}: a real run of the shipped jar is killed with SIGKILL between its trials (no
 * cleanup at all, status left 'running'); resuming it runs exactly the planned trials it lacks under the same id:
 * every planned trial and sample is there exactly once, the database is intact, the run ends completed and says
 * it was resumed. A completed run, an unknown id and a run of another host are refused with one line, exit 2.
 */
class ResumeIT {
    @TempDir
    Path dir;

    @Test
    void aKilledRunIsFinishedByResume() throws Exception {
        assumeTrue(IntegrationSupport.isRoot(), "integration tests need root");
        Path jar = Path.of("target/isobench.jar").toAbsolutePath();
        assumeTrue(Files.exists(jar), "needs the packaged jar (mvn verify)");
        Path db = dir.resolve("r.db");
        Process p = isobench(jar, db, "run", "--runtimes", "native", "--benchmarks", "cpu", "--repetitions", "6",
                "--warmups", "1", "--cooldown", "0s", "--set", "cpu.time=1s", "--set", "cpu.max_prime=5000", "--quiet")
                .redirectOutput(dir.resolve("first.log").toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (count(db, "SELECT count(*) FROM trials") < 2) {
                assertThat(System.nanoTime()).as("two trials within 120 s: " + log("first.log")).isLessThan(deadline);
                Thread.sleep(100);
            }
            p.destroyForcibly(); // SIGKILL: the shutdown hook never runs
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            p.destroyForcibly();
        }
        String runId;
        int before;
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
             ResultSet rs = c.createStatement().executeQuery("SELECT id, status, (SELECT count(*) FROM trials) FROM runs")) {
            assertThat(rs.next()).isTrue();
            runId = rs.getString(1);
            assertThat(rs.getString(2)).isEqualTo("running");
            before = rs.getInt(3);
        }
        assertThat(before).as("the kill came before the end of the run").isBetween(2, 6);

        Process r = isobench(jar, db, "run", "--resume", runId).redirectOutput(dir.resolve("resume.log").toFile()).start();
        assertThat(r.waitFor(180, TimeUnit.SECONDS)).as(log("resume.log")).isTrue();
        assertThat(r.exitValue()).as(log("resume.log")).isZero();
        String out = log("resume.log");
        assertThat(out).contains("marked abandoned").contains("resuming run " + runId + " (abandoned)")
                .contains("This run was resumed (isobench run --resume) at ");

        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
            assertThat(query(c, "PRAGMA integrity_check")).containsExactly("ok");
            assertThat(query(c, "SELECT id || ' ' || status FROM runs")).containsExactly(runId + " completed");
            assertThat(query(c, "SELECT previous_status || ' ' || trials_missing FROM run_resumptions"))
                    .containsExactly("abandoned " + (7 - before));
            Plan plan = PlanLoader.stored(Json.readMap(query(c, "SELECT plan_json FROM runs").get(0)));
            Set<String> planned = new HashSet<>();
            for (Params cs : Benchmarks.byId("cpu").orElseThrow().cases(plan.params().get("cpu"))) {
                for (int rep = 1; rep <= 6; rep++) {
                    planned.add("cpu " + Json.write(cs.values()) + " native " + rep + " 0");
                }
                planned.add("cpu " + Json.write(cs.values()) + " native 1 1");
            }
            List<String> trials = query(c, "SELECT benchmark || ' ' || params_json || ' ' || runtime || ' ' || repetition "
                    + "|| ' ' || warmup FROM trials WHERE status='ok'");
            assertThat(trials).as("every planned trial exactly once").doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(planned);
            assertThat(query(c, "SELECT count(*) FROM failures")).containsExactly("0");
            int metrics = Benchmarks.byId("cpu").orElseThrow().metrics().size();
            assertThat(query(c, "SELECT count(*) FROM samples")).containsExactly(Integer.toString(planned.size() * metrics));
            assertThat(query(c, "SELECT trial_id || metric FROM samples")).doesNotHaveDuplicates();
            assertThat(query(c, "SELECT count(*) FROM case_stops")).containsExactly(Integer.toString(planned.size() / 7));
        }

        // a completed run, an unknown id, a run of another host: one line, exit 2
        assertRefused(jar, db, runId, "is completed");
        assertRefused(jar, db, "19990101-000000-dead", "no run '19990101-000000-dead'");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
            c.createStatement().executeUpdate("UPDATE runs SET status='interrupted', harness_host='elsewhere.example'");
        }
        assertRefused(jar, db, runId, "ran on host 'elsewhere.example'");
        IntegrationSupport.assertNothingLeft("isobench-" + runId);
    }

    private void assertRefused(Path jar, Path db, String id, String why) throws Exception {
        Path f = dir.resolve("refused.log");
        Process r = isobench(jar, db, "run", "--resume", id).redirectOutput(f.toFile()).start();
        assertThat(r.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String out = Files.readString(f, StandardCharsets.UTF_8);
        assertThat(r.exitValue()).as(out).isEqualTo(2);
        List<String> errors = out.lines().filter(l -> l.startsWith("isobench: error") || l.startsWith("error")
                || l.contains(why)).toList();
        assertThat(errors).as(out).hasSize(1);
        assertThat(errors.get(0)).contains(why);
        assertThat(out).doesNotContain("Exception").doesNotContain("\tat ");
    }

    private ProcessBuilder isobench(Path jar, Path db, String... args) {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED", "-jar", jar.toString()));
        cmd.add(args[0]);
        cmd.addAll(List.of("--db", db.toString()));
        cmd.addAll(List.of(args).subList(1, args.length));
        return new ProcessBuilder(cmd).redirectErrorStream(true);
    }

    private String log(String name) {
        try {
            return Files.readString(dir.resolve(name), StandardCharsets.UTF_8);
        } catch (Exception e) {
            return "";
        }
    }

    private static List<String> query(Connection c, String sql) throws Exception {
        List<String> l = new ArrayList<>();
        try (ResultSet rs = c.createStatement().executeQuery(sql)) {
            while (rs.next()) {
                l.add(rs.getString(1));
            }
        }
        return l;
    }

    private static int count(Path db, String sql) {
        if (!Files.exists(db)) {
            return 0;
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); ResultSet rs = c.createStatement().executeQuery(sql)) {
            return rs.next() ? rs.getInt(1) : 0;
        } catch (Exception e) {
            return 0;
        }
    }
}
