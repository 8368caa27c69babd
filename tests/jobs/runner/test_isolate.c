/* Job isolation (runner/isolate.h): a forked process restricted as a job
 * process is cannot open the store file, another tenant's dataset, a
 * file in the home directory or another job's files, nor write outside
 * its own directory, bind or (without a URL dataset) connect TCP,
 * signal its parent, make a UNIX socket or an io_uring (seccomp); it
 * still reads its own dataset and writes its result.  Skipped where the
 * kernel has no Landlock. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "hz_test.h"
#include "net/sandbox.h"
#include "runner/disklimit.h"
#include "runner/isolate.h"

/* What the restricted child tried, in order; each is 0 (allowed) or the
 * errno it got. */
enum {
    T_STORE,
    T_OTHER_TENANT,
    T_HOME,
    T_OTHER_JOB,
    T_OWN_DATASET,
    T_SAME_TENANT_OTHER_FILE,
    T_WRITE_OWN,
    T_RENAME_OWN,
    T_RENAME_OVER,
    T_UNLINK_OWN,
    T_TMPFILE_OWN,
    T_WRITE_WORKDIR,
    T_PROC_SELF,
    T_PROC_FD,
    T_PROC_MOUNTINFO,
    T_PROC_MOUNTS,
    T_PROC_NET,
    T_PROC_TASK,
    T_CAPS,
    T_ETC_PASSWD,
    T_BIND,
    T_CONNECT,
    T_SIGNAL_PARENT,
    T_UNIX_SOCKET,
    T_CA_BUNDLE,
    T_RESOLV_CONF,
    T_IO_URING,
    T_N
};

/* Debian's CA bundle (libcurl's default), where the system has it */
#define CA_BUNDLE "/etc/ssl/certs/ca-certificates.crt"

typedef struct fixture {
    char root[4096], store[4200], globex[4200], home[4200], other_job[4200],
        own[4200], own_other[4200], jobdir[4200], workdir[4200];
} fixture;

static void put(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f != NULL) {
        fputs(text, f);
        fclose(f);
    }
}

static void make_fixture(fixture *fx)
{
    snprintf(fx->root, sizeof fx->root, "%s/iso-XXXXXX", hz_test_tmpdir());
    if (mkdtemp(fx->root) == NULL)
        return;
    char d[4300];
    const char *dirs[] = {"data", "data/acme", "data/globex", "home",
                          "home/.ssh", "run", "run/job-0-1", "run/job-0-2"};
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        snprintf(d, sizeof d, "%s/%s", fx->root, dirs[i]);
        mkdir(d, 0700);
    }
    snprintf(fx->store, sizeof fx->store, "%s/store.db", fx->root);
    snprintf(fx->globex, sizeof fx->globex, "%s/data/globex/secret.csv",
             fx->root);
    snprintf(fx->home, sizeof fx->home, "%s/home/.ssh/id_ed25519", fx->root);
    snprintf(fx->other_job, sizeof fx->other_job,
             "%s/run/job-0-2/result.json", fx->root);
    snprintf(fx->own, sizeof fx->own, "%s/data/acme/sales.csv", fx->root);
    snprintf(fx->own_other, sizeof fx->own_other, "%s/data/acme/other.csv",
             fx->root);
    snprintf(fx->jobdir, sizeof fx->jobdir, "%s/run/job-0-1", fx->root);
    snprintf(fx->workdir, sizeof fx->workdir, "%s/run", fx->root);
    put(fx->store, "SQLite format 3");
    put(fx->globex, "customer,amount\nG1,10\n");
    put(fx->home, "PRIVATE KEY");
    put(fx->other_job, "{\"rows\":[]}\n");
    put(fx->own, "date,value\n2024-01-01,1\n");
    put(fx->own_other, "date,value\n2024-01-01,2\n");
}

static int try_open(const char *path, int flags)
{
    int fd = open(path, flags | O_CLOEXEC, 0600);
    if (fd < 0)
        return errno;
    close(fd);
    return 0;
}

/* The child: restrict itself as a job of tenant acme on dataset, then
 * try everything and write the errnos to out. */
static void child(const fixture *fx, const hz_sandbox *sb,
                  const char *dataset, int port, int out)
{
    int r[T_N];
    hz__isolation iso;
    char real[4096];
    hz_error err;
    hz__isolation_for_job(sb, "acme", dataset, fx->jobdir, &iso, real,
                          sizeof real);
    if (hz__isolation_apply(&iso, NULL, &err) != HZ_OK) {
        fprintf(stderr, "apply: %s\n", err.msg);
        _exit(3);
    }
    char p[4400], q[4400];
    r[T_STORE] = try_open(fx->store, O_RDONLY);
    r[T_OTHER_TENANT] = try_open(fx->globex, O_RDONLY);
    r[T_HOME] = try_open(fx->home, O_RDONLY);
    r[T_OTHER_JOB] = try_open(fx->other_job, O_RDONLY);
    r[T_OWN_DATASET] = try_open(fx->own, O_RDONLY);
    r[T_SAME_TENANT_OTHER_FILE] = try_open(fx->own_other, O_RDONLY);
    snprintf(p, sizeof p, "%s/result.json.part", fx->jobdir);
    snprintf(q, sizeof q, "%s/result.json", fx->jobdir);
    r[T_WRITE_OWN] = try_open(p, O_WRONLY | O_CREAT | O_TRUNC);
    r[T_RENAME_OWN] = hz__disklimit_rename(p, q) == 0 ? 0 : errno;
    /* no file out of the runner's sight (its disk limit): no rename over
     * a file, no unlink, no O_TMPFILE */
    r[T_RENAME_OVER] = try_open(p, O_WRONLY | O_CREAT | O_TRUNC);
    if (r[T_RENAME_OVER] == 0)
        r[T_RENAME_OVER] = rename(p, q) == 0 ? 0 : errno;
    r[T_UNLINK_OWN] = unlink(q) == 0 ? 0 : errno;
    r[T_TMPFILE_OWN] = try_open(fx->jobdir, O_TMPFILE | O_WRONLY);
    snprintf(p, sizeof p, "%s/planted", fx->workdir);
    r[T_WRITE_WORKDIR] = try_open(p, O_WRONLY | O_CREAT | O_TRUNC);
    r[T_PROC_SELF] = try_open("/proc/self/status", O_RDONLY);
    r[T_PROC_FD] = try_open("/proc/self/fd", O_RDONLY | O_DIRECTORY);
    r[T_PROC_MOUNTINFO] = try_open("/proc/self/mountinfo", O_RDONLY);
    r[T_PROC_MOUNTS] = try_open("/proc/self/mounts", O_RDONLY);
    r[T_PROC_NET] = try_open("/proc/self/net/tcp", O_RDONLY);
    r[T_PROC_TASK] = try_open("/proc/thread-self/mountinfo", O_RDONLY);
    /* no capability but reading files (a runner started as root) */
    struct __user_cap_header_struct ch = {
        .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    struct __user_cap_data_struct cd[2];
    memset(cd, 0, sizeof cd);
    r[T_CAPS] = syscall(SYS_capget, &ch, cd) != 0 ? -1
                : (int)((cd[0].permitted | cd[0].inheritable) &
                        ~((1U << CAP_DAC_OVERRIDE) |
                          (1U << CAP_DAC_READ_SEARCH))) != 0 ||
                        cd[1].permitted != 0 ||
                        prctl(PR_CAPBSET_READ, CAP_SYS_BOOT, 0, 0, 0) == 1
                    ? 1
                    : 0;
    r[T_ETC_PASSWD] = try_open("/etc/passwd", O_RDONLY);
    /* a job process of a local dataset may make no socket: the socket's
     * errno then stands for the bind's and the connect's */
    int s = socket(AF_INET, SOCK_STREAM, 0);
    int se = errno;
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    r[T_BIND] = s < 0 ? se
                : bind(s, (struct sockaddr *)&a, sizeof a) == 0 ? 0
                                                                : errno;
    if (s >= 0)
        close(s);
    s = socket(AF_INET, SOCK_STREAM, 0);
    se = errno;
    a.sin_port = htons((unsigned short)port);
    r[T_CONNECT] = s < 0 ? se
                   : connect(s, (struct sockaddr *)&a, sizeof a) == 0
                       ? 0
                       : errno;
    if (s >= 0)
        close(s);
    r[T_SIGNAL_PARENT] = kill(getppid(), 0) == 0 ? 0 : errno;
    s = socket(AF_UNIX, SOCK_STREAM, 0);
    r[T_UNIX_SOCKET] = s >= 0 ? 0 : errno;
    if (s >= 0)
        close(s);
    r[T_CA_BUNDLE] = try_open(CA_BUNDLE, O_RDONLY);
    r[T_RESOLV_CONF] = try_open("/etc/resolv.conf", O_RDONLY);
    /* a ring makes and connects sockets (IORING_OP_SOCKET, _CONNECT)
     * without socket(2): the filter would not see a UNIX socket */
    char params[120] = {0}; /* struct io_uring_params */
    s = (int)syscall(SYS_io_uring_setup, 1U, params);
    r[T_IO_URING] = s >= 0 ? 0 : errno;
    if (s >= 0)
        close(s);
    _exit(write(out, r, sizeof r) == (ssize_t)sizeof r ? 0 : 4);
}

/* Fork a child restricted for dataset; its results in r.  False when it
 * failed (reported). */
static int run_child(const fixture *fx, const char *dataset, int r[T_N])
{
    hz_sandbox sb;
    hz_error err;
    char roots[4300];
    snprintf(roots, sizeof roots, "%s/data/{tenant}", fx->root);
    hz_sandbox_init(&sb);
    if (hz_sandbox_configure(&sb, roots, "127.0.0.1", "127.0.0.1/32", &err) !=
        HZ_OK) {
        fprintf(stderr, "sandbox: %s\n", err.msg);
        return 0;
    }
    /* a listener for the connect test */
    int l = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof a;
    if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof a) != 0 ||
        listen(l, 4) != 0 || getsockname(l, (struct sockaddr *)&a, &al) != 0)
        return 0;
    int pp[2];
    if (pipe(pp) != 0)
        return 0;
    pid_t pid = fork();
    if (pid == 0) {
        close(pp[0]);
        child(fx, &sb, dataset, ntohs(a.sin_port), pp[1]);
    }
    close(pp[1]);
    ssize_t n = read(pp[0], r, sizeof(int) * T_N);
    close(pp[0]);
    int st = 0;
    waitpid(pid, &st, 0);
    close(l);
    hz_sandbox_free(&sb);
    return n == (ssize_t)(sizeof(int) * T_N) && WIFEXITED(st) &&
           WEXITSTATUS(st) == 0;
}

HZ_TEST(isolated_job_reads_only_its_dataset_and_writes_only_its_dir)
{
    int abi = hz__isolation_abi(NULL, 0);
    if (abi <= 0) {
        hz_test_skip("the kernel has no Landlock");
        return;
    }
    fixture fx;
    make_fixture(&fx);
    int r[T_N];
    HZ_CHECK(run_child(&fx, fx.own, r));
    HZ_CHECK_MSG(r[T_STORE] == EACCES, "store file: errno %d", r[T_STORE]);
    HZ_CHECK_MSG(r[T_OTHER_TENANT] == EACCES, "other tenant: errno %d",
                 r[T_OTHER_TENANT]);
    HZ_CHECK_MSG(r[T_HOME] == EACCES, "home file: errno %d", r[T_HOME]);
    HZ_CHECK_MSG(r[T_OTHER_JOB] == EACCES, "other job's result: errno %d",
                 r[T_OTHER_JOB]);
    HZ_CHECK_MSG(r[T_OWN_DATASET] == 0, "own dataset: errno %d",
                 r[T_OWN_DATASET]);
    HZ_CHECK_MSG(r[T_SAME_TENANT_OTHER_FILE] == EACCES,
                 "the tenant's other file: errno %d",
                 r[T_SAME_TENANT_OTHER_FILE]);
    HZ_CHECK_MSG(r[T_WRITE_OWN] == 0, "own result file: errno %d",
                 r[T_WRITE_OWN]);
    HZ_CHECK_MSG(r[T_RENAME_OWN] == 0, "rename of the result: errno %d",
                 r[T_RENAME_OWN]);
#if defined(__x86_64__) || defined(__aarch64__)
    HZ_CHECK_MSG(r[T_RENAME_OVER] == EPERM, "rename over a file: errno %d",
                 r[T_RENAME_OVER]);
    HZ_CHECK_MSG(r[T_UNLINK_OWN] == EPERM, "unlink: errno %d",
                 r[T_UNLINK_OWN]);
    HZ_CHECK_MSG(r[T_TMPFILE_OWN] == EPERM, "O_TMPFILE: errno %d",
                 r[T_TMPFILE_OWN]);
#endif
    HZ_CHECK_MSG(r[T_WRITE_WORKDIR] == EACCES,
                 "file in the run's directory: errno %d", r[T_WRITE_WORKDIR]);
    HZ_CHECK_MSG(r[T_PROC_SELF] == 0, "/proc/self/status: errno %d",
                 r[T_PROC_SELF]);
    HZ_CHECK_MSG(r[T_ETC_PASSWD] == EACCES, "/etc/passwd: errno %d",
                 r[T_ETC_PASSWD]);
    /* its descriptors, but not the machine's mounts and connections */
    HZ_CHECK_MSG(r[T_PROC_FD] == 0, "/proc/self/fd: errno %d", r[T_PROC_FD]);
    HZ_CHECK_MSG(r[T_PROC_MOUNTINFO] == EACCES,
                 "/proc/self/mountinfo: errno %d", r[T_PROC_MOUNTINFO]);
    HZ_CHECK_MSG(r[T_PROC_MOUNTS] == EACCES, "/proc/self/mounts: errno %d",
                 r[T_PROC_MOUNTS]);
    HZ_CHECK_MSG(r[T_PROC_NET] == EACCES, "/proc/self/net/tcp: errno %d",
                 r[T_PROC_NET]);
    HZ_CHECK_MSG(r[T_CAPS] == 0,
                 "capabilities besides CAP_DAC_*: %s (0x%x)",
                 r[T_CAPS] < 0 ? "capget failed" : "kept", (unsigned)r[T_CAPS]);
    HZ_CHECK_MSG(r[T_PROC_TASK] == EACCES,
                 "/proc/thread-self/mountinfo: errno %d", r[T_PROC_TASK]);
#if defined(__x86_64__) || defined(__aarch64__)
    /* no socket at all (seccomp), whatever Landlock's ABI */
    HZ_CHECK_MSG(r[T_BIND] == EACCES, "bind: errno %d", r[T_BIND]);
    HZ_CHECK_MSG(r[T_CONNECT] == EACCES, "connect: errno %d", r[T_CONNECT]);
#else
    if (abi >= 4) {
        HZ_CHECK_MSG(r[T_BIND] == EACCES, "bind: errno %d", r[T_BIND]);
        HZ_CHECK_MSG(r[T_CONNECT] == EACCES, "connect: errno %d",
                     r[T_CONNECT]);
    }
#endif
    if (abi >= 6)
        HZ_CHECK_MSG(r[T_SIGNAL_PARENT] == EPERM, "kill(parent): errno %d",
                     r[T_SIGNAL_PARENT]);
#if defined(__x86_64__) || defined(__aarch64__)
    /* a local service's socket (Landlock does not cover their paths) */
    HZ_CHECK_MSG(r[T_UNIX_SOCKET] == EACCES, "socket(AF_UNIX): errno %d",
                 r[T_UNIX_SOCKET]);
    HZ_CHECK_MSG(r[T_IO_URING] == ENOSYS, "io_uring_setup: errno %d",
                 r[T_IO_URING]);
#endif
}

HZ_TEST(isolated_url_job_may_connect_but_not_bind)
{
    int abi = hz__isolation_abi(NULL, 0);
    if (abi <= 0) {
        hz_test_skip("the kernel has no Landlock");
        return;
    }
    fixture fx;
    make_fixture(&fx);
    int r[T_N];
    HZ_CHECK(run_child(&fx, "http://127.0.0.1/x.csv", r));
    HZ_CHECK_MSG(r[T_CONNECT] == 0, "connect: errno %d", r[T_CONNECT]);
    HZ_CHECK_MSG(r[T_OWN_DATASET] == EACCES, "a local file: errno %d",
                 r[T_OWN_DATASET]);
    HZ_CHECK_MSG(r[T_STORE] == EACCES, "store file: errno %d", r[T_STORE]);
    HZ_CHECK_MSG(r[T_WRITE_OWN] == 0, "own download dir: errno %d",
                 r[T_WRITE_OWN]);
    if (access(CA_BUNDLE, R_OK) == 0)
        HZ_CHECK_MSG(r[T_CA_BUNDLE] == 0, "CA bundle: errno %d",
                     r[T_CA_BUNDLE]);
    if (access("/etc/resolv.conf", R_OK) == 0)
        HZ_CHECK_MSG(r[T_RESOLV_CONF] == 0, "/etc/resolv.conf: errno %d",
                     r[T_RESOLV_CONF]);
    if (abi >= 4)
        HZ_CHECK_MSG(r[T_BIND] == EACCES, "bind: errno %d", r[T_BIND]);
}

HZ_TEST(isolation_gives_no_rule_to_a_dataset_the_sandbox_refuses)
{
    fixture fx;
    make_fixture(&fx);
    hz_sandbox sb;
    hz_error err;
    char roots[4300], real[4096];
    snprintf(roots, sizeof roots, "%s/data/{tenant}", fx.root);
    hz_sandbox_init(&sb);
    HZ_CHECK(hz_sandbox_configure(&sb, roots, NULL, NULL, &err) == HZ_OK);
    hz__isolation iso;
    hz__isolation_for_job(&sb, "acme", fx.globex, fx.jobdir, &iso, real,
                          sizeof real);
    int refused = iso.dataset == NULL && !iso.network;
    hz__isolation_for_job(&sb, "globex", fx.globex, fx.jobdir, &iso, real,
                          sizeof real);
    int own = iso.dataset != NULL && strstr(iso.dataset, "globex") != NULL;
    hz_sandbox_free(&sb);
    HZ_CHECK(refused);
    HZ_CHECK(own);
}

/* A thread of the job process that the download left (libcurl's resolver
 * thread, detached when a lookup timed out before a retry succeeded):
 * code a hostile dataset got to run shares its memory and can make it
 * run what it likes, so the no-socket filter after the download holds
 * for every thread of the process, not only the one that asked. */
typedef struct lingering {
    int go[2];  /* the main thread writes a byte once the filter is on */
    int errnum; /* what socket(AF_INET) got in the other thread (0: made) */
} lingering;

static void *linger(void *arg)
{
    lingering *l = arg;
    char b;
    if (read(l->go[0], &b, 1) != 1)
        return NULL;
    int s = socket(AF_INET, SOCK_STREAM, 0);
    l->errnum = s < 0 ? errno : 0;
    if (s >= 0)
        close(s);
    return NULL;
}

HZ_TEST(no_socket_after_the_download_in_any_thread)
{
#if defined(__x86_64__) || defined(__aarch64__)
    int pp[2];
    HZ_CHECK(pipe(pp) == 0);
    pid_t pid = fork();
    if (pid == 0) {
        close(pp[0]);
        lingering l = {.errnum = -1};
        pthread_t t;
        int r[2] = {-1, -1};
        hz_error err;
        if (pipe(l.go) == 0 && pthread_create(&t, NULL, linger, &l) == 0 &&
            prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0) {
            r[0] = hz__isolation_drop_network(&err) == HZ_OK ? 0 : 1;
            int s = socket(AF_INET, SOCK_STREAM, 0);
            r[1] = s < 0 ? errno : 0;
            if (write(l.go[1], "x", 1) == 1)
                pthread_join(t, NULL);
        }
        int out[3] = {r[0], r[1], l.errnum};
        _exit(write(pp[1], out, sizeof out) == (ssize_t)sizeof out ? 0 : 1);
    }
    close(pp[1]);
    int out[3] = {-1, -1, -1};
    ssize_t n = read(pp[0], out, sizeof out);
    close(pp[0]);
    int st = 0;
    waitpid(pid, &st, 0);
    HZ_CHECK(n == (ssize_t)sizeof out);
    HZ_CHECK_MSG(out[0] == 0, "hz__isolation_drop_network failed");
    HZ_CHECK_MSG(out[1] == EACCES, "socket in the calling thread: errno %d",
                 out[1]);
    HZ_CHECK_MSG(out[2] == EACCES, "socket in another thread: errno %d",
                 out[2]);
#else
    hz_test_skip("no socket filter on this architecture");
#endif
}

/* Without Landlock (--isolation best-effort on a kernel without it), a
 * job process of a runner started as root keeps no capability at all:
 * CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH, kept for a dataset not the
 * runner's user's, let it read (and write) every file of the machine,
 * other users' included, where nothing else holds it to its own. */
HZ_TEST(without_landlock_a_job_keeps_no_capability)
{
#if defined(__x86_64__) || defined(__aarch64__)
    struct __user_cap_header_struct ch = {
        .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    struct __user_cap_data_struct cd[2];
    memset(cd, 0, sizeof cd);
    if (syscall(SYS_capget, &ch, cd) != 0 ||
        !(cd[0].permitted & (1U << CAP_DAC_OVERRIDE))) {
        hz_test_skip("not run with CAP_DAC_OVERRIDE (as root)");
        return;
    }
    fixture fx;
    make_fixture(&fx);
    int pp[2];
    HZ_CHECK(pipe(pp) == 0);
    pid_t pid = fork();
    if (pid == 0) {
        close(pp[0]);
        /* as on a kernel without Landlock: its system calls (444 to 446)
         * fail with ENOSYS (tests/support/no_landlock.c) */
        struct sock_filter f[] = {
            BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
                     offsetof(struct seccomp_data, nr)),
            BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 444, 0, 2),
            BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, 446, 1, 0),
            BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
            BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        };
        struct sock_fprog prog = {
            .len = (unsigned short)(sizeof f / sizeof f[0]), .filter = f};
        hz__isolation iso = {.jobdir = fx.jobdir};
        hz_error err;
        int out[3] = {-1, -1, -1};
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 &&
            prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) == 0) {
            out[0] = hz__isolation_apply(&iso, NULL, &err) == HZ_OK;
            memset(cd, 0, sizeof cd);
            if (syscall(SYS_capget, &ch, cd) == 0) {
                out[1] = (int)cd[0].permitted;
                out[2] = (int)cd[0].effective;
            }
        }
        _exit(write(pp[1], out, sizeof out) == (ssize_t)sizeof out ? 0 : 1);
    }
    close(pp[1]);
    int out[3] = {-1, -1, -1};
    ssize_t n = read(pp[0], out, sizeof out);
    close(pp[0]);
    int st = 0;
    waitpid(pid, &st, 0);
    HZ_CHECK(n == (ssize_t)sizeof out);
    HZ_CHECK_MSG(out[0] == 0, "isolation without Landlock said it held");
    HZ_CHECK_MSG(out[1] == 0 && out[2] == 0,
                 "capabilities kept without Landlock: permitted 0x%x, "
                 "effective 0x%x",
                 (unsigned)out[1], (unsigned)out[2]);
#else
    hz_test_skip("no seccomp filter on this architecture");
#endif
}

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define TEST_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define TEST_SANITIZED 1
#endif
#endif

/* A job process signals no other process: without Landlock's signal
 * scoping (before ABI 6, or no Landlock) it could stop its threads'
 * supervisor, a process of the same user (SIGSTOP), and every thread it
 * then started waited until the job's timeout; kill(-1) reached every
 * process of the runner's user.  Here a process of the test's stands
 * for the supervisor; the job process may still signal itself. */
HZ_TEST(a_job_process_signals_no_other_process)
{
#if (defined(__x86_64__) || defined(__aarch64__)) && !defined(TEST_SANITIZED)
    fixture fx;
    make_fixture(&fx);
    pid_t victim = fork();
    if (victim == 0) {
        for (;;)
            pause();
    }
    HZ_CHECK(victim > 0);
    int pp[2];
    HZ_CHECK(pipe(pp) == 0);
    pid_t pid = fork();
    if (pid == 0) {
        close(pp[0]);
        struct sock_filter f[] = {
            BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
                     offsetof(struct seccomp_data, nr)),
            BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 444, 0, 2),
            BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, 446, 1, 0),
            BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
            BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        };
        struct sock_fprog prog = {
            .len = (unsigned short)(sizeof f / sizeof f[0]), .filter = f};
        hz__isolation iso = {.jobdir = fx.jobdir};
        hz_error err;
        int out[9];
        for (int i = 0; i < 9; i++)
            out[i] = -1;
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 &&
            prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) == 0) {
            (void)hz__isolation_apply(&iso, NULL, &err); /* no Landlock */
            signal(SIGUSR1, SIG_IGN);
            int q[2];
            int pfd = pipe(q) == 0 ? q[0] : -1;
#define ERR(call) ((call) == 0 ? 0 : errno)
            out[0] = ERR(kill(victim, SIGSTOP));
            out[1] = ERR(kill(-1, 0));
            out[2] = ERR(kill(0, 0));
            out[3] = ERR(syscall(SYS_tgkill, victim, victim, SIGSTOP));
            out[4] = ERR(syscall(SYS_tkill, victim, SIGSTOP));
            out[5] = syscall(SYS_pidfd_open, victim, 0) >= 0 ? 0 : errno;
            out[6] = ERR(fcntl(pfd, F_SETOWN, victim));
            out[7] = ERR(kill(getpid(), 0));
            out[8] = ERR(raise(SIGUSR1));
#undef ERR
        }
        _exit(write(pp[1], out, sizeof out) == (ssize_t)sizeof out ? 0 : 1);
    }
    close(pp[1]);
    int out[9];
    ssize_t n = read(pp[0], out, sizeof out);
    close(pp[0]);
    int st = 0;
    waitpid(pid, &st, 0);
    int vst = 0;
    pid_t stopped = waitpid(victim, &vst, WUNTRACED | WNOHANG);
    kill(victim, SIGKILL);
    waitpid(victim, NULL, 0);
    HZ_CHECK(n == (ssize_t)sizeof out);
    const char *what[] = {"kill(other, SIGSTOP)", "kill(-1, 0)",
                          "kill(0, 0)",           "tgkill(other)",
                          "tkill(other)",         "pidfd_open(other)",
                          "fcntl(F_SETOWN, other)"};
    for (int i = 0; n == (ssize_t)sizeof out && i < 7; i++)
        HZ_CHECK_MSG(out[i] == EPERM, "%s: %s, not EPERM", what[i],
                     out[i] == 0 ? "let through" : strerror(out[i]));
    HZ_CHECK_MSG(stopped == 0, "the other process was stopped");
    HZ_CHECK_MSG(n == (ssize_t)sizeof out && out[7] == 0 && out[8] == 0,
                 "the job process may not signal itself: kill %d, raise %d",
                 out[7], out[8]);
#else
    hz_test_skip("no seccomp filter here (architecture, sanitizer build)");
#endif
}
