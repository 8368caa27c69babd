/* The thread limit of job processes (see threadlimit.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/sched.h>
#include <linux/seccomp.h>

#include "runner/threadlimit.h"

#if defined(__x86_64__) && !defined(__ILP32__)
#define NATIVE_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NATIVE_ARCH AUDIT_ARCH_AARCH64
#endif

/* The supervisor's census of the job process's threads.  /proc shows a
 * thread once its clone has made it, and a clone let continue a moment
 * ago may not have run yet: threads cloning at once all passed a count of
 * /proc alone, and a process could end up with about twice its limit.  So
 * each clone let continue is counted too until it is known to be made:
 * - by its thread (the requester): it asks for another clone, it is gone,
 *   or it is seen asleep or stopped (a clone does not sleep
 *   interruptibly nor stop before its thread is in /proc: from the
 *   supervisor's answer to that, the requester waits on a lock, D, or
 *   runs, R); or
 * - by the threads new to /proc: each was made by one of the clones let
 *   continue (every thread of the job process comes from such a clone;
 *   io_uring's workers, made without one, are refused with io_uring_setup
 *   by runner/isolate.c), so k new threads tell k of them made, not
 *   which: they are a credit, lowered by each clone known made by its
 *   requester (whose thread may have been one of them: never counted
 *   twice); when it covers every clone not yet known made, none is left.
 * The count, the threads in /proc plus the clones not known made less the
 * credit, is never below what the process has or is about to have.  A
 * thread that ended at once after its clone leaves that clone counted
 * until its requester asks again, ends, sleeps or stops. */
#define CENSUS_SPARE 64
#define CENSUS_DENTS 32768

struct census {
    pid_t job;
    int cap;    /* room in known, cur and pend */
    int *known; /* the threads (tids) of the last whole look, sorted */
    int nknown;
    int *cur;  /* this look's */
    int *pend; /* the requesters of the clones not known made */
    int npend;
    int credit;  /* threads new to /proc not matched with a clone yet */
    int owed;    /* clones known made by their requester since the last
                    whole look: their threads may be among the new */
    char *dents; /* getdents64's buffer */
};

struct dirent64_raw {
    unsigned long long d_ino;
    long long d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

/* Allocated before the supervisor's own filter (no mmap nor brk there). */
static bool census_init(struct census *c, pid_t job, long max)
{
    memset(c, 0, sizeof *c);
    c->job = job;
    c->cap = (int)max + CENSUS_SPARE;
    c->known = calloc((size_t)c->cap, sizeof *c->known);
    c->cur = calloc((size_t)c->cap, sizeof *c->cur);
    c->pend = calloc((size_t)c->cap, sizeof *c->pend);
    c->dents = calloc(1, CENSUS_DENTS);
    return c->known != NULL && c->cur != NULL && c->pend != NULL &&
           c->dents != NULL;
}

static int cmp_tid(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static bool has_tid(const int *tids, int n, int tid)
{
    return n > 0 && bsearch(&tid, tids, (size_t)n, sizeof *tids, cmp_tid);
}

/* The job process's threads into c->cur, sorted: how many (c->cap + 1
 * when there are more than it holds), or -1. */
static int list_threads(struct census *c)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/task", (long)c->job);
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int n = 0;
    for (;;) {
        long got = syscall(SYS_getdents64, fd, c->dents, CENSUS_DENTS);
        if (got <= 0) {
            n = got < 0 ? -1 : n;
            break;
        }
        for (long off = 0; off < got;) {
            const struct dirent64_raw *d =
                (const struct dirent64_raw *)(void *)(c->dents + off);
            off += d->d_reclen;
            char *end;
            long tid = strtol(d->d_name, &end, 10);
            if (end == d->d_name || *end != '\0' || tid <= 0)
                continue; /* "." and ".." */
            if (n < c->cap)
                c->cur[n] = (int)tid;
            if (n <= c->cap)
                n++;
        }
    }
    close(fd);
    if (n >= 0 && n <= c->cap)
        qsort(c->cur, (size_t)n, sizeof *c->cur, cmp_tid);
    return n;
}

/* The state letter of thread tid of the job process, or 0. */
static char thread_state(pid_t job, int tid)
{
    char path[80], buf[256];
    snprintf(path, sizeof path, "/proc/%ld/task/%d/stat", (long)job, tid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    const char *p = strrchr(buf, ')');
    return p != NULL && p[1] == ' ' ? p[2] : 0;
}

/* The clone of requester tid is made: no longer counted.  Whether it was. */
static bool census_made(struct census *c, int tid)
{
    for (int i = 0; i < c->npend; i++)
        if (c->pend[i] == tid) {
            c->pend[i] = c->pend[--c->npend];
            c->owed++;
            return true;
        }
    return false;
}

/* Look at the job process's threads again; asking: the thread that asks
 * for a clone now (its last clone is made), or 0.  The threads it has or
 * is about to have, or -1 when they cannot be listed. */
static long census_look(struct census *c, int asking)
{
    if (asking > 0)
        census_made(c, asking);
    for (int i = 0; i < c->npend;) {
        char s = thread_state(c->job, c->pend[i]);
        if (s == 'S' || s == 'T' || s == 't' || s == 'Z' || s == 'X')
            census_made(c, c->pend[i]);
        else
            i++;
    }
    /* the threads listed after the states were read: a clone its
     * requester made before has its thread there (or ended) */
    int n = list_threads(c);
    if (n < 0 || n > c->cap || c->npend >= c->cap)
        return n < 0 ? -1 : c->cap + 1; /* over the limit anyway */
    for (int i = 0; i < c->npend;)
        if (!has_tid(c->cur, n, c->pend[i]))
            census_made(c, c->pend[i]); /* its requester is gone */
        else
            i++;
    int fresh = 0;
    for (int i = 0; i < n; i++)
        fresh += !has_tid(c->known, c->nknown, c->cur[i]);
    c->credit += fresh - c->owed;
    c->owed = 0;
    if (c->credit < 0)
        c->credit = 0;
    if (c->credit >= c->npend)
        c->credit = c->npend = 0;
    int *t = c->known;
    c->known = c->cur;
    c->cur = t;
    c->nknown = n;
    return (long)n + c->npend - c->credit;
}

/* The clones counted and not known made. */
static long census_unsure(const struct census *c)
{
    return (long)c->npend - c->credit;
}

/* A clone of requester tid was let continue: counted until made.  Look
 * for it a little (up to about 10 ms) while no other clone asks (on
 * listener lfd): with one clone not yet made, its thread's appearance
 * tells it made; a thread that ended before it was seen leaves it
 * counted until its requester asks again, sleeps or ends.  (A requester
 * has one clone at a time and is listed, so there is room in pend.) */
static void census_grant(struct census *c, int tid, int lfd)
{
    c->pend[c->npend++] = tid;
    for (int i = 0; i < 200 && c->npend > 0; i++) {
        struct pollfd p = {.fd = lfd, .events = POLLIN};
        struct timespec t = {.tv_sec = 0, .tv_nsec = 50000};
        if (ppoll(&p, 1, &t, NULL) != 0)
            return; /* another clone asks (or the listener is gone) */
        census_look(c, 0);
    }
}

/* Receive one descriptor on sock, or -1. */
static int recv_fd(int sock)
{
    char byte;
    struct iovec iov = {.iov_base = &byte, .iov_len = 1};
    union {
        struct cmsghdr h;
        char buf[CMSG_SPACE(sizeof(int))];
    } cm;
    struct msghdr mh = {.msg_iov = &iov,
                        .msg_iovlen = 1,
                        .msg_control = cm.buf,
                        .msg_controllen = sizeof cm.buf};
    if (recvmsg(sock, &mh, MSG_CMSG_CLOEXEC) <= 0)
        return -1;
    struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
    int fd = -1;
    if (c != NULL && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
        memcpy(&fd, CMSG_DATA(c), sizeof fd);
    return fd;
}

/* The supervisor holds nothing of the runner's privileges: forked by a
 * job process before it isolates itself, it had the runner's every
 * capability (a runner started as root) and could gain more (no
 * PR_SET_NO_NEW_PRIVS), where it needs none: it reads /proc/<job>/task
 * (its threads and their stat files, mode 0444), writes its mark in the job's directory (the runner's
 * user's) and kills the job process (its own user's).  No new privileges,
 * and every capability dropped: the bounding set first (it takes
 * CAP_SETPCAP; EPERM without it, EINVAL past the kernel's last), the
 * ambient set, then the permitted, effective and inheritable sets. */
static bool drop_privileges(void)
{
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        return false;
    for (int cap = 0; cap < 64; cap++)
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno == EINVAL)
            break;
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
    struct __user_cap_header_struct h = {
        .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    struct __user_cap_data_struct d[2];
    memset(d, 0, sizeof d);
    return syscall(SYS_capset, &h, d) == 0;
}

/* Then, its descriptors and memory in hand, nothing but the system calls
 * of its loop (seccomp: any other kills it, and the job process's clones
 * fail with ENOSYS: never unbounded): poll, getppid, ioctl on its
 * listener only, openat (/proc/<job>/task and its threads' stat files,
 * its mark), read, getdents64, write, close,
 * nanosleep, kill of the job process with SIGKILL only, exit. */
#define ALLOW_NR(nr)                                                          \
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1),                          \
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)

/* ThreadSanitizer's interceptors (poll, nanosleep, open: blocking
 * signals around them) make system calls outside this list, which killed
 * the supervisor in its first round (the runner's probe then took the
 * kernel for one that cannot continue a clone): left out there. */
#if defined(__SANITIZE_THREAD__)
#define THREAD_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define THREAD_SANITIZED 1
#endif
#endif

static bool allow_only_its_loop(int lfd, pid_t job)
{
#ifdef THREAD_SANITIZED
    (void)lfd;
    (void)job;
    return true;
#elif defined(NATIVE_ARCH)
    struct sock_filter f[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
                 offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NATIVE_ARCH, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
#ifdef SYS_poll
        ALLOW_NR(SYS_poll),
#endif
        ALLOW_NR(SYS_ppoll),
        ALLOW_NR(SYS_getppid),
        ALLOW_NR(SYS_openat),
        ALLOW_NR(SYS_read),
        ALLOW_NR(SYS_getdents64),
        ALLOW_NR(SYS_write),
        ALLOW_NR(SYS_close),
#ifdef SYS_nanosleep
        ALLOW_NR(SYS_nanosleep),
#endif
        ALLOW_NR(SYS_clock_nanosleep),
        /* a poll or sleep stopped and continued is restarted with it */
        ALLOW_NR(SYS_restart_syscall),
        ALLOW_NR(SYS_exit_group),
        ALLOW_NR(SYS_exit),
        /* ioctl: on the listener only */
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_ioctl, 0, 4),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
                 offsetof(struct seccomp_data, args[0])),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)lfd, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
        /* kill: SIGKILL of the job process only */
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_kill, 0, 5),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
                 offsetof(struct seccomp_data, args[0])),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)job, 0, 3),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
                 offsetof(struct seccomp_data, args[1])),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SIGKILL, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
    };
    struct sock_fprog prog = {.len = (unsigned short)(sizeof f / sizeof f[0]),
                              .filter = f};
    return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0U, &prog) == 0;
#else
    (void)lfd;
    (void)job;
    return false;
#endif
}

/* The limit was reached: say so in the job's directory (dirfd), in a new
 * file only: what the job left under that name (a hard link to another
 * file of the runner's user) is not written into. */
static void leave_mark(int dirfd, long max)
{
    int fd = openat(dirfd, HZ_THREADLIMIT_MARK,
                    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NONBLOCK |
                        O_CLOEXEC,
                    0600);
    char line[32];
    int len = snprintf(line, sizeof line, "%ld\n", max);
    if (fd >= 0 && write(fd, line, (size_t)len) != len) {
        /* the runner still sees the job killed */
    }
    if (fd >= 0)
        close(fd);
}

/* The supervisor: answer each clone(CLONE_THREAD) of the job process
 * until it is gone; past max threads, refuse, leave the mark (in
 * directory dirfd) and kill it. */
static _Noreturn void supervise(int sock, int dirfd, pid_t job, long max)
{
    int lfd = recv_fd(sock);
    close(sock);
    struct seccomp_notif_sizes sz;
    if (lfd < 0 || syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sz) != 0)
        _exit(0);
    struct seccomp_notif *req = calloc(
        1, sz.seccomp_notif > sizeof *req ? sz.seccomp_notif : sizeof *req);
    struct seccomp_notif_resp *resp = calloc(
        1, sz.seccomp_notif_resp > sizeof *resp ? sz.seccomp_notif_resp
                                                : sizeof *resp);
    struct census c;
    if (req == NULL || resp == NULL || !census_init(&c, job, max) ||
        !allow_only_its_loop(lfd, job))
        _exit(0);
    bool said = false;
    for (;;) {
        struct pollfd p = {.fd = lfd, .events = POLLIN};
        int r = poll(&p, 1, 1000);
        if (r < 0 && errno != EINTR)
            _exit(0);
        if (getppid() != job || (r > 0 && (p.revents & (POLLHUP | POLLERR))))
            _exit(0); /* the job process is gone */
        if (r <= 0 || !(p.revents & POLLIN))
            continue;
        memset(req, 0, sz.seccomp_notif);
        if (ioctl(lfd, SECCOMP_IOCTL_NOTIF_RECV, req) != 0)
            continue; /* EINTR, or the thread is gone (ENOENT) */
        long n = said ? -1 : census_look(&c, (int)req->pid);
        /* a thread that ended a moment ago is counted until the kernel
         * has released it, which may be after pthread_join returned: a
         * job process one thread below its limit that starts and joins
         * threads in a loop would be taken for over it.  Look again for
         * up to 100 ms before refusing (what is over its limit stays);
         * up to 2 s while the threads listed alone are below it, the
         * rest clones not known made (a thread that ended unseen, its
         * starter running on: the clone is known made once the starter
         * sleeps, asks again or ends) */
        for (int i = 0; !said && (n < 0 || n >= max) && i < 2000; i++) {
            if (i >= 100 && (n < 0 || n - census_unsure(&c) >= max))
                break;
            struct timespec ms = {.tv_sec = 0, .tv_nsec = 1000000};
            nanosleep(&ms, NULL);
            n = census_look(&c, 0);
        }
        memset(resp, 0, sz.seccomp_notif_resp);
        resp->id = req->id;
        if (n >= 0 && n < max) {
            resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
        } else {
            resp->error = -EAGAIN;
            if (!said) {
                said = true;
                leave_mark(dirfd, max);
            }
            kill(job, SIGKILL);
        }
        if (ioctl(lfd, SECCOMP_IOCTL_NOTIF_SEND, resp) == 0) {
            if (resp->flags != 0)
                census_grant(&c, (int)req->pid, lfd);
        } else if (errno == EINVAL) {
            _exit(0); /* a kernel before 5.5 (no ..._FLAG_CONTINUE): gone,
                         its clone fails (ENOSYS) instead of waiting */
        }
        /* else the thread is gone (ENOENT): no clone */
    }
}

int hz__threadlimit_start(int max, const char *dir)
{
#ifdef NATIVE_ARCH
    int sp[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) != 0)
        return -1;
    int dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    pid_t job = getpid();
    pid_t pid = dirfd >= 0 ? fork() : -1;
    int e = errno;
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        /* a session and process group of its own, stop signals
         * ignored: no signal to the job's process group (kill(0), a
         * terminal's SIGTTIN) stops it (the job process may signal no
         * other process: runner/isolate.c) */
        setsid();
        signal(SIGTSTP, SIG_IGN);
        signal(SIGTTIN, SIG_IGN);
        signal(SIGTTOU, SIG_IGN);
        if (getppid() != job || !drop_privileges())
            _exit(0);
        close(sp[0]);
        /* nothing of the job's but these two (its streams, its files) */
        unsigned lo = (unsigned)(sp[1] < dirfd ? sp[1] : dirfd);
        unsigned hi = (unsigned)(sp[1] < dirfd ? dirfd : sp[1]);
        if (lo > 0)
            syscall(SYS_close_range, 0U, lo - 1, 0U);
        if (hi > lo + 1)
            syscall(SYS_close_range, lo + 1, hi - 1, 0U);
        syscall(SYS_close_range, hi + 1, ~0U, 0U);
        supervise(sp[1], dirfd, job, max);
    }
    close(sp[1]);
    if (dirfd >= 0)
        close(dirfd);
    if (pid < 0) {
        close(sp[0]);
        errno = e;
        return -1;
    }
    return sp[0];
#else
    (void)max;
    (void)dir;
    errno = ENOSYS;
    return -1;
#endif
}

hz_status hz__threadlimit_apply(int fd, hz_error *err)
{
#ifdef NATIVE_ARCH
    struct sock_filter f[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
                 offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NATIVE_ARCH, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EACCES),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
#ifdef __x86_64__
        /* x32 system calls (bit 30) are another ABI */
        BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000U, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EACCES),
#endif
        /* clone3's flags sit in memory a filter cannot read: ENOSYS, on
         * which the C library makes its threads with clone */
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone3, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
                 offsetof(struct seccomp_data, args[0])),
        BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, CLONE_THREAD, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = {.len = (unsigned short)(sizeof f / sizeof f[0]),
                              .filter = f};
    int lfd = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
                           SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
    int e = errno;
    bool sent = false;
    if (lfd >= 0) {
        char byte = 'L';
        struct iovec iov = {.iov_base = &byte, .iov_len = 1};
        union {
            struct cmsghdr h;
            char buf[CMSG_SPACE(sizeof(int))];
        } cm;
        memset(&cm, 0, sizeof cm);
        struct msghdr mh = {.msg_iov = &iov,
                            .msg_iovlen = 1,
                            .msg_control = cm.buf,
                            .msg_controllen = sizeof cm.buf};
        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &lfd, sizeof lfd);
        sent = sendmsg(fd, &mh, MSG_NOSIGNAL) == 1;
        e = errno;
        close(lfd); /* the supervisor's now (or no thread more: ENOSYS) */
    }
    close(fd);
    if (lfd >= 0 && sent)
        return HZ_OK;
    return hz_error_set(
        err, HZ_EIO, "could not limit the job process's threads: %s: %s",
        lfd < 0 ? "seccomp filter of clone" : "its supervisor", strerror(e));
#else
    close(fd);
    return hz_error_set(err, HZ_EIO,
                        "could not limit the job process's threads: no "
                        "seccomp filter for this architecture");
#endif
}

static void *probe_thread(void *arg)
{
    return arg;
}

bool hz__threadlimit_available(char *why, size_t why_sz)
{
    /* 0: held; 1: no filter with a listener; 2: no thread under it.
     * The try in a grandchild, its supervisor reaped here in the child (a
     * subreaper): a runner that is process 1 would be left it a zombie */
    pid_t pid = fork();
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        prctl(PR_SET_CHILD_SUBREAPER, 1);
        pid_t q = fork();
        if (q == 0) {
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            int fd = hz__threadlimit_start(HZ_THREADLIMIT(1), "/");
            hz_error err;
            if (fd < 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
                hz__threadlimit_apply(fd, &err) != HZ_OK)
                _exit(1);
            pthread_t t;
            if (pthread_create(&t, NULL, probe_thread, NULL) != 0)
                _exit(2);
            pthread_join(t, NULL);
            _exit(0);
        }
        int code = 1, st = 0;
        for (pid_t w;
             q > 0 && ((w = waitpid(-1, &st, 0)) > 0 || errno == EINTR);)
            if (w == q)
                code = WIFEXITED(st) ? WEXITSTATUS(st) : 1;
        _exit(code);
    }
    int st = 0;
    while (pid > 0 && waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    int code = pid > 0 && WIFEXITED(st) ? WEXITSTATUS(st) : 1;
    if (code != 0 && why != NULL && why_sz > 0)
        snprintf(why, why_sz, "%s",
                 code == 2 ? "the kernel cannot let a thread's clone "
                             "continue under seccomp user notification "
                             "(Linux 5.5 or later)"
                           : "no seccomp user notification (Linux 5.0 or "
                             "later, seccomp allowed to this process)");
    return code == 0;
}
