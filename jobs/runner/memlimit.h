/* The memory limit of job processes: a hostile or huge dataset makes its
 * own job fail with reason "memory" instead of exhausting the machine.
 *
 * A job process may allocate `limit` bytes beyond what it holds when it
 * starts (RLIMIT_DATA: its private writable mappings, the heap and
 * thread stacks; what the runner's libraries reserved before the fork,
 * such as OpenBLAS's buffers, is not counted against the job).  An
 * allocation past it fails: the engine then reports HZ_ENOMEM, which the
 * job process records as reason "memory". */
#ifndef HZ_RUNNER_MEMLIMIT_H
#define HZ_RUNNER_MEMLIMIT_H

#include <stdbool.h>

#include "horizon/common.h"

/* The memory the runner may use: the machine's physical memory, or its
 * cgroup's limit (v2 memory.max along its path, v1
 * memory.limit_in_bytes) when lower; 0 when unknown. */
long long hz__mem_budget(void);

/* In the job process: limit what it may allocate from now on to bytes
 * (see above), or to the hard RLIMIT_DATA the process already has when
 * that is lower (an operator's ulimit -d or LimitDATA=).  HZ_EIO with
 * errno's text when the limit cannot be set. */
hz_status hz__memlimit_apply(long long bytes, hz_error *err);

/* In the job process, after hz__memlimit_apply: when the process ends
 * without its result because memory ran out where nothing reports it
 * (a library that exits when it cannot start a thread, such as libgomp,
 * or a crash on an allocation that failed unchecked), write the result
 * file resfile saying so (reason "memory", not retried) instead of
 * leaving the worker a crash to retry.  "Memory ran out" is judged
 * when the process ends: its data within HZ_MEMLIMIT_SLACK of the
 * limit.  Handlers for exit, SIGSEGV, SIGBUS and SIGABRT. */
#define HZ_MEMLIMIT_SLACK (32LL << 20)
void hz__memlimit_guard(const char *resfile, long long bytes, bool by_rlimit);

/* In the runner: what its job processes may allocate under the hard
 * RLIMIT_DATA it was started with (ulimit -d, systemd's LimitDATA=): the
 * hard limit less what this process holds now (they start with as much:
 * the libraries' buffers); -1 when there is no hard limit.  *hard gets
 * the limit (bytes). */
long long hz__memlimit_hard_room(long long *hard);

/* The least a job process must be able to allocate: below it every job
 * would fail (a crash within HZ_MEMLIMIT_SLACK of the limit is judged a
 * "memory" failure), so the runner refuses to start. */
#define HZ_MEMLIMIT_MIN (2 * HZ_MEMLIMIT_SLACK)

/* Where a job process's memory limit comes from, for messages:
 * "horizon run --max-memory-mb", or (by_rlimit) the hard RLIMIT_DATA the
 * runner was started with. */
const char *hz__memlimit_source(bool by_rlimit);

/* Whether an allocation of cJSON failed in this process: cJSON does not
 * report it (an item added to a NULL object is dropped).  The job process
 * installs the hook (hz__memlimit_count_json) and fails a job that lost
 * rows or summary fields to it. */
void hz__memlimit_count_json(void);
bool hz__memlimit_json_failed(void);

#endif
