/* The run's work directory ($TMPDIR/horizon-run-XXXXXX, mode 0700) and
 * what a runner that died leaves of its own.  Each job directory in it
 * holds the job's request (its dataset's location: a signed URL is a
 * secret), its download and its results until the job ends; a runner
 * that ends removes the whole directory, but one killed (SIGKILL, the
 * OOM killer, a power cut) or stopped at once by a second signal leaves
 * it on disk.
 *
 * A runner holds an exclusive flock(2) on HZ_WORKDIR_LOCK in its work
 * directory for as long as it lives (the kernel drops it when the
 * process and its job process helper are gone, however they end).  At
 * start a runner removes every horizon-run-* directory in its TMPDIR
 * that is its user's, mode 0700, and whose lock it can take: it provably
 * belongs to a runner that is gone.  A directory without the lock file
 * (a runner that is just making it, one of an older version) and one
 * whose lock is held (a runner alive, on this or on another machine
 * sharing the directory by a local file system) is left alone. */
#ifndef HZ_RUNNER_WORKDIR_H
#define HZ_RUNNER_WORKDIR_H

#include <stddef.h>

#include "horizon/common.h"

#define HZ_WORKDIR_LOCK "runner.lock"

/* Take the lock of the new work directory dir: the file is made as a
 * temporary name, locked, then renamed into place (no other runner can
 * find it unlocked).  The descriptor to keep open (O_CLOEXEC), or -1
 * with err set. */
int hz__workdir_lock(const char *dir, hz_error *err);

/* Remove the work directories of dead runners in tmpdir (see above; own
 * is this runner's, skipped).  The number removed; the first one's path
 * in first (first_sz bytes). */
int hz__workdir_remove_stale(const char *tmpdir, const char *own, char *first,
                             size_t first_sz);

/* Remove path with all that is in it, however deep (in rounds of 128
 * levels: each holds a descriptor; what lies deeper is moved up for the
 * next round); symbolic links are removed, never followed (what they
 * point to stays).  Best effort. */
void hz__workdir_remove_tree(const char *path);

#endif
