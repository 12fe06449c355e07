package io.isobench.bench.fleet;

import io.isobench.util.UserException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Density's stopping arithmetic: the budget, the safety reserve that caps it, the cap, the per-instance estimate. */
class DensityBudgetTest {
    static final long MIB = 1L << 20;
    static final long GIB = 1L << 30;

    @Test
    void autoIsAShareOfMemAvailable() {
        assertThat(DensityBenchmark.budgetBytes("auto", 10 * GIB, 50)).isEqualTo(5 * GIB);
        assertThat(DensityBenchmark.budgetBytes("512M", 10 * GIB, 50)).isEqualTo(512 * MIB);
    }

    @Test
    void aBadBudgetIsAUserError() {
        assertThatThrownBy(() -> DensityBenchmark.budgetBytes("lots", GIB, 50)).isInstanceOf(UserException.class)
                .hasMessageContaining("density.budget").hasMessageContaining("lots");
        assertThatThrownBy(() -> DensityBenchmark.budgetBytes("0", GIB, 50)).isInstanceOf(UserException.class);
    }

    @Test
    void theBudgetNeverReachesIntoTheReserve() {
        // 3 GiB available, reserve 2 GiB: an explicit 8 GiB budget (or auto's 90 %) becomes 1 GiB
        assertThat(DensityBenchmark.Limits.of("8G", 50, 2 * GIB, 100, 3 * GIB).budget()).isEqualTo(GIB);
        assertThat(DensityBenchmark.Limits.of("auto", 90, 2 * GIB, 100, 3 * GIB).budget()).isEqualTo(GIB);
        // less available than the reserve: nothing at all
        var none = DensityBenchmark.Limits.of("auto", 50, 2 * GIB, 100, GIB);
        assertThat(none.budget()).isZero();
        assertThat(none.stop(0, GIB)).startsWith("safety reserve");
    }

    @Test
    void stopsBeforeTheNextInstanceWouldPassTheBudget() {
        var lim = DensityBenchmark.Limits.of("100M", 50, 0, 1000, 10 * GIB);
        assertThat(lim.stop(0, 10 * GIB)).isNull();
        // 9 instances used 90 MiB: the 10th (~10 MiB) fits exactly, the 11th does not
        assertThat(lim.stop(9, 10 * GIB - 90 * MIB)).isNull();
        assertThat(lim.stop(10, 10 * GIB - 100 * MIB)).startsWith("memory budget reached");
    }

    @Test
    void stopsBeforeTheReserveWhateverTheBudget() {
        var lim = DensityBenchmark.Limits.of("auto", 90, GIB, 1000, 4 * GIB);
        // other processes ate memory meanwhile: 1.05 GiB left, 2 instances at ~100 MiB each
        assertThat(lim.stop(2, GIB + 50 * MIB)).startsWith("safety reserve");
    }

    @Test
    void theCapStopsFirst() {
        var lim = DensityBenchmark.Limits.of("auto", 50, 0, 3, 10 * GIB);
        assertThat(lim.stop(2, 10 * GIB)).isNull();
        assertThat(lim.stop(3, 10 * GIB)).isEqualTo("instance cap reached (max_instances=3)");
    }

    @Test
    void memoryFreedByOthersNeverMakesTheEstimateNegative() {
        var lim = DensityBenchmark.Limits.of("100M", 50, 0, 1000, 10 * GIB);
        assertThat(lim.stop(5, 11 * GIB)).isNull();
    }
}
