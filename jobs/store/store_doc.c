/* Document helpers shared by the store interface and every store
 * implementation: document checks, the fields a claim sets and a job's
 * failure record.  They
 * depend on nothing but cJSON, its shared accessors (net/cjson.h) and
 * the engine's UTF-8 cut (horizon/outfile.h), so
 * the implementations and the interface (store.c) both build on them
 * without depending on each other. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "horizon/outfile.h"
#include "net/cjson.h"
#include "store/job.h"
#include "store/store.h"

bool hz__store_container_ok(const char *c)
{
    return c != NULL && (strcmp(c, HZ_STORE_JOBS) == 0 ||
                         strcmp(c, HZ_STORE_DATASETS) == 0 ||
                         strcmp(c, HZ_STORE_RESULTS) == 0 ||
                         strcmp(c, HZ_STORE_CACHE) == 0 ||
                         strcmp(c, HZ_STORE_SCHEDULES) == 0);
}

hz_status hz__store_check_doc(const char *container, const cJSON *doc,
                              const char *pk, hz_error *err)
{
    if (!cJSON_IsObject(doc))
        return hz_error_set(err, HZ_EINVAL,
                            "%s: document is not a JSON object", container);
    const char *id = hz__cjson_str(doc, "id");
    const char *cid = hz__cjson_str(doc, "customerId");
    if (id == NULL || id[0] == '\0')
        return hz_error_set(err, HZ_EINVAL,
                            "%s: document without a string 'id'", container);
    if (cid == NULL || cid[0] == '\0')
        return hz_error_set(err, HZ_EINVAL,
                            "%s/%s: document without a string 'customerId'",
                            container, id);
    if (pk != NULL && strcmp(pk, cid) != 0)
        return hz_error_set(err, HZ_EINVAL,
                            "%s/%s: customerId '%s' is not the batch's "
                            "partition key '%s'",
                            container, id, cid, pk);
    return HZ_OK;
}

hz_status hz__store_claim_write(hz_store *s, const hz_claim_request *req,
                                cJSON *doc, const char *held,
                                hz__store_put_fn put, hz_error *err)
{
    if (req->writing != NULL && !req->writing(req->write_ctx, true)) {
        const char *id = hz__cjson_str(doc, "id");
        return hz_error_set(err, HZ_ECANCELED,
                            "claim stopped before job %s: the runner is "
                            "stopping",
                            id ? id : "?");
    }
    hz__store_mark_claimed(doc, req);
    hz_status rc = put(s, HZ_STORE_JOBS, HZ_PUT_REPLACE, doc, held, err);
    if (rc == HZ_EINVAL && hz__store_claim_leaner(doc))
        rc = put(s, HZ_STORE_JOBS, HZ_PUT_REPLACE, doc, held, err);
    if (req->writing != NULL)
        req->writing(req->write_ctx, false);
    if (rc == HZ_ECANCELED && req->abandoned != NULL)
        req->abandoned(req->write_ctx, doc);
    return rc;
}

void hz__store_mark_claimed(cJSON *doc, const hz_claim_request *req)
{
    const char *status = hz__cjson_str(doc, "status");
    bool takeover = status != NULL && strcmp(status, "running") == 0;
    if (takeover)
        hz__cjson_set_num(doc, "takeovers",
                          hz__cjson_num(doc, "takeovers", 0) + 1);
    else
        hz__cjson_set_num(doc, "attempts",
                          hz__cjson_num(doc, "attempts", 0) + 1);
    hz__cjson_set_str(doc, "status", "running");
    hz__cjson_set_str(doc, "leaseOwner", req->owner);
    hz__cjson_set_num(doc, "leaseExpiry", req->now + req->lease_s);
    hz__cjson_set_num(doc, "startedAt", req->now);
    hz__cjson_set_num(doc, "updatedAt", req->now);
}

bool hz__store_claim_leaner(cJSON *doc)
{
    if (cJSON_GetObjectItemCaseSensitive(doc, "error") == NULL)
        return false;
    cJSON_DeleteItemFromObjectCaseSensitive(doc, "error");
    return true;
}

void hz__store_fail_unclaimable(hz_store *s, const cJSON *doc,
                                const char *held, const hz_claim_request *req,
                                const char *why)
{
    char msg[HZ_ERROR_MAX + 64];
    snprintf(msg, sizeof msg, "the store refused to claim the job: %s", why);
    cJSON *rec = hz_store_failure_record(doc, "write", msg, req->now, true);
    hz_error err;
    if (rec != NULL &&
        hz_store_put(s, HZ_STORE_JOBS, HZ_PUT_REPLACE, rec, held, &err) ==
            HZ_OK &&
        req->refused != NULL)
        req->refused(req->refused_ctx, rec);
    cJSON_Delete(rec);
}

/* msg cut to HZ_JOB_ERROR_MAX bytes with a marker (a new string; NULL
 * when memory runs out). */
static char *bounded_error(const char *msg)
{
    size_t n = strlen(msg);
    if (n <= HZ_JOB_ERROR_MAX)
        return strdup(msg);
    char *out = malloc(HZ_JOB_ERROR_MAX + 1);
    if (out == NULL)
        return NULL;
    /* not inside a UTF-8 sequence */
    size_t keep = hz_utf8_cut(msg, HZ_JOB_ERROR_MAX - 48);
    snprintf(out, HZ_JOB_ERROR_MAX + 1, "%.*s... [%zu bytes cut]", (int)keep,
             msg, n - keep);
    return out;
}

/* Whether field k of a job document is kept in a lean failure record:
 * the identity and bookkeeping of the job, each small. */
static bool lean_keeps(const cJSON *item)
{
    static const char *const keep[] = {
        "id",        "customerId",  "type",     "dataset",   "datasetId",
        "status",    "attempts",    "takeovers", "maxAttempts", "timeoutS",
        "createdAt", "startedAt",   "_etag",    "_ts",       NULL};
    for (int i = 0; keep[i] != NULL; i++)
        if (strcmp(item->string, keep[i]) == 0)
            return cJSON_IsNumber(item) ||
                   (cJSON_IsString(item) &&
                    strlen(item->valuestring) < HZ_JOB_URI_MAX);
    return false;
}

cJSON *hz_store_failure_record(const cJSON *job, const char *reason,
                               const char *msg, double now, bool lean)
{
    /* fields the record sets anew: never "dropped" */
    static const char *const own[] = {"error",       "errorReason",
                                      "finishedAt",  "updatedAt",
                                      "leaseOwner",  "leaseExpiry", NULL};
    cJSON *d = lean ? cJSON_CreateObject() : cJSON_Duplicate(job, true);
    cJSON *dropped = cJSON_CreateArray();
    char *text = NULL;
    if (d == NULL || dropped == NULL)
        goto oom;
    char names[512] = "";
    if (lean) {
        const cJSON *it;
        cJSON_ArrayForEach(it, job)
        {
            bool set_anew = false;
            for (int i = 0; own[i] != NULL; i++)
                set_anew = set_anew || strcmp(it->string, own[i]) == 0;
            if (set_anew)
                continue;
            if (lean_keeps(it)) {
                cJSON_AddItemToObject(d, it->string,
                                      cJSON_Duplicate(it, true));
                continue;
            }
            cJSON_AddItemToArray(dropped, cJSON_CreateString(it->string));
            size_t n = strlen(names);
            if (n + strlen(it->string) + 8 < sizeof names)
                snprintf(names + n, sizeof names - n, "%s%s", n ? ", " : "",
                         it->string);
            else if (n + 8 < sizeof names && strstr(names, ", ...") == NULL)
                snprintf(names + n, sizeof names - n, ", ...");
        }
    }
    size_t mlen = strlen(msg) + strlen(names) + 200;
    char *full = malloc(mlen);
    if (full == NULL)
        goto oom;
    if (lean)
        snprintf(full, mlen,
                 "%s (the job document was too large for the store to keep "
                 "with its failure: its fields %s were left out)",
                 msg, names[0] ? names : "(none)");
    else
        snprintf(full, mlen, "%s", msg);
    text = bounded_error(full);
    free(full);
    if (text == NULL)
        goto oom;
    hz__cjson_set_str(d, "status", "failed");
    hz__cjson_set_str(d, "error", text);
    hz__cjson_set_str(d, "errorReason", reason);
    hz__cjson_set_num(d, "finishedAt", now);
    hz__cjson_set_num(d, "updatedAt", now);
    cJSON_DeleteItemFromObjectCaseSensitive(d, "leaseOwner");
    cJSON_DeleteItemFromObjectCaseSensitive(d, "leaseExpiry");
    if (lean)
        cJSON_AddItemToObject(d, "droppedFields", dropped);
    else
        cJSON_Delete(dropped);
    free(text);
    return d;
oom:
    cJSON_Delete(d);
    cJSON_Delete(dropped);
    free(text);
    return NULL;
}
