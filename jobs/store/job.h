/* Horizon jobs: the job model and dataset metadata documents.
 *
 * A job document (container "jobs", partition key customerId):
 *
 *   {
 *     "id": "j-0193a1b2c3d4-5e6f7a8b",   unique per tenant; [A-Za-z0-9._:-]
 *     "type": "forecast" | "churn" | "clv" | "segment" | "suite",
 *     "customerId": "acme",              the tenant (partition key)
 *     "dataset": "data/sales.csv" | "https://host/x.csv" | "file:///x.csv",
 *     "datasetId": "d-...",              or a dataset document of the tenant
 *     "params": { ... },                 the command's options (cli/job_params.h)
 *     "status": "queued" | "running" | "succeeded" | "failed" | "canceled",
 *     "attempts": 0,                     attempts so far (a runner's death
 *                                        refunds the attempt)
 *     "takeovers": 0,                    leases taken over from runners
 *                                        that died
 *     "maxAttempts": 3,                  optional per-job override
 *     "timeoutS": 300,                   optional per-job override
 *     "leaseOwner": "host:pid:n", "leaseExpiry": 1764210000.5,
 *     "createdAt": ..., "startedAt": ..., "finishedAt": ..., "updatedAt": ...
 *                                        epoch seconds (numbers)
 *     "error": "message",                the final (or last) error
 *     "errorReason": "timeout" | "validation" | "dataset" | ...
 *     "resultChunks": 3, "resultRows": 2500,
 *     "summary": { ... },                compact numbers of the results
 *     "metrics": { "fetch": s, "ingest": s, ... },
 *     "_etag": "...", "_ts": ...         managed by the store
 *   }
 *
 * A result document (container "results"):
 *   { "id": "<jobId>-r00000", "customerId", "jobId", "chunk": 0,
 *     "kind": "forecast" | "churn" | "clv" | "segment",
 *     "firstRow": n, "rows": [ {...}, ... ]   at most
 *     HZ_RESULT_ROWS_PER_DOC rows and HZ_RESULT_DOC_BYTES of them }
 *
 * A dataset document (container "datasets"):
 *   { "id", "customerId", "name", "uri", "size": bytes,
 *     "profile": { "rows": n, "columns": [ {"name","type","nulls"} ] },
 *     "createdAt" } */
#ifndef HZ_JOB_H
#define HZ_JOB_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "horizon/common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define HZ_JOB_ID_MAX 128
#define HZ_JOB_URI_MAX 2048
#define HZ_RESULT_ROWS_PER_DOC 1000
/* Most bytes of rows (their JSON) in one result document, besides the
 * row count: a document stays well under Cosmos DB's 2 MB (a single
 * larger row has a document of its own). */
#define HZ_RESULT_DOC_BYTES (1024 * 1024)

typedef enum hz_job_type {
    HZ_JOB_FORECAST = 0,
    HZ_JOB_CHURN,
    HZ_JOB_CLV,
    HZ_JOB_SEGMENT,
    HZ_JOB_SUITE,
    HZ_JOB_NTYPES
} hz_job_type;

typedef enum hz_job_status {
    HZ_JOB_QUEUED = 0,
    HZ_JOB_RUNNING,
    HZ_JOB_SUCCEEDED,
    HZ_JOB_FAILED,
    HZ_JOB_CANCELED, /* by `horizon jobs cancel`; never claimed again */
    HZ_JOB_NSTATUS
} hz_job_status;

typedef struct hz_job {
    char id[HZ_JOB_ID_MAX];
    hz_job_type type;
    char customer_id[HZ_JOB_ID_MAX];
    char dataset[HZ_JOB_URI_MAX];   /* path or URL; "" when dataset_id */
    char dataset_id[HZ_JOB_ID_MAX]; /* "" when dataset is given */
    cJSON *params;                  /* owned object (never NULL after
                                        hz_job_from_json) */
    hz_job_status status;
    int attempts;
    int max_attempts; /* 0 = runner default */
    double timeout_s; /* 0 = runner default */
    char lease_owner[HZ_JOB_ID_MAX];
    double lease_expiry;
    double created_at, started_at, finished_at, updated_at;
    char error[HZ_ERROR_MAX];
    char error_reason[32];
    char etag[128];
} hz_job;

const char *hz_job_type_name(hz_job_type t);
/* Returns false for an unknown name. */
bool hz_job_type_parse(const char *s, hz_job_type *out);
const char *hz_job_status_name(hz_job_status s);
bool hz_job_status_parse(const char *s, hz_job_status *out);

/* Zero a job (status queued, params NULL). */
void hz_job_init(hz_job *job);
/* Free what the job owns (params); the struct itself is the caller's. */
void hz_job_clear(hz_job *job);

/* A fresh job id "j-<ms since epoch, 12 hex>-<8 random hex>" (ids sort by
 * creation time).  out must hold HZ_JOB_ID_MAX bytes. */
void hz_job_new_id(const char *prefix, char *out);

/* True when s is a valid id: 1..127 bytes of [A-Za-z0-9._:-]. */
bool hz_job_id_ok(const char *s);

/* Parse and validate a job document.  Every problem names the field:
 *   "job j-1: field 'type': unknown job type 'foo' (expected forecast,
 *    churn, clv, segment, suite)".
 * Missing status means queued; missing createdAt means now.  On failure
 * job is left cleared. */
hz_status hz_job_from_json(const cJSON *doc, hz_job *job, hz_error *err);

/* The job as a document.  base (may be NULL) is copied first so that
 * fields the model does not know are kept; known fields are replaced.
 * NULL on ENOMEM. */
cJSON *hz_job_to_json(const hz_job *job, const cJSON *base);

/* Format epoch seconds as "2026-11-27T02:31:00Z" into buf (>= 24 bytes). */
char *hz_format_time(double epoch_s, char *buf, size_t bufsz);
/* Wall clock, epoch seconds with sub-second precision. */
double hz_wall_now(void);

/* ---- dataset metadata ---- */

typedef struct hz_dataset_meta {
    char id[HZ_JOB_ID_MAX];
    char customer_id[HZ_JOB_ID_MAX];
    char name[256];
    char uri[HZ_JOB_URI_MAX];
    long long size; /* bytes, -1 unknown */
    cJSON *profile; /* owned, may be NULL */
    double created_at;
} hz_dataset_meta;

void hz_dataset_meta_init(hz_dataset_meta *m);
void hz_dataset_meta_clear(hz_dataset_meta *m);
hz_status hz_dataset_meta_from_json(const cJSON *doc, hz_dataset_meta *m,
                                    hz_error *err);
cJSON *hz_dataset_meta_to_json(const hz_dataset_meta *m);

/* Id of result chunk `chunk` of job_id into out (HZ_JOB_ID_MAX + 16). */
void hz_result_id(const char *job_id, size_t chunk, char *out, size_t outsz);

#ifdef __cplusplus
}
#endif
#endif
