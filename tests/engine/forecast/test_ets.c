/* ETS: recursions against hand computation, R forecast 8.20 reference
 * fits on AirPassengers, interval properties, guards. */
#include <float.h>
#include <math.h>
#include <stdlib.h>

#include "fc_testutil.h"
#include "forecast/ets_internal.h"
#include "horizon/ets.h"
#include "hz_test.h"
#include "numeric/nelder_mead.h"
#include "numeric/poly.h"

static const double LV[2] = {80, 95};

HZ_TEST(ses_recursion_matches_hand_computation)
{
    /* ETS(A,N,N), alpha 0.3, l0 10: l_t = l_{t-1} + 0.3 (y_t - l_{t-1}) */
    const double y[5] = {12, 9, 14, 11, 13};
    hz_ets_fit f;
    memset(&f, 0, sizeof f);
    f.error = HZ_ETS_A;
    f.m = 1;
    f.n = 5;
    f.alpha = 0.3;
    f.phi = 1;
    f.init[0] = 10;
    double fit[5];
    HZ_CHECK(hz_ets_fitted(&f, y, fit, NULL) == HZ_OK);
    /* by hand: 10, 10.6, 10.12, 11.284, 11.1988 */
    HZ_CHECK_NEAR(fit[0], 10.0, 1e-12);
    HZ_CHECK_NEAR(fit[1], 10.6, 1e-12);
    HZ_CHECK_NEAR(fit[2], 10.12, 1e-12);
    HZ_CHECK_NEAR(fit[3], 11.284, 1e-12);
    HZ_CHECK_NEAR(fit[4], 11.1988, 1e-12);
}

HZ_TEST(holt_recursion_matches_hand_computation)
{
    /* ETS(A,A,N) alpha .5 beta .2 (error-correction form):
     * f = l + b; l' = f + a e; b' = b + beta e */
    const double y[3] = {5, 8, 9};
    hz_ets_fit f;
    memset(&f, 0, sizeof f);
    f.error = HZ_ETS_A;
    f.trend = HZ_ETS_A;
    f.m = 1;
    f.n = 3;
    f.alpha = 0.5;
    f.beta = 0.2;
    f.phi = 1;
    f.init[0] = 4;
    f.init[1] = 1;
    double fit[3];
    HZ_CHECK(hz_ets_fitted(&f, y, fit, NULL) == HZ_OK);
    /* t1: f=5 e=0 -> l=5 b=1; t2: f=6 e=2 -> l=7 b=1.4;
     * t3: f=8.4 */
    HZ_CHECK_NEAR(fit[0], 5.0, 1e-12);
    HZ_CHECK_NEAR(fit[1], 6.0, 1e-12);
    HZ_CHECK_NEAR(fit[2], 8.4, 1e-12);
}

HZ_TEST(ann_fit_matches_r)
{
    /* R: ets(y, "ANN"): alpha 0.9028949584, l 10.1876703348,
     * loglik -18.84219778, AICc 47.68439555, forecast 21.77822282,
     * 80% lower 18.79629350, 95% lower 17.21775548 (step 1). */
    const double y[10] = {10, 12, 11, 15, 14, 16, 18, 17, 20, 22};
    hz_ets_opts o;
    hz_ets_opts_init(&o);
    o.error = HZ_ETS_A;
    o.trend = HZ_ETS_N;
    o.season = HZ_ETS_N;
    o.damped = 0;
    hz_ets_workspace *w = hz_ets_alloc(10);
    hz_ets_fit f;
    HZ_CHECK(hz_ets_fit_model(y, 10, 1, &o, w, &f, NULL) == HZ_OK);
    HZ_CHECK_NEAR(f.alpha, 0.9028949584, 1e-4);
    HZ_CHECK_NEAR(f.init[0], 10.1876703348, 1e-3);
    /* R's loglik is -0.5 * (n log SSE): a different constant from ours
     * only if the likelihood differs */
    HZ_CHECK_NEAR(f.aicc, 47.68439555, 1e-4);
    hz_forecast *fc = hz_forecast_alloc(3, 2, LV);
    HZ_CHECK(hz_ets_predict(&f, &o, w, fc, NULL) == HZ_OK);
    HZ_CHECK_NEAR(fc->mean[0], 21.77822282, 1e-3);
    HZ_CHECK_NEAR(fc->lower[0][0], 18.79629350, 1e-3);
    HZ_CHECK_NEAR(fc->lower[1][0], 17.21775548, 1e-3);
    HZ_CHECK_NEAR(fc->lower[0][2], 16.94194290, 1e-3);
    HZ_CHECK_NEAR(fc->lower[1][2], 14.38177095, 1e-3);
    HZ_CHECK_STR(fc->method, "ETS(A,N,N)");
    hz_forecast_free(fc);
    hz_ets_free(w);
}

HZ_TEST(airpassengers_auto_selection_matches_r)
{
    double y[200];
    size_t n = load_classic("AirPassengers", y, 200);
    if (n == 0) {
        hz_test_skip("HZ_SHARED_DATA/classic not present");
        return;
    }
    HZ_CHECK(n == 144);
    hz_ets_opts o;
    hz_ets_opts_init(&o);
    hz_ets_workspace *w = hz_ets_alloc(n);
    hz_ets_fit f;
    /* train 1949-1958 (airpassengers_reference_fits.txt) */
    HZ_CHECK(hz_ets_fit_model(y, 120, 12, &o, w, &f, NULL) == HZ_OK);
    char name[32];
    HZ_CHECK_STR(hz_ets_name(&f, name, sizeof name), "ETS(M,Ad,M)");
    HZ_CHECK_NEAR(f.alpha, 0.7459, 1e-4);
    HZ_CHECK_NEAR(f.beta, 0.0189, 1e-4);
    HZ_CHECK_NEAR(f.gamma, 3e-4, 1e-4);
    HZ_CHECK_NEAR(f.phi, 0.9793, 1e-4);
    HZ_CHECK_NEAR(f.init[0], 120.667, 1e-3);
    HZ_CHECK_NEAR(f.init[1], 1.7375, 1e-4);
    HZ_CHECK_NEAR(f.aic, 1110.450, 1e-3);
    HZ_CHECK_NEAR(f.aicc, 1117.222, 1e-3);
    HZ_CHECK_NEAR(f.bic, 1160.625, 1e-3);
    HZ_CHECK_NEAR(sqrt(f.sigma2), 0.0381, 1e-4);
    HZ_CHECK(f.nfitted == 15);
    hz_forecast *fc = hz_forecast_alloc(24, 2, LV);
    HZ_CHECK(hz_ets_predict(&f, &o, w, fc, NULL) == HZ_OK);
    HZ_CHECK_NEAR(fc->mean[0], 345.476, 2e-3);
    HZ_CHECK_NEAR(fc->mean[6], 469.329, 2e-3);
    HZ_CHECK_NEAR(fc->mean[23], 356.022, 2e-3);
    hz_forecast_free(fc);

    /* full series with intervals */
    HZ_CHECK(hz_ets_fit_model(y, 144, 12, &o, w, &f, NULL) == HZ_OK);
    HZ_CHECK_STR(hz_ets_name(&f, name, sizeof name), "ETS(M,Ad,M)");
    HZ_CHECK_NEAR(f.aicc, 1400.638, 1e-3);
    fc = hz_forecast_alloc(12, 2, LV);
    HZ_CHECK(hz_ets_predict(&f, &o, w, fc, NULL) == HZ_OK);
    HZ_CHECK_NEAR(fc->mean[0], 441.8018, 1e-3);
    HZ_CHECK_NEAR(fc->lower[0][0], 419.6256, 1e-3);
    HZ_CHECK_NEAR(fc->upper[0][0], 463.9780, 1e-3);
    HZ_CHECK_NEAR(fc->lower[1][0], 407.8863, 1e-3);
    HZ_CHECK_NEAR(fc->upper[1][0], 475.7174, 1e-3);
    HZ_CHECK_NEAR(fc->mean[11], 451.9694, 1e-3);
    HZ_CHECK_NEAR(fc->lower[0][11], 386.7750, 1e-3);
    HZ_CHECK_NEAR(fc->upper[1][11], 551.6756, 1e-3);
    /* the simulated class-3 intervals agree with the analytic ones */
    o.simulate = true;
    o.npaths = 20000;
    hz_forecast *fs = hz_forecast_alloc(12, 2, LV);
    HZ_CHECK(hz_ets_predict(&f, &o, w, fs, NULL) == HZ_OK);
    for (int i = 0; i < 12; i += 5) {
        double width = fc->upper[1][i] - fc->lower[1][i];
        HZ_CHECK(fabs(fs->lower[1][i] - fc->lower[1][i]) < 0.05 * width);
        HZ_CHECK(fabs(fs->upper[0][i] - fc->upper[0][i]) < 0.05 * width);
    }
    hz_forecast_free(fs);
    hz_forecast_free(fc);
    hz_ets_free(w);
}

/* ETS(M,A,A) intervals must equal the limit of ETS(M,Ad,A) as phi -> 1
 * (statsforecast once shipped a wrong coefficient here). */
HZ_TEST(maa_interval_is_limit_of_damped)
{
    hz_ets_fit f;
    memset(&f, 0, sizeof f);
    f.error = HZ_ETS_M;
    f.trend = HZ_ETS_A;
    f.season = HZ_ETS_A;
    f.m = 4;
    f.n = 40;
    f.alpha = 0.3;
    f.beta = 0.1;
    f.gamma = 0.2;
    f.phi = 1.0;
    f.sigma2 = 0.01;
    double st[6] = {100, 2, 5, -3, 1, -3};
    memcpy(f.last, st, sizeof st);
    hz_ets_fit g = f;
    g.damped = true;
    g.phi = 1.0 - 1e-9;
    hz_ets_opts o;
    hz_ets_opts_init(&o);
    hz_ets_workspace *w = hz_ets_alloc(16);
    hz_forecast *a = hz_forecast_alloc(10, 2, LV);
    hz_forecast *b = hz_forecast_alloc(10, 2, LV);
    HZ_CHECK(hz_ets_predict(&f, &o, w, a, NULL) == HZ_OK);
    HZ_CHECK(hz_ets_predict(&g, &o, w, b, NULL) == HZ_OK);
    for (int i = 0; i < 10; i++) {
        HZ_CHECK_NEAR(a->mean[i], b->mean[i], 1e-5);
        HZ_CHECK_NEAR(a->lower[1][i], b->lower[1][i], 1e-5);
        HZ_CHECK_NEAR(a->upper[0][i], b->upper[0][i], 1e-5);
    }
    /* and grows with the horizon */
    HZ_CHECK(a->upper[1][9] - a->lower[1][9] >
             a->upper[1][0] - a->lower[1][0]);
    hz_forecast_free(a);
    hz_forecast_free(b);
    hz_ets_free(w);
}

HZ_TEST(additive_class1_variance_formula)
{
    /* ETS(A,A,N): var_h = s2 (1 + sum_{j<h} (alpha + beta j)^2) */
    hz_ets_fit f;
    memset(&f, 0, sizeof f);
    f.error = HZ_ETS_A;
    f.trend = HZ_ETS_A;
    f.m = 1;
    f.alpha = 0.4;
    f.beta = 0.1;
    f.phi = 1;
    f.sigma2 = 4.0;
    f.last[0] = 50;
    f.last[1] = 2;
    hz_ets_workspace *w = hz_ets_alloc(8);
    hz_forecast *a = hz_forecast_alloc(3, 1, LV + 1);
    HZ_CHECK(hz_ets_predict(&f, NULL, w, a, NULL) == HZ_OK);
    double v3 = 4.0 * (1 + 0.5 * 0.5 + 0.6 * 0.6);
    HZ_CHECK_NEAR(a->mean[2], 56.0, 1e-12);
    HZ_CHECK_NEAR(a->upper[0][2] - a->mean[2], 1.959963985 * sqrt(v3), 1e-6);
    hz_forecast_free(a);
    hz_ets_free(w);
}

HZ_TEST(non_positive_data_gets_additive_models_only)
{
    double y[60];
    for (int i = 0; i < 60; i++)
        y[i] = 5.0 * sin(i * 0.5236) + 0.1 * (i % 7) - 1.0;
    hz_ets_opts o;
    hz_ets_opts_init(&o);
    hz_ets_workspace *w = hz_ets_alloc(60);
    hz_ets_fit f;
    HZ_CHECK(hz_ets_fit_model(y, 60, 12, &o, w, &f, NULL) == HZ_OK);
    HZ_CHECK(f.error == HZ_ETS_A);
    HZ_CHECK(f.season != HZ_ETS_M);
    o.error = HZ_ETS_M;
    hz_error err;
    HZ_CHECK(hz_ets_fit_model(y, 60, 12, &o, w, &f, &err) == HZ_EINVAL);
    HZ_CHECK_CONTAINS(err.msg, "positive");
    hz_ets_free(w);
}

HZ_TEST(short_and_constant_series)
{
    const double y[4] = {3, 4, 5, 4};
    hz_ets_workspace *w = hz_ets_alloc(4);
    hz_ets_fit f;
    hz_error err;
    /* 4 points: only models with < 3 parameters (ANN, MNN) fit */
    HZ_CHECK(hz_ets_fit_model(y, 4, 12, NULL, w, &f, &err) == HZ_OK);
    HZ_CHECK(f.trend == HZ_ETS_N && f.season == HZ_ETS_N);
    HZ_CHECK(hz_ets_fit_model(y, 1, 12, NULL, w, &f, &err) == HZ_ETOOSHORT);
    const double c[6] = {7, 7, 7, 7, 7, 7};
    HZ_CHECK(hz_ets_fit_model(c, 6, 1, NULL, w, &f, &err) == HZ_OK);
    hz_forecast *fc = hz_forecast_alloc(2, 2, LV);
    HZ_CHECK(hz_ets_predict(&f, NULL, w, fc, NULL) == HZ_OK);
    HZ_CHECK_NEAR(fc->mean[1], 7.0, 0);
    HZ_CHECK_NEAR(fc->lower[1][1], 7.0, 0);
    hz_forecast_free(fc);
    hz_ets_free(w);
}

HZ_TEST(schur_cohn_stability)
{
    /* (z - 0.5)(z + 0.8) = z^2 + 0.3 z - 0.4: inside */
    const double a[3] = {1, 0.3, -0.4};
    HZ_CHECK(hz__poly_roots_in_unit_disc(a, 2));
    /* (z - 1.1)(z - 0.2): outside */
    const double b[3] = {1, -1.3, 0.22};
    HZ_CHECK(!hz__poly_roots_in_unit_disc(b, 2));
    /* (z - 1)(z - 0.5): on the circle counts as admissible (as R) */
    const double c[3] = {1, -1.5, 0.5};
    HZ_CHECK(hz__poly_roots_in_unit_disc(c, 2));
    /* (z^2 + 0.81)(z - 0.3): complex pair radius 0.9 */
    const double d[4] = {1, -0.3, 0.81, -0.243};
    HZ_CHECK(hz__poly_roots_in_unit_disc(d, 3));
    /* (z^2 + 1.21)(z + 0.1): complex pair radius 1.1 */
    const double e[4] = {1, 0.1, 1.21, 0.121};
    HZ_CHECK(!hz__poly_roots_in_unit_disc(e, 3));
}

static double rosen(const double *x, double bound, void *ctx)
{
    (void)ctx;
    (void)bound;
    return 100 * (x[1] - x[0] * x[0]) * (x[1] - x[0] * x[0]) +
           (1 - x[0]) * (1 - x[0]);
}

HZ_TEST(nelder_mead_rosenbrock)
{
    /* R: optim(c(-1.2, 1), fr) -> par 1.000260 1.000506, 195 evals */
    double x[2] = {-1.2, 1}, f;
    int ev = hz__nelder_mead(2, x, &f, rosen, NULL, -INFINITY,
                             sqrt(DBL_EPSILON), 500);
    HZ_CHECK(ev > 0);
    HZ_CHECK_NEAR(x[0], 1.000260, 1e-5);
    HZ_CHECK_NEAR(x[1], 1.000506, 1e-5);
    HZ_CHECK(ev == 195);
}

HZ_TEST(nelder_mead_resumed_equals_one_search)
{
    /* stopped at 60 evaluations, then given 500: R's path to the same
     * optimum, evaluation for evaluation */
    double x0[2] = {-1.2, 1}, f0;
    int ev = hz__nelder_mead(2, x0, &f0, rosen, NULL, -INFINITY,
                             sqrt(DBL_EPSILON), 500);
    hz__nm s;
    double x[2] = {-1.2, 1};
    int r = hz__nm_start(&s, 2, x, -INFINITY, sqrt(DBL_EPSILON), 60);
    while (r == HZ_NM_EVAL)
        r = hz__nm_feed(&s, rosen(s.B, s.bound, NULL));
    HZ_CHECK(r == HZ_NM_DONE);
    HZ_CHECK(s.funcount > 60 && s.funcount < ev);
    r = hz__nm_resume(&s, 500);
    while (r == HZ_NM_EVAL)
        r = hz__nm_feed(&s, rosen(s.B, s.bound, NULL));
    HZ_CHECK(r == HZ_NM_DONE);
    HZ_CHECK(s.funcount == ev);
    HZ_CHECK(x[0] == x0[0] && x[1] == x0[1] && s.fmin == f0);
    /* converged: nothing more to do */
    HZ_CHECK(hz__nm_resume(&s, 1000) == HZ_NM_DONE);
    HZ_CHECK(s.funcount == ev);
}
