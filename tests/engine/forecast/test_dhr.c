/* Dynamic harmonic regression (engine/forecast/dhr.c): the Fourier terms
 * of forecast::fourier and forecasts of known harmonic signals. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fc_testgen.h"
#include "horizon/dhr.h"
#include "horizon/forecast.h"
#include "hz_test.h"

static const double LV[2] = {80, 95};

HZ_TEST(fourier_columns_are_sin_then_cos_per_harmonic)
{
    double per[2] = {7, 365.25};
    int K[2] = {3, 2};
    size_t n = 50, t0 = 1000;
    double *X = malloc(n * 10 * sizeof *X);
    HZ_CHECK(hz_fourier(per, K, 2, t0, n, X, n) == 10);
    size_t c = 0;
    for (size_t j = 0; j < 2; j++)
        for (int k = 1; k <= K[j]; k++, c += 2)
            for (size_t t = 0; t < n; t++) {
                double a = 2 * M_PI * k * (double)(t0 + t + 1) / per[j];
                HZ_CHECK_NEAR(X[c * n + t], sin(a), 1e-9);
                HZ_CHECK_NEAR(X[(c + 1) * n + t], cos(a), 1e-9);
            }
    /* k / p = 1/2: the sine column is zero everywhere and left out, as R */
    double p2[1] = {4};
    int K2[1] = {2};
    HZ_CHECK(hz_fourier(p2, K2, 1, 0, n, X, n) == 3);
    for (size_t t = 0; t < n; t++)
        HZ_CHECK_NEAR(X[2 * n + t], cos(M_PI * (double)(t + 1)), 1e-12);
    free(X);
}

/* 10 + 0.02 t, a weekly pattern of two harmonics, a yearly wave, and a
 * small deterministic wobble. */
static double signal(size_t t)
{
    double x = (double)t + 1;
    return 10 + 0.02 * x + 3 * sin(2 * M_PI * x / 7) +
           2 * cos(4 * M_PI * x / 7) + 5 * cos(2 * M_PI * x / 365.25) +
           0.05 * sin(1.7 * x * x);
}

/* signal(0 .. n) in a new array. */
static double *signal_series(size_t n)
{
    double *y = malloc(n * sizeof *y);
    for (size_t t = 0; y != NULL && t < n; t++)
        y[t] = signal(t);
    return y;
}

static void forecast_signal(int errors, double tol)
{
    size_t n = 3 * 365, h = 28;
    double *y = signal_series(n);
    HZ_CHECK(y != NULL);
    hz_seasons s = {2, {7, 365.25}};
    hz_dhr_opts o;
    hz_dhr_opts_init(&o);
    o.errors = errors;
    hz_forecast *f = hz_forecast_alloc(h, 2, LV);
    hz_error err;
    HZ_CHECK(hz_dhr_forecast(y, n, &s, &o, f, &err) == HZ_OK);
    HZ_CHECK_CONTAINS(f->method, "DHR(K=");
    for (size_t i = 0; i < h; i++) {
        HZ_CHECK_NEAR(f->mean[i], signal(n + i), tol);
        HZ_CHECK(f->lower[1][i] <= f->mean[i] && f->mean[i] <= f->upper[1][i]);
    }
    hz_forecast_free(f);
    free(y);
}

HZ_TEST(dhr_forecasts_a_harmonic_signal_with_theta_errors)
{
    forecast_signal(HZ_DHR_THETA, 0.5);
}

HZ_TEST(dhr_forecasts_a_harmonic_signal_with_arima_errors)
{
    forecast_signal(HZ_DHR_ARIMA, 0.5);
}

HZ_TEST(dhr_fixed_K_is_kept_and_named)
{
    size_t n = 400;
    double *y = signal_series(n);
    HZ_CHECK(y != NULL);
    hz_seasons s = {1, {7}};
    hz_dhr_opts o;
    hz_dhr_opts_init(&o);
    o.errors = HZ_DHR_THETA;
    o.K[0] = 2;
    hz_forecast *f = hz_forecast_alloc(7, 2, LV);
    HZ_CHECK(hz_dhr_forecast(y, n, &s, &o, f, NULL) == HZ_OK);
    HZ_CHECK_CONTAINS(f->method, "DHR(K=2)");
    hz_forecast_free(f);
    free(y);
}

HZ_TEST(dhr_refuses_non_finite_and_short_input)
{
    double y[30];
    for (size_t t = 0; t < 30; t++)
        y[t] = signal(t);
    hz_seasons s = {1, {7}};
    hz_forecast *f = hz_forecast_alloc(7, 2, LV);
    hz_error err;
    HZ_CHECK(hz_dhr_forecast(y, 10, &s, NULL, f, &err) == HZ_ETOOSHORT);
    y[5] = NAN;
    HZ_CHECK(hz_dhr_forecast(y, 30, &s, NULL, f, &err) == HZ_EINVAL);
    HZ_CHECK_CONTAINS(err.msg, "position 5");
    hz_forecast_free(f);
}

/* Two periods so close that their Fourier columns are collinear to
 * rounding: the normal equations are not positive definite and the SVD
 * fallback gives finite forecasts. */
HZ_TEST(dhr_nearly_collinear_periods_fall_back_to_svd)
{
    size_t n = 400;
    double *y = signal_series(n);
    HZ_CHECK(y != NULL);
    hz_seasons s = {2, {7, 7.0000000001}};
    hz_dhr_opts o;
    hz_dhr_opts_init(&o);
    o.errors = HZ_DHR_THETA;
    o.K[0] = o.K[1] = 2;
    hz_forecast *f = hz_forecast_alloc(7, 2, LV);
    HZ_CHECK(hz_dhr_forecast(y, n, &s, &o, f, NULL) == HZ_OK);
    for (size_t i = 0; i < 7; i++)
        HZ_CHECK_NEAR(f->mean[i], signal(n + i), 1.0);
    hz_forecast_free(f);
    free(y);
}

/* Mean |y - fitted| over the series (NAN fitted values skipped). */
static double fitted_mae(const double *y, const double *fit, size_t n)
{
    double s = 0;
    size_t k = 0;
    for (size_t t = 0; t < n; t++)
        if (!isnan(fit[t])) {
            s += fabs(y[t] - fit[t]);
            k++;
        }
    return k ? s / (double)k : INFINITY;
}

/* The fitted values are the model's of y (the errors' fitted values plus
 * the Fourier part), not of y minus the seasons: within the wobble of the
 * signal, where the seasons alone are 3-5 in amplitude. */
HZ_TEST(dhr_fitted_values_carry_the_fourier_part)
{
    size_t n = 3 * 365;
    double *y = signal_series(n), *fit = malloc(n * sizeof *fit);
    HZ_CHECK(y != NULL && fit != NULL);
    hz_seasons s = {2, {7, 365.25}};
    for (int errors = HZ_DHR_ARIMA; errors <= HZ_DHR_THETA; errors++) {
        hz_dhr_opts o;
        hz_dhr_opts_init(&o);
        o.errors = errors;
        hz_forecast *f = hz_forecast_alloc(7, 2, LV);
        f->fitted = fit;
        f->fitted_cap = n;
        HZ_CHECK(hz_dhr_forecast(y, n, &s, &o, f, NULL) == HZ_OK);
        HZ_CHECK(fitted_mae(y, fit, n) < 0.3);
        f->fitted = NULL;
        hz_forecast_free(f);
    }
    free(fit);
    free(y);
}

/* exp of a signal whose seasons scale with the level. */
static double *scaled_series(size_t n)
{
    double *y = malloc(n * sizeof *y);
    for (size_t t = 0; y != NULL && t < n; t++)
        y[t] = exp(log(100) + 0.001 * (double)t +
                   0.3 * sin(2 * M_PI * (double)(t + 1) / 7) +
                   0.4 * cos(2 * M_PI * (double)(t + 1) / 365.25) +
                   0.02 * sin(1.7 * (double)t * (double)t));
    return y;
}

/* log: a series whose seasons scale with its level is fitted on its
 * logarithm (Guerrero's rule); the mean is the median exp(x) bias-adjusted
 * by (1 + v / 2) (R's InvBoxCox(biasadj = TRUE)), whatever interval levels
 * are asked for; bounds are exp'd.  Fitted as they are: a series with a
 * value <= 0, and one whose seasons keep their size as the level grows. */
HZ_TEST(dhr_log_fits_seasons_that_scale_with_the_level)
{
    size_t n = 3 * 365, h = 28;
    double *y = scaled_series(n + h);
    HZ_CHECK(y != NULL);
    hz_seasons s = {2, {7, 365.25}};
    hz_dhr_opts o;
    hz_dhr_opts_init(&o);
    o.errors = HZ_DHR_THETA;
    o.log = 1;
    double lv80[1] = {80};
    hz_forecast *f = hz_forecast_alloc(h, 2, LV),
                *g = hz_forecast_alloc(h, 1, lv80),
                *a = hz_forecast_alloc(h, 0, NULL);
    HZ_CHECK(hz_dhr_forecast(y, n, &s, &o, f, NULL) == HZ_OK);
    HZ_CHECK_CONTAINS(f->method, "(log)");
    HZ_CHECK(hz_dhr_forecast(y, n, &s, &o, g, NULL) == HZ_OK);
    HZ_CHECK(hz_dhr_forecast(y, n, &s, &o, a, NULL) == HZ_OK);
    double elog = 0, eadd = 0, z = 1.959963984540054;
    for (size_t i = 0; i < h; i++) {
        double lo = f->lower[1][i], hi = f->upper[1][i];
        double sd = log(hi / lo) / (2 * z);
        HZ_CHECK_NEAR(f->mean[i] / (sqrt(lo * hi) * (1 + 0.5 * sd * sd)), 1,
                      1e-12);
        HZ_CHECK(f->mean[i] == g->mean[i] && f->mean[i] == a->mean[i]);
        HZ_CHECK(g->lower[0][i] == f->lower[0][i]);
        elog += fabs(f->mean[i] - y[n + i]) / y[n + i] / (double)h;
    }
    o.log = 0;
    HZ_CHECK(hz_dhr_forecast(y, n, &s, &o, a, NULL) == HZ_OK);
    for (size_t i = 0; i < h; i++)
        eadd += fabs(a->mean[i] - y[n + i]) / y[n + i] / (double)h;
    HZ_CHECK(elog < 0.02 && elog < 0.5 * eadd); /* 0.012 and 0.132 */
    o.log = 1;
    y[3] = 0;
    HZ_CHECK(hz_dhr_forecast(y, n, &s, &o, a, NULL) == HZ_OK);
    HZ_CHECK(strstr(a->method, "(log)") == NULL);
    for (size_t t = 0; t < n; t++) /* the same seasons, added */
        y[t] = 200 + 0.3 * (double)t +
               30 * sin(2 * M_PI * (double)(t + 1) / 7) +
               40 * cos(2 * M_PI * (double)(t + 1) / 365.25) +
               2 * sin(1.7 * (double)t * (double)t);
    HZ_CHECK(hz_dhr_forecast(y, n, &s, &o, a, NULL) == HZ_OK);
    HZ_CHECK_CONTAINS(a->method, "DHR(");
    HZ_CHECK(strstr(a->method, "(log)") == NULL);
    hz_forecast_free(f);
    hz_forecast_free(g);
    hz_forecast_free(a);
    free(y);
}
