/*
 * isobench HTTP probe: the smallest HTTP server that answers like one, for startup readiness and load profiles.
 *
 *   http-probe PORT
 *       listens on 0.0.0.0:PORT, prints "http-probe: listening on PORT" on stdout (flushed), then serves one
 *       connection at a time, forever: reads the request head (up to 4 KiB, until an empty line, EOF or 2 s of
 *       silence),
 *       answers "HTTP/1.0 200 OK" with the 3-byte body "ok\n" and closes the connection.
 *
 * One process, one thread, no fork per request: every CPU cycle and byte it uses is in the one process the
 * driver reports, so a load profile measures the server and the runtime, not process creation. Exit code 2 on
 * usage errors, 1 when the socket cannot be set up (message on stderr). Built by isobench with `gcc -O2 -static`.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const char RESPONSE[] = "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n"
                               "Connection: close\r\n\r\nok\n";

static void die(const char *what) {
    fprintf(stderr, "http-probe: %s failed: %s\n", what, strerror(errno));
    exit(1);
}

static void serve(int c) {
    char buf[4096];
    size_t have = 0;
    while (have < sizeof buf - 1) {
        /* poll rather than SO_RCVTIMEO: gVisor's hostinet returned EAGAIN at once with a receive timeout set */
        struct pollfd p = {c, POLLIN, 0};
        int r = poll(&p, 1, 2000);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            break;
        }
        ssize_t n = read(c, buf + have, sizeof buf - 1 - have);
        if (n <= 0) {
            if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
                continue;
            }
            break;
        }
        have += (size_t) n;
        buf[have] = 0;
        if (strstr(buf, "\r\n\r\n") || strstr(buf, "\n\n")) {
            break;
        }
    }
    if (have > 0) {
        size_t off = 0;
        while (off < sizeof RESPONSE - 1) {
            ssize_t n = write(c, RESPONSE + off, sizeof RESPONSE - 1 - off);
            if (n <= 0) {
                if (n < 0 && errno == EINTR) {
                    continue;
                }
                break;
            }
            off += (size_t) n;
        }
    }
    close(c);
}

int main(int argc, char **argv) {
    if (argc == 2 && (!strcmp(argv[1], "--version") || !strcmp(argv[1], "--help"))) {
        printf("http-probe (isobench): usage: http-probe PORT\n");
        return 0;
    }
    if (argc != 2) {
        fprintf(stderr, "usage: http-probe PORT\n");
        return 2;
    }
    char *end;
    long port = strtol(argv[1], &end, 10);
    if (*end || port < 1 || port > 65535) {
        fprintf(stderr, "http-probe: bad port '%s'\n", argv[1]);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0) {
        die("socket");
    }
    int one = 1;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_ANY);
    a.sin_port = htons((unsigned short) port);
    if (bind(s, (struct sockaddr *) &a, sizeof a) < 0) {
        die("bind");
    }
    if (listen(s, 128) < 0) {
        die("listen");
    }
    printf("http-probe: listening on %ld\n", port);
    fflush(stdout);
    for (;;) {
        int c = accept(s, NULL, NULL);
        if (c < 0) {
            if (errno == EINTR || errno == ECONNABORTED || errno == EMFILE || errno == ENFILE) {
                continue;
            }
            die("accept");
        }
        serve(c);
    }
}
