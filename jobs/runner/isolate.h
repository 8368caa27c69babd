/* Job isolation: the kernel (Landlock) holds a job process to what its
 * job needs, so that a bug in a parser that a hostile dataset reaches
 * finds nothing else the runner's user could open: not the store file
 * (every tenant's jobs and results), not another tenant's dataset root,
 * not another job's request or result files, not the home directory.
 *
 * The job process restricts itself after it has read its request and
 * before it touches its dataset (jobproc.c), single-threaded:
 * PR_SET_NO_NEW_PRIVS, then a Landlock ruleset that allows
 *   - reading the system's libraries, the C library's and the resolver's
 *     files in /etc, the CA certificates, time zones ($TZDIR too) and
 *     locales (read-only, no execution);
 *   - reading its own /proc/self (memory limit, test hooks);
 *   - reading its dataset file only (the real path the dataset sandbox
 *     resolved for the job's tenant; nothing at all for a dataset the
 *     sandbox refuses);
 *   - reading, writing, creating and removing files in its own job
 *     directory (its request, result, report, download and temporary
 *     files);
 * and, where the kernel's Landlock ABI has them, no TCP bind (ABI 4), no
 * TCP connect unless the dataset is a URL (ABI 4), no ioctl on devices
 * (ABI 5), no signal to and no abstract UNIX socket of a process outside
 * the job (ABI 6).  Access rights the kernel does not know are left out
 * (the ruleset is built for the best ABI the kernel offers).  Then a
 * seccomp filter lets socket(2) make only IPv4, IPv6 and netlink sockets
 * and refuses io_uring_setup (a ring makes and connects sockets without
 * socket(2)): Landlock does not cover connecting to a UNIX socket by its
 * path (a container engine's or a database's socket the user may
 * reach). */
#ifndef HZ_RUNNER_ISOLATE_H
#define HZ_RUNNER_ISOLATE_H

#include <stdbool.h>
#include <stddef.h>

#include "horizon/common.h"
#include "net/sandbox.h"

/* What one job process may reach. */
typedef struct hz__isolation {
    const char *jobdir;  /* its own directory: read, write, create, remove */
    const char *dataset; /* a file it may read (a real path), or NULL */
    bool network;        /* it downloads its dataset: TCP connect allowed,
                            the resolver's and TLS files readable */
} hz__isolation;

/* The Landlock ABI version the kernel offers, 0 when none; then why
 * (why_sz bytes) says why ("the kernel has no Landlock", "Landlock is
 * not enabled at boot (lsm=)", ...). */
int hz__isolation_abi(char *why, size_t why_sz);

/* The isolation of a job of tenant on dataset (as the job gives it)
 * that works in jobdir: a local dataset the sandbox accepts becomes
 * out->dataset (its real path, in real of PATH_MAX bytes); a refused or
 * missing one leaves it NULL (the fetch stage then reports why, as
 * before); a URL sets out->network. */
void hz__isolation_for_job(const hz_sandbox *sb, const char *tenant,
                           const char *dataset, const char *jobdir,
                           hz__isolation *out, char *real, size_t real_sz);

/* Restrict the calling process, which must have a single thread (the
 * restriction holds for the calling thread and what it creates later).
 * *abi_out (may be NULL) is the ABI used.  HZ_EIO with the reason when
 * the kernel has no Landlock or the ruleset could not be applied, or the
 * socket filter could not; the socket filter is applied whatever
 * Landlock does (it does not depend on it: where Landlock is missing, a
 * best-effort job process still gets it). */
hz_status hz__isolation_apply(const hz__isolation *iso, int *abi_out,
                              hz_error *err);

/* Once a job process has downloaded its dataset: no socket at all from
 * now on, in any of its threads (a stacked seccomp filter, synchronised
 * to every thread: one the download left shares the process's memory),
 * so that code a hostile dataset gets
 * to run while it is parsed cannot connect anywhere (the cloud's
 * metadata endpoint and its identity tokens, an address the sandbox
 * refuses: Landlock's network rules go by port only, and the sandbox's
 * address checks are the download's own).  A job process whose dataset
 * is local gets the same filter in hz__isolation_apply.  HZ_EIO when it
 * could not be applied. */
hz_status hz__isolation_drop_network(hz_error *err);

/* Whether this build and kernel apply the socket filter (tried in a
 * forked child, which exits at once): said at the runner's start. */
bool hz__isolation_socket_filter(void);

#endif
