/* The disk limit of job processes (see disklimit.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "runner/disklimit.h"

/* Set when a write of this process reached the limit (SIGXFSZ). */
static volatile sig_atomic_t fsize_reached;

static void on_xfsz(int sig)
{
    (void)sig;
    fsize_reached = 1;
}

bool hz__disklimit_reached(void)
{
    return fsize_reached != 0;
}

hz_status hz__disklimit_apply(long long bytes, hz_error *err)
{
    /* a write past it fails with EFBIG (the process is not killed), and
     * the job process says why its stage failed (hz__disklimit_reached) */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_xfsz;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGXFSZ, &sa, NULL);
    struct rlimit rl;
    if (getrlimit(RLIMIT_FSIZE, &rl) != 0)
        return hz_error_set(err, HZ_EIO, "getrlimit(RLIMIT_FSIZE): %s",
                            strerror(errno));
    /* an operator's lower hard limit stays */
    rlim_t want = (rlim_t)hz__disklimit_file_max(bytes);
    /* the hard limit too: code a hostile dataset got to run could raise
     * a soft one alone back to the hard one (unlimited) */
    rl.rlim_cur = rl.rlim_max = want;
    if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
        return hz_error_set(err, HZ_EIO, "setrlimit(RLIMIT_FSIZE): %s",
                            strerror(errno));
    return HZ_OK;
}

long long hz__disklimit_file_max(long long bytes)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_FSIZE, &rl) == 0 && rl.rlim_max != RLIM_INFINITY &&
        (long long)rl.rlim_max < bytes)
        return (long long)rl.rlim_max;
    return bytes;
}

/* n bytes in MiB, or in KiB when not a whole number of MiB. */
static void size_text(long long n, char *buf, size_t sz)
{
    if (n % (1LL << 20) == 0 || n >= (1LL << 30))
        snprintf(buf, sz, "%lld MiB", n >> 20);
    else
        snprintf(buf, sz, "%lld KiB", n >> 10);
}

void hz__disklimit_describe(long long asked, long long file_max, char *buf,
                            size_t n)
{
    char a[48], f[48];
    size_text(asked, a, sizeof a);
    size_text(file_max, f, sizeof f);
    if (asked <= 0)
        snprintf(buf, n,
                 "file size limit of %s (the hard ulimit -f the runner was "
                 "started with)",
                 f);
    else if (file_max < asked)
        snprintf(buf, n,
                 "file size limit of %s (the hard ulimit -f the runner was "
                 "started with, below " HZ_DISKLIMIT_SOURCE " %lld)",
                 f, asked >> 20);
    else
        snprintf(buf, n, "disk limit of %s (" HZ_DISKLIMIT_SOURCE ")", a);
}

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1U << 0)
#endif

int hz__disklimit_rename(const char *from, const char *to)
{
    if (syscall(SYS_renameat2, AT_FDCWD, from, AT_FDCWD, to,
                RENAME_NOREPLACE) == 0 ||
        rename(from, to) == 0)
        return 0;
    return link(from, to);
}

/* The files with more than one link seen by a walk (by device and inode):
 * counted once, however many names they have (a result published by a
 * hard link where RENAME_NOREPLACE is refused, on NFS). */
typedef struct inode_set {
    struct seen {
        dev_t dev;
        ino_t ino;
    } *v;
    size_t n, cap; /* cap a power of two, or 0 */
} inode_set;

/* Add (dev, ino): true when it was not in s yet (or s is out of memory:
 * then counted again, never less). */
static bool inode_add(inode_set *s, dev_t dev, ino_t ino)
{
    if (2 * (s->n + 1) > s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        struct seen *v = calloc(cap, sizeof *v);
        if (v == NULL)
            return true;
        for (size_t i = 0; i < s->cap; i++) {
            if (s->v[i].ino == 0)
                continue;
            size_t h = (size_t)(s->v[i].ino * 0x9E3779B97F4A7C15ULL) & (cap - 1);
            while (v[h].ino != 0)
                h = (h + 1) & (cap - 1);
            v[h] = s->v[i];
        }
        free(s->v);
        s->v = v;
        s->cap = cap;
    }
    size_t h = (size_t)(ino * 0x9E3779B97F4A7C15ULL) & (s->cap - 1);
    for (; s->v[h].ino != 0; h = (h + 1) & (s->cap - 1))
        if (s->v[h].ino == ino && s->v[h].dev == dev)
            return false;
    s->v[h].dev = dev;
    s->v[h].ino = ino == 0 ? 1 : ino;
    s->n++;
    return true;
}

/* A walk of a job's directory. */
typedef struct walk {
    long long largest; /* the longest file */
    bool too_deep;     /* a directory HZ_DISK_MAX_DEPTH levels down */
    inode_set seen;
} walk;

/* The usage below directory fd (closed here), depth levels down (at most
 * HZ_DISK_MAX_DEPTH: each holds a descriptor):
 * NOLINTNEXTLINE(misc-no-recursion) */
static long long usage_fd(int fd, int depth, walk *w)
{
    DIR *d = fdopendir(fd);
    if (d == NULL) {
        close(fd);
        return 0;
    }
    long long sum = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        struct stat st;
        if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
            continue;
        long long blocks = (long long)st.st_blocks * 512;
        long long len = (long long)st.st_size;
        if (S_ISDIR(st.st_mode)) {
            int sub = depth + 1 < HZ_DISK_MAX_DEPTH
                          ? openat(dirfd(d), e->d_name,
                                   O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
                                       O_CLOEXEC)
                          : -1;
            if (depth + 1 >= HZ_DISK_MAX_DEPTH)
                w->too_deep = true;
            if (sub >= 0)
                sum += usage_fd(sub, depth + 1, w);
        } else if (st.st_nlink > 1 && !S_ISDIR(st.st_mode) &&
                   !inode_add(&w->seen, st.st_dev, st.st_ino)) {
            blocks = len = 0; /* another name of a file counted: its entry */
        } else if (S_ISREG(st.st_mode) && len > w->largest) {
            w->largest = len;
        }
        long long one = blocks > len ? blocks : len;
        sum += one > HZ_DISK_ENTRY_MIN ? one : HZ_DISK_ENTRY_MIN;
    }
    closedir(d);
    return sum;
}

long long hz__disk_usage(const char *dir, long long *largest, bool *too_deep)
{
    walk w = {0};
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    long long sum = fd >= 0 ? usage_fd(fd, 0, &w) : 0;
    free(w.seen.v);
    *largest = w.largest;
    if (too_deep != NULL)
        *too_deep = w.too_deep;
    return sum;
}
