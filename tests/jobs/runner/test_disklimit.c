/* The runner's walk of a job's directory (runner/disklimit.h): a file of
 * two names (a result published by a hard link, where RENAME_NOREPLACE is
 * refused: NFS) is counted once, and a tree deeper than the walk looks is
 * said, never counted as if empty. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hz_test.h"
#include "runner/disklimit.h"
#include "runner/workdir.h"

static void write_mib(const char *path, int mib)
{
    FILE *f = fopen(path, "w");
    HZ_CHECK(f != NULL);
    static char block[1 << 20];
    memset(block, 'x', sizeof block);
    for (int i = 0; f != NULL && i < mib; i++)
        HZ_CHECK(fwrite(block, 1, sizeof block, f) == sizeof block);
    if (f != NULL)
        HZ_CHECK(fclose(f) == 0);
}

HZ_TEST(a_file_of_two_names_is_counted_once)
{
    char dir[] = "/tmp/hz_disklimit_XXXXXX";
    HZ_CHECK(mkdtemp(dir) != NULL);
    char part[256], res[256];
    snprintf(part, sizeof part, "%s/result.json.part", dir);
    snprintf(res, sizeof res, "%s/result.json", dir);
    write_mib(part, 4);
    long long largest = 0;
    long long one = hz__disk_usage(dir, &largest, NULL);
    HZ_CHECK(link(part, res) == 0); /* hz__disklimit_rename's last resort */
    long long two = hz__disk_usage(dir, &largest, NULL);
    HZ_CHECK_MSG(one >= 4LL << 20, "%lld bytes for a 4 MiB file", one);
    HZ_CHECK_MSG(two <= one + HZ_DISK_ENTRY_MIN,
                 "%lld bytes with a second name, %lld with one", two, one);
    HZ_CHECK(largest == 4LL << 20);
    hz__workdir_remove_tree(dir);
}

HZ_TEST(a_tree_deeper_than_the_walk_is_said)
{
    char dir[] = "/tmp/hz_disklimit_XXXXXX";
    HZ_CHECK(mkdtemp(dir) != NULL);
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    HZ_CHECK(fd >= 0);
    bool deep = true;
    long long largest = 0;
    hz__disk_usage(dir, &largest, &deep);
    HZ_CHECK(!deep);
    for (int i = 0; fd >= 0 && i < HZ_DISK_MAX_DEPTH + 10; i++) {
        HZ_CHECK(mkdirat(fd, "d", 0700) == 0);
        int sub = openat(fd, "d", O_RDONLY | O_DIRECTORY);
        close(fd);
        fd = sub;
    }
    HZ_CHECK(fd >= 0);
    int f = openat(fd, "hidden", O_WRONLY | O_CREAT, 0600);
    HZ_CHECK(f >= 0);
    static char block[1 << 20];
    HZ_CHECK(write(f, block, sizeof block) == (ssize_t)sizeof block);
    close(f);
    close(fd);
    hz__disk_usage(dir, &largest, &deep);
    HZ_CHECK_MSG(deep, "a file %d levels down, not seen and not said",
                 HZ_DISK_MAX_DEPTH + 10);
    /* one level less than the walk's bound: counted, not said */
    char shallow[] = "/tmp/hz_disklimit_XXXXXX";
    HZ_CHECK(mkdtemp(shallow) != NULL);
    fd = open(shallow, O_RDONLY | O_DIRECTORY);
    for (int i = 0; fd >= 0 && i < HZ_DISK_MAX_DEPTH - 1; i++) {
        HZ_CHECK(mkdirat(fd, "d", 0700) == 0);
        int sub = openat(fd, "d", O_RDONLY | O_DIRECTORY);
        close(fd);
        fd = sub;
    }
    f = fd >= 0 ? openat(fd, "seen", O_WRONLY | O_CREAT, 0600) : -1;
    HZ_CHECK(f >= 0 && write(f, block, sizeof block) == (ssize_t)sizeof block);
    if (f >= 0)
        close(f);
    if (fd >= 0)
        close(fd);
    long long used = hz__disk_usage(shallow, &largest, &deep);
    HZ_CHECK(!deep);
    HZ_CHECK_MSG(largest == 1 << 20, "largest %lld", largest);
    HZ_CHECK(used >= 1 << 20);
    hz__workdir_remove_tree(dir);
    hz__workdir_remove_tree(shallow);
}

/* The walk holds a few descriptors, however deep the tree: in a runner
 * near its RLIMIT_NOFILE it still counts a file 60 levels down.  Before,
 * it held one descriptor per level, and the directories it could not
 * open there were left out: the file was not counted (nor said). */
HZ_TEST(a_deep_tree_is_counted_with_few_descriptors)
{
    char dir[] = "/tmp/hz_disklimit_XXXXXX";
    HZ_CHECK(mkdtemp(dir) != NULL);
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    for (int i = 0; fd >= 0 && i < 60; i++) {
        /* a second directory on each level: the walk comes back up */
        HZ_CHECK(mkdirat(fd, "a", 0700) == 0);
        HZ_CHECK(mkdirat(fd, "d", 0700) == 0);
        int sub = openat(fd, "d", O_RDONLY | O_DIRECTORY);
        close(fd);
        fd = sub;
    }
    int f = fd >= 0 ? openat(fd, "deep", O_WRONLY | O_CREAT, 0600) : -1;
    static char block[1 << 20];
    HZ_CHECK(f >= 0 && write(f, block, sizeof block) == (ssize_t)sizeof block);
    if (f >= 0)
        close(f);
    if (fd >= 0)
        close(fd);
    long long largest = 0;
    bool deep = true;
    long long all = hz__disk_usage(dir, &largest, &deep);
    HZ_CHECK(!deep && largest == 1 << 20);
    /* HZ_DISK_WALK_FDS descriptors free, no more */
    int probe[HZ_DISK_WALK_FDS], top = -1;
    for (int i = 0; i < HZ_DISK_WALK_FDS; i++) {
        probe[i] = dup(2);
        if (probe[i] > top)
            top = probe[i];
    }
    for (int i = 0; i < HZ_DISK_WALK_FDS; i++)
        if (probe[i] >= 0)
            close(probe[i]);
    HZ_CHECK(top >= 0);
    struct rlimit was, low;
    HZ_CHECK(getrlimit(RLIMIT_NOFILE, &was) == 0);
    low = was;
    low.rlim_cur = (rlim_t)top + 1;
    HZ_CHECK(setrlimit(RLIMIT_NOFILE, &low) == 0);
    largest = 0;
    deep = true;
    long long few = hz__disk_usage(dir, &largest, &deep);
    setrlimit(RLIMIT_NOFILE, &was);
    HZ_CHECK_MSG(largest == 1 << 20 && few == all,
                 "with %d descriptors free: %lld bytes (%lld with more), the "
                 "largest file %lld bytes",
                 HZ_DISK_WALK_FDS, few, all, largest);
    HZ_CHECK(!deep);
    hz__workdir_remove_tree(dir);
}
