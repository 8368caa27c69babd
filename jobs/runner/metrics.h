/* Runner metrics: per-stage timings across jobs (p50/p95/p99), job
 * latency, throughput, failures by reason, and the store's share of the
 * time.  Safe to feed from several threads. */
#ifndef HZ_METRICS_H
#define HZ_METRICS_H

#include <stdbool.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "runner/exec.h"
#include "horizon/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hz_metrics hz_metrics;

hz_metrics *hz_metrics_new(void);
void hz_metrics_free(hz_metrics *m); /* NULL allowed */

/* One finished job (ok or failed) of type ("forecast", ...): its stage
 * timings (NAN = stage not reached), its latency (claim to write-back),
 * and when failed its reason ("timeout", "params", ...). */
void hz_metrics_add_job(hz_metrics *m, const char *type,
                        const double stage_s[HZ_NSTAGES], double latency_s,
                        bool ok, const char *reason);
/* A narrative added to a job: the server's token usage (0 if unknown). */
void hz_metrics_add_tokens(hz_metrics *m, double prompt, double completion,
                           bool cached);
/* A failed store operation of the runner ("claim", "write", ...). */
void hz_metrics_add_store_error(hz_metrics *m, const char *op);
/* Schedule slots materialised as jobs, and missed ones skipped. */
void hz_metrics_add_slots(hz_metrics *m, long created, long skipped);
/* The runner's health (its last claim and its workers' last write
 * reached the store) and the jobs
 * running now (gauges of the OpenMetrics file). */
void hz_metrics_set_health(hz_metrics *m, bool healthy, int running);
/* The Landlock ABI job processes are isolated with (0: none). */
void hz_metrics_set_isolation(hz_metrics *m, int landlock_abi,
                              bool socket_filter);
/* A job handed back to the queue (retry or shutdown). */
void hz_metrics_add_requeue(hz_metrics *m, const char *reason);
/* Store time spent by the runner's handles (claims, renewals, writes). */
void hz_metrics_add_store(hz_metrics *m, double seconds, long ops);
void hz_metrics_set_wall(hz_metrics *m, double wall_s, int concurrency);
/* Request units (Cosmos DB x-ms-request-charge) charged to the runner's
 * store handles by stage: "claim" (the dispatcher: claims, releases) or
 * "write" (the workers: lease renewals, result write-back).  Nothing is
 * recorded for ru <= 0 (other stores). */
void hz_metrics_add_ru(hz_metrics *m, const char *stage, double ru);

long hz_metrics_done(const hz_metrics *m);   /* succeeded */
long hz_metrics_failed(const hz_metrics *m); /* failed for good */
long hz_metrics_requeued(const hz_metrics *m);

/* Quantile q in [0, 1] of x[0..n) (sorted in place), linear interpolation
 * between order statistics (numpy's default); NAN when n = 0. */
double hz_quantile(double *x, size_t n, double q);

/* Quantile of the job latency / of a stage over the jobs recorded. */
double hz_metrics_latency_quantile(hz_metrics *m, double q);
double hz_metrics_stage_quantile(hz_metrics *m, int stage, double q);

/* {"jobs":{"succeeded","failed","requeued"},"wallS","jobsPerS",
 *  "latencyS":{"p50","p95","p99","mean","max"},
 *  "stages":{"fetch":{"p50","p95","p99","total"},...},
 *  "failuresByReason":{...},"store":{"seconds","ops","shareOfJobTime"}} */
cJSON *hz_metrics_to_json(hz_metrics *m);
/* A short table for people. */
void hz_metrics_print(hz_metrics *m, FILE *f);
hz_status hz_metrics_write_json(hz_metrics *m, const char *path,
                                hz_error *err);
/* The OpenMetrics text exposition (Prometheus can scrape it through a
 * textfile collector): counters of jobs by type and status, failures and
 * retries by reason, request units, LLM tokens, store errors and schedule
 * slots; histograms of stage times and job latency; gauges of health and
 * running jobs; "# EOF" last.  Written to a temp file renamed over path,
 * so a reader never sees half a file. */
hz_status hz_metrics_write_openmetrics(hz_metrics *m, const char *path,
                                       hz_error *err);

#ifdef __cplusplus
}
#endif
#endif
