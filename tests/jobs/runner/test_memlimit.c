/* The memory limit's guard (runner/memlimit.h): a job process that ends
 * at its limit leaves the result "memory", whatever the size of its /proc
 * status.  Before, VmData was looked for in the first 4 KiB of that file
 * alone; the groups of a user in many groups (a directory service's) come
 * before it, so it was not found and the job ended as a crash, retried.
 * Each case runs in a child process: the limit cannot be taken back. */
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hz_test.h"
#include "runner/memlimit.h"

#define LIMIT (64LL << 20)

/* The process's address space in bytes (/proc/self/statm), 0 unknown. */
static size_t vm_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long pages = 0;
    if (f != NULL) {
        if (fscanf(f, "%lu", &pages) != 1)
            pages = 0;
        fclose(f);
    }
    return (size_t)pages * (size_t)sysconf(_SC_PAGESIZE);
}

/* In a child in `groups` supplementary groups: limit it to LIMIT, guard
 * it with resfile, allocate until an allocation fails, exit 1.  The
 * child's wait status. */
static int run_child(const char *resfile, int groups)
{
    pid_t pid = fork();
    if (pid == 0) {
        static gid_t gids[2000];
        for (int i = 0; i < groups && i < 2000; i++)
            gids[i] = (gid_t)(100000 + i);
        if (groups > 0 && setgroups((size_t)groups, gids) != 0)
            _exit(5);
        hz_error err;
        if (hz__memlimit_apply(LIMIT, &err) != HZ_OK)
            _exit(6);
        hz__memlimit_guard(resfile, LIMIT, false);
        for (int i = 0; i < 4096; i++) {
            char *p = malloc((size_t)1 << 20);
            if (p == NULL)
                break;
            memset(p, 1, (size_t)1 << 20);
        }
        exit(1);
    }
    int st = -1;
    while (pid > 0 && waitpid(pid, &st, 0) < 0) {
    }
    return st;
}

static void check_memory_result(int groups)
{
    /* a sanitizer's shadow memory takes terabytes of address space, and
     * a data limit breaks it */
    if (vm_bytes() == 0 || vm_bytes() > ((size_t)64 << 30)) {
        hz_test_skip("address space reserved (a sanitizer): not limited");
        return;
    }
    char dir[] = "/tmp/hz_memlimit_XXXXXX";
    HZ_CHECK(mkdtemp(dir) != NULL);
    char res[64];
    snprintf(res, sizeof res, "%s/result", dir);
    int st = run_child(res, groups);
    HZ_CHECK_MSG(WIFEXITED(st) && WEXITSTATUS(st) == 1,
                 "the child %s %d", WIFSIGNALED(st) ? "was killed by signal"
                                                    : "exited with",
                 WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
    char buf[1024] = "";
    FILE *f = fopen(res, "r");
    HZ_CHECK_MSG(f != NULL, "no result file %s", res);
    if (f != NULL) {
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        buf[n] = '\0';
        fclose(f);
    }
    HZ_CHECK_MSG(strstr(buf, "\"reason\":\"memory\"") != NULL,
                 "result '%s'", buf);
    unlink(res);
    rmdir(dir);
}

HZ_TEST(a_process_at_its_limit_leaves_the_memory_result)
{
    check_memory_result(0);
}

HZ_TEST(a_user_in_many_groups_at_the_limit_leaves_the_memory_result)
{
    if (geteuid() != 0) {
        hz_test_skip("not root: no supplementary groups to set");
        return;
    }
    check_memory_result(2000);
}
