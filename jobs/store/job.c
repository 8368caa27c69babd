/* Job model and dataset metadata: JSON (de)serialisation and validation. */
#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "net/cjson.h"
#include "net/url.h"
#include "horizon/rng.h"
#include "store/job.h"

static const char *const type_names[HZ_JOB_NTYPES] = {
    "forecast", "churn", "clv", "segment", "suite"};
static const char *const status_names[HZ_JOB_NSTATUS] = {
    "queued", "running", "succeeded", "failed", "canceled"};

const char *hz_job_type_name(hz_job_type t)
{
    return (unsigned)t < HZ_JOB_NTYPES ? type_names[t] : "unknown";
}

bool hz_job_type_parse(const char *s, hz_job_type *out)
{
    for (int i = 0; s != NULL && i < HZ_JOB_NTYPES; i++)
        if (strcmp(s, type_names[i]) == 0) {
            *out = (hz_job_type)i;
            return true;
        }
    return false;
}

const char *hz_job_status_name(hz_job_status s)
{
    return (unsigned)s < HZ_JOB_NSTATUS ? status_names[s] : "unknown";
}

bool hz_job_status_parse(const char *s, hz_job_status *out)
{
    for (int i = 0; s != NULL && i < HZ_JOB_NSTATUS; i++)
        if (strcmp(s, status_names[i]) == 0) {
            *out = (hz_job_status)i;
            return true;
        }
    return false;
}

void hz_job_init(hz_job *job)
{
    memset(job, 0, sizeof *job);
    job->status = HZ_JOB_QUEUED;
}

void hz_job_clear(hz_job *job)
{
    if (job == NULL)
        return;
    cJSON_Delete(job->params);
    hz_job_init(job);
}

double hz_wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

char *hz_format_time(double epoch_s, char *buf, size_t bufsz)
{
    if (!(epoch_s > 0)) {
        snprintf(buf, bufsz, "-");
        return buf;
    }
    time_t t = (time_t)epoch_s;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, bufsz, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

void hz_job_new_id(const char *prefix, char *out)
{
    static __thread uint64_t rng; /* xorshift64* state, per thread */
    if (rng == 0)
        rng = hz_rng_entropy_seed(&rng);
    uint32_t r = (uint32_t)(hz_rng_xorshift64star(&rng) >> 32);
    unsigned long long ms = (unsigned long long)(hz_wall_now() * 1000.0);
    snprintf(out, HZ_JOB_ID_MAX, "%s-%012llx-%08x", prefix ? prefix : "j", ms,
             r);
}

bool hz_job_id_ok(const char *s)
{
    if (s == NULL)
        return false;
    size_t n = strlen(s);
    if (n == 0 || n >= HZ_JOB_ID_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '.' || c == '_' || c == ':' ||
              c == '-'))
            return false;
    }
    return true;
}

void hz_result_id(const char *job_id, size_t chunk, char *out, size_t outsz)
{
    snprintf(out, outsz, "%s-r%05zu", job_id, chunk);
}

/* ---- parsing helpers: each names the field ---- */

static hz_status field_str(const cJSON *doc, const char *where,
                           const char *field, bool required, char *out,
                           size_t outsz, hz_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, field);
    if (v == NULL || cJSON_IsNull(v)) {
        out[0] = '\0';
        if (required)
            return hz_error_set(err, HZ_EINVAL, "%s: field '%s' is missing",
                                where, field);
        return HZ_OK;
    }
    if (!cJSON_IsString(v))
        return hz_error_set(err, HZ_EINVAL,
                            "%s: field '%s': expected a "
                            "string",
                            where, field);
    if (strlen(v->valuestring) >= outsz)
        return hz_error_set(err, HZ_EINVAL,
                            "%s: field '%s': longer than %zu"
                            " bytes",
                            where, field, outsz - 1);
    memcpy(out, v->valuestring, strlen(v->valuestring) + 1);
    return HZ_OK;
}

static hz_status field_num(const cJSON *doc, const char *where,
                           const char *field, double lo, double hi,
                           double dflt, double *out, hz_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, field);
    if (v == NULL || cJSON_IsNull(v)) {
        *out = dflt;
        return HZ_OK;
    }
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
        return hz_error_set(err, HZ_EINVAL,
                            "%s: field '%s': expected a "
                            "number",
                            where, field);
    if (v->valuedouble < lo || v->valuedouble > hi)
        return hz_error_set(err, HZ_EINVAL,
                            "%s: field '%s': %g is out of "
                            "range [%g, %g]",
                            where, field, v->valuedouble, lo, hi);
    *out = v->valuedouble;
    return HZ_OK;
}

static bool is_url(const char *s)
{
    /* Schemes are case-insensitive (RFC 3986 3.1): HTTPS:// is https. */
    return strncasecmp(s, "http://", 7) == 0 ||
           strncasecmp(s, "https://", 8) == 0 ||
           strncasecmp(s, "file://", 7) == 0;
}

hz_status hz_job_from_json(const cJSON *doc, hz_job *job, hz_error *err)
{
    hz_status rc = HZ_OK;
    char where[HZ_JOB_ID_MAX + 8] = "job";
    char buf[64];
    double d;
    hz_job_init(job);
    if (!cJSON_IsObject(doc))
        return hz_error_set(err, HZ_EINVAL, "job: not a JSON object");

    rc = field_str(doc, "job", "id", true, job->id, sizeof job->id, err);
    if (rc != HZ_OK)
        goto fail;
    if (!hz_job_id_ok(job->id)) {
        rc = hz_error_set(err, HZ_EINVAL,
                          "job: field 'id': '%s' is not a "
                          "valid id (1-127 of A-Z a-z 0-9 . _ : -)",
                          job->id);
        goto fail;
    }
    snprintf(where, sizeof where, "job %s", job->id);

    rc = field_str(doc, where, "customerId", true, job->customer_id,
                   sizeof job->customer_id, err);
    if (rc != HZ_OK)
        goto fail;
    if (!hz_job_id_ok(job->customer_id)) {
        rc = hz_error_set(err, HZ_EINVAL,
                          "%s: field 'customerId': '%s' is "
                          "not a valid tenant id",
                          where, job->customer_id);
        goto fail;
    }

    rc = field_str(doc, where, "type", true, buf, sizeof buf, err);
    if (rc != HZ_OK)
        goto fail;
    if (!hz_job_type_parse(buf, &job->type)) {
        rc = hz_error_set(err, HZ_EINVAL,
                          "%s: field 'type': unknown job type"
                          " '%s' (expected forecast, churn, clv, segment, "
                          "suite)",
                          where, buf);
        goto fail;
    }

    rc = field_str(doc, where, "dataset", false, job->dataset,
                   sizeof job->dataset, err);
    if (rc == HZ_OK)
        rc = field_str(doc, where, "datasetId", false, job->dataset_id,
                       sizeof job->dataset_id, err);
    if (rc != HZ_OK)
        goto fail;
    if (job->dataset[0] == '\0' && job->dataset_id[0] == '\0') {
        rc = hz_error_set(err, HZ_EINVAL,
                          "%s: field 'dataset' is missing "
                          "(a path or an http(s) URL; or 'datasetId')",
                          where);
        goto fail;
    }
    if (job->dataset[0] != '\0' && job->dataset_id[0] != '\0') {
        rc = hz_error_set(err, HZ_EINVAL,
                          "%s: fields 'dataset' and "
                          "'datasetId' are exclusive",
                          where);
        goto fail;
    }
    if (strstr(job->dataset, "://") != NULL && !is_url(job->dataset)) {
        char shown[512];
        hz_url_redact(job->dataset, shown, sizeof shown);
        rc = hz_error_set(err, HZ_EINVAL,
                          "%s: field 'dataset': unsupported "
                          "URL scheme in '%s' (expected http, https or "
                          "file)",
                          where, shown);
        goto fail;
    }

    const cJSON *p = cJSON_GetObjectItemCaseSensitive(doc, "params");
    if (p != NULL && !cJSON_IsNull(p) && !cJSON_IsObject(p)) {
        rc = hz_error_set(err, HZ_EINVAL,
                          "%s: field 'params': expected an "
                          "object",
                          where);
        goto fail;
    }
    job->params = (p != NULL && cJSON_IsObject(p)) ? cJSON_Duplicate(p, 1)
                                                   : cJSON_CreateObject();
    if (job->params == NULL) {
        rc = hz_error_set(err, HZ_ENOMEM, "%s: out of memory", where);
        goto fail;
    }

    rc = field_str(doc, where, "status", false, buf, sizeof buf, err);
    if (rc != HZ_OK)
        goto fail;
    if (buf[0] != '\0' && !hz_job_status_parse(buf, &job->status)) {
        rc = hz_error_set(err, HZ_EINVAL,
                          "%s: field 'status': unknown "
                          "status '%s' (expected queued, running, succeeded,"
                          " failed, canceled)",
                          where, buf);
        goto fail;
    }

    if ((rc = field_num(doc, where, "attempts", 0, 1e6, 0, &d, err)))
        goto fail;
    job->attempts = (int)d;
    if ((rc = field_num(doc, where, "maxAttempts", 0, 1000, 0, &d, err)))
        goto fail;
    job->max_attempts = (int)d;
    if ((rc = field_num(doc, where, "timeoutS", 0, 86400 * 7, 0,
                        &job->timeout_s, err)))
        goto fail;
    if ((rc = field_str(doc, where, "leaseOwner", false, job->lease_owner,
                        sizeof job->lease_owner, err)))
        goto fail;
    if ((rc = field_num(doc, where, "leaseExpiry", 0, 1e12, 0,
                        &job->lease_expiry, err)) ||
        (rc = field_num(doc, where, "createdAt", 0, 1e12, 0, &job->created_at,
                        err)) ||
        (rc = field_num(doc, where, "startedAt", 0, 1e12, 0, &job->started_at,
                        err)) ||
        (rc = field_num(doc, where, "finishedAt", 0, 1e12, 0,
                        &job->finished_at, err)) ||
        (rc = field_num(doc, where, "updatedAt", 0, 1e12, 0, &job->updated_at,
                        err)))
        goto fail;
    if (job->created_at == 0)
        job->created_at = hz_wall_now();
    /* error text may be long: truncate quietly rather than reject */
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(doc, "error");
    if (cJSON_IsString(e))
        snprintf(job->error, sizeof job->error, "%s", e->valuestring);
    e = cJSON_GetObjectItemCaseSensitive(doc, "errorReason");
    if (cJSON_IsString(e))
        snprintf(job->error_reason, sizeof job->error_reason, "%s",
                 e->valuestring);
    e = cJSON_GetObjectItemCaseSensitive(doc, "_etag");
    if (cJSON_IsString(e))
        snprintf(job->etag, sizeof job->etag, "%s", e->valuestring);
    return HZ_OK;
fail:
    hz_job_clear(job);
    return rc;
}

static void set_or_drop_num(cJSON *o, const char *k, double v)
{
    if (v > 0)
        hz__cjson_set(o, k, cJSON_CreateNumber(v));
    else
        cJSON_DeleteItemFromObjectCaseSensitive(o, k);
}

static void set_or_drop_str(cJSON *o, const char *k, const char *v)
{
    if (v != NULL && v[0] != '\0')
        hz__cjson_set(o, k, cJSON_CreateString(v));
    else
        cJSON_DeleteItemFromObjectCaseSensitive(o, k);
}

cJSON *hz_job_to_json(const hz_job *job, const cJSON *base)
{
    cJSON *o = base ? cJSON_Duplicate(base, 1) : cJSON_CreateObject();
    if (o == NULL)
        return NULL;
    hz__cjson_set(o, "id", cJSON_CreateString(job->id));
    hz__cjson_set(o, "type", cJSON_CreateString(hz_job_type_name(job->type)));
    hz__cjson_set(o, "customerId", cJSON_CreateString(job->customer_id));
    set_or_drop_str(o, "dataset", job->dataset);
    set_or_drop_str(o, "datasetId", job->dataset_id);
    hz__cjson_set(o, "params",
                  job->params ? cJSON_Duplicate(job->params, 1)
                              : cJSON_CreateObject());
    hz__cjson_set(o, "status",
                  cJSON_CreateString(hz_job_status_name(job->status)));
    hz__cjson_set(o, "attempts", cJSON_CreateNumber(job->attempts));
    set_or_drop_num(o, "maxAttempts", job->max_attempts);
    set_or_drop_num(o, "timeoutS", job->timeout_s);
    set_or_drop_str(o, "leaseOwner", job->lease_owner);
    set_or_drop_num(o, "leaseExpiry", job->lease_expiry);
    set_or_drop_num(o, "createdAt", job->created_at);
    set_or_drop_num(o, "startedAt", job->started_at);
    set_or_drop_num(o, "finishedAt", job->finished_at);
    set_or_drop_num(o, "updatedAt", job->updated_at);
    set_or_drop_str(o, "error", job->error);
    set_or_drop_str(o, "errorReason", job->error_reason);
    set_or_drop_str(o, "_etag", job->etag);
    return o;
}

/* ---- dataset metadata ---- */

void hz_dataset_meta_init(hz_dataset_meta *m)
{
    memset(m, 0, sizeof *m);
    m->size = -1;
}

void hz_dataset_meta_clear(hz_dataset_meta *m)
{
    if (m == NULL)
        return;
    cJSON_Delete(m->profile);
    hz_dataset_meta_init(m);
}

hz_status hz_dataset_meta_from_json(const cJSON *doc, hz_dataset_meta *m,
                                    hz_error *err)
{
    hz_status rc;
    char where[HZ_JOB_ID_MAX + 16] = "dataset";
    double d;
    hz_dataset_meta_init(m);
    if (!cJSON_IsObject(doc))
        return hz_error_set(err, HZ_EINVAL, "dataset: not a JSON object");
    if ((rc = field_str(doc, where, "id", true, m->id, sizeof m->id, err)))
        goto fail;
    if (!hz_job_id_ok(m->id)) {
        rc = hz_error_set(err, HZ_EINVAL,
                          "dataset: field 'id': '%s' is not "
                          "a valid id",
                          m->id);
        goto fail;
    }
    snprintf(where, sizeof where, "dataset %s", m->id);
    if ((rc = field_str(doc, where, "customerId", true, m->customer_id,
                        sizeof m->customer_id, err)) ||
        (rc = field_str(doc, where, "name", false, m->name, sizeof m->name,
                        err)) ||
        (rc = field_str(doc, where, "uri", true, m->uri, sizeof m->uri, err)))
        goto fail;
    if ((rc = field_num(doc, where, "size", -1, 1e18, -1, &d, err)))
        goto fail;
    m->size = (long long)d;
    if ((rc = field_num(doc, where, "createdAt", 0, 1e12, 0, &m->created_at,
                        err)))
        goto fail;
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(doc, "profile");
    if (p != NULL && !cJSON_IsNull(p)) {
        if (!cJSON_IsObject(p)) {
            rc = hz_error_set(err, HZ_EINVAL,
                              "%s: field 'profile': expected"
                              " an object",
                              where);
            goto fail;
        }
        m->profile = cJSON_Duplicate(p, 1);
    }
    return HZ_OK;
fail:
    hz_dataset_meta_clear(m);
    return rc;
}

cJSON *hz_dataset_meta_to_json(const hz_dataset_meta *m)
{
    cJSON *o = cJSON_CreateObject();
    if (o == NULL)
        return NULL;
    cJSON_AddStringToObject(o, "id", m->id);
    cJSON_AddStringToObject(o, "customerId", m->customer_id);
    if (m->name[0])
        cJSON_AddStringToObject(o, "name", m->name);
    cJSON_AddStringToObject(o, "uri", m->uri);
    cJSON_AddNumberToObject(o, "size", (double)m->size);
    if (m->profile)
        cJSON_AddItemToObject(o, "profile", cJSON_Duplicate(m->profile, 1));
    if (m->created_at > 0)
        cJSON_AddNumberToObject(o, "createdAt", m->created_at);
    return o;
}
