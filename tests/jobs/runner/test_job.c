/* Job model: JSON round trip, validation messages that name the field,
 * result ids, failure records, metrics quantiles (job parameters:
 * tests/jobs/cli). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner/exec.h"
#include "hz_test.h"
#include "store/job.h"
#include "store/store.h"
#include "runner/metrics.h"

static cJSON *parse(const char *s)
{
    cJSON *j = cJSON_Parse(s);
    if (j == NULL)
        fprintf(stderr, "bad test JSON: %s\n", s);
    return j;
}

HZ_TEST(job_round_trip_keeps_unknown_fields)
{
    cJSON *d = parse("{\"id\":\"j-1\",\"type\":\"suite\",\"customerId\":"
                     "\"acme\",\"dataset\":\"data/x.csv\",\"params\":{\"k\":"
                     "4},\"status\":\"running\",\"attempts\":2,"
                     "\"maxAttempts\":5,\"timeoutS\":12.5,\"leaseOwner\":"
                     "\"h:1:a\",\"leaseExpiry\":1764200000.25,\"createdAt\":"
                     "1764100000,\"note\":\"kept\",\"_etag\":\"\\\"e1\\\"\"}");
    HZ_CHECK(d != NULL);
    hz_job job;
    hz_error err;
    HZ_CHECK(hz_job_from_json(d, &job, &err) == HZ_OK);
    HZ_CHECK_STR(job.id, "j-1");
    HZ_CHECK(job.type == HZ_JOB_SUITE);
    HZ_CHECK(job.status == HZ_JOB_RUNNING);
    HZ_CHECK(job.attempts == 2 && job.max_attempts == 5);
    HZ_CHECK_NEAR(job.timeout_s, 12.5, 0);
    HZ_CHECK_NEAR(job.lease_expiry, 1764200000.25, 1e-6);
    HZ_CHECK_STR(job.etag, "\"e1\"");
    HZ_CHECK_NEAR(cJSON_GetObjectItem(job.params, "k")->valuedouble, 4, 0);
    job.status = HZ_JOB_SUCCEEDED;
    job.lease_owner[0] = '\0';
    cJSON *out = hz_job_to_json(&job, d);
    HZ_CHECK_STR(cJSON_GetObjectItem(out, "status")->valuestring, "succeeded");
    HZ_CHECK_STR(cJSON_GetObjectItem(out, "note")->valuestring, "kept");
    HZ_CHECK(cJSON_GetObjectItem(out, "leaseOwner") == NULL);
    hz_job again;
    HZ_CHECK(hz_job_from_json(out, &again, &err) == HZ_OK);
    HZ_CHECK(again.type == HZ_JOB_SUITE && again.attempts == 2);
    hz_job_clear(&again);
    hz_job_clear(&job);
    cJSON_Delete(out);
    cJSON_Delete(d);
}

/* Each malformed document fails with a message naming the field. */
HZ_TEST(job_validation_names_the_field)
{
    static const struct {
        const char *doc, *msg;
    } cases[] = {
        {"[1]", "not a JSON object"},
        {"{\"type\":\"forecast\",\"customerId\":\"a\",\"dataset\":\"x\"}",
         "field 'id' is missing"},
        {"{\"id\":\"a b\",\"type\":\"forecast\",\"customerId\":\"a\","
         "\"dataset\":\"x\"}",
         "field 'id': 'a b' is not a valid id"},
        {"{\"id\":\"j\",\"type\":\"forecast\",\"dataset\":\"x\"}",
         "job j: field 'customerId' is missing"},
        {"{\"id\":\"j\",\"type\":\"cluster\",\"customerId\":\"a\","
         "\"dataset\":\"x\"}",
         "job j: field 'type': unknown job type "
         "'cluster' (expected forecast, churn, clv, segment, suite)"},
        {"{\"id\":\"j\",\"type\":7,\"customerId\":\"a\",\"dataset\":\"x\"}",
         "field 'type': expected a string"},
        {"{\"id\":\"j\",\"type\":\"clv\",\"customerId\":\"a\"}",
         "field 'dataset' is missing"},
        {"{\"id\":\"j\",\"type\":\"clv\",\"customerId\":\"a\",\"dataset\":"
         "\"x\",\"datasetId\":\"d\"}",
         "'dataset' and 'datasetId' are "
         "exclusive"},
        {"{\"id\":\"j\",\"type\":\"clv\",\"customerId\":\"a\",\"dataset\":"
         "\"ftp://h/x.csv\"}",
         "unsupported URL scheme"},
        {"{\"id\":\"j\",\"type\":\"clv\",\"customerId\":\"a\",\"dataset\":"
         "\"x\",\"params\":\"k=3\"}",
         "field 'params': expected an object"},
        {"{\"id\":\"j\",\"type\":\"clv\",\"customerId\":\"a\",\"dataset\":"
         "\"x\",\"status\":\"done\"}",
         "field 'status': unknown status "
         "'done'"},
        {"{\"id\":\"j\",\"type\":\"clv\",\"customerId\":\"a\",\"dataset\":"
         "\"x\",\"attempts\":-1}",
         "field 'attempts': -1 is out of range"},
        {"{\"id\":\"j\",\"type\":\"clv\",\"customerId\":\"a\",\"dataset\":"
         "\"x\",\"timeoutS\":\"soon\"}",
         "field 'timeoutS': expected a "
         "number"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cJSON *d = parse(cases[i].doc);
        HZ_CHECK(d != NULL);
        hz_job job;
        hz_error err;
        hz_status rc = hz_job_from_json(d, &job, &err);
        cJSON_Delete(d);
        HZ_CHECK_MSG(rc == HZ_EINVAL, "case %zu accepted", i);
        HZ_CHECK_CONTAINS(err.msg, cases[i].msg);
        HZ_CHECK(job.params == NULL); /* left cleared */
    }
}

HZ_TEST(job_names_ids_and_times)
{
    hz_job_type t;
    HZ_CHECK(hz_job_type_parse("segment", &t) && t == HZ_JOB_SEGMENT);
    HZ_CHECK(!hz_job_type_parse("Segment", &t));
    HZ_CHECK_STR(hz_job_type_name(HZ_JOB_CLV), "clv");
    hz_job_status s;
    HZ_CHECK(hz_job_status_parse("failed", &s) && s == HZ_JOB_FAILED);
    char a[HZ_JOB_ID_MAX], b[HZ_JOB_ID_MAX];
    hz_job_new_id("j", a);
    hz_job_new_id("j", b);
    HZ_CHECK(hz_job_id_ok(a) && hz_job_id_ok(b));
    HZ_CHECK(strcmp(a, b) != 0);
    HZ_CHECK(strncmp(a, "j-", 2) == 0 && strlen(a) == 2 + 12 + 1 + 8);
    HZ_CHECK(!hz_job_id_ok("has/slash") && !hz_job_id_ok(""));
    char rid[HZ_JOB_ID_MAX + 16];
    hz_result_id("j-1", 7, rid, sizeof rid);
    HZ_CHECK_STR(rid, "j-1-r00007");
    char tbuf[32];
    HZ_CHECK_STR(hz_format_time(1764210660.9, tbuf, sizeof tbuf),
                 "2025-11-27T02:31:00Z");
    HZ_CHECK_STR(hz_format_time(0, tbuf, sizeof tbuf), "-");
}

HZ_TEST(dataset_meta_round_trip)
{
    cJSON *d = parse("{\"id\":\"d-1\",\"customerId\":\"acme\",\"name\":"
                     "\"sales\",\"uri\":\"https://x/y.csv\",\"size\":1234,"
                     "\"profile\":{\"rows\":10,\"columns\":[]}}");
    hz_dataset_meta m;
    hz_error err;
    HZ_CHECK(hz_dataset_meta_from_json(d, &m, &err) == HZ_OK);
    HZ_CHECK(m.size == 1234);
    HZ_CHECK_STR(m.uri, "https://x/y.csv");
    cJSON *o = hz_dataset_meta_to_json(&m);
    HZ_CHECK_NEAR(
        cJSON_GetObjectItem(cJSON_GetObjectItem(o, "profile"), "rows")
            ->valuedouble,
        10, 0);
    cJSON_Delete(o);
    hz_dataset_meta_clear(&m);
    cJSON_DeleteItemFromObject(d, "uri");
    HZ_CHECK(hz_dataset_meta_from_json(d, &m, &err) == HZ_EINVAL);
    HZ_CHECK_CONTAINS(err.msg, "dataset d-1: field 'uri' is missing");
    cJSON_Delete(d);
}

HZ_TEST(metrics_quantiles_and_reasons)
{
    /* numpy.quantile([2.385, 1, 4, 3, 10], q) (linear): */
    double x[5] = {2.385, 1, 4, 3, 10};
    HZ_CHECK_NEAR(hz_quantile(x, 5, 0.5), 3, 1e-12);
    HZ_CHECK_NEAR(hz_quantile(x, 5, 0.95), 8.8, 1e-12);
    HZ_CHECK_NEAR(hz_quantile(x, 5, 0.25), 2.385, 1e-12);
    HZ_CHECK_NEAR(hz_quantile(x, 5, 0.1), 1.554, 1e-12);
    HZ_CHECK(isnan(hz_quantile(x, 0, 0.5)));
    hz_metrics *m = hz_metrics_new();
    double st[HZ_NSTAGES] = {0.001, 0.01, 0.1, 0.002, 0.005};
    for (int i = 0; i < 10; i++) {
        st[HZ_STAGE_COMPUTE] = 0.1 * (i + 1);
        hz_metrics_add_job(m, "forecast", st, 0.2 * (i + 1), i < 8,
                           i == 8 ? "timeout" : "params");
    }
    hz_metrics_add_requeue(m, "crash");
    hz_metrics_add_store(m, 0.5, 20);
    hz_metrics_set_wall(m, 2.0, 4);
    HZ_CHECK(hz_metrics_done(m) == 8 && hz_metrics_failed(m) == 2);
    HZ_CHECK_NEAR(hz_metrics_stage_quantile(m, HZ_STAGE_COMPUTE, 0.5), 0.55,
                  1e-12);
    HZ_CHECK_NEAR(hz_metrics_latency_quantile(m, 0.95), 1.91, 1e-12);
    cJSON *j = hz_metrics_to_json(m);
    HZ_CHECK_NEAR(cJSON_GetObjectItem(j, "jobsPerS")->valuedouble, 5, 1e-9);
    cJSON *fr = cJSON_GetObjectItem(j, "failuresByReason");
    HZ_CHECK_NEAR(cJSON_GetObjectItem(fr, "timeout")->valuedouble, 1, 0);
    HZ_CHECK_NEAR(cJSON_GetObjectItem(fr, "params")->valuedouble, 1, 0);
    HZ_CHECK(cJSON_GetObjectItem(fr, "crash") == NULL);
    cJSON *so = cJSON_GetObjectItem(j, "store");
    /* 0.5 s of store over 11 s of job latency + the 0.5 s */
    HZ_CHECK_NEAR(cJSON_GetObjectItem(so, "shareOfJobTime")->valuedouble,
                  0.5 / 11.5, 1e-6);
    cJSON_Delete(j);
    char path[1024];
    snprintf(path, sizeof path, "%s/metrics.json", hz_test_tmpdir());
    hz_error err;
    HZ_CHECK(hz_metrics_write_json(m, path, &err) == HZ_OK);
    HZ_CHECK(hz_metrics_write_json(m, "/nonexistent/x.json", &err) == HZ_EIO);
    HZ_CHECK_CONTAINS(err.msg, "/nonexistent/x.json");
    hz_metrics_free(m);
}

/* A failure record always fits: the error is cut at HZ_JOB_ERROR_MAX bytes
 * on a UTF-8 boundary with a marker, and a lean record keeps the job's
 * identity, its reason and bookkeeping, and names what it left out
 * (a job document near Cosmos DB's 2 MB failed with a 413, stayed running
 * and was taken over for ever). */
HZ_TEST(failure_record_is_bounded)
{
    cJSON *job = parse("{\"id\":\"j-big\",\"customerId\":\"acme\",\"type\":"
                       "\"forecast\",\"dataset\":\"/d/x.csv\",\"status\":"
                       "\"running\",\"attempts\":2,\"takeovers\":1,"
                       "\"leaseOwner\":\"h:1:a\",\"leaseExpiry\":5,"
                       "\"createdAt\":1,\"_etag\":\"e1\",\"params\":{\"a\":1}}");
    HZ_CHECK(job != NULL);
    size_t big = 3 * 1024 * 1024;
    char *pad = malloc(big + 1);
    memset(pad, 'y', big);
    pad[big] = '\0';
    cJSON_AddStringToObject(job, "pad", pad);
    /* a message of 5000 bytes whose cut falls inside a 3-byte character */
    char msg[5001];
    memset(msg, 'e', 5000);
    msg[5000] = '\0';
    memcpy(msg + HZ_JOB_ERROR_MAX - 49, "\xe2\x82\xac", 3); /* U+20AC */
    cJSON *rec = hz_store_failure_record(job, "write", msg, 100, false);
    HZ_CHECK(rec != NULL);
    const char *e = cJSON_GetStringValue(cJSON_GetObjectItem(rec, "error"));
    HZ_CHECK(e != NULL && strlen(e) <= HZ_JOB_ERROR_MAX);
    HZ_CHECK_CONTAINS(e, "bytes cut]");
    HZ_CHECK(strstr(e, "\xe2\x82") == NULL || strstr(e, "\xe2\x82\xac") != NULL);
    HZ_CHECK(cJSON_GetObjectItem(rec, "pad") != NULL); /* not lean: kept */
    HZ_CHECK(cJSON_GetObjectItem(rec, "leaseOwner") == NULL);
    HZ_CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(rec, "status")),
                 "failed");
    cJSON_Delete(rec);

    rec = hz_store_failure_record(job, "write", msg, 100, true);
    HZ_CHECK(rec != NULL);
    char *text = cJSON_PrintUnformatted(rec);
    HZ_CHECK_MSG(text != NULL && strlen(text) < 8192, "%zu bytes",
                 text ? strlen(text) : 0);
    free(text);
    e = cJSON_GetStringValue(cJSON_GetObjectItem(rec, "error"));
    HZ_CHECK(e != NULL && strlen(e) <= HZ_JOB_ERROR_MAX);
    HZ_CHECK_CONTAINS(e, "bytes cut]");
    HZ_CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(rec, "id")), "j-big");
    HZ_CHECK_STR(
        cJSON_GetStringValue(cJSON_GetObjectItem(rec, "errorReason")), "write");
    HZ_CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(rec, "_etag")), "e1");
    HZ_CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(rec, "dataset")),
                 "/d/x.csv");
    HZ_CHECK(cJSON_GetNumberValue(cJSON_GetObjectItem(rec, "takeovers")) == 1);
    HZ_CHECK(cJSON_GetObjectItem(rec, "pad") == NULL);
    HZ_CHECK(cJSON_GetObjectItem(rec, "params") == NULL);
    HZ_CHECK(cJSON_GetObjectItem(rec, "leaseOwner") == NULL);
    cJSON *dropped = cJSON_GetObjectItem(rec, "droppedFields");
    HZ_CHECK(cJSON_GetArraySize(dropped) == 2);
    cJSON_Delete(rec);
    /* a short message is kept whole, naming what was left out */
    rec = hz_store_failure_record(job, "write", "HTTP 413", 100, true);
    e = cJSON_GetStringValue(cJSON_GetObjectItem(rec, "error"));
    HZ_CHECK_CONTAINS(e, "HTTP 413 (the job document was too large");
    HZ_CHECK_CONTAINS(e, "its fields params, pad were left out");
    cJSON_Delete(rec);
    free(pad);
    cJSON_Delete(job);
}
