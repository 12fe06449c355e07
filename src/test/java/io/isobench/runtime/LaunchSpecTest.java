package io.isobench.runtime;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LaunchSpecTest {
    private static final Limits LIMITS = new Limits(1, 256L << 20);

    @Test
    void builderDefaultsAreNoEnvListenerWrapperScratchOrNetwork() {
        LaunchSpec s = LaunchSpec.builder("isobench-t", null, LIMITS).argv(List.of("/bin/true")).build();
        assertThat(s.name()).isEqualTo("isobench-t");
        assertThat(s.image()).isNull();
        assertThat(s.limits()).isEqualTo(LIMITS);
        assertThat(s.argv()).containsExactly("/bin/true");
        assertThat(s.env()).isEmpty();
        assertThat(s.onLine()).isNull();
        assertThat(s.wrapper()).isEmpty();
        assertThat(s.scratchBytes()).isNull();
        assertThat(s.network()).isNull();
        assertThat(s.runToCompletion()).isFalse();
        assertThat(s.wrapped(List.of("runc", "run"))).containsExactly("runc", "run");
    }

    @Test
    void everyFieldCanBeSetAndSurvivesToBuilder() {
        LaunchSpec.LineListener l = (line, t) -> { };
        LaunchSpec s = LaunchSpec.builder("a", null, LIMITS).name("b").argv(List.of("/x", "y")).env(Map.of("K", "v"))
                .onLine(l).wrapper(List.of("strace", "-f")).scratchBytes(1L << 20).network(NetworkSpec.tcp(8080))
                .runToCompletion(true).build();
        assertThat(s.name()).isEqualTo("b");
        assertThat(s.env()).containsExactly(Map.entry("K", "v"));
        assertThat(s.onLine()).isSameAs(l);
        assertThat(s.scratchBytes()).isEqualTo(1L << 20);
        assertThat(s.network()).isEqualTo(NetworkSpec.tcp(8080));
        assertThat(s.runToCompletion()).isTrue();
        assertThat(s.wrapped(List.of("runc"))).containsExactly("strace", "-f", "runc");
        assertThat(s.toBuilder().build()).isEqualTo(s);
    }

    @Test
    void withersChangeOnlyTheirField() {
        LaunchSpec s = LaunchSpec.builder("a", null, LIMITS).argv(List.of("/x")).env(Map.of("K", "v")).build();
        LaunchSpec n = s.withNetwork(NetworkSpec.tcp(80)).withScratch(5L).runningToCompletion();
        assertThat(n.network()).isEqualTo(NetworkSpec.tcp(80));
        assertThat(n.scratchBytes()).isEqualTo(5L);
        assertThat(n.runToCompletion()).isTrue();
        assertThat(n.toBuilder().network(null).scratchBytes(null).runToCompletion(false).build()).isEqualTo(s);
        assertThat(s.network()).isNull(); // the original is unchanged
    }

    @Test
    void aSpecNeedsANameAndAnArgv() {
        assertThatThrownBy(() -> LaunchSpec.builder("a", null, LIMITS).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("argv");
        assertThatThrownBy(() -> LaunchSpec.builder("", null, LIMITS).argv(List.of("/x")).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("name");
    }
}
