package io.isobench.cli;

import io.isobench.bench.Metric;
import io.isobench.bench.Sample;
import io.isobench.store.Store;
import io.isobench.store.TrialRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class CompareCommandTest {
    @TempDir
    Path dir;

    private static void run(Store s, String id, String hostname, double nat, double runc) {
        run(s, id, hostname, nat, runc, null);
    }

    /** Five interleaved rounds of native and runc; {@code others}: the other work measured before each trial. */
    private static void run(Store s, String id, String hostname, double nat, double runc, Double others) {
        Metric m = new Metric("events_per_second", "events/s", true);
        s.createRun(id, Instant.parse("2026-01-01T00:00:00Z"), "t", Map.of("hostname", hostname, "kernel", "6.1",
                "cpus", 2), Map.of(), Map.of());
        for (int i = 1; i <= 5; i++) {
            s.recordTrial(new TrialRecord(id, "cpu", Map.of(), "native", i, false, Instant.now(), 1,
                    List.of(new Sample(m, nat + i)), null, "raw", others));
            s.recordTrial(new TrialRecord(id, "cpu", Map.of(), "runc", i, false, Instant.now(), 1,
                    List.of(new Sample(m, runc + i)), null, "raw", others));
        }
        s.finishRun(id, "completed", 0, 0);
    }

    private int compare(Path db, StringWriter out, String... args) {
        List<String> argv = new java.util.ArrayList<>(List.of("compare", "--db", db.toString()));
        argv.addAll(List.of(args));
        return Main.execute(argv.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(new StringWriter(), true));
    }

    @Test
    void aRegressionMeasuredOnABusyHostExitsThreeAndSaysWhy() {
        Path db = dir.resolve("busy.db");
        try (Store s = Store.open(db)) {
            run(s, "quiet", "h", 1000, 950, 0.0);
            run(s, "slow-quiet", "h", 1000, 750, 0.2); // runc 27 % worse, the host quiet
            run(s, "slow-busy", "h", 1000, 750, 4.0); // the same, with four other tasks runnable before each trial
        }
        StringWriter out = new StringWriter();
        assertThat(compare(db, out, "quiet", "slow-quiet")).as(out.toString()).isEqualTo(1);
        assertThat(out.toString()).contains("verdict: REGRESSION");
        out = new StringWriter();
        assertThat(compare(db, out, "quiet", "slow-busy")).as(out.toString()).isEqualTo(3);
        assertThat(out.toString()).contains("REGRESSION? (busy host)", "verdict: INCONCLUSIVE", "run slow-busy",
                "the host was busy during the run (other work: 4.00 runnable tasks on average").doesNotContain("  REGRESSION\n");
        out = new StringWriter();
        assertThat(compare(db, out, "--json", "quiet", "slow-busy")).isEqualTo(3);
        Map<String, Object> json = io.isobench.util.Json.readMap(out.toString());
        assertThat(json).containsEntry("regression", false).containsEntry("inconclusive", true);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> changes = (List<Map<String, Object>>) json.get("changes");
        assertThat(changes).anySatisfy(c -> assertThat(c).containsEntry("runtime", "runc").containsEntry("withheld", true)
                .containsEntry("regression", false).containsEntry("busy_runs", List.of("slow-busy")));
        // improvements on a busy host are nothing to withhold
        out = new StringWriter();
        assertThat(compare(db, out, "slow-busy", "quiet")).as(out.toString()).isZero();
    }

    private static long count(String text, String what) {
        return text.lines().filter(l -> l.contains(what)).count();
    }

    @Test
    void acrossHostsEachDifferentHostFactIsWarnedOnce() {
        Path db = dir.resolve("c.db");
        try (Store s = Store.open(db)) {
            run(s, "a1", "alpha", 1000, 900);
            run(s, "a2", "alpha", 1001, 901);
            run(s, "b1", "beta", 2000, 1800);
            run(s, "b2", "beta", 2001, 1801);
        }
        for (List<String> args : List.of(List.of("a1", "b1"), List.of("a1", "a2", "--", "b1", "b2"))) {
            for (boolean json : List.of(false, true)) {
                StringWriter out = new StringWriter();
                StringWriter err = new StringWriter();
                List<String> argv = new java.util.ArrayList<>(List.of("compare", "--db", db.toString()));
                if (json) {
                    argv.add("--json");
                }
                argv.addAll(args);
                int rc = Main.execute(argv.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
                assertThat(rc).as("%s json=%s: %s", args, json, err).isIn(0, 1);
                String all = out + "\n" + err;
                String fact = "different hosts: hostname is 'alpha' in A and 'beta' in B";
                assertThat(out.toString()).contains(json ? "across_hosts" : "ACROSS HOSTS");
                if (json) { // once in the document, once for the human on stderr
                    assertThat(count(out.toString(), fact)).as("%s json:%n%s", args, all).isEqualTo(1);
                    assertThat(count(err.toString(), fact)).as("%s json:%n%s", args, all).isEqualTo(1);
                } else {
                    assertThat(count(all, fact)).as("%s text:%n%s", args, all).isEqualTo(1);
                }
                assertThat(count(all, "kernel")).as("same kernel everywhere").isZero();
            }
        }
    }
}
