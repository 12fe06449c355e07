package io.isobench.analysis;

import io.isobench.store.StoredRun;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

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

    /** A run with native and runc interleaved: round i has native[i] and runc[i] (events/s, higher is better). */
    static StoredRun pair(String id, double[] nat, double[] runc) {
        List<StoredRun.SampleRow> s = new ArrayList<>();
        for (int i = 0; i < nat.length; i++) {
            s.add(new StoredRun.SampleRow("cpu", "{}", "native", i + 1, false, "events_per_second", "events/s", true, nat[i]));
            s.add(new StoredRun.SampleRow("cpu", "{}", "runc", i + 1, false, "events_per_second", "events/s", true, runc[i]));
        }
        return new StoredRun(new StoredRun.Header(id, "t", "t", "completed", "v", HOST, Map.of("baseline", "native"), Map.of(), null, null),
                List.of(new StoredRun.RuntimeRow("native", "native", true, "k", null, Map.of()),
                        new StoredRun.RuntimeRow("runc", "container", true, "1.1", null, Map.of())), s, List.of(), List.of());
    }

    static final double[] NAT = {1800, 1805, 1797, 1802, 1799, 1803, 1801};
    static final double[] RUNC = {1710, 1716, 1705, 1713, 1709, 1711, 1712}; // costs about 1.053x

    static double[] scaled(double[] v, double f) {
        return java.util.Arrays.stream(v).map(x -> x * f).toArray();
    }

    @Test
    void hostDriftCancelsInTheCostFactorAndIsShownAsDrift() {
        // B's host is 10 % slower: native and runc move alike; raw samples would call runc a 10 % regression
        StoredRun a = pair("a", NAT, RUNC);
        StoredRun b = pair("b", scaled(NAT, 1 / 1.1), scaled(new double[]{1712, 1709, 1711, 1705, 1716, 1710, 1713}, 1 / 1.1));
        Comparison.Result r = Comparison.compare(List.of(a), List.of(b), 0.05);
        assertThat(r.regression()).isFalse();
        Comparison.Change nat = r.changes().stream().filter(c -> c.runtime().equals("native")).findFirst().orElseThrow();
        assertThat(nat.method()).isEqualTo(Comparison.DRIFT);
        assertThat(nat.change()).isCloseTo(1.1, within(0.01));
        assertThat(nat.verdict()).isEqualTo("differs");
        assertThat(nat.regression()).as("host drift is never a regression").isFalse();
        Comparison.Change runc = r.changes().stream().filter(c -> c.runtime().equals("runc")).findFirst().orElseThrow();
        assertThat(runc.method()).isEqualTo(Comparison.COST);
        assertThat(runc.costA()).isCloseTo(1.053, within(0.005));
        assertThat(runc.change()).isCloseTo(1.0, within(0.01));
        assertThat(runc.regression()).isFalse();
        assertThat(runc.medianB()).as("raw medians stay available").isCloseTo(1711 / 1.1, within(0.01));
        assertThat(r.singleRun()).isTrue();
        assertThat(r.tested()).as("runtime family").isEqualTo(1);
        assertThat(r.testedDrift()).isEqualTo(1);
    }

    @Test
    void aRuntimeThatGotCostlierOnASteadyHostIsARegression() {
        StoredRun a = pair("a", NAT, RUNC);
        StoredRun b = pair("b", NAT, scaled(RUNC, 1 / 1.2));
        Comparison.Change runc = Comparison.compare(List.of(a), List.of(b), 0.05).changes().get(1);
        assertThat(runc.runtime()).isEqualTo("runc");
        assertThat(runc.change()).isCloseTo(1.2, within(0.01));
        assertThat(runc.ciLow()).isGreaterThan(1.0);
        assertThat(runc.pAdjusted()).isLessThan(0.05).isGreaterThanOrEqualTo(runc.pValue());
        assertThat(runc.regression()).isTrue();
        assertThat(runc.replication()).isEqualTo("samples");
        assertThat(runc.unitsA()).as("one cost factor per round").isEqualTo(7);
    }

    @Test
    void severalRunsPerSideAreTestedAtTheRunLevel() {
        // run-to-run variance: each run's cost factor wanders around 1.05 in A and 1.30 in B
        double[] costsA = {1.04, 1.06, 1.05, 1.07, 1.055};
        double[] costsB = {1.29, 1.31, 1.28, 1.32, 1.30};
        List<StoredRun> as = new ArrayList<>();
        List<StoredRun> bs = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            as.add(pair("a" + i, NAT, scaled(NAT, 1 / costsA[i])));
            bs.add(pair("b" + i, NAT, scaled(NAT, 1 / costsB[i])));
        }
        Comparison.Result r = Comparison.compare(as, bs, 0.05);
        Comparison.Change runc = r.changes().get(1);
        assertThat(r.singleRun()).isFalse();
        assertThat(runc.replication()).isEqualTo("runs");
        assertThat(runc.unitsA()).isEqualTo(5);
        assertThat(runc.nA()).as("samples pooled over the runs").isEqualTo(35);
        assertThat(runc.change()).isCloseTo(1.30 / 1.055, within(0.01));
        // 5 against 5 runs: smallest p 2/252, the only runtime result (native's drift is a family of its own)
        assertThat(runc.pAdjusted()).isCloseTo(2.0 / 252, within(1e-9));
        assertThat(runc.regression()).isTrue();
        // three runs per side can never reach p < 0.05: said, not hidden behind "within noise"
        Comparison.Change three = Comparison.compare(as.subList(0, 3), bs.subList(0, 3), 0.05).changes().get(1);
        assertThat(three.verdict()).isEqualTo("too few runs");
        assertThat(three.regression()).isFalse();
        assertThat(three.ciLevel()).as("[min, max] of 3 runs on each side").isLessThan(0.95);
    }

    @Test
    void manyResultsAreCorrectedForTheFalseDiscoveryRate() {
        // twenty results of pure noise: some raw p-values fall under 5 % by chance, the adjusted ones rarely do
        java.util.Random rnd = new java.util.Random(7);
        List<StoredRun.SampleRow> sa = new ArrayList<>();
        List<StoredRun.SampleRow> sb = new ArrayList<>();
        for (int m = 0; m < 20; m++) {
            for (int i = 0; i < 7; i++) {
                sa.add(new StoredRun.SampleRow("cpu", "{}", "runc", i, false, "m" + m, "u", false, 100 + 10 * rnd.nextGaussian()));
                sb.add(new StoredRun.SampleRow("cpu", "{}", "runc", i, false, "m" + m, "u", false, 100 + 10 * rnd.nextGaussian()));
            }
        }
        StoredRun a = new StoredRun(new StoredRun.Header("a", "t", "t", "completed", "v", HOST, Map.of(), Map.of(), null, null),
                List.of(), sa, List.of(), List.of());
        StoredRun b = new StoredRun(new StoredRun.Header("b", "t", "t", "completed", "v", HOST, Map.of(), Map.of(), null, null),
                List.of(), sb, List.of(), List.of());
        Comparison.Result r = Comparison.compare(List.of(a), List.of(b), 0.0);
        assertThat(r.tested()).isEqualTo(20);
        assertThat(r.changes()).allSatisfy(c -> {
            assertThat(c.method()).isEqualTo(Comparison.RAW);
            assertThat(c.pAdjusted()).isGreaterThanOrEqualTo(c.pValue());
        });
        assertThat(r.changes()).noneMatch(c -> c.verdict().equals("differs"));
        assertThat(r.runsForLoneChange()).isEqualTo(6); // 2/924 * 20 < 0.05 <= 2/252 * 20
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
    void severalRunsPerSideAcrossHostsWarnEachDifferentFactOnce() {
        Map<String, Object> other = new java.util.HashMap<>(HOST);
        other.put("hostname", "h2");
        other.put("kernel", "6.2");
        Map<String, Object> third = new java.util.HashMap<>(other);
        third.put("kernel", "6.3");
        List<StoredRun> as = List.of(run("a1", HOST, Map.of("cooldown", "5s"), 1, 2, 3), run("a2", HOST, Map.of("cooldown", "5s"), 1, 2, 3));
        List<StoredRun> bs = List.of(run("b1", other, Map.of("cooldown", "1s"), 1, 2, 3), run("b2", third, Map.of("cooldown", "1s"), 1, 2, 3));
        List<String> w = Comparison.warnings(as, bs);
        assertThat(w).doesNotHaveDuplicates();
        assertThat(w).filteredOn(x -> x.contains("hostname")).containsExactly("different hosts: hostname is 'h' in A and 'h2' in B");
        assertThat(w).filteredOn(x -> x.contains("kernel"))
                .containsExactly("different hosts: kernel is '6.1' in A and '6.2' (b1), '6.3' (b2) in B");
        assertThat(w).filteredOn(x -> x.contains("cooldown")).singleElement().asString().startsWith("a1 vs b1, b2: different plans");
        assertThat(w).noneMatch(x -> x.contains("cpu_model"));
    }

    /** {@link #pair} with the other work measured before each measured trial of both runtimes: {@code others}. */
    static StoredRun loaded(String id, double[] nat, double[] runc, double others) {
        StoredRun p = pair(id, nat, runc);
        List<StoredRun.TrialLoad> loads = new ArrayList<>();
        for (int i = 0; i < nat.length; i++) {
            loads.add(new StoredRun.TrialLoad("cpu", "{}", "native", i + 1, false, others));
            loads.add(new StoredRun.TrialLoad("cpu", "{}", "runc", i + 1, false, others));
        }
        return new StoredRun(p.header(), p.runtimes(), p.samples(), p.failures(), p.stops(), List.of(), loads);
    }

    @Test
    void aRegressionMeasuredOnABusyHostIsWithheldAsInconclusive() {
        double[] slower = scaled(RUNC, 1 / 1.2); // runc 20 % worse, the baseline unchanged
        StoredRun a = loaded("a", NAT, RUNC, 0.0);
        Comparison.Result quiet = Comparison.compare(List.of(a), List.of(loaded("b", NAT, slower, 0.2)), 0.05);
        assertThat(quiet.regression()).as("0.2 other tasks on 2 CPUs is a quiet host").isTrue();
        assertThat(quiet.inconclusive()).isFalse();
        Comparison.Result busy = Comparison.compare(List.of(a), List.of(loaded("b", NAT, slower, 4.0)), 0.05);
        assertThat(busy.regression()).isFalse();
        assertThat(busy.inconclusive()).isTrue();
        Comparison.Change runc = busy.changes().stream().filter(c -> c.runtime().equals("runc")).findFirst().orElseThrow();
        assertThat(runc.withheld()).isTrue();
        assertThat(runc.verdict()).isEqualTo("differs");
        assertThat(runc.busyRuns()).containsExactly("b");
        // a busy run on side A withholds too; an improvement measured on a busy host is no regression to withhold
        assertThat(Comparison.compare(List.of(loaded("a", NAT, RUNC, 4.0)), List.of(loaded("b", NAT, slower, 0)), 0.05)
                .inconclusive()).isTrue();
        Comparison.Result better = Comparison.compare(List.of(loaded("b", NAT, slower, 4.0)), List.of(a), 0.05);
        assertThat(better.regression()).isFalse();
        assertThat(better.inconclusive()).isFalse();
        // runs from before the per-trial figures: judged as before
        assertThat(Comparison.compare(List.of(pair("a", NAT, RUNC)), List.of(pair("b", NAT, slower)), 0.05).regression())
                .isTrue();
    }

    /** A native + runsc run on host {@code hostname} whose runsc recorded {@code sha}. */
    static StoredRun gvisor(String id, String hostname, String sha, double nat, double runsc) {
        Map<String, Object> host = new java.util.LinkedHashMap<>(HOST);
        host.put("hostname", hostname);
        List<StoredRun.SampleRow> s = new ArrayList<>();
        for (int i = 0; i < NAT.length; i++) {
            s.add(new StoredRun.SampleRow("cpu", "{}", "native", i + 1, false, "events_per_second", "events/s", true, NAT[i] / 1800 * nat));
            s.add(new StoredRun.SampleRow("cpu", "{}", "runsc", i + 1, false, "events_per_second", "events/s", true, RUNC[i] / 1800 * runsc));
        }
        return new StoredRun(new StoredRun.Header(id, "t", "t", "completed", "v", host, Map.of("baseline", "native"), Map.of(), null, null),
                List.of(new StoredRun.RuntimeRow("native", "native", true, "k", null, Map.of()),
                        new StoredRun.RuntimeRow("runsc", "sandbox", true, "0.0~20221219.0", null,
                                Map.of("platform", "ptrace", "runsc_version", "0.0~20221219.0", "runsc_sha256", sha))), s, List.of(), List.of());
    }

    @Test
    void differentGvisorBuildsUnderOneLabelAreSaidOnTheLine() {
        String sha1 = "1".repeat(64);
        String sha2 = "2".repeat(64);
        Comparison.Result same = Comparison.compare(List.of(gvisor("a", "h", sha1, 1800, 1800)), List.of(gvisor("b", "h", sha1, 1800, 1800)), 0.05);
        assertThat(same.changes()).allSatisfy(c -> assertThat(c.builds()).isNull());
        Comparison.Result other = Comparison.compare(List.of(gvisor("a", "h", sha1, 1800, 1800)), List.of(gvisor("b", "h", sha2, 1800, 1800)), 0.05);
        Comparison.Change runsc = other.changes().stream().filter(c -> c.runtime().equals("runsc")).findFirst().orElseThrow();
        assertThat(runsc.builds()).isEqualTo("different gVisor builds: A 0.0~20221219.0, sha256 111111111111; B 0.0~20221219.0, sha256 222222222222");
        assertThat(other.changes().stream().filter(c -> c.runtime().equals("native")).findFirst().orElseThrow().builds()).isNull();
    }

    @Test
    void acrossHostsTheBaselineIsAHostDifferenceAndCostsStayOwnBaseline() {
        // host b is 3x slower: its native and runsc alike; the runsc cost is the same on both hosts
        Comparison.Result r = Comparison.compare(List.of(gvisor("a", "fast", "x", 1800, 1800)),
                List.of(gvisor("b", "slow", "x", 600, 600)), 0.05);
        assertThat(r.acrossHosts()).isTrue();
        assertThat(r.hostsA()).containsExactly("fast");
        assertThat(r.hostsB()).containsExactly("slow");
        assertThat(r.baselineMethod()).isEqualTo(Comparison.HOST_DIFFERENCE);
        Comparison.Change nat = r.changes().stream().filter(c -> c.runtime().equals("native")).findFirst().orElseThrow();
        assertThat(nat.method()).isEqualTo(Comparison.HOST_DIFFERENCE);
        assertThat(nat.baselineLine()).isTrue();
        assertThat(nat.change()).isCloseTo(3.0, within(0.01));
        assertThat(nat.regression()).as("a slower host is no regression").isFalse();
        Comparison.Change runsc = r.changes().stream().filter(c -> c.runtime().equals("runsc")).findFirst().orElseThrow();
        assertThat(runsc.method()).isEqualTo(Comparison.COST);
        assertThat(runsc.change()).isCloseTo(1.0, within(0.01));
        assertThat(r.regression()).isFalse();
        assertThat(Comparison.compare(List.of(gvisor("a", "fast", "x", 1800, 1800)), List.of(gvisor("b", "fast", "x", 1700, 1700)), 0.05)
                .acrossHosts()).isFalse();
    }
}
