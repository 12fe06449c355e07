package io.isobench.bench;

import io.isobench.runtime.LaunchSpec;
import io.isobench.runtime.Limits;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class TrialContextTest {
    @Test
    void launchSpecIsTheTrialsNameImageAndLimitsWithTheBuildersDefaults() {
        Limits limits = new Limits(2, 1L << 30);
        TrialContext ctx = new TrialContext(null, null, limits, new Params(Map.of()), Duration.ofSeconds(5),
                "isobench-7-cpu-r1");
        LaunchSpec s = ctx.launchSpec(List.of("/usr/bin/sysbench", "cpu", "run")).build();
        assertThat(s).isEqualTo(LaunchSpec.builder("isobench-7-cpu-r1", null, limits)
                .argv(List.of("/usr/bin/sysbench", "cpu", "run")).build());
        assertThat(s.env()).isEmpty();
        assertThat(s.network()).isNull();
        assertThat(s.scratchBytes()).isNull();
        assertThat(s.runToCompletion()).isFalse();
    }
}
