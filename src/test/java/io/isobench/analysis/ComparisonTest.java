package io.isobench.analysis;

import io.isobench.store.StoredRun;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ComparisonTest {
    static final Map<String, Object> HOST = Map.of("cpu_model", "X", "cpus", 2, "memory_bytes", 1L, "kernel", "6.1",
            "cgroup", "v2", "hostname", "h", "loadavg_start", 0.1);

    static StoredRun run(String id, Map<String, Object> host, Map<String, Object> plan, double... eventsPerSecond) {
        List<StoredRun.SampleRow> s = new ArrayList<>();
        s.add(new StoredRun.SampleRow("cpu", "{}", "runc", 1, true, "events_per_second", "events/s", true, 1));
        for (double v : eventsPerSecond) {
            s.add(new StoredRun.SampleRow("cpu", "{}", "runc", 1, false, "events_per_second", "events/s", true, v));
        }
        return new StoredRun(new StoredRun.Header(id, "t", "t", "completed", "v", host, plan, Map.of(), null, null),
                List.of(new StoredRun.RuntimeRow("runc", "container", true, "1.1", null, Map.of("seccomp", "none"))),
                s, List.of(), List.of());
    }

    @Test
    void sameDistributionIsNoRegression() {
        StoredRun a = run("a", HOST, Map.of("repetitions", 7), 1800, 1805, 1797, 1802, 1799, 1803, 1801);
        StoredRun b = run("b", HOST, Map.of("repetitions", 7), 1801, 1798, 1804, 1800, 1802, 1796, 1803);
        List<Comparison.Change> c = Comparison.compare(a, b, 0.05);
        assertThat(c).singleElement().satisfies(x -> {
            assertThat(x.regression()).isFalse();
            assertThat(x.verdict()).isEqualTo("within noise");
            assertThat(x.nA()).isEqualTo(7); // warmup excluded
        });
        assertThat(Comparison.warnings(a, b)).isEmpty();
    }

    @Test
    void slowerRuntimeIsARegressionOnlyBeyondTheThreshold() {
        StoredRun a = run("a", HOST, Map.of(), 1800, 1805, 1797, 1802, 1799, 1803, 1801);
        StoredRun b = run("b", HOST, Map.of(), 1500, 1502, 1497, 1505, 1499, 1501, 1503);
        Comparison.Change c = Comparison.compare(a, b, 0.05).get(0);
        assertThat(c.verdict()).isEqualTo("differs");
        assertThat(c.change()).isGreaterThan(1.19).isLessThan(1.21);
        assertThat(c.ciLow()).isGreaterThan(1.0);
        assertThat(c.regression()).isTrue();
        assertThat(Comparison.compare(a, b, 0.25).get(0).regression()).as("20% worse is within a 25% threshold").isFalse();
        assertThat(Comparison.compare(b, a, 0.05).get(0).regression()).as("faster is not a regression").isFalse();
    }

    @Test
    void differentHostsPlansAndBusyHostsAreWarned() {
        Map<String, Object> other = new java.util.HashMap<>(HOST);
        other.put("kernel", "6.2");
        other.put("loadavg_start", 3.5);
        StoredRun a = run("a", HOST, Map.of("cooldown", "5s"), 1, 2, 3);
        StoredRun b = run("b", other, Map.of("cooldown", "1s", "runtimes", List.of("x")), 1, 2, 3);
        assertThat(Comparison.warnings(a, b)).anyMatch(w -> w.contains("kernel"))
                .anyMatch(w -> w.contains("cooldown")).anyMatch(w -> w.contains("busy"))
                .noneMatch(w -> w.contains("runtimes"));
    }

    @Test
    void busyHostWarning() {
        assertThat(HostLoad.busyWarning(HOST)).isNull();
        assertThat(HostLoad.busyWarning(Map.of("cpus", 2, "loadavg_start", 1.5))).contains("busy");
        assertThat(HostLoad.busyWarning(Map.of("cpus", 2))).isNull();
    }
}
