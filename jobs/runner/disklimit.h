/* The disk limit of job processes: a job that writes without end (a
 * hostile dataset's code, a result that never stops growing) fails alone,
 * with reason "disk", instead of filling the run's work directory's file
 * system, where every other job would then fail ("workdir").
 *
 * Two bounds, both `horizon run --max-disk-mb`: the job process may write
 * no file past it (RLIMIT_FSIZE; SIGXFSZ is caught, so that the write
 * fails with EFBIG and the job says so instead of dying of a signal), and
 * the runner, which looks at the job's directory every quarter second,
 * stops the job whose files there take more than it in all.  The second
 * holds because no file of the job process leaves that directory while
 * it takes room (the seccomp filter of unlink, rename over a file and
 * O_TMPFILE, runner/isolate.c). */
#ifndef HZ_RUNNER_DISKLIMIT_H
#define HZ_RUNNER_DISKLIMIT_H

#include <stdbool.h>
#include <stddef.h>

#include "horizon/common.h"

/* The failure reason. */
#define HZ_DISKLIMIT_REASON "disk"

/* Where the limit comes from, for messages. */
#define HZ_DISKLIMIT_SOURCE "horizon run --max-disk-mb"

/* The largest file a process may write under a disk limit of bytes: the
 * lower of bytes and this process's hard RLIMIT_FSIZE (a lower `ulimit
 * -f` the runner was started with stays in force). */
long long hz__disklimit_file_max(long long bytes);

/* The limit in force for a disk limit of asked bytes whose file size limit
 * is file_max (hz__disklimit_file_max), for messages: "disk limit of N MiB
 * (horizon run --max-disk-mb)", or, when the file size limit is the lower,
 * "file size limit of N KiB (the hard ulimit -f the runner was started
 * with, below horizon run --max-disk-mb M)" (without "below ..." when
 * asked is 0: no disk limit). */
void hz__disklimit_describe(long long asked, long long file_max, char *buf,
                            size_t n);

/* In the job process: no file larger than bytes from now on, and SIGXFSZ
 * caught (it does not kill: the write fails with EFBIG).  HZ_EIO with
 * errno's text when the limit cannot be set. */
hz_status hz__disklimit_apply(long long bytes, hz_error *err);

/* In the job process: whether a write reached that limit (EFBIG), in any
 * stage and any file, one the runner cannot see among them (the CSV
 * reader's unlinked temporary file): the job then fails for good with
 * reason "disk", whatever message the stage gave. */
bool hz__disklimit_reached(void);

/* In the job process: rename from to to, where to does not exist, under
 * the seccomp filter that lets no rename replace a file (runner/isolate.c:
 * renameat2 with RENAME_NOREPLACE); where that is refused (a file system
 * without it), rename(2), then a hard link (from stays).  0, or -1 with
 * errno.  Async-signal-safe. */
int hz__disklimit_rename(const char *from, const char *to);

/* In the runner: the bytes the files in directory dir (and in its
 * directories, to HZ_DISK_MAX_DEPTH levels) take on disk, or their length
 * when larger (symbolic links are not followed), a file of several names
 * (hard links) once, each entry counted as at least HZ_DISK_ENTRY_MIN
 * bytes (an inode, a directory entry: empty files by the million run a
 * file system out of inodes); *largest the length of the largest file;
 * *too_deep (unless NULL) whether a directory lies HZ_DISK_MAX_DEPTH
 * levels down or deeper, where the walk does not look (the job is then
 * stopped: what is there is not counted).  0 when dir cannot be read.
 * It holds at most HZ_DISK_WALK_FDS descriptors at a time, however deep
 * the tree (the runner's workers walk their jobs' directories at once). */
#define HZ_DISK_ENTRY_MIN 4096LL
#define HZ_DISK_MAX_DEPTH 64
#define HZ_DISK_WALK_FDS 8
long long hz__disk_usage(const char *dir, long long *largest, bool *too_deep);

#endif
