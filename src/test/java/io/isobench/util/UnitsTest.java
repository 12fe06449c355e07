package io.isobench.util;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UnitsTest {
    @ParameterizedTest
    @CsvSource({"5s,5000", "250ms,250", "2m,120000", "1.5s,1500", "3,3000", "1h,3600000", "0s,0"})
    void durations(String text, long millis) {
        assertThat(Units.parseDuration(text, "x")).isEqualTo(Duration.ofMillis(millis));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "fast", "5 sec", "-1s", "1d", "s"})
    void badDurationsAreUserErrors(String text) {
        assertThatThrownBy(() -> Units.parseDuration(text, "--cooldown")).isInstanceOf(UserException.class)
                .hasMessageStartingWith("--cooldown: not a duration");
    }

    @ParameterizedTest
    @CsvSource({"1K,1024", "2G,2147483648", "512MiB,536870912", "100,100", "1.5k,1536"})
    void sizes(String text, long bytes) {
        assertThat(Units.parseSize(text, "x")).isEqualTo(bytes);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "big", "1X", "-1G"})
    void badSizes(String text) {
        assertThatThrownBy(() -> Units.parseSize(text, "--memory")).isInstanceOf(UserException.class);
    }

    @ParameterizedTest
    @CsvSource({"5000,5s", "120000,2m", "250,250ms"})
    void formatRoundTrips(long millis, String text) {
        assertThat(Units.formatDuration(Duration.ofMillis(millis))).isEqualTo(text);
        assertThat(Units.parseDuration(text, "x")).isEqualTo(Duration.ofMillis(millis));
    }
}
