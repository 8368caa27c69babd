/* Schedules: recurring jobs stored in the "schedules" container.
 *
 *   {"id": "nightly", "customerId": "acme",
 *    "cron": "0 6 * * *", "timeZone": "Europe/Berlin",
 *    "job": {"type": "forecast", "dataset": "/data/acme/sales.csv",
 *            "params": {...}, "timeoutS": 300, "maxAttempts": 3},
 *    "catchUp": 3,            most missed slots run after a pause
 *    "createdAt": ..., "lastSlotT": ..., "lastSlot": "20261127T0600"}
 *
 * Every runner materialises the due slots (cron.h) of every schedule as
 * jobs with deterministic ids "<schedule id>-<slot wall time>", created
 * only if absent: any number of runners create each slot's job exactly
 * once.  A schedule then records its last slot (compare-and-set on its
 * ETag) so that slots before it are not looked at again; a slot whose
 * job was created is never created a second time, even if that record
 * is lost in a race.  After a pause (no runner), at most catchUp missed
 * slots are run (the latest); older ones are skipped and counted. */
#ifndef HZ_RUNNER_SCHEDULE_H
#define HZ_RUNNER_SCHEDULE_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "horizon/common.h"
#include "runner/cron.h"
#include "runner/exec.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Longest schedule id: the slot suffix must fit in a job id. */
#define HZ_SCHEDULE_ID_MAX 100
/* Default and largest catchUp. */
#define HZ_SCHEDULE_CATCHUP_DEFAULT 3
#define HZ_SCHEDULE_CATCHUP_MAX 1000

typedef struct hz_schedule_run_stats {
    long schedules; /* looked at */
    long created;   /* jobs created for due slots */
    long existing;  /* due slots whose job another runner created */
    long skipped;   /* missed slots beyond catchUp */
} hz_schedule_run_stats;

/* Check a schedule document: id, customerId, cron, timeZone, catchUp and
 * its job template (type, dataset or datasetId, params through build).
 * HZ_EINVAL names the field.  Reads the tz database (no TZ change). */
hz_status hz_schedule_check(const cJSON *doc, hz_job_request_fn build,
                            hz_error *err);

/* The queued job document of a slot of sched (caller frees). */
cJSON *hz_schedule_job(const cJSON *sched, const hz_cron_slot *slot,
                       double now);

/* The next max slots of sched after `after` (epoch seconds), however far
 * ahead (hz_cron_next).  Changes TZ: single-threaded callers only (the
 * CLI). */
hz_status hz_schedule_next(const cJSON *sched, int64_t after,
                           hz_cron_slot *out, size_t max, size_t *n,
                           hz_error *err);

/* The job process helper's call function (jobproc.h): a request
 * {"cron","tz","from","to","max"} answered with {"slots":[{"t","wall"}],
 * "skipped":n} or {"error":"..."}. */
char *hz__schedule_call(const char *request);

#ifdef __cplusplus
}
#endif
#endif
