/* MSTL decomposition and stlf forecasts (see include/horizon/mstl.h). */
#pragma GCC diagnostic ignored "-Wformat-truncation"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "forecast/fc_internal.h"
#include "horizon/arima.h"
#include "horizon/baseline.h"
#include "horizon/mstl.h"
#include "horizon/theta.h"

void hz_mstl_opts_init(hz_mstl_opts *o)
{
    memset(o, 0, sizeof *o);
    o->method = HZ_MSTL_ETS;
    o->seed = 42;
}

void hz_mstl_free(hz_mstl *d)
{
    if (d == NULL)
        return;
    free(d->trend);
    for (size_t i = 0; i < HZ_MAX_SEASONS; i++)
        free(d->seasonal[i]);
    free(d->remainder);
    memset(d, 0, sizeof *d);
}

/* The periods kept: ascending, each below n / 2 (and above 1). */
static size_t keep_periods(const hz_seasons *s, size_t n, double *p)
{
    size_t k = 0;
    for (size_t i = 0; s != NULL && i < s->n && i < HZ_MAX_SEASONS; i++)
        if (s->period[i] > 1 && s->period[i] < (double)n / 2.0)
            p[k++] = s->period[i];
    for (size_t i = 1; i < k; i++) { /* insertion sort */
        double v = p[i];
        size_t j = i;
        while (j > 0 && p[j - 1] > v) {
            p[j] = p[j - 1];
            j--;
        }
        p[j] = v;
    }
    return k;
}

static hz_status alloc_parts(hz_mstl *d, size_t n)
{
    const size_t n1 = n ? n : 1; /* no malloc(0) */
    d->trend = malloc(n1 * sizeof(double));
    d->remainder = malloc(n1 * sizeof(double));
    int bad = d->trend == NULL || d->remainder == NULL;
    for (size_t i = 0; i < d->nseasons; i++) {
        d->seasonal[i] = calloc(n1, sizeof(double));
        bad |= d->seasonal[i] == NULL;
    }
    return bad ? HZ_ENOMEM : HZ_OK;
}

hz_status hz_mstl_decompose(const double *y, size_t n, const hz_seasons *s,
                            const hz_mstl_opts *o, hz_mstl *out, hz_error *err)
{
    hz_mstl_opts def;
    if (o == NULL) {
        hz_mstl_opts_init(&def);
        o = &def;
    }
    memset(out, 0, sizeof *out);
    if (y == NULL)
        return hz_error_set(err, HZ_EINVAL, "mstl: null argument");
    out->n = n;
    out->nseasons = keep_periods(s, n, out->period);
    if (out->nseasons == 0)
        return hz_error_set(err, HZ_ETOOSHORT,
                            "mstl: no seasonal period shorter than half "
                            "the series (%zu observations)",
                            n);
    size_t pmax = (size_t)out->period[out->nseasons - 1];
    double *work = malloc(5 * (n + 2 * pmax) * sizeof(double));
    double *deseas = malloc((n ? n : 1) * sizeof(double));
    if (work == NULL || deseas == NULL || alloc_parts(out, n) != HZ_OK) {
        free(work);
        free(deseas);
        hz_mstl_free(out);
        return hz_error_set(err, HZ_ENOMEM, "mstl: out of memory");
    }
    int iterate = o->iterate > 0            ? o->iterate
                  : (s != NULL && s->n > 1) ? 2
                                            : 1;
    memcpy(deseas, y, n * sizeof(double));
    for (int it = 0; it < iterate; it++) {
        for (size_t i = 0; i < out->nseasons; i++) {
            double *sea = out->seasonal[i];
            int sw = o->s_window[i] > 0 ? o->s_window[i]
                                        : 7 + 4 * (int)(i + 1);
            for (size_t t = 0; t < n; t++)
                deseas[t] = deseas[t] + sea[t];
            hz__stl(deseas, n, out->period[i], sw, sea, out->trend, work);
            for (size_t t = 0; t < n; t++)
                deseas[t] = deseas[t] - sea[t];
        }
    }
    for (size_t t = 0; t < n; t++)
        out->remainder[t] = deseas[t] - out->trend[t];
    free(work);
    free(deseas);
    return HZ_OK;
}

/* The adjusted series forecast with the chosen method into out. */
static hz_status adjusted_forecast(const double *sa, size_t n, double freq,
                                   const hz_mstl_opts *o, hz_ets_workspace *w,
                                   hz_forecast *out, hz_error *err)
{
    switch (o->method) {
    case HZ_MSTL_ETS: {
        hz_ets_opts eo;
        hz_ets_opts_init(&eo);
        eo.season = HZ_ETS_N;
        eo.seed = o->seed;
        if (o->ets_maxit > 0)
            eo.maxit = o->ets_maxit;
        return hz_ets_forecast_w(sa, n, 1, &eo, w, out, err);
    }
    case HZ_MSTL_ARIMA: {
        hz_arima_opts ao;
        hz_arima_opts_default(&ao);
        ao.seasonal = 0;
        /* the frequency of R's msts: floor(max period) */
        return hz_arima_forecast(sa, n, (int)floor(freq), &ao, out, err);
    }
    case HZ_MSTL_THETA: {
        hz_theta_opts to;
        hz_theta_opts_init(&to);
        to.force_nonseasonal = true;
        return hz_theta_forecast(sa, n, 1, &to, out, NULL, err);
    }
    case HZ_MSTL_NAIVE: return hz_naive_forecast(sa, n, 1, out, err);
    case HZ_MSTL_DRIFT: return hz_drift_forecast(sa, n, 1, out, err);
    default: return hz_error_set(err, HZ_EINVAL, "mstl: unknown method");
    }
}

/* "MSTL(24,168)+" before the adjusted model's name. */
static void name_method(const hz_mstl *d, hz_forecast *out)
{
    char inner[64], buf[64];
    snprintf(inner, sizeof inner, "%s", out->method);
    int len = snprintf(buf, sizeof buf, "MSTL(");
    for (size_t i = 0; i < d->nseasons && len < (int)sizeof buf; i++)
        len += snprintf(buf + len, sizeof buf - (size_t)len, "%s%g",
                        i ? "," : "", d->period[i]);
    snprintf(out->method, sizeof out->method, "%s)+%s", buf, inner);
}

static hz_status mstl_fit(const double *y, size_t n, const hz_seasons *s,
                          const hz_mstl_opts *o, hz_ets_workspace *w,
                          hz_forecast *out, hz_error *err)
{
    hz_mstl d;
    hz_status st = hz_mstl_decompose(y, n, s, o, &d, err);
    if (st != HZ_OK)
        return st;
    hz_ets_workspace *own = NULL;
    double *sa = malloc((n ? n : 1) * sizeof(double));
    if (w == NULL)
        w = own = hz_ets_alloc(n);
    if (sa == NULL || w == NULL) {
        st = hz_error_set(err, HZ_ENOMEM, "mstl: out of memory");
        goto done;
    }
    for (size_t t = 0; t < n; t++) /* seasadj: trend + remainder */
        sa[t] = d.trend[t] + d.remainder[t];
    st = adjusted_forecast(sa, n, d.period[d.nseasons - 1], o, w, out, err);
    if (st != HZ_OK)
        goto done;
    /* fitted values of the seasonally adjusted series, re-seasonalised (as
     * R's forecast.stl) */
    for (size_t t = 0; out->fitted != NULL && out->fitted_cap >= n && t < n;
         t++)
        out->fitted[t] += y[t] - sa[t];
    for (size_t j = 0; j < out->h; j++) {
        double last = 0.0;
        for (size_t i = 0; i < d.nseasons; i++) {
            size_t L = (size_t)d.period[i]; /* seq_len(period) */
            last += d.seasonal[i][n - L + j % L];
        }
        out->mean[j] += last;
        for (size_t k = 0; k < out->nlevels; k++) {
            out->lower[k][j] += last;
            out->upper[k][j] += last;
        }
    }
    name_method(&d, out);
done:
    free(sa);
    hz_ets_free(own);
    hz_mstl_free(&d);
    return st;
}

/* mstl_fit's arguments besides the series. */
typedef struct mstl_call {
    const hz_seasons *s;
    const hz_mstl_opts *o;
    hz_ets_workspace *w;
} mstl_call;

static hz_status mstl_fit_cb(const double *y, size_t n, void *ctx,
                             hz_forecast *out, hz_error *err)
{
    const mstl_call *c = ctx;
    return mstl_fit(y, n, c->s, c->o, c->w, out, err);
}

hz_status hz_mstl_forecast(const double *y, size_t n, const hz_seasons *s,
                           const hz_mstl_opts *o, hz_ets_workspace *w,
                           hz_forecast *out, hz_error *err)
{
    hz_mstl_opts def;
    if (o == NULL) {
        hz_mstl_opts_init(&def);
        o = &def;
    }
    if (out == NULL)
        return hz_error_set(err, HZ_EINVAL, "mstl: null argument");
    bool pos = y != NULL && n > 0;
    for (size_t i = 0; y != NULL && i < n; i++) {
        if (!isfinite(y[i]))
            return hz_error_set(err, HZ_EINVAL,
                                "mstl: non-finite value at position %zu", i);
        pos &= y[i] > 0;
    }
    double pmax = 0;
    for (size_t i = 0; s != NULL && i < s->n && i < HZ_MAX_SEASONS; i++)
        if (s->period[i] < (double)n / 2 && s->period[i] > pmax)
            pmax = s->period[i];
    if (o->log && pos && hz__guerrero_log(y, n, pmax)) {
        mstl_call c = {s, o, w};
        return hz__fc_on_log(y, n, mstl_fit_cb, &c, out, err);
    }
    return mstl_fit(y, n, s, o, w, out, err);
}
