/* What the runner's files share: the runner's state, the work queue and
 * the steps of one job (worker.c). */
#ifndef HZ_RUNNER_INTERNAL_H
#define HZ_RUNNER_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>

#include <cjson/cJSON.h>

#include "runner/jobproc.h"
#include "runner/log.h"
#include "runner/metrics.h"
#include "runner/runner.h"
#include "store/store.h"

typedef struct hz__qitem {
    cJSON *doc;
    double claimed_at; /* monotonic */
} hz__qitem;

typedef struct hz__runner {
    const hz_runner_config *cfg;
    hz_log *log;
    bool own_log;
    char owner[160];
    const char *tmpdir;
    /* the run's own directory in tmpdir (mkdtemp, mode 0700): job
     * processes' request, result and report files and downloads; no
     * other user can read them, put a file or a link where they go, or
     * guess their names ("" until made) */
    char workdir[4096];
    int workdir_lock; /* its lock (runner/workdir.h), -1 when none */
    hz_metrics *m;
    pthread_mutex_t mu;
    pthread_cond_t cv_work; /* workers wait for jobs */
    pthread_cond_t cv_idle; /* the dispatcher waits for a free worker */
    hz__qitem *queue;
    int qcap, qhead, qn;
    int busy;
    bool done;
    long finished; /* jobs finished (ok or failed) */
    long seq;
    int threads_per_job;
    long long max_memory_bytes; /* per job process; <= 0: no limit */
    long long max_disk_bytes;   /* per job (runner/disklimit.h); <= 0: no
                                   limit */
    bool memory_by_rlimit;      /* max_memory_bytes is the room a hard
                                   RLIMIT_DATA leaves (runner/memlimit.h) */
    hz__jobproc *jp;
    int isolation_abi; /* Landlock ABI job processes use; 0: none */
    bool socket_filter; /* they get the seccomp socket filter */
    bool thread_limit;  /* they are held to a thread limit
                           (runner/threadlimit.h) */
    /* store failures of the workers (write-back, release): the work was
     * not recorded, so a --once run cannot say "drained" (under mu) */
    long store_failures;
    char store_error[HZ_ERROR_MAX];
    /* wall clock since when the workers' writes have failed (0: the last
     * one reached the store): the heartbeat says "degraded" meanwhile,
     * as it does for claims (under mu) */
    double write_failing_since;
    /* wall clock since when the runner's own steps fail (its job's
     * directory, its request file, starting its process: not the store),
     * and why; 0: the last job process started.  The heartbeat tells it
     * apart from the store's health (under mu) */
    double local_failing_since;
    char local_error[HZ_ERROR_MAX];
    /* while they fail, claims wait (monotonic) until local_retry_at, the
     * wait doubling from 0.5 s to 30 s: a --watch runner claimed and
     * released the same job thousands of times a second (under mu) */
    double local_retry_at, local_backoff_s;
    long local_failures; /* of store_failures, the runner's own */
    /* narrative calls whose worker left them (lease lost): hz_runner_run
     * waits for them (under mu; cv_idle is signalled) */
    int narr_detached;
    double grace_end; /* monotonic: when a stop's grace ends (0: unset) */
    /* a claim write of the dispatcher in flight (hz_claim_request.writing;
       the dispatcher's thread only): its cancel spares it as a worker's
       cancel spares a worker's writes */
    bool claim_writing;
    /* no job can run here any more (the job process helper died, the
     * work directory is full, a job process could not isolate itself):
     * nothing more is claimed and the run ends, --watch too, with
     * fault_rc and why, so that its supervisor starts a new one (under
     * mu; hz__runner_fault) */
    bool fault;
    hz_status fault_rc;
    char fault_error[HZ_ERROR_MAX];
} hz__runner;

bool hz__runner_stopping(const hz__runner *r);

/* A fault of the runner's own, not the job's (the job is released with
 * its attempt refunded by the caller): logged as an error, nothing more
 * is claimed and the run ends with rc and msg (the first fault's), with
 * --watch too: a runner that claimed and released every job again at
 * once would spin for ever while its heartbeat said "ok". */
void hz__runner_fault(hz__runner *r, hz_status rc, const char *msg);

/* Remove a job's directory in the run's work directory and what its
 * process left in it (request, result, report, a download cut short);
 * "" is none.  A job's at its end, those left at the run's end. */
void hz__runner_remove_job_dir(const char *dir);
/* When the grace of a stop ends (monotonic): grace_s after the first
 * call (mu not held). */
double hz__runner_grace_end(hz__runner *r);
/* A store operation of a worker failed: remember it for the exit code,
 * and the runner is unhealthy until hz__runner_store_ok. */
void hz__runner_store_failed(hz__runner *r, const char *msg);
/* A worker's write reached the store (an outcome, a release). */
void hz__runner_store_ok(hz__runner *r);
/* A step of the runner's own failed (not the store: making a job's
 * directory, starting its process): counted for the exit code as a
 * store failure is, and said by the heartbeat as a local error, not as
 * the store's health, until hz__runner_local_ok. */
void hz__runner_local_failed(hz__runner *r, const char *msg);
/* A job process started: the runner's own steps work again. */
void hz__runner_local_ok(hz__runner *r);

/* Run one claimed job to its end: checks, the job process, its outcome
 * written back (or the job released / left to a new owner). */
void hz__runner_process(hz__runner *r, hz_store *s, hz__qitem *it, int worker);

/* Create the jobs of the due slots of every schedule (of cfg->tenant,
 * or all) at time now (epoch seconds): see runner/schedule.h. */
struct hz_schedule_run_stats;
hz_status hz__schedules_materialise(hz__runner *r, hz_store *s, double now,
                                    struct hz_schedule_run_stats *st,
                                    hz_error *err);

/* Most takeovers (the runner died, the lease expired) before a job is
 * failed for good: a job that keeps killing its runner (e.g. by memory)
 * must not loop forever. */
#define HZ_RUNNER_MAX_TAKEOVERS 10

/* After a stop, the dispatcher's store requests are abandoned at once
 * (it claims nothing more), but for a claim write in flight; that, and a
 * worker's, once the stop's grace has passed by this many seconds more
 * (the release or write-back of a job that ends at the grace's end; the
 * claim of a job, which the stopping runner then releases), so that a
 * store that hangs does not hold the runner for its whole deadline
 * (COSMOS_DEADLINE_S).  The job of an abandoned request is taken over
 * when its lease expires, and the log says so. */
#define HZ_RUNNER_STOP_WRITE_S 5.0

/* The stop conditions of the dispatcher's and a worker's store requests
 * (ctx: the hz__runner; see hz_store_set_cancel). */
bool hz__runner_dispatch_cancel(void *ctx);
bool hz__runner_worker_cancel(void *ctx);

#endif
