/* Job processes: the small single-threaded helper (the "zygote") that the
 * runner forks before it starts any thread, which forks one process per
 * job on request, and the file through which a job process hands its
 * outcome and result rows back.
 *
 * Forking from the multi-threaded runner instead would make every later
 * write of the runner to its heap a copy-on-write fault with a TLB
 * shootdown across cores (measured: 40% of the runner's CPU).  The
 * helper also answers small computations that must run single-threaded
 * (hz__jobproc_call: time-zone conversions, which change TZ). */
#ifndef HZ_RUNNER_JOBPROC_H
#define HZ_RUNNER_JOBPROC_H

#include <sys/types.h>

#include <cjson/cJSON.h>

#include "horizon/common.h"
#include "runner/exec.h"

/* A job process that cannot isolate itself says so in a file beside its
 * directory (DIR + this suffix, in the run's work directory), made before
 * it isolates itself and written only then: the result file is the job
 * process's to write after it has read its dataset, and code a hostile
 * dataset got to run there could put reason "isolation" in it (which
 * releases the job, refunded, and ends the run) but cannot write there
 * (Landlock holds its writes to its own directory).  It holds
 * HZ_JOBPROC_SHORTAGE when what failed was a resource the machine lacked
 * for a moment (its threads' supervisor not forked: EAGAIN at the pid
 * limit, ENOMEM; ENFILE, EMFILE): the job is then tried again later, its
 * attempt refunded, and the run goes on; else "isolation". */
#define HZ_JOBPROC_ISOLATION_MARK ".isolation"
#define HZ_JOBPROC_SHORTAGE "shortage"

typedef struct hz__jobproc_config {
    hz_exec_options exec;     /* options of every job process (threads,
                              sandbox, decoder, ...); the job's timeout
                              sets fetch_timeout_s */
    double default_timeout_s; /* a job without its own timeout */
    bool require_isolation;   /* a job process that cannot isolate itself
                                 (runner/isolate.h) reports reason
                                 "isolation" instead of running (the
                                 worker releases the job and the run
                                 ends) */
    bool thread_limit;        /* job processes are held to a thread
                                 limit (runner/threadlimit.h: the
                                 runner found it possible at start) */
    /* Answer a call (single-threaded, in the helper): a malloc'd reply or
     * NULL.  May be NULL (calls fail). */
    char *(*call)(const char *request);
} hz__jobproc_config;

typedef struct hz__jobproc hz__jobproc;

/* Fork the helper (before any thread of the caller; cfg is copied with
 * the process).  HZ_ENOMEM with errno's text when it cannot start. */
hz_status hz__jobproc_start(const hz__jobproc_config *cfg, hz__jobproc **out,
                            hz_error *err);
/* Close the channel (the helper then reaps its children and exits) and
 * wait for it.  NULL allowed. */
void hz__jobproc_stop(hz__jobproc *z);

/* Whether the helper is still there: it may have been killed (the OOM
 * killer, an operator), and it cannot be forked again once the runner
 * has threads.  When it is gone, *why (n bytes) says how it ended:
 * "(pid N) was killed by signal 9 (Killed)".
 * Thread-safe; the helper is not reaped (hz__jobproc_stop does). */
bool hz__jobproc_alive(hz__jobproc *z, char *why, size_t n);

/* Start a job process for the request file reqfile (written by
 * hz__jobproc_write_request).  Returns its pidfd (and pid) or -1 with
 * errno.  Thread-safe. */
int hz__jobproc_spawn(hz__jobproc *z, const char *reqfile, pid_t *pid);

/* Ask the helper's call function; *reply_out malloc'd.  Thread-safe. */
hz_status hz__jobproc_call(hz__jobproc *z, const char *request,
                           char **reply_out, hz_error *err);

/* Write a request file: the job document, its dataset location and the
 * path of the result file the job process writes. */
hz_status hz__jobproc_write_request(const char *reqfile, const cJSON *job,
                                    const char *dataset, const char *resfile,
                                    hz_error *err);

/* Read a job process's result file: the outcome object ("ok", "error",
 * "reason", "retryable", "stages", "datasetBytes", "summary") with the
 * rows as "chunks": [{"kind":..., "rows": [raw JSON items...]}].  NULL
 * when the file is missing or malformed. */
cJSON *hz__jobproc_read_result(const char *path);

/* The whole file, NUL-terminated, in one allocation; NULL on error. */
char *hz__read_file(const char *path);

#endif
