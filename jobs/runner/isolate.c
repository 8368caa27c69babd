/* Job isolation with Landlock (see isolate.h). */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/landlock.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <linux/sockios.h>

#include "runner/isolate.h"

/* Debian 12's linux-libc-dev (Linux 6.1) knows Landlock ABI 2 only: what
 * later ABIs added is defined here, with the kernel's values. */
#ifndef LANDLOCK_ACCESS_FS_REFER
#define LANDLOCK_ACCESS_FS_REFER (1ULL << 13) /* ABI 2 */
#endif
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14) /* ABI 3 */
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15) /* ABI 5 */
#endif
#ifndef LANDLOCK_ACCESS_NET_BIND_TCP
#define LANDLOCK_ACCESS_NET_BIND_TCP (1ULL << 0) /* ABI 4 */
#endif
#ifndef LANDLOCK_ACCESS_NET_CONNECT_TCP
#define LANDLOCK_ACCESS_NET_CONNECT_TCP (1ULL << 1) /* ABI 4 */
#endif
#ifndef LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET
#define LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0) /* ABI 6 */
#endif
#ifndef LANDLOCK_SCOPE_SIGNAL
#define LANDLOCK_SCOPE_SIGNAL (1ULL << 1) /* ABI 6 */
#endif

/* struct landlock_ruleset_attr as of ABI 6 (the header's may stop at
 * handled_access_fs); a kernel with a shorter one accepts it when the
 * fields it does not know are 0, which the ABI masks below make sure. */
typedef struct ruleset_attr {
    uint64_t handled_access_fs;
    uint64_t handled_access_net; /* ABI 4 */
    uint64_t scoped;             /* ABI 6 */
} ruleset_attr;

#define FS_READ (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR)
/* the rights a rule on a file (not a directory) may carry */
#define FS_FILE_RIGHTS                                                        \
    (LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE |             \
     LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_TRUNCATE |             \
     LANDLOCK_ACCESS_FS_IOCTL_DEV)
/* the job's own directory */
#define FS_JOBDIR                                                             \
    (FS_READ | LANDLOCK_ACCESS_FS_WRITE_FILE |                                \
     LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_REG |           \
     LANDLOCK_ACCESS_FS_TRUNCATE)

/* The file system rights the kernel's ABI knows (the Landlock
 * documentation's table). */
static uint64_t fs_handled(int abi)
{
    uint64_t fs = (LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1; /* ABI 1 */
    if (abi >= 2)
        fs |= LANDLOCK_ACCESS_FS_REFER;
    if (abi >= 3)
        fs |= LANDLOCK_ACCESS_FS_TRUNCATE;
    if (abi >= 5)
        fs |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
    return fs;
}

/* Read-only for every job: libraries (dlopen'd NSS modules, gconv),
 * the loader's cache, time zones, locales, CPU and memory facts (the C
 * library's CPU count, OpenBLAS's and OpenMP's: /sys/devices/system/cpu,
 * /proc/cpuinfo, /proc/stat, /proc/meminfo).  Not /sys/fs/cgroup: the
 * runner reads the cgroup's CPU and memory limits before the job
 * processes are forked (they inherit what it found), and the tree shows
 * the machine's other services and containers, their names, processes
 * and use; nothing else of /sys, and of /proc only some of /proc/self
 * (proc_self_paths), not another process's. */
static const char *const system_paths[] = {
    "/usr/lib", "/usr/lib64", "/usr/local/lib", "/lib", "/lib64",
    "/etc/ld.so.cache", "/etc/localtime", "/usr/share/zoneinfo",
    "/usr/share/locale", "/sys/devices/system/cpu", "/proc/cpuinfo",
    "/proc/meminfo", "/proc/stat", "/dev/urandom", "/dev/random", NULL};

/* Of its own /proc/self (/proc/PID, by its pid), what a job process
 * reads: its status (its memory: runner/memlimit.c; the C library),
 * stat, statm and limits, its mappings and memory (the C library's
 * pthread_getattr_np; the memory test hook), its descriptors (fd, fdinfo:
 * the dataset is read through /proc/self/fd/N).  Not the rest: mountinfo,
 * mounts and mountstats show the machine's mounts and their sources,
 * net/ every connection and UNIX socket of the network namespace (other
 * services' among them), cgroup the runner's place among the machine's
 * services, task/ each of them again per thread, environ and cmdline
 * nothing it needs. */
static const char *const proc_self_paths[] = {
    "/proc/self/stat",  "/proc/self/statm", "/proc/self/limits",
    "/proc/self/maps",  "/proc/self/mem",   "/proc/self/fd",
    "/proc/self/fdinfo", NULL};

/* Directories of the same facts that the environment may move: the tz
 * database (a job's tz parameter; the C library reads the zone from
 * $TZDIR and, failing, takes it for UTC without a word). */
static const char *const system_envs[] = {"TZDIR", NULL};

/* Read-only for a job that downloads its dataset: the resolver's files,
 * OpenSSL's configuration and the CA certificates (Debian, RHEL); not
 * the whole of /etc/ssl or /etc/pki: their private/ directories hold the
 * machine's TLS private keys (readable by root and the ssl-cert group). */
static const char *const network_paths[] = {
    "/etc/resolv.conf", "/etc/hosts", "/etc/host.conf", "/etc/nsswitch.conf",
    "/etc/gai.conf", "/etc/services", "/etc/protocols", "/etc/ssl/certs",
    "/etc/ssl/openssl.cnf", "/etc/pki/tls/certs", "/etc/pki/tls/openssl.cnf",
    "/etc/pki/tls/cert.pem", "/etc/pki/ca-trust", "/etc/ca-certificates",
    "/usr/share/ca-certificates", "/run/systemd/resolve", NULL};

/* CA locations the download takes from the environment (net/fetch.c),
 * and OpenSSL's configuration file; SSL_CERT_DIR may list several
 * directories separated by ':', whose hashed names may link to files
 * elsewhere. */
static const char *const network_envs[] = {"SSL_CERT_FILE", "SSL_CERT_DIR",
                                           "CURL_CA_BUNDLE", "OPENSSL_CONF",
                                           NULL};

int hz__isolation_abi(char *why, size_t why_sz)
{
    long abi = syscall(SYS_landlock_create_ruleset, NULL, 0,
                       LANDLOCK_CREATE_RULESET_VERSION);
    if (abi > 0)
        return (int)abi;
    int e = errno;
    if (why != NULL && why_sz > 0)
        snprintf(why, why_sz, "%s",
                 e == ENOSYS ? "the kernel has no Landlock (Linux 5.13 or "
                               "later built with CONFIG_SECURITY_LANDLOCK)"
                 : e == EOPNOTSUPP
                     ? "Landlock is not enabled (add landlock to the "
                       "kernel's lsm= boot parameter)"
                 : e == EPERM ? "a seccomp filter (a container runtime's "
                                "profile) refuses the Landlock system calls"
                              : strerror(e));
    return 0;
}

/* Allow access beneath path (a directory) or to it (a file), as far as
 * the kernel handles it.  0, or the errno of the open or of the rule. */
static int allow(int ruleset, const char *path, uint64_t access,
                 uint64_t handled)
{
    int fd = open(path, O_PATH | O_CLOEXEC);
    if (fd < 0)
        return errno;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return e;
    }
    if (!S_ISDIR(st.st_mode))
        access &= FS_FILE_RIGHTS;
    struct landlock_path_beneath_attr pb = {.allowed_access =
                                                access & handled,
                                            .parent_fd = fd};
    int rc = pb.allowed_access == 0
                 ? 0
                 : (int)syscall(SYS_landlock_add_rule, ruleset,
                                LANDLOCK_RULE_PATH_BENEATH, &pb, 0);
    int e = errno;
    close(fd);
    return rc == 0 ? 0 : e;
}

/* Allow a list of optional paths (those that do not exist are skipped:
 * the layout differs between systems). */
static void allow_optional(int ruleset, const char *const *paths,
                           uint64_t access, uint64_t handled)
{
    for (const char *const *p = paths; *p != NULL; p++)
        allow(ruleset, *p, access, handled);
}

/* Allow reading the files that the symbolic links in directory dir
 * point to (OpenSSL's hashed names made by c_rehash or openssl rehash
 * may link to certificates elsewhere: Landlock checks the target).  At
 * most 4096 entries. */
static void allow_link_targets(int ruleset, const char *dir, uint64_t handled)
{
    DIR *d = opendir(dir);
    int n = 0;
    for (struct dirent *e; d != NULL && n < 4096 && (e = readdir(d)) != NULL;
         n++) {
        if (e->d_type != DT_LNK && e->d_type != DT_UNKNOWN)
            continue;
        char path[4400], real[PATH_MAX];
        if (snprintf(path, sizeof path, "%.4095s/%.255s", dir, e->d_name) <
            0)
            continue;
        struct stat st;
        if (realpath(path, real) != NULL && stat(real, &st) == 0 &&
            S_ISREG(st.st_mode)) /* a certificate, not a tree */
            allow(ruleset, real, LANDLOCK_ACCESS_FS_READ_FILE, handled);
    }
    if (d != NULL)
        closedir(d);
}

/* Allow reading the paths a list of environment variables name (those
 * unset, relative or missing are skipped); SSL_CERT_DIR is a list
 * separated by ':', and the links in its directories give their
 * targets. */
static void allow_envs(int ruleset, const char *const *vars, uint64_t handled)
{
    for (const char *const *v = vars; *v != NULL; v++) {
        const char *list = getenv(*v);
        bool dirs = strcmp(*v, "SSL_CERT_DIR") == 0;
        for (const char *p = list; p != NULL && *p != '\0';) {
            size_t len = dirs ? strcspn(p, ":") : strlen(p);
            char one[4096];
            if (p[0] == '/' && len < sizeof one) {
                memcpy(one, p, len);
                one[len] = '\0';
                struct stat st;
                allow(ruleset, one, FS_READ, handled);
                if (dirs && stat(one, &st) == 0 && S_ISDIR(st.st_mode))
                    allow_link_targets(ruleset, one, handled);
            }
            p += len + (p[len] == ':');
        }
    }
}

void hz__isolation_for_job(const hz_sandbox *sb, const char *tenant,
                           const char *dataset, const char *jobdir,
                           hz__isolation *out, char *real, size_t real_sz)
{
    memset(out, 0, sizeof *out);
    out->jobdir = jobdir;
    if (dataset == NULL)
        return;
    if (hz_sandbox_is_url(dataset)) {
        out->network = true;
        return;
    }
    hz_error err;
    if (sb != NULL && hz_sandbox_check_path(sb, tenant, dataset, real,
                                            real_sz, &err) == HZ_OK)
        out->dataset = real;
}

/* The architecture seccomp reports for this build's system calls. */
#if defined(__x86_64__) && !defined(__ILP32__)
#define NATIVE_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NATIVE_ARCH AUDIT_ARCH_AARCH64
#endif

/* Landlock (ABI 7) does not cover connecting to a UNIX socket by its
 * path: a job process could talk to any local service its user may
 * (a container engine's socket, a database's).  A seccomp filter lets
 * socket(2) make only IPv4, IPv6 and netlink sockets (the resolver's,
 * libcurl's); anything else, a UNIX socket above all, is EACCES, as are
 * system calls of another architecture (i386's socketcall); and it
 * refuses io_uring_setup, whose rings make and connect sockets without
 * those system calls.  Where the
 * build's architecture is not known here, no filter (returns 0). */
static int filter_sockets(void)
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
        /* io_uring makes sockets and connects them without socket(2)
         * or connect(2) (IORING_OP_SOCKET, IORING_OP_CONNECT), out of
         * this filter's sight: no ring (ENOSYS, as a kernel without
         * io_uring says; nothing the job runs needs one) */
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_io_uring_setup, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_socket, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
                 offsetof(struct seccomp_data, args[0])),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_INET, 3, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_INET6, 2, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_NETLINK, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EACCES),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = {.len = (unsigned short)(sizeof f / sizeof f[0]),
                              .filter = f};
    return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) == 0 ? 0 : errno;
#else
    return 0;
#endif
}

/* No socket at all (EACCES) and no io_uring: for a job process whose
 * dataset is local, from the start, and for one that downloads it, once
 * it has (hz__isolation_drop_network).  Stacked on filter_sockets.  With
 * all_threads, on every thread of the process (SECCOMP_FILTER_FLAG_TSYNC),
 * not only the caller: a thread the download left (libcurl's resolver
 * thread, detached when a lookup timed out) shares the memory of the
 * code a hostile dataset may get to run, which can make it run anything. */
static int filter_no_sockets(bool all_threads)
{
#ifdef NATIVE_ARCH
    struct sock_filter f[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
                 offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NATIVE_ARCH, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EACCES),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_io_uring_setup, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_socket, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EACCES),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = {.len = (unsigned short)(sizeof f / sizeof f[0]),
                              .filter = f};
    if (!all_threads)
        return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) == 0 ? 0
                                                                      : errno;
    /* > 0: the id of a thread that could not take it */
    long rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
                      SECCOMP_FILTER_FLAG_TSYNC, &prog);
    return rc == 0 ? 0 : rc > 0 ? EBUSY : errno;
#else
    (void)all_threads;
    return 0;
#endif
}

/* Sanitizer builds (tests): LeakSanitizer checks for leaks at exit from
 * a process it clones without CLONE_THREAD. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define SANITIZED 1
#endif
#endif

/* Nothing that outlives the job process.  No process of its own: a job
 * process needs threads (OpenMP, OpenBLAS, libcurl's resolver), never
 * another process, and one that code a hostile dataset started in a
 * session of its own (setsid) escaped the job's process group: it
 * outlived the job, its timeout and the runner, computing or waiting
 * with the tenant's data.  fork and vfork are EPERM, clone without
 * CLONE_THREAD too, and clone3 (whose flags sit in memory a filter
 * cannot read) ENOSYS, on which the C library makes its threads with
 * clone.  No System V shared memory, semaphore set or message queue and
 * no POSIX message queue (EPERM): they stay in the kernel when the
 * process is gone, until removed or the machine restarts, a shared
 * memory segment outside the job's memory limit (RLIMIT_DATA), and
 * another job process could find them.  Nor other shared memory of its
 * own, which RLIMIT_DATA does not count either (it counts private
 * mappings): mmap of MAP_SHARED | MAP_ANONYMOUS and memfd_create are
 * EPERM (a shared mapping of a file stays: the file is the job's, on
 * disk, under its disk limit).  No kernel keyring (add_key,
 * keyctl, request_key: EPERM): Landlock does not cover them, and the
 * user keyring of the runner's user holds what it keeps there
 * (credentials: a Kerberos ticket cache, a mount's key), and keeps what
 * a job adds after the job, for another job to read.  And nothing typed into a
 * terminal (ioctl TIOCSTI and TIOCLINUX: EPERM): input pushed into the
 * operator's terminal runs as commands once the runner ends, outside
 * every rule here (the job process's standard input is /dev/null, and
 * Landlock refuses /dev/tty, but not without Landlock).  Not in sanitizer
 * builds (SANITIZED). */
static int filter_outside(void)
{
#if defined(NATIVE_ARCH) && !defined(SANITIZED)
    struct sock_filter f[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
                 offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NATIVE_ARCH, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EACCES),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone3, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
        /* memory outside RLIMIT_DATA (it counts private mappings only):
         * a shared anonymous mapping, a memfd */
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_memfd_create, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_mmap, 0, 5),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
                 offsetof(struct seccomp_data, args[3])),
        BPF_STMT(BPF_ALU | BPF_AND | BPF_K, MAP_SHARED | MAP_ANONYMOUS),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, MAP_SHARED | MAP_ANONYMOUS, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_add_key, 6, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_keyctl, 5, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_request_key, 4, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_shmget, 3, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_semget, 2, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_msgget, 1, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_mq_open, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_ioctl, 0, 5),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
                 offsetof(struct seccomp_data, args[1])),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, TIOCSTI, 1, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, TIOCLINUX, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
#ifdef SYS_fork
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_fork, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
#endif
#ifdef SYS_vfork
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_vfork, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
#endif
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        /* the flags: clone's first argument (its low 32 bits) */
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
                 offsetof(struct seccomp_data, args[0])),
        BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, CLONE_THREAD, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
    };
    struct sock_fprog prog = {.len = (unsigned short)(sizeof f / sizeof f[0]),
                              .filter = f};
    return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) == 0 ? 0 : errno;
#else
    return 0;
#endif
}

/* No signal to another process.  The job process's threads' supervisor
 * (runner/threadlimit.h) is a process of the same user, which the job
 * process could stop (SIGSTOP) where Landlock does not scope signals
 * (before ABI 6, or without Landlock): every thread it then started waited
 * on the stopped supervisor until the job's timeout; and kill(-1) reached
 * every process of the runner's user, the runner's included.  A job
 * process signals only itself (raise, abort, pthread_kill: tgkill of its
 * own pid): kill, tgkill, rt_sigqueueinfo and rt_tgsigqueueinfo of
 * another pid (its process group, -1), tkill (a thread id a filter cannot
 * tell its own), pidfd_open and pidfd_send_signal, and making another
 * process the owner of a descriptor's SIGIO/SIGURG (fcntl F_SETOWN,
 * F_SETOWN_EX, ioctl FIOSETOWN, SIOCSPGRP) are EPERM.  Not in sanitizer
 * builds (SANITIZED: their leak check signals a process of its own). */
static int filter_signals(void)
{
#if defined(NATIVE_ARCH) && !defined(SANITIZED)
    const uint32_t self = (uint32_t)getpid();
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
        /* a process id first: its own only */
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_kill, 3, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_tgkill, 2, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_rt_sigqueueinfo, 1, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_rt_tgsigqueueinfo, 0, 4),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
                 offsetof(struct seccomp_data, args[0])),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, self, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_tkill, 2, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_pidfd_open, 1, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_pidfd_send_signal, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_fcntl, 0, 5),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
                 offsetof(struct seccomp_data, args[1])),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, F_SETOWN, 2, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, F_SETOWN_EX, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_ioctl, 0, 5),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
                 offsetof(struct seccomp_data, args[1])),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, FIOSETOWN, 2, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SIOCSPGRP, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = {.len = (unsigned short)(sizeof f / sizeof f[0]),
                              .filter = f};
    return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) == 0 ? 0 : errno;
#else
    return 0;
#endif
}

/* open(2)'s O_TMPFILE bit (__O_TMPFILE: 020000000 on x86-64 and arm64),
 * O_DIRECTORY aside */
#define TMPFILE_BIT 020000000U
#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1U << 0)
#endif
#ifndef AT_REMOVEDIR
#define AT_REMOVEDIR 0x200
#endif

/* No file out of the runner's sight: the runner holds a job to its disk
 * limit by summing the files in its directory (runner/disklimit.h), and a
 * file that is unlinked while open takes its room until the process
 * ends without being there: code a hostile dataset got to run could
 * write file after file of the limit's size (RLIMIT_FSIZE), unlink each
 * and keep it open, and fill the file system.  So no unlink of a file
 * (unlink, unlinkat without AT_REMOVEDIR), no rename but one that
 * replaces nothing (renameat2 with RENAME_NOREPLACE only) and no
 * O_TMPFILE (open, openat; openat2, whose flags sit in memory a filter
 * cannot read, ENOSYS): EPERM.  What the job process removes stays named
 * until the runner removes its directory (its download, the CSV reader's
 * temporary file, emptied once read), and counted.  In every build. */
static int filter_no_hidden_files(void)
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
#ifdef SYS_unlink
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_unlink, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
#endif
#ifdef SYS_rename
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_rename, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
#endif
#ifdef SYS_renameat
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_renameat, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
#endif
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_openat2, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
        /* unlinkat(dirfd, path, flags): a directory (empty) only */
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_unlinkat, 0, 4),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
                 offsetof(struct seccomp_data, args[2])),
        BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, AT_REMOVEDIR, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
        /* renameat2(olddir, old, newdir, new, flags) */
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_renameat2, 0, 4),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
                 offsetof(struct seccomp_data, args[4])),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, RENAME_NOREPLACE, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
#ifdef SYS_open
        /* open(path, flags, mode) */
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_open, 0, 4),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
                 offsetof(struct seccomp_data, args[1])),
        BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, TMPFILE_BIT, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
#endif
        /* openat(dirfd, path, flags, mode) */
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_openat, 0, 4),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
                 offsetof(struct seccomp_data, args[2])),
        BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, TMPFILE_BIT, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = {.len = (unsigned short)(sizeof f / sizeof f[0]),
                              .filter = f};
    return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) == 0 ? 0 : errno;
#else
    return 0;
#endif
}

/* No capability but reading and searching files (CAP_DAC_OVERRIDE,
 * CAP_DAC_READ_SEARCH: a tenant's dataset need not be the runner's user's
 * to read, and Landlock holds the job process to its own files anyway;
 * without Landlock (keep_dac false) not those either: they would let it
 * read and write every file of the machine, other users' included):
 * a runner started as root gave its job processes every capability, and
 * Landlock and the filters here do not cover what most of them allow:
 * code a hostile dataset got to run could restart the machine (reboot),
 * set its clock, load a kernel module from a file of its own, change the
 * network's routes (netlink, for a URL dataset), raise its own limits
 * (RLIMIT_FSIZE, RLIMIT_DATA: its disk and memory limits).  Dropped from
 * the bounding, ambient, inheritable, permitted and effective sets; 0, or
 * the errno of capset (a process without capabilities: nothing to do). */
static int drop_capabilities(bool keep_dac)
{
    struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3,
                                         .pid = 0};
    struct __user_cap_data_struct d[2];
    memset(d, 0, sizeof d);
    if (syscall(SYS_capget, &h, d) != 0)
        return errno;
    const uint32_t keep =
        keep_dac ? (1U << CAP_DAC_OVERRIDE) | (1U << CAP_DAC_READ_SEARCH)
                 : 0;
    if ((d[0].permitted & ~keep) == 0 && d[1].permitted == 0 &&
        d[0].inheritable == 0 && d[1].inheritable == 0)
        return 0;
    /* the bounding set first: it takes CAP_SETPCAP (EINVAL past the
     * kernel's last capability) */
    for (int cap = 0; cap < 64; cap++)
        if (!((1ULL << cap) & keep) &&
            prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno == EINVAL)
            break;
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
    for (int i = 0; i < 2; i++) {
        d[i].effective &= i == 0 ? keep : 0;
        d[i].permitted &= i == 0 ? keep : 0;
        d[i].inheritable = 0;
    }
    return syscall(SYS_capset, &h, d) == 0 ? 0 : errno;
}

static hz_status fail(hz_error *err, int ruleset, const char *what, int e)
{
    if (ruleset >= 0)
        close(ruleset);
    return hz_error_set(err, HZ_EIO,
                        "could not isolate the job process (Landlock): %s: "
                        "%s",
                        what, strerror(e));
}

/* The Landlock part of hz__isolation_apply: HZ_OK, or HZ_EIO why not. */
static hz_status restrict_fs(const hz__isolation *iso, int *abi_out,
                             hz_error *err)
{
    char why[200];
    int abi = hz__isolation_abi(why, sizeof why);
    if (abi <= 0)
        return hz_error_set(err, HZ_EIO,
                            "could not isolate the job process: %s", why);
    uint64_t fs = fs_handled(abi);
    ruleset_attr attr = {.handled_access_fs = fs};
    if (abi >= 4)
        attr.handled_access_net =
            LANDLOCK_ACCESS_NET_BIND_TCP |
            (iso->network ? 0 : LANDLOCK_ACCESS_NET_CONNECT_TCP);
    if (abi >= 6)
        attr.scoped =
            LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET | LANDLOCK_SCOPE_SIGNAL;
    int rs = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof attr, 0);
    if (rs < 0)
        return fail(err, -1, "landlock_create_ruleset", errno);
    allow_optional(rs, system_paths, FS_READ, fs);
    allow_envs(rs, system_envs, fs);
    if (iso->network) {
        allow_optional(rs, network_paths, FS_READ, fs);
        allow_envs(rs, network_envs, fs);
    }
    allow(rs, "/dev/null",
          LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE |
              LANDLOCK_ACCESS_FS_TRUNCATE,
          fs);
    int e = allow(rs, "/proc/self/status", FS_READ, fs);
    if (e != 0)
        return fail(err, rs, "/proc/self/status", e);
    allow_optional(rs, proc_self_paths, FS_READ, fs);
    if (iso->jobdir == NULL || (e = allow(rs, iso->jobdir, FS_JOBDIR, fs)))
        return fail(err, rs, iso->jobdir ? iso->jobdir : "no job directory",
                    iso->jobdir ? e : EINVAL);
    if (iso->dataset != NULL &&
        (e = allow(rs, iso->dataset, LANDLOCK_ACCESS_FS_READ_FILE, fs)) != 0)
        return fail(err, rs, iso->dataset, e);
    if (syscall(SYS_landlock_restrict_self, rs, 0) != 0)
        return fail(err, rs, "landlock_restrict_self", errno);
    close(rs);
    if (abi_out != NULL)
        *abi_out = abi;
    return HZ_OK;
}

hz_status hz__isolation_apply(const hz__isolation *iso, int *abi_out,
                              hz_error *err)
{
    if (abi_out != NULL)
        *abi_out = 0;
    /* Landlock requires it of a process without CAP_SYS_ADMIN, and so
     * does seccomp; a job process never needs to gain privileges (it
     * executes nothing) */
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        return fail(err, -1, "PR_SET_NO_NEW_PRIVS", errno);
    hz_status rc = restrict_fs(iso, abi_out, err);
    /* the socket filter does not depend on Landlock: it holds also where
     * Landlock is missing or refused (--isolation best-effort) */
    int e = filter_sockets();
    if (e == 0 && !iso->network) /* it reads a local file: no socket */
        e = filter_no_sockets(false);
    if (e != 0 && rc == HZ_OK)
        return fail(err, -1, "seccomp filter of socket(2)", e);
    e = filter_outside();
    if (e != 0 && rc == HZ_OK)
        return fail(err, -1, "seccomp filter of fork, clone, IPC and TIOCSTI",
                    e);
    e = filter_signals();
    if (e != 0 && rc == HZ_OK)
        return fail(err, -1, "seccomp filter of signals to other processes",
                    e);
    e = filter_no_hidden_files();
    if (e != 0 && rc == HZ_OK)
        return fail(err, -1, "seccomp filter of unlink, rename and O_TMPFILE",
                    e);
    e = drop_capabilities(rc == HZ_OK); /* CAP_DAC_* under Landlock only */
    if (e != 0 && rc == HZ_OK)
        return fail(err, -1, "dropping its capabilities", e);
    return rc;
}

hz_status hz__isolation_drop_network(hz_error *err)
{
    int e = filter_no_sockets(true);
    return e == 0 ? HZ_OK
                  : fail(err, -1, "seccomp filter of socket(2) after the "
                                  "download", e);
}

bool hz__isolation_socket_filter(void)
{
#ifdef NATIVE_ARCH
    /* try it in a child: a filter cannot be taken back */
    pid_t pid = fork();
    if (pid == 0)
        _exit(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 &&
                      filter_sockets() == 0
                  ? 0
                  : 1);
    int st = 0;
    while (pid > 0 && waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    return pid > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0;
#else
    return false;
#endif
}
