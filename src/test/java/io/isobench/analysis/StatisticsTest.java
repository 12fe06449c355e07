package io.isobench.analysis;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class StatisticsTest {
    private static final double[] NATIVE = {1801, 1795, 1810, 1799, 1804, 1798, 1806};
    private static final double[] SLOWER = {1500, 1495, 1510, 1502, 1498, 1505, 1490};
    private static final double[] SAME = {1800, 1807, 1797, 1803, 1796, 1809, 1800};

    @Test
    void smallestPossiblePValues() {
        assertThat(Statistics.smallestPossibleP(3, 3)).isCloseTo(0.1, within(1e-12));      // 2 / C(6,3)
        assertThat(Statistics.smallestPossibleP(5, 5)).isCloseTo(2.0 / 252, within(1e-12)); // 2 / C(10,5)
        assertThat(Statistics.smallestPossibleP(4, 4)).isCloseTo(2.0 / 70, within(1e-12));
    }

    @Test
    void verdicts() {
        assertThat(Statistics.verdict(NATIVE, SLOWER)).isEqualTo(Statistics.DIFFERS);
        assertThat(Statistics.verdict(NATIVE, SAME)).isEqualTo(Statistics.WITHIN_NOISE);
        // three against three can never reach p < 0.05, however different the numbers
        assertThat(Statistics.verdict(new double[]{1, 2, 3}, new double[]{100, 200, 300})).isEqualTo(Statistics.TOO_FEW);
        assertThat(Statistics.verdict(new double[]{5, 5, 5, 5}, new double[]{5, 5, 5, 5})).isEqualTo(Statistics.WITHIN_NOISE);
    }

    @Test
    void medianCiIsSeededAndContainsTheMedian() {
        Statistics.Interval a = Statistics.medianCi(NATIVE);
        Statistics.Interval b = Statistics.medianCi(NATIVE);
        assertThat(a).isEqualTo(b);
        double m = Statistics.median(NATIVE);
        assertThat(a.low()).isLessThanOrEqualTo(m);
        assertThat(a.high()).isGreaterThanOrEqualTo(m);
        assertThat(a.low()).isGreaterThanOrEqualTo(1795);
        assertThat(a.high()).isLessThanOrEqualTo(1810);
        assertThat(Statistics.medianCi(new double[]{7})).isEqualTo(new Statistics.Interval(7, 7));
    }

    @Test
    void costCiBracketsThePointEstimateAndExcludesOneForARealSlowdown() {
        Statistics.Interval ci = Statistics.costCi(NATIVE, SLOWER, true);
        double cost = Summary.costFactor(Statistics.median(SLOWER), Statistics.median(NATIVE), true);
        assertThat(cost).isCloseTo(1801.0 / 1500, within(1e-9));
        assertThat(ci.low()).isLessThanOrEqualTo(cost).isGreaterThan(1.0);
        assertThat(ci.high()).isGreaterThanOrEqualTo(cost);
        Statistics.Interval same = Statistics.costCi(NATIVE, SAME, true);
        assertThat(same.low()).isLessThanOrEqualTo(1.0);
        assertThat(same.high()).isGreaterThanOrEqualTo(1.0);
    }

    @Test
    void quantileInterpolates() {
        assertThat(Statistics.quantile(new double[]{0, 10}, 0.25)).isEqualTo(2.5);
        assertThat(Statistics.quantile(new double[]{1, 2, 3}, 0.5)).isEqualTo(2);
    }
}
