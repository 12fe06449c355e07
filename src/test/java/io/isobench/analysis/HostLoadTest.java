package io.isobench.analysis;

import io.isobench.store.StoredRun;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class HostLoadTest {
    static final StoredRun.RuntimeRow RUNC = new StoredRun.RuntimeRow("runc", "container", true, "1.1", null, Map.of());

    static StoredRun run(double loadavgStart, List<StoredRun.TrialLoad> loads, StoredRun.RuntimeRow... runtimes) {
        Map<String, Object> host = new HashMap<>(ComparisonTest.HOST); // 2 CPUs
        host.put("loadavg_start", loadavgStart);
        return new StoredRun(new StoredRun.Header("x", "t", "t", "completed", "v", host, Map.of(), Map.of(), null, null),
                List.of(runtimes), List.of(), List.of(), List.of(), List.of(), loads);
    }

    /** Trials of two cases: cpu {} with {@code cpu} other tasks before each, startup instances=4 with {@code startup}. */
    static List<StoredRun.TrialLoad> loads(double cpu, double startup) {
        List<StoredRun.TrialLoad> l = new ArrayList<>();
        l.add(new StoredRun.TrialLoad("cpu", "{}", "runc", 1, true, 9)); // a warmup: not counted
        for (int rep = 1; rep <= 5; rep++) {
            l.add(new StoredRun.TrialLoad("cpu", "{}", "runc", rep, false, cpu));
            l.add(new StoredRun.TrialLoad("startup", "{\"instances\":\"4\"}", "runc", rep, false, startup));
        }
        return l;
    }

    @Test
    void theLimitScalesWithTheCpusFromHalfATask() {
        assertThat(HostLoad.limit(1)).isEqualTo(0.5);
        assertThat(HostLoad.limit(2)).isEqualTo(0.5);
        assertThat(HostLoad.limit(64)).isEqualTo(16);
    }

    @Test
    void aQuietRunIsQuietWhateverItsStartingLoadAverage() {
        // isobench's own earlier runs leave a high 1-minute load average at the next run's start: no longer a warning
        StoredRun r = run(6.55, loads(0.2, 0.0), RUNC);
        assertThat(HostLoad.load(r)).satisfies(l -> {
            assertThat(l.trials()).isEqualTo(10);
            assertThat(l.mean()).isEqualTo(0.1, org.assertj.core.api.Assertions.within(1e-9));
            assertThat(l.busy()).isFalse();
        });
        assertThat(HostLoad.busyWarning(r)).isNull();
        assertThat(HostLoad.load(r).busyCases()).isEmpty();
    }

    @Test
    void aCaseMeasuredWhileOthersRanIsBusy() {
        StoredRun r = run(0.1, loads(0.0, 4.2), RUNC);
        assertThat(HostLoad.load(r).busyCases()).containsOnlyKeys(List.of("startup", "{\"instances\":\"4\"}"));
        assertThat(HostLoad.busyWarning(r)).contains("busy during the run", "2.10 runnable tasks on average before its 10 "
                + "measured trials, at most 4.2, on 2 CPUs", "busy while measuring 1 case: startup instances=4 (4.20)")
                .doesNotContain("cost factors");
    }

    @Test
    void theWarningSaysWhetherTheBaselineSharedTheCpusAlike() {
        java.util.function.Function<Map<String, Object>, String> with = d -> HostLoad.busyWarning(run(0.1, loads(3, 3),
                new StoredRun.RuntimeRow("native", "native", true, "k", null, d), RUNC));
        assertThat(with.apply(Map.of("cgroup", "own, unlimited: /isobench/isobench-PID-N (cpu; memory)")))
                .contains("alike").doesNotContain("too low");
        // the baseline in isobench's cgroup competed task by task: the sandboxes look cheaper than they are
        assertThat(with.apply(Map.of("confinement", "none"))).as("a run from before the own cgroup").contains("too low");
        assertThat(with.apply(Map.of("cgroup", "isobench's own (cannot create the cgroup ...)"))).contains("too low");
    }

    @Test
    void aRunWithoutPerTrialFiguresFallsBackToItsStartingLoadAverage() {
        assertThat(HostLoad.busyWarning(run(0.1, List.of(), RUNC))).isNull();
        assertThat(HostLoad.load(run(3.0, List.of(), RUNC))).isNull();
        assertThat(HostLoad.busyWarning(run(3.0, List.of(), RUNC))).contains("may have been busy when the run started",
                "load average 3.00 on 2 CPUs", "does not record");
        Map<String, Object> noLoad = new HashMap<>(ComparisonTest.HOST);
        noLoad.remove("loadavg_start");
        assertThat(HostLoad.atStart(noLoad)).isNull();
    }
}
