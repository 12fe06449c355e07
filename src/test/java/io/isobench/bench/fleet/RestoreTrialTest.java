package io.isobench.bench.fleet;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The counter probe's answer, as RestoreTrial reads it. */
class RestoreTrialTest {
    @Test
    void parsesTokenAndCount() {
        String resp = "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 46\r\nConnection: close\r\n\r\n"
                + "counter-probe token=d05739d1cf459cdd served=22\n";
        RestoreTrial.Answer a = RestoreTrial.parse(resp);
        assertThat(a.token()).isEqualTo("d05739d1cf459cdd");
        assertThat(a.served()).isEqualTo(22);
        assertThat(a.line()).isEqualTo("counter-probe token=d05739d1cf459cdd served=22");
    }

    @Test
    void anythingElseIsNoAnswer() {
        assertThat(RestoreTrial.parse("HTTP/1.0 200 OK\r\n\r\nok\n")).isNull();
        assertThat(RestoreTrial.parse("counter-probe token=short served=1")).isNull();
    }
}
