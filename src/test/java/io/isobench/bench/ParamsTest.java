package io.isobench.bench;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ParamsTest {
    @Test
    void displayIsNameEqualsValueInTheMapsOrder() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("max_prime", "20000");
        m.put("threads", 1);
        assertThat(Params.display(m)).isEqualTo("max_prime=20000 threads=1");
        assertThat(Params.display(Map.of())).isEmpty();
        assertThat(Params.display(new Params(Map.of("time", "2s", "instances", "4")).values())).isEqualTo("instances=4 time=2s");
    }
}
