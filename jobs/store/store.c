/* Store interface: opening by spec, timed wrappers, and the generic
 * claim / finish / lease operations built on get, put, query and batch. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/cjson.h"
#include "store/job.h"
#include "store/store.h"

hz_status hz_store_open(const char *spec, hz_store **out, hz_error *err)
{
    return hz_store_open_flags(spec, 0, out, err);
}

/* The backend of a spec: "scheme" or "scheme:..."; a bare path ending in
 * .db/.sqlite/.sqlite3 is the first backend's (sqlite). */
static const hz_store_backend *backend_of(const char *spec)
{
    for (const hz_store_backend *b = hz__store_backends; b->scheme; b++) {
        size_t n = strlen(b->scheme);
        if (strncmp(spec, b->scheme, n) == 0 &&
            (spec[n] == '\0' || spec[n] == ':'))
            return b;
    }
    static const char *const exts[] = {".db", ".sqlite", ".sqlite3", NULL};
    size_t n = strlen(spec);
    for (int i = 0; exts[i] != NULL && strchr(spec, ':') == NULL; i++) {
        size_t m = strlen(exts[i]);
        if (n >= m && strcmp(spec + n - m, exts[i]) == 0)
            return &hz__store_backends[0];
    }
    return NULL;
}

static hz_status open_spec(const char *spec, unsigned flags,
                           bool (*cancel)(void *ctx), void *ctx,
                           hz_store **out, hz_error *err)
{
    *out = NULL;
    if (spec == NULL || spec[0] == '\0')
        return hz_error_set(err, HZ_EINVAL,
                            "empty store spec (expected sqlite:PATH or "
                            "cosmos)");
    const hz_store_backend *b = backend_of(spec);
    if (b == NULL)
        return hz_error_set(err, HZ_EINVAL,
                            "unknown store '%s' (expected sqlite:PATH or "
                            "cosmos)",
                            spec);
    return b->open(spec, flags, cancel, ctx, out, err);
}

hz_status hz_store_open_flags(const char *spec, unsigned flags, hz_store **out,
                              hz_error *err)
{
    return open_spec(spec, flags, NULL, NULL, out, err);
}

hz_status hz_store_open_cancel(const char *spec, bool (*cancel)(void *ctx),
                               void *ctx, hz_store **out, hz_error *err)
{
    return open_spec(spec, 0, cancel, ctx, out, err);
}

void hz_store_close(hz_store *s)
{
    if (s != NULL)
        s->ops->close(s);
}

const char *hz_store_name(const hz_store *s)
{
    return s->ops->name;
}

#define TIMED(s, call)                                                        \
    do {                                                                      \
        double t0_ = hz_now();                                                \
        hz_status rc_ = (call);                                               \
        (s)->busy_s += hz_now() - t0_;                                        \
        (s)->nops++;                                                          \
        return rc_;                                                           \
    } while (0)

hz_status hz_store_get(hz_store *s, const char *container, const char *id,
                       const char *customer_id, cJSON **doc_out, hz_error *err)
{
    *doc_out = NULL;
    if (!hz__store_container_ok(container))
        return hz_error_set(err, HZ_EINVAL, "unknown container '%s'",
                            container ? container : "(null)");
    if (id == NULL || customer_id == NULL)
        return hz_error_set(err, HZ_EINVAL,
                            "%s: get needs an id and a "
                            "customerId",
                            container);
    TIMED(s, s->ops->get(s, container, id, customer_id, doc_out, err));
}

hz_status hz_store_put(hz_store *s, const char *container, hz_put_mode mode,
                       cJSON *doc, const char *if_match, hz_error *err)
{
    if (!hz__store_container_ok(container))
        return hz_error_set(err, HZ_EINVAL, "unknown container '%s'",
                            container ? container : "(null)");
    hz_status rc = hz__store_check_doc(container, doc, NULL, err);
    if (rc != HZ_OK)
        return rc;
    TIMED(s, s->ops->put(s, container, mode, doc, if_match, err));
}

hz_status hz_store_delete(hz_store *s, const char *container, const char *id,
                          const char *customer_id, const char *if_match,
                          hz_error *err)
{
    if (!hz__store_container_ok(container))
        return hz_error_set(err, HZ_EINVAL, "unknown container '%s'",
                            container ? container : "(null)");
    if (id == NULL || customer_id == NULL)
        return hz_error_set(err, HZ_EINVAL,
                            "%s: delete needs an id and a "
                            "customerId",
                            container);
    TIMED(s, s->ops->del(s, container, id, customer_id, if_match, err));
}

hz_status hz_store_delete_if(hz_store *s, const char *container,
                            const char *id, const char *customer_id,
                            bool (*still)(void *ctx), void *ctx,
                            hz_error *err)
{
    cJSON *d = NULL;
    hz_status rc = hz_store_get(s, container, id, customer_id, &d, err);
    if (rc != HZ_OK)
        return rc;
    char etag[HZ_ETAG_MAX] = "";
    const char *e = hz__cjson_str(d, "_etag");
    snprintf(etag, sizeof etag, "%s", e != NULL ? e : "");
    cJSON_Delete(d);
    if (etag[0] == '\0')
        return hz_error_set(err, HZ_EINVAL, "%s/%s: stored without an ETag",
                            container, id);
    if (still != NULL && !still(ctx))
        return hz_error_set(err, HZ_ECONFLICT,
                            "%s/%s: no longer to be removed", container, id);
    return hz_store_delete(s, container, id, customer_id, etag, err);
}

hz_status hz_store_query(hz_store *s, const hz_query *q, int page_size,
                         const char *continuation, cJSON **docs_out,
                         char **next_out, hz_error *err)
{
    *docs_out = NULL;
    *next_out = NULL;
    if (q == NULL || !hz__store_container_ok(q->container))
        return hz_error_set(err, HZ_EINVAL, "query: unknown container '%s'",
                            q && q->container ? q->container : "(null)");
    if (q->claimable_at > 0 &&
        (q->status != NULL || strcmp(q->container, HZ_STORE_JOBS) != 0))
        return hz_error_set(err, HZ_EINVAL,
                            "query: claimable_at needs the "
                            "jobs container and no status filter");
    if (page_size < 1)
        page_size = 1;
    if (page_size > HZ_STORE_PAGE_MAX)
        page_size = HZ_STORE_PAGE_MAX;
    TIMED(s, s->ops->query(s, q, page_size, continuation, docs_out, next_out,
                           err));
}

hz_status hz_store_batch(hz_store *s, const char *container,
                         const char *customer_id, hz_store_op *ops,
                         size_t nops, size_t *failed_index, hz_error *err)
{
    if (!hz__store_container_ok(container))
        return hz_error_set(err, HZ_EINVAL, "unknown container '%s'",
                            container ? container : "(null)");
    if (customer_id == NULL)
        return hz_error_set(err, HZ_EINVAL, "%s: batch needs a customerId",
                            container);
    if (nops == 0 || nops > HZ_STORE_BATCH_MAX)
        return hz_error_set(err, HZ_EINVAL,
                            "%s: a batch holds 1 to %d "
                            "operations, got %zu",
                            container, HZ_STORE_BATCH_MAX, nops);
    for (size_t i = 0; i < nops; i++) {
        hz_status rc;
        if (ops[i].kind == HZ_OP_DELETE) {
            if (ops[i].id == NULL)
                rc = hz_error_set(err, HZ_EINVAL,
                                  "%s: batch operation %zu:"
                                  " delete without an id",
                                  container, i);
            else
                rc = HZ_OK;
        } else {
            rc = hz__store_check_doc(container, ops[i].doc, customer_id, err);
        }
        if (rc != HZ_OK) {
            if (failed_index != NULL)
                *failed_index = i;
            return rc;
        }
    }
    TIMED(s, s->ops->batch(s, container, customer_id, ops, nops, failed_index,
                           err));
}

hz_status hz_store_claim(hz_store *s, const hz_claim_request *req,
                         cJSON **jobs_out, hz_error *err)
{
    *jobs_out = NULL;
    if (req == NULL || req->owner == NULL || req->owner[0] == '\0' ||
        req->lease_s <= 0 || req->max_jobs < 1)
        return hz_error_set(err, HZ_EINVAL,
                            "claim: needs an owner, a "
                            "positive lease and max_jobs >= 1");
    if (s->ops->claim != NULL)
        TIMED(s, s->ops->claim(s, req, jobs_out, err));
    /* The generic version goes through the timed wrappers itself. */
    return hz__store_generic_claim(s, req, jobs_out, err);
}

hz_status hz_store_finish(hz_store *s, cJSON *job, const char *if_match,
                          cJSON *const *results, size_t nresults,
                          hz_error *err)
{
    return hz_store_finish_keep(s, job, if_match, results, nresults, NULL,
                                err);
}

hz_status hz_store_finish_keep(hz_store *s, cJSON *job, const char *if_match,
                               cJSON *const *results, size_t nresults,
                               const hz_finish_keep *keep, hz_error *err)
{
    const char *pk = hz__cjson_str(job, "customerId");
    hz_status rc = hz__store_check_doc(HZ_STORE_JOBS, job, NULL, err);
    if (rc != HZ_OK)
        return rc;
    for (size_t i = 0; i < nresults; i++) {
        rc = hz__store_check_doc(HZ_STORE_RESULTS, results[i], pk, err);
        if (rc != HZ_OK)
            return rc;
    }
    if (s->ops->finish != NULL)
        TIMED(s,
              s->ops->finish(s, job, if_match, results, nresults, keep, err));
    return hz__store_generic_finish(s, job, if_match, results, nresults, keep,
                                    err);
}

hz_status hz__store_keep(const hz_finish_keep *keep, char etag[HZ_ETAG_MAX],
                         hz_error *err)
{
    return keep != NULL && keep->fn != NULL ? keep->fn(keep->ctx, etag, err)
                                            : HZ_OK;
}

/* ---- lease helpers ---- */

/* Whether the stored job is job as written (system properties aside). */
static bool same_doc(const cJSON *stored, const cJSON *job)
{
    cJSON *a = cJSON_Duplicate(stored, true), *b = cJSON_Duplicate(job, true);
    bool same = false;
    if (a != NULL && b != NULL) {
        static const char *const sys[] = {"_etag", "_ts"};
        for (size_t i = 0; i < sizeof sys / sizeof *sys; i++) {
            cJSON_DeleteItemFromObjectCaseSensitive(a, sys[i]);
            cJSON_DeleteItemFromObjectCaseSensitive(b, sys[i]);
        }
        same = cJSON_Compare(a, b, true) != 0;
    }
    cJSON_Delete(a);
    cJSON_Delete(b);
    return same;
}

/* A renewal that ended unclear (a store error: given up at a deadline,
 * its answer lost) may have reached the store, which then holds the job
 * under an ETag the caller never learned: its next renewal or write-back
 * would fail with a conflict and the job's work be lost or done again.
 * Read the job back: when it is the job as this renewal wrote it (its
 * leaseExpiry and updatedAt, nothing else changed since), the renewal
 * took effect and job adopts its ETag.  Not when another writer changed
 * it since (a cancel): that change must not be written over. */
static bool renewal_landed(hz_store *s, cJSON *job)
{
    const char *id = hz__cjson_str(job, "id");
    const char *pk = hz__cjson_str(job, "customerId");
    cJSON *stored = NULL;
    hz_error e2;
    if (id == NULL || pk == NULL ||
        hz_store_get(s, HZ_STORE_JOBS, id, pk, &stored, &e2) != HZ_OK)
        return false;
    const char *etag = hz__cjson_str(stored, "_etag");
    bool landed = etag != NULL && same_doc(stored, job);
    if (landed)
        hz__cjson_set_str(job, "_etag", etag);
    cJSON_Delete(stored);
    return landed;
}

hz_status hz_store_renew_lease(hz_store *s, cJSON *job, double now,
                               double until, hz_error *err)
{
    const char *etag = hz__cjson_str(job, "_etag");
    if (etag == NULL)
        return hz_error_set(err, HZ_EINVAL,
                            "jobs: renew of a job without "
                            "_etag");
    char held[HZ_ETAG_MAX];
    snprintf(held, sizeof held, "%s", etag);
    hz__cjson_set_num(job, "leaseExpiry", until);
    hz__cjson_set_num(job, "updatedAt", now);
    hz_status rc = hz_store_put(s, HZ_STORE_JOBS, HZ_PUT_REPLACE, job, held,
                                err);
    if ((rc == HZ_ENET || rc == HZ_ETIMEOUT) && renewal_landed(s, job)) {
        hz_error_clear(err);
        return HZ_OK;
    }
    return rc;
}

hz_status hz_store_release_lease(hz_store *s, cJSON *job, double now,
                                 bool refund, hz_error *err)
{
    const char *etag = hz__cjson_str(job, "_etag");
    if (etag == NULL)
        return hz_error_set(err, HZ_EINVAL,
                            "jobs: release of a job without "
                            "_etag");
    char held[HZ_ETAG_MAX];
    snprintf(held, sizeof held, "%s", etag);
    hz__cjson_set_str(job, "status", "queued");
    cJSON_DeleteItemFromObjectCaseSensitive(job, "leaseOwner");
    cJSON_DeleteItemFromObjectCaseSensitive(job, "leaseExpiry");
    if (refund) {
        cJSON *a = cJSON_GetObjectItemCaseSensitive(job, "attempts");
        if (cJSON_IsNumber(a) && a->valuedouble >= 1)
            hz__cjson_set_num(job, "attempts", a->valuedouble - 1);
    }
    hz__cjson_set_num(job, "updatedAt", now);
    return hz_store_put(s, HZ_STORE_JOBS, HZ_PUT_REPLACE, job, held, err);
}

/* ---- generic claim / finish ---- */

hz_status hz__store_generic_claim(hz_store *s, const hz_claim_request *req,
                                  cJSON **jobs_out, hz_error *err)
{
    hz_status rc = HZ_OK;
    cJSON *won = cJSON_CreateArray();
    char *token = NULL;
    if (won == NULL)
        return hz_error_set(err, HZ_ENOMEM, "claim: out of memory");
    hz_query q = {.container = HZ_STORE_JOBS,
                  .customer_id = req->customer_id,
                  .claimable_at = req->now};
    int pages = 0;
    do {
        cJSON *page = NULL;
        char *next = NULL;
        rc = hz_store_query(s, &q, req->max_jobs * 4 + 8, token, &page, &next,
                            err);
        free(token);
        token = next;
        if (rc != HZ_OK)
            goto out;
        cJSON *doc;
        cJSON_ArrayForEach(doc, page)
        {
            if (cJSON_GetArraySize(won) >= req->max_jobs)
                break;
            const char *etag = hz__cjson_str(doc, "_etag");
            if (etag == NULL)
                continue;
            char held[HZ_ETAG_MAX];
            snprintf(held, sizeof held, "%s", etag);
            hz_error e2;
            hz_status r2 =
                hz__store_claim_write(s, req, doc, held, hz_store_put, &e2);
            if (r2 == HZ_OK) {
                cJSON_AddItemToArray(won, cJSON_Duplicate(doc, 1));
            } else if (r2 == HZ_EINVAL) {
                /* the store refuses the claimed document (Cosmos DB: over
                 * 2 MB): the job can never run (hz__store_fail_unclaimable) */
                hz__store_fail_unclaimable(s, doc, held, req, e2.msg);
            } else if (r2 != HZ_ECONFLICT && r2 != HZ_ENOTFOUND) {
                if (err != NULL)
                    *err = e2;
                rc = r2;
                cJSON_Delete(page);
                goto out;
            }
        }
        cJSON_Delete(page);
        pages++;
    } while (token != NULL && cJSON_GetArraySize(won) < req->max_jobs &&
             pages < 8);
out:
    free(token);
    if (rc != HZ_OK && cJSON_GetArraySize(won) == 0) {
        cJSON_Delete(won);
        return rc;
    }
    *jobs_out = won;
    return HZ_OK;
}

hz_status hz__store_generic_finish(hz_store *s, cJSON *job,
                                   const char *if_match, cJSON *const *results,
                                   size_t nresults, const hz_finish_keep *keep,
                                   hz_error *err)
{
    const char *pk = hz__cjson_str(job, "customerId");
    hz_store_op ops[HZ_STORE_BATCH_MAX];
    char held[HZ_ETAG_MAX];
    snprintf(held, sizeof held, "%s", if_match != NULL ? if_match : "");
    for (size_t i = 0, n = 0; i < nresults; i += n) {
        hz_status kr = hz__store_keep(keep, held, err);
        if (kr != HZ_OK)
            return kr;
        size_t bytes = 0;
        for (n = 0; n < HZ_STORE_BATCH_MAX && i + n < nresults; n++) {
            char *text = cJSON_PrintUnformatted(results[i + n]);
            if (text == NULL)
                return hz_error_set(err, HZ_ENOMEM, "results: out of memory");
            size_t len = strlen(text);
            cJSON_free(text);
            if (n > 0 && bytes + len > HZ_STORE_BATCH_BYTES)
                break;
            bytes += len;
            ops[n] = (hz_store_op){.kind = HZ_OP_UPSERT, .doc = results[i + n]};
        }
        hz_status rc = hz_store_batch(s, HZ_STORE_RESULTS, pk, ops, n, NULL,
                                      err);
        if (rc != HZ_OK)
            return rc;
    }
    hz_status kr = hz__store_keep(keep, held, err);
    if (kr != HZ_OK)
        return kr;
    return hz_store_put(s, HZ_STORE_JOBS, HZ_PUT_REPLACE, job,
                        if_match != NULL ? held : NULL, err);
}

/* Look for job id in every tenant: the first match goes to *out, and a
 * second one makes the lookup ambiguous (its tenant in other). */
static hz_status scan_for_job(hz_store *s, const char *id, cJSON **out,
                              char *other, size_t othersz, hz_error *err)
{
    hz_query q = {.container = HZ_STORE_JOBS};
    char *token = NULL;
    other[0] = '\0';
    do {
        cJSON *page = NULL;
        char *next = NULL;
        hz_status rc = hz_store_query(s, &q, 1000, token, &page, &next, err);
        free(token);
        token = next;
        if (rc != HZ_OK)
            return rc;
        cJSON *d;
        cJSON_ArrayForEach(d, page)
        {
            const char *did = hz__cjson_str(d, "id");
            if (did == NULL || strcmp(did, id) != 0)
                continue;
            if (*out == NULL)
                *out = cJSON_Duplicate(d, 1);
            else if (other[0] == '\0')
                snprintf(other, othersz, "%s", hz__cjson_str(d, "customerId"));
        }
        cJSON_Delete(page);
    } while (token != NULL && other[0] == '\0');
    free(token);
    return HZ_OK;
}

hz_status hz_store_find_job(hz_store *s, const char *id, const char *tenant,
                            cJSON **out, hz_error *err)
{
    *out = NULL;
    if (tenant != NULL) {
        hz_status rc = hz_store_get(s, HZ_STORE_JOBS, id, tenant, out, err);
        if (rc == HZ_ENOTFOUND)
            hz_error_set(err, rc, "no job '%s' for tenant '%s'", id, tenant);
        return rc;
    }
    char other[HZ_ETAG_MAX];
    hz_status rc = scan_for_job(s, id, out, other, sizeof other, err);
    if (rc != HZ_OK) {
        cJSON_Delete(*out);
        *out = NULL;
        return rc;
    }
    if (*out == NULL)
        return hz_error_set(err, HZ_ENOTFOUND, "no job '%s'", id);
    if (other[0] != '\0') {
        rc = hz_error_set(err, HZ_EINVAL,
                          "job id '%s' is ambiguous: tenants '%s' and '%s' "
                          "both have it (name one with --tenant)",
                          id, hz__cjson_str(*out, "customerId"), other);
        cJSON_Delete(*out);
        *out = NULL;
        return rc;
    }
    return HZ_OK;
}

double hz_store_charge(const hz_store *s)
{
    return s != NULL && s->ops->charge != NULL ? s->ops->charge(s) : 0.0;
}

void hz_store_set_cancel(hz_store *s, bool (*cancel)(void *ctx), void *ctx)
{
    if (s != NULL && s->ops->set_cancel != NULL)
        s->ops->set_cancel(s, cancel, ctx);
}

void hz_store_set_until(hz_store *s, double until)
{
    if (s != NULL && s->ops->set_until != NULL)
        s->ops->set_until(s, until);
}

/* ---- all-or-nothing creation ---- */

/* Delete the documents of done[0..n) again (the undo of a failed
 * create_all); false when one could not be deleted. */
static bool undo_created(hz_store *s, const char *container,
                         cJSON *const *docs, const bool *done, size_t n)
{
    bool ok = true;
    for (size_t i = 0; i < n; i++) {
        if (!done[i])
            continue;
        hz_error e2;
        hz_status rc = hz_store_delete(
            s, container, hz__cjson_str(docs[i], "id"),
            hz__cjson_str(docs[i], "customerId"), NULL, &e2);
        ok = ok && (rc == HZ_OK || rc == HZ_ENOTFOUND);
    }
    return ok;
}

/* One batch of creates: the next (at most HZ_STORE_BATCH_MAX) documents
 * not yet done that share the partition key of the first of them. */
static hz_status create_next_batch(hz_store *s, const char *container,
                                   cJSON *const *docs, bool *done, size_t n,
                                   size_t *failed_index, hz_error *err)
{
    hz_store_op ops[HZ_STORE_BATCH_MAX];
    size_t idx[HZ_STORE_BATCH_MAX], k = 0;
    const char *pk = NULL;
    for (size_t i = 0; i < n && k < HZ_STORE_BATCH_MAX; i++) {
        const char *cid = hz__cjson_str(docs[i], "customerId");
        if (done[i] || (pk != NULL && strcmp(cid, pk) != 0))
            continue;
        pk = cid;
        idx[k] = i;
        ops[k++] = (hz_store_op){.kind = HZ_OP_CREATE, .doc = docs[i]};
    }
    size_t bad = 0;
    hz_status rc = hz_store_batch(s, container, pk, ops, k, &bad, err);
    if (rc != HZ_OK) {
        if (failed_index != NULL)
            *failed_index = idx[bad < k ? bad : 0];
        return rc;
    }
    for (size_t j = 0; j < k; j++)
        done[idx[j]] = true;
    return HZ_OK;
}

hz_status hz_store_create_all(hz_store *s, const char *container,
                              cJSON *const *docs, size_t n,
                              size_t *failed_index, hz_error *err)
{
    if (!hz__store_container_ok(container))
        return hz_error_set(err, HZ_EINVAL, "unknown container '%s'",
                            container ? container : "(null)");
    for (size_t i = 0; i < n; i++) {
        hz_status rc = hz__store_check_doc(container, docs[i], NULL, err);
        if (rc != HZ_OK) {
            if (failed_index != NULL)
                *failed_index = i;
            return rc;
        }
    }
    if (n == 0)
        return HZ_OK;
    if (s->ops->create_all != NULL)
        TIMED(s, s->ops->create_all(s, container, docs, n, failed_index, err));
    bool *done = calloc(n, sizeof *done);
    if (done == NULL)
        return hz_error_set(err, HZ_ENOMEM, "%s: out of memory", container);
    hz_status rc = HZ_OK;
    for (size_t left = n; left > 0 && rc == HZ_OK;) {
        rc = create_next_batch(s, container, docs, done, n, failed_index, err);
        left = 0;
        for (size_t i = 0; i < n; i++)
            left += !done[i];
    }
    if (rc != HZ_OK && !undo_created(s, container, docs, done, n) &&
        err != NULL) {
        size_t used = strlen(err->msg);
        snprintf(err->msg + used, sizeof err->msg - used,
                 " (and some documents already written could not be "
                 "removed again)");
    }
    free(done);
    return rc;
}
