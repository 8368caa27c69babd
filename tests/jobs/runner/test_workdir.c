/* The removal of a job's directory (runner/workdir.h): a tree however
 * deep is removed whole.  Before, removal stopped at 128 levels, and what
 * a job process without Landlock nested deeper (by the thousand in the
 * quarter second before the runner stopped it) stayed on disk for good,
 * also after the run and its next start. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hz_test.h"
#include "runner/workdir.h"

/* Nest levels directories "d" under dir, with a file at the bottom. */
static void nest(const char *dir, int levels)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    HZ_CHECK(fd >= 0);
    for (int i = 0; fd >= 0 && i < levels; i++) {
        HZ_CHECK(mkdirat(fd, "d", 0700) == 0);
        int sub = openat(fd, "d", O_RDONLY | O_DIRECTORY);
        close(fd);
        fd = sub;
    }
    int f = fd >= 0 ? openat(fd, "bottom", O_WRONLY | O_CREAT, 0600) : -1;
    HZ_CHECK(f >= 0);
    if (f >= 0)
        close(f);
    if (fd >= 0)
        close(fd);
}

HZ_TEST(a_tree_of_1000_levels_is_removed_whole)
{
    char dir[] = "/tmp/hz_workdir_XXXXXX";
    HZ_CHECK(mkdtemp(dir) != NULL);
    nest(dir, 1000);
    int f = open(dir, O_RDONLY | O_DIRECTORY);
    HZ_CHECK(f >= 0);
    if (f >= 0) { /* a second tree beside, and a file */
        HZ_CHECK(mkdirat(f, "e", 0700) == 0);
        close(f);
    }
    char e[64];
    snprintf(e, sizeof e, "%s/e", dir);
    nest(e, 300);
    hz__workdir_remove_tree(dir);
    struct stat st;
    HZ_CHECK_MSG(lstat(dir, &st) != 0, "%s is still there", dir);
}

/* The names a deeper part is moved up under are not the job's to block
 * (they were ".deep-N-K", N the parts moved so far, K 0 to 7): a job process without Landlock that left files of those names
 * at the top of its directory, and nested directories past a round's 128
 * levels, had what lay deeper stay on disk for good. */
HZ_TEST(a_deep_tree_is_removed_whatever_names_the_job_left)
{
    /* tmpfs lists the newest entry first: the tree is walked before the
     * files, which are still there when its deeper part is moved up */
    char dir[64] = "/dev/shm/hz_workdir_XXXXXX";
    if (mkdtemp(dir) == NULL) {
        snprintf(dir, sizeof dir, "/tmp/hz_workdir_XXXXXX");
        HZ_CHECK(mkdtemp(dir) != NULL);
    }
    int f = open(dir, O_RDONLY | O_DIRECTORY);
    HZ_CHECK(f >= 0);
    for (int n = 0; f >= 0 && n < 4; n++)
        for (int k = 0; k < 8; k++) {
            char name[32];
            snprintf(name, sizeof name, ".deep-%d-%d", n, k);
            int g = openat(f, name, O_WRONLY | O_CREAT, 0600);
            HZ_CHECK(g >= 0);
            if (g >= 0)
                close(g);
        }
    if (f >= 0)
        close(f);
    nest(dir, 400);
    hz__workdir_remove_tree(dir);
    struct stat st;
    HZ_CHECK_MSG(lstat(dir, &st) != 0, "%s is still there", dir);
}
