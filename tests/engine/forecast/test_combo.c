/* Forecast combinations and per-series selection. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "arima_data.h"
#include "horizon/arima.h"
#include "horizon/combo.h"
#include "horizon/forecast.h"
#include "hz_test.h"

/* mean combination = average of the members forecast separately, for
 * the points and for every interval bound */
HZ_TEST(mean_combo_is_average_of_members)
{
    double lv[2] = {80, 95};
    hz_forecast *c = hz_forecast_alloc(12, 2, lv);
    hz_forecast *a = hz_forecast_alloc(12, 2, lv);
    hz_forecast *b = hz_forecast_alloc(12, 2, lv);
    hz_error err;
    hz_combo_opts o;
    hz_combo_opts_init(&o);
    o.members[0] = HZ_MODEL_NAIVE;
    o.members[1] = HZ_MODEL_DRIFT;
    o.nmembers = 2;
    HZ_CHECK(hz_combo_forecast(nile, 100, 1, &o, NULL, c, &err) == HZ_OK);
    HZ_CHECK(hz_forecast_series(nile, 100, 1, HZ_MODEL_NAIVE, 42, NULL, a,
                                &err) == HZ_OK);
    HZ_CHECK(hz_forecast_series(nile, 100, 1, HZ_MODEL_DRIFT, 42, NULL, b,
                                &err) == HZ_OK);
    for (int i = 0; i < 12; i++) {
        HZ_CHECK_NEAR(c->mean[i], 0.5 * (a->mean[i] + b->mean[i]), 1e-9);
        HZ_CHECK_NEAR(c->lower[1][i], 0.5 * (a->lower[1][i] + b->lower[1][i]),
                      1e-9);
        HZ_CHECK_NEAR(c->upper[0][i], 0.5 * (a->upper[0][i] + b->upper[0][i]),
                      1e-9);
    }
    HZ_CHECK_CONTAINS(c->method, "Mean(");
    hz_forecast_free(a);
    hz_forecast_free(b);
    hz_forecast_free(c);
}

/* median of three members is the middle one at each step */
HZ_TEST(median_combo_of_three)
{
    double lv[1] = {95};
    hz_forecast *c = hz_forecast_alloc(6, 1, lv);
    hz_forecast *m[3];
    int ids[3] = {HZ_MODEL_NAIVE, HZ_MODEL_DRIFT, HZ_MODEL_ARIMA};
    hz_error err;
    hz_combo_opts o;
    hz_combo_opts_init(&o);
    memcpy(o.members, ids, sizeof ids);
    o.nmembers = 3;
    o.kind = HZ_COMBO_MEDIAN;
    HZ_CHECK_MSG(
        hz_combo_forecast(air_passengers, 144, 12, &o, NULL, c, &err) == HZ_OK,
        "%s", err.msg);
    for (int k = 0; k < 3; k++) {
        m[k] = hz_forecast_alloc(6, 1, lv);
        if (ids[k] == HZ_MODEL_ARIMA)
            HZ_CHECK(hz_arima_forecast(air_passengers, 144, 12, NULL, m[k],
                                       &err) == HZ_OK);
        else
            HZ_CHECK(hz_forecast_series(air_passengers, 144, 12, ids[k], 42,
                                        NULL, m[k], &err) == HZ_OK);
    }
    for (int i = 0; i < 6; i++) {
        double v[3] = {m[0]->mean[i], m[1]->mean[i], m[2]->mean[i]};
        double lo = fmin(v[0], fmin(v[1], v[2]));
        double hi = fmax(v[0], fmax(v[1], v[2]));
        double mid = v[0] + v[1] + v[2] - lo - hi;
        HZ_CHECK_NEAR(c->mean[i], mid, 1e-9);
        HZ_CHECK(c->lower[0][i] < c->mean[i] && c->mean[i] < c->upper[0][i]);
    }
    HZ_CHECK_CONTAINS(c->method, "Median(");
    HZ_CHECK_CONTAINS(c->method, "ARIMA(2,1,1)(0,1,0)[12]");
    for (int k = 0; k < 3; k++)
        hz_forecast_free(m[k]);
    hz_forecast_free(c);
}

/* selection returns a valid candidate, deterministic, and a fixed
 * candidate reproduces the corresponding combination */
HZ_TEST(selection_by_validation)
{
    double lv[2] = {80, 95};
    hz_forecast *a = hz_forecast_alloc(12, 2, lv);
    hz_forecast *b = hz_forecast_alloc(12, 2, lv);
    hz_error err;
    int c1 = -1, c2 = -2;
    HZ_CHECK_MSG(hz_select_forecast(air_passengers, 132, 12, NULL, NULL, a,
                                    &c1, &err) == HZ_OK,
                 "%s", err.msg);
    HZ_CHECK(c1 >= 0 && c1 < HZ_SEL_COUNT);
    HZ_CHECK(hz_select_forecast(air_passengers, 132, 12, NULL, NULL, b, &c2,
                                &err) == HZ_OK);
    HZ_CHECK(c1 == c2);
    for (int i = 0; i < 12; i++) {
        HZ_CHECK(a->mean[i] == b->mean[i]);
        HZ_CHECK(a->lower[1][i] <= a->mean[i] && a->mean[i] <= a->upper[1][i]);
    }
    hz_select_opts so;
    hz_select_opts_init(&so);
    so.fixed = HZ_SEL_MEAN_EAT;
    HZ_CHECK(hz_select_forecast(air_passengers, 132, 12, &so, NULL, b, &c2,
                                &err) == HZ_OK);
    HZ_CHECK(c2 == HZ_SEL_MEAN_EAT);
    hz_combo_opts co;
    hz_combo_opts_init(&co);
    HZ_CHECK(hz_combo_forecast(air_passengers, 132, 12, &co, NULL, a, &err) ==
             HZ_OK);
    for (int i = 0; i < 12; i++)
        HZ_CHECK_NEAR(a->mean[i], b->mean[i], 1e-9);
    /* too short to validate: the equal-weight mean */
    HZ_CHECK(hz_select_forecast(nile, 10, 1, NULL, NULL, a, &c1, &err) ==
             HZ_OK);
    HZ_CHECK(c1 == HZ_SEL_MEAN_EAT || c1 < HZ_SEL_MEAN_EAT);
    hz_forecast_free(a);
    hz_forecast_free(b);
}

HZ_TEST(combo_bad_requests)
{
    double lv[1] = {80};
    hz_forecast *f = hz_forecast_alloc(3, 1, lv);
    hz_error err;
    hz_combo_opts o;
    hz_combo_opts_init(&o);
    o.nmembers = 0;
    HZ_CHECK(hz_combo_forecast(nile, 100, 1, &o, NULL, f, &err) == HZ_EINVAL);
    hz_combo_opts_init(&o);
    o.members[0] = HZ_MODEL_COMBO;
    o.nmembers = 1;
    HZ_CHECK(hz_combo_forecast(nile, 100, 1, &o, NULL, f, &err) == HZ_ENOCONV);
    HZ_CHECK_CONTAINS(err.msg, "single model");
    hz_combo_opts_init(&o);
    o.kind = 7;
    HZ_CHECK(hz_combo_forecast(nile, 100, 1, &o, NULL, f, &err) == HZ_EINVAL);
    hz_select_opts so;
    hz_select_opts_init(&so);
    so.fixed = 99;
    HZ_CHECK(hz_select_forecast(nile, 100, 1, &so, NULL, f, NULL, &err) ==
             HZ_EINVAL);
    HZ_CHECK(hz_select_forecast(NULL, 100, 1, NULL, NULL, f, NULL, &err) ==
             HZ_EINVAL);
    hz_forecast_free(f);
}
