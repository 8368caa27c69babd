/* Classical Theta method, following forecast::thetaf (8.20). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "forecast/ets_internal.h"
#include "forecast/fc_internal.h"
#include "horizon/ets.h"
#include "horizon/theta.h"

void hz_theta_opts_init(hz_theta_opts *o)
{
    memset(o, 0, sizeof *o);
}

hz_status hz_theta_forecast(const double *y, size_t n, int period,
                            const hz_theta_opts *opts, hz_forecast *out,
                            hz_theta_info *info, hz_error *err)
{
    hz_theta_opts def;
    if (opts == NULL) {
        hz_theta_opts_init(&def);
        opts = &def;
    }
    if (y == NULL || out == NULL)
        return hz_error_set(err, HZ_EINVAL, "theta: null argument");
    if (n < 3)
        return hz_error_set(err, HZ_ETOOSHORT,
                            "theta: need at least 3 observations, got %zu", n);
    for (size_t i = 0; i < n; i++)
        if (!isfinite(y[i]))
            return hz_error_set(err, HZ_EINVAL,
                                "theta: non-finite value at position %zu", i);
    hz_status st = HZ_OK;
    hz_ets_workspace *w = NULL;
    double *buf = malloc(2 * n * sizeof(double));
    if (buf == NULL)
        return hz_error_set(err, HZ_ENOMEM, "theta: out of memory");
    double *seas = buf, *x = buf + n;
    /* thetaf: seasonal test when m > 1, not constant and n > 2m */
    bool seasonal = !opts->force_nonseasonal && period > 1 &&
                    hz__seasonality_test(y, n, period, 2 * (size_t)period + 1);
    if (seasonal) {
        if (hz__decompose(y, n, period, 1, seas) != 0)
            seasonal = false;
        for (size_t t = 0; seasonal && t < n; t++)
            if (!(fabs(seas[t]) >= 1e-4))
                seasonal = false;
    }
    for (size_t t = 0; t < n; t++)
        x[t] = seasonal ? y[t] / seas[t] : y[t];

    hz_ets_opts eo;
    hz_ets_opts_init(&eo);
    eo.error = HZ_ETS_A;
    eo.trend = HZ_ETS_N;
    eo.season = HZ_ETS_N;
    eo.damped = 0;
    eo.opt_crit = HZ_ETS_CRIT_MSE;
    hz_ets_fit fit;
    w = hz_ets_alloc(n);
    if (w == NULL) {
        st = hz_error_set(err, HZ_ENOMEM, "theta: out of memory");
        goto out;
    }
    st = hz_ets_fit_model(x, n, 1, &eo, w, &fit, err);
    if (st != HZ_OK)
        goto out;
    double a0, slope;
    hz__linfit(x, n, 0.0, &a0, &slope);
    double drift = slope / 2.0;
    double alpha = fit.alpha > 1e-10 ? fit.alpha : 1e-10;
    double level = fit.last[0];
    double s2 = fit.sigma2;
    double adj = (1.0 - pow(1.0 - alpha, (double)n)) / alpha;
    for (size_t i = 0; i < out->h; i++) {
        double mu = level + drift * ((double)i + adj);
        if (seasonal)
            mu *= seas[n - (size_t)period + i % (size_t)period];
        if (opts->clip_negative && mu < 0)
            mu = 0;
        out->mean[i] = mu;
        double se = sqrt(s2) * sqrt((double)i * alpha * alpha + 1.0);
        for (size_t k = 0; k < out->nlevels; k++) {
            double z = hz__qnorm(0.5 + out->levels[k] / 200.0);
            out->lower[k][i] = mu - z * se;
            out->upper[k][i] = mu + z * se;
        }
    }
    snprintf(out->method, sizeof out->method, "%s",
             seasonal ? "Theta (seasonally adjusted)" : "Theta");
    /* thetaf's fitted values: its SES part, seasonally readjusted */
    hz__ets_diagnostics(&fit, x, out);
    snprintf(out->params, sizeof out->params, "alpha=%.4g drift=%.4g", alpha,
             drift);
    for (size_t t = 0;
         seasonal && out->fitted != NULL && out->fitted_cap >= n && t < n; t++)
        out->fitted[t] *= seas[t];
    out->sigma2 = s2;
    out->loglik = out->aic = out->aicc = out->bic = NAN;
    if (info != NULL) {
        info->seasonal = seasonal;
        info->alpha = alpha;
        info->drift = drift;
        info->level = level;
        info->sigma2 = s2;
    }
out:
    hz_ets_free(w);
    free(buf);
    return st;
}
