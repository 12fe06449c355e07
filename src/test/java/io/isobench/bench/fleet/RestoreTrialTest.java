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

    /** The client stops reading at Content-Length (then closes first): it never waits for the server's EOF. */
    @Test
    void readsHeadAndBodyThenStops() throws java.io.IOException {
        byte[] resp = ("HTTP/1.0 200 OK\r\nContent-Length: 10\r\n\r\n0123456789").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        java.io.InputStream in = new java.io.InputStream() {
            int i;

            @Override
            public int read() {
                if (i >= resp.length) {
                    throw new AssertionError("read past the body: would have waited for the server's EOF");
                }
                return resp[i++];
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (i >= resp.length) {
                    throw new AssertionError("read past the body: would have waited for the server's EOF");
                }
                int n = Math.min(Math.min(len, 7), resp.length - i); // arrives in pieces
                System.arraycopy(resp, i, b, off, n);
                i += n;
                return n;
            }
        };
        assertThat(RestoreTrial.readResponse(in)).endsWith("\r\n\r\n0123456789");
    }

    @Test
    void anythingElseIsNoAnswer() {
        assertThat(RestoreTrial.parse("HTTP/1.0 200 OK\r\n\r\nok\n")).isNull();
        assertThat(RestoreTrial.parse("counter-probe token=short served=1")).isNull();
    }
}
