/* The Cosmos DB implementation of the store interface (jobs/store/store.h):
 * `--store cosmos` or `--store cosmos:DATABASE`.
 *
 * Containers jobs, datasets, results and cache, partition key
 * /customerId (created by `horizon cosmos init`).  Point reads with the
 * partition key, parameterised SQL with continuation paging, ETag
 * compare-and-set (If-Match) for claims and leases, transactional batches
 * for result write-back.
 *
 * Retried writes: every write carries a random write id in the
 * document's "_hzw" property (hidden from callers).  A write answered
 * 409/412 after an attempt that may have taken effect (a timeout, a
 * dropped connection after the request went out, or libcurl's own silent
 * resend on a reused connection that died; see hz_cosmos_write) is
 * checked by reading the document back: when it carries our write id, the
 * write succeeded.  So a fault never loses a claim nor doubles one, and a
 * plain lost race costs no extra read. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "net/cjson.h"
#include "cosmos/cosmos.h"
#include "horizon/rng.h"
#include "store/store.h"

typedef struct cosmos_store {
    hz_store base;
    hz_cosmos *c;
    uint64_t rng;     /* xorshift64 state for write ids */
    bool xp_no_order; /* the service refused cross-partition ORDER BY */
} cosmos_store;

static const char *const SYS_PROPS[] = {
    "_etag", "_ts", "_rid", "_self", "_attachments", "_lsn", "_hzw", NULL};
#define WRITE_ID_PROP "_hzw"

/* Remove the service's system properties except _etag and _ts. */
static void strip_system(cJSON *doc)
{
    for (int i = 2; SYS_PROPS[i]; i++)
        cJSON_DeleteItemFromObjectCaseSensitive(doc, SYS_PROPS[i]);
}

/* A copy of doc without any system property (what we send). */
static cJSON *body_of(const cJSON *doc)
{
    cJSON *b = cJSON_Duplicate(doc, 1);
    if (b == NULL)
        return NULL;
    for (int i = 0; SYS_PROPS[i]; i++)
        cJSON_DeleteItemFromObjectCaseSensitive(b, SYS_PROPS[i]);
    return b;
}

/* Copy _etag and _ts of stored into doc. */
static void adopt_system(cJSON *doc, const cJSON *stored)
{
    const char *etag = hz__cjson_str(stored, "_etag");
    const cJSON *ts = cJSON_GetObjectItemCaseSensitive(stored, "_ts");
    if (etag != NULL)
        hz__cjson_set_str(doc, "_etag", etag);
    if (cJSON_IsNumber(ts))
        hz__cjson_set_num(doc, "_ts", ts->valuedouble);
}

/* A fresh write id (16 hex digits). */
static void new_write_id(cosmos_store *cs, char out[20])
{
    snprintf(out, 20, "%016llx",
             (unsigned long long)hz_rng_xorshift64(&cs->rng));
}

/* What we send for doc: no system property, our write id added. */
static cJSON *write_body(const cJSON *doc, const char *wid)
{
    cJSON *b = body_of(doc);
    if (b != NULL)
        cJSON_AddStringToObject(b, WRITE_ID_PROP, wid);
    return b;
}

static void store_close(hz_store *s)
{
    cosmos_store *cs = (cosmos_store *)s;
    hz_cosmos_close(cs->c);
    free(cs);
}

static hz_status store_get(hz_store *s, const char *container, const char *id,
                           const char *customer_id, cJSON **doc_out,
                           hz_error *err)
{
    cosmos_store *cs = (cosmos_store *)s;
    hz_status rc = hz_cosmos_read(cs->c, container, id, customer_id, doc_out,
                                  NULL, 0, err);
    if (rc == HZ_OK)
        strip_system(*doc_out);
    else if (rc == HZ_ENOTFOUND)
        hz_error_set(err, rc, "%s/%s (customerId %s): no such document",
                     container, id, customer_id);
    return rc;
}

/* After a 409/412: read the document back; true when it carries our
 * write id (our own earlier attempt took effect), then doc (may be NULL)
 * adopts its _etag/_ts. */
static bool own_write_landed(cosmos_store *cs, const char *container,
                             const char *id, const char *pk, const char *wid,
                             cJSON *doc)
{
    cJSON *stored = NULL;
    hz_error e2;
    if (hz_cosmos_read(cs->c, container, id, pk, &stored, NULL, 0, &e2) !=
        HZ_OK)
        return false;
    const char *w = hz__cjson_str(stored, WRITE_ID_PROP);
    bool ok = w != NULL && strcmp(w, wid) == 0;
    if (ok && doc != NULL)
        adopt_system(doc, stored);
    cJSON_Delete(stored);
    return ok;
}

static hz_status store_put(hz_store *s, const char *container,
                           hz_put_mode mode, cJSON *doc, const char *if_match,
                           hz_error *err)
{
    cosmos_store *cs = (cosmos_store *)s;
    const char *pk = hz__cjson_str(doc, "customerId");
    const char *id = hz__cjson_str(doc, "id");
    char wid[20];
    new_write_id(cs, wid);
    cJSON *body = write_body(doc, wid);
    if (body == NULL)
        return hz_error_set(err, HZ_ENOMEM, "%s: out of memory", container);
    hz_cosmos_write_mode wm = mode == HZ_PUT_CREATE   ? HZ_COSMOS_CREATE
                              : mode == HZ_PUT_UPSERT ? HZ_COSMOS_UPSERT
                                                      : HZ_COSMOS_REPLACE;
    /* keep the ETag: if_match may point into doc, which we modify */
    char held[HZ_ETAG_MAX] = "";
    if (if_match != NULL)
        snprintf(held, sizeof held, "%s", if_match);
    cJSON *stored = NULL;
    bool ambiguous = false;
    hz_status rc = hz_cosmos_write(cs->c, container, wm, pk, body, held,
                                   &stored, NULL, 0, &ambiguous, err);
    if (rc == HZ_OK) {
        if (stored != NULL)
            adopt_system(doc, stored);
    } else if (rc == HZ_ECONFLICT && ambiguous &&
               own_write_landed(cs, container, id, pk, wid, doc)) {
        rc = HZ_OK;
        hz_error_clear(err);
    } else if (rc == HZ_ECONFLICT) {
        hz_error_set(err, rc, "%s/%s (customerId %s): %s", container, id, pk,
                     held[0] != '\0' ? "ETag changed (another writer won)"
                     : mode == HZ_PUT_CREATE ? "already exists"
                                             : "conflict");
    } else if (rc == HZ_ENOTFOUND) {
        hz_error_set(err, rc, "%s/%s (customerId %s): no such document",
                     container, id, pk);
    }
    cJSON_Delete(stored);
    cJSON_Delete(body);
    return rc;
}

static hz_status store_del(hz_store *s, const char *container, const char *id,
                           const char *customer_id, const char *if_match,
                           hz_error *err)
{
    cosmos_store *cs = (cosmos_store *)s;
    bool ambiguous = false;
    hz_status rc = hz_cosmos_delete(cs->c, container, id, customer_id,
                                    if_match, &ambiguous, err);
    if (rc == HZ_ENOTFOUND && ambiguous) {
        /* our first attempt deleted it */
        hz_error_clear(err);
        return HZ_OK;
    }
    if (rc == HZ_ENOTFOUND)
        hz_error_set(err, rc, "%s/%s (customerId %s): no such document",
                     container, id, customer_id);
    else if (rc == HZ_ECONFLICT)
        hz_error_set(err, rc,
                     "%s/%s (customerId %s): ETag changed (another "
                     "writer won)",
                     container, id, customer_id);
    return rc;
}

/* Add a parameter {"name": name, "value": value}. */
static void add_param(cJSON *params, const char *name, cJSON *value)
{
    cJSON *p = cJSON_CreateObject();
    cJSON_AddStringToObject(p, "name", name);
    cJSON_AddItemToObject(p, "value", value);
    cJSON_AddItemToArray(params, p);
}

/* One page of q; ordered by (id, customerId) when `ordered` (the store
 * interface's order), else in the service's order (cheaper: claims). */
static hz_status run_query(cosmos_store *cs, const hz_query *q, bool ordered,
                           int page_size, const char *continuation,
                           cJSON **docs_out, char **next_out, hz_error *err)
{
    char sql[1024] = "SELECT * FROM c";
    const char *sep = " WHERE ";
    cJSON *params = cJSON_CreateArray();
    if (params == NULL)
        return hz_error_set(err, HZ_ENOMEM, "query: out of memory");
    struct {
        const char *value, *field, *param;
    } eq[] = {{q->customer_id, "customerId", "@customerId"},
              {q->status, "status", "@status"},
              {q->type, "type", "@type"},
              {q->job_id, "jobId", "@jobId"}};
    for (size_t i = 0; i < sizeof eq / sizeof eq[0]; i++) {
        if (eq[i].value == NULL)
            continue;
        size_t n = strlen(sql);
        snprintf(sql + n, sizeof sql - n, "%sc.%s = %s", sep, eq[i].field,
                 eq[i].param);
        sep = " AND ";
        add_param(params, eq[i].param, cJSON_CreateString(eq[i].value));
    }
    if (q->claimable_at > 0) {
        size_t n = strlen(sql);
        snprintf(sql + n, sizeof sql - n,
                 "%s(c.status = 'queued' OR (c.status = 'running' AND "
                 "c.leaseExpiry < @claimableAt))",
                 sep);
        add_param(params, "@claimableAt", cJSON_CreateNumber(q->claimable_at));
    }
    /* our continuation tokens are "c1.<query hash>.<service token>": a
     * token of another query, or garbage, is refused here */
    char *params_txt = cJSON_PrintUnformatted(params);
    unsigned long h = 2166136261u;
    for (const char *p = sql; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    for (const char *p = params_txt ? params_txt : ""; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    for (const char *p = q->container; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    free(params_txt);
    char prefix[32];
    snprintf(prefix, sizeof prefix, "c1.%08lx.", h & 0xffffffffUL);
    if (continuation != NULL) {
        size_t pl = strlen(prefix);
        if (strncmp(continuation, prefix, pl) != 0 ||
            continuation[pl] == '\0') {
            cJSON_Delete(params);
            return hz_error_set(err, HZ_EINVAL,
                                "query on %s: invalid "
                                "continuation token (not one this query "
                                "returned)",
                                q->container);
        }
        continuation += pl;
    }
    /* a single-partition query is ordered by the service; a cross-
     * partition ORDER BY needs a query plan the REST gateway may refuse:
     * then the listing is unordered (it pages all the same) */
    ordered = ordered && (q->customer_id != NULL || !cs->xp_no_order);
    char full[1100];
    snprintf(full, sizeof full, "%s%s", sql,
             ordered ? " ORDER BY c.id ASC, c.customerId ASC" : "");
    hz_status rc = hz_cosmos_query(cs->c, q->container, full, params,
                                   q->customer_id, page_size, continuation,
                                   docs_out, next_out, err);
    if (rc == HZ_EINVAL && ordered && q->customer_id == NULL &&
        continuation == NULL) {
        cs->xp_no_order = true;
        rc = hz_cosmos_query(cs->c, q->container, sql, params, NULL, page_size,
                             NULL, docs_out, next_out, err);
    }
    cJSON_Delete(params);
    if (rc == HZ_OK && *next_out != NULL) {
        size_t n = strlen(prefix) + strlen(*next_out) + 1;
        char *t = malloc(n);
        if (t == NULL) {
            free(*next_out);
            *next_out = NULL;
            cJSON_Delete(*docs_out);
            *docs_out = NULL;
            return hz_error_set(err, HZ_ENOMEM, "query: out of memory");
        }
        snprintf(t, n, "%s%s", prefix, *next_out);
        free(*next_out);
        *next_out = t;
    }
    if (rc == HZ_OK) {
        cJSON *d;
        cJSON_ArrayForEach(d, *docs_out) strip_system(d);
    } else if (rc == HZ_ENOTFOUND) {
        size_t n = err ? strlen(err->msg) : 0;
        if (err != NULL)
            snprintf(err->msg + n, sizeof err->msg - n,
                     " (does the container '%s' exist? run `horizon cosmos "
                     "init`)",
                     q->container);
    }
    return rc;
}

static hz_status store_query(hz_store *s, const hz_query *q, int page_size,
                             const char *continuation, cJSON **docs_out,
                             char **next_out, hz_error *err)
{
    return run_query((cosmos_store *)s, q, true, page_size, continuation,
                     docs_out, next_out, err);
}

static const char *op_type(hz_op_kind k)
{
    switch (k) {
    case HZ_OP_CREATE: return "Create";
    case HZ_OP_UPSERT: return "Upsert";
    case HZ_OP_REPLACE: return "Replace";
    default: return "Delete";
    }
}

static hz_status store_batch(hz_store *s, const char *container,
                             const char *customer_id, hz_store_op *ops,
                             size_t nops, size_t *failed_index, hz_error *err)
{
    cosmos_store *cs = (cosmos_store *)s;
    cJSON *arr = cJSON_CreateArray();
    if (arr == NULL)
        return hz_error_set(err, HZ_ENOMEM, "batch: out of memory");
    char wid[20];
    new_write_id(cs, wid);
    for (size_t i = 0; i < nops; i++) {
        cJSON *op = cJSON_CreateObject();
        cJSON_AddStringToObject(op, "operationType", op_type(ops[i].kind));
        if (ops[i].kind == HZ_OP_DELETE) {
            cJSON_AddStringToObject(op, "id", ops[i].id);
        } else {
            /* as the SDK: an id only where the operation names a document
             * that exists (replace), else just the body */
            if (ops[i].kind == HZ_OP_REPLACE)
                cJSON_AddStringToObject(op, "id",
                                        hz__cjson_str(ops[i].doc, "id"));
            cJSON_AddItemToObject(op, "resourceBody",
                                  write_body(ops[i].doc, wid));
        }
        if (ops[i].if_match != NULL && ops[i].if_match[0] != '\0')
            cJSON_AddStringToObject(op, "ifMatch", ops[i].if_match);
        cJSON_AddItemToArray(arr, op);
    }
    cJSON *results = NULL;
    int bad = -1;
    bool ambiguous = false;
    hz_status rc = hz_cosmos_batch(cs->c, container, customer_id, arr,
                                   &results, &bad, &ambiguous, err);
    if (rc == HZ_ECONFLICT && ambiguous && bad >= 0) {
        /* maybe the retry of our own batch that took effect: the batch is
         * atomic, so one written document carrying our write id says so;
         * then every document adopts its stored _etag/_ts */
        size_t probe = nops;
        for (size_t i = 0; i < nops && probe == nops; i++)
            if (ops[i].kind != HZ_OP_DELETE)
                probe = i;
        if (probe < nops &&
            own_write_landed(cs, container,
                             hz__cjson_str(ops[probe].doc, "id"), customer_id,
                             wid, ops[probe].doc)) {
            for (size_t i = 0; i < nops; i++)
                if (i != probe && ops[i].kind != HZ_OP_DELETE)
                    own_write_landed(cs, container,
                                     hz__cjson_str(ops[i].doc, "id"),
                                     customer_id, wid, ops[i].doc);
            hz_error_clear(err);
            cJSON_Delete(results);
            cJSON_Delete(arr);
            return HZ_OK;
        }
    }
    if (rc != HZ_OK) {
        if (failed_index != NULL && bad >= 0)
            *failed_index = (size_t)bad;
        if (bad >= 0 && (size_t)bad < nops) {
            const char *id = ops[bad].kind == HZ_OP_DELETE
                                 ? ops[bad].id
                                 : hz__cjson_str(ops[bad].doc, "id");
            size_t n = err ? strlen(err->msg) : 0;
            if (err != NULL)
                snprintf(err->msg + n, sizeof err->msg - n, " [%s/%s]",
                         container, id ? id : "?");
        }
    } else {
        for (size_t i = 0; i < nops; i++) {
            const cJSON *r = cJSON_GetArrayItem(results, (int)i);
            const cJSON *rb = cJSON_GetObjectItemCaseSensitive(r,
                                                               "resourceBody");
            if (ops[i].doc != NULL && cJSON_IsObject(rb))
                adopt_system(ops[i].doc, rb);
            else if (ops[i].doc != NULL && hz__cjson_str(r, "eTag"))
                hz__cjson_set_str(ops[i].doc, "_etag",
                                  hz__cjson_str(r, "eTag"));
        }
    }
    cJSON_Delete(results);
    cJSON_Delete(arr);
    return rc;
}

/* Claim: one page of claimable jobs in the service's own order (no ORDER
 * BY: cheaper in RUs, and a cross-partition ORDER BY needs a query plan),
 * tried in a shuffled order so that runners polling at the same time
 * spread over the page instead of all racing for its first job; each try
 * is a compare-and-set on the job's ETag. */
static hz_status store_claim(hz_store *s, const hz_claim_request *req,
                             cJSON **jobs_out, hz_error *err)
{
    cosmos_store *cs = (cosmos_store *)s;
    cJSON *won = cJSON_CreateArray();
    if (won == NULL)
        return hz_error_set(err, HZ_ENOMEM, "claim: out of memory");
    hz_query q = {.container = HZ_STORE_JOBS,
                  .customer_id = req->customer_id,
                  .claimable_at = req->now};
    char *token = NULL;
    hz_status rc = HZ_OK;
    int page_size = req->max_jobs * 4 + 12;
    if (page_size > HZ_STORE_PAGE_MAX)
        page_size = HZ_STORE_PAGE_MAX;
    for (int pages = 0; pages < 8; pages++) {
        cJSON *page = NULL;
        char *next = NULL;
        rc = run_query(cs, &q, false, page_size, token, &page, &next, err);
        free(token);
        token = next;
        if (rc != HZ_OK)
            break;
        int n = cJSON_GetArraySize(page);
        cJSON **cand = n > 0 ? malloc((size_t)n * sizeof *cand) : NULL;
        int k = 0;
        cJSON *d;
        cJSON_ArrayForEach(d, page) if (cand) cand[k++] = d;
        for (int i = k - 1; i > 0; i--) {
            int j = (int)(hz_rng_xorshift64(&cs->rng) % (uint64_t)(i + 1));
            cJSON *t = cand[i];
            cand[i] = cand[j];
            cand[j] = t;
        }
        for (int i = 0; i < k && cJSON_GetArraySize(won) < req->max_jobs;
             i++) {
            cJSON *doc = cand[i];
            const char *etag = hz__cjson_str(doc, "_etag");
            if (etag == NULL)
                continue;
            char held[HZ_ETAG_MAX];
            snprintf(held, sizeof held, "%s", etag);
            hz_error e2;
            hz_status r2 =
                hz__store_claim_write(s, req, doc, held, store_put, &e2);
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
                break;
            }
        }
        free(cand);
        cJSON_Delete(page);
        if (rc != HZ_OK || token == NULL ||
            cJSON_GetArraySize(won) >= req->max_jobs)
            break;
    }
    free(token);
    if (rc != HZ_OK && cJSON_GetArraySize(won) == 0) {
        cJSON_Delete(won);
        *jobs_out = NULL;
        return rc;
    }
    hz_error_clear(err);
    *jobs_out = won;
    return HZ_OK;
}

/* The JSON text of a result document as it is sent (a new string; NULL
 * when memory runs out): the document itself, printed once, unless it
 * carries system properties (never, from the runner). */
static char *result_text(const cJSON *doc)
{
    for (int i = 0; SYS_PROPS[i]; i++)
        if (cJSON_GetObjectItemCaseSensitive(doc, SYS_PROPS[i]) != NULL) {
            cJSON *b = body_of(doc);
            char *t = b ? cJSON_PrintUnformatted(b) : NULL;
            cJSON_Delete(b);
            return t;
        }
    return cJSON_PrintUnformatted(doc);
}

/* Finish: the results in atomic batches of upserts (at most
 * HZ_STORE_BATCH_MAX documents and HZ_STORE_BATCH_BYTES of them, or a
 * single larger one), then the job's conditional replace, as the generic
 * finish does; but each result is printed once, its text both measured
 * for the batch limits and sent (the generic finish printed it to
 * measure it, and the batch copied and printed it again).  Upserts carry
 * no write id: without an ETag they cannot meet a conflict to tell apart. */
static hz_status store_finish(hz_store *s, cJSON *job, const char *if_match,
                              cJSON *const *results, size_t nresults,
                              const hz_finish_keep *keep, hz_error *err)
{
    cosmos_store *cs = (cosmos_store *)s;
    const char *pk = hz__cjson_str(job, "customerId");
    char *texts[HZ_STORE_BATCH_MAX];
    size_t lens[HZ_STORE_BATCH_MAX];
    char *carry = NULL; /* the text of results[i], which did not fit */
    size_t carry_len = 0;
    char held[HZ_ETAG_MAX]; /* the ETag of the lease, renewed by keep */
    snprintf(held, sizeof held, "%s", if_match != NULL ? if_match : "");
    hz_status rc = HZ_OK;
    for (size_t i = 0; i < nresults && rc == HZ_OK;) {
        /* the batches may outlast the lease (a throttled store) */
        rc = hz__store_keep(keep, held, err);
        if (rc != HZ_OK)
            break;
        int n = 0;
        size_t bytes = 0;
        while (n < HZ_STORE_BATCH_MAX && i + (size_t)n < nresults) {
            char *t = carry;
            size_t len = carry_len;
            carry = NULL;
            if (t == NULL) {
                t = result_text(results[i + (size_t)n]);
                len = t ? strlen(t) : 0;
            }
            if (t == NULL) {
                rc = hz_error_set(err, HZ_ENOMEM, "results: out of memory");
                break;
            }
            if (n > 0 && bytes + len > HZ_STORE_BATCH_BYTES) {
                carry = t;
                carry_len = len;
                break;
            }
            texts[n] = t;
            lens[n] = len;
            bytes += len;
            n++;
        }
        int bad = -1;
        if (rc == HZ_OK) {
            bool ambiguous = false;
            rc = hz_cosmos_batch_upsert_json(cs->c, HZ_STORE_RESULTS, pk,
                                             (const char *const *)texts, lens,
                                             n, &bad, &ambiguous, err);
        }
        if (rc != HZ_OK && bad >= 0 && bad < n && err != NULL) {
            size_t used = strlen(err->msg);
            snprintf(err->msg + used, sizeof err->msg - used, " [%s/%s]",
                     HZ_STORE_RESULTS,
                     hz__cjson_str(results[i + (size_t)bad], "id"));
        }
        for (int k = 0; k < n; k++)
            cJSON_free(texts[k]);
        i += (size_t)n;
    }
    cJSON_free(carry);
    if (rc == HZ_OK)
        rc = hz__store_keep(keep, held, err);
    if (rc != HZ_OK)
        return rc;
    return store_put(s, HZ_STORE_JOBS, HZ_PUT_REPLACE, job,
                     if_match != NULL ? held : NULL, err);
}

static double store_charge(const hz_store *s)
{
    return hz_cosmos_total_charge(((const cosmos_store *)s)->c);
}

static void store_set_cancel(hz_store *s, bool (*cancel)(void *ctx),
                             void *ctx)
{
    hz_cosmos_set_cancel(((cosmos_store *)s)->c, cancel, ctx);
}

static void store_set_until(hz_store *s, double until)
{
    hz_cosmos_set_until(((cosmos_store *)s)->c, until);
}

static const hz_store_ops cosmos_ops = {
    .name = "cosmos",
    .close = store_close,
    .get = store_get,
    .put = store_put,
    .del = store_del,
    .query = store_query,
    .batch = store_batch,
    .claim = store_claim,
    .finish = store_finish,
    .create_all = NULL, /* generic: per-partition batches, undone on failure */
    .charge = store_charge,
    .set_cancel = store_set_cancel,
    .set_until = store_set_until,
};

hz_status hz_store_cosmos_open(const char *spec, hz_store **out, hz_error *err)
{
    return hz__store_cosmos_open_cancel(spec, NULL, NULL, out, err);
}

hz_status hz__store_cosmos_open_cancel(const char *spec,
                                       bool (*cancel)(void *ctx), void *ctx,
                                       hz_store **out, hz_error *err)
{
    *out = NULL;
    hz_cosmos_config cfg;
    hz_status rc = hz_cosmos_config_from_env(&cfg, err);
    if (rc != HZ_OK)
        return rc;
    cfg.cancel = cancel;
    cfg.cancel_ctx = ctx;
    if (spec != NULL && strncmp(spec, "cosmos:", 7) == 0 && spec[7] != '\0')
        snprintf(cfg.database, sizeof cfg.database, "%s", spec + 7);
    cosmos_store *cs = calloc(1, sizeof *cs);
    if (cs == NULL)
        return hz_error_set(err, HZ_ENOMEM, "cosmos: out of memory");
    rc = hz_cosmos_open(&cfg, &cs->c, err);
    if (rc != HZ_OK) {
        free(cs);
        return rc;
    }
    cs->rng = hz_rng_entropy_seed(cs);
    cs->base.ops = &cosmos_ops;
    *out = &cs->base;
    return HZ_OK;
}

hz_cosmos *hz__store_cosmos_client(const hz_store *s)
{
    if (s == NULL || strcmp(s->ops->name, "cosmos") != 0)
        return NULL;
    return ((const cosmos_store *)s)->c;
}

double hz__store_cosmos_charge(const hz_store *s)
{
    if (s == NULL || strcmp(s->ops->name, "cosmos") != 0)
        return 0.0;
    return hz_cosmos_total_charge(((const cosmos_store *)s)->c);
}
