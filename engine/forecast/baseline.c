/* Naive, seasonal naive, drift and M4 Naive2 forecasts. */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "forecast/fc_internal.h"
#include "horizon/baseline.h"

static hz_status check_args(const char *who, const double *y, size_t n,
                            size_t nmin, hz_forecast *out, hz_error *err)
{
    if (y == NULL || out == NULL)
        return hz_error_set(err, HZ_EINVAL, "%s: null argument", who);
    if (n < nmin)
        return hz_error_set(err, HZ_ETOOSHORT,
                            "%s: need at least %zu observations, got %zu", who,
                            nmin, n);
    for (size_t i = 0; i < n; i++)
        if (!isfinite(y[i]))
            return hz_error_set(err, HZ_EINVAL,
                                "%s: non-finite value at position %zu", who,
                                i);
    return HZ_OK;
}

/* sigma^2 of lag differences: mean of squares (forecast::lagwalk). */
static double lag_sigma2(const double *y, size_t n, size_t lag)
{
    if (n <= lag)
        return NAN;
    double s = 0.0;
    for (size_t t = lag; t < n; t++)
        s += (y[t] - y[t - lag]) * (y[t] - y[t - lag]);
    return s / (double)(n - lag);
}

static hz_status lagwalk(const char *who, const double *y, size_t n,
                         size_t lag, hz_forecast *out, hz_error *err)
{
    hz_status st = check_args(who, y, n, lag, out, err);
    if (st != HZ_OK)
        return st;
    double s2 = lag_sigma2(y, n, lag);
    out->sigma2 = s2;
    for (size_t t = lag; out->fitted != NULL && out->fitted_cap >= n && t < n;
         t++)
        out->fitted[t] = y[t - lag]; /* one-step fit: the value lag back */
    for (size_t i = 0; i < out->h; i++) {
        out->mean[i] = y[n - lag + (i % lag)];
        size_t seasons = i / lag + 1; /* whole seasons ahead */
        double steps = (double)seasons;
        double se = sqrt(s2 * steps);
        for (size_t k = 0; k < out->nlevels; k++) {
            double z = hz__qnorm(0.5 + out->levels[k] / 200.0);
            out->lower[k][i] = out->mean[i] - z * se;
            out->upper[k][i] = out->mean[i] + z * se;
        }
    }
    return HZ_OK;
}

hz_status hz_naive_forecast(const double *y, size_t n, int period,
                            hz_forecast *out, hz_error *err)
{
    (void)period;
    hz_status st = lagwalk("naive", y, n, 1, out, err);
    if (st == HZ_OK)
        snprintf(out->method, sizeof out->method, "Naive");
    return st;
}

hz_status hz_snaive_forecast(const double *y, size_t n, int period,
                             hz_forecast *out, hz_error *err)
{
    if (period < 2)
        return hz_error_set(err, HZ_EINVAL,
                            "snaive: needs a seasonal period >= 2, got %d",
                            period);
    hz_status st = lagwalk("snaive", y, n, (size_t)period, out, err);
    if (st == HZ_OK)
        snprintf(out->method, sizeof out->method, "Seasonal naive[%d]",
                 period);
    return st;
}

hz_status hz_drift_forecast(const double *y, size_t n, int period,
                            hz_forecast *out, hz_error *err)
{
    (void)period;
    hz_status st = check_args("drift", y, n, 2, out, err);
    if (st != HZ_OK)
        return st;
    double nd = (double)(n - 1);
    double b = (y[n - 1] - y[0]) / nd;
    double s = 0.0;
    for (size_t t = 1; t < n; t++) {
        double r = y[t] - y[t - 1] - b;
        s += r * r;
    }
    double s2 = n > 2 ? s / (nd - 1.0) : 0.0;
    double bse2 = s2 / nd;
    out->sigma2 = s2;
    for (size_t t = 1; out->fitted != NULL && out->fitted_cap >= n && t < n;
         t++)
        out->fitted[t] = y[t - 1] + b;
    snprintf(out->params, sizeof out->params, "drift=%.6g", b);
    for (size_t i = 0; i < out->h; i++) {
        double hh = (double)(i + 1);
        out->mean[i] = y[n - 1] + hh * b;
        double se = sqrt(s2 * hh + hh * hh * bse2);
        for (size_t k = 0; k < out->nlevels; k++) {
            double z = hz__qnorm(0.5 + out->levels[k] / 200.0);
            out->lower[k][i] = out->mean[i] - z * se;
            out->upper[k][i] = out->mean[i] + z * se;
        }
    }
    snprintf(out->method, sizeof out->method, "Drift");
    return HZ_OK;
}

hz_status hz_naive2_forecast(const double *y, size_t n, int period,
                             hz_forecast *out, hz_error *err)
{
    hz_status st = check_args("naive2", y, n, 1, out, err);
    if (st != HZ_OK)
        return st;
    double *buf = NULL;
    bool seasonal = period > 1 &&
                    hz__seasonality_test(y, n, period, 3 * (size_t)period);
    if (seasonal) {
        buf = malloc(2 * n * sizeof(double));
        if (buf == NULL)
            return hz_error_set(err, HZ_ENOMEM, "naive2: out of memory");
        if (hz__decompose(y, n, period, 1, buf) != 0)
            seasonal = false;
        for (size_t t = 0; seasonal && t < n; t++)
            if (!(fabs(buf[t]) > 1e-4))
                seasonal = false;
    }
    if (!seasonal) {
        free(buf);
        st = lagwalk("naive2", y, n, 1, out, err);
        if (st == HZ_OK)
            snprintf(out->method, sizeof out->method, "Naive2");
        return st;
    }
    double *adj = buf + n;
    for (size_t t = 0; t < n; t++)
        adj[t] = y[t] / buf[t];
    st = lagwalk("naive2", adj, n, 1, out, err);
    if (st == HZ_OK) {
        for (size_t t = 0;
             out->fitted != NULL && out->fitted_cap >= n && t < n; t++)
            out->fitted[t] *= buf[t];
        for (size_t i = 0; i < out->h; i++) {
            double s = buf[n - (size_t)period + i % (size_t)period];
            out->mean[i] *= s;
            for (size_t k = 0; k < out->nlevels; k++) {
                out->lower[k][i] *= s;
                out->upper[k][i] *= s;
            }
        }
        snprintf(out->method, sizeof out->method, "Naive2 (seasonal)");
    }
    free(buf);
    return st;
}
