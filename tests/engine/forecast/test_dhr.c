/* Dynamic harmonic regression (engine/forecast/dhr.c): the Fourier terms
 * of forecast::fourier and forecasts of known harmonic signals. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

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
