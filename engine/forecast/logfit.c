/* Forecasts on the log scale (engine/forecast/fc_internal.h): Guerrero's
 * choice between log and none, and a fit on log(y) back-transformed with
 * R's bias adjustment. */
#pragma GCC diagnostic ignored "-Wformat-truncation"
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "forecast/fc_internal.h"
#include "horizon/forecast.h"
#include "numeric/gsl_init.h"

double hz__guerrero_cv(const double *y, size_t n, double period, double lambda)
{
    size_t L = (size_t)floor((period > 2 ? period : 2) + 0.5);
    size_t G = n / L, g0 = n - G * L;
    if (G < 2)
        return NAN;
    double sr = 0, srr = 0;
    for (int pass = 0; pass < 2; pass++)
        for (size_t g = 0; g < G; g++) {
            const double *x = y + g0 + g * L;
            double m = 0, v = 0;
            for (size_t t = 0; t < L; t++)
                m += x[t];
            m /= (double)L;
            for (size_t t = 0; t < L; t++)
                v += (x[t] - m) * (x[t] - m);
            double r = sqrt(v / (double)(L - 1)) / pow(m, 1 - lambda);
            if (pass == 0)
                sr += r / (double)G;
            else
                srr += (r - sr) * (r - sr);
        }
    return sqrt(srr / (double)(G - 1)) / sr;
}

bool hz__guerrero_log(const double *y, size_t n, double period)
{
    return hz__guerrero_cv(y, n, period, 0) < hz__guerrero_cv(y, n, period, 1);
}

/* The inner fit on log(y): the caller's levels and 95% (the forecast
 * variance of every step for the bias adjustment, taken from the same
 * level whatever the caller asks for). */
static hz_forecast *log_inner(const hz_forecast *out, size_t *k95)
{
    double lv[HZ_FC_MAX_LEVELS];
    size_t nl = out->nlevels;
    memcpy(lv, out->levels, nl * sizeof *lv);
    *k95 = nl;
    for (size_t k = 0; k < nl; k++)
        if (lv[k] == 95.0)
            *k95 = k;
    if (*k95 == nl && nl < HZ_FC_MAX_LEVELS)
        lv[nl++] = 95.0;
    if (*k95 == nl) /* four levels, none 95%: the widest */
        for (size_t k = *k95 = 0; k < nl; k++)
            *k95 = lv[k] > lv[*k95] ? k : *k95;
    return hz_forecast_alloc(out->h, nl, lv);
}

/* Back from log(y): bounds exp'd (quantiles), the mean with R's bias
 * adjustment (forecast::InvBoxCox(biasadj = TRUE) at lambda 0:
 * exp(x) (1 + v / 2), v the step's forecast variance from the k95-th
 * interval); criteria on the data's scale (the Jacobian, sum log y). */
static void log_back(const hz_forecast *in, size_t k95, double slog, size_t n,
                     hz_forecast *out)
{
    hz__gsl_init();
    double z = gsl_cdf_ugaussian_Pinv(0.5 + in->levels[k95] / 200.0);
    for (size_t i = 0; i < out->h; i++) {
        double sd = (in->upper[k95][i] - in->lower[k95][i]) / (2.0 * z);
        out->mean[i] = exp(in->mean[i]) * (1.0 + 0.5 * sd * sd);
        for (size_t k = 0; k < out->nlevels; k++) {
            out->lower[k][i] = exp(in->lower[k][i]);
            out->upper[k][i] = exp(in->upper[k][i]);
        }
    }
    out->loglik = in->loglik - slog;
    out->aic = in->aic + 2.0 * slog;
    out->aicc = in->aicc + 2.0 * slog;
    out->bic = in->bic + 2.0 * slog;
    out->sigma2 = in->sigma2;
    for (size_t t = 0; out->fitted != NULL && t < n && t < out->fitted_cap;
         t++)
        out->fitted[t] = exp(in->fitted[t]);
    snprintf(out->params, sizeof out->params, "%s", in->params);
    snprintf(out->note, sizeof out->note, "%s", in->note);
    snprintf(out->method, sizeof out->method, "%s (log)", in->method);
}

hz_status hz__fc_on_log(const double *y, size_t n, hz__fc_log_fn fn, void *ctx,
                        hz_forecast *out, hz_error *err)
{
    size_t k95;
    hz_forecast *in = log_inner(out, &k95);
    double *ly = malloc((n ? n : 1) * sizeof *ly);
    double *fit = out->fitted != NULL ? malloc((n ? n : 1) * sizeof *fit)
                                      : NULL;
    hz_status st = HZ_OK;
    if (in == NULL || ly == NULL || (out->fitted != NULL && fit == NULL)) {
        st = hz_error_set(err, HZ_ENOMEM, "log fit: out of memory");
        goto done;
    }
    double slog = 0.0;
    for (size_t t = 0; t < n; t++) {
        ly[t] = log(y[t]);
        slog += ly[t];
    }
    in->fitted = fit;
    in->fitted_cap = fit != NULL ? n : 0;
    st = fn(ly, n, ctx, in, err);
    if (st == HZ_OK)
        log_back(in, k95, slog, n, out);
done:
    if (in != NULL)
        in->fitted = NULL;
    hz_forecast_free(in);
    free(ly);
    free(fit);
    return st;
}
