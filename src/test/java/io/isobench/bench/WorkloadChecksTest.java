package io.isobench.bench;

import io.isobench.TestFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Each trial checks that its tool did what was asked, on real captured outputs: passing ones from the parser
 * fixtures, failing ones captured against a broken setup (the .cmd files and COMMANDS.md say how).
 */
class WorkloadChecksTest {
    @Test
    void aCheckFailureIsSaidAsSuch() {
        assertThat(CommandBenchmark.failure("ab", new CommandBenchmark.CheckFailed("ab: 'Non-2xx responses: 5'"), "raw")
                .reason()).isEqualTo("check failed: ab: 'Non-2xx responses: 5'");
        assertThat(CommandBenchmark.failure("ab", new CommandBenchmark.ParseException("no table"), "raw").reason())
                .isEqualTo("unexpected ab output: no table");
    }
}
