package io.isobench.plan;

import io.isobench.bench.Params;
import io.isobench.runtime.Limits;
import io.isobench.util.UserException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PinningTest {
    private static SortedMap<Integer, String> nodes(String... cpuLists) {
        SortedMap<Integer, String> m = new TreeMap<>();
        for (int i = 0; i < cpuLists.length; i++) {
            m.put(i, cpuLists[i]);
        }
        return m;
    }

    @Test
    void unpinnedIsTheDefaultAndChangesNoCase() {
        Plan p = new PlanLoader().top("benchmarks", "cpu", "t").build();
        assertThat(p.pinning().isDefault()).isTrue();
        assertThat(p.toMap()).doesNotContainKey("placement");
        Params c = p.params().get("cpu");
        assertThat(p.pinning().expand(List.of(c))).containsExactly(c);
        assertThat(p.pinning().limits(p.limits(), c)).isSameAs(p.limits());
    }

    @Test
    void pinnedAndUnpinnedAreSeparateCasesAndOnlyThePinnedOneCarriesItsSet() {
        Plan p = new PlanLoader().top("benchmarks", "cpu", "t").top("cpuset", "none;0", "--cpuset").build();
        Params c = p.params().get("cpu");
        List<Params> cases = p.pinning().expand(List.of(c));
        assertThat(cases).hasSize(2);
        assertThat(cases.get(0)).isEqualTo(c);
        assertThat(cases.get(1).values()).containsEntry(Plan.CPUSET_KEY, "0");
        Limits pinned = p.pinning().limits(p.limits(), cases.get(1));
        assertThat(pinned.cpuset()).hasToString("0");
        assertThat(pinned.cpuCount()).isEqualTo(1);
        assertThat(Plan.Pinning.benchmarkParams(cases.get(1))).isEqualTo(c);
        assertThat(p.toMap()).containsKey("placement");
        assertThat(((Map<?, ?>) p.toMap().get("placement")).get("cpuset")).isEqualTo(List.of("none", "0"));
    }

    @Test
    void theStoredPlanRebuildsTheSamePlacement() {
        Plan p = new PlanLoader().top("benchmarks", "cpu", "t").top("cpuset", "0;none", "--cpuset").top("numa", "node:0", "t")
                .build();
        Map<String, Object> stored = io.isobench.util.Json.readMap(io.isobench.util.Json.write(p.toMap()));
        assertThat(PlanLoader.stored(stored).pinning()).isEqualTo(p.pinning());
    }

    @Test
    void cpuSetsMustBeOnlineCpusOfThisHost() {
        assertThatThrownBy(() -> new PlanLoader().top("cpuset", "0-8191", "--cpuset"))
                .isInstanceOf(UserException.class).hasMessageContaining("not within this host's online CPUs");
        assertThatThrownBy(() -> new PlanLoader().top("cpuset", "zero", "--cpuset"))
                .isInstanceOf(UserException.class).hasMessageStartingWith("--cpuset: ");
        assertThatThrownBy(() -> new PlanLoader().top("numa", "node", "--numa")).isInstanceOf(UserException.class);
    }

    @Test
    void onOneNodeANumaSettingIsAcceptedRecordedAndChangesNothing() {
        Plan.Pinning one = PlanLoader.pinning(List.of("none"), "node:0", nodes("0-1"));
        assertThat(one.numaEffect()).isEqualTo("no effect: 1 NUMA node");
        assertThat(one.numaCpus()).isNull();
        assertThat(one.numaMems()).isNull();
        Params c = new Params(Map.of("time", "1s"));
        assertThat(one.expand(List.of(c))).containsExactly(c);
        assertThat(PlanLoader.pinning(List.of("none"), "spread", nodes()).numaEffect()).isEqualTo("no effect: 1 NUMA node");
        assertThatThrownBy(() -> PlanLoader.pinning(List.of("none"), "node:1", nodes("0-1")))
                .isInstanceOf(UserException.class).hasMessageContaining("no NUMA node 1");
    }

    @Test
    void onTwoNodesANodeBindsCpusAndMemory() {
        Plan.Pinning two = PlanLoader.pinning(List.of("none"), "node:1", nodes("0-3", "4-7"));
        assertThat(two.numaEffect()).isEqualTo("CPUs 4-7 and memory of node 1");
        Params c = two.expand(List.of(new Params(Map.of("time", "1s")))).get(0);
        assertThat(c.values()).containsEntry(Plan.NUMA_KEY, "node:1");
        Limits l = two.limits(new Limits(8, 1L << 30), c);
        assertThat(l.cpuset()).hasToString("4-7");
        assertThat(l.mems()).isEqualTo("1");
        assertThatThrownBy(() -> PlanLoader.pinning(List.of("0-1"), "node:1", nodes("0-3", "4-7")))
                .isInstanceOf(UserException.class).hasMessageContaining("not within NUMA node 1");
        Plan.Pinning spread = PlanLoader.pinning(List.of("none"), "spread", nodes("0-3", "4-7"));
        assertThat(spread.numaMems()).isEqualTo("0,1");
        assertThat(spread.limits(new Limits(8, 1L << 30), spread.expand(List.of(new Params(Map.of()))).get(0)).cpuset())
                .isNull();
    }
}
