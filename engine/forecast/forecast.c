/* Forecast result type, the model dispatcher with fallbacks, and the
 * request runner over a dataset. */
#pragma GCC diagnostic ignored "-Wformat-truncation"
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/textout.h"
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
    f->params[0] = '\0';
    f->loglik = f->aic = f->aicc = f->bic = NAN;
    f->sigma2 = NAN;
    for (size_t i = 0; f->fitted != NULL && i < f->fitted_cap; i++)
        f->fitted[i] = NAN;
}

/* ===================================================================
 * Model dispatch.  To add a model: write an adapter with the fc_fn
 * signature and put one row in MODELS[].
 * ================================================================= */
#include <stdbool.h>
#include <stdio.h>

#include "horizon/baseline.h"
#include "horizon/ets.h"
#include "horizon/theta.h"
#include "horizon/arima.h"
#include "horizon/combo.h"

struct hz_fc_workspace {
    hz_ets_workspace *ets;
    hz_forecast *tmp[3]; /* combo members */
};

typedef struct fc_ctx {
    hz_fc_workspace *w;
    uint64_t seed;
} fc_ctx;

typedef hz_status (*fc_fn)(const double *y, size_t n, int period, fc_ctx *c,
                           hz_forecast *out, hz_error *err);

static hz_status fc_naive(const double *y, size_t n, int period, fc_ctx *c,
                          hz_forecast *out, hz_error *err)
{
    (void)c;
    return hz_naive_forecast(y, n, period, out, err);
}

static hz_status fc_snaive(const double *y, size_t n, int period, fc_ctx *c,
                           hz_forecast *out, hz_error *err)
{
    (void)c;
    return hz_snaive_forecast(y, n, period, out, err);
}

static hz_status fc_drift(const double *y, size_t n, int period, fc_ctx *c,
                          hz_forecast *out, hz_error *err)
{
    (void)c;
    return hz_drift_forecast(y, n, period, out, err);
}

static hz_status fc_naive2(const double *y, size_t n, int period, fc_ctx *c,
                           hz_forecast *out, hz_error *err)
{
    (void)c;
    return hz_naive2_forecast(y, n, period, out, err);
}

static hz_status fc_ets(const double *y, size_t n, int period, fc_ctx *c,
                        hz_forecast *out, hz_error *err)
{
    hz_ets_opts o;
    hz_ets_opts_init(&o);
    o.seed = c->seed;
    return hz_ets_forecast_w(y, n, period, &o, c->w->ets, out, err);
}

static hz_status fc_theta(const double *y, size_t n, int period, fc_ctx *c,
                          hz_forecast *out, hz_error *err)
{
    (void)c;
    return hz_theta_forecast(y, n, period, NULL, out, NULL, err);
}

/* auto-ETS: the same candidates, start values and optimiser as ets, with
 * a budget of 300 Nelder-Mead evaluations per candidate instead of R's
 * 2000 (about 5x faster; M3 monthly sMAPE 14.16 against 14.14 for the full
 * budget, see README "Forecasting"). */
#define HZ_AUTO_MAXIT 300

static hz_status fc_ets_fast(const double *y, size_t n, int period, fc_ctx *c,
                             hz_forecast *out, hz_error *err)
{
    hz_ets_opts o;
    hz_ets_opts_init(&o);
    o.seed = c->seed;
    o.maxit = HZ_AUTO_MAXIT;
    return hz_ets_forecast_w(y, n, period, &o, c->w->ets, out, err);
}

static hz_status combine_members(const double *y, size_t n, int period,
                                 fc_ctx *c, const int *members, int nm,
                                 hz_forecast *out, hz_error *err);

/* auto: the equal-weight mean of auto-ETS and Theta.  Combining the two
 * beats either alone on M3 monthly (README "Forecasting") at the cost of
 * auto-ETS, where adding ARIMA (combo) would cost ten times more. */
static hz_status fc_auto(const double *y, size_t n, int period, fc_ctx *c,
                         hz_forecast *out, hz_error *err)
{
    static const int members[] = {-1 /* auto-ETS */, HZ_MODEL_THETA};
    return combine_members(y, n, period, c, members, 2, out, err);
}

static hz_status fc_combo(const double *y, size_t n, int period, fc_ctx *c,
                          hz_forecast *out, hz_error *err);

/* ARIMA: forecast::auto.arima equivalent (engine/forecast/arima.c) */
static hz_status fc_arima(const double *y, size_t n, int period, fc_ctx *c,
                          hz_forecast *out, hz_error *err)
{
    (void)c;
    return hz_arima_forecast(y, n, period, NULL, out, err);
}

/* select: per-series choice by rolling-origin validation (combo.c) */
static hz_status fc_select(const double *y, size_t n, int period, fc_ctx *c,
                           hz_forecast *out, hz_error *err)
{
    hz_select_opts o;
    hz_select_opts_init(&o);
    o.seed = c->seed;
    return hz_select_forecast(y, n, period, &o, c->w, out, NULL, err);
}

static const struct model_entry {
    int id;
    const char *name;
    fc_fn fn; /* NULL: not available in this build */
} MODELS[] = {
    {HZ_MODEL_AUTO, "auto", fc_auto},
    {HZ_MODEL_NAIVE, "naive", fc_naive},
    {HZ_MODEL_SNAIVE, "snaive", fc_snaive},
    {HZ_MODEL_DRIFT, "drift", fc_drift},
    {HZ_MODEL_ETS, "ets", fc_ets},
    {HZ_MODEL_THETA, "theta", fc_theta},
    {HZ_MODEL_ARIMA, "arima", fc_arima},
    {HZ_MODEL_COMBO, "combo", fc_combo},
    {HZ_MODEL_NAIVE2, "naive2", fc_naive2},
    {HZ_MODEL_SELECT, "select", fc_select},
};
#define NMODELS (sizeof MODELS / sizeof MODELS[0])

static const struct model_entry *model_find(int id)
{
    for (size_t i = 0; i < NMODELS; i++)
        if (MODELS[i].id == id)
            return &MODELS[i];
    return NULL;
}

const char *hz_fc_model_name(int model)
{
    const struct model_entry *e = model_find(model);
    return e != NULL ? e->name : "unknown";
}

bool hz_fc_model_parse(const char *s, int *model)
{
    for (size_t i = 0; i < NMODELS; i++)
        if (strcmp(s, MODELS[i].name) == 0) {
            *model = MODELS[i].id;
            return true;
        }
    return false;
}

bool hz_fc_model_available(int model)
{
    const struct model_entry *e = model_find(model);
    return e != NULL && e->fn != NULL;
}

hz_fc_workspace *hz_fc_workspace_alloc(size_t nmax)
{
    hz_fc_workspace *w = calloc(1, sizeof *w);
    if (w == NULL)
        return NULL;
    w->ets = hz_ets_alloc(nmax);
    if (w->ets == NULL) {
        free(w);
        return NULL;
    }
    return w;
}

void hz_fc_workspace_free(hz_fc_workspace *w)
{
    if (w == NULL)
        return;
    hz_ets_free(w->ets);
    for (int i = 0; i < 3; i++)
        hz_forecast_free(w->tmp[i]);
    free(w);
}

/* A temporary forecast shaped like out (kept in the workspace). */
static hz_forecast *tmp_like(hz_fc_workspace *w, int i, const hz_forecast *out)
{
    hz_forecast *t = w->tmp[i];
    if (t != NULL &&
        (t->h != out->h || t->nlevels != out->nlevels ||
         memcmp(t->levels, out->levels, out->nlevels * sizeof(double)) != 0)) {
        hz_forecast_free(t);
        t = w->tmp[i] = NULL;
    }
    if (t == NULL)
        t = w->tmp[i] = hz_forecast_alloc(out->h, out->nlevels, out->levels);
    else
        hz_forecast_reset(t);
    return t;
}

/* Forecasts that are not finite, or far outside anything the data
 * suggest, are rejected (guards against exploding multiplicative fits). */
static bool forecast_sane(const double *y, size_t n, const hz_forecast *f)
{
    double amax = 0.0, lo = y[0], hi = y[0];
    for (size_t i = 0; i < n; i++) {
        if (fabs(y[i]) > amax)
            amax = fabs(y[i]);
        if (y[i] < lo)
            lo = y[i];
        if (y[i] > hi)
            hi = y[i];
    }
    double bound = 100.0 * (amax + (hi - lo)) + 1e-9;
    for (size_t i = 0; i < f->h; i++) {
        if (!isfinite(f->mean[i]) || fabs(f->mean[i]) > bound)
            return false;
        /* intervals may be NaN (undefined, e.g. one observation) but
         * never infinite */
        for (size_t k = 0; k < f->nlevels; k++)
            if (isinf(f->lower[k][i]) || isinf(f->upper[k][i]))
                return false;
    }
    return true;
}

static hz_status fc_combo(const double *y, size_t n, int period, fc_ctx *c,
                          hz_forecast *out, hz_error *err)
{
    static const int members[] = {HZ_MODEL_ETS, HZ_MODEL_THETA,
                                  HZ_MODEL_ARIMA};
    return combine_members(y, n, period, c, members, 3, out, err);
}

/* Mean of the point forecasts and of the interval bounds of the members
 * that fit and give sane forecasts (member -1 is auto-ETS). */
static hz_status combine_members(const double *y, size_t n, int period,
                                 fc_ctx *c, const int *members, int nm,
                                 hz_forecast *out, hz_error *err)
{
    hz_forecast *got[3];
    char names[3][64], pars[3][192];
    int ng = 0;
    double *fit = NULL; /* members' fitted values, when the caller wants */
    if (out->fitted != NULL && out->fitted_cap >= n &&
        (fit = malloc(3 * n * sizeof *fit)) == NULL)
        return hz_error_set(err, HZ_ENOMEM, "combo: out of memory");
    for (int i = 0; i < nm; i++) {
        fc_fn fn = fc_ets_fast;
        if (members[i] >= 0) {
            const struct model_entry *e = model_find(members[i]);
            if (e == NULL || e->fn == NULL)
                continue;
            fn = e->fn;
        }
        hz_forecast *t = tmp_like(c->w, i, out);
        if (t == NULL) {
            free(fit);
            return hz_error_set(err, HZ_ENOMEM, "combo: out of memory");
        }
        t->fitted = fit ? fit + (size_t)ng * n : NULL;
        t->fitted_cap = fit ? n : 0;
        hz_forecast_reset(t);
        hz_status ms = fn(y, n, period, c, t, NULL);
        t->fitted = NULL;
        t->fitted_cap = 0;
        if (ms != HZ_OK || !forecast_sane(y, n, t))
            continue;
        snprintf(names[ng], sizeof names[ng], "%s", t->method);
        snprintf(pars[ng], sizeof pars[ng], "%s", t->params);
        got[ng++] = t;
    }
    if (ng == 0) {
        free(fit);
        return hz_error_set(err, HZ_ETOOSHORT,
                            "combo: no member model could be fitted");
    }
    for (size_t t = 0; fit != NULL && t < n; t++) {
        double s = 0.0;
        for (int g = 0; g < ng; g++)
            s += fit[(size_t)g * n + t];
        out->fitted[t] = s / ng; /* NAN where a member has none */
    }
    free(fit);
    for (size_t i = 0; i < out->h; i++) {
        double s = 0.0;
        for (int g = 0; g < ng; g++)
            s += got[g]->mean[i];
        out->mean[i] = s / ng;
        for (size_t k = 0; k < out->nlevels; k++) {
            double lo = 0.0, hi = 0.0;
            for (int g = 0; g < ng; g++) {
                lo += got[g]->lower[k][i];
                hi += got[g]->upper[k][i];
            }
            out->lower[k][i] = lo / ng;
            out->upper[k][i] = hi / ng;
        }
    }
    int len = snprintf(out->method, sizeof out->method, "Combo(");
    for (int g = 0; g < ng && len < (int)sizeof out->method; g++)
        len += snprintf(out->method + len, sizeof out->method - (size_t)len,
                        "%s%s", g ? "+" : "", names[g]);
    if (len < (int)sizeof out->method)
        snprintf(out->method + len, sizeof out->method - (size_t)len, ")");
    len = 0;
    for (int g = 0; g < ng && len < (int)sizeof out->params; g++)
        if (pars[g][0])
            len += snprintf(out->params + len,
                            sizeof out->params - (size_t)len, "%s%s: %s",
                            len ? "; " : "", names[g], pars[g]);
    return HZ_OK;
}

/* Fallback chain: the next simpler model to try. */
static int fallback_of(int model, size_t n)
{
    switch (model) {
    case HZ_MODEL_AUTO:
    case HZ_MODEL_ETS:
    case HZ_MODEL_ARIMA:
    case HZ_MODEL_COMBO:
    case HZ_MODEL_SELECT: return n >= 3 ? HZ_MODEL_THETA : HZ_MODEL_NAIVE;
    case HZ_MODEL_THETA:
    case HZ_MODEL_SNAIVE:
    case HZ_MODEL_DRIFT:
    case HZ_MODEL_NAIVE2: return HZ_MODEL_NAIVE;
    default: return -1;
    }
}

hz_status hz_forecast_series(const double *y, size_t n, int period, int model,
                             uint64_t seed, hz_fc_workspace *w,
                             hz_forecast *out, hz_error *err)
{
    if (y == NULL || out == NULL)
        return hz_error_set(err, HZ_EINVAL, "forecast: null argument");
    if (n == 0)
        return hz_error_set(err, HZ_ETOOSHORT,
                            "forecast: series has no observations");
    for (size_t i = 0; i < n; i++)
        if (!isfinite(y[i]))
            return hz_error_set(err, HZ_EINVAL,
                                "forecast: non-finite value at position "
                                "%zu",
                                i);
    if (model_find(model) == NULL)
        return hz_error_set(err, HZ_EINVAL, "forecast: unknown model %d",
                            model);
    hz_fc_workspace *own = NULL;
    if (w == NULL) {
        own = w = hz_fc_workspace_alloc(n);
        if (w == NULL)
            return hz_error_set(err, HZ_ENOMEM, "forecast: out of memory");
    }
    fc_ctx c = {w, seed};
    char note[192] = "";
    hz_status st = HZ_OK;
    int cur = model;
    while (cur >= 0) {
        const struct model_entry *e = model_find(cur);
        hz_error e2;
        hz_error_clear(&e2);
        hz_forecast_reset(out);
        hz_status s = HZ_EINVAL;
        if (e->fn == NULL)
            hz_error_set(&e2, HZ_EINVAL, "%s: not available in this build",
                         e->name);
        else
            s = e->fn(y, n, period, &c, out, &e2);
        if (s == HZ_ENOMEM) {
            st = hz_error_set(err, s, "%s", e2.msg);
            break;
        }
        if (s == HZ_OK && forecast_sane(y, n, out))
            break;
        if (s == HZ_OK)
            hz_error_set(&e2, HZ_ENOCONV, "%s: forecasts explode", e->name);
        int next = fallback_of(cur, n);
        if (next < 0) {
            st = hz_error_set(err, s == HZ_OK ? HZ_ENOCONV : s, "%s", e2.msg);
            break;
        }
        size_t len = strlen(note);
        snprintf(note + len, sizeof note - len, "%s%s; used %s",
                 len ? "; " : "", e2.msg, hz_fc_model_name(next));
        cur = next;
    }
    if (st == HZ_OK)
        snprintf(out->note, sizeof out->note, "%s", note);
    hz_fc_workspace_free(own);
    return st;
}
