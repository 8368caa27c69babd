/* The default model (`auto`): what it combines and when.
 *
 *   - one seasonal period up to 24 and at least three years of it: the
 *     equal-weight mean of auto-ETS and Theta (beats either on M3
 *     monthly, README "Forecasting");
 *   - two to three seasons of data (2 m <= n < 3 m) that the 90% ACF test
 *     at lag m finds seasonal: the same mean on the seasonally adjusted
 *     series (classical decomposition), re-seasonalised, because with so
 *     few seasons AICc rarely buys ETS its m - 1 seasonal states and Theta
 *     needs more than 2 m observations for its own test. */
#pragma GCC diagnostic ignored "-Wformat-truncation"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "forecast/fc_internal.h"
#include "forecast/fc_models.h"
#include "horizon/baseline.h"
#include "horizon/dhr.h"
#include "horizon/mstl.h"
#include "horizon/forecast.h"
#include "horizon/intermittent.h"
#include "horizon/theta.h"
#include "numeric/gsl_init.h"

static hz_status theta_plain(const hz__fc_in *in, hz_forecast *out,
                             hz_error *err)
{
    hz_theta_opts o;
    hz_theta_opts_init(&o);
    o.force_nonseasonal = true;
    return hz_theta_forecast(in->y, in->n, 1, &o, out, NULL, err);
}

/* The seasonal index of a short series: y over (or minus) its linear
 * trend, averaged position by position over the seasons observed,
 * normalised to mean 1 (or 0).  Every value counts (classical
 * decomposition would use a single season when n = 2 m).  seas[n]. */
static void short_index(const double *y, size_t n, size_t m, int mult,
                        double *seas)
{
    double a, b, fig[24] = {0};
    size_t cnt[24] = {0};
    hz__linfit(y, n, 0.0, &a, &b);
    for (size_t t = 0; t < n; t++) {
        double tr = a + b * (double)t;
        fig[t % m] += mult ? y[t] / tr : y[t] - tr;
        cnt[t % m]++;
    }
    double mean = 0.0;
    for (size_t i = 0; i < m; i++) {
        fig[i] /= (double)cnt[i];
        mean += fig[i] / (double)m;
    }
    for (size_t t = 0; t < n; t++)
        seas[t] = mult ? fig[t % m] / mean : fig[t % m] - mean;
}

/* The short-history rule: 2 m <= n < 4 m, and the detrended values one
 * season apart correlate (Pearson r of the pairs (e_t, e_t+m), one-sided
 * 5% t test): with so few seasons the ACF test at lag m has little
 * power. */
static bool short_seasonal(const hz__fc_in *in)
{
    int m = in->period;
    if (m < 2 || m > 24)
        return false;
    size_t mm = (size_t)m, n = in->n;
    if (n < 2 * mm || n >= 4 * mm)
        return false;
    double a, b, sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
    hz__linfit(in->y, n, 0.0, &a, &b);
    size_t k = n - mm;
    if (k < 3)
        return false; /* the t test needs k - 2 >= 1 degrees of freedom */
    for (size_t t = 0; t < k; t++) {
        double x = in->y[t] - (a + b * (double)t);
        double y = in->y[t + mm] - (a + b * (double)(t + mm));
        sx += x;
        sy += y;
        sxx += x * x;
        syy += y * y;
        sxy += x * y;
    }
    double kk = (double)k;
    double vx = sxx - sx * sx / kk, vy = syy - sy * sy / kk;
    if (!(vx > 0 && vy > 0))
        return false;
    double r = (sxy - sx * sy / kk) / sqrt(vx * vy);
    if (!(r > 0))
        return false;
    if (r >= 1)
        return true;
    double tstat = r * sqrt((kk - 2) / (1 - r * r));
    hz__gsl_init();
    return tstat > gsl_cdf_tdist_Pinv(0.95, kk - 2);
}

/* With fewer than two and a half seasons the seasonal index rests on two
 * values a position: out becomes the mean of it and the seasonal naive
 * forecast (points and bounds). */
static hz_status blend_snaive(const hz__fc_in *in, hz_forecast *out,
                              hz_error *err)
{
    hz_forecast *sn = hz__fc_tmp(in->w, 2, out);
    if (sn == NULL)
        return hz_error_set(err, HZ_ENOMEM, "auto: out of memory");
    hz_status st = hz_snaive_forecast(in->y, in->n, in->period, sn, err);
    if (st != HZ_OK)
        return st;
    for (size_t i = 0; i < out->h; i++) {
        out->mean[i] = 0.5 * (out->mean[i] + sn->mean[i]);
        for (size_t k = 0; k < out->nlevels; k++) {
            out->lower[k][i] = 0.5 * (out->lower[k][i] + sn->lower[k][i]);
            out->upper[k][i] = 0.5 * (out->upper[k][i] + sn->upper[k][i]);
        }
    }
    char inner[64];
    snprintf(inner, sizeof inner, "%s", out->method);
    snprintf(out->method, sizeof out->method, "Mean(%s+SNaive)", inner);
    return HZ_OK;
}

/* Mean of auto-ETS and Theta on the seasonally adjusted series, then
 * re-seasonalised: multiplicative when the data are positive. */
static hz_status auto_adjusted(const hz__fc_in *in, hz_forecast *out,
                               hz_error *err)
{
    size_t n = in->n, m = (size_t)in->period;
    int mult = 1;
    for (size_t t = 0; t < n; t++)
        mult &= in->y[t] > 0;
    double *buf = malloc(2 * n * sizeof *buf);
    if (buf == NULL)
        return hz_error_set(err, HZ_ENOMEM, "auto: out of memory");
    double *seas = buf, *adj = buf + n;
    hz_status st = HZ_OK;
    short_index(in->y, n, m, mult, seas);
    for (size_t t = 0; mult && t < n; t++)
        if (!(seas[t] > 0))
            mult = 0; /* a trend through zero: additive instead */
    if (!mult)
        short_index(in->y, n, m, 0, seas);
    for (size_t t = 0; t < n; t++)
        adj[t] = mult ? in->y[t] / seas[t] : in->y[t] - seas[t];
    hz__fc_in a = *in;
    a.y = adj;
    a.period = 1;
    a.seasons.n = 0;
    // cppcheck-suppress uninitvar ; initialised right here
    const hz__fc_fn members[] = {hz__fc_ets_fast, theta_plain};
    st = hz__fc_mean_members(&a, members, 2, out, err);
    if (st != HZ_OK)
        goto done;
    for (size_t i = 0; i < out->h; i++) {
        double s = seas[n - m + i % m];
        out->mean[i] = mult ? out->mean[i] * s : out->mean[i] + s;
        for (size_t k = 0; k < out->nlevels; k++) {
            double *lo = &out->lower[k][i], *hi = &out->upper[k][i];
            *lo = mult ? *lo * s : *lo + s;
            *hi = mult ? *hi * s : *hi + s;
        }
    }
    char inner[64];
    snprintf(inner, sizeof inner, "%s", out->method);
    snprintf(out->method, sizeof out->method, "%s x seasonal index[%zu]",
             inner, m);
    if (2 * n < 5 * m)
        st = blend_snaive(in, out, err);
done:
    free(buf);
    return st;
}

/* Several seasonal periods, or one that ETS cannot take (above 24 or not
 * an integer). */
static bool multi_season(const hz__fc_in *in)
{
    size_t k = 0;
    bool odd = false;
    for (size_t i = 0; i < in->seasons.n; i++) {
        double p = in->seasons.period[i];
        if (!(p > 1))
            continue;
        k++;
        odd |= p > 24 || p != floor(p);
    }
    return k > 1 || odd;
}

static hz_status mstl_theta(const hz__fc_in *in, hz_forecast *out,
                            hz_error *err)
{
    hz_mstl_opts o;
    hz_mstl_opts_init(&o);
    o.method = HZ_MSTL_THETA;
    o.log = 1;
    return hz_mstl_forecast(in->y, in->n, &in->seasons, &o, NULL, out, err);
}

static hz_status dhr_theta(const hz__fc_in *in, hz_forecast *out,
                           hz_error *err)
{
    hz_dhr_opts o;
    hz_dhr_opts_init(&o);
    o.errors = HZ_DHR_THETA;
    o.log = 1;
    return hz_dhr_forecast(in->y, in->n, &in->seasons, &o, out, err);
}

/* Several seasons: MSTL + Theta when the longest period repeats at least
 * four times (its seasonal shape is then estimated well by loess), else
 * the Fourier (DHR) seasonal adjustment + Theta, smooth enough for two or
 * three cycles; either of log(y) when every value is positive and
 * Guerrero's rule finds the seasons growing with the level, the mean
 * bias-adjusted (bench/bench_multi.c: taylor, hourly, daily, weekly;
 * bench/bench_multi_variants.c on wider cells). */
static hz_status multi_auto(const hz__fc_in *in, hz_forecast *out,
                            hz_error *err)
{
    double pmax = 0;
    for (size_t i = 0; i < in->seasons.n; i++)
        pmax = in->seasons.period[i] > pmax ? in->seasons.period[i] : pmax;
    if ((double)in->n >= 4 * pmax)
        return mstl_theta(in, out, err);
    return dhr_theta(in, out, err);
}

/* Intermittent or lumpy demand (SBC: mean interval between demands of
 * 1.32 periods or more, non-negative data): the mean of TSB, IMAPA and
 * Theta, bounds at or above zero (bench/bench_intermittent.c: within 1-2%
 * of the best single method on MASE, RMSSE and scaled pinball loss at
 * once, where each single method is best on one of them only). */
static bool intermittent(const hz__fc_in *in)
{
    if (in->n < 8)
        return false;
    for (size_t t = 0; t < in->n; t++)
        if (in->y[t] < 0)
            return false;
    double adi;
    hz_demand_classify(in->y, in->n, &adi, NULL);
    return adi >= HZ_SBC_ADI;
}

static hz_status intermittent_auto(const hz__fc_in *in, hz_forecast *out,
                                   hz_error *err)
{
    // cppcheck-suppress uninitvar ; initialised right here
    const hz__fc_fn m[] = {hz__fc_single(HZ_MODEL_TSB),
                           hz__fc_single(HZ_MODEL_IMAPA),
                           hz__fc_single(HZ_MODEL_THETA)};
    hz_status st = hz__fc_mean_members(in, m, 3, out, err);
    for (size_t i = 0; st == HZ_OK && i < out->h; i++) {
        if (out->mean[i] < 0)
            out->mean[i] = 0;
        for (size_t k = 0; k < out->nlevels; k++)
            if (out->lower[k][i] < 0)
                out->lower[k][i] = 0;
    }
    return st;
}

hz_status hz__fc_auto(const hz__fc_in *in, hz_forecast *out, hz_error *err)
{
    if (intermittent(in))
        return intermittent_auto(in, out, err);
    if (multi_season(in))
        return multi_auto(in, out, err);
    if (short_seasonal(in))
        return auto_adjusted(in, out, err);
    // cppcheck-suppress uninitvar ; initialised right here
    const hz__fc_fn members[] = {hz__fc_ets_fast,
                                 hz__fc_single(HZ_MODEL_THETA)};
    return hz__fc_mean_members(in, members, 2, out, err);
}
