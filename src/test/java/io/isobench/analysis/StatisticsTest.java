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
    void medianCiIsAPairOfOrderStatisticsWithItsBinomialCoverage() {
        Statistics.Interval a = Statistics.medianCi(NATIVE); // sorted: 1795 1798 1799 1801 1804 1806 1810
        // n = 7: [x(1), x(7)] covers with 1 - 2/128 = 98.4 %, [x(2), x(6)] only 1 - 2*8/128 = 87.5 %
        assertThat(a).isEqualTo(new Statistics.Interval(1795, 1810, 1 - 2.0 / 128));
        // n = 5: even [min, max] covers only 1 - 2/32 = 93.75 %, and says so
        Statistics.Interval five = Statistics.medianCi(new double[]{5, 1, 4, 2, 3});
        assertThat(five.low()).isEqualTo(1);
        assertThat(five.high()).isEqualTo(5);
        assertThat(five.level()).isCloseTo(0.9375, within(1e-12));
        assertThat(five.belowLevel()).isTrue();
        // n = 30: the largest k with 1 - 2 P(B(30, 1/2) <= k-1) >= 95 % is 10: [x(10), x(21)] at 95.7 %
        double[] thirty = new double[30];
        for (int i = 0; i < 30; i++) {
            thirty[i] = 30 - i; // values 1..30, unsorted
        }
        Statistics.Interval t = Statistics.medianCi(thirty);
        assertThat(t.low()).isEqualTo(10);
        assertThat(t.high()).isEqualTo(21);
        assertThat(t.level()).isGreaterThanOrEqualTo(0.95).isLessThan(0.96);
        assertThat(Statistics.coverage(30, 11)).isLessThan(0.95);
        assertThat(Statistics.medianCi(new double[]{7})).isEqualTo(new Statistics.Interval(7, 7, 0));
    }

    @Test
    void benjaminiHochbergAdjustsAndSkipsUntested() {
        Double[] q = Statistics.adjustBh(new Double[]{0.01, null, 0.04, 0.03, 0.5});
        // m = 4: sorted 0.01 0.03 0.04 0.5 -> 0.04, min(0.06, 0.0533) = 0.0533, 0.0533, 0.5
        assertThat(q[0]).isCloseTo(0.04, within(1e-12));
        assertThat(q[1]).isNull();
        assertThat(q[2]).isCloseTo(0.04 * 4 / 3, within(1e-12));
        assertThat(q[3]).isCloseTo(0.04 * 4 / 3, within(1e-12));
        assertThat(q[4]).isCloseTo(0.5, within(1e-12));
        assertThat(Statistics.adjustBh(new Double[]{0.9, 0.8})).containsExactly(0.9, 0.9);
    }

    @Test
    void runsNeededForAVerdict() {
        assertThat(Statistics.smallestSufficientN(0.05)).isEqualTo(4);  // 2/70 < 0.05 <= 2/20
        assertThat(Statistics.smallestSufficientN(0.05 / 18)).isEqualTo(6); // 2/924 < 0.0028 <= 2/252
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
        // both medians' intervals at sqrt(95 %): n = 7 reaches 98.4 % each, so the ratio's is at least 96.9 %
        assertThat(ci.level()).isCloseTo(Math.pow(1 - 2.0 / 128, 2), within(1e-12));
        // lower-is-better: x / base, the same corners
        Statistics.Interval lat = Statistics.costCi(new double[]{1, 2, 3, 4, 5, 6, 7}, new double[]{2, 4, 6, 8, 10, 12, 14}, false);
        assertThat(lat.low()).isCloseTo(2.0 / 7, within(1e-12));
        assertThat(lat.high()).isCloseTo(14.0, within(1e-12));
        assertThat(Statistics.costCi(new double[]{0, 0, 0}, new double[]{1, 2, 3}, false)).as("zero baseline").isNull();
    }

    @Test
    void quantileInterpolates() {
        assertThat(Statistics.quantile(new double[]{0, 10}, 0.25)).isEqualTo(2.5);
        assertThat(Statistics.quantile(new double[]{1, 2, 3}, 0.5)).isEqualTo(2);
    }
}
