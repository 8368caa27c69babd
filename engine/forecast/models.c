/* The model registry: names, the single models behind one signature, the
 * fallback chains and the per-thread workspace.  To add a model: an enum
 * value in include/horizon/forecast.h, an adapter here (or in the file
 * that combines models) and one row in MODELS[]. */
#pragma GCC diagnostic ignored "-Wformat-truncation"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "forecast/fc_models.h"
#include "horizon/arima.h"
#include "horizon/baseline.h"
#include "horizon/dhr.h"
#include "horizon/ets.h"
#include "horizon/intermittent.h"
#include "horizon/mstl.h"
#include "horizon/theta.h"

struct hz_fc_workspace {
    hz_ets_workspace *ets;
    hz_forecast *tmp[HZ__FC_NTMP]; /* combination members, scratch */
};

static hz_status fc_naive(const hz__fc_in *in, hz_forecast *out, hz_error *err)
{
    return hz_naive_forecast(in->y, in->n, in->period, out, err);
}

static hz_status fc_snaive(const hz__fc_in *in, hz_forecast *out,
                           hz_error *err)
{
    return hz_snaive_forecast(in->y, in->n, in->period, out, err);
}

static hz_status fc_drift(const hz__fc_in *in, hz_forecast *out, hz_error *err)
{
    return hz_drift_forecast(in->y, in->n, in->period, out, err);
}

static hz_status fc_naive2(const hz__fc_in *in, hz_forecast *out,
                           hz_error *err)
{
    return hz_naive2_forecast(in->y, in->n, in->period, out, err);
}

static hz_status fc_ets(const hz__fc_in *in, hz_forecast *out, hz_error *err)
{
    hz_ets_opts o;
    hz_ets_opts_init(&o);
    o.seed = in->seed;
    return hz_ets_forecast_w(in->y, in->n, in->period, &o, in->w->ets, out,
                             err);
}

/* auto-ETS: the same candidates, start values and optimiser as ets, with
 * a smaller budget: 250 Nelder-Mead evaluations per candidate instead of
 * R's 2000, and the seasonal candidates first screened with 40 and only
 * the best 3 of them fitted fully (about 8x faster than ets; as the
 * default's member M3 monthly sMAPE 13.574 / MASE 0.8408, against 13.583 /
 * 0.8417 with 300 evaluations and no screening, README "Forecasting"). */
#define HZ_AUTO_MAXIT 250
#define HZ_AUTO_SCREEN_KEEP 3
#define HZ_AUTO_SCREEN_MAXIT 40

hz_status hz__fc_ets_fast(const hz__fc_in *in, hz_forecast *out, hz_error *err)
{
    hz_ets_opts o;
    hz_ets_opts_init(&o);
    o.seed = in->seed;
    o.maxit = HZ_AUTO_MAXIT;
    o.screen_keep = HZ_AUTO_SCREEN_KEEP;
    o.screen_maxit = HZ_AUTO_SCREEN_MAXIT;
    return hz_ets_forecast_w(in->y, in->n, in->period, &o, in->w->ets, out,
                             err);
}

static hz_status fc_theta(const hz__fc_in *in, hz_forecast *out, hz_error *err)
{
    return hz_theta_forecast(in->y, in->n, in->period, NULL, out, NULL, err);
}

/* ARIMA: forecast::auto.arima equivalent (engine/forecast/arima.c) */
static hz_status fc_arima(const hz__fc_in *in, hz_forecast *out, hz_error *err)
{
    return hz_arima_forecast(in->y, in->n, in->period, NULL, out, err);
}

static hz_status mstl_with(int method, const hz__fc_in *in, hz_forecast *out,
                           hz_error *err)
{
    hz_mstl_opts o;
    hz_mstl_opts_init(&o);
    o.method = method;
    o.seed = in->seed;
    return hz_mstl_forecast(in->y, in->n, &in->seasons, &o, in->w->ets, out,
                            err);
}

static hz_status fc_mstl(const hz__fc_in *in, hz_forecast *out, hz_error *err)
{
    return mstl_with(HZ_MSTL_ETS, in, out, err);
}

static hz_status fc_mstl_arima(const hz__fc_in *in, hz_forecast *out,
                               hz_error *err)
{
    return mstl_with(HZ_MSTL_ARIMA, in, out, err);
}

static hz_status fc_mstl_theta(const hz__fc_in *in, hz_forecast *out,
                               hz_error *err)
{
    return mstl_with(HZ_MSTL_THETA, in, out, err);
}

static hz_status fc_dhr(const hz__fc_in *in, hz_forecast *out, hz_error *err)
{
    return hz_dhr_forecast(in->y, in->n, &in->seasons, NULL, out, err);
}

static hz_status idemand_with(int method, const hz__fc_in *in,
                              hz_forecast *out, hz_error *err)
{
    hz_idemand_opts o;
    hz_idemand_opts_init(&o);
    o.method = method;
    return hz_idemand_forecast(in->y, in->n, &o, out, err);
}

static hz_status fc_croston(const hz__fc_in *in, hz_forecast *out,
                            hz_error *err)
{
    return idemand_with(HZ_ID_CROSTON, in, out, err);
}

static hz_status fc_sba(const hz__fc_in *in, hz_forecast *out, hz_error *err)
{
    return idemand_with(HZ_ID_SBA, in, out, err);
}

static hz_status fc_tsb(const hz__fc_in *in, hz_forecast *out, hz_error *err)
{
    return idemand_with(HZ_ID_TSB, in, out, err);
}

static hz_status fc_adida(const hz__fc_in *in, hz_forecast *out, hz_error *err)
{
    return idemand_with(HZ_ID_ADIDA, in, out, err);
}

static hz_status fc_imapa(const hz__fc_in *in, hz_forecast *out, hz_error *err)
{
    return idemand_with(HZ_ID_IMAPA, in, out, err);
}

static const struct model_entry {
    int id;
    const char *name;
    hz__fc_fn fn; /* NULL: a combination (engine/forecast/dispatch.c) */
} MODELS[] = {
    {HZ_MODEL_AUTO, "auto", NULL},
    {HZ_MODEL_NAIVE, "naive", fc_naive},
    {HZ_MODEL_SNAIVE, "snaive", fc_snaive},
    {HZ_MODEL_DRIFT, "drift", fc_drift},
    {HZ_MODEL_ETS, "ets", fc_ets},
    {HZ_MODEL_THETA, "theta", fc_theta},
    {HZ_MODEL_ARIMA, "arima", fc_arima},
    {HZ_MODEL_COMBO, "combo", NULL},
    {HZ_MODEL_NAIVE2, "naive2", fc_naive2},
    {HZ_MODEL_SELECT, "select", NULL},
    {HZ_MODEL_MSTL, "mstl", fc_mstl},
    {HZ_MODEL_MSTL_ARIMA, "mstl-arima", fc_mstl_arima},
    {HZ_MODEL_MSTL_THETA, "mstl-theta", fc_mstl_theta},
    {HZ_MODEL_DHR, "dhr", fc_dhr},
    {HZ_MODEL_CROSTON, "croston", fc_croston},
    {HZ_MODEL_SBA, "sba", fc_sba},
    {HZ_MODEL_TSB, "tsb", fc_tsb},
    {HZ_MODEL_ADIDA, "adida", fc_adida},
    {HZ_MODEL_IMAPA, "imapa", fc_imapa},
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

const char *hz_fc_model_list(void)
{
    static const char list[] =
        "auto, ets, theta, arima, combo, select, naive, snaive, drift, "
        "naive2, mstl, mstl-arima, mstl-theta, dhr, croston, sba, tsb, "
        "adida, imapa";
    return list;
}

bool hz__fc_known(int model)
{
    return model_find(model) != NULL;
}

hz__fc_fn hz__fc_single(int model)
{
    const struct model_entry *e = model_find(model);
    return e != NULL ? e->fn : NULL;
}

int hz__fc_fallback_of(int model, size_t n)
{
    switch (model) {
    case HZ_MODEL_AUTO:
    case HZ_MODEL_ETS:
    case HZ_MODEL_ARIMA:
    case HZ_MODEL_COMBO:
    case HZ_MODEL_SELECT:
    case HZ_MODEL_MSTL:
    case HZ_MODEL_MSTL_ARIMA:
    case HZ_MODEL_MSTL_THETA:
    case HZ_MODEL_DHR: return n >= 3 ? HZ_MODEL_THETA : HZ_MODEL_NAIVE;
    case HZ_MODEL_THETA:
    case HZ_MODEL_SNAIVE:
    case HZ_MODEL_DRIFT:
    case HZ_MODEL_NAIVE2:
    case HZ_MODEL_CROSTON:
    case HZ_MODEL_SBA:
    case HZ_MODEL_TSB:
    case HZ_MODEL_ADIDA:
    case HZ_MODEL_IMAPA: return HZ_MODEL_NAIVE;
    default: return -1;
    }
}

hz_status hz__fc_run_chain(int model, hz__fc_fn fn, const hz__fc_in *in,
                           hz_forecast *out, hz_error *err)
{
    char note[192] = "";
    hz_status st = HZ_OK;
    int cur = model;
    while (cur >= 0) {
        hz_error e2;
        hz_error_clear(&e2);
        hz_forecast_reset(out);
        hz_status s = fn(in, out, &e2);
        if (s == HZ_ENOMEM) {
            st = hz_error_set(err, s, "%s", e2.msg);
            break;
        }
        if (s == HZ_OK && hz__fc_sane(in->y, in->n, out))
            break;
        if (s == HZ_OK)
            hz_error_set(&e2, HZ_ENOCONV, "%s: forecasts explode",
                         hz_fc_model_name(cur));
        int next = hz__fc_fallback_of(cur, in->n);
        if (next < 0) {
            st = hz_error_set(err, s == HZ_OK ? HZ_ENOCONV : s, "%s", e2.msg);
            break;
        }
        /* each step names the model that failed: theta's message may
         * come from the SES inside it ("ets: ...") */
        const char *nm = hz_fc_model_name(cur);
        size_t len = strlen(note), nl = strlen(nm);
        bool named = cur == HZ_MODEL_AUTO || /* auto is the combination */
                     (strncmp(e2.msg, nm, nl) == 0 && e2.msg[nl] == ':');
        snprintf(note + len, sizeof note - len, "%s%s%s%s; used %s",
                 len ? "; " : "", named ? "" : nm, named ? "" : ": ", e2.msg,
                 hz_fc_model_name(next));
        cur = next;
        fn = hz__fc_single(cur);
    }
    if (st == HZ_OK)
        snprintf(out->note, sizeof out->note, "%s", note);
    return st;
}

hz_status hz__fc_run_single(int model, const hz__fc_in *in, hz_forecast *out,
                            hz_error *err)
{
    hz__fc_fn fn = hz__fc_single(model);
    if (fn == NULL)
        return hz_error_set(err, HZ_EINVAL,
                            "forecast: %s is not a single "
                            "model",
                            hz_fc_model_name(model));
    return hz__fc_run_chain(model, fn, in, out, err);
}

void hz__fc_in_seasons(hz__fc_in *in)
{
    if (in->seasons.n == 0 && in->period > 1) {
        in->seasons.n = 1;
        in->seasons.period[0] = in->period;
    }
    if (in->period <= 0)
        in->period = in->seasons.n > 0 ? (int)floor(in->seasons.period[0]) : 1;
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
    for (int i = 0; i < HZ__FC_NTMP; i++)
        hz_forecast_free(w->tmp[i]);
    free(w);
}

hz_ets_workspace *hz__fc_ets_ws(hz_fc_workspace *w)
{
    return w->ets;
}

hz_forecast *hz__fc_tmp(hz_fc_workspace *w, int i, const hz_forecast *out)
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
