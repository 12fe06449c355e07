/*
 * isobench network probe: TCP request/response latency (1-byte ping-pong).
 *
 *   net-probe server PORT
 *       listens on 0.0.0.0:PORT, prints "net-probe: listening on PORT", then serves one connection at a time:
 *       every byte read is written back, until the peer closes. Runs until killed.
 *   net-probe client ADDR PORT ROUND_TRIPS WARMUP
 *       connects (TCP_NODELAY), does WARMUP untimed round trips, then ROUND_TRIPS round trips each timed with
 *       clock_gettime(CLOCK_MONOTONIC), and prints one line:
 *       round_trips=N warmup=W min_ns=.. p50_ns=.. p90_ns=.. p99_ns=.. max_ns=.. mean_ns=..
 *
 * A round trip is: write 1 byte, read 1 byte back. Both ends set TCP_NODELAY so no Nagle delay is measured.
 * Exit code 2 on usage errors, 1 when a socket call fails (message on stderr). Built by isobench with
 * `gcc -O2 -static`.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what) {
    fprintf(stderr, "net-probe: %s failed: %s\n", what, strerror(errno));
    exit(1);
}

/* Bounds the client's sample array: 10^7 round trips are 80 MB. */
#define MAX_TRIPS 10000000L

static long parse_long(const char *s, const char *what, long min, long max) {
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < min || v > max) {
        fprintf(stderr, "net-probe: bad %s '%s'\n", what, s);
        exit(2);
    }
    return v;
}

static void nodelay(int fd) {
    int one = 1;
    if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0) die("setsockopt(TCP_NODELAY)");
}

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int said_again;

/* after EAGAIN on a socket: waits until it is ready for ev; 1 when the caller should retry */
static int again(int fd, short ev) {
    if (errno != EAGAIN && errno != EWOULDBLOCK) return 0;
    if (!said_again) {
        said_again = 1;
        int fl = fcntl(fd, F_GETFL);
        fprintf(stderr, "net-probe: EAGAIN from a socket whose O_NONBLOCK is %s; waiting with poll() from now on\n",
                fl < 0 ? "unknown" : (fl & O_NONBLOCK) ? "set" : "clear");
    }
    struct pollfd p = {.fd = fd, .events = ev};
    return poll(&p, 1, -1) >= 0 || errno == EINTR;
}

static int write_all(int fd, char b) {
    for (;;) {
        ssize_t n = write(fd, &b, 1);
        if (n == 1) return 0;
        if (n < 0 && (errno == EINTR || again(fd, POLLOUT))) continue;
        return -1;
    }
}

static _Noreturn void server(int port) {
    signal(SIGPIPE, SIG_IGN);
    int ls = socket(AF_INET, SOCK_STREAM, 0);
    if (ls < 0) die("socket");
    int one = 1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short) port),
                            .sin_addr.s_addr = htonl(INADDR_ANY)};
    if (bind(ls, (struct sockaddr *) &a, sizeof a) != 0) die("bind");
    if (listen(ls, 8) != 0) die("listen");
    printf("net-probe: listening on %d\n", port);
    fflush(stdout);
    for (;;) {
        int c = accept(ls, NULL, NULL);
        if (c < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            die("accept");
        }
        nodelay(c);
        /* gVisor's hostinet (runsc 2022) gives accepted sockets EAGAIN on blocking reads: clear O_NONBLOCK and
           wait with poll() whenever EAGAIN comes anyway (said once on stderr) */
        int fl = fcntl(c, F_GETFL);
        if (fl >= 0 && (fl & O_NONBLOCK)) fcntl(c, F_SETFL, fl & ~O_NONBLOCK);
        char b;
        for (;;) {
            ssize_t n = read(c, &b, 1);
            if (n == 1) {
                if (write_all(c, b) != 0) break;
            } else if (n < 0 && (errno == EINTR || again(c, POLLIN))) {
                continue;
            } else {
                break; /* peer closed (or reset): serve the next connection */
            }
        }
        close(c);
    }
}

static int cmp(const void *x, const void *y) {
    long long a = *(const long long *) x, b = *(const long long *) y;
    return a < b ? -1 : a > b;
}

/* nearest-rank percentile of sorted v[0..n) */
static long long pct(const long long *v, long n, double p) {
    long k = (long) ((p / 100.0) * (double) n + 0.999999999);
    if (k < 1) k = 1;
    if (k > n) k = n;
    return v[k - 1];
}

static void round_trip(int fd) {
    char b = 'x';
    if (write_all(fd, b) != 0) die("write");
    ssize_t n;
    do {
        n = read(fd, &b, 1);
    } while (n < 0 && errno == EINTR);
    if (n < 0) die("read (no answer within 10 s, or an error)");
    if (n == 0) {
        fprintf(stderr, "net-probe: server closed the connection\n");
        exit(1);
    }
}

static int client(const char *addr, int port, long trips, long warmup) {
    signal(SIGPIPE, SIG_IGN);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short) port)};
    if (inet_pton(AF_INET, addr, &a.sin_addr) != 1) {
        fprintf(stderr, "net-probe: bad IPv4 address '%s'\n", addr);
        return 2;
    }
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) die("socket");
    struct timeval tv = {.tv_sec = 10};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (connect(fd, (struct sockaddr *) &a, sizeof a) != 0) die("connect");
    nodelay(fd);
    long long *v = malloc(sizeof *v * (size_t) trips);
    if (!v) die("malloc");
    for (long i = 0; i < warmup; i++) round_trip(fd);
    double sum = 0;
    for (long i = 0; i < trips; i++) {
        long long t0 = now_ns();
        round_trip(fd);
        v[i] = now_ns() - t0;
        sum += (double) v[i];
    }
    close(fd);
    qsort(v, (size_t) trips, sizeof *v, cmp);
    printf("round_trips=%ld warmup=%ld min_ns=%lld p50_ns=%lld p90_ns=%lld p99_ns=%lld max_ns=%lld mean_ns=%.1f\n",
           trips, warmup, v[0], pct(v, trips, 50), pct(v, trips, 90), pct(v, trips, 99), v[trips - 1],
           sum / (double) trips);
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "server") == 0) {
        server((int) parse_long(argv[2], "port", 1, 65535));
    }
    if (argc == 6 && strcmp(argv[1], "client") == 0) {
        return client(argv[2], (int) parse_long(argv[3], "port", 1, 65535), parse_long(argv[4], "round trips", 1, MAX_TRIPS),
                      parse_long(argv[5], "warmup", 0, 1000000000L));
    }
    fprintf(stderr, "usage: net-probe server PORT | net-probe client ADDR PORT ROUND_TRIPS WARMUP\n");
    return 2;
}
