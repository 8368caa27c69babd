/* The run's work directory: its lock, and the removal of those of dead
 * runners (see workdir.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "runner/workdir.h"

#define PREFIX "horizon-run-"

int hz__workdir_lock(const char *dir, hz_error *err)
{
    char tmp[4200], path[4200];
    snprintf(tmp, sizeof tmp, "%s/." HZ_WORKDIR_LOCK ".new", dir);
    snprintf(path, sizeof path, "%s/" HZ_WORKDIR_LOCK, dir);
    int fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                  0600);
    if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) != 0 ||
        rename(tmp, path) != 0) {
        int e = errno;
        if (fd >= 0) {
            close(fd);
            unlink(tmp);
        }
        hz_error_set(err, HZ_EIO,
                     "could not lock the run's work directory %.300s: %s", dir,
                     strerror(e));
        return -1;
    }
    char pid[32];
    int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    if (write(fd, pid, (size_t)n) != n) { /* only for whoever looks */
    }
    return fd;
}

/* How deep a tree is removed in one round: each level holds a
 * descriptor. */
#define MAX_DEPTH 128

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1U << 0)
#endif

/* A removal: the directory at its top, under which what lies deeper than
 * MAX_DEPTH is moved to be removed in another round, and how many such
 * subtrees were moved. */
typedef struct removal {
    int top;
    unsigned long moved;
} removal;

/* Move entry name of directory parent (a directory MAX_DEPTH levels down)
 * to the top of the removal, under a name of its own: random, not one the
 * job could have taken beforehand (a job process without Landlock that
 * left files named as a counter would name them, at the top of its
 * directory, had what lay deeper stay on disk for good). */
static void move_up(int parent, const char *name, removal *rm)
{
    for (int tries = 0; rm->top >= 0 && tries < 8; tries++) {
        unsigned long long r = 0;
        if (getrandom(&r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r) {
            struct timespec ts;
            clock_gettime(CLOCK_MONOTONIC, &ts);
            r = ((unsigned long long)getpid() << 40) ^
                ((unsigned long long)ts.tv_sec << 20) ^
                (unsigned long long)ts.tv_nsec;
        }
        char up[64];
        snprintf(up, sizeof up, ".deep-%lu-%016llx", rm->moved, r);
        if (syscall(SYS_renameat2, parent, name, rm->top, up,
                    RENAME_NOREPLACE) == 0) {
            rm->moved++;
            return;
        }
        if (errno != EEXIST)
            return;
    }
}

/* Remove entry name of directory parent: a file or a symbolic link (never
 * followed: what a link points to stays), or a directory with all that is
 * in it to MAX_DEPTH levels; a directory deeper is moved to the top of the
 * removal, for the next round: NOLINTNEXTLINE(misc-no-recursion) */
static void remove_tree_at(int parent, const char *name, int depth,
                           removal *rm)
{
    if (unlinkat(parent, name, 0) == 0 || (errno != EISDIR && errno != EPERM))
        return;
    if (depth >= MAX_DEPTH) {
        move_up(parent, name, rm);
        return;
    }
    int fd = openat(parent, name,
                    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (d == NULL) {
        if (fd >= 0)
            close(fd);
        return;
    }
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            remove_tree_at(dirfd(d), e->d_name, depth + 1, rm);
    closedir(d);
    unlinkat(parent, name, AT_REMOVEDIR);
}

/* Remove entry name of directory parent with all that is in it, however
 * deep (a job process without Landlock may nest directories by the
 * thousand in the quarter second before the runner stops it): in rounds
 * of MAX_DEPTH levels, as long as one moves a deeper part up. */
static void remove_all_at(int parent, const char *name, int depth)
{
    removal rm = {
        .top = openat(parent, name,
                      O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC),
        .moved = 0};
    unsigned long before = 0;
    for (int round = 0; round < 1000000; round++) {
        before = rm.moved;
        remove_tree_at(parent, name, depth, &rm);
        if (rm.moved == before)
            break;
    }
    if (rm.top >= 0)
        close(rm.top);
}

void hz__workdir_remove_tree(const char *path)
{
    if (path[0] != '\0')
        remove_all_at(AT_FDCWD, path, 0);
}

/* Remove the work directory name of parent (a dead runner's) with all
 * that is in it, its lock file last (it was held). */
static void remove_workdir_at(int parent, const char *name)
{
    int fd = openat(parent, name,
                    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (d == NULL) {
        if (fd >= 0)
            close(fd);
        return;
    }
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 &&
            strcmp(e->d_name, HZ_WORKDIR_LOCK) != 0)
            remove_all_at(dirfd(d), e->d_name, 1);
    unlinkat(dirfd(d), HZ_WORKDIR_LOCK, 0); /* last: it was held */
    closedir(d);
    unlinkat(parent, name, AT_REMOVEDIR);
}

/* Whether tfd's entry name is the work directory of a dead runner of
 * this user; its lock then held by *lock (to close after removing). */
static int dead_runner(int tfd, const char *name, int *lock)
{
    *lock = -1;
    int dfd = openat(tfd, name,
                     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dfd < 0)
        return 0;
    struct stat st;
    int lfd = -1;
    if (fstat(dfd, &st) == 0 && st.st_uid == geteuid() &&
        (st.st_mode & 077) == 0)
        lfd = openat(dfd, HZ_WORKDIR_LOCK,
                     O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    close(dfd);
    if (lfd < 0)
        return 0;
    if (fstat(lfd, &st) != 0 || !S_ISREG(st.st_mode) ||
        st.st_uid != geteuid() || flock(lfd, LOCK_EX | LOCK_NB) != 0) {
        close(lfd); /* alive (or not a runner's lock) */
        return 0;
    }
    *lock = lfd;
    return 1;
}

int hz__workdir_remove_stale(const char *tmpdir, const char *own, char *first,
                             size_t first_sz)
{
    if (first_sz > 0)
        first[0] = '\0';
    int tfd = open(tmpdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (tfd < 0)
        return 0;
    int dup_fd = dup(tfd);
    DIR *d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
    if (d == NULL) {
        if (dup_fd >= 0)
            close(dup_fd);
        close(tfd);
        return 0;
    }
    const char *own_name = strrchr(own, '/');
    own_name = own_name != NULL ? own_name + 1 : own;
    int removed = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        int lock;
        if (strncmp(e->d_name, PREFIX, strlen(PREFIX)) != 0 ||
            strlen(e->d_name) != strlen(PREFIX) + 6 ||
            strcmp(e->d_name, own_name) == 0 ||
            !dead_runner(tfd, e->d_name, &lock))
            continue;
        remove_workdir_at(tfd, e->d_name);
        close(lock);
        if (removed++ == 0 && first_sz > 0)
            snprintf(first, first_sz, "%s/%s", tmpdir, e->d_name);
    }
    closedir(d);
    close(tfd);
    return removed;
}
