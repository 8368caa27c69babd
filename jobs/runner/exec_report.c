/* A job's HTML report, written in the job process from the engine's
 * result (see exec.h).  The runner stores it as an artifact. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "horizon/analytics_view.h"
#include "horizon/report.h"
#include "horizon/series.h"
#include "net/url.h"
#include "runner/exec.h"

/* "dataset d-12" or the file name of the dataset's path or URL (shown
 * by hz_url_redact, without its query string: a signed URL's token stays
 * out of the report). */
static void dataset_name(const hz_job *job, char *buf, size_t bufsz)
{
    if (job->dataset_id[0]) {
        snprintf(buf, bufsz, "dataset %s", job->dataset_id);
        return;
    }
    char shown[HZ_JOB_URI_MAX];
    if (hz_sandbox_is_url(job->dataset))
        hz_url_redact(job->dataset, shown, sizeof shown);
    else
        snprintf(shown, sizeof shown, "%s", job->dataset);
    shown[strcspn(shown, "?#")] = '\0';
    const char *s = strrchr(shown, '/');
    snprintf(buf, bufsz, "%.*s", (int)bufsz - 1, s != NULL ? s + 1 : shown);
}

static hz_report *new_report(const hz_job *job, const char *what)
{
    char title[256], sub[600], ds[300];
    snprintf(title, sizeof title, "%s: job %s", what, job->id);
    dataset_name(job, ds, sizeof ds);
    snprintf(sub, sizeof sub, "tenant %s, %s, %s job", job->customer_id, ds,
             hz_job_type_name(job->type));
    hz_report_options o;
    hz_report_options_init(&o);
    o.title = title;
    o.subtitle = sub;
    return hz_report_new(&o);
}

static char *finish(hz_report *rep, hz_status st, size_t *len, hz_error *err)
{
    char *html = NULL;
    if (st == HZ_OK)
        st = hz_report_render(rep, &html, len, err);
    hz_report_free(rep);
    return st == HZ_OK ? html : NULL;
}

char *hz__exec_report_forecast(const hz_forecast_result *r,
                               const hz_forecast_request *req,
                               const hz_job *job, size_t *len, hz_error *err)
{
    hz_report *rep = new_report(job, "Forecast");
    if (rep == NULL) {
        hz_error_set(err, HZ_ENOMEM, "out of memory");
        return NULL;
    }
    char ylab[200], unit[24];
    const char *per = hz_calendar_unit(&r->cal, unit, sizeof unit);
    if (req->agg == HZ_AGG_COUNT)
        snprintf(ylab, sizeof ylab, "rows per %s", per);
    else
        snprintf(ylab, sizeof ylab, "%s, %s per %s",
                 req->value_col ? req->value_col : "value",
                 req->agg == HZ_AGG_MEAN ? "mean" : "sum", per);
    hz_status st = hz_report_forecast(rep, r, ylab, err);
    return finish(rep, st, len, err);
}

char *hz__exec_report_analytics(const hz_analytics_result *r,
                                const hz_job *job, size_t *len, hz_error *err)
{
    hz_report *rep = new_report(job, "Customer analysis");
    if (rep == NULL) {
        hz_error_set(err, HZ_ENOMEM, "out of memory");
        return NULL;
    }
    hz_status st = hz_report_analysis(rep, r, err);
    return finish(rep, st, len, err);
}
