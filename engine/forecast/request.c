/* The request runner: dataset -> series -> a forecast per series, in
 * parallel, with the result's post-processing (values too large or small
 * for the models are scaled and scaled back; points and bounds kept at
 * or above zero for non-negative data) and fitted values for the
 * diagnostics.  Writers are in fc_write.c. */
#pragma GCC diagnostic ignored "-Wformat-truncation" /* bounded notes */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "horizon/threads.h"
#include "forecast/fc_internal.h"
#include "horizon/dataset.h"
#include "horizon/forecast.h"
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
    r->week_anchor = -1;
    r->label_end = -1;
    r->nonnegative = HZ_NONNEG_AUTO;
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
        free(r->series[i].fitted);
    }
    free(r->series);
    free(r);
}

static int cmp_len_desc(const void *a, const void *b, void *ctx)
{
    const hz_series *s = ctx;
    size_t x = s[*(const size_t *)a].n, y = s[*(const size_t *)b].n;
    if (x != y)
        return x < y ? 1 : -1;
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    return (i > j) - (i < j);
}

static hz_status check_request(const hz_forecast_request *req, hz_error *err)
{
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
    if (!hz_fc_model_available(req->model))
        return hz_error_set(err, HZ_EINVAL,
                            "model '%s' is not available in this build",
                            hz_fc_model_name(req->model));
    if (req->value_col == NULL && req->agg != HZ_AGG_COUNT)
        return hz_error_set(err, HZ_EINVAL, "no value column given");
    return HZ_OK;
}

/* ---- scale: the models work on values of ordinary size ---- */

/* Exponent k such that y / 2^k has its largest magnitude near 1000, when
 * that magnitude lies outside [1e-6, 1e15] (where the models' tolerances
 * and criteria were measured to hold); 0 otherwise.  Scaling by a power
 * of two is exact. */
static int scale_exp(const double *y, size_t n)
{
    double amax = 0.0;
    for (size_t t = 0; t < n; t++)
        amax = fabs(y[t]) > amax ? fabs(y[t]) : amax;
    if (amax == 0.0 || (amax >= 1e-6 && amax <= 1e15))
        return 0;
    return ilogb(amax) - 10;
}

/* Back to the data's scale: points, bounds, fitted values; sigma^2 by
 * s^2; the log-likelihood of y = s * x is that of x minus n log s (for
 * the additive and the multiplicative models alike), and the criteria
 * follow. */
static void unscale(hz_forecast *fc, size_t n, int k)
{
    for (size_t i = 0; i < fc->h * (1 + 2 * fc->nlevels); i++)
        fc->mean[i] = ldexp(fc->mean[i], k);
    for (size_t t = 0; fc->fitted != NULL && t < n; t++)
        fc->fitted[t] = ldexp(fc->fitted[t], k);
    double shift = (double)n * (double)k * log(2.0);
    fc->sigma2 = ldexp(fc->sigma2, 2 * k);
    fc->loglik -= shift;
    fc->aic += 2 * shift;
    fc->aicc += 2 * shift;
    fc->bic += 2 * shift;
}

/* Points and bounds at or above zero; returns the values raised. */
static size_t clamp_nonneg(hz_forecast *fc)
{
    size_t k = 0;
    for (size_t i = 0; i < fc->h * (1 + 2 * fc->nlevels); i++)
        if (fc->mean[i] < 0) {
            fc->mean[i] = 0;
            k++;
        }
    return k;
}

static bool all_nonneg(const double *y, size_t n)
{
    for (size_t t = 0; t < n; t++)
        if (y[t] < 0)
            return false;
    return true;
}

/* ---- one series ---- */

static int series_alloc(const hz_forecast_request *req, const hz_series *s,
                        hz_forecast_series_result *o)
{
    o->key = strdup(s->key);
    o->fc = hz_forecast_alloc(req->horizon, req->nlevels, req->levels);
    o->days = malloc(req->horizon * sizeof *o->days);
    o->history = malloc((s->n ? s->n : 1) * sizeof *o->history);
    if (req->keep_fitted)
        o->fitted = malloc((s->n ? s->n : 1) * sizeof *o->fitted);
    if (o->key == NULL || o->fc == NULL || o->days == NULL ||
        o->history == NULL || (req->keep_fitted && o->fitted == NULL))
        return -1;
    return 0;
}

hz_status hz_forecast_series_guarded(const double *y, size_t n, int period,
                                     int model, uint64_t seed,
                                     hz_fc_workspace *w, hz_forecast *out,
                                     hz_forecast_guard *g, hz_error *err)
{
    g->scale_exp = n > 0 ? scale_exp(y, n) : 0;
    g->nonnegative = 0;
    g->nclamped = 0;
    double *ys = NULL;
    if (g->scale_exp != 0) {
        if ((ys = malloc(n * sizeof *ys)) == NULL)
            return hz_error_set(err, HZ_ENOMEM, "forecast: out of memory");
        for (size_t t = 0; t < n; t++)
            ys[t] = ldexp(y[t], -g->scale_exp);
    }
    hz_status st = hz_forecast_series(ys ? ys : y, n, period, model, seed, w,
                                      out, err);
    free(ys);
    if (st != HZ_OK)
        return st;
    if (g->scale_exp != 0)
        unscale(out, n, g->scale_exp);
    g->nonnegative = g->mode == HZ_NONNEG_ON ||
                     (g->mode == HZ_NONNEG_AUTO && all_nonneg(y, n));
    if (g->nonnegative)
        g->nclamped = clamp_nonneg(out);
    return HZ_OK;
}

/* Forecast series s into o; returns HZ_ENOMEM or HZ_OK (a series that
 * cannot be forecast is recorded in o->method/note). */
static hz_status run_series(const hz_forecast_request *req,
                            const hz_series_set *set, const hz_series *s,
                            hz_fc_workspace *w, hz_forecast_series_result *o)
{
    if (series_alloc(req, s, o) != 0)
        return HZ_ENOMEM;
    o->n = s->n;
    o->start = s->start;
    o->nobs = s->nobs;
    o->nfilled = s->nfilled;
    if (s->n > 0)
        memcpy(o->history, s->values, s->n * sizeof *o->history);
    o->last_day = hz_calendar_day(&set->cal, s->start + (int64_t)s->n - 1);
    double tot = 0.0;
    for (size_t t = s->n > 12 ? s->n - 12 : 0; t < s->n; t++)
        tot += s->values[t];
    o->last12_total = tot;
    for (size_t hh = 0; hh < req->horizon; hh++)
        o->days[hh] = hz_calendar_day(&set->cal,
                                      s->start + (int64_t)(s->n + hh));
    o->fc->fitted = o->fitted;
    o->fc->fitted_cap = o->fitted ? s->n : 0;
    uint64_t seed = hz__hash64(s->key, strlen(s->key), req->seed);
    hz_error e;
    hz_error_clear(&e);
    hz_forecast_guard g = {req->nonnegative, 0, 0, 0};
    hz_status fs = hz_forecast_series_guarded(
        s->values, s->n, set->period, req->model, seed, w, o->fc, &g, &e);
    o->scale_exp = g.scale_exp;
    if (fs == HZ_ENOMEM)
        return HZ_ENOMEM;
    if (fs != HZ_OK) {
        snprintf(o->method, sizeof o->method, "none");
        snprintf(o->note, sizeof o->note, "%s", e.msg);
        return HZ_OK;
    }
    snprintf(o->method, sizeof o->method, "%s", o->fc->method);
    snprintf(o->note, sizeof o->note, "%s", o->fc->note);
    o->nonnegative = g.nonnegative;
    o->nclamped = g.nclamped;
    return HZ_OK;
}

/* Forecast dates must be writable: not beyond 9999-12-31. */
static hz_status check_calendar_end(const hz_series_set *set, size_t horizon,
                                    hz_error *err)
{
    const int32_t last = hz_days_from_civil(9999, 12, 31);
    for (size_t i = 0; i < set->nseries; i++) {
        const hz_series *s = &set->series[i];
        int64_t p = s->start + (int64_t)(s->n + horizon) - 1;
        hz_calendar end = set->cal;
        end.end = true; /* the last day of the last forecast period */
        if (hz_calendar_day(&end, p) > last)
            return hz_error_set(err, HZ_EINVAL,
                                "series '%s' would be forecast past "
                                "9999-12-31 (%zu periods after its last "
                                "date): check the dates",
                                s->key, horizon);
    }
    return HZ_OK;
}

static void series_opts(const hz_forecast_request *req, hz_series_opts *so)
{
    hz_series_opts_init(so);
    so->date_col = req->date_col;
    so->value_col = req->value_col;
    so->by_cols = req->by_cols;
    so->nby = req->nby;
    so->freq = (hz_freq)req->freq;
    so->week_anchor = req->week_anchor;
    so->label_end = req->label_end;
    so->seasons = req->seasons;
    so->agg = (hz_agg)req->agg;
    so->fill = (hz_fill)req->fill;
    so->extend_to_end = !req->long_format;
}

static hz_forecast_result *result_new(const hz_forecast_request *req,
                                      const hz_series_set *set)
{
    hz_forecast_result *r = calloc(1, sizeof *r);
    size_t ns = set->nseries;
    if (r == NULL ||
        (r->series = calloc(ns ? ns : 1, sizeof *r->series)) == NULL) {
        free(r);
        return NULL;
    }
    r->freq = set->freq;
    r->cal = set->cal;
    r->period = set->period;
    r->seasons = set->seasons;
    snprintf(r->freq_reason, sizeof r->freq_reason, "%s", set->freq_reason);
    snprintf(r->seasons_reason, sizeof r->seasons_reason, "%s",
             set->seasons_reason);
    r->nfilled = set->nfilled;
    r->nseries_filled = set->nseries_filled;
    r->horizon = req->horizon;
    r->nseries = ns;
    r->rows_used = set->rows_used;
    r->rows_skipped = set->rows_skipped;
    return r;
}

hz_status hz_forecast_run(const hz_dataset *ds, const hz_forecast_request *req,
                          hz_forecast_result **out, hz_error *err)
{
    *out = NULL;
    if (ds == NULL || req == NULL)
        return hz_error_set(err, HZ_EINVAL, "forecast: null argument");
    hz_status st = check_request(req, err);
    if (st != HZ_OK)
        return st;
    double t0 = hz_now();
    hz_series_opts so;
    series_opts(req, &so);
    hz_series_set *set = NULL;
    if ((st = hz_series_build(ds, &so, &set, err)) != HZ_OK)
        return st;
    double t1 = hz_now();
    if ((st = check_calendar_end(set, req->horizon, err)) != HZ_OK) {
        hz_series_set_free(set);
        return st;
    }
    size_t ns = set->nseries;
    hz_forecast_result *r = result_new(req, set);
    size_t *order = malloc((ns ? ns : 1) * sizeof *order);
    if (r == NULL || order == NULL) {
        free(order);
        hz_forecast_result_free(r);
        hz_series_set_free(set);
        return hz_error_set(err, HZ_ENOMEM, "forecast: out of memory");
    }
    for (size_t i = 0; i < ns; i++)
        order[i] = i;
    qsort_r(order, ns, sizeof *order, cmp_len_desc, set->series);
    int nomem = 0;
    int threads = req->threads > 0 ? req->threads : hz_default_threads();
    if ((size_t)threads > ns)
        /* read by the num_threads clause, which the analyzer does not see:
         * NOLINTNEXTLINE(clang-analyzer-deadcode.DeadStores) */
        threads = ns > 0 ? (int)ns : 1;
#pragma omp parallel num_threads(threads) reduction(| : nomem)
    {
        hz_fc_workspace *w = hz_fc_workspace_alloc(256);
        if (w == NULL)
            nomem = 1;
#pragma omp for schedule(dynamic, 1)
        for (size_t k = 0; k < ns; k++)
            if (w != NULL && run_series(req, set, &set->series[order[k]], w,
                                        &r->series[order[k]]) == HZ_ENOMEM)
                nomem = 1;
        hz_fc_workspace_free(w);
    }
    free(order);
    hz_series_set_free(set);
    if (nomem) {
        hz_forecast_result_free(r);
        return hz_error_set(err, HZ_ENOMEM, "forecast: out of memory");
    }
    for (size_t i = 0; i < ns; i++) {
        r->nnonneg += (size_t)r->series[i].nonnegative;
        r->nclamped += r->series[i].nclamped;
    }
    r->seconds_series = t1 - t0;
    r->seconds_models = hz_now() - t1;
    *out = r;
    return HZ_OK;
}
