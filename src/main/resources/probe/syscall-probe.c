/*
 * isobench syscall probe: nanoseconds per call of cheap system calls.
 *
 *   syscall-probe TIME_MS CALL[,CALL...]
 *
 * For each call, runs batches of calls for about TIME_MS milliseconds (batch size calibrated so one batch
 * takes >= 10 ms), times the whole loop with clock_gettime(CLOCK_MONOTONIC), subtracts an empty loop of the
 * same iteration count, and prints one line:
 *
 *   call=getpid iterations=1234567 ns_per_call=52.3
 *
 * Calls: getpid (raw syscall(SYS_getpid), never a cached value), clock_gettime (libc, CLOCK_MONOTONIC; may be
 * served by the vDSO without entering the kernel), open_close (open+close of /etc/passwd), read_devzero
 * (read of 1 byte from /dev/zero, opened once), stat (stat of /etc/passwd).
 * Exit code 2 on usage errors, 1 when a call fails (message on stderr).
 * Built by isobench with `gcc -O2 -static`.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define FILE_PATH "/etc/passwd"

static int devzero = -1;

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec * 1e9 + (double) ts.tv_nsec;
}

static void fail(const char *call, const char *what) {
    fprintf(stderr, "syscall-probe: %s: %s failed: %m\n", call, what);
    exit(1);
}

static int run_getpid(long n) {
    for (long i = 0; i < n; i++) {
        if (syscall(SYS_getpid) <= 0) return -1;
    }
    return 0;
}

static int run_clock_gettime(long n) {
    struct timespec ts;
    for (long i = 0; i < n; i++) {
        if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) return -1;
        __asm__ volatile("" : : "r"(&ts) : "memory");
    }
    return 0;
}

static int run_open_close(long n) {
    for (long i = 0; i < n; i++) {
        int fd = open(FILE_PATH, O_RDONLY);
        if (fd < 0) return -1;
        close(fd);
    }
    return 0;
}

static int run_read_devzero(long n) {
    char c;
    for (long i = 0; i < n; i++) {
        if (read(devzero, &c, 1) != 1) return -1;
    }
    return 0;
}

static int run_stat(long n) {
    struct stat st;
    for (long i = 0; i < n; i++) {
        if (stat(FILE_PATH, &st) != 0) return -1;
    }
    return 0;
}

static void empty_loop(long n) {
    for (long i = 0; i < n; i++) {
        __asm__ volatile("" : : : "memory");
    }
}

struct call {
    const char *name;
    int (*fn)(long);
};

static const struct call CALLS[] = {
    {"getpid", run_getpid},
    {"clock_gettime", run_clock_gettime},
    {"open_close", run_open_close},
    {"read_devzero", run_read_devzero},
    {"stat", run_stat},
};

static void measure(const struct call *c, double budget_ns) {
    long batch = 64;
    /* calibrate: grow the batch until one takes at least 10 ms (or a tenth of the budget) */
    double target = budget_ns / 10 < 1e7 ? budget_ns / 10 : 1e7;
    for (;;) {
        double t0 = now_ns();
        if (c->fn(batch) != 0) fail(c->name, "call");
        double dt = now_ns() - t0;
        if (dt >= target || batch > (1L << 40)) break;
        batch *= 2;
    }
    long total = 0;
    double spent = 0;
    double start = now_ns();
    while (spent < budget_ns || total == 0) {
        double t0 = now_ns();
        if (c->fn(batch) != 0) fail(c->name, "call");
        spent += now_ns() - t0;
        total += batch;
        if (now_ns() - start > 3 * budget_ns) break;
    }
    double e0 = now_ns();
    empty_loop(total);
    double empty = now_ns() - e0;
    double ns = (spent - empty) / (double) total;
    printf("call=%s iterations=%ld ns_per_call=%.2f empty_loop_ns=%.0f\n", c->name, total, ns, empty);
    fflush(stdout);
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s TIME_MS CALL[,CALL...]\n", argv[0]);
        return 2;
    }
    char *end;
    long ms = strtol(argv[1], &end, 10);
    if (*end != '\0' || ms <= 0) {
        fprintf(stderr, "syscall-probe: bad TIME_MS '%s'\n", argv[1]);
        return 2;
    }
    devzero = open("/dev/zero", O_RDONLY);
    char *list = strdup(argv[2]);
    for (char *name = strtok(list, ","); name != NULL; name = strtok(NULL, ",")) {
        const struct call *found = NULL;
        for (size_t i = 0; i < sizeof CALLS / sizeof CALLS[0]; i++) {
            if (strcmp(CALLS[i].name, name) == 0) found = &CALLS[i];
        }
        if (found == NULL) {
            fprintf(stderr, "syscall-probe: unknown call '%s' (known: getpid, clock_gettime, open_close, "
                    "read_devzero, stat)\n", name);
            return 2;
        }
        if (found->fn == run_read_devzero && devzero < 0) fail(name, "open /dev/zero");
        measure(found, (double) ms * 1e6);
    }
    return 0;
}
