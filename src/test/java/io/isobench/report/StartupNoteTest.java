package io.isobench.report;

import io.isobench.store.StoredRun;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A run with startup results says what preceded each launch: the cooldown (idle) or nothing (back-to-back). */
class StartupNoteTest {
    private static StoredRun withStartup(StoredRun base, String cooldown) {
        return withStartup(base, cooldown, "");
    }

    /** runs: "" (one launch per iteration) or e.g. ",\"runs\":\"20\"" added to the case's params */
    private static StoredRun withStartup(StoredRun base, String cooldown, String runs) {
        List<StoredRun.SampleRow> s = new ArrayList<>(base.samples());
        for (String rt : List.of("native", "runsc")) {
            for (int rep = 1; rep <= 5; rep++) {
                s.add(new StoredRun.SampleRow("startup", "{\"delay_ms\":0,\"instances\":1,\"readiness\":\"exit\"" + runs + "}", rt, rep,
                        false, "ready_ms", "ms", false, rt.equals("native") ? 0.6 + rep / 100.0 : 90 + rep));
            }
        }
        StoredRun.Header h = base.header();
        Map<String, Object> plan = new HashMap<>(h.plan());
        plan.put("cooldown", cooldown);
        StoredRun.Header h2 = new StoredRun.Header(h.id(), h.startedAt(), h.finishedAt(), h.status(), h.version(), h.host(),
                plan, h.tools(), h.harnessCpuSeconds(), h.harnessPeakRssBytes());
        return new StoredRun(h2, base.runtimes(), s, base.failures(), base.stops());
    }

    @Test
    void theCooldownBeforeEachLaunchIsNotedOnlyWhenStartupRan() {
        StoredRun base = ReportFixtures.run();
        assertThat(ReportRun.of(base).fairnessNotes()).noneMatch(n -> n.startsWith("startup:"));

        assertThat(ReportRun.of(withStartup(base, "5s")).fairnessNotes()).filteredOn(n -> n.startsWith("startup:"))
                .singleElement().satisfies(n -> assertThat(n).contains("followed the run's cooldown of 5s with the host idle")
                        .contains("startup.runs gives hyperfine's back-to-back regime").doesNotContain("cases with runs="));
        assertThat(ReportRun.of(withStartup(base, "0s")).fairnessNotes()).filteredOn(n -> n.startsWith("startup:"))
                .singleElement().satisfies(n -> assertThat(n).contains("cooldown 0s").contains("not the same as")
                        .doesNotContain("idle"));
    }

    @Test
    void casesWithRunsSayTheirLaunchesWereBackToBack() {
        assertThat(ReportRun.of(withStartup(ReportFixtures.run(), "5s", ",\"runs\":\"20\"")).fairnessNotes())
                .filteredOn(n -> n.startsWith("startup:")).singleElement()
                .satisfies(n -> assertThat(n).contains("cases with runs=20 launched that many times back-to-back")
                        .contains("after an unsampled warm-up launch that followed the cooldown of 5s")
                        .doesNotContain("every iteration's launch followed"));
    }

    @Test
    void theTerminalSummaryCarriesTheSameNote() {
        StoredRun run = withStartup(ReportFixtures.run(), "100ms");
        ReportRun r = ReportRun.of(run);
        StringWriter w = new StringWriter();
        TextSummary.print(new PrintWriter(w), run, r.stats(), r.baseline());
        assertThat(w.toString()).contains("startup: every iteration's launch followed the run's cooldown of 100ms");
    }
}
