/* no_landlock [--restrict-only] CMD ARGS...: run CMD as on a kernel
 * without Landlock (its three system calls fail with ENOSYS, through a
 * seccomp filter), for the tests of what horizon run does there
 * (tests/cli/run_isolation.sh).  --restrict-only: only
 * landlock_restrict_self fails (EPERM), as under a seccomp profile that
 * lets a process ask the ABI but not restrict itself. */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    int restrict_only = argc > 1 && strcmp(argv[1], "--restrict-only") == 0;
    argv += restrict_only;
    argc -= restrict_only;
    if (argc < 2) {
        fprintf(stderr, "usage: no_landlock [--restrict-only] CMD [ARGS...]\n");
        return 2;
    }
    /* landlock_create_ruleset, _add_rule, _restrict_self: 444 to 446 on
     * every architecture */
    struct sock_filter f[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 444, 0, 2),
        BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, 446, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_filter r[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 446, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = {.len = sizeof f / sizeof f[0], .filter = f};
    if (restrict_only) {
        prog.len = sizeof r / sizeof r[0];
        prog.filter = r;
    }
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
        prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0) {
        perror("no_landlock: seccomp");
        return 2;
    }
    execvp(argv[1], argv + 1);
    perror("no_landlock: exec");
    return 127;
}
