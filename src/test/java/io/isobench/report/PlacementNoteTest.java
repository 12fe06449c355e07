package io.isobench.report;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class PlacementNoteTest {
    @Test
    void theDefaultPlacementSaysNothing() {
        assertThat(ReportRun.placementNote(Map.of("baseline", "native"), "native")).isNull();
    }

    @Test
    void pinnedAgainstUnpinnedAndANumaSettingWithoutEffectAreSaid() {
        String note = ReportRun.placementNote(Map.of("placement", Map.of("cpuset", List.of("none", "0-1"), "numa", "node:0",
                "numa_effect", "no effect: 1 NUMA node")), "native");
        assertThat(note).contains("cpuset=0-1", "native baseline with taskset", "ran unpinned",
                "NUMA placement node:0: no effect: 1 NUMA node");
    }

    @Test
    void onlyNumaIsSaidWhenNothingIsPinned() {
        String note = ReportRun.placementNote(Map.of("placement", Map.of("cpuset", List.of("none"), "numa", "spread",
                "numa_effect", "no effect: 1 NUMA node")), "native");
        assertThat(note).isEqualTo("NUMA placement spread: no effect: 1 NUMA node.");
    }
}
