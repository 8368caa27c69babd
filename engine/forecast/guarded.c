/* The request runner's care around one series' forecast
 * (hz_forecast_series_guarded): values too large or too small for the
 * models' tolerances are fitted on an exactly rescaled copy, and points
 * and bounds of non-negative data are kept at or above zero. */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

#include "forecast/fc_internal.h"
#include "horizon/forecast.h"

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

size_t hz__fc_clamp_nonneg(hz_forecast *fc)
{
    size_t k = 0;
    for (size_t i = 0; i < fc->h * (1 + 2 * fc->nlevels); i++)
        if (fc->mean[i] < 0) {
            fc->mean[i] = 0;
            k++;
        }
    return k;
}

bool hz__fc_nonneg_applies(int mode, const double *y, size_t n)
{
    if (mode != HZ_NONNEG_AUTO)
        return mode == HZ_NONNEG_ON;
    for (size_t t = 0; t < n; t++)
        if (y[t] < 0)
            return false;
    return true;
}

/* A forecast is written only when every point and bound is a number the
 * output can carry: a point that is not finite, or a bound that is
 * infinite (data near the largest double, 1.8e308, whose forecasts or
 * intervals overflow), is refused.  A NaN bound stays: it means
 * "undefined" (one observation) and is written empty with its note. */
static hz_status finite_or_refused(const hz_forecast *f, hz_error *err)
{
    for (size_t i = 0; i < f->h; i++) {
        bool bad = !isfinite(f->mean[i]);
        for (size_t k = 0; !bad && k < f->nlevels; k++)
            bad = isinf(f->lower[k][i]) || isinf(f->upper[k][i]);
        if (bad)
            return hz_error_set(err, HZ_EINVAL,
                                "step %zu of the %s forecast is "
                                "beyond the range of a double (the data are "
                                "too close to 1.8e308 to forecast)",
                                i + 1, f->method);
    }
    return HZ_OK;
}

hz_status hz_forecast_series_guarded(const double *y, size_t n,
                                     const hz_seasons *seasons, int period,
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
    hz_status st = hz_forecast_series_seasons(ys ? ys : y, n, seasons, period,
                                              model, seed, w, out, err);
    free(ys);
    if (st != HZ_OK)
        return st;
    if (g->scale_exp != 0)
        unscale(out, n, g->scale_exp);
    g->nonnegative = hz__fc_nonneg_applies(g->mode, y, n);
    if (g->nonnegative)
        g->nclamped = hz__fc_clamp_nonneg(out);
    st = finite_or_refused(out, err);
    if (st == HZ_OK && out->nlevels > 0 && isnan(out->lower[0][0]))
        hz__note_append(out->note, sizeof out->note,
                        n < 2 ? HZ__NO_INTERVALS_NOTE " from one observation"
                              : HZ__NO_INTERVALS_NOTE
                          ": the model gives none here");
    return st;
}
