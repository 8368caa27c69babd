/* no_landlock [--restrict-only | --no-continue] CMD ARGS...: run CMD as on a kernel
 * without Landlock (its three system calls fail with ENOSYS, through a
 * seccomp filter), for the tests of what horizon run does there
 * (tests/cli/run_isolation.sh).  --restrict-only: only
 * landlock_restrict_self fails (EPERM), as under a seccomp profile that
 * lets a process ask the ABI but not restrict itself.  --no-continue: as
 * on Linux 5.0 to 5.4 besides (no Landlock, and seccomp user notification
 * without SECCOMP_USER_NOTIF_FLAG_CONTINUE: the answer that lets a system
 * call go on fails with EINVAL). */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    int restrict_only = argc > 1 && strcmp(argv[1], "--restrict-only") == 0;
    int no_continue = argc > 1 && strcmp(argv[1], "--no-continue") == 0;
    argv += restrict_only + no_continue;
    argc -= restrict_only + no_continue;
    if (argc < 2) {
        fprintf(stderr, "usage: no_landlock [--restrict-only | "
                        "--no-continue] CMD [ARGS...]\n");
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
    /* ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, resp) with the flag: EINVAL */
    struct sock_filter c[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 444, 0, 2),
        BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, 446, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_ioctl, 0, 3),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
                 offsetof(struct seccomp_data, args[1])),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
                 (unsigned)SECCOMP_IOCTL_NOTIF_SEND, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EINVAL),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = {.len = sizeof f / sizeof f[0], .filter = f};
    if (no_continue) {
        prog.len = sizeof c / sizeof c[0];
        prog.filter = c;
    }
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
