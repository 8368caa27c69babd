/* The job runner: claims jobs from a store and runs them to completion.
 *
 * Process model (chosen so that no job can wedge the runner):
 *   - a dispatcher thread claims jobs (several at a time, up to the free
 *     worker slots) with a lease, and hands them to N worker threads;
 *   - each worker runs ONE job at a time in a forked child process
 *     (hz_exec_run: fetch, ingest, compute, summarise).  The child writes
 *     its summary and result rows to a temp file and exits; the worker
 *     waits on a pidfd, renews the job's lease every lease/3 seconds, and
 *     kills the child (SIGKILL) when the job's timeout passes.  A tool that
 *     loops, deadlocks or crashes therefore costs its own job only;
 *   - the worker writes the results and the final status back through the
 *     store in atomic batches (hz_store_finish), conditional on the job's
 *     ETag, so a runner that lost its lease never overwrites the new
 *     owner's status.
 *   - children get PR_SET_PDEATHSIG(SIGKILL): when a runner is killed its
 *     jobs stop too, and another runner recovers them once their lease
 *     expires.
 * The runner process itself never runs engine code (no OpenMP in the
 * parent, so forked children start with a clean OpenMP runtime).
 *
 * Failures: a job is failed for good with a clear message for an invalid
 * document, bad parameters, a missing, unreadable or refused dataset, a
 * timeout, or an engine error; transient failures (network fetch errors,
 * a job process that died) are retried until maxAttempts.  Every failure
 * has a reason ("validation", "params", "dataset", "fetch", "compute",
 * "timeout", "tool-timeout", "crash", "attempts", "takeovers") kept in
 * the job's errorReason and counted in the metrics.  A job's attempts
 * count its own failures only: a runner that died (its lease taken over)
 * or stopped refunds the attempt; takeovers are counted apart, and a job
 * taken over more than HZ_RUNNER_MAX_TAKEOVERS times fails
 * ("takeovers").
 *
 * The store: when claims fail (unreachable, unauthorised, throttled past
 * the client's deadline, full, corrupt) a --once run retries them for
 * claim_retry_s, then stops claiming, lets running jobs finish and
 * returns HZ_ENET with the reason; so does a run in which a worker could
 * not write a job's outcome back.  A --watch run keeps going with an
 * exponential backoff (up to max_backoff_s) and reports its health in
 * the log, the heartbeat file and the metrics.
 *
 * Shutdown: when *stop becomes non-zero (SIGTERM/SIGINT) nothing more is
 * claimed; running jobs get grace_s seconds to finish, then their
 * children are killed and the jobs released back to the queue (their
 * attempt not counted); jobs claimed but not started are released at
 * once. */
#ifndef HZ_RUNNER_H
#define HZ_RUNNER_H

#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "horizon/common.h"
#include "net/sandbox.h"
#include "runner/exec.h"
#include "runner/log.h"
#include "runner/metrics.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Narrative hook (jobs/narrative): called by the worker after a job's numbers
 * are computed ("summarise") and before they are written back.  job is
 * the job document (read only), summary the job's summary object.  On
 * HZ_OK *narrative_out (owned by the runner afterwards) is stored as the
 * job's "narrative" field.  A failure is logged and never fails the job.
 * May be called from several worker threads at once.  *cancel is set
 * (from another thread) when the narrative is no longer wanted: the
 * runner stopped and its grace passed (the hook should return soon,
 * e.g. with the template), or the job's lease was lost (the runner no
 * longer waits for the hook; it must return before hz_runner_run does,
 * which waits for it). */
typedef hz_status (*hz_narrative_fn)(void *ctx, const cJSON *job,
                                     const cJSON *summary,
                                     const atomic_bool *cancel,
                                     cJSON **narrative_out, hz_error *err);

/* How hz_runner_run's error begins when it refused to run jobs for want
 * of job isolation (hz_runner_config.require_isolation). */
#define HZ_RUNNER_NO_ISOLATION "job isolation is required and unavailable"

typedef struct hz_runner_config {
    const char *store_spec;       /* "sqlite:PATH", "cosmos", ... */
    bool watch;                   /* keep polling (else: drain and exit) */
    double poll_interval_s;       /* --watch: idle wait, default 2 */
    int concurrency;              /* worker threads = jobs at once, def. 4 */
    double timeout_s;             /* per job, default 300 */
    double tool_timeout_s;        /* per tool inside a job; 0 = timeout_s */
    int max_attempts;             /* default 3 */
    double lease_s;               /* default 60 */
    double grace_s;               /* on stop, default 20 */
    int threads_per_job;          /* OpenMP threads per job; 0 = auto
                                   (cores / concurrency, at least 1) */
    long long max_download_bytes; /* default 2 GiB */
    long long max_memory_bytes;   /* what a job process may allocate
                                   (runner/memlimit.h); 0 = auto: the
                                   machine's memory (or its cgroup's
                                   limit) / concurrency; < 0 = no limit */
    long long max_disk_bytes;     /* what a job process may write in its
                                   directory (runner/disklimit.h); 0 =
                                   auto: max_download_bytes + 2 GiB; < 0 =
                                   no limit */
    const char *tenant;           /* only this customerId; NULL = all */
    const char *tmpdir;           /* NULL = $TMPDIR or /tmp */
    bool progress;                /* progress line on stderr (a tty only) */
    bool verbose;                 /* a line per job */
    bool test_hooks;              /* honour params.debugSleepS (tests) */
    bool require_isolation;       /* default true: without Landlock
                                   (runner/isolate.h) run no job
                                   (hz_runner_run: HZ_EINVAL, the message
                                   beginning HZ_RUNNER_NO_ISOLATION);
                                   false: run them unisolated, said at
                                   start */
    long max_jobs;                /* stop claiming after this many; 0 = no
                                   limit */
    const atomic_int *stop;       /* set by a signal handler (lock-free, so
                                   async-signal-safe) and read by every
                                   thread; may be NULL */
    hz_narrative_fn narrative;    /* may be NULL */
    void *narrative_ctx;
    /* Called once by hz_runner_run, with open_narrative_arg, after the
     * job process helper is forked and before the store is opened or a
     * worker starts: where the caller opens its narrative step (setting
     * narrative and narrative_ctx through its own pointer to this
     * configuration), so that what the step holds (the LLM's API key,
     * its store handle) is never in the memory of the helper nor of the
     * job processes forked from it.  May be NULL. */
    void (*open_narrative)(void *arg);
    void *open_narrative_arg;
    FILE *log;      /* messages when logger is NULL; NULL = stderr */
    hz_log *logger; /* the log (borrowed); NULL = text on log */
    hz_job_request_fn build_request; /* required: params -> request */
    const hz_sandbox *sandbox;  /* what datasets may be read; NULL = none */
    double claim_retry_s;       /* --once: retry failed claims this long
                                  (default 10) */
    double max_backoff_s;       /* --watch: longest wait between failed
                                  claims (default 60) */
    const char *metrics_file;   /* OpenMetrics text, rewritten atomically
                                  every metrics_interval_s and at the end;
                                  NULL = none */
    double metrics_interval_s;  /* default 5 */
    const char *heartbeat_file; /* JSON health, rewritten every poll */
    bool schedules;             /* materialise due schedule slots (default
                                   true; see runner/schedule.h) */
    double clock_offset_s;      /* added to the wall clock for schedules
                                   (tests; default 0) */
} hz_runner_config;

void hz_runner_config_init(hz_runner_config *c);

/* Run until the queue is drained (or forever with watch, until *stop).
 * Fills m (created by the caller).  Failed jobs are counted in m, not
 * returned.  Fails when the runner cannot work: HZ_EINVAL for a bad
 * configuration, the store's status when it cannot be opened, HZ_ENET
 * when the store failed during a --once run (see above: the queue was
 * not drained or an outcome not written), HZ_ECANCELED when *stop ended
 * a --once run before it saw the queue empty (its unfinished jobs
 * released; m is filled as for HZ_OK). */
hz_status hz_runner_run(const hz_runner_config *cfg, hz_metrics *m,
                        hz_error *err);

#ifdef __cplusplus
}
#endif
#endif
