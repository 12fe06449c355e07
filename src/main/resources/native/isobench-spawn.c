/*
 * isobench-spawn: starts processes for isobench and relays their output, stamped with the host's monotonic clock.
 *
 * Why: a JVM that holds many child pipes pays for every fd at each ProcessBuilder.start (its child closes them one by
 * one: 16 ms per start with 3000 fds open, so 1024 concurrent launches cost seconds of harness CPU), and the JVM's
 * own start path adds ~0.4 ms to a native launch. This helper is one small process with only close-on-exec fds:
 * posix_spawnp (clone(CLONE_VFORK) in glibc, returns once the child has exec'ed) costs the same for the 1st and
 * the 1024th child, and the output of every child is read on one epoll loop and stamped when read.
 *
 * Protocol (big-endian, stdin = requests, stdout = events; strings are u32 length + bytes):
 *   request 'S' id:u32 nargs:u32 nenv:u32 (0xffffffff = inherit) ncg:u32 args... env... cgroups...
 *                                                                                 start a process
 *   request 'Q' (as 'S')                                                          start it quietly (below)
 *   request 'K' id:u32 sig:u32                                                    signal it, if not yet reaped
 *   event   'P' id:u32 pid:i32 t_before:u64 t_after:u64 join:u64                spawned (t: CLOCK_MONOTONIC ns)
 * A failed start has pid -errno (the exec's or the spawn's), or -(0x10000 + errno) when joining a cgroup failed.
 * cgroups are cgroup.procs files (one per hierarchy) that the child joins between its clone and its exec, so that the
 * program starts, and everything it forks stays, in that cgroup (what an OCI runtime does for a container's init);
 * join is the time that took (ns), which isobench takes out of the launch: it is isobench's bookkeeping, about 10 us
 * per hierarchy. Such a child is started with clone(CLONE_VM | CLONE_VFORK) as glibc's posix_spawn does, with the
 * join added; without cgroups, with posix_spawnp itself.
 *   event   'O' id:u32 stream:u8 (1 stdout, 2 stderr) t:u64 len:u32 bytes         output, as read
 *   event   'E' id:u32 stream:u8                                                  end of that stream
 *   event   'X' id:u32 status:i32 (wait status) t:u64                             reaped
 * A quiet child ('Q', for a launch that runs to completion and is timed to its exit, like hyperfine's) writes its
 * stdout and stderr to memfds that nobody reads while it runs, and its 'P' event is held back: neither this process
 * nor isobench wakes up between its spawn and its reap (beyond the SIGCHLD that reports the exit). At the reap come
 * 'P', its output as 'O' events with t = 0 (not stamped: read after the exit), 'E' twice, then 'X'. A 'K' for it
 * (signal 0 included) sends its 'P' at once, so isobench can learn its pid.
 * The child gets /dev/null as stdin, default signal dispositions, an empty signal mask and a process group of its own
 * (so a terminal's Ctrl-C reaches isobench, which tears down in order, not the launchers directly). On every way out of
 * this helper (stdin ends because isobench exited or was killed, isobench stops reading, a protocol error, out of
 * memory, an epoll failure) the process group of every child not yet reaped gets SIGKILL before the helper exits.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define MAX_MSG (16u << 20)
#define TAG_STDIN 0xffffffffu
#define TAG_SIG 0xfffffffeu
#define QUIET_CAP (8 << 20) /* as isobench's capture limit (Launched.MAX_CAPTURE) */

struct child {
    uint32_t id;
    pid_t pid;
    int fd[2];   /* read ends of stdout, stderr; -1 once at EOF */
    int reaped;
    int used;
    int quiet;      /* 'Q': fd[] are memfds, read once it is reaped; its 'P' event waits until then (or a 'K') */
    int p_sent;
    uint64_t t0, t1, join;
};

static struct child *kids;
/* Signals ignored in this process: an ignored disposition survives exec, so the child resets these to the default
 * (handled ones are reset by exec itself); resetting all 64 would cost the child as many sigaction calls. */
static sigset_t ignored;
static size_t nkids, capkids;
static int ep;

/* Every way out: SIGKILL to the process group (and the process) of every child not yet reaped, reap them, exit. */
static void die(int code) {
    for (size_t i = 0; i < nkids; i++) {
        if (kids[i].used && !kids[i].reaped) {
            kill(-kids[i].pid, SIGKILL);
            kill(kids[i].pid, SIGKILL);
        }
    }
    for (size_t i = 0; i < nkids; i++) {
        if (kids[i].used && !kids[i].reaped) waitpid(kids[i].pid, NULL, 0);
    }
    _exit(code);
}

static uint64_t now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

static void put32(unsigned char *p, uint32_t v) {
    p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v;
}

static void put64(unsigned char *p, uint64_t v) {
    put32(p, (uint32_t) (v >> 32));
    put32(p + 4, (uint32_t) v);
}

static uint32_t get32(const unsigned char *p) {
    return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | p[3];
}

static void out(const void *buf, size_t len) {
    const unsigned char *p = buf;
    while (len > 0) {
        ssize_t n = write(1, p, len);
        if (n < 0) {
            if (errno == EINTR) continue;
            die(3); /* isobench is gone */
        }
        p += n;
        len -= (size_t) n;
    }
}

static size_t slot_new(void) {
    for (size_t i = 0; i < nkids; i++) {
        if (!kids[i].used) return i;
    }
    if (nkids == capkids) {
        capkids = capkids ? capkids * 2 : 64;
        struct child *more = realloc(kids, capkids * sizeof *kids);
        if (!more) die(4);
        kids = more;
    }
    return nkids++;
}

static void maybe_free(size_t s) {
    if (kids[s].reaped && kids[s].fd[0] < 0 && kids[s].fd[1] < 0) kids[s].used = 0;
}

static void spawned_event(uint32_t id, pid_t pid, uint64_t t0, uint64_t t1, uint64_t join) {
    unsigned char ev[1 + 4 + 4 + 8 + 8 + 8];
    ev[0] = 'P';
    put32(ev + 1, id);
    put32(ev + 5, (uint32_t) pid);
    put64(ev + 9, t0);
    put64(ev + 17, t1);
    put64(ev + 25, join);
    out(ev, sizeof ev);
}

/* A memfd of QUIET_CAP bytes (sparse) that cannot grow: a quiet child's writes past the cap fail instead of filling
 * memory. The child writes from offset 0 through a shared file offset, which tells how much it wrote. */
static int quiet_output(const char *name) {
    int fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0) return -1;
    if (ftruncate(fd, QUIET_CAP) || fcntl(fd, F_ADD_SEALS, F_SEAL_GROW | F_SEAL_SHRINK)) {
        close(fd);
        return -1;
    }
    return fd;
}

/* The output fds of a child: a pipe per stream (o[0] read here, o[1] the child's), or, quiet, a memfd per stream
 * that the child writes and this process reads once the child is reaped (o[0] == o[1]). */
static int outputs(int quiet, int o[2], int e[2]) {
    if (!quiet) return pipe2(o, O_CLOEXEC) || pipe2(e, O_CLOEXEC) ? -1 : 0;
    o[0] = o[1] = quiet_output("isobench-stdout");
    if (o[0] < 0) return -1;
    e[0] = e[1] = quiet_output("isobench-stderr");
    return e[0] < 0 ? -1 : 0;
}

/* What a child started into cgroups gets from its parent, and reports back (it shares the parent's memory). */
struct clone_args {
    char **argv, **envp;
    int out, err;        /* its stdout and stderr */
    const int *cg;       /* cgroup.procs fds to write "0" to (0 means the writer itself) */
    size_t ncg;
    volatile int failed; /* errno of the exec, or 0x10000 + errno of a cgroup join */
    volatile uint64_t join;
};

#define CLONE_STACK (256 * 1024)
/* One stack serves every child: CLONE_VFORK suspends this process until the child has exec'ed or exited. */
static unsigned char clone_stack[CLONE_STACK] __attribute__((aligned(64)));

/* The child of spawn_into: what posix_spawn's attributes ask for, then the cgroup joins, then the exec. */
static int clone_child(void *p) {
    struct clone_args *a = p;
    for (int sig = 1; sig < NSIG; sig++) {
        if (sigismember(&ignored, sig)) signal(sig, SIG_DFL);
    }
    setpgid(0, 0);
    int null = open("/dev/null", O_RDONLY | O_CLOEXEC); /* dup2 makes fd 0 inheritable; this one is not */
    if (null < 0 || dup2(null, 0) < 0 || dup2(a->out, 1) < 0 || dup2(a->err, 2) < 0) {
        a->failed = errno;
        _exit(127);
    }
    uint64_t t = now();
    for (size_t i = 0; i < a->ncg; i++) {
        if (write(a->cg[i], "0", 1) != 1) {
            a->failed = 0x10000 + errno;
            _exit(127);
        }
    }
    a->join = now() - t;
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    execvpe(a->argv[0], a->argv, a->envp ? a->envp : environ);
    a->failed = errno;
    _exit(127);
}

/* Starts argv with stdout o, stderr e, in the cgroups whose cgroup.procs are the ncg paths cgp; returns 0 or errno
 * (0x10000 + errno for a cgroup that could not be opened or joined). */
static int spawn_into(pid_t *pid, char **argv, char **envp, int o, int e, char **cgp, size_t ncg,
                      uint64_t *t0, uint64_t *t1, uint64_t *join) {
    int cg[16];
    size_t n = 0;
    int rc = 0;
    if (ncg > sizeof cg / sizeof cg[0]) return 0x10000 + E2BIG;
    for (; n < ncg; n++) {
        cg[n] = open(cgp[n], O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
        if (cg[n] < 0) {
            rc = 0x10000 + errno;
            break;
        }
    }
    if (rc == 0) {
        struct clone_args a = {.argv = argv, .envp = envp, .out = o, .err = e, .cg = cg, .ncg = ncg, .failed = 0};
        sigset_t all, old;
        sigfillset(&all);
        sigprocmask(SIG_SETMASK, &all, &old); /* no handler may run in the child while it shares this memory */
        *t0 = now();
        pid_t p = clone(clone_child, clone_stack + CLONE_STACK, CLONE_VM | CLONE_VFORK | SIGCHLD, &a);
        *t1 = now();
        sigprocmask(SIG_SETMASK, &old, NULL);
        if (p < 0) {
            rc = errno;
        } else if (a.failed) {
            rc = a.failed;
            waitpid(p, NULL, 0);
        } else {
            *pid = p;
            *join = a.join;
        }
    }
    for (size_t i = 0; i < n; i++) close(cg[i]);
    return rc;
}

static void spawn(uint32_t id, char **argv, char **envp, char **cgp, size_t ncg, int quiet) {
    int o[2] = {-1, -1}, e[2] = {-1, -1};
    pid_t pid = -1;
    int rc;
    uint64_t t0 = now(), t1 = t0, join = 0;
    if (outputs(quiet, o, e)) {
        rc = errno;
        t1 = now();
    } else if (ncg > 0) {
        rc = spawn_into(&pid, argv, envp, o[1], e[1], cgp, ncg, &t0, &t1, &join);
        if (rc) t1 = now();
    } else {
        posix_spawn_file_actions_t fa;
        posix_spawnattr_t at;
        sigset_t none;
        sigemptyset(&none);
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_adddup2(&fa, o[1], 1);
        posix_spawn_file_actions_adddup2(&fa, e[1], 2);
        posix_spawnattr_init(&at);
        posix_spawnattr_setsigmask(&at, &none);
        posix_spawnattr_setsigdefault(&at, &ignored);
        posix_spawnattr_setpgroup(&at, 0);
        posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
        t0 = now();
        rc = posix_spawnp(&pid, argv[0], &fa, &at, argv, envp ? envp : environ);
        t1 = now();
        posix_spawn_file_actions_destroy(&fa);
        posix_spawnattr_destroy(&at);
    }
    if (!quiet) {
        if (o[1] >= 0) close(o[1]);
        if (e[1] >= 0) close(e[1]);
    }
    if (rc != 0) {
        if (o[0] >= 0) close(o[0]);
        if (e[0] >= 0) close(e[0]);
        spawned_event(id, -rc, t0, t1, 0);
        return;
    }
    size_t s = slot_new();
    kids[s] = (struct child) {.id = id, .pid = pid, .fd = {o[0], e[0]}, .reaped = 0, .used = 1, .quiet = quiet,
                              .p_sent = !quiet, .t0 = t0, .t1 = t1, .join = join};
    if (quiet) return; /* nothing until it is reaped: this process and isobench stay asleep while it runs */
    for (int k = 0; k < 2; k++) {
        fcntl(kids[s].fd[k], F_SETFL, O_NONBLOCK);
        struct epoll_event ee = {.events = EPOLLIN, .data.u64 = ((uint64_t) id << 1 | (uint64_t) k)};
        epoll_ctl(ep, EPOLL_CTL_ADD, kids[s].fd[k], &ee);
    }
    spawned_event(id, pid, t0, t1, join);
}

#define OUT_HDR 18 /* 'O' id:u32 stream:u8 t:u64 len:u32 */
#define CHUNK 65536
/* Output is read into chunk + OUT_HDR and sent from chunk as one 'O' event. */
static unsigned char chunk[OUT_HDR + CHUNK];

/* The 'O' event of n bytes at chunk + OUT_HDR, read from child id's stream k (0 stdout, 1 stderr) at t. */
static void output_event(uint32_t id, int k, uint64_t t, size_t n) {
    chunk[0] = 'O';
    put32(chunk + 1, id);
    chunk[5] = (unsigned char) (k + 1);
    put64(chunk + 6, t);
    put32(chunk + 14, (uint32_t) n);
    out(chunk, OUT_HDR + n);
}

/* The 'E' event: child id's stream k ended. */
static void end_event(uint32_t id, int k) {
    unsigned char ev[6] = {'E'};
    put32(ev + 1, id);
    ev[5] = (unsigned char) (k + 1);
    out(ev, sizeof ev);
}

/* A quiet child's 'P' event, once. */
static void report_spawn(size_t s) {
    if (kids[s].p_sent) return;
    kids[s].p_sent = 1;
    spawned_event(kids[s].id, kids[s].pid, kids[s].t0, kids[s].t1, kids[s].join);
}

/* A reaped quiet child's output: everything its memfds hold, as 'O' events with time 0 (not read as it came), then
 * the end of both streams. What a descendant writes after this is not captured. */
static void flush_quiet(size_t s) {
    for (int k = 0; k < 2; k++) {
        off_t at = 0, written = lseek(kids[s].fd[k], 0, SEEK_CUR);
        while (at < written) {
            size_t want = written - at < CHUNK ? (size_t) (written - at) : CHUNK;
            ssize_t n = pread(kids[s].fd[k], chunk + OUT_HDR, want, at);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
            at += n;
            output_event(kids[s].id, k, 0, (size_t) n);
        }
        close(kids[s].fd[k]);
        kids[s].fd[k] = -1;
        end_event(kids[s].id, k);
    }
}

static size_t find_id(uint32_t id) {
    for (size_t i = 0; i < nkids; i++) {
        if (kids[i].used && kids[i].id == id) return i;
    }
    return (size_t) -1;
}

static void drain(uint32_t id, int k) {
    size_t s = find_id(id);
    if (s == (size_t) -1 || kids[s].fd[k] < 0) return;
    for (;;) {
        ssize_t n = read(kids[s].fd[k], chunk + OUT_HDR, CHUNK);
        if (n > 0) {
            output_event(id, k, now(), (size_t) n);
            if (n < CHUNK) return; /* level-triggered: more comes as another event */
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) return;
        /* EOF or error */
        epoll_ctl(ep, EPOLL_CTL_DEL, kids[s].fd[k], NULL);
        close(kids[s].fd[k]);
        kids[s].fd[k] = -1;
        end_event(id, k);
        maybe_free(s);
        return;
    }
}

static void reap(void) {
    for (;;) {
        int st;
        pid_t p = waitpid(-1, &st, WNOHANG);
        if (p <= 0) return;
        uint64_t t = now();
        for (size_t i = 0; i < nkids; i++) {
            if (kids[i].used && !kids[i].reaped && kids[i].pid == p) {
                if (kids[i].quiet) {
                    report_spawn(i);
                    flush_quiet(i);
                }
                kids[i].reaped = 1;
                unsigned char ev[1 + 4 + 4 + 8] = {'X'};
                put32(ev + 1, kids[i].id);
                put32(ev + 5, (uint32_t) st);
                put64(ev + 9, t);
                out(ev, sizeof ev);
                maybe_free(i);
                break;
            }
        }
    }
}


/* Parses complete requests at the start of buf; returns the bytes consumed. */
static size_t handle(unsigned char *buf, size_t len) {
    size_t used = 0;
    while (len - used >= 9) {
        unsigned char *p = buf + used;
        if (p[0] == 'K') {
            uint32_t id = get32(p + 1), sig = get32(p + 5);
            size_t s = find_id(id);
            if (s != (size_t) -1 && !kids[s].reaped) {
                report_spawn(s); /* a quiet child's pid is needed now, e.g. to kill its descendants */
                if (sig != 0) kill(kids[s].pid, (int) sig);
            }
            used += 9;
            continue;
        }
        if ((p[0] != 'S' && p[0] != 'Q') || len - used < 17) {
            if (p[0] != 'S' && p[0] != 'Q') die(5); /* protocol error */
            break;
        }
        uint32_t id = get32(p + 1), nargs = get32(p + 5), nenv = get32(p + 9), ncg = get32(p + 13);
        size_t nenvs = nenv == 0xffffffffu ? 0 : nenv;
        size_t nstr = (size_t) nargs + nenvs + ncg;
        size_t off = 17;
        int complete = 1;
        for (size_t i = 0; i < nstr; i++) {
            if (len - used < off + 4) { complete = 0; break; }
            uint32_t l = get32(p + off);
            if (len - used < off + 4 + l) { complete = 0; break; }
            off += 4 + l;
        }
        if (!complete) break;
        char **strs = calloc(nstr + 3, sizeof *strs); /* argv, NULL, env, NULL, cgroups, NULL */
        if (!strs) die(4);
        char **argv = strs, **envp = nenv == 0xffffffffu ? NULL : strs + nargs + 1, **cgp = strs + nargs + nenvs + 2;
        off = 17;
        for (size_t i = 0; i < nstr; i++) {
            uint32_t l = get32(p + off);
            char *str = malloc(l + 1);
            if (!str) die(4);
            memcpy(str, p + off + 4, l);
            str[l] = 0;
            if (i < nargs) argv[i] = str;
            else if (i < nargs + nenvs) strs[i + 1] = str;
            else strs[i + 2] = str;
            off += 4 + l;
        }
        if (nargs > 0) spawn(id, argv, envp, cgp, ncg, p[0] == 'Q');
        for (size_t i = 0; i < nstr + 3; i++) free(strs[i]);
        free(strs);
        used += off;
    }
    return used;
}

int main(void) {
    signal(SIGPIPE, SIG_IGN);
    /* isobench handles Ctrl-C and termination itself and still needs this helper while it tears down */
    signal(SIGINT, SIG_IGN);
    signal(SIGTERM, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    sigemptyset(&ignored);
    for (int sig = 1; sig < NSIG; sig++) {
        struct sigaction sa;
        if (sigaction(sig, NULL, &sa) == 0 && sa.sa_handler == SIG_IGN) sigaddset(&ignored, sig);
    }
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, NULL);
    int sfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
    ep = epoll_create1(EPOLL_CLOEXEC);
    if (sfd < 0 || ep < 0) die(2);
    fcntl(0, F_SETFD, FD_CLOEXEC);
    fcntl(1, F_SETFD, FD_CLOEXEC);
    struct epoll_event e1 = {.events = EPOLLIN, .data.u64 = TAG_STDIN}, e2 = {.events = EPOLLIN, .data.u64 = TAG_SIG};
    epoll_ctl(ep, EPOLL_CTL_ADD, 0, &e1);
    epoll_ctl(ep, EPOLL_CTL_ADD, sfd, &e2);
    size_t cap = 1 << 16, len = 0;
    unsigned char *in = malloc(cap);
    if (!in) die(4);
    struct epoll_event evs[256];
    for (;;) {
        int n = epoll_wait(ep, evs, 256, -1);
        if (n < 0) {
            if (errno == EINTR) continue;
            die(2);
        }
        for (int i = 0; i < n; i++) {
            uint64_t tag = evs[i].data.u64;
            if (tag == TAG_STDIN) {
                if (cap - len < 65536) {
                    if (cap >= MAX_MSG * 2) die(5);
                    cap *= 2;
                    unsigned char *bigger = realloc(in, cap);
                    if (!bigger) die(4);
                    in = bigger;
                }
                ssize_t r = read(0, in + len, cap - len);
                if (r == 0 || (r < 0 && errno != EINTR && errno != EAGAIN)) die(0);
                if (r > 0) {
                    len += (size_t) r;
                    size_t used = handle(in, len);
                    memmove(in, in + used, len - used);
                    len -= used;
                }
            } else if (tag == TAG_SIG) {
                struct signalfd_siginfo si;
                while (read(sfd, &si, sizeof si) > 0) {
                }
                reap();
            } else {
                drain((uint32_t) (tag >> 1), (int) (tag & 1));
            }
        }
    }
}
