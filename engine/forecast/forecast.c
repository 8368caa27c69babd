/* The forecast result type, and the request runner over a dataset with
 * its writers.  The models and the dispatcher are in models.c,
 * dispatch.c, auto.c and combo.c. */
#pragma GCC diagnostic ignored "-Wformat-truncation"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/textout.h"
#include "horizon/threads.h"
#include "horizon/forecast.h"

hz_forecast *hz_forecast_alloc(size_t h, size_t nlevels, const double *levels)
{
    if (h == 0 || nlevels > HZ_FC_MAX_LEVELS ||
        (nlevels > 0 && levels == NULL))
        return NULL;
    for (size_t k = 0; k < nlevels; k++)
        if (!(levels[k] > 0 && levels[k] < 100))
            return NULL;
    hz_forecast *f = calloc(1, sizeof *f);
    if (f == NULL)
        return NULL;
    f->h = h;
    f->nlevels = nlevels;
    f->mean = malloc(h * (1 + 2 * nlevels) * sizeof(double));
    if (f->mean == NULL) {
        free(f);
        return NULL;
    }
    for (size_t k = 0; k < nlevels; k++) {
        f->levels[k] = levels[k];
        f->lower[k] = f->mean + h * (1 + 2 * k);
        f->upper[k] = f->mean + h * (2 + 2 * k);
    }
    hz_forecast_reset(f);
    return f;
}

void hz_forecast_free(hz_forecast *f)
{
    if (f == NULL)
        return;
    free(f->mean);
    free(f);
}

void hz_forecast_reset(hz_forecast *f)
{
    if (f == NULL)
        return;
    for (size_t i = 0; i < f->h * (1 + 2 * f->nlevels); i++)
        f->mean[i] = NAN;
    f->method[0] = '\0';
    f->note[0] = '\0';
    f->loglik = f->aic = f->aicc = f->bic = NAN;
    f->sigma2 = NAN;
}

/* ===================================================================
 * Request runner: dataset -> series -> forecasts, in parallel.
 * ================================================================= */
#include <omp.h>

#include "forecast/fc_internal.h"
#include "horizon/dataset.h"
#include "horizon/reconcile.h"
#include "horizon/series.h"

void hz_forecast_request_init(hz_forecast_request *r)
{
    memset(r, 0, sizeof *r);
    r->freq = HZ_FREQ_INFER;
    r->agg = HZ_AGG_SUM;
    r->horizon = 12;
    r->nlevels = 2;
    r->levels[0] = 80;
    r->levels[1] = 95;
    r->model = HZ_MODEL_AUTO;
    r->seed = 42;
    r->fill = HZ_FILL_ZERO;
}

void hz_forecast_result_free(hz_forecast_result *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < r->nseries; i++) {
        free(r->series[i].key);
        hz_forecast_free(r->series[i].fc);
        free(r->series[i].days);
        free(r->series[i].history);
    }
    free(r->series);
    free(r);
}

/* Step 1: the request's arguments. */
static hz_status check_request(const hz_dataset *ds,
                               const hz_forecast_request *req, hz_error *err)
{
    if (ds == NULL || req == NULL)
        return hz_error_set(err, HZ_EINVAL, "forecast: null argument");
    if (req->horizon == 0 || req->horizon > 100000)
        return hz_error_set(err, HZ_EINVAL,
                            "horizon must be between 1 and 100000, got %zu",
                            req->horizon);
    if (req->nlevels > HZ_FC_MAX_LEVELS)
        return hz_error_set(err, HZ_EINVAL, "at most %d interval levels",
                            HZ_FC_MAX_LEVELS);
    for (size_t k = 0; k < req->nlevels; k++)
        if (!(req->levels[k] > 0 && req->levels[k] < 100))
            return hz_error_set(err, HZ_EINVAL,
                                "interval level must be in (0, 100), got "
                                "%g",
                                req->levels[k]);
    if (strcmp(hz_fc_model_name(req->model), "unknown") == 0)
        return hz_error_set(err, HZ_EINVAL, "unknown model %d", req->model);
    if (req->intervals != HZ_INTERVALS_MODEL &&
        req->intervals != HZ_INTERVALS_CONFORMAL)
        return hz_error_set(err, HZ_EINVAL, "unknown interval kind %d",
                            req->intervals);
    if (req->value_col == NULL && req->agg != HZ_AGG_COUNT)
        return hz_error_set(err, HZ_EINVAL, "no value column given");
    if (req->reconcile < HZ_RECON_NONE || req->reconcile > HZ_RECON_MINT)
        return hz_error_set(err, HZ_EINVAL, "unknown reconciliation %d",
                            req->reconcile);
    if (req->reconcile != HZ_RECON_NONE && req->nby == 0)
        return hz_error_set(err, HZ_EINVAL,
                            "reconciliation needs group columns (--by)");
    if (req->reconcile != HZ_RECON_NONE && req->long_format)
        return hz_error_set(err, HZ_EINVAL,
                            "reconciliation needs series that end together "
                            "(not --long)");
    return HZ_OK;
}

/* Step 2: the series of the request. */
static hz_status build_series(const hz_dataset *ds,
                              const hz_forecast_request *req,
                              hz_series_set **set, hz_error *err)
{
    hz_series_opts so;
    hz_series_opts_init(&so);
    so.date_col = req->date_col;
    so.value_col = req->value_col;
    so.by_cols = req->by_cols;
    so.nby = req->nby;
    so.freq = (hz_freq)req->freq;
    so.agg = (hz_agg)req->agg;
    so.fill = (hz_fill)req->fill;
    so.extend_to_end = !req->long_format;
    return hz_series_build(ds, &so, set, err);
}

/* Step 3: one result per series (key, history, dates, an empty forecast);
 * *seed from the key.  Returns -1 on ENOMEM. */
static int prepare_result(int freq, const char *key, int64_t start,
                          const double *values, size_t n,
                          const hz_forecast_request *req,
                          hz_forecast_series_result *o, uint64_t *seed)
{
    o->key = strdup(key);
    o->fc = hz_forecast_alloc(req->horizon, req->nlevels, req->levels);
    o->days = malloc(req->horizon * sizeof *o->days);
    o->history = malloc((n ? n : 1) * sizeof *o->history);
    if (o->key == NULL || o->fc == NULL || o->days == NULL ||
        o->history == NULL)
        return -1;
    o->n = n;
    o->start = start;
    if (n > 0)
        memcpy(o->history, values, n * sizeof *o->history);
    o->last_day = hz_period_start(freq, start + (int64_t)n - 1);
    double tot = 0.0;
    for (size_t t = n > 12 ? n - 12 : 0; t < n; t++)
        tot += values[t];
    o->last12_total = tot;
    for (size_t hh = 0; hh < req->horizon; hh++)
        o->days[hh] = hz_period_start(freq, start + (int64_t)(n + hh));
    *seed = hz__hash64(key, strlen(key), req->seed);
    return 0;
}

/* Step 3 for a reconciled request: the nodes of the hierarchy. */
static hz_status prepare_nodes(const hz_series_set *set, const hz__hier *H,
                               const hz_forecast_request *req,
                               hz_forecast_result *r, uint64_t *seeds,
                               hz_error *err)
{
    for (size_t i = 0; i < H->m; i++)
        if (prepare_result(set->freq, H->keys[i], H->start, H->y[i], H->n, req,
                           &r->series[i], &seeds[i]) != 0)
            return hz_error_set(err, HZ_ENOMEM, "forecast: out of memory");
    return HZ_OK;
}

/* Step 5 (reconciled requests): make the nodes' forecasts add up. */
static hz_status reconcile_nodes(const hz__hier *H, int period,
                                 const hz_forecast_request *req,
                                 hz_forecast_result *r, hz_error *err)
{
    size_t cells = H->m * H->n;
    double *resid = malloc((cells > 0 ? cells : 1) * sizeof *resid);
    hz_forecast **fc = malloc(H->m * sizeof *fc);
    hz_status st = HZ_OK;
    if (resid == NULL || fc == NULL ||
        hz__hier_residuals(H, period, req->threads, resid) != 0) {
        st = hz_error_set(err, HZ_ENOMEM, "forecast: out of memory");
        goto done;
    }
    for (size_t i = 0; i < H->m; i++)
        fc[i] = r->series[i].fc;
    hz_hierarchy hh = {H->m, H->nb, H->S};
    st = hz_reconcile(&hh, req->reconcile, (const double *const *)H->y, H->n,
                      resid, H->n, fc, &r->lambda, err);
    for (size_t i = 0; st == HZ_OK && i < H->m; i++) {
        char *meth = r->series[i].method;
        size_t len = strlen(meth);
        snprintf(meth + len, sizeof r->series[i].method - len, " [%s]",
                 hz_recon_name(req->reconcile));
    }
done:
    free(resid);
    free(fc);
    return st;
}

/* Step 4: forecast every series (hz_forecast_many). */
static hz_status run_models(const hz_series_set *set,
                            const hz_forecast_request *req,
                            hz_forecast_result *r, const uint64_t *seeds,
                            hz_error *err)
{
    size_t ns = r->nseries;
    const double **y = malloc((ns ? ns : 1) * sizeof *y);
    size_t *n = malloc((ns ? ns : 1) * sizeof *n);
    hz_forecast **fc = malloc((ns ? ns : 1) * sizeof *fc);
    hz_status st = HZ_OK;
    if (y == NULL || n == NULL || fc == NULL) {
        st = hz_error_set(err, HZ_ENOMEM, "forecast: out of memory");
        goto done;
    }
    for (size_t i = 0; i < ns; i++) {
        y[i] = r->series[i].history;
        n[i] = r->series[i].n;
        fc[i] = r->series[i].fc;
    }
    hz_fc_batch b;
    hz_fc_batch_init(&b);
    b.nseries = ns;
    b.y = y;
    b.n = n;
    b.seeds = seeds;
    b.period = set->period;
    b.seasons = set->seasons;
    b.model = req->model;
    b.threads = req->threads;
    b.intervals = req->intervals;
    st = hz_forecast_many(&b, fc, err);
    for (size_t i = 0; st == HZ_OK && i < ns; i++) {
        hz_forecast_series_result *o = &r->series[i];
        snprintf(o->method, sizeof o->method, "%s", o->fc->method);
        snprintf(o->note, sizeof o->note, "%s", o->fc->note);
    }
done:
    free(y);
    free(n);
    free(fc);
    return st;
}

hz_status hz_forecast_run(const hz_dataset *ds, const hz_forecast_request *req,
                          hz_forecast_result **out, hz_error *err)
{
    *out = NULL;
    hz_status st = check_request(ds, req, err);
    if (st != HZ_OK)
        return st;
    double t0 = hz_now();
    hz_series_set *set = NULL;
    if ((st = build_series(ds, req, &set, err)) != HZ_OK)
        return st;
    double t1 = hz_now();
    hz__hier H;
    memset(&H, 0, sizeof H);
    if (req->reconcile != HZ_RECON_NONE &&
        (st = hz__hier_build(set, req->nby, &H, err)) != HZ_OK) {
        hz_series_set_free(set);
        return st;
    }
    size_t ns = req->reconcile != HZ_RECON_NONE ? H.m : set->nseries;
    hz_forecast_result *r = calloc(1, sizeof *r);
    uint64_t *seeds = malloc((ns ? ns : 1) * sizeof *seeds);
    if (r == NULL || seeds == NULL ||
        (r->series = calloc(ns ? ns : 1, sizeof *r->series)) == NULL) {
        st = hz_error_set(err, HZ_ENOMEM, "forecast: out of memory");
        goto done;
    }
    r->freq = set->freq;
    r->period = set->period;
    r->seasons = set->seasons;
    r->horizon = req->horizon;
    r->nseries = ns;
    r->rows_used = set->rows_used;
    r->rows_skipped = set->rows_skipped;
    r->reconcile = req->reconcile;
    r->lambda = NAN;
    if (req->reconcile != HZ_RECON_NONE) {
        st = prepare_nodes(set, &H, req, r, seeds, err);
    } else {
        for (size_t i = 0; i < ns && st == HZ_OK; i++) {
            const hz_series *sr = &set->series[i];
            if (prepare_result(set->freq, sr->key, sr->start, sr->values,
                               sr->n, req, &r->series[i], &seeds[i]) != 0)
                st = hz_error_set(err, HZ_ENOMEM, "forecast: out of memory");
        }
    }
    if (st == HZ_OK)
        st = run_models(set, req, r, seeds, err);
    if (st == HZ_OK && req->reconcile != HZ_RECON_NONE)
        st = reconcile_nodes(&H, set->period, req, r, err);
    r->seconds_series = t1 - t0;
    r->seconds_models = hz_now() - t1;
done:
    free(seeds);
    hz__hier_free(&H);
    hz_series_set_free(set);
    if (st != HZ_OK) {
        hz_forecast_result_free(r);
        return st;
    }
    *out = r;
    return HZ_OK;
}

/* ---- writers ---- */
static void level_name(char *buf, size_t n, const char *pre, double lv)
{
    if (lv == floor(lv))
        snprintf(buf, n, "%s%.0f", pre, lv);
    else
        snprintf(buf, n, "%s%g", pre, lv);
}

hz_status hz_forecast_result_write_csv(const hz_forecast_result *r, FILE *f,
                                       hz_error *err)
{
    size_t nl = r->nseries ? r->series[0].fc ? r->series[0].fc->nlevels : 0
                           : 0;
    fputs("series,date,point", f);
    for (size_t k = 0; k < nl; k++) {
        char a[32], b[32];
        level_name(a, sizeof a, "lo", r->series[0].fc->levels[k]);
        level_name(b, sizeof b, "hi", r->series[0].fc->levels[k]);
        fprintf(f, ",%s,%s", a, b);
    }
    fputs(",model,note\n", f);
    for (size_t i = 0; i < r->nseries; i++) {
        const hz_forecast_series_result *s = &r->series[i];
        for (size_t h = 0; h < r->horizon; h++) {
            char d[16];
            hz__csv_field(f, s->key);
            fprintf(f, ",%s,", hz_format_day(s->days[h], d));
            hz__csv_num(f, s->fc->mean[h]);
            for (size_t k = 0; k < nl; k++) {
                fputc(',', f);
                hz__csv_num(f, s->fc->lower[k][h]);
                fputc(',', f);
                hz__csv_num(f, s->fc->upper[k][h]);
            }
            fputc(',', f);
            hz__csv_field(f, s->method);
            fputc(',', f);
            hz__csv_field(f, s->note);
            fputc('\n', f);
        }
    }
    if (ferror(f))
        return hz_error_set(err, HZ_EIO, "could not write forecasts");
    return HZ_OK;
}

hz_status hz_forecast_result_write_json(const hz_forecast_result *r, FILE *f,
                                        hz_error *err)
{
    fprintf(f,
            "{\"freq\":\"%s\",\"period\":%d,\"horizon\":%zu,"
            "\"rows_used\":%zu,\"rows_skipped\":%zu,\"series\":[",
            hz_freq_name((hz_freq)r->freq), r->period, r->horizon,
            r->rows_used, r->rows_skipped);
    for (size_t i = 0; i < r->nseries; i++) {
        const hz_forecast_series_result *s = &r->series[i];
        char d[16];
        fputs(i ? ",\n{" : "\n{", f);
        fputs("\"key\":", f);
        hz__json_str(f, s->key);
        fputs(",\"model\":", f);
        hz__json_str(f, s->method);
        fputs(",\"note\":", f);
        hz__json_str(f, s->note);
        fprintf(f,
                ",\"history\":{\"n\":%zu,\"last_period\":\"%s\","
                "\"last12_total\":",
                s->n, hz_format_day(s->last_day, d));
        hz__json_num(f, s->last12_total);
        fputs("},\"forecast\":[", f);
        for (size_t h = 0; h < r->horizon; h++) {
            fprintf(f, "%s{\"date\":\"%s\",\"point\":", h ? "," : "",
                    hz_format_day(s->days[h], d));
            hz__json_num(f, s->fc->mean[h]);
            for (size_t k = 0; k < s->fc->nlevels; k++) {
                char a[32], b[32];
                level_name(a, sizeof a, "lo", s->fc->levels[k]);
                level_name(b, sizeof b, "hi", s->fc->levels[k]);
                fprintf(f, ",\"%s\":", a);
                hz__json_num(f, s->fc->lower[k][h]);
                fprintf(f, ",\"%s\":", b);
                hz__json_num(f, s->fc->upper[k][h]);
            }
            fputc('}', f);
        }
        fputs("]}", f);
    }
    fputs("\n]}\n", f);
    if (ferror(f))
        return hz_error_set(err, HZ_EIO, "could not write forecasts");
    return HZ_OK;
}
