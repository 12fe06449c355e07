package io.isobench.cli;

import io.isobench.util.UserException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CompareSplitTest {
    @Test
    void twoRunsOrSeveralPerSideAroundTheDoubleDash() {
        assertThat(CompareCommand.split(List.of("a", "b"), List.of("compare", "a", "b", "--db", "x")))
                .containsExactly(List.of("a"), List.of("b"));
        // picocli hands over the positionals without the "--": the side after it is as long as the tail of argv
        assertThat(CompareCommand.split(List.of("a1", "a2", "a3", "b1", "b2"),
                List.of("compare", "a1", "--db", "x", "a2", "a3", "--", "b1", "b2")))
                .containsExactly(List.of("a1", "a2", "a3"), List.of("b1", "b2"));
        assertThatThrownBy(() -> CompareCommand.split(List.of("a", "b", "c"), List.of("compare", "a", "b", "c")))
                .isInstanceOf(UserException.class);
        assertThatThrownBy(() -> CompareCommand.split(List.of("a", "b"), List.of("compare", "a", "b", "--")))
                .isInstanceOf(UserException.class);
    }
}
