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
        Metric m = new Metric("events_per_second", "events/s", true);
        s.createRun(id, Instant.parse("2026-01-01T00:00:00Z"), "t", Map.of("hostname", hostname, "kernel", "6.1"), Map.of(), Map.of());
        for (int i = 1; i <= 5; i++) {
            s.recordTrial(new TrialRecord(id, "cpu", Map.of(), "native", i, false, Instant.now(), 1,
                    List.of(new Sample(m, nat + i)), null, "raw"));
            s.recordTrial(new TrialRecord(id, "cpu", Map.of(), "runc", i, false, Instant.now(), 1,
                    List.of(new Sample(m, runc + i)), null, "raw"));
        }
        s.finishRun(id, "completed", 0, 0);
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
