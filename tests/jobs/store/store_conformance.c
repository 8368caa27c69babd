/* Store conformance suite: the behaviour every hz_store implementation
 * must have (jobs/store/store.h), written once and run against each store.
 *
 * Use it from a test file (it is #included, not built on its own):
 *
 *   #include "store_conformance.c"
 *   static hz_store *open_mine(void *ctx) { ... a new handle ... }
 *   HZ_TEST(mine_conformance) {
 *       hz_store *s = open_mine(NULL);
 *       hz__store_conformance(s, open_mine, NULL);
 *       hz_store_close(s);
 *   }
 *
 * open_another(ctx) must return a NEW handle on the SAME store (used for
 * concurrent claims from several threads); it may return NULL, which
 * skips the concurrency checks.  Every check works in tenants of its own
 * ("conf-<random>-..."), so the store need not be empty and the suite can
 * run twice against one store.  Failures are reported through hz_test_fail
 * (each check stops at its first failure; the others still run). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hz_test.h"
#include "store/job.h"
#include "store/store.h"

typedef struct conf_ctx {
    hz_store *s;
    hz_store *(*open_another)(void *ctx);
    void *octx;
    char tenant[48]; /* base tenant of this run */
} conf_ctx;

static void conf_tenant(const conf_ctx *c, const char *suffix, char *out,
                        size_t outsz)
{
    snprintf(out, outsz, "%s-%s", c->tenant, suffix);
}

static cJSON *conf_doc(const char *id, const char *tenant)
{
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "id", id);
    cJSON_AddStringToObject(d, "customerId", tenant);
    return d;
}

static cJSON *conf_job(const char *id, const char *tenant, double created)
{
    cJSON *d = conf_doc(id, tenant);
    cJSON_AddStringToObject(d, "type", "forecast");
    cJSON_AddStringToObject(d, "status", "queued");
    cJSON_AddStringToObject(d, "dataset", "data/sample_sales.csv");
    cJSON_AddNumberToObject(d, "attempts", 0);
    cJSON_AddNumberToObject(d, "createdAt", created);
    return d;
}

static const char *conf_str(const cJSON *d, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(d, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static double conf_num(const cJSON *d, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(d, k);
    return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

/* 1. create / get / create-again / missing / same id in two tenants */
static void conf_crud(conf_ctx *c)
{
    char t1[96], t2[96];
    conf_tenant(c, "crud1", t1, sizeof t1);
    conf_tenant(c, "crud2", t2, sizeof t2);
    hz_error err;
    cJSON *d = conf_doc("doc-1", t1);
    cJSON_AddNumberToObject(d, "value", 2.385);
    cJSON_AddStringToObject(d, "_etag", "caller-value-ignored");
    HZ_CHECK(hz_store_put(c->s, HZ_STORE_DATASETS, HZ_PUT_CREATE, d, NULL,
                          &err) == HZ_OK);
    const char *etag = conf_str(d, "_etag");
    HZ_CHECK(etag != NULL && strcmp(etag, "caller-value-ignored") != 0);
    HZ_CHECK(conf_num(d, "_ts") > 0);
    char etag1[HZ_ETAG_MAX];
    snprintf(etag1, sizeof etag1, "%s", etag);

    cJSON *got = NULL;
    HZ_CHECK(hz_store_get(c->s, HZ_STORE_DATASETS, "doc-1", t1, &got, &err) ==
             HZ_OK);
    HZ_CHECK_NEAR(conf_num(got, "value"), 2.385, 1e-12);
    HZ_CHECK_STR(conf_str(got, "_etag"), etag1);
    cJSON_Delete(got);

    /* create again: conflict, and the stored document is unchanged */
    cJSON *d2 = conf_doc("doc-1", t1);
    cJSON_AddNumberToObject(d2, "value", 7);
    HZ_CHECK(hz_store_put(c->s, HZ_STORE_DATASETS, HZ_PUT_CREATE, d2, NULL,
                          &err) == HZ_ECONFLICT);
    HZ_CHECK_CONTAINS(err.msg, "doc-1");
    got = NULL;
    HZ_CHECK(hz_store_get(c->s, HZ_STORE_DATASETS, "doc-1", t1, &got, &err) ==
             HZ_OK);
    HZ_CHECK_NEAR(conf_num(got, "value"), 2.385, 1e-12);
    cJSON_Delete(got);

    /* the same id under another tenant is another document */
    cJSON_ReplaceItemInObject(d2, "customerId", cJSON_CreateString(t2));
    HZ_CHECK(hz_store_put(c->s, HZ_STORE_DATASETS, HZ_PUT_CREATE, d2, NULL,
                          &err) == HZ_OK);
    got = NULL;
    HZ_CHECK(hz_store_get(c->s, HZ_STORE_DATASETS, "doc-1", t2, &got, &err) ==
             HZ_OK);
    HZ_CHECK_NEAR(conf_num(got, "value"), 7, 0);
    cJSON_Delete(got);

    /* containers are separate */
    got = NULL;
    HZ_CHECK(hz_store_get(c->s, HZ_STORE_JOBS, "doc-1", t1, &got, &err) ==
             HZ_ENOTFOUND);
    HZ_CHECK(got == NULL);
    HZ_CHECK(hz_store_get(c->s, HZ_STORE_DATASETS, "nope", t1, &got, &err) ==
             HZ_ENOTFOUND);

    /* a document without customerId is refused */
    cJSON *bad = cJSON_CreateObject();
    cJSON_AddStringToObject(bad, "id", "x");
    HZ_CHECK(hz_store_put(c->s, HZ_STORE_DATASETS, HZ_PUT_UPSERT, bad, NULL,
                          &err) == HZ_EINVAL);
    HZ_CHECK_CONTAINS(err.msg, "customerId");
    cJSON_Delete(bad);
    cJSON_Delete(d);
    cJSON_Delete(d2);
}

/* 2. replace / upsert / if_match */
static void conf_cas(conf_ctx *c)
{
    char t[96];
    conf_tenant(c, "cas", t, sizeof t);
    hz_error err;
    cJSON *d = conf_doc("cas-1", t);
    HZ_CHECK(hz_store_put(c->s, HZ_STORE_CACHE, HZ_PUT_REPLACE, d, NULL,
                          &err) == HZ_ENOTFOUND);
    HZ_CHECK(hz_store_put(c->s, HZ_STORE_CACHE, HZ_PUT_UPSERT, d, NULL,
                          &err) == HZ_OK);
    char e1[HZ_ETAG_MAX];
    snprintf(e1, sizeof e1, "%s", conf_str(d, "_etag"));
    cJSON_AddNumberToObject(d, "n", 1);
    HZ_CHECK(hz_store_put(c->s, HZ_STORE_CACHE, HZ_PUT_REPLACE, d, e1, &err) ==
             HZ_OK);
    char e2[HZ_ETAG_MAX];
    snprintf(e2, sizeof e2, "%s", conf_str(d, "_etag"));
    HZ_CHECK(strcmp(e1, e2) != 0);
    /* stale etag loses, and leaves the document and our copy alone */
    cJSON_ReplaceItemInObject(d, "n", cJSON_CreateNumber(2));
    HZ_CHECK(hz_store_put(c->s, HZ_STORE_CACHE, HZ_PUT_REPLACE, d, e1, &err) ==
             HZ_ECONFLICT);
    HZ_CHECK(hz_store_put(c->s, HZ_STORE_CACHE, HZ_PUT_UPSERT, d, e1, &err) ==
             HZ_ECONFLICT);
    HZ_CHECK_STR(conf_str(d, "_etag"), e2);
    cJSON *got = NULL;
    HZ_CHECK(hz_store_get(c->s, HZ_STORE_CACHE, "cas-1", t, &got, &err) ==
             HZ_OK);
    HZ_CHECK_NEAR(conf_num(got, "n"), 1, 0);
    HZ_CHECK_STR(conf_str(got, "_etag"), e2);
    cJSON_Delete(got);
    /* upsert without condition replaces */
    HZ_CHECK(hz_store_put(c->s, HZ_STORE_CACHE, HZ_PUT_UPSERT, d, NULL,
                          &err) == HZ_OK);
    got = NULL;
    HZ_CHECK(hz_store_get(c->s, HZ_STORE_CACHE, "cas-1", t, &got, &err) ==
             HZ_OK);
    HZ_CHECK_NEAR(conf_num(got, "n"), 2, 0);
    cJSON_Delete(got);

    /* delete: stale etag conflicts, then delete, then not found */
    HZ_CHECK(hz_store_delete(c->s, HZ_STORE_CACHE, "cas-1", t, e2, &err) ==
             HZ_ECONFLICT);
    HZ_CHECK(hz_store_delete(c->s, HZ_STORE_CACHE, "cas-1", t,
                             conf_str(d, "_etag"), &err) == HZ_OK);
    HZ_CHECK(hz_store_get(c->s, HZ_STORE_CACHE, "cas-1", t, &got, &err) ==
             HZ_ENOTFOUND);
    HZ_CHECK(hz_store_delete(c->s, HZ_STORE_CACHE, "cas-1", t, NULL, &err) ==
             HZ_ENOTFOUND);
    /* re-created: an old etag does not match the new document */
    cJSON *d3 = conf_doc("cas-1", t);
    HZ_CHECK(hz_store_put(c->s, HZ_STORE_CACHE, HZ_PUT_CREATE, d3, NULL,
                          &err) == HZ_OK);
    HZ_CHECK(strcmp(conf_str(d3, "_etag"), e2) != 0);
    HZ_CHECK(hz_store_put(c->s, HZ_STORE_CACHE, HZ_PUT_REPLACE, d3, e2,
                          &err) == HZ_ECONFLICT);
    cJSON_Delete(d3);
    cJSON_Delete(d);
}

/* 3. queries: filters, order, paging with continuation */
static void conf_query(conf_ctx *c)
{
    char t[96], t2[96];
    conf_tenant(c, "query", t, sizeof t);
    conf_tenant(c, "query2", t2, sizeof t2);
    hz_error err;
    /* 25 results of job A (inserted in scrambled order), 5 of job B, and 3
     * of job A in another tenant */
    for (int k = 0; k < 25; k++) {
        int i = (k * 7) % 25;
        char id[64];
        hz_result_id("jobA", (size_t)i, id, sizeof id);
        cJSON *d = conf_doc(id, t);
        cJSON_AddStringToObject(d, "jobId", "jobA");
        cJSON_AddNumberToObject(d, "chunk", i);
        HZ_CHECK(hz_store_put(c->s, HZ_STORE_RESULTS, HZ_PUT_UPSERT, d, NULL,
                              &err) == HZ_OK);
        cJSON_Delete(d);
    }
    for (int i = 0; i < 5; i++) {
        char id[64];
        hz_result_id("jobB", (size_t)i, id, sizeof id);
        cJSON *d = conf_doc(id, t);
        cJSON_AddStringToObject(d, "jobId", "jobB");
        HZ_CHECK(hz_store_put(c->s, HZ_STORE_RESULTS, HZ_PUT_UPSERT, d, NULL,
                              &err) == HZ_OK);
        cJSON_Delete(d);
    }
    for (int i = 0; i < 3; i++) {
        char id[64];
        hz_result_id("jobA", (size_t)i, id, sizeof id);
        cJSON *d = conf_doc(id, t2);
        cJSON_AddStringToObject(d, "jobId", "jobA");
        HZ_CHECK(hz_store_put(c->s, HZ_STORE_RESULTS, HZ_PUT_UPSERT, d, NULL,
                              &err) == HZ_OK);
        cJSON_Delete(d);
    }
    hz_query q = {
        .container = HZ_STORE_RESULTS, .customer_id = t, .job_id = "jobA"};
    char *token = NULL;
    int total = 0, pages = 0, expect_chunk = 0;
    do {
        cJSON *page = NULL;
        char *next = NULL;
        HZ_CHECK(hz_store_query(c->s, &q, 7, token, &page, &next, &err) ==
                 HZ_OK);
        free(token);
        token = next;
        HZ_CHECK(cJSON_IsArray(page));
        HZ_CHECK(cJSON_GetArraySize(page) <= 7);
        cJSON *d;
        cJSON_ArrayForEach(d, page)
        {
            HZ_CHECK_STR(conf_str(d, "jobId"), "jobA");
            HZ_CHECK_STR(conf_str(d, "customerId"), t);
            HZ_CHECK(conf_str(d, "_etag") != NULL);
            /* ordered by id: chunk ids are zero padded */
            HZ_CHECK_MSG(conf_num(d, "chunk") == expect_chunk,
                         "chunk %g, expected %d", conf_num(d, "chunk"),
                         expect_chunk);
            expect_chunk++;
            total++;
        }
        cJSON_Delete(page);
        pages++;
        HZ_CHECK(pages < 100);
    } while (token != NULL);
    HZ_CHECK(total == 25);
    HZ_CHECK(pages >= 4);

    /* all results of the tenant in one page of 1000 */
    q.job_id = NULL;
    cJSON *page = NULL;
    char *next = NULL;
    HZ_CHECK(hz_store_query(c->s, &q, 1000, NULL, &page, &next, &err) ==
             HZ_OK);
    HZ_CHECK(cJSON_GetArraySize(page) == 30);
    HZ_CHECK(next == NULL);
    cJSON_Delete(page);
    /* a tenant with nothing */
    char t3[96];
    conf_tenant(c, "empty", t3, sizeof t3);
    q.customer_id = t3;
    HZ_CHECK(hz_store_query(c->s, &q, 10, NULL, &page, &next, &err) == HZ_OK);
    HZ_CHECK(cJSON_IsArray(page) && cJSON_GetArraySize(page) == 0);
    HZ_CHECK(next == NULL);
    cJSON_Delete(page);

    /* jobs by status and type */
    char tj[96];
    conf_tenant(c, "qjobs", tj, sizeof tj);
    const char *st[6] = {"queued", "running", "succeeded",
                         "failed", "queued",  "succeeded"};
    for (int i = 0; i < 6; i++) {
        char id[32];
        snprintf(id, sizeof id, "qj-%d", i);
        cJSON *j = conf_job(id, tj, 1000.0 + i);
        cJSON_ReplaceItemInObject(j, "status", cJSON_CreateString(st[i]));
        if (i == 4)
            cJSON_ReplaceItemInObject(j, "type", cJSON_CreateString("clv"));
        HZ_CHECK(hz_store_put(c->s, HZ_STORE_JOBS, HZ_PUT_CREATE, j, NULL,
                              &err) == HZ_OK);
        cJSON_Delete(j);
    }
    hz_query qj = {
        .container = HZ_STORE_JOBS, .customer_id = tj, .status = "queued"};
    HZ_CHECK(hz_store_query(c->s, &qj, 100, NULL, &page, &next, &err) ==
             HZ_OK);
    HZ_CHECK(cJSON_GetArraySize(page) == 2);
    cJSON_Delete(page);
    qj.type = "clv";
    HZ_CHECK(hz_store_query(c->s, &qj, 100, NULL, &page, &next, &err) ==
             HZ_OK);
    HZ_CHECK(cJSON_GetArraySize(page) == 1);
    HZ_CHECK_STR(conf_str(cJSON_GetArrayItem(page, 0), "id"), "qj-4");
    cJSON_Delete(page);
    /* a bad continuation token is an error, not a crash */
    HZ_CHECK(hz_store_query(c->s, &qj, 100, "garbage", &page, &next, &err) !=
             HZ_OK);
    HZ_CHECK(page == NULL);
}

/* 4. batches: atomic, at most 100 operations, one partition key */
static void conf_batch(conf_ctx *c)
{
    char t[96];
    conf_tenant(c, "batch", t, sizeof t);
    hz_error err;
    cJSON *docs[HZ_STORE_BATCH_MAX + 1];
    hz_store_op ops[HZ_STORE_BATCH_MAX + 1];
    for (int i = 0; i <= HZ_STORE_BATCH_MAX; i++) {
        char id[32];
        snprintf(id, sizeof id, "b-%03d", i);
        docs[i] = conf_doc(id, t);
        ops[i] = (hz_store_op){.kind = HZ_OP_UPSERT, .doc = docs[i]};
    }
    size_t failed = 999;
    HZ_CHECK(hz_store_batch(c->s, HZ_STORE_RESULTS, t, ops,
                            HZ_STORE_BATCH_MAX + 1, &failed,
                            &err) == HZ_EINVAL);
    HZ_CHECK(hz_store_batch(c->s, HZ_STORE_RESULTS, t, ops, HZ_STORE_BATCH_MAX,
                            &failed, &err) == HZ_OK);
    for (int i = 0; i < HZ_STORE_BATCH_MAX; i++)
        HZ_CHECK(conf_str(docs[i], "_etag") != NULL);
    /* a failing operation (stale etag at index 2) writes nothing */
    char stale[HZ_ETAG_MAX];
    snprintf(stale, sizeof stale, "%s", conf_str(docs[2], "_etag"));
    cJSON_AddNumberToObject(docs[2], "v", 1);
    HZ_CHECK(hz_store_put(c->s, HZ_STORE_RESULTS, HZ_PUT_REPLACE, docs[2],
                          NULL, &err) == HZ_OK);
    cJSON *nd = conf_doc("b-new", t);
    hz_store_op bad[3] = {
        {.kind = HZ_OP_CREATE, .doc = nd},
        {.kind = HZ_OP_DELETE, .id = "b-001"},
        {.kind = HZ_OP_REPLACE, .doc = docs[3], .if_match = stale}};
    failed = 999;
    HZ_CHECK(hz_store_batch(c->s, HZ_STORE_RESULTS, t, bad, 3, &failed,
                            &err) == HZ_ECONFLICT);
    HZ_CHECK(failed == 2);
    cJSON *got = NULL;
    HZ_CHECK(hz_store_get(c->s, HZ_STORE_RESULTS, "b-new", t, &got, &err) ==
             HZ_ENOTFOUND);
    HZ_CHECK(hz_store_get(c->s, HZ_STORE_RESULTS, "b-001", t, &got, &err) ==
             HZ_OK);
    cJSON_Delete(got);
    /* the same batch with the right etag goes through */
    bad[2].if_match = conf_str(docs[3], "_etag");
    HZ_CHECK(hz_store_batch(c->s, HZ_STORE_RESULTS, t, bad, 3, &failed,
                            &err) == HZ_OK);
    got = NULL;
    HZ_CHECK(hz_store_get(c->s, HZ_STORE_RESULTS, "b-new", t, &got, &err) ==
             HZ_OK);
    cJSON_Delete(got);
    HZ_CHECK(hz_store_get(c->s, HZ_STORE_RESULTS, "b-001", t, &got, &err) ==
             HZ_ENOTFOUND);
    /* a document of another partition key is refused */
    cJSON *other = conf_doc("b-x", "someone-else");
    hz_store_op o1 = {.kind = HZ_OP_UPSERT, .doc = other};
    HZ_CHECK(hz_store_batch(c->s, HZ_STORE_RESULTS, t, &o1, 1, &failed,
                            &err) == HZ_EINVAL);
    cJSON_Delete(other);
    cJSON_Delete(nd);
    for (int i = 0; i <= HZ_STORE_BATCH_MAX; i++)
        cJSON_Delete(docs[i]);
}

/* 5. claims, lease expiry, renew and release */
static void conf_claim(conf_ctx *c)
{
    char t[96];
    conf_tenant(c, "claim", t, sizeof t);
    hz_error err;
    double now = hz_wall_now();
    for (int i = 0; i < 5; i++) {
        char id[32];
        snprintf(id, sizeof id, "cj-%d", i);
        cJSON *j = conf_job(id, t, now - 100 + i);
        HZ_CHECK(hz_store_put(c->s, HZ_STORE_JOBS, HZ_PUT_CREATE, j, NULL,
                              &err) == HZ_OK);
        cJSON_Delete(j);
    }
    hz_claim_request rq = {.owner = "runner-a",
                           .now = now,
                           .lease_s = 30,
                           .max_jobs = 3,
                           .customer_id = t};
    cJSON *a = NULL, *b = NULL, *z = NULL;
    HZ_CHECK(hz_store_claim(c->s, &rq, &a, &err) == HZ_OK);
    HZ_CHECK(cJSON_GetArraySize(a) == 3);
    cJSON *j;
    cJSON_ArrayForEach(j, a)
    {
        HZ_CHECK_STR(conf_str(j, "status"), "running");
        HZ_CHECK_STR(conf_str(j, "leaseOwner"), "runner-a");
        HZ_CHECK_NEAR(conf_num(j, "leaseExpiry"), now + 30, 1e-3);
        HZ_CHECK_NEAR(conf_num(j, "attempts"), 1, 0);
        HZ_CHECK(conf_str(j, "_etag") != NULL);
    }
    rq.owner = "runner-b";
    rq.max_jobs = 10;
    HZ_CHECK(hz_store_claim(c->s, &rq, &b, &err) == HZ_OK);
    HZ_CHECK(cJSON_GetArraySize(b) == 2);
    HZ_CHECK(hz_store_claim(c->s, &rq, &z, &err) == HZ_OK);
    HZ_CHECK(cJSON_GetArraySize(z) == 0);
    cJSON_Delete(z);
    z = NULL;
    /* no id claimed twice */
    cJSON_ArrayForEach(j, b)
    {
        cJSON *k;
        cJSON_ArrayForEach(k, a)
            HZ_CHECK(strcmp(conf_str(j, "id"), conf_str(k, "id")) != 0);
    }

    /* renew one of a's jobs; a stale copy then loses */
    cJSON *a0 = cJSON_GetArrayItem(a, 0);
    cJSON *stale = cJSON_Duplicate(a0, 1);
    HZ_CHECK(hz_store_renew_lease(c->s, a0, now + 1, now + 60, &err) == HZ_OK);
    HZ_CHECK(hz_store_renew_lease(c->s, stale, now + 1, now + 90, &err) ==
             HZ_ECONFLICT);
    cJSON_Delete(stale);

    /* after the 30 s leases expire (a's renewed job excepted) the others
     * are claimable again: a takeover, which refunds the dead runner's
     * attempt (attempts stays 1) and is counted in takeovers */
    rq.owner = "runner-c";
    rq.now = now + 31;
    HZ_CHECK(hz_store_claim(c->s, &rq, &z, &err) == HZ_OK);
    HZ_CHECK_MSG(cJSON_GetArraySize(z) == 4, "reclaimed %d, expected 4",
                 cJSON_GetArraySize(z));
    cJSON_ArrayForEach(j, z)
    {
        HZ_CHECK(strcmp(conf_str(j, "id"), conf_str(a0, "id")) != 0);
        HZ_CHECK_NEAR(conf_num(j, "attempts"), 1, 0);
        HZ_CHECK_NEAR(conf_num(j, "takeovers"), 1, 0);
        HZ_CHECK_STR(conf_str(j, "leaseOwner"), "runner-c");
    }
    /* runner b's copies are stale now: finishing one must fail */
    cJSON *b0 = cJSON_GetArrayItem(b, 0);
    char b0etag[HZ_ETAG_MAX];
    snprintf(b0etag, sizeof b0etag, "%s", conf_str(b0, "_etag"));
    cJSON_ReplaceItemInObject(b0, "status", cJSON_CreateString("succeeded"));
    HZ_CHECK(hz_store_finish(c->s, b0, b0etag, NULL, 0, &err) == HZ_ECONFLICT);

    /* release with refund: queued again, attempt not counted */
    cJSON *z0 = cJSON_GetArrayItem(z, 0);
    HZ_CHECK(hz_store_release_lease(c->s, z0, now + 32, true, &err) == HZ_OK);
    cJSON *got = NULL;
    HZ_CHECK(hz_store_get(c->s, HZ_STORE_JOBS, conf_str(z0, "id"), t, &got,
                          &err) == HZ_OK);
    HZ_CHECK_STR(conf_str(got, "status"), "queued");
    HZ_CHECK_NEAR(conf_num(got, "attempts"), 0, 0);
    HZ_CHECK(cJSON_GetObjectItemCaseSensitive(got, "leaseOwner") == NULL);
    cJSON_Delete(got);
    cJSON_Delete(a);
    cJSON_Delete(b);
    cJSON_Delete(z);
}

/* 6. finish: results then the final status; stale etag writes no status */
static void conf_finish(conf_ctx *c)
{
    char t[96];
    conf_tenant(c, "finish", t, sizeof t);
    hz_error err;
    double now = hz_wall_now();
    cJSON *j = conf_job("fj-1", t, now);
    HZ_CHECK(hz_store_put(c->s, HZ_STORE_JOBS, HZ_PUT_CREATE, j, NULL, &err) ==
             HZ_OK);
    cJSON_Delete(j);
    hz_claim_request rq = {.owner = "fin",
                           .now = now,
                           .lease_s = 60,
                           .max_jobs = 1,
                           .customer_id = t};
    cJSON *claimed = NULL;
    HZ_CHECK(hz_store_claim(c->s, &rq, &claimed, &err) == HZ_OK);
    HZ_CHECK(cJSON_GetArraySize(claimed) == 1);
    cJSON *job = cJSON_GetArrayItem(claimed, 0);
    char etag[HZ_ETAG_MAX];
    snprintf(etag, sizeof etag, "%s", conf_str(job, "_etag"));

    enum { NRES = 250 };
    cJSON *res[NRES];
    for (int i = 0; i < NRES; i++) {
        char id[64];
        hz_result_id("fj-1", (size_t)i, id, sizeof id);
        res[i] = conf_doc(id, t);
        cJSON_AddStringToObject(res[i], "jobId", "fj-1");
        cJSON_AddNumberToObject(res[i], "chunk", i);
    }
    cJSON_ReplaceItemInObject(job, "status", cJSON_CreateString("succeeded"));
    cJSON_AddNumberToObject(job, "resultChunks", NRES);
    HZ_CHECK(hz_store_finish(c->s, job, etag, res, NRES, &err) == HZ_OK);
    /* rewriting the same results overwrites (no duplicates) */
    char etag2[HZ_ETAG_MAX];
    snprintf(etag2, sizeof etag2, "%s", conf_str(job, "_etag"));
    HZ_CHECK(hz_store_finish(c->s, job, etag2, res, NRES, &err) == HZ_OK);
    cJSON *got = NULL;
    HZ_CHECK(hz_store_get(c->s, HZ_STORE_JOBS, "fj-1", t, &got, &err) ==
             HZ_OK);
    HZ_CHECK_STR(conf_str(got, "status"), "succeeded");
    cJSON_Delete(got);
    hz_query q = {
        .container = HZ_STORE_RESULTS, .customer_id = t, .job_id = "fj-1"};
    int total = 0;
    char *token = NULL;
    do {
        cJSON *page = NULL;
        char *next = NULL;
        HZ_CHECK(hz_store_query(c->s, &q, 100, token, &page, &next, &err) ==
                 HZ_OK);
        free(token);
        token = next;
        total += cJSON_GetArraySize(page);
        cJSON_Delete(page);
    } while (token != NULL);
    HZ_CHECK_MSG(total == NRES, "%d results, expected %d", total, NRES);
    /* a stale etag: the job keeps its status */
    cJSON_ReplaceItemInObject(job, "status", cJSON_CreateString("failed"));
    HZ_CHECK(hz_store_finish(c->s, job, etag, NULL, 0, &err) == HZ_ECONFLICT);
    HZ_CHECK(hz_store_get(c->s, HZ_STORE_JOBS, "fj-1", t, &got, &err) ==
             HZ_OK);
    HZ_CHECK_STR(conf_str(got, "status"), "succeeded");
    cJSON_Delete(got);
    for (int i = 0; i < NRES; i++)
        cJSON_Delete(res[i]);
    cJSON_Delete(claimed);
}

/* 7. concurrent claims from several handles: each job exactly once */
typedef struct conf_worker {
    hz_store *s;
    const char *tenant;
    char owner[32];
    int claimed;
    char (*ids)[32];
    int maxids;
    hz_status rc;
} conf_worker;

static void *conf_claimer(void *arg)
{
    conf_worker *w = arg;
    hz_error err;
    for (;;) {
        hz_claim_request rq = {.owner = w->owner,
                               .now = hz_wall_now(),
                               .lease_s = 600,
                               .max_jobs = 2,
                               .customer_id = w->tenant};
        cJSON *got = NULL;
        w->rc = hz_store_claim(w->s, &rq, &got, &err);
        if (w->rc != HZ_OK)
            return NULL;
        int n = cJSON_GetArraySize(got);
        cJSON *j;
        cJSON_ArrayForEach(j, got)
        {
            if (w->claimed < w->maxids)
                snprintf(w->ids[w->claimed], 32, "%s", conf_str(j, "id"));
            w->claimed++;
        }
        cJSON_Delete(got);
        if (n == 0)
            return NULL;
    }
}

static int conf_cmp(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

static void conf_concurrent(conf_ctx *c)
{
    if (c->open_another == NULL)
        return;
    char t[96];
    conf_tenant(c, "conc", t, sizeof t);
    hz_error err;
    enum { NJOBS = 60, NW = 4 };
    double now = hz_wall_now();
    for (int i = 0; i < NJOBS; i++) {
        char id[32];
        snprintf(id, sizeof id, "cc-%03d", i);
        cJSON *j = conf_job(id, t, now + i * 1e-3);
        HZ_CHECK(hz_store_put(c->s, HZ_STORE_JOBS, HZ_PUT_CREATE, j, NULL,
                              &err) == HZ_OK);
        cJSON_Delete(j);
    }
    static char ids[NW][NJOBS][32];
    conf_worker w[NW];
    pthread_t th[NW];
    for (int i = 0; i < NW; i++) {
        w[i] = (conf_worker){.tenant = t, .ids = ids[i], .maxids = NJOBS};
        snprintf(w[i].owner, sizeof w[i].owner, "w%d", i);
        w[i].s = c->open_another(c->octx);
        HZ_CHECK(w[i].s != NULL);
    }
    for (int i = 0; i < NW; i++)
        pthread_create(&th[i], NULL, conf_claimer, &w[i]);
    for (int i = 0; i < NW; i++)
        pthread_join(th[i], NULL);
    static char all[NW * NJOBS][32];
    int total = 0;
    for (int i = 0; i < NW; i++) {
        HZ_CHECK_MSG(w[i].rc == HZ_OK, "worker %d: claim failed", i);
        for (int k = 0; k < w[i].claimed && k < NJOBS; k++)
            memcpy(all[total++], ids[i][k], 32);
        hz_store_close(w[i].s);
    }
    HZ_CHECK_MSG(total == NJOBS, "%d claims for %d jobs", total, NJOBS);
    qsort(all, (size_t)total, 32, conf_cmp);
    for (int i = 1; i < total; i++)
        HZ_CHECK_MSG(strcmp(all[i - 1], all[i]) != 0, "job %s claimed twice",
                     all[i]);
}

/* 8. all-or-nothing creation across tenants and batches; the schedules
 * container; a job id in two tenants is ambiguous without a tenant */
static void conf_create_all(conf_ctx *c)
{
    char t1[64], t2[64], id[96], id0[96], idlast[96];
    conf_tenant(c, "ca1", t1, sizeof t1);
    conf_tenant(c, "ca2", t2, sizeof t2);
    hz_error err;
    enum { N = 230 };
    cJSON *docs[N];
    for (int i = 0; i < N; i++) {
        snprintf(id, sizeof id, "%s-ca-%03d", c->tenant, i);
        docs[i] = conf_job(id, i % 3 ? t1 : t2, 1000 + i);
    }
    /* the last one clashes with a document that exists */
    snprintf(id0, sizeof id0, "%s-ca-000", c->tenant);
    snprintf(idlast, sizeof idlast, "%s-ca-%03d", c->tenant, N - 1);
    cJSON *taken = conf_job(idlast, t1, 1);
    HZ_CHECK(hz_store_put(c->s, HZ_STORE_JOBS, HZ_PUT_CREATE, taken, NULL,
                          &err) == HZ_OK);
    size_t bad = 0;
    HZ_CHECK(hz_store_create_all(c->s, HZ_STORE_JOBS, docs, N, &bad, &err) ==
             HZ_ECONFLICT);
    HZ_CHECK_MSG(bad == N - 1, "failed index %zu", bad);
    hz_query q = {.container = HZ_STORE_JOBS, .customer_id = t1};
    cJSON *page = NULL;
    char *next = NULL;
    HZ_CHECK(hz_store_query(c->s, &q, 1000, NULL, &page, &next, &err) ==
             HZ_OK);
    HZ_CHECK_MSG(cJSON_GetArraySize(page) == 1,
                 "%d documents after a failed "
                 "create_all, expected 1",
                 cJSON_GetArraySize(page));
    cJSON_Delete(page);
    free(next);
    HZ_CHECK(hz_store_delete(c->s, HZ_STORE_JOBS, idlast, t1, NULL, &err) ==
             HZ_OK);
    HZ_CHECK(hz_store_create_all(c->s, HZ_STORE_JOBS, docs, N, &bad, &err) ==
             HZ_OK);
    q.customer_id = t2;
    HZ_CHECK(hz_store_query(c->s, &q, 1000, NULL, &page, &next, &err) ==
             HZ_OK);
    HZ_CHECK_MSG(cJSON_GetArraySize(page) == (N + 2) / 3,
                 "%d documents of "
                 "tenant 2",
                 cJSON_GetArraySize(page));
    cJSON_Delete(page);
    free(next);
    /* id0 exists for t2 only: found without a tenant */
    cJSON *got = NULL;
    HZ_CHECK(hz_store_find_job(c->s, id0, NULL, &got, &err) == HZ_OK);
    HZ_CHECK_STR(conf_str(got, "customerId"), t2);
    cJSON_Delete(got);
    cJSON *twin = conf_job(id0, t1, 1);
    HZ_CHECK(hz_store_put(c->s, HZ_STORE_JOBS, HZ_PUT_CREATE, twin, NULL,
                          &err) == HZ_OK);
    got = NULL;
    HZ_CHECK(hz_store_find_job(c->s, id0, NULL, &got, &err) == HZ_EINVAL);
    HZ_CHECK(got == NULL && strstr(err.msg, "ambiguous") != NULL);
    HZ_CHECK(hz_store_find_job(c->s, id0, t1, &got, &err) == HZ_OK);
    cJSON_Delete(got);
    cJSON *sched = conf_doc("sched-1", t1);
    HZ_CHECK(hz_store_put(c->s, HZ_STORE_SCHEDULES, HZ_PUT_CREATE, sched, NULL,
                          &err) == HZ_OK);
    cJSON_Delete(sched);
    cJSON_Delete(twin);
    cJSON_Delete(taken);
    for (int i = 0; i < N; i++)
        cJSON_Delete(docs[i]);
}

void hz__store_conformance(hz_store *s, hz_store *(*open_another)(void *),
                           void *octx);

void hz__store_conformance(hz_store *s, hz_store *(*open_another)(void *),
                           void *octx)
{
    if (s == NULL) {
        hz_test_fail(__FILE__, __LINE__, "no store to test");
        return;
    }
    conf_ctx c = {.s = s, .open_another = open_another, .octx = octx};
    char rid[HZ_JOB_ID_MAX];
    hz_job_new_id("conf", rid);
    snprintf(c.tenant, sizeof c.tenant, "%.40s", rid);
    conf_crud(&c);
    conf_cas(&c);
    conf_query(&c);
    conf_batch(&c);
    conf_claim(&c);
    conf_finish(&c);
    conf_concurrent(&c);
    conf_create_all(&c);
}
