package io.isobench.runtime.oci;

import io.isobench.proc.ProcResult;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Why runc cannot checkpoint: the telling line of a real failed {@code criu check} (Debian 12's criu 3.17 here). */
class CriuTest {
    @Test
    void firstErrorLineOfARealFailedCheck() throws IOException {
        String out;
        try (InputStream in = CriuTest.class.getResourceAsStream("/fixtures/criu/check-debian12.txt")) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        ProcResult r = new ProcResult(List.of("criu", "check"), 1, false, "", out, Duration.ofMillis(40));
        assertThat(Criu.reason(r)).isEqualTo("Error (criu/vdso.c:381): vdso: Unexpected rt vDSO area bounds (exit code 1)");
    }

    @Test
    void aTimeoutSaysSo() {
        ProcResult r = new ProcResult(List.of("criu", "check"), -1, true, "", "", Duration.ofSeconds(30));
        assertThat(Criu.reason(r)).startsWith("no answer within 30 s");
    }
}
