package io.isobench.util;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CpuSetTest {
    @Test
    void parsesTheKernelsListFormatAndPrintsItCanonically() {
        assertThat(CpuSet.parse("0-1", "x").cpus()).containsExactly(0, 1);
        assertThat(CpuSet.parse(" 3,0-1, 2 ", "x").toString()).isEqualTo("0-3");
        assertThat(CpuSet.parse("8,0,2-3,10-11", "x").toString()).isEqualTo("0,2-3,8,10-11");
        assertThat(CpuSet.parse("5", "x").size()).isEqualTo(1);
        assertThat(CpuSet.parse("0-3", "x").containsAll(CpuSet.parse("1,3", "x"))).isTrue();
        assertThat(CpuSet.parse("0-3", "x").containsAll(CpuSet.parse("3-4", "x"))).isFalse();
    }

    @Test
    void refusesWhatIsNotACpuList() {
        for (String bad : new String[]{"", "a", "1-", "-1", "3-1", "1,,2", "0x1", "1.5", "99999", "1 2"}) {
            assertThatThrownBy(() -> CpuSet.parse(bad, "--cpuset")).as(bad)
                    .isInstanceOf(UserException.class).hasMessageStartingWith("--cpuset: ");
        }
    }
}
