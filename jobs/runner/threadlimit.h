/* The thread limit of job processes: a job process needs threads (OpenMP,
 * OpenBLAS, libcurl's resolver, the runner's own: the tool's, the memory
 * guard's), and code a hostile dataset got to run there could start them
 * without end with a raw clone(CLONE_THREAD) (fork and other processes are
 * refused: runner/isolate.c), up to the machine's pid limit, starving every
 * other process of it; its memory limit does not bound them (a thread's
 * stack may be a few bytes of its own memory, and what the kernel keeps
 * of a thread is not the process's).  RLIMIT_NPROC does not hold it
 * either: it counts every process of the user, and never root's.
 *
 * So a seccomp filter sends each clone(CLONE_THREAD) of the job process
 * to a small supervisor process (SECCOMP_RET_USER_NOTIF), forked by the
 * job process before it isolates itself, which counts the job process's
 * threads: past HZ_THREADLIMIT(threads) of them the clone fails (EAGAIN),
 * the supervisor writes HZ_THREADLIMIT_MARK in the job's directory and
 * kills the job process, and the runner fails the job for good with
 * reason "threads".  Should the supervisor be gone, every clone fails
 * (ENOSYS): never unbounded. */
#ifndef HZ_RUNNER_THREADLIMIT_H
#define HZ_RUNNER_THREADLIMIT_H

#include <stdbool.h>
#include <stddef.h>

#include "horizon/common.h"

/* The failure reason, and the file the supervisor leaves in the job's
 * directory when the limit was reached. */
#define HZ_THREADLIMIT_REASON "threads"
#define HZ_THREADLIMIT_MARK ".threads"

/* The threads a job process of `horizon run --threads N` may have: its
 * main thread, the tool's, OpenMP's and OpenBLAS's pools, the resolver's
 * and the memory guard's, with room to spare. */
#define HZ_THREADLIMIT(threads) (64 + 4 * (threads))

/* In the job process, before it isolates itself (it forks): start the
 * supervisor of at most max threads, which writes its mark in directory
 * dir.  A descriptor for hz__threadlimit_apply, or -1 with errno. */
int hz__threadlimit_start(int max, const char *dir);

/* In the runner, at start: whether job processes can be held to a thread
 * limit, tried in a child process (the filter, its supervisor and one
 * thread).  Not on a kernel without seccomp user notification (before
 * 5.0), nor on one that cannot let a clone continue (before 5.5: the
 * supervisor could only refuse every thread, and OpenMP aborts a process
 * whose threads it cannot start); then why names it. */
bool hz__threadlimit_available(char *why, size_t why_sz);

/* In the job process, once PR_SET_NO_NEW_PRIVS is set: install the filter
 * and hand its listener to the supervisor of fd (closed here).  HZ_OK, or
 * HZ_EIO why not (then the supervisor is gone). */
hz_status hz__threadlimit_apply(int fd, hz_error *err);

#endif
