package io.isobench.analysis;

import io.isobench.store.StoredRun;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class SummaryTest {
    private static StoredRun.SampleRow s(String rt, boolean warmup, String metric, boolean higher, double v) {
        return new StoredRun.SampleRow("cpu", "{\"max_prime\":\"20000\"}", rt, 1, warmup, metric, "u", higher, v);
    }

    private static StoredRun run(List<StoredRun.SampleRow> samples) {
        var h = new StoredRun.Header("r", "t0", "t1", "completed", "v", Map.of(), Map.of(), Map.of(), null, null);
        List<StoredRun.RuntimeRow> rts = List.of(
                new StoredRun.RuntimeRow("native", "native", true, "k", null, Map.of()),
                new StoredRun.RuntimeRow("runsc", "sandbox", true, "x", null, Map.of()));
        return new StoredRun(h, rts, samples, List.of(), List.of());
    }

    @Test
    void costIsOrientedSoAboveOneIsAlwaysWorse() {
        // throughput: higher is better; runsc half as fast => costs 2x
        assertThat(Summary.costFactor(50, 100.0, true)).isEqualTo(2.0);
        // latency: lower is better; runsc twice the latency => costs 2x
        assertThat(Summary.costFactor(2, 1.0, false)).isEqualTo(2.0);
        assertThat(Summary.costFactor(2, null, false)).isNull();
        assertThat(Summary.costFactor(0, 1.0, true)).isNull();
        // a MemAvailable drop that noise made negative in the baseline: no cost factor (was -415x "better")
        assertThat(Summary.costFactor(7.631, -0.018, false)).isNull();
        assertThat(Summary.costFactor(-1, 2.0, false)).isNull();
    }

    @Test
    void warmupsNeverEnterStatistics() {
        List<StoredRun.SampleRow> l = new ArrayList<>();
        l.add(s("native", true, "eps", true, 1));        // warmup outlier
        l.add(s("native", false, "eps", true, 100));
        l.add(s("native", false, "eps", true, 102));
        l.add(s("native", false, "eps", true, 98));
        l.add(s("runsc", true, "eps", true, 1000));      // warmup outlier
        l.add(s("runsc", false, "eps", true, 50));
        l.add(s("runsc", false, "eps", true, 52));
        l.add(s("runsc", false, "eps", true, 48));
        List<ResultStats> st = Summary.of(run(l), "native");
        assertThat(st).hasSize(2);
        ResultStats nat = st.get(0);
        assertThat(nat.runtime()).isEqualTo("native");
        assertThat(nat.n()).isEqualTo(3);
        assertThat(nat.median()).isEqualTo(100);
        assertThat(nat.min()).isEqualTo(98);
        assertThat(nat.max()).isEqualTo(102);
        assertThat(nat.stddev()).isCloseTo(2.0, within(1e-9));
        assertThat(nat.ratioToBaseline()).isEqualTo(1.0);
        ResultStats sc = st.get(1);
        assertThat(sc.median()).isEqualTo(50);
        assertThat(sc.ratioToBaseline()).isEqualTo(2.0);
        assertThat(sc.params()).containsEntry("max_prime", "20000");
    }

    @Test
    void noBaselineMeansNoRatio() {
        List<ResultStats> st = Summary.of(run(List.of(s("runsc", false, "lat", false, 3))), "native");
        assertThat(st).singleElement().satisfies(r -> assertThat(r.ratioToBaseline()).isNull());
    }

    @Test
    void p95InterpolatesBetweenOrderStatistics() {
        List<StoredRun.SampleRow> l = new ArrayList<>();
        for (int v = 1; v <= 21; v++) {
            l.add(s("native", false, "ready_ms", false, 22 - v)); // unsorted on purpose
        }
        ResultStats r = Summary.of(run(l), "native").get(0);
        assertThat(r.p95()).isEqualTo(20.0);      // 0.95 x 20 = position 19 of 0..20
        assertThat(r.median()).isEqualTo(11.0);
        assertThat(Statistics.percentile(new double[]{10, 0}, 0.95)).isEqualTo(9.5);
    }

    @Test
    void verdictsAreJudgedOnPValuesAdjustedOverTheRun() {
        // 5 vs 5 clearly apart: raw p = 2/252; one such result differs, and with its level and interval said
        List<StoredRun.SampleRow> l = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            l.add(s("native", false, "eps", true, 100 + i));
            l.add(s("runsc", false, "eps", true, 50 + i));
        }
        ResultStats sc = Summary.of(run(l), "native").get(1);
        assertThat(sc.pValue()).isCloseTo(2.0 / 252, within(1e-9));
        assertThat(sc.pAdjusted()).isCloseTo(2.0 / 252, within(1e-9));
        assertThat(sc.verdict()).isEqualTo(Statistics.DIFFERS);
        assertThat(sc.ci95Level()).isCloseTo(0.9375, within(1e-12));
        assertThat(sc.ci95Low()).isEqualTo(50);
        assertThat(sc.ci95High()).isEqualTo(54);
        assertThat(sc.ratioCiLevel()).isCloseTo(0.9375 * 0.9375, within(1e-12));
        // the same p among 7 results with no difference: adjusted 7 x 2/252 = 0.056, no longer significant
        for (int m = 0; m < 6; m++) {
            for (int i = 0; i < 5; i++) {
                l.add(s("native", false, "x" + m, true, 100 + i));
                l.add(s("runsc", false, "x" + m, true, 100 + i));
            }
        }
        ResultStats again = Summary.of(run(l), "native").stream().filter(r -> r.runtime().equals("runsc")
                && r.metric().equals("eps")).findFirst().orElseThrow();
        assertThat(again.pAdjusted()).isCloseTo(7 * 2.0 / 252, within(1e-9));
        assertThat(again.verdict()).isEqualTo(Statistics.WITHIN_NOISE);
    }
}
