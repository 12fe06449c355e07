package io.isobench.bench.sysbench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SysbenchTest {
    @Test
    void sysbenchTimeIsWholeSecondsRoundedUp() {
        assertThat(Sysbench.seconds(java.time.Duration.ofMillis(200))).isEqualTo(1);
        assertThat(Sysbench.seconds(java.time.Duration.ofMillis(2500))).isEqualTo(3);
        assertThat(Sysbench.seconds(java.time.Duration.ofSeconds(10))).isEqualTo(10);
    }
}
