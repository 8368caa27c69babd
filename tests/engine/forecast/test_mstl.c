/* MSTL and stlf against R forecast 8.20 (tests/support/r_fixtures.h, made
 * by bench/r_fixtures.R). */
#include <math.h>
#include <stdlib.h>

#include "arima_data.h"
#include "fc_testgen.h"
#include "fc_testutil.h"
#include "forecast/fc_internal.h"
#include "horizon/forecast.h"
#include "horizon/mstl.h"
#include "hz_test.h"
#include "r_fixtures.h"

static const double LV[2] = {80, 95};

/* Every point forecast and two bounds equal R's to rel. tolerance tol. */
static int same_forecast(const hz_forecast *f, const double *mean,
                         const double *lo95, const double *hi80, size_t h,
                         double tol)
{
    for (size_t i = 0; i < h; i++) {
        double sc = fabs(mean[i]) + 1.0;
        if (!(fabs(f->mean[i] - mean[i]) <= tol * sc) ||
            (lo95 && !(fabs(f->lower[1][i] - lo95[i]) <= tol * sc)) ||
            (hi80 && !(fabs(f->upper[0][i] - hi80[i]) <= tol * sc))) {
            fprintf(stderr, "step %zu: %.10g vs R %.10g\n", i, f->mean[i],
                    mean[i]);
            return 0;
        }
    }
    return 1;
}

HZ_TEST(mstl_decomposition_equals_r_hourly)
{
    double y[672];
    gen_hourly(y, 672);
    hz_seasons s = {2, {168, 24}}; /* any order: sorted */
    hz_mstl d;
    HZ_CHECK(hz_mstl_decompose(y, 672, &s, NULL, &d, NULL) == HZ_OK);
    HZ_CHECK(d.nseasons == 2 && d.period[0] == 24 && d.period[1] == 168);
    for (size_t t = 0; t < 672; t++) {
        HZ_CHECK_NEAR(d.trend[t], R_MSTL_H_TREND[t], 1e-9);
        HZ_CHECK_NEAR(d.seasonal[0][t], R_MSTL_H_S24[t], 1e-9);
        HZ_CHECK_NEAR(d.seasonal[1][t], R_MSTL_H_S168[t], 1e-9);
        /* the parts add up to the data */
        HZ_CHECK_NEAR(d.trend[t] + d.seasonal[0][t] + d.seasonal[1][t] +
                          d.remainder[t],
                      y[t], 1e-9);
    }
    hz_mstl_free(&d);
}

HZ_TEST(stlf_ets_equals_r_hourly)
{
    double y[672];
    gen_hourly(y, 672);
    hz_seasons s = {2, {24, 168}};
    hz_forecast *f = hz_forecast_alloc(48, 2, LV);
    HZ_CHECK(hz_mstl_forecast(y, 672, &s, NULL, NULL, f, NULL) == HZ_OK);
    HZ_CHECK_CONTAINS(f->method, R_STLF_H_MODEL);
    HZ_CHECK_STR(f->method, "MSTL(24,168)+ETS(A,Ad,N)");
    HZ_CHECK(same_forecast(f, R_STLF_H_mean, R_STLF_H_lo95, R_STLF_H_hi80, 48,
                           1e-8));
    hz_forecast_free(f);
}

/* fitted(stlf(y)): the adjusted series' fitted values plus the seasons */
HZ_TEST(stlf_fitted_values_equal_r_hourly)
{
    double y[672], fit[672] = {0};
    gen_hourly(y, 672);
    hz_seasons s = {2, {24, 168}};
    hz_forecast *f = hz_forecast_alloc(48, 2, LV);
    f->fitted = fit;
    f->fitted_cap = 672;
    HZ_CHECK(hz_mstl_forecast(y, 672, &s, NULL, NULL, f, NULL) == HZ_OK);
    for (size_t t = 0; t < 672; t++)
        HZ_CHECK_NEAR(fit[t], R_STLF_H_FITTED[t],
                      1e-8 * (fabs(R_STLF_H_FITTED[t]) + 1));
    f->fitted = NULL;
    hz_forecast_free(f);
}

/* Guerrero's criterion (forecast:::guer.cv) at lambda 0 and 1, and the
 * choice it makes: none for the additive hourly series, the log for the
 * multiplied one. */
HZ_TEST(guerrero_criterion_equals_r)
{
    double ya[672], ym[672];
    gen_hourly(ya, 672);
    gen_hourly_mult(ym, 672);
    for (int lam = 0; lam < 2; lam++) {
        HZ_CHECK_NEAR(hz__guerrero_cv(ya, 672, 168, lam), R_GUER_H[lam],
                      1e-12 * R_GUER_H[lam]);
        HZ_CHECK_NEAR(hz__guerrero_cv(ym, 672, 168, lam), R_GUER_HM[lam],
                      1e-12 * R_GUER_HM[lam]);
    }
    HZ_CHECK(!hz__guerrero_log(ya, 672, 168));
    HZ_CHECK(hz__guerrero_log(ym, 672, 168));
    HZ_CHECK(isnan(hz__guerrero_cv(ym, 300, 168, 0))); /* one group */
}

/* log: stlf(y, lambda = 0, biasadj = TRUE) when Guerrero's rule takes the
 * log; the additive series is fitted as it is (R's stlf without lambda). */
HZ_TEST(stlf_log_equals_r_biasadj_hourly)
{
    double y[672];
    gen_hourly_mult(y, 672);
    hz_seasons s = {2, {24, 168}};
    hz_mstl_opts o;
    hz_mstl_opts_init(&o);
    o.log = 1;
    hz_forecast *f = hz_forecast_alloc(48, 2, LV);
    HZ_CHECK(hz_mstl_forecast(y, 672, &s, &o, NULL, f, NULL) == HZ_OK);
    HZ_CHECK_CONTAINS(f->method, R_STLF_HM_MODEL);
    HZ_CHECK_CONTAINS(f->method, "(log)");
    HZ_CHECK(same_forecast(f, R_STLF_HM_mean, R_STLF_HM_lo95, R_STLF_HM_hi80,
                           48, 1e-8));
    gen_hourly(y, 672);
    HZ_CHECK(hz_mstl_forecast(y, 672, &s, &o, NULL, f, NULL) == HZ_OK);
    HZ_CHECK_STR(f->method, "MSTL(24,168)+ETS(A,Ad,N)");
    HZ_CHECK(same_forecast(f, R_STLF_H_mean, R_STLF_H_lo95, R_STLF_H_hi80, 48,
                           1e-8));
    hz_forecast_free(f);
}

HZ_TEST(stlf_arima_equals_r_hourly)
{
    double y[672];
    gen_hourly(y, 672);
    hz_seasons s = {2, {24, 168}};
    hz_mstl_opts o;
    hz_mstl_opts_init(&o);
    o.method = HZ_MSTL_ARIMA;
    hz_forecast *f = hz_forecast_alloc(48, 2, LV);
    HZ_CHECK(hz_mstl_forecast(y, 672, &s, &o, NULL, f, NULL) == HZ_OK);
    /* R: ARIMA(4,1,3) with drift */
    HZ_CHECK_CONTAINS(f->method, "ARIMA(4,1,3)");
    HZ_CHECK(same_forecast(f, R_STLF_H_ARIMA_mean, NULL, NULL, 48, 1e-6));
    hz_forecast_free(f);
}

HZ_TEST(stlf_equals_r_daily_non_integer_year)
{
    double y[1100];
    gen_daily(y, 1100);
    hz_seasons s = {2, {7, 365.25}};
    hz_mstl d;
    HZ_CHECK(hz_mstl_decompose(y, 1100, &s, NULL, &d, NULL) == HZ_OK);
    for (size_t t = 0; t < 1100; t++)
        HZ_CHECK_NEAR(d.seasonal[1][t], R_MSTL_D_S365[t], 1e-9);
    hz_mstl_free(&d);
    hz_forecast *f = hz_forecast_alloc(30, 2, LV);
    HZ_CHECK(hz_mstl_forecast(y, 1100, &s, NULL, NULL, f, NULL) == HZ_OK);
    HZ_CHECK_CONTAINS(f->method, R_STLF_D_MODEL);
    HZ_CHECK(same_forecast(f, R_STLF_D_mean, R_STLF_D_lo95, R_STLF_D_hi80, 30,
                           1e-8));
    hz_forecast_free(f);
}

HZ_TEST(stlf_one_season_equals_r_airpassengers)
{
    hz_seasons s = {1, {12}};
    hz_forecast *f = hz_forecast_alloc(24, 2, LV);
    HZ_CHECK(hz_mstl_forecast(air_passengers, 144, &s, NULL, NULL, f, NULL) ==
             HZ_OK);
    HZ_CHECK_CONTAINS(f->method, R_STLF_AIR_MODEL);
    HZ_CHECK(same_forecast(f, R_STLF_AIR_mean, R_STLF_AIR_lo95,
                           R_STLF_AIR_hi80, 24, 1e-8));
    hz_forecast_free(f);
}

HZ_TEST(stlf_equals_r_taylor)
{
    double *y = malloc(5000 * sizeof *y);
    size_t n = load_classic("taylor", y, 5000);
    if (n == 0) {
        free(y);
        hz_test_skip("shared data (classic/taylor) not found");
        return;
    }
    HZ_CHECK(n == 4032);
    hz_seasons s = {2, {48, 336}};
    hz_forecast *f = hz_forecast_alloc(336, 2, LV);
    HZ_CHECK(hz_mstl_forecast(y, n, &s, NULL, NULL, f, NULL) == HZ_OK);
    HZ_CHECK_CONTAINS(f->method, R_STLF_TAYLOR_MODEL);
    HZ_CHECK(same_forecast(f, R_STLF_TAYLOR_mean, R_STLF_TAYLOR_lo95,
                           R_STLF_TAYLOR_hi80, 336, 1e-8));
    hz_forecast_free(f);
    free(y);
}

HZ_TEST(mstl_drops_long_periods_and_refuses_short_series)
{
    double y[100];
    gen_hourly(y, 100);
    hz_seasons s = {2, {24, 168}}; /* 168 >= 100 / 2: dropped */
    hz_mstl d;
    HZ_CHECK(hz_mstl_decompose(y, 100, &s, NULL, &d, NULL) == HZ_OK);
    HZ_CHECK(d.nseasons == 1 && d.period[0] == 24);
    hz_mstl_free(&d);
    hz_error err;
    hz_seasons s2 = {1, {168}};
    HZ_CHECK(hz_mstl_decompose(y, 100, &s2, NULL, &d, &err) == HZ_ETOOSHORT);
    HZ_CHECK_CONTAINS(err.msg, "half the series");
    /* through the dispatcher: falls back with the reason */
    hz_forecast *f = hz_forecast_alloc(5, 2, LV);
    HZ_CHECK(hz_forecast_series_seasons(y, 100, &s2, 0, HZ_MODEL_MSTL, 1, NULL,
                                        f, NULL) == HZ_OK);
    HZ_CHECK_CONTAINS(f->note, "half the series");
    hz_forecast_free(f);
}
