/* One claimed job from checks to write-back (see runner.h for the process
 * model): the steps a worker thread takes. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "net/cjson.h"
#include "runner/disklimit.h"
#include "runner/exec.h"
#include "runner/job_report.h"
#include "runner/job_stderr.h"
#include "runner/threadlimit.h"
#include "runner/runner_internal.h"
#include "runner/writeback_lease.h"
#include "store/artifact.h"
#include "store/job.h"

/* What a worker holds for the job it runs. */
typedef struct jobctx {
    hz__runner *r;
    hz_store *s;
    cJSON *doc; /* the claimed document (its _etag is the lease) */
    hz_job job;
    bool parsed; /* job holds a parsed copy */
    double t_claim;
    double t_renewed; /* monotonic: when the claim or the last successful
                         renewal was sent (its lease runs from then) */
    char renew_error[HZ_ERROR_MAX]; /* why the last renewal failed */
    hz_status renew_rc;             /* how the last renewal ended */
    double stages[HZ_NSTAGES];
    int max_attempts;
    char *dataset;      /* path or URL, resolved from a datasetId */
    char dir[4096];     /* the job's own directory in the run's (the only
                           one its process may write: runner/isolate.h) */
    char resfile[4200]; /* DIR/result.json */
} jobctx;

static const char *jstr(const cJSON *d, const char *k)
{
    const char *s = hz__cjson_str(d, k);
    return s ? s : "?";
}

static void drop(cJSON *d, const char *k)
{
    cJSON_DeleteItemFromObjectCaseSensitive(d, k);
}

static hz_log_fields fields_of(const jobctx *c, const char *reason)
{
    return (hz_log_fields){.job = jstr(c->doc, "id"),
                           .tenant = jstr(c->doc, "customerId"),
                           .type = jstr(c->doc, "type"),
                           .reason = reason};
}

/* ---- outcomes written back ---- */

/* A write of the job's outcome (what) abandoned by a stop: the store
 * hung past the stop's grace.  The job is left to its lease: when it
 * expires another runner takes the job over. */
static void abandoned(jobctx *c, const char *what, const hz_error *err)
{
    hz_log_fields f = fields_of(c, "shutdown");
    hz_log_write(c->r->log, HZ_LOG_WARN, &f,
                 "job %s: runner stopping: %s not written (%s); the job is "
                 "taken over when its lease expires",
                 f.job, what, err->msg);
    hz_metrics_add_requeue(c->r->m, "shutdown");
}

/* The job's document is gone: deleted (`horizon jobs cancel`, then
 * `jobs delete`) while the job ran.  Its outcome has nowhere to go, and
 * the store did not fail: the run goes on (until 2026-12-07 it was taken
 * for a store error, and a --once run exited 75). */
static void deleted_meanwhile(jobctx *c, const char *what)
{
    hz_log_fields f = fields_of(c, NULL);
    hz_log_write(c->r->log, HZ_LOG_WARN, &f,
                 "job %s: deleted while it ran: its %s is not kept", f.job,
                 what);
    hz_metrics_add_requeue(c->r->m, "lease-lost");
}

/* Whether the job's document is gone (deleted while the job ran): a
 * write-back answered "not found" may mean another thing (its results
 * container missing), and then the outcome was not written and the job
 * is still there, running: a store error, not a deletion. */
static bool job_gone(jobctx *c)
{
    cJSON *d = NULL;
    hz_error e;
    hz_status rc = hz_store_get(c->s, HZ_STORE_JOBS, jstr(c->doc, "id"),
                                jstr(c->doc, "customerId"), &d, &e);
    cJSON_Delete(d);
    return rc == HZ_ENOTFOUND;
}

/* Whether the job was canceled (`horizon jobs cancel`) while it ran: its
 * document says so.  A canceled job is never claimed again, so what this
 * runner wrote for it is no new owner's. */
static bool job_canceled(jobctx *c)
{
    cJSON *d = NULL;
    hz_error e;
    hz_status rc = hz_store_get(c->s, HZ_STORE_JOBS, jstr(c->doc, "id"),
                                jstr(c->doc, "customerId"), &d, &e);
    bool canceled = rc == HZ_OK && hz__cjson_str(d, "status") != NULL &&
                    strcmp(hz__cjson_str(d, "status"), "canceled") == 0;
    cJSON_Delete(d);
    return canceled;
}

/* Final failure: status failed with the reason and message. */
static void fail_job(jobctx *c, const char *reason, const char *msg)
{
    hz__runner *r = c->r;
    char etag[HZ_ETAG_MAX];
    snprintf(etag, sizeof etag, "%s",
             hz__cjson_str(c->doc, "_etag") ? hz__cjson_str(c->doc, "_etag")
                                            : "");
    double now = hz_wall_now();
    hz_error err;
    hz_status rc = HZ_EINVAL;
    /* the job document with its failure; when the store refuses it (a
     * document near Cosmos DB's 2 MB), a lean record that always fits:
     * else the job would stay running, be taken over and fail again for
     * ever */
    for (int lean = 0; lean < 2 && rc == HZ_EINVAL; lean++) {
        cJSON *rec = hz_store_failure_record(c->doc, reason, msg, now, lean);
        rc = rec != NULL ? hz_store_finish(c->s, rec, etag, NULL, 0, &err)
                         : hz_error_set(&err, HZ_ENOMEM, "out of memory");
        cJSON_Delete(rec);
    }
    hz_log_fields f = fields_of(c, reason);
    if (rc == HZ_ECONFLICT) {
        hz_log_write(r->log, HZ_LOG_WARN, &f,
                     "job %s: lease lost before its failure was recorded",
                     f.job);
        hz_metrics_add_requeue(r->m, "lease-lost");
        return;
    }
    if (rc == HZ_ECANCELED) {
        abandoned(c, "its failure", &err);
        return;
    }
    if (rc == HZ_ENOTFOUND && job_gone(c)) {
        deleted_meanwhile(c, "failure");
        return;
    }
    if (rc != HZ_OK) {
        hz_log_write(r->log, HZ_LOG_ERROR, &f,
                     "job %s: could not record its failure: %s", f.job,
                     err.msg);
        hz_metrics_add_requeue(r->m, "store-error");
        hz_metrics_add_store_error(r->m, "write");
        hz__runner_store_failed(r, err.msg);
        return;
    }
    hz__runner_store_ok(r);
    double latency = hz_now() - c->t_claim;
    f.stages = c->stages;
    f.latency_s = latency;
    hz_log_write(r->log, HZ_LOG_WARN, &f,
                 "job %s (%s, tenant %s) failed [%s]: %s", f.job, f.type,
                 f.tenant, reason, msg);
    hz_metrics_add_job(r->m, f.type, c->stages, latency, false, reason);
}

/* Back to the queue: a transient failure with attempts left, or (refund)
 * an attempt that was not the job's fault (shutdown, a local problem). */
static void requeue_job(jobctx *c, const char *reason, const char *msg,
                        bool refund)
{
    hz__runner *r = c->r;
    hz__cjson_set_str(c->doc, "error", msg);
    hz__cjson_set_str(c->doc, "errorReason", reason);
    double attempts = hz__cjson_num(c->doc, "attempts", -1);
    hz_error err;
    hz_status rc = hz_store_release_lease(c->s, c->doc, hz_wall_now(), refund,
                                          &err);
    if (rc == HZ_EINVAL) {
        /* the store refuses the document with the error (Cosmos DB: a job
         * document near 2 MB): released without it, the document is
         * smaller than the claim the store took (else the job would stay
         * running, to be taken over and refused again); the release is
         * made again from the same attempts */
        cJSON_DeleteItemFromObjectCaseSensitive(c->doc, "error");
        if (attempts >= 0)
            hz__cjson_set_num(c->doc, "attempts", attempts);
        hz_error why = err;
        rc = hz_store_release_lease(c->s, c->doc, hz_wall_now(), refund, &err);
        if (rc == HZ_OK) {
            hz_log_fields f = fields_of(c, reason);
            hz_log_write(r->log, HZ_LOG_WARN, &f,
                         "job %s: released without its error text (%s)", f.job,
                         why.msg);
        }
    }
    hz_log_fields f = fields_of(c, reason);
    if (rc == HZ_ECANCELED) {
        abandoned(c, "its release", &err);
        return;
    }
    if (rc == HZ_ENOTFOUND && job_gone(c)) {
        /* deleted while it ran (`jobs cancel`, then `jobs delete`): there
         * is nothing to release, and the store did not fail (until
         * 2026-12-07 said as an error) */
        hz_log_write(r->log, HZ_LOG_WARN, &f,
                     "job %s: deleted while it ran: nothing to release [%s]",
                     f.job, reason);
        hz_metrics_add_requeue(r->m, "lease-lost");
        return;
    }
    if (rc == HZ_ECONFLICT) {
        /* canceled while it ran, or taken over by another runner: its
         * document is no longer this runner's to write */
        hz_log_write(r->log, HZ_LOG_WARN, &f,
                     "job %s: changed while it ran (canceled, or its lease "
                     "lost to another runner): not released [%s]",
                     f.job, reason);
        hz_metrics_add_requeue(r->m, "lease-lost");
        return;
    }
    if (rc != HZ_OK) {
        hz_log_write(r->log, HZ_LOG_ERROR, &f, "job %s: could not release: %s",
                     f.job, err.msg);
        if (rc != HZ_ENOTFOUND) {
            /* a failed write as a write-back's is (until 2026-12-07 it
             * was not counted) */
            hz_metrics_add_store_error(r->m, "write");
            hz__runner_store_failed(r, err.msg);
        }
    } else {
        /* a write that reached the store: the runner is healthy again
         * (until 2026-12-07 a release did not count, and a runner whose
         * writes worked again but that only released jobs stayed
         * "degraded") */
        hz__runner_store_ok(r);
        hz_log_write(r->log, refund ? HZ_LOG_INFO : HZ_LOG_WARN, &f,
                     "job %s: %s [%s]: %s; back in the queue", f.job,
                     refund ? "released" : "will be retried", reason, msg);
    }
    hz_metrics_add_requeue(r->m, reason);
}

/* Free the first n result documents and the array. */
static void free_results(cJSON **res, size_t n)
{
    for (size_t i = 0; i < n; i++)
        cJSON_Delete(res[i]);
    free(res);
}

/* A new result document k of job doc for rows of kind from row first
 * on; NULL when memory runs out. */
static cJSON *result_doc(const cJSON *doc, size_t k, const char *kind,
                         int first)
{
    char rid[HZ_JOB_ID_MAX + 16];
    hz_result_id(jstr(doc, "id"), k, rid, sizeof rid);
    cJSON *d = cJSON_CreateObject();
    if (d == NULL)
        return NULL;
    cJSON_AddStringToObject(d, "id", rid);
    cJSON_AddStringToObject(d, "customerId", jstr(doc, "customerId"));
    cJSON_AddStringToObject(d, "jobId", jstr(doc, "id"));
    cJSON_AddNumberToObject(d, "chunk", (double)k);
    cJSON_AddStringToObject(d, "kind", kind ? kind : "");
    cJSON_AddNumberToObject(d, "firstRow", first);
    if (cJSON_AddArrayToObject(d, "rows") == NULL) {
        cJSON_Delete(d);
        return NULL;
    }
    return d;
}

/* Append d to res (*k of *cap used); false when memory runs out (d is
 * then deleted). */
static bool push_result(cJSON ***res, size_t *k, size_t *cap, cJSON *d)
{
    if (*k == *cap) {
        cJSON **grown = realloc(*res, 2 * *cap * sizeof **res);
        if (grown == NULL) {
            cJSON_Delete(d);
            return false;
        }
        *res = grown;
        *cap *= 2;
    }
    (*res)[(*k)++] = d;
    return true;
}

/* Split the child's chunks into result documents of at most
 * HZ_RESULT_ROWS_PER_DOC rows and HZ_RESULT_DOC_BYTES of them, with
 * deterministic ids.  NULL when memory runs out (the rows taken from
 * chunks so far are then lost: the caller must not write the job back). */
static cJSON **build_results(const cJSON *doc, cJSON *chunks, size_t *n,
                             long *nrows)
{
    size_t cap = 16, k = 0;
    cJSON **res = malloc(cap * sizeof *res);
    *nrows = 0;
    if (res == NULL)
        return NULL;
    cJSON *c;
    cJSON_ArrayForEach(c, chunks)
    {
        const char *kind = hz__cjson_str(c, "kind");
        cJSON *rows = cJSON_GetObjectItemCaseSensitive(c, "rows");
        int total = cJSON_GetArraySize(rows);
        *nrows += total;
        cJSON *d = result_doc(doc, k, kind, 0);
        if (d == NULL || !push_result(&res, &k, &cap, d)) {
            free_results(res, k);
            return NULL;
        }
        cJSON *part = cJSON_GetObjectItemCaseSensitive(d, "rows");
        size_t bytes = 0;
        for (int i = 0; i < total; i++) {
            cJSON *row = cJSON_DetachItemFromArray(rows, 0);
            char *text = cJSON_PrintUnformatted(row);
            size_t len = text ? strlen(text) : 0;
            cJSON_free(text);
            int held = cJSON_GetArraySize(part);
            if (text == NULL ||
                (held > 0 && (held == HZ_RESULT_ROWS_PER_DOC ||
                              bytes + len > HZ_RESULT_DOC_BYTES))) {
                d = text ? result_doc(doc, k, kind, i) : NULL;
                if (d == NULL || !push_result(&res, &k, &cap, d)) {
                    cJSON_Delete(row);
                    free_results(res, k);
                    return NULL;
                }
                part = cJSON_GetObjectItemCaseSensitive(d, "rows");
                bytes = 0;
            }
            cJSON_AddItemToArray(part, row);
            bytes += len;
        }
    }
    *n = k;
    return res;
}

/* (below) */
static bool renew(jobctx *c);
static hz_status renew_doc(jobctx *c, cJSON *doc, hz_error *err);
static bool lease_confirmed(jobctx *c);

/* The narrative hook runs in a thread of its own while the worker keeps
 * renewing the job's lease: an LLM may take longer than a lease (its
 * timeouts, retries and backoff), and a lease that lapsed meanwhile
 * would let a runner take the job over and compute it again, over and
 * over until it failed for its takeovers.  When the lease is lost the
 * call is canceled and left to its thread (which frees it); when the
 * runner stops, it is canceled once the stop's grace has passed. */
typedef struct narr_call {
    hz__runner *r;
    cJSON *job;     /* copies: the worker may leave the call */
    cJSON *summary; /* to its thread */
    cJSON *out;
    hz_error err;
    hz_status rc;
    atomic_bool cancel;
    bool done;      /* under mu */
    bool abandoned; /* under mu: the worker left; the thread frees */
    pthread_mutex_t mu;
    pthread_cond_t cv;
} narr_call;

static narr_call *narr_new(hz__runner *r, const cJSON *doc,
                           const cJSON *summary)
{
    narr_call *n = calloc(1, sizeof *n);
    if (n == NULL)
        return NULL;
    n->r = r;
    n->job = cJSON_Duplicate(doc, true);
    n->summary = cJSON_Duplicate(summary, true);
    atomic_init(&n->cancel, false);
    hz_error_clear(&n->err);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&n->cv, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&n->mu, NULL);
    return n;
}

static void narr_free(narr_call *n)
{
    cJSON_Delete(n->job);
    cJSON_Delete(n->summary);
    cJSON_Delete(n->out);
    pthread_cond_destroy(&n->cv);
    pthread_mutex_destroy(&n->mu);
    free(n);
}

static void *narr_main(void *arg)
{
    narr_call *n = arg;
    hz__runner *r = n->r;
    n->rc = r->cfg->narrative(r->cfg->narrative_ctx, n->job, n->summary,
                              &n->cancel, &n->out, &n->err);
    pthread_mutex_lock(&n->mu);
    n->done = true;
    bool abandoned = n->abandoned;
    pthread_cond_signal(&n->cv);
    pthread_mutex_unlock(&n->mu);
    if (abandoned) {
        narr_free(n);
        pthread_mutex_lock(&r->mu);
        r->narr_detached--;
        pthread_cond_broadcast(&r->cv_idle);
        pthread_mutex_unlock(&r->mu);
    }
    return NULL;
}

/* Cancel the call once the grace of a stop has passed (said once). */
static void narr_stop(jobctx *c, narr_call *n)
{
    if (atomic_load(&n->cancel) || !hz__runner_stopping(c->r) ||
        hz_now() < hz__runner_grace_end(c->r))
        return;
    atomic_store(&n->cancel, true);
    hz_log_fields f = fields_of(c, NULL);
    hz_log_write(c->r->log, HZ_LOG_INFO, &f,
                 "job %s: runner stopping and its grace of %g s passed: "
                 "the narrative is not waited for (the template instead)",
                 f.job, c->r->cfg->grace_s);
}

/* Wait for the narrative thread, renewing the lease every lease/3;
 * false when the lease was lost meanwhile: the call is then canceled
 * and, unless it is done, left to its thread (*left: the thread frees
 * it, and n must not be touched again). */
static bool narr_wait(jobctx *c, narr_call *n, bool *left)
{
    *left = false;
    double every = c->r->cfg->lease_s / 3;
    double next = hz_now() + every;
    pthread_mutex_lock(&n->mu);
    while (!n->done) {
        double now = hz_now();
        if (now >= next) {
            pthread_mutex_unlock(&n->mu);
            bool held = renew(c);
            next = hz_now() + every;
            pthread_mutex_lock(&n->mu);
            if (!held) {
                atomic_store(&n->cancel, true);
                if (!n->done) {
                    pthread_mutex_lock(&c->r->mu);
                    c->r->narr_detached++;
                    pthread_mutex_unlock(&c->r->mu);
                    n->abandoned = true;
                    *left = true;
                }
                pthread_mutex_unlock(&n->mu);
                return false;
            }
            continue;
        }
        pthread_mutex_unlock(&n->mu);
        narr_stop(c, n);
        pthread_mutex_lock(&n->mu);
        if (n->done)
            break;
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        double wait = fmin(next - now, 0.25);
        long ns = ts.tv_nsec + (long)(wait * 1e9);
        ts.tv_sec += ns / 1000000000L;
        ts.tv_nsec = ns % 1000000000L;
        pthread_cond_timedwait(&n->cv, &n->mu, &ts);
    }
    pthread_mutex_unlock(&n->mu);
    return true;
}

/* Call the hook: in a thread with the lease kept, or here when no thread
 * can be had.  The finished call (the caller frees), or NULL: out of
 * memory, or (*lost) the lease was lost while it ran (the call may then
 * belong to its thread). */
static narr_call *call_narrative(jobctx *c, const cJSON *summary, bool *lost)
{
    hz__runner *r = c->r;
    narr_call *n = narr_new(r, c->doc, summary);
    if (n == NULL || n->job == NULL || n->summary == NULL) {
        if (n != NULL)
            narr_free(n);
        return NULL; /* out of memory: no narrative (the job is kept) */
    }
    pthread_t th;
    if (pthread_create(&th, NULL, narr_main, n) != 0) {
        n->rc = r->cfg->narrative(r->cfg->narrative_ctx, n->job, n->summary,
                                  &n->cancel, &n->out, &n->err);
        return n;
    }
    bool left;
    if (!narr_wait(c, n, &left)) {
        *lost = true;
        if (left) { /* n may be freed by its thread already */
            pthread_detach(th);
            return NULL;
        }
        pthread_join(th, NULL);
        narr_free(n);
        return NULL;
    }
    pthread_join(th, NULL);
    return n;
}

/* The narrative hook: its object on the job document, its tokens in the
 * metrics; a failure is logged and never fails the job.  False when the
 * job's lease was lost while the hook ran (the job is then its new
 * owner's). */
static bool add_narrative(jobctx *c, const cJSON *summary)
{
    hz__runner *r = c->r;
    if (r->cfg->narrative == NULL)
        return true;
    bool lost = false;
    narr_call *n = call_narrative(c, summary, &lost);
    if (n == NULL)
        return !lost;
    cJSON *narr = n->out;
    n->out = NULL;
    if (n->rc == HZ_OK && narr != NULL) {
        const cJSON *u = cJSON_GetObjectItemCaseSensitive(narr, "usage");
        hz_metrics_add_tokens(
            r->m, hz__cjson_num(u, "promptTokens", 0),
            hz__cjson_num(u, "completionTokens", 0),
            cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(narr, "cached")));
        drop(c->doc, "narrative");
        cJSON_AddItemToObject(c->doc, "narrative", narr);
    } else {
        cJSON_Delete(narr);
        if (n->err.msg[0]) {
            hz_log_fields f = fields_of(c, NULL);
            hz_log_write(r->log, HZ_LOG_WARN, &f,
                         "job %s: narrative skipped: %s", f.job, n->err.msg);
        }
    }
    narr_free(n);
    return true;
}

/* The report the job process wrote beside its result file, with the
 * narrative, stored before the final status, keep called before each of
 * its chunks (hz_artifact_put_keep).  A report the store refuses (too
 * large) or that could not be made is said and the job goes on without
 * it; a store that failed (a chunk given up at the write-back's deadline,
 * the lease lost) stops the write-back as a batch of results does:
 * that status, with err. */
static hz_status store_report(jobctx *c, const cJSON *res,
                              const hz_finish_keep *keep, hz_error *err)
{
    char html[4300];
    hz_error rerr;
    hz_error_clear(&rerr);
    snprintf(html, sizeof html, "%s.html", c->resfile);
    hz_status rc = hz__job_report_store(
        c->s, c->doc, html, hz__cjson_str(res, "reportError"), keep, &rerr);
    if (rc == HZ_OK)
        return HZ_OK;
    if (rc != HZ_EINVAL && rc != HZ_ENOMEM && rc != HZ_EINTERNAL) {
        *err = rerr;
        return rc;
    }
    hz_log_fields f = fields_of(c, NULL);
    hz_log_write(c->r->log, HZ_LOG_WARN, &f, "job %s: report not stored: %s",
                 f.job, rerr.msg);
    return HZ_OK;
}

/* The success fields of the job document. */
static void mark_succeeded(jobctx *c, const cJSON *res, cJSON *summary,
                           size_t nres, long nrows)
{
    cJSON *doc = c->doc;
    double now = hz_wall_now();
    hz__cjson_set_str(doc, "status", "succeeded");
    hz__cjson_set_num(doc, "finishedAt", now);
    hz__cjson_set_num(doc, "updatedAt", now);
    drop(doc, "leaseOwner");
    drop(doc, "leaseExpiry");
    drop(doc, "error");
    drop(doc, "errorReason");
    drop(doc, "summary");
    cJSON_AddItemToObject(doc, "summary", summary);
    hz__cjson_set_num(doc, "resultChunks", (double)nres);
    hz__cjson_set_num(doc, "resultRows", (double)nrows);
    const cJSON *db = cJSON_GetObjectItemCaseSensitive(res, "datasetBytes");
    if (cJSON_IsNumber(db) && db->valuedouble >= 0)
        hz__cjson_set_num(doc, "datasetBytes", db->valuedouble);
    cJSON *mt = cJSON_CreateObject();
    for (int i = 0; i < HZ_NSTAGES; i++)
        if (isfinite(c->stages[i]))
            cJSON_AddNumberToObject(mt, hz_stage_name(i),
                                    round(c->stages[i] * 1e6) / 1e6);
    drop(doc, "metrics");
    cJSON_AddItemToObject(doc, "metrics", mt);
}

/* Undo mark_succeeded (the job document as claimed, with its
 * narrative dropped: the document may be refused for its size). */
static void unmark_succeeded(jobctx *c)
{
    static const char *const fields[] = {
        "summary", "resultChunks", "resultRows", "datasetBytes",
        "metrics", "narrative",    "report",     "finishedAt"};
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
        drop(c->doc, fields[i]);
    hz__cjson_set_str(c->doc, "status", "running");
}

/* The lease kept through a write-back in many requests
 * (hz_finish_keep): the claimed document (lease), not the outcome, is
 * renewed before a request once lease/12 old (writeback_lease.h; until
 * 2026-12-08 once lease/3 old, as while the job process runs).  Until
 * 2026-12-07 nothing renewed it once the write-back began, and one that
 * took longer than the lease left (results in many batches, a throttled
 * store) let another runner, or this one, take the job over and compute
 * it again, and again.
 *
 * And every request of the write-back (its report's chunks, the batches
 * of its results, its final status; not the renewals, conditional on the
 * lease's ETag) ends by the
 * lease as last renewed, less a margin of lease/6 (writeback_until): one
 * request may take COSMOS_DEADLINE_S (60 s by default, as long as the
 * default lease), and until 2026-12-07 one slow or throttled request
 * held the job past its lease; another runner took it over and computed
 * it again while this one still wrote, and this one's results and report
 * chunks (unconditional upserts) landed after its lease was lost.  A
 * request cut at that deadline is a store error: the write-back stops,
 * the job is left to its lease (taken over when it expires) and a --once
 * run exits 75. */
typedef struct keep_ctx {
    jobctx *c;
    cJSON *lease;
} keep_ctx;

/* When (monotonic) the write-back's requests must end: the lease as
 * last renewed (its renewal was sent then), less its margin
 * (writeback_lease.h). */
static double writeback_until(const jobctx *c)
{
    return hz__writeback_until(c->t_renewed, c->r->cfg->lease_s);
}

static hz_status keep_lease(void *ctx, char etag[HZ_ETAG_MAX], hz_error *err)
{
    keep_ctx *k = ctx;
    jobctx *c = k->c;
    double lease = c->r->cfg->lease_s;
    /* renewed once lease/12 old, so that each request begins with 3/4 of
     * the lease ahead (until 2026-12-08 once lease/3 old: a request could
     * begin with half of it, and one slower than that was cut) */
    if (hz__writeback_renew_due(hz_now() - c->t_renewed, lease)) {
        /* a renewal is conditional on the lease's ETag: one that lands
         * late cannot write over a new owner, and it is how a runner that
         * was stopped finds out that it lost the job */
        hz_store_set_until(c->s, 0);
        hz_status rc = renew_doc(c, k->lease, err);
        if (rc == HZ_OK) {
            snprintf(etag, HZ_ETAG_MAX, "%s", jstr(k->lease, "_etag"));
        } else if (rc == HZ_ECONFLICT || rc == HZ_ENOTFOUND ||
                   rc == HZ_ECANCELED ||
                   hz_now() - c->t_renewed >= lease * 2 / 3) {
            if (rc != HZ_ECONFLICT && rc != HZ_ENOTFOUND &&
                rc != HZ_ECANCELED && err != NULL) {
                char why[HZ_ERROR_MAX];
                snprintf(why, sizeof why, "%s", err->msg);
                snprintf(err->msg, sizeof err->msg,
                         "its lease could not be renewed during the "
                         "write-back (last renewed %.0f s ago, of %.0f s): "
                         "%.300s",
                         hz_now() - c->t_renewed, lease, why);
            }
            return rc;
        }
        /* else a store error, the lease still held: go on */
    }
    double until = writeback_until(c);
    if (until <= hz_now())
        return hz_error_set(err, HZ_ETIMEOUT,
                            "its lease (last renewed %.1f s ago, of %g s) "
                            "leaves no time for another request",
                            hz_now() - c->t_renewed, lease);
    hz_store_set_until(c->s, until);
    return HZ_OK;
}

static bool still_gone(void *ctx)
{
    return job_gone(ctx);
}

static bool still_canceled(void *ctx)
{
    return job_canceled(ctx);
}

/* The documents of a job deleted while its outcome was written (its
 * result documents and report chunks, which a store that writes them in
 * requests of their own, Cosmos DB, may already have written): nothing
 * else will remove them, as `jobs delete` removed those it found.  Each
 * is removed only while the job is still as found (still: deleted, or
 * canceled), and only as it was then (hz_store_delete_if): a job retried
 * (or submitted again) meanwhile may be run again, by this runner or
 * another, under the same document ids, and until 2026-12-07 the removal
 * could delete the new run's results (a job succeeded without them). */
static void remove_written(jobctx *c, size_t nres, const char *why,
                           bool (*still)(void *ctx))
{
    hz_error err;
    const char *id = jstr(c->doc, "id"), *pk = jstr(c->doc, "customerId");
    hz_log_fields f = fields_of(c, NULL);
    /* each one that could not be removed is said and counted (until
     * 2026-12-07 the first failure ended the removal, unsaid: the
     * documents stayed, orphans nobody knew of) */
    long failed = 0;
    for (size_t k = 0; k < nres; k++) {
        char rid[HZ_JOB_ID_MAX + 16];
        hz_result_id(id, k, rid, sizeof rid);
        hz_status rc = hz_store_delete_if(c->s, HZ_STORE_RESULTS, rid, pk,
                                          still, c, &err);
        if (rc == HZ_ECONFLICT) {
            hz_log_write(c->r->log, HZ_LOG_WARN, &f,
                         "job %s: %s, then changed (retried, or submitted "
                         "again): what is stored of it is left to its new "
                         "run",
                         f.job, why);
            return;
        }
        if (rc != HZ_OK && rc != HZ_ENOTFOUND) {
            hz_log_write(c->r->log, HZ_LOG_WARN, &f,
                         "job %s: %s: could not remove its "
                         "result document %s (%s): %s",
                         f.job, why, rid, hz_strerror(rc), err.msg);
            hz_metrics_add_store_error(c->r->m, "delete");
            failed++;
        }
    }
    hz_status rc = hz_artifact_delete_if(c->s, c->doc, "report", still, c,
                                         &err);
    if (rc == HZ_ECONFLICT) {
        hz_log_write(c->r->log, HZ_LOG_WARN, &f,
                     "job %s: %s, then changed (retried, or submitted "
                     "again): its report as stored is left to its new run",
                     f.job, why);
        rc = HZ_OK;
    }
    if (rc != HZ_OK) {
        hz_log_write(c->r->log, HZ_LOG_WARN, &f,
                     "job %s: %s: could not remove its "
                     "report (%s): %s",
                     f.job, why, hz_strerror(rc), err.msg);
        hz_metrics_add_store_error(c->r->m, "delete");
        failed++;
    }
    if (failed > 0)
        hz_log_write(c->r->log, HZ_LOG_WARN, &f,
                     "job %s: %s: %ld removal(s) "
                     "failed: its documents left in the store",
                     f.job, why, failed);
}

/* Results, narrative and final status in one write-back. */
static void succeed_job(jobctx *c, cJSON *res)
{
    hz__runner *r = c->r;
    cJSON *summary = cJSON_DetachItemFromObjectCaseSensitive(res, "summary");
    if (summary == NULL)
        summary = cJSON_CreateObject();
    size_t nres = 0;
    long nrows = 0;
    cJSON **results = build_results(
        c->doc, cJSON_GetObjectItemCaseSensitive(res, "chunks"), &nres,
        &nrows);
    if (results == NULL) {
        cJSON_Delete(summary);
        requeue_job(c, "memory", "out of memory building the result documents",
                    false);
        return;
    }
    /* The results are written before the job's conditional final status
     * (on Cosmos DB, in other requests): a runner that lost the job while
     * it was stopped or cut off must find out first, or it would write
     * its rows over those of the job's new owner.  A lease renewed less
     * than lease/3 ago cannot have been taken over; one whose renewals
     * failed (store errors, not a conflict) for 2/3 of a lease is not
     * known to be held, and the job is left to its next claim. */
    if (!add_narrative(c, summary) ||
        (hz_now() - c->t_renewed >= r->cfg->lease_s / 3 && !renew(c)) ||
        !lease_confirmed(c)) {
        cJSON_Delete(summary);
        free_results(results, nres);
        if (c->renew_rc != HZ_ECANCELED) /* else counted as "shutdown" */
            hz_metrics_add_requeue(r->m, "lease-lost");
        return;
    }
    /* from here every request ends before the lease can expire */
    hz_store_set_until(c->s, writeback_until(c));
    keep_ctx kc = {.c = c, .lease = cJSON_Duplicate(c->doc, true)};
    hz_finish_keep keep = {.fn = keep_lease, .ctx = &kc};
    const hz_finish_keep *kp = kc.lease != NULL ? &keep : NULL;
    hz_error err;
    double tw = hz_now();
    hz_status rc = store_report(c, res, kp, &err);
    if (rc == HZ_OK) {
        char etag[HZ_ETAG_MAX]; /* the lease as the report left it */
        snprintf(etag, sizeof etag, "%s",
                 jstr(kc.lease != NULL ? kc.lease : c->doc, "_etag"));
        mark_succeeded(c, res, summary, nres, nrows);
        rc = hz_store_finish_keep(c->s, c->doc, etag, results, nres, kp, &err);
    } else {
        cJSON_Delete(summary);
    }
    /* given up at the write-back's deadline (the lease near its end) */
    bool cut = rc != HZ_OK && hz_now() >= writeback_until(c) - 0.05;
    hz_store_set_until(c->s, 0);
    c->stages[HZ_STAGE_WRITE] = hz_now() - tw;
    free_results(results, nres);
    if (rc != HZ_OK && kc.lease != NULL) /* the lease as last renewed */
        hz__cjson_set_str(c->doc, "_etag", jstr(kc.lease, "_etag"));
    cJSON_Delete(kc.lease);
    hz_log_fields f = fields_of(c, NULL);
    if (rc == HZ_ENOTFOUND && job_gone(c)) {
        remove_written(c, nres, "deleted while it ran", still_gone);
        deleted_meanwhile(c, "outcome");
    } else if (rc == HZ_ECONFLICT && job_canceled(c)) {
        /* canceled while its outcome was written: a canceled job keeps
         * nothing of the run it stopped (until 2026-12-07 the result
         * documents and report chunks written before the final status,
         * Cosmos DB, stayed until `jobs delete` or `jobs retry`) */
        remove_written(c, nres, "canceled while it ran", still_canceled);
        hz_log_write(r->log, HZ_LOG_WARN, &f,
                     "job %s: canceled while it ran: its outcome is not "
                     "kept",
                     f.job);
        hz_metrics_add_requeue(r->m, "lease-lost");
    } else if (rc == HZ_ECONFLICT) {
        hz_log_write(r->log, HZ_LOG_WARN, &f,
                     "job %s: lease lost before write-back; left to its new "
                     "owner",
                     f.job);
        hz_metrics_add_requeue(r->m, "lease-lost");
    } else if (rc == HZ_ECANCELED) {
        abandoned(c, "its results", &err);
    } else if (rc == HZ_EINVAL) {
        /* the store refuses the outcome itself (Cosmos DB: a document or
         * a batch over 2 MB): writing it again cannot work, and the job
         * would be taken over and computed again for ever */
        char msg[HZ_ERROR_MAX + 64];
        snprintf(msg, sizeof msg, "the store refused its outcome: %s",
                 err.msg);
        unmark_succeeded(c);
        fail_job(c, "write", msg);
    } else if (rc != HZ_OK) {
        if (cut) {
            char why[HZ_ERROR_MAX];
            snprintf(why, sizeof why, "%s", err.msg);
            snprintf(err.msg, sizeof err.msg,
                     "%.300s (given up at the write-back's deadline, %.0f s "
                     "after its lease was last renewed, of %g s: it may be "
                     "lost)",
                     why, hz_now() - c->t_renewed, r->cfg->lease_s);
        }
        hz_log_write(r->log, HZ_LOG_ERROR, &f,
                     "job %s: could not write its results: %s (the job "
                     "will be recovered when its lease expires)",
                     f.job, err.msg);
        hz_metrics_add_requeue(r->m, "store-error");
        hz_metrics_add_store_error(r->m, "write");
        hz__runner_store_failed(r, err.msg);
    } else {
        hz__runner_store_ok(r);
        double latency = hz_now() - c->t_claim;
        f.stages = c->stages;
        f.latency_s = latency;
        hz_log_write(r->log, HZ_LOG_INFO, &f,
                     "job %s (%s, tenant %s) succeeded: %zu result "
                     "document%s, %ld row%s",
                     f.job, f.type, f.tenant, nres, nres == 1 ? "" : "s",
                     nrows, nrows == 1 ? "" : "s");
        hz_metrics_add_job(r->m, f.type, c->stages, latency, true, NULL);
    }
}

/* ---- before the job process ---- */

/* The checks that need no job process; false when the job was ended or
 * released here. */
static bool precheck(jobctx *c)
{
    hz__runner *r = c->r;
    hz_error err;
    if (hz__runner_stopping(r)) {
        requeue_job(c, "shutdown", "runner stopping before the job started",
                    true);
        return false;
    }
    if (hz_job_from_json(c->doc, &c->job, &err) != HZ_OK) {
        fail_job(c, "validation", err.msg);
        return false;
    }
    c->parsed = true;
    c->max_attempts = c->job.max_attempts > 0 ? c->job.max_attempts
                                              : r->cfg->max_attempts;
    char msg[HZ_ERROR_MAX + 96];
    if (c->job.attempts > c->max_attempts) {
        snprintf(msg, sizeof msg, "gave up after %d attempts (last: %s)",
                 c->max_attempts,
                 c->job.error[0] ? c->job.error : "no error recorded");
        fail_job(c, "attempts", msg);
        return false;
    }
    double takeovers = hz__cjson_num(c->doc, "takeovers", 0);
    if (takeovers > HZ_RUNNER_MAX_TAKEOVERS) {
        snprintf(msg, sizeof msg,
                 "its runner died or lost the lease %.0f times (a job that "
                 "kills its runner?)",
                 takeovers);
        fail_job(c, "takeovers", msg);
        return false;
    }
    if (hz_exec_validate(&c->job, r->cfg->build_request, &err) != HZ_OK) {
        snprintf(msg, sizeof msg, "bad parameters: %s", err.msg);
        fail_job(c, "params", msg);
        return false;
    }
    return true;
}

/* The dataset's location: the job's own, or its dataset document's. */
static bool resolve_dataset(jobctx *c)
{
    if (c->job.dataset_id[0] == '\0') {
        c->dataset = strdup(c->job.dataset);
        return c->dataset != NULL;
    }
    hz_error err;
    cJSON *ds = NULL;
    hz_status rc = hz_store_get(c->s, HZ_STORE_DATASETS, c->job.dataset_id,
                                c->job.customer_id, &ds, &err);
    const char *uri = rc == HZ_OK ? hz__cjson_str(ds, "uri") : NULL;
    if (uri != NULL)
        c->dataset = strdup(uri);
    cJSON_Delete(ds);
    if (c->dataset != NULL)
        return true;
    char msg[HZ_ERROR_MAX + 512];
    snprintf(msg, sizeof msg, "datasetId '%s': %s", c->job.dataset_id,
             rc == HZ_ENOTFOUND ? "no such dataset for this tenant"
             : rc == HZ_OK      ? "dataset document has no uri"
                                : err.msg);
    if (rc == HZ_OK || rc == HZ_ENOTFOUND) {
        fail_job(c, "dataset", msg);
    } else if (rc == HZ_ECANCELED) {
        abandoned(c, "anything", &err);
    } else {
        hz__runner_store_failed(c->r, err.msg);
        requeue_job(c, "store-error", msg, true);
    }
    return false;
}

/* ---- the job process ---- */

typedef enum outcome {
    OUT_EXITED,   /* the child exited; result file to read */
    OUT_TIMEOUT,  /* killed at the job's deadline */
    OUT_LEASE,    /* lease lost: killed, abandon the job */
    OUT_SHUTDOWN, /* grace after stop passed: killed, release */
    OUT_DISK      /* its files took more than its disk limit: killed */
} outcome;

static bool pidfd_exited(int pfd, double wait_s)
{
    struct pollfd p = {.fd = pfd, .events = POLLIN};
    return poll(&p, 1, (int)ceil(wait_s * 1000)) > 0;
}

static void kill_job(int pfd, pid_t pid)
{
    syscall(SYS_pidfd_send_signal, pfd, SIGKILL, NULL, 0);
    /* the process group: nothing should be left behind */
    if (!pidfd_exited(pfd, 0))
        kill(-pid, SIGKILL);
    pidfd_exited(pfd, 10);
}

/* Whether the last successful renewal leaves the lease held through a
 * write-back (lease/3 of it at least); says so when not: the outcome is
 * then not written for want of the store (a --once run exits 75). */
static bool lease_confirmed(jobctx *c)
{
    double age = hz_now() - c->t_renewed, lease = c->r->cfg->lease_s;
    if (age < lease * 2 / 3)
        return true;
    if (c->renew_rc == HZ_ECANCELED) { /* a stop abandoned the renewal */
        hz_error why;
        snprintf(why.msg, sizeof why.msg, "%s", c->renew_error);
        abandoned(c, "its results", &why);
        return false;
    }
    hz_log_fields f = fields_of(c, NULL);
    hz_log_write(c->r->log, HZ_LOG_WARN, &f,
                 "job %s: lease last renewed %.0f s ago (of %.0f s): not "
                 "writing results that a new owner may be writing; leaving "
                 "the job to its next claim",
                 f.job, age, lease);
    char msg[HZ_ERROR_MAX];
    snprintf(msg, sizeof msg,
             "job %.100s: its lease could not be renewed, results not "
             "written: %.300s",
             f.job, c->renew_error[0] ? c->renew_error : "no renewal");
    hz__runner_store_failed(c->r, msg);
    return false;
}

/* Renew the lease that doc (the job's claimed document) holds: HZ_OK;
 * HZ_ECONFLICT or HZ_ENOTFOUND when it was lost (said); another status
 * when the store failed (said, and kept in c->renew_rc, renew_error). */
static hz_status renew_doc(jobctx *c, cJSON *doc, hz_error *err)
{
    hz__runner *r = c->r;
    /* the lease runs from now (wall), not from when the store answered:
     * a renewal that took long (retries, a slow store) held less */
    double asked = hz_now();
    double wall = hz_wall_now();
    hz_status rc = hz_store_renew_lease(c->s, doc, wall,
                                        wall + r->cfg->lease_s, err);
    hz_log_fields f = fields_of(c, NULL);
    if (rc == HZ_ECONFLICT || rc == HZ_ENOTFOUND) {
        hz_log_write(r->log, HZ_LOG_WARN, &f,
                     "job %s: lease lost (%s); abandoning it", f.job,
                     err->msg);
        return rc;
    }
    c->renew_rc = rc;
    if (rc != HZ_OK) {
        hz_log_write(r->log, HZ_LOG_WARN, &f,
                     "job %s: could not renew its lease: %s", f.job, err->msg);
        snprintf(c->renew_error, sizeof c->renew_error, "%s", err->msg);
    } else {
        c->t_renewed = asked;
    }
    return rc;
}

/* Renew the lease when due; false when it was lost. */
static bool renew(jobctx *c)
{
    hz_error err;
    hz_status rc = renew_doc(c, c->doc, &err);
    return rc != HZ_ECONFLICT && rc != HZ_ENOTFOUND;
}

/* Wait for the job process: renew the lease every lease/3, kill it at
 * the job's deadline, when the lease is lost, or when a stop's grace
 * period has passed. */
static outcome supervise(jobctx *c, pid_t pid, int pfd, double timeout_s,
                         double *elapsed)
{
    hz__runner *r = c->r;
    double t0 = hz_now();
    double deadline = t0 + timeout_s;
    double renew_every = r->cfg->lease_s / 3;
    double next_renew = t0 + renew_every;
    double stop_at = -1;
    outcome oc = OUT_EXITED;
    while (!pidfd_exited(pfd, 0)) {
        double now = hz_now();
        if (now >= deadline) {
            oc = OUT_TIMEOUT;
            break;
        }
        long long largest;
        bool deep = false;
        if (r->max_disk_bytes > 0 &&
            (hz__disk_usage(c->dir, &largest, &deep) > r->max_disk_bytes ||
             deep)) {
            oc = OUT_DISK;
            break;
        }
        if (hz__runner_stopping(r)) {
            if (stop_at < 0) {
                stop_at = hz__runner_grace_end(r);
            } else if (now >= stop_at) {
                oc = OUT_SHUTDOWN;
                break;
            }
        }
        if (now >= next_renew) {
            if (!renew(c)) {
                oc = OUT_LEASE;
                break;
            }
            next_renew = now + renew_every;
        }
        double wait = fmin(fmin(deadline, next_renew) - now, 0.25);
        if (stop_at > 0)
            wait = fmin(wait, stop_at - now);
        if (pidfd_exited(pfd, fmax(wait, 0.001)))
            break;
    }
    if (oc != OUT_EXITED)
        kill_job(pfd, pid);
    *elapsed = hz_now() - t0;
    return oc;
}

/* Whether the job process left a result file or report larger than its
 * memory limit; then the job is failed (reason memory) and neither is
 * read.  The files are the job process's to write, and code a hostile
 * dataset got to run there could write gigabytes that the runner read
 * whole into its memory (and parsed into far more), which the OOM killer
 * then took from every tenant's jobs; a result the job process made
 * holds no more rows than its memory does (hz__memlimit_guard). */
static bool oversized_output(jobctx *c)
{
    long long max = c->r->max_memory_bytes;
    if (max <= 0)
        return false;
    static const char *const suffix[] = {"", ".html"};
    for (int i = 0; i < 2; i++) {
        char path[4300];
        snprintf(path, sizeof path, "%s%s", c->resfile, suffix[i]);
        struct stat st;
        if (lstat(path, &st) != 0 || st.st_size <= max)
            continue;
        char msg[512];
        snprintf(msg, sizeof msg,
                 "the job process left a %s of %lld MiB, over its memory "
                 "limit of %lld MiB: not read",
                 i == 0 ? "result file" : "report",
                 (long long)st.st_size >> 20, max >> 20);
        fail_job(c, "memory", msg);
        return true;
    }
    return false;
}

/* Whether the job process's files reached its disk limit (a file as
 * large as RLIMIT_FSIZE lets it be, or more than the limit in all); then
 * the job is failed for good (reason disk), whatever its result says: a
 * write that failed there (EFBIG) made it fail its download, its result or
 * its temporary files with a message of their own.  killed: the runner
 * stopped it for that. */
static bool over_disk_limit(jobctx *c, bool killed)
{
    long long max = c->r->max_disk_bytes, largest = 0;
    if (max <= 0)
        return false;
    bool deep = false;
    long long used = hz__disk_usage(c->dir, &largest, &deep);
    long long file_max = hz__disklimit_file_max(max); /* a lower ulimit -f */
    if (!killed && !deep && used <= max && largest < file_max)
        return false;
    char msg[512];
    if (deep) {
        snprintf(msg, sizeof msg,
                 "the job process made directories %d levels deep in its "
                 "work directory, deeper than the runner counts its disk "
                 "use (" HZ_DISKLIMIT_SOURCE ")%s",
                 HZ_DISK_MAX_DEPTH, killed ? ": stopped" : "");
    } else if (!killed && used <= max) {
        char lim[256];
        hz__disklimit_describe(max, file_max, lim, sizeof lim);
        snprintf(msg, sizeof msg,
                 "the job process wrote a file as large as its %s in its "
                 "work directory",
                 lim);
    } else {
        snprintf(msg, sizeof msg,
                 "the job process wrote more than its disk limit of %lld MiB "
                 "in its work directory (" HZ_DISKLIMIT_SOURCE ")%s",
                 max >> 20, killed ? ": stopped" : "");
    }
    fail_job(c, HZ_DISKLIMIT_REASON, msg);
    return true;
}

/* Whether the job process reached its thread limit (its supervisor left
 * HZ_THREADLIMIT_MARK and killed it: runner/threadlimit.h); then the job
 * is failed for good (reason threads). */
static bool over_thread_limit(jobctx *c)
{
    char mark[4300];
    snprintf(mark, sizeof mark, "%.4200s/" HZ_THREADLIMIT_MARK, c->dir);
    struct stat st;
    if (lstat(mark, &st) != 0 || !S_ISREG(st.st_mode))
        return false;
    char msg[512];
    snprintf(msg, sizeof msg,
             "the job process started more threads than its limit of %d "
             "(64 + 4 x horizon run --threads %d): stopped",
             HZ_THREADLIMIT(c->r->threads_per_job), c->r->threads_per_job);
    fail_job(c, HZ_THREADLIMIT_REASON, msg);
    return true;
}

/* Whether the job process of c said before it read its dataset that it
 * could not isolate itself (HZ_JOBPROC_ISOLATION_MARK): only then is its
 * reason "isolation" the runner's fault; *shortage whether for a
 * resource the machine lacked a moment (HZ_JOBPROC_SHORTAGE).  Never
 * without require_isolation: then no job process reports it, and one
 * without Landlock could write the file. */
static bool isolation_said(const jobctx *c, bool *shortage)
{
    *shortage = false;
    if (!c->r->cfg->require_isolation)
        return false;
    char mark[4300];
    snprintf(mark, sizeof mark, "%.4200s" HZ_JOBPROC_ISOLATION_MARK, c->dir);
    int fd = open(mark, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    struct stat st;
    bool said = fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
                st.st_size > 0;
    char word[32] = "";
    ssize_t n = said ? read(fd, word, sizeof word - 1) : 0;
    if (n > 0) {
        word[n] = '\0';
        *shortage = strcmp(word, HZ_JOBPROC_SHORTAGE "\n") == 0;
    }
    if (fd >= 0)
        close(fd);
    return said;
}

/* Start the job process and wait for it; *res its result (NULL when it
 * left none).  False when the job was ended or released here. */
static bool run_process(jobctx *c, int worker, cJSON **res, pid_t *pid_out)
{
    hz__runner *r = c->r;
    hz_error err;
    double timeout = c->job.timeout_s > 0 ? c->job.timeout_s
                                          : r->cfg->timeout_s;
    pthread_mutex_lock(&r->mu);
    long seq = ++r->seq;
    pthread_mutex_unlock(&r->mu);
    snprintf(c->dir, sizeof c->dir, "%.4000s/job-%d-%ld", r->workdir, worker,
             seq);
    if (mkdir(c->dir, 0700) != 0) {
        int e = errno;
        snprintf(err.msg, sizeof err.msg, "could not create %.400s: %s",
                 c->dir, strerror(e));
        c->dir[0] = '\0';
        requeue_job(c, "local", err.msg, true);
        hz__runner_local_failed(r, err.msg);
        return false;
    }
    snprintf(c->resfile, sizeof c->resfile, "%s/result.json", c->dir);
    char reqfile[4300];
    snprintf(reqfile, sizeof reqfile, "%s.req", c->resfile);
    if (hz__jobproc_write_request(reqfile, c->doc, c->dataset, c->resfile,
                                  &err) != HZ_OK) {
        requeue_job(c, "local", err.msg, true);
        hz__runner_local_failed(r, err.msg);
        return false;
    }
    pid_t pid = 0;
    int pfd = hz__jobproc_spawn(r->jp, reqfile, &pid);
    if (pfd < 0) {
        snprintf(err.msg, sizeof err.msg,
                 "could not start the job process: %s", strerror(errno));
        requeue_job(c, "local", err.msg, true);
        hz__runner_local_failed(r, err.msg);
        return false;
    }
    double elapsed = 0;
    outcome oc = supervise(c, pid, pfd, timeout, &elapsed);
    close(pfd);
    bool shortage = false;
    if (!isolation_said(c, &shortage) || !shortage)
        hz__runner_local_ok(r); /* its directory made, its process run */
    *pid_out = pid;
    hz_log_fields f = fields_of(c, NULL);
    hz__job_stderr_forward(r->log, &f, jstr(c->doc, "id"), c->dir, pid);
    if (oc == OUT_TIMEOUT) {
        char msg[256];
        snprintf(msg, sizeof msg,
                 "job exceeded its timeout of %g s (stopped after %.1f s)",
                 timeout, elapsed);
        fail_job(c, "timeout", msg);
        return false;
    }
    if (oc == OUT_LEASE) {
        hz_metrics_add_requeue(r->m, "lease-lost");
        return false;
    }
    if (oc == OUT_SHUTDOWN) {
        requeue_job(c, "shutdown", "runner stopped while the job ran", true);
        return false;
    }
    if (over_thread_limit(c) || over_disk_limit(c, oc == OUT_DISK) ||
        oversized_output(c))
        return false;
    *res = hz__jobproc_read_result(c->resfile);
    return true;
}

/* The reason a job process's result gives, if it is one the job process
 * gives (runner/exec.c, jobproc.c); else "compute".  The result file is
 * the job process's to write, and code a hostile dataset got to run
 * there could put any text in it: the reason becomes a label of the
 * metrics (a quote or a newline made lines of its own in the OpenMetrics
 * file), a field of the log and of the job in the store. */
static const char *known_reason(const char *reason)
{
    static const char *const known[] = {
        "params",    "dataset", "fetch",        "compute",           "memory",
        "isolation", "workdir", "tool-timeout", HZ_DISKLIMIT_REASON, NULL};
    for (const char *const *k = known; reason != NULL && *k != NULL; k++)
        if (strcmp(reason, *k) == 0)
            return *k;
    return "compute";
}

/* Whether the run's work directory has no room for 1 MiB once the job's
 * own files are gone (they are removed here): only then is a job
 * process's reason "workdir" the runner's fault.  A job process whose
 * code a hostile dataset runs could write that reason, or fill the file
 * system with files of its own first. */
static bool workdir_full(jobctx *c)
{
    hz__runner_remove_job_dir(c->dir);
    char probe[4300];
    snprintf(probe, sizeof probe, "%.4200s.room", c->dir);
    int fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                  0600);
    if (fd < 0)
        return errno == ENOSPC || errno == EDQUOT || errno == EIO ||
               errno == EROFS;
    static const char zeros[65536];
    int e = 0;
    for (int i = 0; i < 16 && e == 0; i++)
        if (write(fd, zeros, sizeof zeros) != (ssize_t)sizeof zeros)
            e = errno != 0 ? errno : ENOSPC;
    if (e == 0 && fsync(fd) != 0)
        e = errno;
    close(fd);
    unlink(probe);
    return e != 0;
}

/* Judge the job process's outcome and write it back. */
static void finish(jobctx *c, cJSON *res, pid_t pid)
{
    bool attempts_left = c->job.attempts < c->max_attempts;
    char why[128];
    if (res == NULL && !hz__jobproc_alive(c->r->jp, why, sizeof why)) {
        /* it died with the helper (PR_SET_PDEATHSIG): not the job's
         * fault; the runner ends (runner.c) */
        char msg[256];
        snprintf(msg, sizeof msg,
                 "job process %ld died with the job process helper, which %s",
                 (long)pid, why);
        requeue_job(c, "local", msg, true);
        hz__runner_local_failed(c->r, msg);
        return;
    }
    if (res == NULL) {
        char msg[256];
        snprintf(msg, sizeof msg,
                 "job process %ld ended without a result (it crashed or was "
                 "killed)",
                 (long)pid);
        if (attempts_left)
            requeue_job(c, "crash", msg, false);
        else
            fail_job(c, "crash", msg);
        return;
    }
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(res, "stages");
    for (int i = 0; i < HZ_NSTAGES && i < cJSON_GetArraySize(st); i++)
        if (i != HZ_STAGE_WRITE)
            c->stages[i] = cJSON_GetArrayItem(st, i)->valuedouble;
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(res, "ok"))) {
        succeed_job(c, res);
        return;
    }
    const char *msg = hz__cjson_str(res, "error");
    const char *reason = known_reason(hz__cjson_str(res, "reason"));
    if (reason != NULL && strcmp(reason, "workdir") == 0 && workdir_full(c)) {
        /* the runner's own file system, not the job: released with its
         * attempt refunded, and the run ends (--watch too), else a full
         * disk would fail the whole queue for good, attempt after
         * attempt, or a --watch runner would claim, compute and release
         * the same job again and again */
        hz__runner_fault(c->r, HZ_EIO, msg ? msg : "work directory");
        requeue_job(c, reason, msg ? msg : "failed", true);
        return;
    }
    bool shortage = false;
    if (reason != NULL && strcmp(reason, "isolation") == 0 &&
        isolation_said(c, &shortage) && shortage) {
        /* its threads' supervisor could not be forked (the machine at
         * its pid limit): a failure of the runner's own, not the job's
         * nor the kernel's refusal of isolation: released, refunded,
         * claims wait (0.5 s doubling), a --once run exits 75.  Until
         * 2026-12-08 the run ended as without Landlock (exit 78) */
        requeue_job(c, "local", msg ? msg : "failed", true);
        hz__runner_local_failed(c->r, msg ? msg : "failed");
        return;
    }
    if (reason != NULL && strcmp(reason, "isolation") == 0 &&
        isolation_said(c, &shortage)) {
        /* the kernel refused this runner's job processes their isolation
         * (runner/isolate.h) although it offered Landlock at start (a
         * seccomp profile, a missing /proc): no job of any tenant can run
         * here, none is failed for it; exit 78 as at start */
        char fatal[HZ_ERROR_MAX + 256];
        snprintf(fatal, sizeof fatal,
                 HZ_RUNNER_NO_ISOLATION
                 ": %.400s; job %.100s was queued "
                 "again and no more jobs are run (horizon run --isolation "
                 "best-effort runs jobs without it)",
                 msg ? msg : "a job process could not isolate itself",
                 c->job.id);
        hz__runner_fault(c->r, HZ_EINVAL, fatal);
        requeue_job(c, reason, msg ? msg : "failed", true);
        return;
    }
    bool retry = cJSON_IsTrue(
        cJSON_GetObjectItemCaseSensitive(res, "retryable"));
    if (retry && attempts_left)
        requeue_job(c, reason ? reason : "compute", msg ? msg : "failed",
                    false);
    else
        fail_job(c, reason ? reason : "compute", msg ? msg : "failed");
}

void hz__runner_process(hz__runner *r, hz_store *s, hz__qitem *it, int worker)
{
    jobctx c = {.r = r,
                .s = s,
                .doc = it->doc,
                .t_claim = it->claimed_at,
                .t_renewed = it->claimed_at};
    for (int i = 0; i < HZ_NSTAGES; i++)
        c.stages[i] = NAN;
    cJSON *res = NULL;
    pid_t pid = 0;
    if (precheck(&c) && resolve_dataset(&c) &&
        run_process(&c, worker, &res, &pid))
        finish(&c, res, pid);
    hz__runner_remove_job_dir(c.dir);
    cJSON_Delete(res);
    free(c.dataset);
    if (c.parsed)
        hz_job_clear(&c.job);
}
