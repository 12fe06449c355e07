package io.isobench.measure;

import io.isobench.TestFixtures;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class ProcessUsageTest {
    @Test
    void parsesRealSchedstatAndStatus() {
        assertThat(ProcessUsage.parseSchedstat(TestFixtures.read("proc/schedstat-sleep.txt"))).isEqualTo(288030L);
        assertThat(ProcessUsage.parseStatusRss(TestFixtures.read("proc/status-sleep.txt"))).isEqualTo(1960L * 1024);
        assertThat(ProcessUsage.parseStatusRss("Name:\tkthreadd\nState:\tS (sleeping)\n")).isZero(); // kernel threads have no VmRSS
    }

    @Test
    void percentIsRunTimeOverWallTime() {
        assertThat(ProcessUsage.percent(50_000_000L, 100_000_000L)).isCloseTo(50.0, within(1e-9));
        assertThat(ProcessUsage.percent(200_000_000L, 100_000_000L)).isCloseTo(200.0, within(1e-9)); // two cores busy
        assertThat(ProcessUsage.percent(1, 0)).isZero();
    }

    /** This JVM burns CPU between two readings: the interval shows it, the first reading is only the baseline. */
    @Test
    void samplerSeesItsOwnProcessWork() {
        long self = ProcessHandle.current().pid();
        ProcessUsage.Sampler s = new ProcessUsage.Sampler();
        assertThat(s.sample(List.of(self))).isNull();
        long end = System.nanoTime() + 50_000_000L;
        double x = 0;
        while (System.nanoTime() < end) {
            x += Math.sqrt(x + 1);
        }
        ProcessUsage.Point p = s.sample(List.of(self, 999_999_999L));
        assertThat(x).isPositive();
        assertThat(p.processes()).isEqualTo(1); // the pid that does not exist is left out
        assertThat(p.cpuPercent()).isPositive();
        assertThat(p.rssBytes()).isGreaterThan(1L << 20);
        assertThat(ProcessUsage.read(999_999_999L)).isNull();
    }
}
