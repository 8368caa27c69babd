/* Schedules: checks, slot jobs and their materialisation (see
 * schedule.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner/runner_internal.h"
#include "net/cjson.h"
#include "runner/schedule.h"
#include "store/job.h"

hz_status hz_schedule_check(const cJSON *doc, hz_job_request_fn build,
                            hz_error *err)
{
    const char *id = hz__cjson_str(doc, "id"),
               *tenant = hz__cjson_str(doc, "customerId");
    if (id == NULL || !hz_job_id_ok(id) || strlen(id) > HZ_SCHEDULE_ID_MAX)
        return hz_error_set(err, HZ_EINVAL,
                            "schedule: field 'id': expected 1-%d of A-Z a-z "
                            "0-9 . _ : -",
                            HZ_SCHEDULE_ID_MAX);
    if (tenant == NULL || !hz_job_id_ok(tenant))
        return hz_error_set(err, HZ_EINVAL,
                            "schedule %s: field 'customerId': expected a "
                            "tenant id",
                            id);
    hz_cron c;
    const char *cron = hz__cjson_str(doc, "cron");
    if (cron == NULL)
        return hz_error_set(err, HZ_EINVAL,
                            "schedule %s: field 'cron' is "
                            "missing",
                            id);
    hz_status rc = hz_cron_parse(cron, &c, err);
    if (rc != HZ_OK)
        return rc;
    const char *tz = hz__cjson_str(doc, "timeZone");
    if (!hz_tz_valid(tz))
        return hz_error_set(err, HZ_EINVAL,
                            "schedule %s: field 'timeZone': '%s' is not in "
                            "the system tz database (e.g. Europe/Berlin, "
                            "UTC)",
                            id, tz ? tz : "(missing)");
    double cu = hz__cjson_num(doc, "catchUp", HZ_SCHEDULE_CATCHUP_DEFAULT);
    if (!(cu >= 1 && cu <= HZ_SCHEDULE_CATCHUP_MAX) || cu != floor(cu))
        return hz_error_set(err, HZ_EINVAL,
                            "schedule %s: field 'catchUp': expected an "
                            "integer in [1, %d]",
                            id, HZ_SCHEDULE_CATCHUP_MAX);
    /* the job template, as a job of this tenant */
    cJSON *job = hz_schedule_job(doc, &(hz_cron_slot){.t = 0, .wall = "check"},
                                 0);
    hz_job j;
    rc = job ? hz_job_from_json(job, &j, err)
             : hz_error_set(err, HZ_EINVAL,
                            "schedule %s: field 'job' is "
                            "missing",
                            id);
    if (rc == HZ_OK) {
        rc = hz_exec_validate(&j, build, err);
        hz_job_clear(&j);
    }
    cJSON_Delete(job);
    return rc;
}

cJSON *hz_schedule_job(const cJSON *sched, const hz_cron_slot *slot,
                       double now)
{
    const cJSON *tmpl = cJSON_GetObjectItemCaseSensitive(sched, "job");
    if (!cJSON_IsObject(tmpl))
        return NULL;
    cJSON *job = cJSON_CreateObject();
    static const char *const keep[] = {"type",   "dataset",  "datasetId",
                                       "params", "timeoutS", "maxAttempts",
                                       NULL};
    for (int i = 0; keep[i] != NULL; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(tmpl, keep[i]);
        if (v != NULL)
            cJSON_AddItemToObject(job, keep[i], cJSON_Duplicate(v, 1));
    }
    char id[HZ_JOB_ID_MAX];
    snprintf(id, sizeof id, "%s-%s",
             hz__cjson_str(sched, "id") ? hz__cjson_str(sched, "id") : "",
             slot->wall);
    cJSON_AddStringToObject(job, "id", id);
    cJSON_AddStringToObject(job, "customerId",
                            hz__cjson_str(sched, "customerId")
                                ? hz__cjson_str(sched, "customerId")
                                : "");
    cJSON_AddStringToObject(job, "status", "queued");
    cJSON_AddNumberToObject(job, "attempts", 0);
    cJSON_AddNumberToObject(job, "createdAt", (double)slot->t);
    cJSON_AddNumberToObject(job, "updatedAt", now);
    cJSON_AddStringToObject(job, "scheduleId", hz__cjson_str(sched, "id"));
    cJSON_AddStringToObject(job, "slot", slot->wall);
    return job;
}

/* ---- slot computations ---- */

/* Parse the slot reply of the helper into out. */
static hz_status slots_from_json(const cJSON *reply, hz_cron_slot *out,
                                 size_t max, size_t *n, size_t *skipped,
                                 hz_error *err)
{
    *n = 0;
    const char *e = hz__cjson_str(reply, "error");
    if (e != NULL || !cJSON_IsObject(reply))
        return hz_error_set(err, HZ_EINVAL, "%s", e ? e : "no slots");
    const cJSON *s;
    cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(reply, "slots"))
    {
        if (*n == max)
            break;
        out[*n].t = (int64_t)hz__cjson_num(s, "t", 0);
        snprintf(out[*n].wall, sizeof out[*n].wall, "%s",
                 hz__cjson_str(s, "wall") ? hz__cjson_str(s, "wall") : "");
        (*n)++;
    }
    *skipped = (size_t)hz__cjson_num(reply, "skipped", 0);
    return HZ_OK;
}

char *hz__schedule_call(const char *request)
{
    cJSON *q = cJSON_Parse(request);
    cJSON *r = cJSON_CreateObject();
    hz_cron c;
    hz_error err;
    hz_error_clear(&err);
    size_t max = (size_t)hz__cjson_num(q, "max", 0), n = 0, skipped = 0;
    if (max > HZ_SCHEDULE_CATCHUP_MAX)
        max = HZ_SCHEDULE_CATCHUP_MAX;
    hz_cron_slot *slots = calloc(max + 1, sizeof *slots);
    hz_status rc = slots == NULL
                       ? hz_error_set(&err, HZ_ENOMEM, "out of memory")
                       : hz_cron_parse(hz__cjson_str(q, "cron")
                                           ? hz__cjson_str(q, "cron")
                                           : "",
                                       &c, &err);
    if (rc == HZ_OK)
        rc = hz_cron_slots(&c, hz__cjson_str(q, "tz"),
                           (int64_t)hz__cjson_num(q, "from", 0),
                           (int64_t)hz__cjson_num(q, "to", 0), slots, max, &n,
                           &skipped, &err);
    if (rc != HZ_OK) {
        cJSON_AddStringToObject(r, "error", err.msg);
    } else {
        cJSON *arr = cJSON_AddArrayToObject(r, "slots");
        for (size_t i = 0; i < n; i++) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddNumberToObject(o, "t", (double)slots[i].t);
            cJSON_AddStringToObject(o, "wall", slots[i].wall);
            cJSON_AddItemToArray(arr, o);
        }
        cJSON_AddNumberToObject(r, "skipped", (double)skipped);
    }
    char *text = cJSON_PrintUnformatted(r);
    cJSON_Delete(q);
    cJSON_Delete(r);
    free(slots);
    return text;
}

hz_status hz_schedule_next(const cJSON *sched, int64_t after,
                           hz_cron_slot *out, size_t max, size_t *n,
                           hz_error *err)
{
    *n = 0;
    hz_cron c;
    hz_status rc = hz_cron_parse(
        hz__cjson_str(sched, "cron") ? hz__cjson_str(sched, "cron") : "", &c,
        err);
    if (rc != HZ_OK)
        return rc;
    return hz_cron_next(&c, hz__cjson_str(sched, "timeZone"), after, out, max,
                        n, err);
}

/* ---- materialisation (the runner) ---- */

/* The due slots of one schedule, computed by the job process helper
 * (single-threaded: it may change TZ). */
static hz_status due_slots(hz__runner *r, const cJSON *sched, double now,
                           hz_cron_slot *out, size_t max, size_t *n,
                           size_t *skipped, hz_error *err)
{
    double from = hz__cjson_num(sched, "lastSlotT",
                                hz__cjson_num(sched, "createdAt", now));
    if (now - from > 366.0 * 86400) /* a long pause: a year at most */
        from = now - 366.0 * 86400;
    cJSON *q = cJSON_CreateObject();
    cJSON_AddStringToObject(
        q, "cron",
        hz__cjson_str(sched, "cron") ? hz__cjson_str(sched, "cron") : "");
    cJSON_AddStringToObject(q, "tz",
                            hz__cjson_str(sched, "timeZone")
                                ? hz__cjson_str(sched, "timeZone")
                                : "");
    cJSON_AddNumberToObject(q, "from", floor(from));
    cJSON_AddNumberToObject(q, "to", floor(now));
    cJSON_AddNumberToObject(q, "max", (double)max);
    char *text = cJSON_PrintUnformatted(q);
    cJSON_Delete(q);
    char *reply = NULL;
    hz_status rc = text ? hz__jobproc_call(r->jp, text, &reply, err)
                        : hz_error_set(err, HZ_ENOMEM, "out of memory");
    cJSON_free(text);
    cJSON *rj = reply ? cJSON_Parse(reply) : NULL;
    if (rc == HZ_OK)
        rc = slots_from_json(rj, out, max, n, skipped, err);
    cJSON_Delete(rj);
    free(reply);
    return rc;
}

/* Create the jobs of the due slots of one schedule, then record its last
 * slot. */
static hz_status materialise_one(hz__runner *r, hz_store *s, cJSON *sched,
                                 double now, hz_schedule_run_stats *st,
                                 hz_error *err)
{
    size_t max = (size_t)hz__cjson_num(sched, "catchUp",
                                       HZ_SCHEDULE_CATCHUP_DEFAULT);
    hz_cron_slot slots[HZ_SCHEDULE_CATCHUP_MAX + 1];
    size_t n = 0, skipped = 0;
    if (max < 1 || max > HZ_SCHEDULE_CATCHUP_MAX)
        max = HZ_SCHEDULE_CATCHUP_DEFAULT;
    hz_status rc = due_slots(r, sched, now, slots, max, &n, &skipped, err);
    if (rc != HZ_OK || n == 0)
        return rc;
    st->skipped += (long)skipped;
    for (size_t i = 0; i < n; i++) {
        cJSON *job = hz_schedule_job(sched, &slots[i], hz_wall_now());
        rc = job ? hz_store_put(s, HZ_STORE_JOBS, HZ_PUT_CREATE, job, NULL,
                                err)
                 : hz_error_set(err, HZ_EINVAL, "schedule without a job");
        cJSON_Delete(job);
        if (rc == HZ_ECONFLICT) {
            st->existing++;
        } else if (rc != HZ_OK) {
            return rc;
        } else {
            st->created++;
            hz_log_write(
                r->log, HZ_LOG_INFO,
                &(hz_log_fields){.tenant = hz__cjson_str(sched, "customerId")},
                "schedule %s: queued job %s-%s", hz__cjson_str(sched, "id"),
                hz__cjson_str(sched, "id"), slots[i].wall);
        }
    }
    char held[HZ_ETAG_MAX];
    snprintf(held, sizeof held, "%s",
             hz__cjson_str(sched, "_etag") ? hz__cjson_str(sched, "_etag")
                                           : "");
    hz__cjson_set_num(sched, "lastSlotT", (double)slots[n ? n - 1 : 0].t);
    hz__cjson_set_str(sched, "lastSlot", slots[n ? n - 1 : 0].wall);
    hz_error e2;
    rc = hz_store_put(s, HZ_STORE_SCHEDULES, HZ_PUT_REPLACE, sched, held, &e2);
    if (rc != HZ_OK && rc != HZ_ECONFLICT && rc != HZ_ENOTFOUND) {
        if (err != NULL)
            *err = e2;
        return rc;
    }
    return HZ_OK;
}

hz_status hz__schedules_materialise(hz__runner *r, hz_store *s, double now,
                                    hz_schedule_run_stats *st, hz_error *err)
{
    static double last_warned = -1e9;
    memset(st, 0, sizeof *st);
    hz_query q = {.container = HZ_STORE_SCHEDULES,
                  .customer_id = r->cfg->tenant};
    char *token = NULL;
    hz_status rc = HZ_OK;
    do {
        cJSON *page = NULL;
        char *next = NULL;
        rc = hz_store_query(s, &q, 100, token, &page, &next, err);
        free(token);
        token = next;
        cJSON *sched;
        cJSON_ArrayForEach(sched, page)
        {
            if (rc != HZ_OK)
                break;
            st->schedules++;
            if (cJSON_IsFalse(
                    cJSON_GetObjectItemCaseSensitive(sched, "enabled")))
                continue;
            hz_error e1;
            hz_status one = materialise_one(r, s, sched, now, st, &e1);
            if (one == HZ_ECANCELED) {
                /* the runner is stopping: its write was abandoned, the
                 * schedule is not broken (the caller says so, as info);
                 * the slot is created by the next poll of any runner */
                rc = one;
                if (err != NULL)
                    *err = e1;
                break;
            }
            if (one != HZ_OK && hz_now() - last_warned > 60) {
                /* a broken schedule is named once a minute, not at every
                 * poll (only the dispatcher thread runs this) */
                last_warned = hz_now();
                hz_log_write(r->log, HZ_LOG_WARN,
                             &(hz_log_fields){
                                 .tenant = hz__cjson_str(sched, "customerId")},
                             "schedule %s: %s", hz__cjson_str(sched, "id"),
                             e1.msg);
            }
        }
        cJSON_Delete(page);
    } while (rc == HZ_OK && token != NULL);
    free(token);
    return rc;
}
