/* The engine call of a job (its "tool"), run on its own thread by
 * exec.c: a forecast, or an analysis; its summary and result rows. */
#ifndef HZ_RUNNER_EXEC_TOOL_H
#define HZ_RUNNER_EXEC_TOOL_H

#include <pthread.h>
#include <stdbool.h>

#include <cjson/cJSON.h>

#include "horizon/analytics.h"
#include "horizon/dataset.h"
#include "horizon/forecast.h"
#include "runner/exec.h"

typedef struct hz__tool {
    const char *name; /* "forecast", "clv", "churn", "segment", "suite" */
    const hz_job *job;
    const hz_dataset *ds;
    const hz_job_request *req;
    const hz_exec_options *opt;
    /* outputs */
    hz_status rc;
    hz_error err;
    cJSON *summary;
    cJSON *rows;                 /* forecast: one object per series and step */
    hz_analytics_result *result; /* analytics: the rows stay here */
    char *report;                /* HTML report, or NULL and report_err */
    size_t report_len;
    hz_error report_err;
    double seconds, summarise_s;
    bool done;
    pthread_mutex_t mu; /* with cv: done is signalled (the tool lives */
    pthread_cond_t cv;  /* as long as its thread may run) */
} hz__tool;

/* The "forecast" part of a job's summary (sizes, totals, growth, interval
 * width, models), as the narrative step reads it; the CLI's reports use
 * it too. */
cJSON *hz__exec_forecast_summary(const hz_forecast_result *r);

/* Run the tool (the engine call, then its summary and rows), then mark it
 * done under *mu and signal *cv.  A pthread start routine. */
void *hz__tool_main(void *arg);

#endif
