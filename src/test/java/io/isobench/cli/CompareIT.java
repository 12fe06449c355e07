package io.isobench.cli;

import io.isobench.IntegrationSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** compare as a CI gate on real runs: a runtime slowed down on purpose (a 0.1-CPU quota) must be a regression. */
class CompareIT {
    @TempDir
    Path dir;

    private static int cli(StringWriter out, String... args) {
        return Main.execute(args, new PrintWriter(out, true), new PrintWriter(new StringWriter(), true));
    }

    @Test
    void deliberatelySlowedRuntimeIsARegression() throws Exception {
        assumeTrue(IntegrationSupport.isRoot(), "integration tests need root");
        String db = dir.resolve("c.db").toString();
        // two runs in one go (--runs 2) at full CPU, then one with runc held to 0.1 CPU; native (the baseline) is
        // never limited, so runc's cost factor against it rises about tenfold
        for (String cpus : List.of("2", "0.1")) {
            StringWriter run = new StringWriter();
            int rc = cli(run, "run", "--db", db, "--runtimes", "native,runc", "--benchmarks", "cpu", "--repetitions", "7",
                    "--warmups", "0", "--cooldown", "0s", "--set", "cpu.time=1s", "--cpus", cpus, "--quiet",
                    "--runs", cpus.equals("2") ? "2" : "1");
            assertThat(rc).as(run.toString()).isZero();
        }
        List<String> ids = new ArrayList<>();
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + db);
             var rs = c.createStatement().executeQuery("SELECT id FROM runs ORDER BY started_at")) {
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
        }
        assertThat(ids).as("--runs 2 stores two runs").hasSize(3);
        StringWriter out = new StringWriter();
        int rc = cli(out, "compare", ids.get(1), ids.get(2), "--db", db);
        assertThat(out.toString()).contains("WARNING: different plans: limits").contains("NOTE: one run per side")
                .contains("Benjamini-Hochberg");
        assertFound(rc, out.toString());
        assertThat(out.toString()).containsPattern("events_per_second\\s+native\\s+host drift ");

        // two runs against one: the A side's runs are pooled per run; still a regression, and no crash on "--"
        StringWriter two = new StringWriter();
        assertFound(cli(two, "compare", "--db", db, ids.get(0), ids.get(1), "--", ids.get(2)), two.toString());
        assertThat(two.toString()).contains("one run on one side");

        // the reverse direction is an improvement, never a regression
        StringWriter back = new StringWriter();
        assertThat(cli(back, "compare", ids.get(2), ids.get(1), "--db", db)).as(back.toString()).isZero();
        assertThat(back.toString()).contains("verdict: no regression");
    }

    /**
     * runc's slowdown was found: a regression (exit 1), or, when other work kept this host busy while a run measured it
     * (measured before each trial, and said), withheld as inconclusive (exit 3), the verdict a busy host deserves.
     */
    private static void assertFound(int rc, String out) {
        if (rc == 3) {
            assertThat(out).contains("verdict: INCONCLUSIVE", "the host was busy during the run")
                    .containsPattern("events_per_second\\s+runc\\s+cost .* differs  REGRESSION\\? \\(busy host\\)");
        } else {
            assertThat(rc).as(out).isEqualTo(1);
            assertThat(out).contains("verdict: REGRESSION")
                    .containsPattern("events_per_second\\s+runc\\s+cost .* differs  REGRESSION");
        }
    }
}
