package io.isobench.util;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TrustedPathTest {
    @Test
    void ownerAndWritableBits() {
        assertThat(TrustedPath.judge("/x", 0, 0755, 0, true)).isNull();
        assertThat(TrustedPath.judge("/x", 1000, 0755, 1000, true)).isNull();
        assertThat(TrustedPath.judge("/x", 1000, 0755, 0, true)).contains("owned by uid 1000");
        assertThat(TrustedPath.judge("/x", 0, 0775, 0, true)).contains("its group");
        assertThat(TrustedPath.judge("/x", 0, 0757, 0, false)).contains("every user");
        // /tmp above a path: sticky, so others cannot swap what is ours; the file itself never may be writable
        assertThat(TrustedPath.judge("/tmp", 0, 01777, 0, false)).isNull();
        assertThat(TrustedPath.judge("/tmp/f", 0, 01777, 0, true)).isNotNull();
    }
}
