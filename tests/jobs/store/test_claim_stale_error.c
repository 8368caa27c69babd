/* The generic claim of a queued job that still carries the error text of
 * an earlier attempt (released with it after a retryable failure) in a
 * store that refuses documents over a size, as Cosmos DB refuses one
 * over 2 MB (413): when the claimed document does not fit with the old
 * text but does without it, the claim is made again without the text
 * (its errorReason kept) and the job runs.  Before, the stale text went
 * into the claim, the store refused it and the job was failed for good
 * (reason write, "the store refused to claim the job").
 *
 * The store: SQLite behind a wrapper whose put refuses a job document
 * longer than a cap, and which has no claim of its own (the generic one
 * of store.c, which Cosmos DB's mirrors). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hz_test.h"
#include "net/cjson.h"
#include "store/job.h"
#include "store/store.h"

typedef struct capped {
    hz_store base;
    hz_store *inner;
    size_t cap; /* bytes of a job document's JSON */
} capped;

static hz_store *inner(hz_store *s)
{
    return ((capped *)s)->inner;
}

static void c_close(hz_store *s)
{
    hz_store_close(inner(s));
    free(s);
}

static hz_status c_get(hz_store *s, const char *container, const char *id,
                       const char *customer_id, cJSON **doc_out, hz_error *err)
{
    return hz_store_get(inner(s), container, id, customer_id, doc_out, err);
}

static hz_status c_put(hz_store *s, const char *container, hz_put_mode mode,
                       cJSON *doc, const char *if_match, hz_error *err)
{
    char *text = cJSON_PrintUnformatted(doc);
    size_t n = text ? strlen(text) : 0;
    cJSON_free(text);
    if (strcmp(container, HZ_STORE_JOBS) == 0 && n > ((capped *)s)->cap)
        return hz_error_set(err, HZ_EINVAL,
                            "capped: PUT jobs: HTTP 413 request too large "
                            "(%zu bytes)",
                            n);
    return hz_store_put(inner(s), container, mode, doc, if_match, err);
}

static hz_status c_del(hz_store *s, const char *container, const char *id,
                       const char *customer_id, const char *if_match,
                       hz_error *err)
{
    return hz_store_delete(inner(s), container, id, customer_id, if_match, err);
}

static hz_status c_query(hz_store *s, const hz_query *q, int page_size,
                         const char *continuation, cJSON **docs_out,
                         char **next_out, hz_error *err)
{
    return hz_store_query(inner(s), q, page_size, continuation, docs_out,
                          next_out, err);
}

static hz_status c_batch(hz_store *s, const char *container,
                         const char *customer_id, hz_store_op *ops,
                         size_t nops, size_t *failed_index, hz_error *err)
{
    return hz_store_batch(inner(s), container, customer_id, ops, nops,
                          failed_index, err);
}

static const hz_store_ops capped_ops = {.name = "capped",
                                        .close = c_close,
                                        .get = c_get,
                                        .put = c_put,
                                        .del = c_del,
                                        .query = c_query,
                                        .batch = c_batch};

static char db_path[1024];

static hz_store *open_capped(size_t cap)
{
    snprintf(db_path, sizeof db_path, "%s/claim_stale.db", hz_test_tmpdir());
    unlink(db_path);
    capped *c = calloc(1, sizeof *c);
    hz_error err;
    if (c == NULL || hz_store_sqlite_open(db_path, &c->inner, &err) != HZ_OK) {
        free(c);
        return NULL;
    }
    c->base.ops = &capped_ops;
    c->cap = cap;
    return &c->base;
}

/* A queued job released after a crash, with the crash's text padded. */
static cJSON *stale_job(void)
{
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "id", "stale");
    cJSON_AddStringToObject(d, "customerId", "acme");
    cJSON_AddStringToObject(d, "type", "forecast");
    cJSON_AddStringToObject(d, "dataset", "/srv/data/acme/sales.csv");
    cJSON_AddStringToObject(d, "status", "queued");
    cJSON_AddNumberToObject(d, "attempts", 1);
    cJSON_AddNumberToObject(d, "createdAt", 1796000000);
    cJSON_AddStringToObject(d, "errorReason", "crash");
    char text[1200];
    memset(text, 'x', sizeof text - 1);
    text[sizeof text - 1] = '\0';
    cJSON_AddStringToObject(d, "error", text);
    return d;
}

HZ_TEST(claim_drops_stale_error_text_the_store_refuses)
{
    cJSON *job = stale_job();
    char *text = cJSON_PrintUnformatted(job);
    size_t len = strlen(text);
    cJSON_free(text);
    /* the job as released fits (with its _etag and _ts); with the claim's
     * fields (a lease owner of 200 bytes) beside the old text it does not,
     * without the text it does */
    hz_store *s = open_capped(len + 100);
    HZ_CHECK(s != NULL);
    if (s == NULL) {
        cJSON_Delete(job);
        return;
    }
    hz_error err;
    HZ_CHECK(hz_store_put(s, HZ_STORE_JOBS, HZ_PUT_CREATE, job, NULL, &err) ==
             HZ_OK);
    char owner[201];
    memset(owner, 'o', sizeof owner - 1);
    owner[sizeof owner - 1] = '\0';
    hz_claim_request rq = {.owner = owner,
                           .now = 1796000100,
                           .lease_s = 60,
                           .max_jobs = 4};
    cJSON *won = NULL;
    HZ_CHECK(hz_store_claim(s, &rq, &won, &err) == HZ_OK);
    HZ_CHECK_MSG(cJSON_GetArraySize(won) == 1, "claimed %d jobs",
                 cJSON_GetArraySize(won));
    cJSON *doc = NULL;
    HZ_CHECK(hz_store_get(s, HZ_STORE_JOBS, "stale", "acme", &doc, &err) ==
             HZ_OK);
    const char *st = hz__cjson_str(doc, "status");
    HZ_CHECK_STR(st ? st : "(none)", "running");
    const char *reason = hz__cjson_str(doc, "errorReason");
    HZ_CHECK_STR(reason ? reason : "(none)", "crash");
    HZ_CHECK(cJSON_GetObjectItemCaseSensitive(doc, "error") == NULL);
    HZ_CHECK(hz__cjson_num(doc, "attempts", 0) == 2);
    cJSON_Delete(doc);
    cJSON_Delete(won);

    /* a job without an old text that does not fit is failed as before */
    cJSON *big = stale_job();
    cJSON_DeleteItemFromObjectCaseSensitive(big, "error");
    hz__cjson_set_str(big, "id", "big");
    char pad[1200];
    memset(pad, 'y', sizeof pad - 1);
    pad[sizeof pad - 1] = '\0';
    hz__cjson_set_str(big, "pad", pad);
    HZ_CHECK(hz_store_put(s, HZ_STORE_JOBS, HZ_PUT_CREATE, big, NULL, &err) ==
             HZ_OK);
    won = NULL;
    HZ_CHECK(hz_store_claim(s, &rq, &won, &err) == HZ_OK);
    HZ_CHECK(cJSON_GetArraySize(won) == 0);
    HZ_CHECK(hz_store_get(s, HZ_STORE_JOBS, "big", "acme", &doc, &err) ==
             HZ_OK);
    st = hz__cjson_str(doc, "status");
    HZ_CHECK_STR(st ? st : "(none)", "failed");
    cJSON_Delete(doc);
    cJSON_Delete(won);
    cJSON_Delete(big);
    cJSON_Delete(job);
    hz_store_close(s);
}
