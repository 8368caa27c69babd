/* Cosmos DB documents: point reads, writes (create, upsert, replace),
 * deletes, parameterised queries and transactional batches.  See
 * cosmos.h. */
#include "cosmos/cosmos_internal.h"
#include "net/cjson.h"
#include "net/http.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Percent-encode an id for a URL path segment. */
static hz_status seg(const char *id, char *out, size_t outsz, hz_error *err)
{
    if (id == NULL || *id == '\0' || strchr(id, '/') != NULL)
        return hz_error_set(err, HZ_EINVAL, "cosmos: invalid resource id '%s'",
                            id ? id : "(null)");
    if (hz__cosmos_url_encode(id, out, outsz) != 0)
        return hz_error_set(err, HZ_EINVAL, "cosmos: resource id too long");
    return HZ_OK;
}

static char *pk_header(const char *pk)
{
    cJSON *arr = cJSON_CreateArray();
    cJSON_AddItemToArray(arr, cJSON_CreateString(pk));
    char *j = cJSON_PrintUnformatted(arr);
    cJSON_Delete(arr);
    if (j == NULL)
        return NULL;
    size_t n = strlen(j) + 40;
    char *h = malloc(n);
    if (h != NULL)
        snprintf(h, n, "x-ms-documentdb-partitionkey: %s", j);
    free(j);
    return h;
}

static void etag_from(const hz_cosmos_response *r, const cJSON *doc,
                      char *etag_out, size_t etag_sz)
{
    if (etag_out == NULL || etag_sz == 0)
        return;
    const char *e = hz__cjson_str(doc, "_etag");
    hz__cosmos_copy_str(etag_out, etag_sz, e != NULL ? e : r->etag);
}

hz_status hz_cosmos_read(hz_cosmos *c, const char *coll, const char *id,
                         const char *pk, cJSON **doc_out, char *etag_out,
                         size_t etag_sz, hz_error *err)
{
    if (doc_out)
        *doc_out = NULL;
    char eid[600], path[1024], link[1024];
    hz_status s = seg(id, eid, sizeof eid, err);
    if (s != HZ_OK)
        return s;
    snprintf(path, sizeof path, "dbs/%s/colls/%s/docs/%s", c->cfg.database,
             coll, eid);
    snprintf(link, sizeof link, "dbs/%s/colls/%s/docs/%s", c->cfg.database,
             coll, id);
    char *pkh = pk_header(pk);
    if (pkh == NULL)
        return hz_error_set(err, HZ_ENOMEM, "cosmos: out of memory");
    /* the emulator answers 500 for a missing item without this header
     * (then 404); the service ignores it on point reads */
    const char *hdrs[] = {
        pkh, "x-ms-documentdb-query-enablecrosspartition: True", NULL};
    hz_cosmos_response r;
    s = hz_cosmos_request(c, "GET", path, "docs", link, hdrs, NULL, 0, &r,
                          err);
    free(pkh);
    if (s == HZ_OK) {
        cJSON *doc = cJSON_ParseWithLength(r.body ? r.body : "", r.body_len);
        if (doc == NULL) {
            s = hz_error_set(err, HZ_EPARSE, "cosmos: GET %s: malformed JSON",
                             path);
        } else {
            etag_from(&r, doc, etag_out, etag_sz);
            if (doc_out)
                *doc_out = doc;
            else
                cJSON_Delete(doc);
        }
    }
    hz_cosmos_response_free(&r);
    return s;
}

hz_status hz_cosmos_write(hz_cosmos *c, const char *coll,
                          hz_cosmos_write_mode mode, const char *pk,
                          const cJSON *doc, const char *if_match,
                          cJSON **doc_out, char *etag_out, size_t etag_sz,
                          bool *ambiguous_out, hz_error *err)
{
    if (doc_out)
        *doc_out = NULL;
    if (ambiguous_out)
        *ambiguous_out = false;
    const cJSON *idj = cJSON_GetObjectItemCaseSensitive(doc, "id");
    if (!cJSON_IsString(idj))
        return hz_error_set(err, HZ_EINVAL,
                            "cosmos: document without a string \"id\"");
    const char *id = idj->valuestring;
    char eid[600], path[1024], link[1024];
    hz_status s = seg(id, eid, sizeof eid, err);
    if (s != HZ_OK)
        return s;
    const char *verb;
    if (mode == HZ_COSMOS_REPLACE) {
        verb = "PUT";
        snprintf(path, sizeof path, "dbs/%s/colls/%s/docs/%s", c->cfg.database,
                 coll, eid);
        snprintf(link, sizeof link, "dbs/%s/colls/%s/docs/%s", c->cfg.database,
                 coll, id);
    } else {
        verb = "POST";
        snprintf(path, sizeof path, "dbs/%s/colls/%s/docs", c->cfg.database,
                 coll);
        snprintf(link, sizeof link, "dbs/%s/colls/%s", c->cfg.database, coll);
    }
    char *body = cJSON_PrintUnformatted(doc);
    char *pkh = pk_header(pk);
    char im[200] = "";
    if (if_match && *if_match)
        snprintf(im, sizeof im, "If-Match: %s", if_match);
    const char *hdrs[4];
    int nh = 0;
    hdrs[nh++] = pkh;
    if (mode == HZ_COSMOS_UPSERT)
        hdrs[nh++] = "x-ms-documentdb-is-upsert: True";
    if (im[0])
        hdrs[nh++] = im;
    hdrs[nh] = NULL;
    if (body == NULL || pkh == NULL) {
        free(body);
        free(pkh);
        return hz_error_set(err, HZ_ENOMEM, "cosmos: out of memory");
    }
    hz_cosmos_response r;
    s = hz_cosmos_request(c, verb, path, "docs", link, hdrs, body,
                          strlen(body), &r, err);
    free(body);
    free(pkh);
    if (ambiguous_out)
        *ambiguous_out = r.ambiguous;
    if (s == HZ_OK) {
        cJSON *d = r.body ? cJSON_ParseWithLength(r.body, r.body_len) : NULL;
        etag_from(&r, d, etag_out, etag_sz);
        if (doc_out)
            *doc_out = d;
        else
            cJSON_Delete(d);
    }
    hz_cosmos_response_free(&r);
    return s;
}

hz_status hz_cosmos_delete(hz_cosmos *c, const char *coll, const char *id,
                           const char *pk, const char *if_match,
                           bool *ambiguous_out, hz_error *err)
{
    if (ambiguous_out)
        *ambiguous_out = false;
    char eid[600], path[1024], link[1024];
    hz_status s = seg(id, eid, sizeof eid, err);
    if (s != HZ_OK)
        return s;
    snprintf(path, sizeof path, "dbs/%s/colls/%s/docs/%s", c->cfg.database,
             coll, eid);
    snprintf(link, sizeof link, "dbs/%s/colls/%s/docs/%s", c->cfg.database,
             coll, id);
    char *pkh = pk_header(pk);
    if (pkh == NULL)
        return hz_error_set(err, HZ_ENOMEM, "cosmos: out of memory");
    char im[200] = "";
    if (if_match && *if_match)
        snprintf(im, sizeof im, "If-Match: %s", if_match);
    const char *hdrs[] = {pkh, im[0] ? im : NULL, NULL};
    hz_cosmos_response r;
    s = hz_cosmos_request(c, "DELETE", path, "docs", link, hdrs, NULL, 0, &r,
                          err);
    free(pkh);
    if (ambiguous_out)
        *ambiguous_out = r.ambiguous;
    hz_cosmos_response_free(&r);
    return s;
}

hz_status hz_cosmos_query(hz_cosmos *c, const char *coll, const char *sql,
                          const cJSON *params, const char *pk, int max_items,
                          const char *continuation, cJSON **docs_out,
                          char **next_out, hz_error *err)
{
    *docs_out = NULL;
    if (next_out)
        *next_out = NULL;
    char path[1024], link[1024];
    snprintf(path, sizeof path, "dbs/%s/colls/%s/docs", c->cfg.database, coll);
    snprintf(link, sizeof link, "dbs/%s/colls/%s", c->cfg.database, coll);
    cJSON *q = cJSON_CreateObject();
    cJSON_AddStringToObject(q, "query", sql);
    cJSON_AddItemToObject(q, "parameters",
                          params ? cJSON_Duplicate(params, 1)
                                 : cJSON_CreateArray());
    char *body = cJSON_PrintUnformatted(q);
    cJSON_Delete(q);
    char *pkh = pk ? pk_header(pk) : NULL;
    char mic[64] = "", cont[4200] = "";
    if (max_items > 0)
        snprintf(mic, sizeof mic, "x-ms-max-item-count: %d", max_items);
    if (continuation && *continuation) {
        if (strlen(continuation) > sizeof cont - 40) {
            free(body);
            free(pkh);
            return hz_error_set(err, HZ_EINVAL,
                                "cosmos: continuation token too long");
        }
        snprintf(cont, sizeof cont, "x-ms-continuation: %s", continuation);
    }
    const char *hdrs[8];
    int nh = 0;
    hdrs[nh++] = "Content-Type: application/query+json";
    hdrs[nh++] = "x-ms-documentdb-isquery: True";
    if (pkh)
        hdrs[nh++] = pkh;
    else
        hdrs[nh++] = "x-ms-documentdb-query-enablecrosspartition: True";
    if (mic[0])
        hdrs[nh++] = mic;
    if (cont[0])
        hdrs[nh++] = cont;
    hdrs[nh] = NULL;
    if (body == NULL || (pk && pkh == NULL)) {
        free(body);
        free(pkh);
        return hz_error_set(err, HZ_ENOMEM, "cosmos: out of memory");
    }
    hz_cosmos_response r;
    hz_status s = hz_cosmos_request(c, "POST", path, "docs", link, hdrs, body,
                                    strlen(body), &r, err);
    free(body);
    free(pkh);
    if (s == HZ_OK) {
        cJSON *j = r.body ? cJSON_ParseWithLength(r.body, r.body_len) : NULL;
        cJSON *docs = j ? cJSON_DetachItemFromObjectCaseSensitive(j,
                                                                  "Documents")
                        : NULL;
        if (!cJSON_IsArray(docs)) {
            cJSON_Delete(docs);
            s = hz_error_set(err, HZ_EPARSE,
                             "cosmos: query on %s: answer without a "
                             "\"Documents\" array",
                             path);
        } else {
            *docs_out = docs;
            if (next_out && r.continuation) {
                *next_out = r.continuation;
                r.continuation = NULL;
            }
        }
        cJSON_Delete(j);
    }
    hz_cosmos_response_free(&r);
    return s;
}

/* The batch body: ops with the partition key added to every operation as
 * a JSON string, as the SDK sends it (and as the emulator requires). */
static char *batch_body(const char *pk, const cJSON *ops)
{
    cJSON *arr = cJSON_CreateArray();
    cJSON_AddItemToArray(arr, cJSON_CreateString(pk));
    char *pkjson = cJSON_PrintUnformatted(arr);
    cJSON_Delete(arr);
    cJSON *body_ops = cJSON_Duplicate(ops, 1);
    const cJSON *op;
    cJSON_ArrayForEach(op, body_ops)
    {
        cJSON_DeleteItemFromObjectCaseSensitive((cJSON *)op, "partitionKey");
        cJSON_AddStringToObject((cJSON *)op, "partitionKey",
                                pkjson ? pkjson : "");
    }
    char *body = cJSON_PrintUnformatted(body_ops);
    cJSON_Delete(body_ops);
    free(pkjson);
    return body;
}

/* 207 multi-status (the service) or 200 with error statuses inside (the
 * emulator): find the operation that failed and report it. */
static hz_status batch_outcome(const cJSON *res, long http_status,
                               const char *path, const char *pk, int nops,
                               int *failed_index, hz_error *err)
{
    int i = 0, bad = -1;
    long bad_st = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, res)
    {
        const cJSON *sc = cJSON_GetObjectItemCaseSensitive(it, "statusCode");
        long v = cJSON_IsNumber(sc) ? (long)sc->valuedouble : 0;
        if (v >= 400 && v != 424 && bad < 0) {
            bad = i;
            bad_st = v;
        }
        i++;
    }
    if (http_status == 207 && bad < 0)
        bad = 0, bad_st = 424;
    if (bad < 0)
        return HZ_OK;
    if (failed_index)
        *failed_index = bad;
    return hz_error_set(err,
                        (bad_st == 409 || bad_st == 412) ? HZ_ECONFLICT
                        : bad_st == 404                  ? HZ_ENOTFOUND
                                                         : HZ_ENET,
                        "cosmos: batch on %s (partition '%s'): operation "
                        "%d of %d failed with status %ld%s",
                        path, pk, bad + 1, nops, bad_st,
                        bad_st == 412   ? " (ETag changed: lost a race)"
                        : bad_st == 409 ? " (already exists)"
                                        : "");
}

/* The batch body of upserts of documents given as JSON text: what
 * batch_body makes of them, without parsing or printing them again. */
static char *upserts_body(const char *pk, const char *const *docs,
                          const size_t *lens, int n)
{
    cJSON *arr = cJSON_CreateArray();
    cJSON_AddItemToArray(arr, cJSON_CreateString(pk));
    char *pkjson = cJSON_PrintUnformatted(arr);
    cJSON_Delete(arr);
    cJSON *pks = pkjson ? cJSON_CreateString(pkjson) : NULL;
    char *pkstr = pks ? cJSON_PrintUnformatted(pks) : NULL; /* quoted */
    cJSON_Delete(pks);
    free(pkjson);
    if (pkstr == NULL)
        return NULL;
    static const char head[] = "{\"operationType\":\"Upsert\",\"resourceBody\":";
    static const char tail[] = ",\"partitionKey\":";
    size_t total = 3, per = strlen(head) + strlen(tail) + strlen(pkstr) + 2;
    for (int i = 0; i < n; i++)
        total += lens[i] + per;
    char *body = malloc(total);
    if (body != NULL) {
        char *p = body;
        *p++ = '[';
        for (int i = 0; i < n; i++) {
            if (i > 0)
                *p++ = ',';
            p += sprintf(p, "%s", head);
            memcpy(p, docs[i], lens[i]);
            p += lens[i];
            p += sprintf(p, "%s%s}", tail, pkstr);
        }
        *p++ = ']';
        *p = '\0';
    }
    cJSON_free(pkstr);
    return body;
}

/* Whether the operation that failed a batch (res: its operation results)
 * failed for a moment: throttled (429: *wait_s its retryAfterMilliseconds,
 * else 0) or a transient service error (408, 449, 5xx).  The batch is
 * atomic, so none of it was written and it may be sent again. */
static bool batch_transient(const cJSON *res, double *wait_s)
{
    *wait_s = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, res)
    {
        long v = (long)hz__cjson_num(it, "statusCode", 0);
        if (v < 400 || v == 424)
            continue;
        double ra = hz__cjson_num(it, "retryAfterMilliseconds", 0);
        if (v == 429 && ra > 0 && ra < 86400e3)
            *wait_s = ra / 1000.0;
        return v == 429 || v == 408 || v == 449 || v == 500 || v == 502 ||
               v == 503 || v == 504;
    }
    return false;
}

/* Sleep s seconds, or less when the client's requests are canceled. */
static void batch_wait(const hz_cosmos *c, double s)
{
    double end = hz_now() + s;
    double left = s;
    while (left > 0 && !(c->cancel != NULL && c->cancel(c->cancel_ctx))) {
        hz_net_sleep(left < 0.1 ? left : 0.1);
        left = end - hz_now();
    }
}

/* Send a batch body of nops operations and judge the answer (see
 * hz_cosmos_batch); takes body.  An operation throttled (429) or failed
 * for a moment inside the batch (a 207 answer: the batch was not
 * written) sends the batch again after its retryAfterMilliseconds, or
 * with backoff, within the client's deadline, as a request answered 429
 * is; until 2026-12-07 it failed the batch at once (a result write-back
 * on a throttled account failed, and its job was computed again). */
static hz_status batch_send(hz_cosmos *c, const char *coll, const char *pk,
                            char *body, int nops, cJSON **results_out,
                            int *failed_index, bool *ambiguous_out,
                            hz_error *err)
{
    char path[1024], link[1024];
    snprintf(path, sizeof path, "dbs/%s/colls/%s/docs", c->cfg.database, coll);
    snprintf(link, sizeof link, "dbs/%s/colls/%s", c->cfg.database, coll);
    char *pkh = pk_header(pk);
    if (body == NULL || pkh == NULL) {
        free(body);
        free(pkh);
        return hz_error_set(err, HZ_ENOMEM, "cosmos: out of memory");
    }
    const char *hdrs[] = {pkh, "x-ms-cosmos-is-batch-request: True",
                          "x-ms-cosmos-batch-atomic: True",
                          "x-ms-cosmos-batch-continue-on-error: False", NULL};
    double start = hz_now(), deadline = hz__cosmos_deadline(c);
    if (ambiguous_out)
        *ambiguous_out = false;
    hz_status s;
    cJSON *res = NULL;
    for (int n = 0;; n++) {
        hz_cosmos_response r;
        /* every sending within the batch's one deadline, not a
         * deadline of its own (until 2026-12-07: twice the deadline) */
        s = hz__cosmos_request_until(c, "POST", path, "docs", link, hdrs,
                                     body, strlen(body), deadline, &r, err);
        if (ambiguous_out && r.ambiguous)
            *ambiguous_out = true;
        if (s != HZ_OK) {
            hz_cosmos_response_free(&r);
            break;
        }
        res = r.body ? cJSON_ParseWithLength(r.body, r.body_len) : NULL;
        long http_status = r.status;
        hz_cosmos_response_free(&r);
        if (!cJSON_IsArray(res)) {
            cJSON_Delete(res);
            res = NULL;
            s = hz_error_set(err, HZ_EPARSE,
                             "cosmos: batch on %s: answer is not a list of "
                             "operation results",
                             path);
            break;
        }
        s = batch_outcome(res, http_status, path, pk, nops, failed_index, err);
        double wait = 0;
        if (s == HZ_OK || !batch_transient(res, &wait))
            break;
        if (wait <= 0) {
            wait = c->cfg.backoff_base_s * pow(2.0, n < 20 ? n : 20);
            if (wait > c->cfg.backoff_max_s)
                wait = c->cfg.backoff_max_s;
            wait *= 0.5 + 0.5 * hz__cosmos_rng_unit(c);
        }
        if (hz_now() + wait >= deadline ||
            (c->cancel != NULL && c->cancel(c->cancel_ctx))) {
            if (err != NULL) {
                size_t used = strlen(err->msg);
                snprintf(err->msg + used, sizeof err->msg - used,
                         " (gave up after %d attempts in %.1f s)", n + 1,
                         hz_now() - start);
            }
            s = HZ_ETIMEOUT;
            if (err != NULL)
                err->status = s;
            break;
        }
        cJSON_Delete(res);
        res = NULL;
        batch_wait(c, wait);
    }
    free(body);
    free(pkh);
    if (results_out != NULL)
        *results_out = res;
    else
        cJSON_Delete(res);
    return s;
}

hz_status hz_cosmos_batch_upsert_json(hz_cosmos *c, const char *coll,
                                      const char *pk,
                                      const char *const *docs,
                                      const size_t *lens, int n,
                                      int *failed_index, bool *ambiguous_out,
                                      hz_error *err)
{
    if (ambiguous_out)
        *ambiguous_out = false;
    if (failed_index)
        *failed_index = -1;
    if (n <= 0 || n > HZ_COSMOS_BATCH_MAX)
        return hz_error_set(err, HZ_EINVAL,
                            "cosmos: a batch holds 1 to %d operations, "
                            "got %d",
                            HZ_COSMOS_BATCH_MAX, n);
    return batch_send(c, coll, pk, upserts_body(pk, docs, lens, n), n, NULL,
                      failed_index, ambiguous_out, err);
}

hz_status hz_cosmos_batch(hz_cosmos *c, const char *coll, const char *pk,
                          const cJSON *ops, cJSON **results_out,
                          int *failed_index, bool *ambiguous_out,
                          hz_error *err)
{
    if (results_out)
        *results_out = NULL;
    if (ambiguous_out)
        *ambiguous_out = false;
    if (failed_index)
        *failed_index = -1;
    int nops = cJSON_GetArraySize(ops);
    if (!cJSON_IsArray(ops) || nops == 0 || nops > HZ_COSMOS_BATCH_MAX)
        return hz_error_set(err, HZ_EINVAL,
                            "cosmos: a batch holds 1 to %d operations, "
                            "got %d",
                            HZ_COSMOS_BATCH_MAX, nops);
    return batch_send(c, coll, pk, batch_body(pk, ops), nops, results_out,
                      failed_index, ambiguous_out, err);
}
