/*
 * The smallest launch-timing harness, the floor that isobench's and hyperfine's figures are read against
 * (bench/startup-overhead.sh, section 5): posix_spawnp, then a blocking waitpid, timed on CLOCK_MONOTONIC from just
 * before the spawn to just after the reap; stdin and stdout are /dev/null, as in hyperfine's default. Optionally idles
 * IDLE_US microseconds before every launch (isobench's cooldown regime) without starting any other process.
 * Usage: minimal-launch RUNS WARMUP IDLE_US command [args...]   -> prints "median_ms p25_ms mean_ms"
 * Build: gcc -O2 -o minimal-launch minimal-launch.c
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: %s RUNS WARMUP IDLE_US command [args...]\n", argv[0]);
        return 2;
    }
    int runs = atoi(argv[1]), warmup = atoi(argv[2]);
    long idle_us = atol(argv[3]);
    char **cmd = argv + 4;
    if (runs < 1) return 2;
    double *r = malloc(sizeof(double) * (size_t) runs);
    for (int i = -warmup; i < runs; i++) {
        if (idle_us > 0) usleep((useconds_t) idle_us);
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
        pid_t pid;
        int st;
        double t0 = now_ms();
        if (posix_spawnp(&pid, cmd[0], &fa, NULL, cmd, environ) != 0) {
            perror(cmd[0]);
            return 1;
        }
        if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
            fprintf(stderr, "%s failed\n", cmd[0]);
            return 1;
        }
        double t1 = now_ms();
        posix_spawn_file_actions_destroy(&fa);
        if (i >= 0) r[i] = t1 - t0;
    }
    double sum = 0;
    for (int i = 0; i < runs; i++) sum += r[i];
    qsort(r, (size_t) runs, sizeof(double), cmp);
    double med = runs % 2 ? r[runs / 2] : (r[runs / 2 - 1] + r[runs / 2]) / 2;
    printf("%.4f %.4f %.4f\n", med, r[runs / 4], sum / runs);
    return 0;
}
