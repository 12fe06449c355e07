package io.isobench.runtime.vm;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The probe's CPU calibration: the guest's stamped lines against the host's time for the same loop. */
class QemuCalibrationTest {
    @Test
    void ratioOfTheGuestsFramedLoopToTheHosts() {
        assertThat(QemuDriver.slowdown(1_000_000_000L, 3_400_000_000L, 200_000_000L)).isEqualTo(12.0);
        assertThat(QemuDriver.slowdown(0, 3_400_000_000L, 200_000_000L)).as("no begin line").isNaN();
        assertThat(QemuDriver.slowdown(1_000_000_000L, 0, 200_000_000L)).as("no end line").isNaN();
        assertThat(QemuDriver.slowdown(1_000_000_000L, 3_400_000_000L, -1)).as("the host's loop failed").isNaN();
    }

    @Test
    void theLoopIsOneShellCommandFramedByTheTwoLines() {
        assertThat(QemuDriver.CALIBRATION).startsWith("echo isobench-calibration-begin;")
                .endsWith("echo isobench-calibration-end").doesNotContain("'");
    }
}
