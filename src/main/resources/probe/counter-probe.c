/*
 * isobench counter probe: an HTTP server whose answers prove that its state survived a checkpoint and restore.
 *
 *   counter-probe PORT
 *       draws a random token at start, listens on 0.0.0.0:PORT, prints "counter-probe: listening on PORT" (flushed),
 *       then serves one connection at a time, forever: reads the request head (up to 4 KiB, until an empty line, EOF
 *       or 2 s of silence) and answers "HTTP/1.0 200 OK" with the body "counter-probe token=TOKEN served=N\n", where N
 *       counts the answers given so far, this one included, then waits (2 s at most) for the client to close first,
 *       so that no connection of the server's lingers in TIME_WAIT. A restored instance answers with the saved instance's
 *       token and a count that goes on from the saved one; a fresh start has a new token and starts at 1.
 *
 * One process, one thread. Exit code 2 on usage errors, 1 when the socket cannot be set up (message on stderr).
 * Built by isobench with `gcc -O2 -static`.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static unsigned long long served;
static char token[17];

static void die(const char *what) {
    fprintf(stderr, "counter-probe: %s failed: %s\n", what, strerror(errno));
    exit(1);
}

static void draw_token(void) {
    unsigned char b[8];
    int fd = open("/dev/urandom", O_RDONLY);
    if (fd < 0 || read(fd, b, sizeof b) != (ssize_t) sizeof b) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        unsigned long long x = (unsigned long long) ts.tv_nsec ^ ((unsigned long long) getpid() << 32) ^ (unsigned long long) ts.tv_sec;
        memcpy(b, &x, sizeof b);
    }
    if (fd >= 0) {
        close(fd);
    }
    for (int i = 0; i < 8; i++) {
        snprintf(token + 2 * i, 3, "%02x", b[i]);
    }
}

static void write_all(int c, const char *p, size_t len) {
    size_t off = 0;
    while (off < len) {
        ssize_t n = write(c, p + off, len - off);
        if (n <= 0) {
            if (n < 0 && errno == EINTR) {
                continue;
            }
            return;
        }
        off += (size_t) n;
    }
}

static void serve(int c) {
    char buf[4096];
    size_t have = 0;
    while (have < sizeof buf - 1) {
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
        char body[128];
        int blen = snprintf(body, sizeof body, "counter-probe token=%s served=%llu\n", token, served + 1);
        char head[256];
        int hlen = snprintf(head, sizeof head, "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n"
                            "Connection: close\r\n\r\n", blen);
        served++;
        write_all(c, head, (size_t) hlen);
        write_all(c, body, (size_t) blen);
        /* the client closes first (it knows the length): this end never lingers in TIME_WAIT, a state gVisor's
           checkpoint refuses to save ("endpoint cannot be saved in connected state"); 2 s at most */
        for (;;) {
            struct pollfd p = {c, POLLIN, 0};
            int r = poll(&p, 1, 2000);
            if (r < 0 && errno == EINTR) {
                continue;
            }
            if (r <= 0) {
                break;
            }
            ssize_t n = read(c, buf, sizeof buf);
            if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) {
                break;
            }
        }
    }
    close(c);
}

int main(int argc, char **argv) {
    if (argc == 2 && (!strcmp(argv[1], "--version") || !strcmp(argv[1], "--help"))) {
        printf("counter-probe (isobench): usage: counter-probe PORT\n");
        return 0;
    }
    if (argc != 2) {
        fprintf(stderr, "usage: counter-probe PORT\n");
        return 2;
    }
    char *end;
    long port = strtol(argv[1], &end, 10);
    if (*end || port < 1 || port > 65535) {
        fprintf(stderr, "counter-probe: bad port '%s'\n", argv[1]);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    draw_token();
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
    printf("counter-probe: listening on %ld\n", port);
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
