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

class ExportCommandTest {
    @TempDir
    Path dir;

    @Test
    void oneFlatRowPerSampleWithParametersAndSeriesAsColumnsOverSeveralRuns() {
        Path db = dir.resolve("e.db");
        Metric m = new Metric("events_per_second", "events/s", true);
        try (Store s = Store.open(db)) {
            s.createRun("a", Instant.parse("2026-01-01T00:00:00Z"), "t", Map.of("hostname", "alpha"), Map.of(), Map.of());
            s.recordTrial(new TrialRecord("a", "cpu", new java.util.TreeMap<>(Map.of("max_prime", "20000", "threads", "1")), "native", 1, true, Instant.now(), 1,
                    List.of(new Sample(m, 1.5)), null, "raw"));
            s.createRun("b", Instant.parse("2026-01-02T00:00:00Z"), "t", Map.of("hostname", "beta,2"), Map.of(), Map.of());
            s.recordTrial(new TrialRecord("b", "load-profile", Map.of("rate", "100"), "runc", 2, false, Instant.now(), 1,
                    List.of(new Sample(m, 2.0, Map.of("t_s", "0.100", "phase", "idle"))), null, "raw"));
        }
        StringWriter out = new StringWriter();
        int rc = Main.execute(new String[]{"export", "a", "b", "--db", db.toString()}, new PrintWriter(out, true), new PrintWriter(new StringWriter(), true));
        assertThat(rc).isZero();
        assertThat(out.toString().lines().toList()).containsExactly(
                "run_id,host,benchmark,runtime,repetition,warmup,metric,unit,higher_is_better,value,param_max_prime,param_threads,param_rate,series_phase,series_t_s",
                "a,alpha,cpu,native,1,true,events_per_second,events/s,true,1.5,20000,1,,,",
                "b,\"beta,2\",load-profile,runc,2,false,events_per_second,events/s,true,2.0,,,100,idle,0.100");
    }
}
