/* The job runner's dispatcher: claims jobs, feeds the worker threads,
 * watches the store's health (see runner.h for the process model; the
 * steps of one job are in worker.c, job processes in jobproc.c). */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "horizon/outfile.h"
#include "horizon/threads.h"
#include "net/cjson.h"
#include "net/http.h"
#include "runner/isolate.h"
#include "runner/memlimit.h"
#include "runner/runner_internal.h"
#include "runner/schedule.h"
#include "runner/threadlimit.h"
#include "runner/workdir.h"
#include "store/job.h"

void hz_runner_config_init(hz_runner_config *c)
{
    memset(c, 0, sizeof *c);
    c->poll_interval_s = 2;
    c->concurrency = 4;
    c->timeout_s = 300;
    c->max_attempts = 3;
    c->lease_s = 60;
    c->grace_s = 20;
    c->max_download_bytes = 2LL << 30;
    c->claim_retry_s = 10;
    c->max_backoff_s = 60;
    c->metrics_interval_s = 5;
    c->schedules = true;
    c->require_isolation = true;
}

bool hz__runner_stopping(const hz__runner *r)
{
    return r->cfg->stop != NULL && atomic_load(r->cfg->stop) != 0;
}

double hz__runner_grace_end(hz__runner *r)
{
    pthread_mutex_lock(&r->mu);
    if (r->grace_end == 0)
        r->grace_end = hz_now() + r->cfg->grace_s;
    double t = r->grace_end;
    pthread_mutex_unlock(&r->mu);
    return t;
}

bool hz__runner_worker_cancel(void *ctx)
{
    hz__runner *r = ctx;
    return hz__runner_stopping(r) &&
           hz_now() >= hz__runner_grace_end(r) + HZ_RUNNER_STOP_WRITE_S;
}

bool hz__runner_dispatch_cancel(void *ctx)
{
    hz__runner *r = ctx;
    return r->claim_writing ? hz__runner_worker_cancel(r)
                            : hz__runner_stopping(r);
}

void hz__runner_store_failed(hz__runner *r, const char *msg)
{
    pthread_mutex_lock(&r->mu);
    r->store_failures++;
    snprintf(r->store_error, sizeof r->store_error, "%s", msg);
    if (r->write_failing_since == 0)
        r->write_failing_since = hz_wall_now();
    pthread_mutex_unlock(&r->mu);
}

void hz__runner_store_ok(hz__runner *r)
{
    pthread_mutex_lock(&r->mu);
    r->write_failing_since = 0;
    pthread_mutex_unlock(&r->mu);
}

void hz__runner_local_failed(hz__runner *r, const char *msg)
{
    pthread_mutex_lock(&r->mu);
    r->store_failures++; /* the work was not done: a --once run exits 75 */
    r->local_failures++;
    snprintf(r->store_error, sizeof r->store_error, "%s", msg);
    snprintf(r->local_error, sizeof r->local_error, "%s", msg);
    if (r->local_failing_since == 0)
        r->local_failing_since = hz_wall_now();
    r->local_backoff_s = r->local_backoff_s > 0
                             ? fmin(r->local_backoff_s * 2, 30)
                             : 0.5;
    r->local_retry_at = hz_now() + r->local_backoff_s;
    pthread_mutex_unlock(&r->mu);
}

void hz__runner_local_ok(hz__runner *r)
{
    pthread_mutex_lock(&r->mu);
    r->local_failing_since = 0;
    r->local_backoff_s = 0;
    r->local_retry_at = 0;
    pthread_mutex_unlock(&r->mu);
}

typedef struct worker_arg {
    hz__runner *r;
    int index;
    hz_store *s; /* opened by the dispatcher, closed by the worker */
    double ru;   /* request units of s already counted */
} worker_arg;

static void *worker_main(void *arg)
{
    worker_arg *wa = arg;
    hz__runner *r = wa->r;
    for (;;) {
        pthread_mutex_lock(&r->mu);
        while (r->qn == 0 && !r->done)
            pthread_cond_wait(&r->cv_work, &r->mu);
        if (r->qn == 0 && r->done) {
            pthread_mutex_unlock(&r->mu);
            break;
        }
        hz__qitem it = r->queue[r->qhead];
        r->qhead = (r->qhead + 1) % r->qcap;
        r->qn--;
        r->busy++;
        pthread_mutex_unlock(&r->mu);
        hz__runner_process(r, wa->s, &it, wa->index);
        cJSON_Delete(it.doc);
        double ru = hz_store_charge(wa->s);
        hz_metrics_add_ru(r->m, "write", ru - wa->ru);
        wa->ru = ru;
        pthread_mutex_lock(&r->mu);
        r->busy--;
        r->finished++;
        pthread_cond_broadcast(&r->cv_idle);
        pthread_mutex_unlock(&r->mu);
    }
    hz_metrics_add_store(r->m, wa->s->busy_s, wa->s->nops);
    hz_metrics_add_ru(r->m, "write", hz_store_charge(wa->s) - wa->ru);
    hz_store_close(wa->s);
    wa->s = NULL;
    return NULL;
}

/* ---- the dispatcher's state ---- */

typedef struct dispatch {
    hz__runner *r;
    hz_store *s;
    int workers;
    long claimed_total;
    /* health of the store as the claims see it */
    bool healthy;
    double unhealthy_since; /* wall clock */
    double next_claim;      /* monotonic: no claim before (backoff) */
    double backoff_s;
    char last_error[HZ_ERROR_MAX];
    bool gave_up; /* --once: claims failed for claim_retry_s */
    bool drained; /* --once: ended with the queue seen empty (or
                     max_jobs run), not by a stop */
    double t0, last_progress, last_schedules;
    double ru; /* request units of s already counted */
    double last_schedule_error;
    /* the heartbeat's own thread (heartbeat_main), so that a store
     * request that hangs does not stop the file's beat (a liveness probe
     * would kill a runner that only waits); healthy, unhealthy_since,
     * last_error and asking are read by it under r->mu */
    double asking;   /* wall clock: a store request of the dispatcher in
                        flight since then (0: none) */
    pthread_t hb_thread;
    bool hb_started, hb_stop; /* hb_stop under r->mu */
    pthread_cond_t hb_cv;     /* hb_stop was set */
} dispatch;

/* A dispatcher's store request in flight this long makes the heartbeat
 * say "degraded" before the request has failed. */
#define HZ_HEARTBEAT_SLOW_S 5.0

static void timed_wait(hz__runner *r, double seconds)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    double whole = floor(seconds);
    ts.tv_sec += (time_t)whole;
    ts.tv_nsec += (long)((seconds - whole) * 1e9);
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(&r->cv_idle, &r->mu, &ts);
}

static void progress(hz__runner *r, double t0, bool final)
{
    if (!r->cfg->progress)
        return;
    double el = hz_now() - t0;
    long ok = hz_metrics_done(r->m), bad = hz_metrics_failed(r->m);
    char line[200];
    snprintf(line, sizeof line,
             "%ld succeeded, %ld failed, %d running, %.1f jobs/s, %.0f s", ok,
             bad, r->busy, el > 0 ? (ok + bad) / el : 0.0, el);
    hz_log_progress(r->log, line, final);
}

/* Write path atomically: a temporary file of a name nobody can guess,
 * made beside it (mkstemp), renamed over it (hz_outfile). */
static void write_atomic(const char *path, const char *text)
{
    hz_outfile *o = NULL;
    hz_error err;
    if (hz_outfile_open(path, &o, &err) != HZ_OK)
        return;
    if (fputs(text, hz_outfile_stream(o)) < 0) {
        hz_outfile_abort(o);
        return;
    }
    hz_outfile_commit(o, &err);
}

/* The heartbeat file: a liveness probe reads its time and state.  Its
 * text is made under r->mu (the dispatcher's health), written outside. */
static void heartbeat(dispatch *d)
{
    hz__runner *r = d->r;
    if (r->cfg->heartbeat_file == NULL)
        return;
    char when[40], since[40], slow[160];
    double now = hz_wall_now();
    pthread_mutex_lock(&r->mu);
    bool waiting = d->asking > 0 && now - d->asking >= HZ_HEARTBEAT_SLOW_S;
    /* claims that work while every outcome fails to be written (a store
     * that refuses or throttles writes) are no health: until 2026-12-07
     * the heartbeat said "ok" while each job was computed again and
     * again */
    bool writes = r->write_failing_since > 0;
    const char *state = hz__runner_stopping(r)              ? "stopping"
                        : d->healthy && !waiting && !writes ? "ok"
                                                            : "degraded";
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "time", hz_log_time(now, when, sizeof when));
    cJSON_AddNumberToObject(o, "pid", (double)getpid());
    cJSON_AddStringToObject(o, "owner", r->owner);
    cJSON_AddStringToObject(o, "state", state);
    char iso[40];
    snprintf(iso, sizeof iso, "landlock-abi-%d", r->isolation_abi);
    cJSON_AddStringToObject(o, "jobIsolation",
                            r->isolation_abi > 0 ? iso : "none");
    cJSON_AddBoolToObject(o, "jobSocketFilter", r->socket_filter);
    if (!d->healthy || waiting) {
        snprintf(slow, sizeof slow,
                 "a store request has waited %.0f s for an answer",
                 now - d->asking);
        cJSON_AddStringToObject(
            o, "unhealthySince",
            hz_log_time(d->healthy ? d->asking : d->unhealthy_since, since,
                        sizeof since));
        cJSON_AddStringToObject(o, "lastError",
                                d->healthy ? slow : d->last_error);
    } else if (writes) {
        cJSON_AddStringToObject(
            o, "unhealthySince",
            hz_log_time(r->write_failing_since, since, sizeof since));
        cJSON_AddStringToObject(o, "lastError", r->store_error);
    }
    if (r->local_failing_since > 0) {
        /* the runner's own steps (a job's directory, its process), not
         * the store: until 2026-12-07 they made the state "degraded",
         * and it stayed so until a write reached the store */
        cJSON_AddStringToObject(
            o, "localFailingSince",
            hz_log_time(r->local_failing_since, since, sizeof since));
        cJSON_AddStringToObject(o, "localError", r->local_error);
    }
    cJSON_AddNumberToObject(o, "running", r->busy);
    pthread_mutex_unlock(&r->mu);
    cJSON_AddNumberToObject(o, "succeeded", (double)hz_metrics_done(r->m));
    cJSON_AddNumberToObject(o, "failed", (double)hz_metrics_failed(r->m));
    char *text = cJSON_Print(o);
    cJSON_Delete(o);
    if (text != NULL)
        write_atomic(r->cfg->heartbeat_file, text);
    cJSON_free(text);
}

/* The OpenMetrics file (--metrics-file), its health as the heartbeat's. */
static void write_metrics_file(dispatch *d)
{
    hz__runner *r = d->r;
    if (r->cfg->metrics_file == NULL)
        return;
    double now = hz_wall_now();
    pthread_mutex_lock(&r->mu);
    bool healthy = d->healthy && r->write_failing_since == 0 &&
                   !(d->asking > 0 && now - d->asking >= HZ_HEARTBEAT_SLOW_S);
    int busy = r->busy, workers = d->workers;
    pthread_mutex_unlock(&r->mu);
    hz_metrics_set_health(r->m, healthy, busy);
    hz_metrics_set_wall(r->m, hz_now() - d->t0, workers);
    hz_error err;
    if (hz_metrics_write_openmetrics(r->m, r->cfg->metrics_file, &err) !=
        HZ_OK)
        hz_log_write(r->log, HZ_LOG_WARN, NULL, "%s", err.msg);
}

/* The heartbeat's thread: the heartbeat file every second and the
 * metrics file every --metrics-interval, whatever the dispatcher is
 * waiting for (the first after an interval: a run that cannot start,
 * e.g. for a bad store spec, writes none). */
static void *heartbeat_main(void *arg)
{
    dispatch *d = arg;
    hz__runner *r = d->r;
    double every_m = r->cfg->metrics_interval_s;
    double next_hb = hz_now() + 1, next_m = hz_now() + every_m;
    for (;;) {
        double now = hz_now();
        if (now >= next_hb) {
            heartbeat(d);
            next_hb = now + 1;
        }
        if (now >= next_m) {
            write_metrics_file(d);
            next_m = now + every_m;
        }
        double wait = fmax(fmin(next_hb, r->cfg->metrics_file ? next_m
                                                              : next_hb) -
                               hz_now(),
                           0.01);
        pthread_mutex_lock(&r->mu);
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        double whole = floor(wait);
        ts.tv_sec += (time_t)whole;
        ts.tv_nsec += (long)((wait - whole) * 1e9);
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        if (!d->hb_stop)
            pthread_cond_timedwait(&d->hb_cv, &r->mu, &ts);
        bool stop = d->hb_stop;
        pthread_mutex_unlock(&r->mu);
        if (stop)
            return NULL;
    }
}

static void heartbeat_start(dispatch *d)
{
    if (d->r->cfg->heartbeat_file == NULL && d->r->cfg->metrics_file == NULL)
        return;
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&d->hb_cv, &ca);
    pthread_condattr_destroy(&ca);
    d->hb_started = pthread_create(&d->hb_thread, NULL, heartbeat_main, d) == 0;
    if (!d->hb_started)
        pthread_cond_destroy(&d->hb_cv);
}

/* Stop the heartbeat's thread and (last) write the file a last time. */
static void heartbeat_stop(dispatch *d, bool last)
{
    hz__runner *r = d->r;
    if (d->hb_started) {
        pthread_mutex_lock(&r->mu);
        d->hb_stop = true;
        pthread_cond_signal(&d->hb_cv);
        pthread_mutex_unlock(&r->mu);
        pthread_join(d->hb_thread, NULL);
        pthread_cond_destroy(&d->hb_cv);
        d->hb_started = false;
    }
    if (last) {
        heartbeat(d);
        write_metrics_file(d);
    }
}

/* A store request of the dispatcher begins (began: wall clock) or ends
 * (0): the heartbeat tells one that hangs. */
static void asking(dispatch *d, double began)
{
    pthread_mutex_lock(&d->r->mu);
    d->asking = began;
    pthread_mutex_unlock(&d->r->mu);
}


/* Periodic work of the dispatcher (mu not held). */
static void periodic(dispatch *d, bool force)
{
    hz__runner *r = d->r;
    double now = hz_now();
    if (r->cfg->progress && (force || now - d->last_progress > 0.5)) {
        progress(r, d->t0, false);
        d->last_progress = now;
    }
}

/* ---- claims ---- */

/* The store failing since wall clock `began` (a request that hangs until
 * the store's own deadline counts its whole time against --claim-retry):
 * unhealthy, and a --once run gives up after --claim-retry. */
static void store_unhealthy(dispatch *d, const char *msg, double began)
{
    hz__runner *r = d->r;
    pthread_mutex_lock(&r->mu);
    snprintf(d->last_error, sizeof d->last_error, "%s", msg);
    if (d->healthy) {
        d->healthy = false;
        d->unhealthy_since = began;
        d->backoff_s = 0.5;
    }
    pthread_mutex_unlock(&r->mu);
    if (!r->cfg->watch &&
        hz_wall_now() - d->unhealthy_since >= r->cfg->claim_retry_s)
        d->gave_up = true;
}

/* A claim that began at wall clock `began` failed. */
static void claim_failed(dispatch *d, const char *msg, double began)
{
    hz__runner *r = d->r;
    double now = hz_now();
    store_unhealthy(d, msg, began);
    hz_metrics_add_store_error(r->m, "claim");
    if (d->gave_up)
        hz_log_write(r->log, HZ_LOG_ERROR, NULL,
                     "could not claim jobs: %s (giving up)", msg);
    else
        hz_log_write(r->log, HZ_LOG_ERROR, NULL,
                     "could not claim jobs: %s (retrying in %.1f s)", msg,
                     d->backoff_s);
    d->next_claim = now + d->backoff_s;
    d->backoff_s = fmin(d->backoff_s * 2, r->cfg->max_backoff_s);
}

static void claim_ok(dispatch *d)
{
    if (!d->healthy)
        hz_log_write(d->r->log, HZ_LOG_INFO, NULL,
                     "store reachable again after %.1f s",
                     hz_wall_now() - d->unhealthy_since);
    pthread_mutex_lock(&d->r->mu);
    d->healthy = true;
    d->backoff_s = 0;
    d->last_error[0] = '\0';
    pthread_mutex_unlock(&d->r->mu);
}

/* A job the claim failed instead of claiming it (hz_claim_request.refused:
 * its document too large for the store): a failure of this run, reported
 * as a worker reports one (else the run would exit 0 and say nothing). */
static void claim_refused(void *ctx, const cJSON *rec)
{
    hz__runner *r = ctx;
    const char *error = hz__cjson_str(rec, "error");
    hz_log_fields f = {.job = hz__cjson_str(rec, "id"),
                       .tenant = hz__cjson_str(rec, "customerId"),
                       .type = hz__cjson_str(rec, "type"),
                       .reason = "write"};
    hz_log_write(r->log, HZ_LOG_WARN, &f,
                 "job %s (%s, tenant %s) failed [%s]: %s", f.job ? f.job : "?",
                 f.type ? f.type : "?", f.tenant ? f.tenant : "?", f.reason,
                 error ? error : "");
    hz_metrics_add_job(r->m, f.type ? f.type : "?", NULL, NAN, false,
                       f.reason);
}

/* hz_claim_request.writing: no claim write begins once the runner stops;
 * one in flight is spared by the dispatcher's cancel until the stop's
 * write deadline (hz__runner_dispatch_cancel), since one abandoned may
 * have taken effect.  A job it claims is queued and, the runner
 * stopping, released by a worker, its attempt refunded. */
static bool claim_writing(void *ctx, bool begin)
{
    hz__runner *r = ctx;
    if (begin && hz__runner_stopping(r))
        return false;
    r->claim_writing = begin;
    return true;
}

/* hz_claim_request.abandoned: a claim write abandoned in flight, the store
 * hung past the stop's deadline.  If the store took it, the job is this
 * runner's until its lease expires: said as a worker says it of a
 * release it could not write. */
static void claim_abandoned(void *ctx, const cJSON *doc)
{
    hz__runner *r = ctx;
    hz_log_fields f = {.job = hz__cjson_str(doc, "id"),
                       .tenant = hz__cjson_str(doc, "customerId"),
                       .type = hz__cjson_str(doc, "type"),
                       .reason = "shutdown"};
    hz_log_write(r->log, HZ_LOG_WARN, &f,
                 "job %s: runner stopping: its claim abandoned in flight; "
                 "if the store took it, the job is taken over when its "
                 "lease expires",
                 f.job ? f.job : "?");
}

/* Claim up to free_slots jobs into the queue (mu held on entry and exit);
 * the number claimed, -1 when the claim failed. */
static int claim_some(dispatch *d, int free_slots)
{
    hz__runner *r = d->r;
    pthread_mutex_unlock(&r->mu);
    /* the leases run from now (rq.now), not from when the store answered */
    double asked = hz_now();
    hz_claim_request rq = {.owner = r->owner,
                           .now = hz_wall_now(),
                           .lease_s = r->cfg->lease_s,
                           .max_jobs = free_slots < 32 ? free_slots : 32,
                           .customer_id = r->cfg->tenant,
                           .refused = claim_refused,
                           .refused_ctx = r,
                           .writing = claim_writing,
                           .abandoned = claim_abandoned,
                           .write_ctx = r};
    cJSON *jobs = NULL;
    hz_error cerr;
    double began = hz_wall_now();
    asking(d, began);
    hz_status crc = hz_store_claim(d->s, &rq, &jobs, &cerr);
    asking(d, 0);
    double ru = hz_store_charge(d->s);
    hz_metrics_add_ru(r->m, "claim", ru - d->ru);
    d->ru = ru;
    if (crc == HZ_ECANCELED) /* stopping: abandoned, not the store's fault */
        hz_log_write(r->log, HZ_LOG_INFO, NULL, "stopping: %s", cerr.msg);
    else if (crc != HZ_OK)
        claim_failed(d, cerr.msg, began);
    else
        claim_ok(d);
    pthread_mutex_lock(&r->mu);
    if (crc != HZ_OK)
        return -1;
    int got = 0;
    while (cJSON_GetArraySize(jobs) > 0) {
        int tail = (r->qhead + r->qn) % r->qcap;
        r->queue[tail].doc = cJSON_DetachItemFromArray(jobs, 0);
        r->queue[tail].claimed_at = asked;
        r->qn++;
        got++;
    }
    cJSON_Delete(jobs);
    d->claimed_total += got;
    if (got > 0)
        pthread_cond_broadcast(&r->cv_work);
    return got;
}

/* Materialise the schedules' due slots (mu not held): at most every
 * poll interval. */
static void run_schedules(dispatch *d)
{
    hz__runner *r = d->r;
    if (!r->cfg->schedules || !d->healthy ||
        hz_now() - d->last_schedules < fmin(r->cfg->poll_interval_s, 1))
        return;
    d->last_schedules = hz_now();
    hz_schedule_run_stats st;
    hz_error err;
    double began = hz_wall_now();
    asking(d, began);
    hz_status rc = hz__schedules_materialise(
        r, d->s, hz_wall_now() + r->cfg->clock_offset_s, &st, &err);
    asking(d, 0);
    if (rc == HZ_ECANCELED && hz__runner_stopping(r)) {
        hz_log_write(r->log, HZ_LOG_INFO, NULL, "stopping: %s", err.msg);
        return;
    }
    if (rc == HZ_ENET || rc == HZ_ETIMEOUT) {
        /* the store itself: a --once run does not spend another of its
         * deadlines on a claim once --claim-retry has passed */
        store_unhealthy(d, err.msg, began);
        if (d->gave_up)
            hz_log_write(r->log, HZ_LOG_ERROR, NULL,
                         "could not materialise schedules: %s (giving up)",
                         err.msg);
    }
    if (rc != HZ_OK) {
        if (hz_now() - d->last_schedule_error > 60) { /* once a minute */
            hz_log_write(r->log, HZ_LOG_WARN, NULL,
                         "could not materialise schedules: %s", err.msg);
            d->last_schedule_error = hz_now();
        }
        hz_metrics_add_store_error(r->m, "schedules");
        return;
    }
    hz_metrics_add_slots(r->m, st.created, st.skipped);
}

/* True when a --once run is over (mu held). */
static bool once_done(dispatch *d, int got, int free_slots)
{
    hz__runner *r = d->r;
    if (r->cfg->watch)
        return false;
    if ((d->gave_up || r->store_failures > 0) && r->busy == 0 && r->qn == 0)
        return true;
    return got == 0 && d->healthy && r->busy == 0 && r->qn == 0 &&
           free_slots > 0;
}

void hz__runner_fault(hz__runner *r, hz_status rc, const char *msg)
{
    pthread_mutex_lock(&r->mu);
    bool first = !r->fault;
    if (first) {
        r->fault = true;
        r->fault_rc = rc;
        snprintf(r->fault_error, sizeof r->fault_error, "%s", msg);
    }
    pthread_mutex_unlock(&r->mu);
    if (first)
        hz_log_write(r->log, HZ_LOG_ERROR, NULL, "%s", msg);
}

/* Whether the run has a fault (mu held), such as a job process helper
 * that has died: then nothing more is claimed and the run ends with an
 * error, so that a supervisor (systemd, Kubernetes) starts a runner that
 * has one; otherwise every job would be claimed and released again at
 * once, for ever, while the heartbeat said "ok". */
static bool faulted(dispatch *d)
{
    hz__runner *r = d->r;
    char why[128];
    if (r->fault || hz__jobproc_alive(r->jp, why, sizeof why))
        return r->fault;
    char msg[HZ_ERROR_MAX];
    snprintf(msg, sizeof msg,
             "the job process helper %s: no job can be started; the "
             "runner stops (start it again)",
             why);
    pthread_mutex_unlock(&r->mu);
    hz__runner_fault(r, HZ_EIO, msg);
    pthread_mutex_lock(&r->mu);
    return true;
}

/* The dispatcher's loop (mu held on entry and exit). */
static void dispatch_loop(dispatch *d)
{
    hz__runner *r = d->r;
    const hz_runner_config *cfg = r->cfg;
    for (;;) {
        if (hz__runner_stopping(r) || faulted(d))
            break;
        pthread_mutex_unlock(&r->mu);
        run_schedules(d);
        periodic(d, false);
        pthread_mutex_lock(&r->mu);
        if (hz__runner_stopping(r)) /* a stop while schedules hung */
            break;
        int free_slots = d->workers - r->busy - r->qn;
        if (cfg->max_jobs > 0 && d->claimed_total + free_slots > cfg->max_jobs)
            free_slots = (int)(cfg->max_jobs - d->claimed_total);
        bool may_claim = !d->gave_up &&
                         (cfg->watch || r->store_failures == 0) &&
                         hz_now() >= d->next_claim &&
                         hz_now() >= r->local_retry_at;
        int got = free_slots > 0 && may_claim ? claim_some(d, free_slots) : 0;
        if (cfg->max_jobs > 0 && d->claimed_total >= cfg->max_jobs &&
            r->busy == 0 && r->qn == 0) {
            d->drained = true;
            break;
        }
        if (once_done(d, got, free_slots)) {
            d->drained = !d->gave_up && r->store_failures == 0;
            break;
        }
        if (got <= 0) {
            double wait = (cfg->watch && r->busy == 0 && r->qn == 0)
                              ? cfg->poll_interval_s
                              : 0.25;
            if (!d->healthy)
                wait = fmin(wait, fmax(d->next_claim - hz_now(), 0.05));
            timed_wait(r, fmin(wait, cfg->progress ? 0.5 : 1.0));
        } else if (d->workers - r->busy - r->qn <= 0) {
            timed_wait(r, 0.25);
        }
    }
}

/* ---- setup and teardown ---- */

static void set_owner(hz__runner *r)
{
    char host[64] = "host";
    gethostname(host, sizeof host);
    host[sizeof host - 1] = '\0';
    char rid[HZ_JOB_ID_MAX];
    hz_job_new_id("r", rid);
    snprintf(r->owner, sizeof r->owner, "%.60s:%ld:%s", host, (long)getpid(),
             rid + strlen(rid) - 8);
}

/* The run's private directory (see hz__runner.workdir). */
static hz_status make_workdir(hz__runner *r, hz_error *err)
{
    int w = snprintf(r->workdir, sizeof r->workdir, "%s/horizon-run-XXXXXX",
                     r->tmpdir);
    if (w < 0 || (size_t)w >= sizeof r->workdir || mkdtemp(r->workdir) == NULL) {
        int e = w < 0 || (size_t)w >= sizeof r->workdir ? ENAMETOOLONG : errno;
        r->workdir[0] = '\0';
        return hz_error_set(err, HZ_EIO,
                            "could not create the run's work directory in "
                            "%.300s: %s (set TMPDIR to a writable "
                            "directory)",
                            r->tmpdir, strerror(e));
    }
    /* held while this runner (or its job process helper) lives: a runner
     * started later removes the directory once it is gone */
    r->workdir_lock = hz__workdir_lock(r->workdir, err);
    if (r->workdir_lock < 0) {
        rmdir(r->workdir);
        r->workdir[0] = '\0';
        return HZ_EIO;
    }
    /* what runners that died left (their jobs' requests: a signed URL is
     * a secret; downloads, results) */
    char first[4400];
    int n = hz__workdir_remove_stale(r->tmpdir, r->workdir, first,
                                     sizeof first);
    if (n > 0)
        hz_log_write(r->log, HZ_LOG_INFO, NULL,
                     "removed %d work director%s of runners that are gone "
                     "(%.300s%s)",
                     n, n == 1 ? "y" : "ies", first, n > 1 ? ", ..." : "");
    return HZ_OK;
}

/* Remove the files in dir; a directory in it is left, its name in
 * sub (when sub is not NULL) for the caller. */
static void remove_files_in(const char *dir, void (*sub)(const char *))
{
    DIR *d = opendir(dir);
    for (struct dirent *e; d != NULL && (e = readdir(d)) != NULL;) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
            unlinkat(dirfd(d), e->d_name, 0) == 0 || sub == NULL)
            continue;
        char path[4400];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        sub(path);
    }
    if (d != NULL)
        closedir(d);
}

void hz__runner_remove_job_dir(const char *dir)
{
    if (dir[0] == '\0')
        return;
    hz__workdir_remove_tree(dir); /* what a job process made in it too */
    /* what the job process and the worker made beside it (worker.c) */
    char beside[4400];
    snprintf(beside, sizeof beside, "%.4300s" HZ_JOBPROC_ISOLATION_MARK, dir);
    unlink(beside);
}

/* Remove the work directory and what job processes left in it (the
 * jobs' directories: the files are the run's own, nobody else can write
 * there). */
static void remove_workdir(hz__runner *r)
{
    if (r->workdir[0] == '\0')
        return;
    remove_files_in(r->workdir, hz__runner_remove_job_dir);
    rmdir(r->workdir);
    r->workdir[0] = '\0';
    if (r->workdir_lock >= 0)
        close(r->workdir_lock);
    r->workdir_lock = -1;
}

static hz_status runner_init(hz__runner *r, const hz_runner_config *cfg,
                             hz_metrics *m, int n, hz_error *err)
{
    memset(r, 0, sizeof *r);
    r->workdir_lock = -1;
    r->cfg = cfg;
    r->m = m;
    r->log = cfg->logger;
    if (r->log == NULL) {
        FILE *f = cfg->log ? cfg->log : stderr;
        r->log = hz_log_new(f, HZ_LOG_TEXT, HZ_LOG_INFO,
                            cfg->progress && isatty(fileno(f)));
        r->own_log = true;
    }
    r->tmpdir = cfg->tmpdir;
    if (r->tmpdir == NULL)
        r->tmpdir = getenv("TMPDIR");
    if (r->tmpdir == NULL || r->tmpdir[0] == '\0')
        r->tmpdir = "/tmp";
    hz_status rc = make_workdir(r, err);
    if (rc != HZ_OK)
        return rc;
    /* the CPUs this process may use (affinity, cgroup quota) shared by
     * the jobs running at once */
    int ncpu = hz_cpu_budget();
    r->threads_per_job = cfg->threads_per_job > 0
                             ? cfg->threads_per_job
                             : (ncpu / n > 1 ? ncpu / n : 1);
    /* the memory jobs may take, shared as the CPUs are */
    r->max_memory_bytes = cfg->max_memory_bytes != 0 ? cfg->max_memory_bytes
                                                     : hz__mem_budget() / n;
    /* what a job may write: its download, with room for its results */
    r->max_disk_bytes = cfg->max_disk_bytes != 0
                            ? cfg->max_disk_bytes
                            : cfg->max_download_bytes + (2LL << 30);
    /* a lower hard RLIMIT_DATA (ulimit -d, LimitDATA=) is the limit in
     * force, and named so; one that leaves no room for a job is refused */
    long long hard;
    long long room = hz__memlimit_hard_room(&hard);
    if (room >= 0 && room < HZ_MEMLIMIT_MIN)
        return hz_error_set(err, HZ_EINVAL,
                            "the hard data segment limit (RLIMIT_DATA: "
                            "ulimit -d, systemd's LimitDATA=) of %lld MiB "
                            "leaves job processes %lld MiB beyond what the "
                            "runner holds (%lld MiB): too little to run a "
                            "job (at least %lld MiB); raise it",
                            hard >> 20, room > 0 ? room >> 20 : 0,
                            (hard - room) >> 20, HZ_MEMLIMIT_MIN >> 20);
    if (room >= 0 &&
        (r->max_memory_bytes <= 0 || room < r->max_memory_bytes)) {
        if (r->max_memory_bytes > 0)
            hz_log_write(r->log, HZ_LOG_INFO, NULL,
                         "job processes may allocate %lld MiB, not %lld "
                         "MiB: %s",
                         room >> 20, r->max_memory_bytes >> 20,
                         hz__memlimit_source(true));
        r->max_memory_bytes = room;
        r->memory_by_rlimit = true;
    }
    set_owner(r);
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->cv_work, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&r->cv_idle, &ca);
    pthread_condattr_destroy(&ca);
    r->qcap = n + 1;
    r->queue = calloc((size_t)r->qcap, sizeof *r->queue);
    if (r->log == NULL || r->queue == NULL)
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    if (cfg->build_request == NULL)
        return hz_error_set(err, HZ_EINVAL,
                            "runner: no parameter decoder configured");
    return HZ_OK;
}

static void runner_destroy(hz__runner *r)
{
    hz__jobproc_stop(r->jp); /* its job processes are gone */
    remove_workdir(r);
    free(r->queue);
    pthread_cond_destroy(&r->cv_work);
    pthread_cond_destroy(&r->cv_idle);
    pthread_mutex_destroy(&r->mu);
    if (r->own_log)
        hz_log_free(r->log);
}

/* Job isolation (runner/isolate.h): said at start; without it, no job
 * runs unless the caller allowed that (HZ_EINVAL). */
static hz_status check_isolation(hz__runner *r, hz_error *err)
{
    char why[200];
    r->isolation_abi = hz__isolation_abi(why, sizeof why);
    r->socket_filter = hz__isolation_socket_filter();
    hz_metrics_set_isolation(r->m, r->isolation_abi, r->socket_filter);
    /* the thread limit (runner/threadlimit.h): a job process that cannot
     * have it would otherwise fail at its first thread (a kernel before
     * 5.5), or, without --isolation required, run without it unsaid */
    char twhy[200];
    r->thread_limit = hz__threadlimit_available(twhy, sizeof twhy);
    if (!r->thread_limit && r->cfg->require_isolation &&
        r->isolation_abi > 0)
        return hz_error_set(err, HZ_EINVAL,
                            HZ_RUNNER_NO_ISOLATION ": job processes cannot "
                            "be held to a thread limit: %s; no job was run "
                            "(horizon run --isolation best-effort runs jobs "
                            "without it)",
                            twhy);
    if (!r->thread_limit)
        hz_log_write(r->log, HZ_LOG_WARN, NULL,
                     "job processes have no thread limit: %s: code a "
                     "hostile dataset got to run could start threads up to "
                     "the machine's pid limit (--isolation best-effort)",
                     twhy);
    const char *sockets =
        r->socket_filter ? "; the socket filter holds them to IPv4, IPv6 "
                           "and netlink sockets (no UNIX socket, no "
                           "io_uring)"
                         : "; no socket filter (seccomp is not available "
                           "to this build or kernel): they can make any "
                           "socket, a UNIX socket too";
    if (r->isolation_abi > 0) {
        hz_log_write(r->log, r->socket_filter ? HZ_LOG_DEBUG : HZ_LOG_WARN,
                     NULL, /* the usual case: debug */
                     "job isolation: Landlock ABI %d: job processes read "
                     "only their dataset and write only their own files%s%s",
                     r->isolation_abi,
                     r->isolation_abi < 4 ? " (the kernel's ABI has no "
                                            "network rules: TCP is not "
                                            "restricted)"
                                          : "",
                     sockets);
        return HZ_OK;
    }
    if (r->cfg->require_isolation)
        return hz_error_set(err, HZ_EINVAL,
                            HZ_RUNNER_NO_ISOLATION ": %s; "
                            "no job was run (horizon run --isolation "
                            "best-effort runs jobs without it)",
                            why);
    hz_log_write(r->log, HZ_LOG_WARN, NULL,
                 "job isolation unavailable: %s: job processes can read "
                 "every file the runner's user can (the store, every "
                 "tenant's datasets); only the dataset sandbox's path "
                 "checks hold them (--isolation best-effort)%s",
                 why, sockets);
    return HZ_OK;
}

/* The job process helper first: before any thread or store handle. */
static hz_status start_jobproc(hz__runner *r, hz_error *err)
{
    const hz_runner_config *cfg = r->cfg;
    hz__jobproc_config jc = {.default_timeout_s = cfg->timeout_s,
                             .require_isolation = cfg->require_isolation,
                             .call = hz__schedule_call};
    hz_exec_options_init(&jc.exec);
    jc.exec.tmpdir = r->workdir;
    jc.exec.max_download_bytes = cfg->max_download_bytes;
    jc.exec.max_memory_bytes = r->max_memory_bytes;
    jc.exec.max_disk_bytes = r->max_disk_bytes;
    jc.exec.memory_by_rlimit = r->memory_by_rlimit;
    jc.exec.tool_timeout_s = cfg->tool_timeout_s > 0 ? cfg->tool_timeout_s : 0;
    jc.exec.threads = r->threads_per_job;
    jc.thread_limit = r->thread_limit;
    jc.exec.test_hooks = cfg->test_hooks;
    jc.exec.sandbox = cfg->sandbox;
    jc.exec.build_request = cfg->build_request;
    hz_net_init();
    return hz__jobproc_start(&jc, &r->jp, err);
}

/* The dispatcher's store handle and one per worker, opened up front so
 * that a store that cannot be opened fails a --once run before anything
 * is claimed; all or none. */
static hz_status open_stores(dispatch *d, worker_arg *wa, int n,
                             hz_error *err)
{
    hz__runner *r = d->r;
    /* each handle's cancel from the start: an open that hangs (an
     * identity endpoint that does not answer) does not hold a stop */
    hz_status rc = hz_store_open_cancel(r->cfg->store_spec,
                                        hz__runner_dispatch_cancel, r, &d->s,
                                        err);
    for (int i = 0; i < n; i++) {
        wa[i] = (worker_arg){.r = r, .index = i};
        if (rc == HZ_OK)
            rc = hz_store_open_cancel(r->cfg->store_spec,
                                      hz__runner_worker_cancel, r, &wa[i].s,
                                      err);
    }
    if (rc != HZ_OK) {
        hz_store_close(d->s);
        d->s = NULL;
        for (int i = 0; i < n; i++) {
            hz_store_close(wa[i].s);
            wa[i].s = NULL;
        }
    }
    return rc;
}

/* Open the stores.  A store spec that cannot work (HZ_EINVAL: a SQLite
 * file in a directory that does not exist, a bad COSMOS_* setting) fails
 * at once in either mode (exit 2).  Otherwise, with --watch, a store that
 * cannot be opened (unreachable, unauthorised, a token endpoint that
 * fails) is an outage like a failing claim: the runner backs off, its
 * heartbeat says "degraded", and it tries again until it can or is
 * stopped (*stopped; then HZ_OK with nothing open). */
static hz_status open_stores_watch(dispatch *d, worker_arg *wa, int n,
                                   bool *stopped, hz_error *err)
{
    hz__runner *r = d->r;
    *stopped = false;
    for (;;) {
        double began = hz_wall_now();
        asking(d, began);
        hz_status rc = open_stores(d, wa, n, err);
        asking(d, 0);
        if (rc == HZ_OK) {
            claim_ok(d);
            /* at once: the first of their thread are an interval away */
            heartbeat(d);
            write_metrics_file(d);
            return rc;
        }
        if (rc == HZ_ECANCELED && hz__runner_stopping(r)) {
            /* the open was abandoned by the stop: not the store's fault */
            hz_log_write(r->log, HZ_LOG_INFO, NULL, "stopping: %s",
                         err->msg);
            if (!r->cfg->watch)
                return hz_error_set(err, HZ_ECANCELED,
                                    "stopped by a signal before the queue "
                                    "was drained (while the store was "
                                    "being opened)");
            *stopped = true;
            return HZ_OK;
        }
        if (!r->cfg->watch || rc == HZ_EINVAL || rc == HZ_ENOMEM)
            return rc;
        store_unhealthy(d, err->msg, began);
        hz_metrics_add_store_error(r->m, "open");
        hz_log_write(r->log, HZ_LOG_ERROR, NULL,
                     "could not open the store: %s (retrying in %.1f s)",
                     err->msg, d->backoff_s);
        double until = hz_now() + d->backoff_s;
        d->backoff_s = fmin(d->backoff_s * 2, r->cfg->max_backoff_s);
        while (hz_now() < until && !hz__runner_stopping(r)) {
            periodic(d, false);
            hz_net_sleep(fmin(0.1, until - hz_now()));
        }
        if (hz__runner_stopping(r)) {
            *stopped = true;
            return HZ_OK;
        }
    }
}

/* The worker threads (their stores opened). */
static hz_status start_workers(hz__runner *r, worker_arg *wa, pthread_t *th,
                               int n, int *started, hz_error *err)
{
    *started = 0;
    for (int i = 0; i < n; i++) {
        if (pthread_create(&th[i], NULL, worker_main, &wa[i]) != 0)
            break;
        (*started)++;
    }
    if (*started == 0)
        return hz_error_set(err, HZ_ENOMEM, "could not start worker threads");
    if (*started < n)
        hz_log_write(r->log, HZ_LOG_WARN, NULL,
                     "only %d of %d worker threads started", *started, n);
    return HZ_OK;
}

/* Stop the workers (they finish or release their jobs) and say how the
 * run ended. */
static hz_status finish_run(dispatch *d, pthread_t *th, int started,
                            hz_error *err)
{
    hz__runner *r = d->r;
    r->done = true;
    pthread_cond_broadcast(&r->cv_work);
    pthread_mutex_unlock(&r->mu);
    if (hz__runner_stopping(r)) {
        hz__runner_grace_end(r);
        hz_log_write(r->log, HZ_LOG_INFO, NULL,
                     "stopping: no more claims; finishing or releasing %d "
                     "running job(s)",
                     r->busy);
    }
    for (int i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    /* narrative calls of jobs whose lease was lost: canceled, they end
     * soon, and the narrative hook's context must outlive them */
    pthread_mutex_lock(&r->mu);
    while (r->narr_detached > 0)
        pthread_cond_wait(&r->cv_idle, &r->mu);
    pthread_mutex_unlock(&r->mu);
    progress(r, d->t0, true);
    hz_metrics_set_wall(r->m, hz_now() - d->t0, d->workers);
    periodic(d, true);
    heartbeat_stop(d, true);
    if (r->fault)
        return hz_error_set(err, r->fault_rc, "%s", r->fault_error);
    /* a --watch run is a service: 0 when stopped, unless it ended at
     * its --max-jobs, when it says, as --once does, whether the jobs it
     * claimed were done (until 2026-12-07 0 for a job released undone) */
    if (r->cfg->watch && !(r->cfg->max_jobs > 0 && d->drained))
        return HZ_OK;
    if (hz__runner_stopping(r) && !d->drained && !d->gave_up &&
        r->store_failures == 0)
        return hz_error_set(err, HZ_ECANCELED,
                            "stopped by a signal before the queue was "
                            "drained (jobs not finished are queued again)");
    if (d->gave_up)
        return hz_error_set(err, HZ_ENET,
                            "store unavailable: claims failed for %.0f s: %s",
                            hz_wall_now() - d->unhealthy_since, d->last_error);
    if (r->store_failures > r->local_failures)
        return hz_error_set(err, HZ_ENET,
                            "store unavailable: %ld job outcome(s) could not "
                            "be written back: %s",
                            r->store_failures - r->local_failures,
                            r->store_error);
    if (r->local_failures > 0) /* the runner's own, not the store's (until
                                  2026-12-07 "store unavailable") */
        return hz_error_set(err, HZ_ENET,
                            "%ld job(s) could not be run here, released "
                            "with their attempt refunded: %s",
                            r->local_failures, r->local_error);
    return HZ_OK;
}

hz_status hz_runner_run(const hz_runner_config *cfg, hz_metrics *m,
                        hz_error *err)
{
    /* No other process of the user (a job process a hostile dataset got
     * to run code in, above all) may read this one's memory or
     * environment (/proc/PID/mem, environ: the store's and the LLM's
     * keys), attach to it or find a core dump of it; the job process
     * helper and the job processes (a tenant's data) inherit it. */
    prctl(PR_SET_DUMPABLE, 0);
    hz__runner r;
    int n = cfg->concurrency > 0 ? cfg->concurrency : 1;
    hz_status rc = runner_init(&r, cfg, m, n, err);
    if (rc == HZ_OK)
        rc = check_isolation(&r, err);
    if (rc == HZ_OK)
        rc = start_jobproc(&r, err);
    /* the narrative step's secrets: loaded only now, after the fork */
    if (rc == HZ_OK && cfg->open_narrative != NULL)
        cfg->open_narrative(cfg->open_narrative_arg);
    dispatch d = {.r = &r, .healthy = true, .t0 = hz_now()};
    pthread_t *th = calloc((size_t)n, sizeof *th);
    worker_arg *wa = calloc((size_t)n, sizeof *wa);
    int started = 0;
    if (rc == HZ_OK && (th == NULL || wa == NULL))
        rc = hz_error_set(err, HZ_ENOMEM, "out of memory");
    bool opening = rc == HZ_OK; /* a failure from here is the store's */
    bool stopped = false;
    if (rc == HZ_OK) {
        heartbeat_start(&d);
        rc = open_stores_watch(&d, wa, n, &stopped, err);
    }
    if (opening && rc != HZ_OK && rc != HZ_EINVAL && rc != HZ_ENOMEM &&
        rc != HZ_ECANCELED && err != NULL &&
        strncmp(err->msg, "store unavailable", 17) != 0) {
        char msg[HZ_ERROR_MAX];
        snprintf(msg, sizeof msg, "%s", err->msg);
        hz_error_set(err, rc, "store unavailable: could not open it: %s", msg);
    }
    if (rc == HZ_OK && stopped) {
        periodic(&d, true); /* --watch stopped while the store was down */
        heartbeat_stop(&d, true);
    } else if (rc == HZ_OK) {
        rc = start_workers(&r, wa, th, n, &started, err);
    }
    if (rc == HZ_OK && !stopped) {
        pthread_mutex_lock(&r.mu);
        d.workers = started;
        dispatch_loop(&d);
        rc = finish_run(&d, th, started, err);
    }
    if (d.s != NULL) {
        hz_metrics_add_store(m, d.s->busy_s, d.s->nops);
        hz_metrics_add_ru(m, "claim", hz_store_charge(d.s) - d.ru);
    }
    if (d.hb_started)
        heartbeat_stop(&d, false); /* the run ended before it began */
    hz_store_close(d.s);
    for (int i = 0; wa != NULL && i < n; i++)
        hz_store_close(wa[i].s); /* those of workers never started */
    free(th);
    free(wa);
    runner_destroy(&r);
    return rc;
}
