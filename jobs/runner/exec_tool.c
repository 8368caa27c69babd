/* The engine call of a job and its summary (see exec_tool.h). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "horizon/forecast.h"
#include "horizon/reconcile.h"
#include "horizon/series.h"
#include "horizon/summary.h"
#include "net/cjson.h"
#include "runner/exec_tool.h"

static void maybe_sleep(const hz__tool *t)
{
    double s = t->req->debug_sleep_s;
    const char *which = t->req->debug_sleep_tool;
    if (!t->opt->test_hooks || s <= 0 ||
        (which[0] != '\0' && strcmp(which, t->name) != 0))
        return;
    struct timespec ts = {(time_t)s, (long)((s - floor(s)) * 1e9)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* Running sums over the forecast rows for the summary. */
typedef struct fc_totals {
    double fc_total;                /* every step */
    double span_fc, span_base;      /* the compared span (hz_summary_span) */
    double half_width, abs_point;   /* widest level, where it is finite */
    double level;                   /* that level (NaN: none) */
} fc_totals;

/* The rows of one series: one per step, with its interval bounds. */
static void series_rows(const hz_forecast_result *r, size_t i, cJSON *rows)
{
    const hz_forecast_series_result *sr = &r->series[i];
    const hz_forecast *fc = sr->fc;
    for (size_t k = 0; fc != NULL && k < fc->h; k++) {
        cJSON *row = cJSON_CreateObject();
        char day[32]; /* labelled as the input labels its periods */
        cJSON_AddStringToObject(row, "series", sr->key ? sr->key : "");
        cJSON_AddStringToObject(
            row, "date", hz_forecast_result_label(r, i, k, day, sizeof day));
        cJSON_AddItemToObject(row, "point",
                              hz__cjson_num_or_null(fc->mean[k]));
        for (size_t l = 0; l < fc->nlevels; l++) {
            char lo[16], hi[16];
            snprintf(lo, sizeof lo, "lo%g", fc->levels[l]);
            snprintf(hi, sizeof hi, "hi%g", fc->levels[l]);
            cJSON_AddItemToObject(row, lo,
                                  hz__cjson_num_or_null(fc->lower[l][k]));
            cJSON_AddItemToObject(row, hi,
                                  hz__cjson_num_or_null(fc->upper[l][k]));
        }
        cJSON_AddStringToObject(row, "model", sr->method);
        /* why a simpler model was used, as the CLI's note column */
        cJSON_AddStringToObject(row, "note", sr->note);
        cJSON_AddItemToArray(rows, row);
    }
}

/* The sums of one series: its points over the horizon and over the
 * compared span, the observed periods they are compared with (the
 * series of a panel end together: period g of the longest history,
 * n_max periods, is this series' g - (n_max - n); a series that starts
 * later counts as absent before it, not as a smaller share of the
 * past), and over every step the half-widths of its widest interval and
 * the absolute point forecasts beside them.  Their ratio is the width
 * relative to the forecast, weighted by the forecast: a mean of
 * per-period ratios read +/-1457% when a few periods forecast near
 * zero. */
static void series_totals(const hz_forecast_series_result *sr,
                          const hz_summary_span *sp, size_t n_max,
                          fc_totals *tot)
{
    const hz_forecast *fc = sr->fc;
    size_t l = hz_forecast_widest_level(fc);
    if (l != SIZE_MAX)
        tot->level = fc->levels[l];
    size_t off = n_max - (sr->n < n_max ? sr->n : n_max);
    for (size_t g = n_max - sp->lag; g < n_max - sp->lag + sp->steps; g++)
        if (g >= off && isfinite(sr->history[g - off]))
            tot->span_base += sr->history[g - off];
    for (size_t k = 0; fc != NULL && k < fc->h; k++) {
        if (isfinite(fc->mean[k])) {
            tot->fc_total += fc->mean[k];
            if (k < sp->steps)
                tot->span_fc += fc->mean[k];
        }
        if (l != SIZE_MAX && isfinite(fc->upper[l][k]) &&
            isfinite(fc->lower[l][k]) && isfinite(fc->mean[k])) {
            tot->half_width += (fc->upper[l][k] - fc->lower[l][k]) / 2;
            tot->abs_point += fabs(fc->mean[k]);
        }
    }
}

/* What the CLI says on stderr whatever --quiet says, kept with the job:
 * how the frequency was chosen, periods filled, values raised to zero,
 * series that fell back to a simpler model (and the first reason). */
/* Part first or last periods (left out or kept) and rows summed into a
 * period already seen: what `horizon forecast` says on stderr. */
static void partial_notices(const hz_forecast_result *r, cJSON *sum)
{
    for (int k = 0; k < 2; k++) {
        const hz_partial_period *p = &r->partial[k];
        if (p->days <= 0)
            continue;
        char lab[32];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(
            o, "period",
            hz_calendar_format(&r->cal, p->period, lab, sizeof lab));
        cJSON_AddNumberToObject(o, "days", p->days);
        cJSON_AddNumberToObject(o, "of", p->of);
        char unit[24];
        cJSON_AddStringToObject(o, "unit",
                                hz_partial_unit(p, unit, sizeof unit));
        cJSON_AddBoolToObject(o, "leftOut", p->dropped != 0);
        cJSON_AddNumberToObject(o, "rowsLeftOut", (double)p->rows);
        cJSON_AddNumberToObject(o, "seriesLeftOut", (double)p->nseries_out);
        if (p->nseries_part > 0) { /* long input: the series' own periods */
            cJSON_AddStringToObject(o, "series", p->series_part);
            cJSON_AddNumberToObject(o, "seriesEndingInside",
                                    (double)p->nseries_part);
        }
        cJSON_AddItemToObject(sum, k ? "partialLast" : "partialFirst", o);
    }
    if (r->zoned)
        cJSON_AddTrueToObject(sum, "utcOffsets");
    if (r->rows_repeated > 0) {
        cJSON_AddNumberToObject(sum, "rowsRepeated", (double)r->rows_repeated);
        cJSON_AddStringToObject(sum, "firstRepeated", r->repeated_first);
    }
    if (r->names_similar > 0) {
        cJSON_AddNumberToObject(sum, "similarGroups", (double)r->names_similar);
        cJSON *first = cJSON_CreateArray();
        for (int k = 0; k < 2; k++)
            cJSON_AddItemToArray(first,
                                 cJSON_CreateString(r->similar_first[k]));
        cJSON_AddItemToObject(sum, "firstSimilar", first);
    }
    if (r->rows_empty_key > 0) {
        cJSON_AddNumberToObject(sum, "emptyGroupRows",
                                (double)r->rows_empty_key);
        cJSON_AddNumberToObject(sum, "emptyGroupSeries",
                                (double)r->series_empty_key);
        cJSON_AddStringToObject(sum, "firstEmptyGroup", r->empty_key_first);
    }
}

static void notices(const hz_forecast_result *r, cJSON *sum)
{
    size_t nfb = 0, first = r->nseries;
    for (size_t i = r->nseries; i-- > 0;)
        if (hz_forecast_note_is_fallback(r->series[i].note)) {
            first = i; /* the last one met counting down: the first */
            nfb++;
        }
    cJSON_AddStringToObject(sum, "freqReason", r->freq_reason);
    cJSON_AddNumberToObject(sum, "filledPeriods", (double)r->nfilled);
    cJSON_AddNumberToObject(sum, "seriesFilled", (double)r->nseries_filled);
    cJSON_AddNumberToObject(sum, "valuesRaisedToZero", (double)r->nclamped);
    cJSON_AddNumberToObject(sum, "fallbacks", (double)nfb);
    if (r->reconcile != HZ_RECON_NONE) /* as the CLI's summary line */
        cJSON_AddStringToObject(sum, "reconcile", hz_recon_name(r->reconcile));
    if (r->bias_nodes > 0)
        cJSON_AddNumberToObject(sum, "biasCorrectedNodes",
                                (double)r->bias_nodes);
    partial_notices(r, sum);
    if (nfb > 0) {
        char line[320];
        snprintf(line, sizeof line, "%s: %s", r->series[first].key,
                 r->series[first].note);
        cJSON_AddStringToObject(sum, "firstFallback", line);
    }
}

/* The forecast's summary: sizes, the total and its comparison, interval
 * width, methods. */
static cJSON *forecast_summary(const hz_forecast_result *r,
                               const fc_totals *tot,
                               const hz_summary_span *sp, cJSON *methods)
{
    cJSON *sum = cJSON_CreateObject();
    char unit[24];
    cJSON_AddStringToObject(sum, "freq",
                            hz_calendar_unit(&r->cal, unit, sizeof unit));
    cJSON_AddNumberToObject(sum, "horizon", (double)r->horizon);
    cJSON_AddNumberToObject(sum, "series", (double)r->nseries);
    cJSON_AddNumberToObject(sum, "rowsUsed", (double)r->rows_used);
    /* the total over the whole horizon, as the report's key figures say
     * it; and like with like (hz_summary_span_of): the first periods
     * against the same periods a season before, never the next 12 hours
     * against the last 12 */
    cJSON_AddNumberToObject(sum, "forecastSteps", (double)r->horizon);
    cJSON_AddItemToObject(sum, "forecastTotal",
                          hz__cjson_num_or_null(tot->fc_total));
    cJSON_AddNumberToObject(sum, "compareSteps", (double)sp->steps);
    if (sp->steps > 0) {
        cJSON_AddNumberToObject(sum, "compareLag", (double)sp->lag);
        cJSON_AddBoolToObject(sum, "compareSeasonal", sp->seasonal);
        cJSON_AddItemToObject(sum, "compareForecast",
                              hz__cjson_num_or_null(tot->span_fc));
        cJSON_AddItemToObject(sum, "compareBase",
                              hz__cjson_num_or_null(tot->span_base));
    }
    /* the widest level's half-widths summed over every series and step,
     * relative to the summed absolute point forecasts */
    if (isfinite(tot->level) && tot->abs_point > 0) {
        cJSON_AddNumberToObject(sum, "intervalLevel", tot->level);
        cJSON_AddNumberToObject(sum, "intervalHalfWidthRatio",
                                tot->half_width / tot->abs_point);
    }
    cJSON_AddItemToObject(sum, "methods", methods);
    notices(r, sum);
    return sum;
}

cJSON *hz__exec_forecast_summary(const hz_forecast_result *r)
{
    cJSON *methods = cJSON_CreateObject();
    fc_totals tot = {0};
    tot.level = NAN;
    /* a reconciled result holds every level: the totals are the top
     * node's (series[0]), not the levels' sum, which counts each value
     * once per level; interval widths are every node's */
    bool top = r->reconcile != HZ_RECON_NONE;
    size_t nsum = top && r->nseries > 0 ? 1 : r->nseries, n_max = 0;
    for (size_t i = 0; i < nsum; i++)
        if (r->series[i].n > n_max)
            n_max = r->series[i].n;
    hz_summary_span sp =
        hz_summary_span_of(r->horizon, n_max, &r->seasons, r->period);
    for (size_t i = 0; i < r->nseries; i++) {
        const hz_forecast_series_result *sr = &r->series[i];
        fc_totals one = {0};
        one.level = NAN;
        series_totals(sr, &sp, n_max, &one);
        if (i < nsum) {
            tot.fc_total += one.fc_total;
            tot.span_fc += one.span_fc;
            tot.span_base += one.span_base;
        }
        tot.half_width += one.half_width;
        tot.abs_point += one.abs_point;
        if (isfinite(one.level))
            tot.level = one.level;
        cJSON *m = cJSON_GetObjectItemCaseSensitive(methods, sr->method);
        if (m != NULL)
            cJSON_SetNumberValue(m, m->valuedouble + 1);
        else
            cJSON_AddNumberToObject(methods, sr->method, 1);
    }
    return forecast_summary(r, &tot, &sp, methods);
}

static void run_forecast_tool(hz__tool *t)
{
    hz_forecast_request req = t->req->fc;
    req.threads = t->opt->threads;
    req.keep_fitted = 1; /* the report draws them and their diagnostics */
    hz_forecast_result *r = NULL;
    double t0 = hz_now();
    maybe_sleep(t);
    t->rc = hz_forecast_run(t->ds, &req, &r, &t->err);
    t->seconds = hz_now() - t0;
    if (t->rc != HZ_OK)
        return;
    t0 = hz_now();
    cJSON *rows = cJSON_CreateArray();
    for (size_t i = 0; i < r->nseries; i++)
        series_rows(r, i, rows);
    t->summary = hz__exec_forecast_summary(r);
    t->report = hz__exec_report_forecast(r, &req, t->job, &t->report_len,
                                         &t->report_err);
    hz_forecast_result_free(r);
    t->rows = rows;
    t->summarise_s = hz_now() - t0;
}

/* The summary block of the engine's JSON writer, parsed back rather than
 * depending on the result's layout. */
static hz_status analytics_summary(hz__tool *t, hz_analytics_result *r)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (f == NULL)
        return hz_error_set(&t->err, HZ_ENOMEM, "out of memory");
    hz_status rc = hz_analytics_result_write_json(r, f, false, &t->err);
    fclose(f);
    if (rc == HZ_OK) {
        cJSON *doc = cJSON_ParseWithLength(buf, len);
        if (doc == NULL) {
            rc = hz_error_set(&t->err, HZ_EINTERNAL,
                              "%s: the engine's JSON output did not parse",
                              t->name);
        } else {
            t->summary = cJSON_DetachItemFromObjectCaseSensitive(doc,
                                                                 "summary");
            if (t->summary == NULL)
                t->summary = cJSON_CreateObject();
            cJSON_Delete(doc);
        }
    }
    free(buf);
    return rc;
}

static void run_analytics_tool(hz__tool *t)
{
    hz_analysis_kind kind = hz_exec_analysis_kind(t->req->type);
    hz_analytics_request q = t->req->an;
    q.threads = t->opt->threads;
    hz_analytics_result *r = NULL;
    double t0 = hz_now();
    maybe_sleep(t);
    t->rc = hz_analytics_run(t->ds, kind, &q, &r, &t->err);
    t->seconds = hz_now() - t0;
    if (t->rc != HZ_OK)
        return;
    /* a part that failed fails the job, as it fails `horizon analyze`:
     * its stored rows would look complete without it */
    if ((t->rc = hz_analytics_parts_ok(r, &t->err)) != HZ_OK) {
        hz_analytics_result_free(r);
        return;
    }
    t0 = hz_now();
    /* The per-customer rows stay in the result: the job process writes
     * them with the engine's row writer straight into its result file
     * (hz_exec_write_rows), and the runner passes them on as text.
     * Building tens of thousands of rows as cJSON trees and printing them
     * again cost more than the analysis itself. */
    t->rc = analytics_summary(t, r);
    if (t->rc == HZ_OK)
        t->report = hz__exec_report_analytics(r, t->job, &t->report_len,
                                              &t->report_err);
    if (t->rc == HZ_OK)
        t->result = r;
    else
        hz_analytics_result_free(r);
    t->summarise_s = hz_now() - t0;
}

void *hz__tool_main(void *arg)
{
    hz__tool *t = arg;
    if (t->req->type == HZ_JOB_FORECAST)
        run_forecast_tool(t);
    else
        run_analytics_tool(t);
    pthread_mutex_lock(&t->mu);
    t->done = true;
    pthread_cond_broadcast(&t->cv);
    pthread_mutex_unlock(&t->mu);
    return NULL;
}
