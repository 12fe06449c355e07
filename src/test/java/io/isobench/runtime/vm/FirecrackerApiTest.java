package io.isobench.runtime.vm;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link FirecrackerApi} against a fake Firecracker API server on a Unix socket: statuses, fault messages, framing. */
class FirecrackerApiTest {
    @TempDir
    Path tmp;
    private ServerSocketChannel server;
    private Thread thread;
    /** Every request the fake server received: head and body. */
    private final List<String> received = new CopyOnWriteArrayList<>();

    /** Serves each connection: reads one request (head + Content-Length body), writes {@code answer}'s chunks, keeps the connection open. */
    private Path serve(Function<String, List<String>> answer) throws IOException {
        Path sock = tmp.resolve("api.socket");
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(sock));
        thread = Thread.ofPlatform().daemon().start(() -> {
            List<SocketChannel> open = new java.util.ArrayList<>();
            try {
                while (true) {
                    SocketChannel c = server.accept();
                    open.add(c); // like Firecracker: the connection stays open after the response
                    String req = readRequest(c);
                    received.add(req);
                    for (String chunk : answer.apply(req)) {
                        c.write(ByteBuffer.wrap(chunk.getBytes(StandardCharsets.UTF_8)));
                        Thread.sleep(2);
                    }
                }
            } catch (IOException | InterruptedException e) {
                // closed by the test
            }
        });
        return sock;
    }

    private static String readRequest(SocketChannel c) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocate(1);
        while (!b.toString(StandardCharsets.UTF_8).contains("\r\n\r\n")) {
            buf.clear();
            if (c.read(buf) < 0) {
                break;
            }
            b.write(buf.array(), 0, 1);
        }
        String head = b.toString(StandardCharsets.UTF_8);
        int len = head.lines().filter(l -> l.toLowerCase().startsWith("content-length:"))
                .mapToInt(l -> Integer.parseInt(l.substring(15).strip())).findFirst().orElse(0);
        ByteBuffer body = ByteBuffer.allocate(len);
        while (body.hasRemaining() && c.read(body) >= 0) {
            // read the whole body
        }
        return head + new String(body.array(), StandardCharsets.UTF_8);
    }

    @AfterEach
    void stop() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void putSendsJsonWithContentLengthAndAccepts204() throws IOException {
        Path sock = serve(req -> List.of("HTTP/1.1 204 \r\nServer: Firecracker API\r\nConnection: keep-alive\r\n\r\n"));
        new FirecrackerApi(sock, Duration.ofSeconds(5)).put("/machine-config", "{\"vcpu_count\":1,\"mem_size_mib\":128}");
        assertThat(received).hasSize(1);
        String r = received.get(0);
        assertThat(r).startsWith("PUT /machine-config HTTP/1.1\r\n").contains("Content-Type: application/json\r\n",
                "Content-Length: 35\r\n").endsWith("\r\n\r\n{\"vcpu_count\":1,\"mem_size_mib\":128}");
    }

    @Test
    void faultMessageBecomesTheError() throws IOException {
        String body = "{\"fault_message\":\"The kernel file cannot be opened: No such file or directory (os error 2)\"}";
        Path sock = serve(req -> List.of("HTTP/1.1 400 \r\nContent-Type: application/json\r\nContent-Length: " + body.length()
                + "\r\n\r\n", body));
        assertThatThrownBy(() -> new FirecrackerApi(sock, Duration.ofSeconds(5)).put("/boot-source", "{}"))
                .isInstanceOf(FirecrackerApi.ApiException.class)
                .hasMessage("PUT /boot-source -> HTTP 400: The kernel file cannot be opened: No such file or directory (os error 2)")
                .satisfies(e -> assertThat(((FirecrackerApi.ApiException) e).status).isEqualTo(400));
    }

    @Test
    void responseInPiecesAndAGetBody() throws IOException {
        String body = "{\"id\":\"anonymous-instance\",\"state\":\"Not started\",\"vmm_version\":\"1.9.0\",\"app_name\":\"Firecracker\"}";
        Path sock = serve(req -> List.of("HTTP/1.1 200 OK\r\nContent-", "Length: " + body.length() + "\r\n", "\r\n",
                body.substring(0, 10), body.substring(10)));
        assertThat(new FirecrackerApi(sock, Duration.ofSeconds(5)).get("/")).isEqualTo(body);
        assertThat(received.get(0)).startsWith("GET / HTTP/1.1\r\n").doesNotContain("Content-Length");
    }

    @Test
    void serverErrorWithoutJsonShowsTheBody() throws IOException {
        Path sock = serve(req -> List.of("HTTP/1.1 500 Internal Server Error\r\nContent-Length: 5\r\n\r\noops!"));
        assertThatThrownBy(() -> new FirecrackerApi(sock, Duration.ofSeconds(5)).put("/actions", "{}"))
                .hasMessage("PUT /actions -> HTTP 500: oops!");
    }

    @Test
    void notHttpIsAnError() throws IOException {
        Path sock = serve(req -> List.of("SSH-2.0-OpenSSH\r\n\r\n"));
        assertThatThrownBy(() -> new FirecrackerApi(sock, Duration.ofSeconds(5)).put("/actions", "{}"))
                .isInstanceOf(IOException.class).hasMessageContaining("not an HTTP response");
    }

    @Test
    void noAnswerEndsAtTheDeadline() throws IOException {
        Path sock = serve(req -> List.of());
        assertThatThrownBy(() -> new FirecrackerApi(sock, Duration.ofMillis(300)).put("/actions", "{}"))
                .isInstanceOf(IOException.class).hasMessageContaining("no answer from the API in time");
    }

    @Test
    void awaitUpFailsClearlyWhenTheVmmIsGone() {
        FirecrackerApi api = new FirecrackerApi(tmp.resolve("never.socket"), Duration.ofSeconds(1));
        assertThatThrownBy(() -> api.awaitUp(Duration.ofSeconds(5), () -> false))
                .hasMessageContaining("Firecracker exited before its API socket answered");
    }

    @Test
    void awaitUpReturnsOnceGetAnswers() throws IOException {
        Path sock = serve(req -> List.of("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"));
        new FirecrackerApi(sock, Duration.ofSeconds(2)).awaitUp(Duration.ofSeconds(5), () -> true);
        assertThat(received).anyMatch(r -> r.startsWith("GET / "));
    }

    @Test
    void faultMessageParsing() {
        assertThat(FirecrackerApi.faultMessage("{\"fault_message\":\"x\"}")).isEqualTo("x");
        assertThat(FirecrackerApi.faultMessage("")).isEqualTo("(no body)");
        assertThat(FirecrackerApi.faultMessage("{\"other\":1}")).isEqualTo("{\"other\":1}");
    }
}
