/* The thread limit of job processes (runner/threadlimit.h): a thread that
 * ended no longer counts.  Before, a thread joined a moment ago was still
 * counted (the kernel releases it after pthread_join returns), and a job
 * process one thread below its limit that started and joined threads in
 * a loop (a parallel region, a resolver's lookup, one after the other)
 * was killed as over its limit.  Each case runs in a child process: the
 * filter cannot be taken back. */
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hz_test.h"
#include "runner/threadlimit.h"

#define MAX 8

/* A thread that ends at once, with descriptors of its own to close: the
 * kernel closes them after pthread_join has returned, and only then
 * stops counting it (the window made wide enough to be hit each time). */
static void *quick(void *arg)
{
    if (unshare(CLONE_FILES) == 0)
        for (int i = 0; i < 500; i++)
            if (dup(2) < 0)
                break;
    return arg;
}

static void *idle(void *arg)
{
    (void)arg;
    for (;;)
        pause();
    return NULL;
}

/* In a child: limit it to MAX threads (the supervisor's mark in dir),
 * start `keep` threads that wait, then start and join a thread `loops`
 * times.  Its wait status. */
static int run_child(const char *dir, int keep, int loops, int groups)
{
    pid_t pid = fork();
    if (pid == 0) {
        static gid_t gids[2000];
        for (int i = 0; i < groups && i < 2000; i++)
            gids[i] = (gid_t)(100000 + i);
        if (groups > 0 && setgroups((size_t)groups, gids) != 0)
            _exit(5);
        prctl(PR_SET_DUMPABLE, 0);
        int tl = hz__threadlimit_start(MAX, dir);
        hz_error err;
        if (tl < 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
            hz__threadlimit_apply(tl, &err) != HZ_OK)
            _exit(2);
        for (int i = 0; i < keep; i++) {
            pthread_t t;
            if (pthread_create(&t, NULL, idle, NULL) != 0)
                _exit(3);
        }
        for (int i = 0; i < loops; i++) {
            pthread_t t;
            if (pthread_create(&t, NULL, quick, NULL) != 0)
                _exit(4);
            pthread_join(t, NULL);
        }
        _exit(0);
    }
    int st = -1;
    while (pid > 0 && waitpid(pid, &st, 0) < 0) {
    }
    return st;
}

HZ_TEST(threads_started_and_joined_below_the_limit_never_reach_it)
{
    char dir[] = "/tmp/hz_threadlimit_XXXXXX";
    HZ_CHECK(mkdtemp(dir) != NULL);
    /* the main thread and MAX - 2 that wait: one below the limit */
    int st = run_child(dir, MAX - 2, 300, 0);
    HZ_CHECK_MSG(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the child %s %d",
                 WIFSIGNALED(st) ? "was killed by signal" : "exited with",
                 WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
    char mark[64];
    snprintf(mark, sizeof mark, "%s/" HZ_THREADLIMIT_MARK, dir);
    struct stat sb;
    HZ_CHECK_MSG(lstat(mark, &sb) != 0, "%s was left", mark);
    unlink(mark);
    rmdir(dir);
}

HZ_TEST(a_thread_past_the_limit_kills_the_process_and_leaves_the_mark)
{
    char dir[] = "/tmp/hz_threadlimit_XXXXXX";
    HZ_CHECK(mkdtemp(dir) != NULL);
    int st = run_child(dir, MAX + 4, 0, 0);
    HZ_CHECK_MSG(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
                 "the child was not killed (status %d)", st);
    char mark[64];
    snprintf(mark, sizeof mark, "%s/" HZ_THREADLIMIT_MARK, dir);
    struct stat sb;
    HZ_CHECK_MSG(lstat(mark, &sb) == 0, "no %s", mark);
    unlink(mark);
    rmdir(dir);
}

/* The supervisor writes its mark only as a new file: a job process
 * (without Landlock) that left a hard link named HZ_THREADLIMIT_MARK to
 * another file (the store, another user's: the supervisor keeps the
 * runner's capabilities) and then passed its limit had the supervisor
 * truncate that file and write into it. */
HZ_TEST(the_mark_never_writes_into_a_file_the_job_left_there)
{
    char dir[] = "/tmp/hz_threadlimit_XXXXXX";
    HZ_CHECK(mkdtemp(dir) != NULL);
    char victim[64], mark[64];
    snprintf(victim, sizeof victim, "%s.victim", dir);
    snprintf(mark, sizeof mark, "%s/" HZ_THREADLIMIT_MARK, dir);
    FILE *f = fopen(victim, "w");
    HZ_CHECK(f != NULL);
    if (f != NULL) {
        fputs("precious\n", f);
        fclose(f);
    }
    HZ_CHECK(link(victim, mark) == 0);
    int st = run_child(dir, MAX + 4, 0, 0);
    HZ_CHECK_MSG(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
                 "the child was not killed (status %d)", st);
    char buf[32] = "";
    f = fopen(victim, "r");
    HZ_CHECK(f != NULL);
    if (f != NULL) {
        if (fgets(buf, sizeof buf, f) == NULL)
            buf[0] = '\0';
        fclose(f);
    }
    HZ_CHECK_MSG(strcmp(buf, "precious\n") == 0, "%s now holds '%s'", victim,
                 buf);
    unlink(mark);
    unlink(victim);
    rmdir(dir);
}

/* A job process of a user in many groups (a directory service's: its
 * /proc status lists them before its threads) is counted all the same.
 * Before, the count was looked for in the first 4 KiB of that file
 * alone: not found, every thread was refused and the job process
 * killed as over its limit (reason threads). */
HZ_TEST(a_user_in_many_groups_may_start_threads)
{
    if (geteuid() != 0) {
        hz_test_skip("not root: no supplementary groups to set");
        return;
    }
    char dir[] = "/tmp/hz_threadlimit_XXXXXX";
    HZ_CHECK(mkdtemp(dir) != NULL);
    int st = run_child(dir, 2, 2, 2000);
    HZ_CHECK_MSG(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the child %s %d",
                 WIFSIGNALED(st) ? "was killed by signal" : "exited with",
                 WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
    char mark[64];
    snprintf(mark, sizeof mark, "%s/" HZ_THREADLIMIT_MARK, dir);
    unlink(mark);
    rmdir(dir);
}

/* The status line `key` of /proc/<pid>/status: its value, or "" */
static void status_line(pid_t pid, const char *key, char *val, size_t n)
{
    char path[64], line[512];
    snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
    val[0] = '\0';
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return;
    size_t kl = strlen(key);
    while (fgets(line, sizeof line, f) != NULL)
        if (strncmp(line, key, kl) == 0 && line[kl] == ':') {
            const char *v = line + kl + 1;
            while (*v == ' ' || *v == '\t')
                v++;
            snprintf(val, n, "%.*s", (int)strcspn(v, "\n"), v);
            break;
        }
    fclose(f);
}

/* The supervisor of a job process of a runner started as root holds no
 * capability, may gain none and is held to its own system calls.
 * Before, it kept the runner's every capability (and no
 * PR_SET_NO_NEW_PRIVS): what got to run in it could do what root does.
 * Its status is read by the job process once a thread was let through
 * (the supervisor is then in its loop); the exit code says what was
 * wrong. */
HZ_TEST(the_supervisor_holds_no_capability_and_gains_none)
{
    if (geteuid() != 0) {
        hz_test_skip("not root: no capabilities to drop");
        return;
    }
    char dir[] = "/tmp/hz_threadlimit_XXXXXX";
    HZ_CHECK(mkdtemp(dir) != NULL);
    pid_t pid = fork();
    if (pid == 0) {
        prctl(PR_SET_DUMPABLE, 0);
        int tl = hz__threadlimit_start(MAX, dir);
        hz_error err;
        if (tl < 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
            hz__threadlimit_apply(tl, &err) != HZ_OK)
            _exit(2);
        pthread_t t;
        if (pthread_create(&t, NULL, quick, NULL) != 0)
            _exit(3);
        pthread_join(t, NULL);
        char path[64], buf[64] = "";
        snprintf(path, sizeof path, "/proc/%ld/task/%ld/children",
                 (long)getpid(), (long)getpid());
        FILE *f = fopen(path, "r");
        if (f == NULL || fgets(buf, sizeof buf, f) == NULL)
            _exit(4);
        fclose(f);
        pid_t sup = (pid_t)strtol(buf, NULL, 10);
        char v[64];
        status_line(sup, "CapEff", v, sizeof v);
        if (strcmp(v, "0000000000000000") != 0)
            _exit(10);
        status_line(sup, "CapPrm", v, sizeof v);
        if (strcmp(v, "0000000000000000") != 0)
            _exit(11);
        status_line(sup, "CapBnd", v, sizeof v);
        if (strcmp(v, "0000000000000000") != 0)
            _exit(12);
        status_line(sup, "CapAmb", v, sizeof v);
        if (strcmp(v, "0000000000000000") != 0)
            _exit(13);
        status_line(sup, "NoNewPrivs", v, sizeof v);
        if (strcmp(v, "1") != 0)
            _exit(14);
        status_line(sup, "Seccomp", v, sizeof v);
        if (strcmp(v, "2") != 0)
            _exit(15);
        /* and it still counts: past the limit, killed */
        for (int i = 0; i < MAX + 4; i++)
            if (pthread_create(&t, NULL, idle, NULL) != 0)
                _exit(5);
        _exit(6);
    }
    int st = -1;
    while (pid > 0 && waitpid(pid, &st, 0) < 0) {
    }
    HZ_CHECK_MSG(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
                 "the child %s %d (10-13: a capability kept, 14: no "
                 "NoNewPrivs, 15: no seccomp filter)",
                 WIFSIGNALED(st) ? "was killed by signal" : "exited with",
                 WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
    char mark[64];
    snprintf(mark, sizeof mark, "%s/" HZ_THREADLIMIT_MARK, dir);
    struct stat sb;
    HZ_CHECK_MSG(lstat(mark, &sb) == 0, "no %s", mark);
    unlink(mark);
    rmdir(dir);
}

/* Threads that clone at the same moment are counted each: the process
 * never has more threads than its limit.  Before, the supervisor counted
 * the threads /proc showed when it answered a clone, and a clone it had
 * let continue a moment before was not among them yet: threads released
 * together from a barrier, each starting threads, all passed, and the
 * process had up to about twice its limit.  Every thread that runs adds
 * itself to a counter the test reads after the child is gone (a lower
 * bound of its peak: a thread the kill caught before it ran is not in
 * it). */
#define BURST_LIMIT 24
#define BURST_CLONERS 12
#define BURST_EACH 4

struct burst {
    pthread_barrier_t go;
    int started; /* threads that ran, the main one not among them */
};

static void *burst_idle(void *arg)
{
    __atomic_add_fetch(&((struct burst *)arg)->started, 1, __ATOMIC_SEQ_CST);
    for (;;)
        pause();
    return NULL;
}

static void *burst_cloner(void *arg)
{
    struct burst *b = arg;
    __atomic_add_fetch(&b->started, 1, __ATOMIC_SEQ_CST);
    pthread_barrier_wait(&b->go);
    for (int i = 0; i < BURST_EACH; i++) {
        pthread_t t;
        if (pthread_create(&t, NULL, burst_idle, b) != 0)
            break; /* refused: the supervisor kills the process */
    }
    for (;;)
        pause();
    return NULL;
}

/* One round: a limited child releases its cloners at once; the threads
 * that ran (the main one too), or -1 when the child did not end killed
 * with the mark left. */
static int burst_round(const char *dir)
{
    struct burst *b = mmap(NULL, sizeof *b, PROT_READ | PROT_WRITE,
                           MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (b == MAP_FAILED)
        return -1;
    pthread_barrierattr_t ba;
    pthread_barrierattr_init(&ba);
    pthread_barrierattr_setpshared(&ba, PTHREAD_PROCESS_SHARED);
    pthread_barrier_init(&b->go, &ba, BURST_CLONERS);
    b->started = 0;
    pid_t pid = fork();
    if (pid == 0) {
        prctl(PR_SET_DUMPABLE, 0);
        int tl = hz__threadlimit_start(BURST_LIMIT, dir);
        hz_error err;
        if (tl < 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
            hz__threadlimit_apply(tl, &err) != HZ_OK)
            _exit(2);
        for (int i = 0; i < BURST_CLONERS; i++) {
            pthread_t t;
            if (pthread_create(&t, NULL, burst_cloner, b) != 0)
                _exit(3);
        }
        for (;;)
            pause();
    }
    int st = -1;
    while (pid > 0 && waitpid(pid, &st, 0) < 0) {
    }
    int ran = 1 + __atomic_load_n(&b->started, __ATOMIC_SEQ_CST);
    munmap(b, sizeof *b);
    char mark[64];
    snprintf(mark, sizeof mark, "%s/" HZ_THREADLIMIT_MARK, dir);
    struct stat sb;
    bool marked = lstat(mark, &sb) == 0;
    unlink(mark);
    return WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL && marked ? ran : -1;
}

HZ_TEST(threads_cloning_at_once_never_pass_the_limit)
{
    char dir[] = "/tmp/hz_threadlimit_XXXXXX";
    HZ_CHECK(mkdtemp(dir) != NULL);
    int peak = 0;
    for (int round = 0; round < 20; round++) {
        int ran = burst_round(dir);
        HZ_CHECK_MSG(ran > 0,
                     "round %d: the child was not killed with "
                     "the mark left",
                     round);
        if (ran > peak)
            peak = ran;
    }
    rmdir(dir);
    HZ_CHECK_MSG(peak <= BURST_LIMIT, "a process limited to %d threads had %d",
                 BURST_LIMIT, peak);
}
