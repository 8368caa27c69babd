/* The disk limit of job processes (see disklimit.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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
    } * v;
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
            size_t h = (size_t)(s->v[i].ino * 0x9E3779B97F4A7C15ULL) &
                       (cap - 1);
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

/* One directory on the walk's path: its listing while the walk holds its
 * descriptor (NULL when given back to keep within HZ_DISK_WALK_FDS), where
 * that listing goes on, and its name in the directory above. */
typedef struct level {
    DIR *d;
    long pos;
    char name[NAME_MAX + 1];
} level;

/* A walk of a job's directory. */
typedef struct walk {
    long long largest; /* the longest file */
    bool too_deep;     /* a directory HZ_DISK_MAX_DEPTH levels down */
    inode_set seen;
    level lv[HZ_DISK_MAX_DEPTH];
    int held; /* levels whose listing is open */
} walk;

/* Give back descriptors until at most HZ_DISK_WALK_FDS - 2 are held (two
 * more may be opened: a directory and the one on the way to it): the
 * listings nearest the top first, never the top's (level 0) nor that of
 * level keep. */
static void walk_room(walk *w, int depth, int keep)
{
    for (int j = 1; j <= depth && w->held > HZ_DISK_WALK_FDS - 2; j++) {
        if (j == keep || w->lv[j].d == NULL)
            continue;
        w->lv[j].pos = telldir(w->lv[j].d);
        closedir(w->lv[j].d);
        w->lv[j].d = NULL;
        w->held--;
    }
}

/* Open level k's listing again, from the nearest level above it that is
 * open, by the names on the way, where it went on.  Whether it could. */
static bool walk_reopen(walk *w, int k)
{
    int j = k - 1;
    while (j > 0 && w->lv[j].d == NULL)
        j--;
    walk_room(w, k - 1, j);
    int fd = dirfd(w->lv[j].d);
    for (int m = j + 1; m <= k && fd >= 0; m++) {
        int next = openat(fd, w->lv[m].name,
                          O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (m > j + 1)
            close(fd);
        fd = next;
    }
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (d == NULL) {
        if (fd >= 0)
            close(fd);
        return false;
    }
    seekdir(d, w->lv[k].pos);
    w->lv[k].d = d;
    w->held++;
    return true;
}

/* Go down into directory name of level depth: whether the walk did (its
 * listing is level depth + 1's). */
static bool walk_down(walk *w, int depth, const char *name)
{
    if (depth + 1 >= HZ_DISK_MAX_DEPTH) {
        w->too_deep = true;
        return false;
    }
    walk_room(w, depth, depth);
    int sub = openat(dirfd(w->lv[depth].d), name,
                     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    DIR *d = sub >= 0 ? fdopendir(sub) : NULL;
    if (d == NULL) {
        if (sub >= 0)
            close(sub);
        return false;
    }
    level *l = &w->lv[depth + 1];
    l->d = d;
    l->pos = 0;
    snprintf(l->name, sizeof l->name, "%s", name);
    w->held++;
    return true;
}

/* The bytes entry e of level depth takes (a directory's entry alone: its
 * files are counted when the walk is there); *down whether it is a
 * directory the walk went down into. */
static long long walk_entry(walk *w, int depth, const struct dirent *e,
                            bool *down)
{
    *down = false;
    struct stat st;
    if (fstatat(dirfd(w->lv[depth].d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) !=
        0)
        return 0;
    long long blocks = (long long)st.st_blocks * 512;
    long long len = (long long)st.st_size;
    if (S_ISDIR(st.st_mode)) {
        *down = walk_down(w, depth, e->d_name);
    } else if (st.st_nlink > 1 && !inode_add(&w->seen, st.st_dev, st.st_ino)) {
        blocks = len = 0; /* another name of a file counted: its entry */
    } else if (S_ISREG(st.st_mode) && len > w->largest) {
        w->largest = len;
    }
    long long one = blocks > len ? blocks : len;
    return one > HZ_DISK_ENTRY_MIN ? one : HZ_DISK_ENTRY_MIN;
}

/* The bytes below the directory of level 0 (open), walked depth first. */
static long long walk_tree(walk *w)
{
    long long sum = 0;
    int depth = 0;
    do {
        level *l = &w->lv[depth];
        if (l->d == NULL && !walk_reopen(w, depth)) {
            depth--; /* gone meanwhile: what is left of it unseen */
            continue;
        }
        const struct dirent *e = readdir(l->d);
        if (e == NULL) {
            closedir(l->d);
            l->d = NULL;
            w->held--;
            depth--;
            continue;
        }
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        bool down;
        sum += walk_entry(w, depth, e, &down);
        if (down)
            depth++;
    } while (depth >= 0);
    return sum;
}

/* The walk holds HZ_DISK_WALK_FDS descriptors at most, however deep the
 * tree: a listing it gave back is opened again by the names on the way
 * when the walk comes back up to it.  Before, it held one per level (64
 * at most) and, in a runner near its RLIMIT_NOFILE (several workers
 * walking deep trees at once), a directory it could not open was left
 * out, uncounted, and the runner's other descriptors (its store, a job's
 * pidfd) failed to open meanwhile. */
long long hz__disk_usage(const char *dir, long long *largest, bool *too_deep)
{
    walk w;
    memset(&w, 0, sizeof w);
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    w.lv[0].d = fd >= 0 ? fdopendir(fd) : NULL;
    if (fd >= 0 && w.lv[0].d == NULL)
        close(fd);
    w.held = 1;
    long long sum = w.lv[0].d != NULL ? walk_tree(&w) : 0;
    free(w.seen.v);
    *largest = w.largest;
    if (too_deep != NULL)
        *too_deep = w.too_deep;
    return sum;
}
