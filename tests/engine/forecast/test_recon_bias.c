/* Bias correction before reconciliation (hz_recon_bias_correct): which
 * (node, step) pairs are moved and by how much, the Bonferroni bar over
 * the hierarchy's tests, Newey-West standard errors for overlapping
 * multi-step errors, and too few errors; then through the request runner:
 * naive forecasts of trending groups fall short by the slope times the
 * step, and the correction brings the reconciled forecasts to the trend,
 * still adding up. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fc_testds.h"
#include "horizon/forecast.h"
#include "horizon/reconcile.h"
#include "horizon/series.h"
#include "hz_test.h"

static const double LV[2] = {80, 95};

static hz_forecast *flat(size_t h, double v)
{
    hz_forecast *f = hz_forecast_alloc(h, 2, LV);
    for (size_t s = 0; s < h; s++) {
        f->mean[s] = v;
        f->lower[0][s] = v - 10;
        f->upper[0][s] = v + 10;
        f->lower[1][s] = v - 20;
        f->upper[1][s] = v + 20;
    }
    return f;
}

/* Node 0: step 1 errors 10 +- 1 (clearly biased), step 2 +-1 around 0
 * (NaN at the first origin, as the layout has it); node 1: no error. */
HZ_TEST(biased_steps_are_corrected_others_left)
{
    enum { M = 2, H = 2, R = 20 };
    double e[M * R * H];
    for (size_t r = 0; r < R; r++) {
        double pm = r % 2 ? 1.0 : -1.0;
        e[(0 * R + r) * H + 0] = 10 + pm;
        e[(0 * R + r) * H + 1] = r == 0 ? NAN : pm;
        e[(1 * R + r) * H + 0] = 0;
        e[(1 * R + r) * H + 1] = r == 0 ? NAN : 0;
    }
    hz_forecast *fc[M] = {flat(H, 100), flat(H, 50)};
    size_t corr[M];
    hz_recon_steps st = {e, R, true};
    HZ_CHECK(hz_recon_bias_correct(M, H, &st, HZ_RECON_BIAS_ALPHA, fc, corr) ==
             1);
    HZ_CHECK(corr[0] == 1 && corr[1] == 0);
    HZ_CHECK_NEAR(fc[0]->mean[0], 110, 1e-12); /* mean of 10 +- 1 */
    HZ_CHECK_NEAR(fc[0]->lower[1][0], 90, 1e-12);
    HZ_CHECK_NEAR(fc[0]->upper[0][0], 120, 1e-12);
    HZ_CHECK(fc[0]->mean[1] == 100 && fc[0]->lower[1][1] == 80);
    HZ_CHECK(fc[1]->mean[0] == 50 && fc[1]->mean[1] == 50);
    /* no errors, or a level outside (0, 1): nothing moves */
    hz_recon_steps none = {NULL, 0, true};
    HZ_CHECK(hz_recon_bias_correct(M, H, &none, 0.05, fc, corr) == 0);
    HZ_CHECK(hz_recon_bias_correct(M, H, &st, 0, fc, corr) == 0);
    HZ_CHECK(fc[0]->mean[0] == 110 && corr[0] == 0);
    for (int i = 0; i < M; i++)
        hz_forecast_free(fc[i]);
}

/* Errors 3 +- 4 at one step of one node (16 origins): t = 3, above the
 * 1.96 of a single test, below the 3.48 of 100 (50 nodes x 2 steps). */
HZ_TEST(bonferroni_raises_the_bar_with_the_tests)
{
    enum { M = 50, H = 2, R = 16 };
    double *e = calloc(M * R * H, sizeof *e);
    hz_forecast *fc[M];
    for (size_t i = 0; i < M; i++)
        fc[i] = flat(H, 100);
    for (size_t r = 0; r < R; r++)
        e[r * H] = 3 + (r % 2 ? 4.0 : -4.0);
    hz_recon_steps st = {e, R, true};
    HZ_CHECK(hz_recon_bias_correct(M, H, &st, 0.05, fc, NULL) == 0);
    HZ_CHECK(fc[0]->mean[0] == 100);
    /* the same node alone, one step */
    double e1[R];
    for (size_t r = 0; r < R; r++)
        e1[r] = e[r * H];
    hz_recon_steps st1 = {e1, R, true};
    HZ_CHECK(hz_recon_bias_correct(1, 1, &st1, 0.05, fc, NULL) == 1);
    HZ_CHECK_NEAR(fc[0]->mean[0], 103, 1e-12);
    for (size_t i = 0; i < M; i++)
        hz_forecast_free(fc[i]);
    free(e);
}

/* The same errors at steps 1 and 2: 2.6 + 4 in blocks of four origins
 * of one sign.  Step 1 (no overlap): se 1, t 2.6, above the 2.24 of two
 * tests.  Step 2: errors of neighbouring origins overlap, Newey-West with
 * lag 1 adds half their covariance (9 against a variance of 16), se 1.25,
 * t 2.08: left. */
HZ_TEST(overlapping_errors_need_more_evidence)
{
    enum { H = 2, R = 16 };
    double e[R * H];
    for (size_t r = 0; r < R; r++)
        e[r * H] = e[r * H + 1] = 2.6 + ((r / 4) % 2 ? -4.0 : 4.0);
    hz_forecast *fc[1] = {flat(H, 100)};
    size_t corr[1];
    hz_recon_steps st = {e, R, true};
    HZ_CHECK(hz_recon_bias_correct(1, H, &st, 0.05, fc, corr) == 1);
    HZ_CHECK_NEAR(fc[0]->mean[0], 102.6, 1e-12);
    HZ_CHECK(fc[0]->mean[1] == 100 && corr[0] == 1);
    hz_forecast_free(fc[0]);
}

/* A constant bias is corrected (no noise, so no doubt) from 5 errors;
 * from 4 (the rest NaN) nothing is tested. */
HZ_TEST(too_few_errors_are_not_tested)
{
    enum { R = 8 };
    double e[R];
    for (size_t r = 0; r < R; r++)
        e[r] = r < 5 ? 7 : NAN;
    hz_forecast *fc[1] = {flat(1, 100)};
    hz_recon_steps st = {e, R, true};
    HZ_CHECK(hz_recon_bias_correct(1, 1, &st, 0.05, fc, NULL) == 1);
    HZ_CHECK_NEAR(fc[0]->mean[0], 107, 1e-12);
    e[4] = NAN;
    HZ_CHECK(hz_recon_bias_correct(1, 1, &st, 0.05, fc, NULL) == 0);
    HZ_CHECK_NEAR(fc[0]->mean[0], 107, 1e-12);
    hz_forecast_free(fc[0]);
    HZ_CHECK(hz_recon_bias_origins(1, 12) == 12);
    HZ_CHECK(hz_recon_bias_origins(6, 12) == hz_recon_origins(6, 12));
    HZ_CHECK(hz_recon_bias_origins(1, 1) == 5);
}

/* Two groups growing by 2 and 3 a month (noise +-0.5): naive forecasts
 * fall short by the slope times the step at every node.  With the
 * correction (the default) the reconciled forecasts follow the trends,
 * add up and say so in their notes; without it they stay at the last
 * values. */
static hz_status trend_run(int bias, hz_forecast_result **r)
{
    enum { N = 48, G = 2 };
    int32_t days[N * G];
    const char *grp[N * G];
    static const char *names[G] = {"a", "b"};
    double v[N * G];
    for (int g = 0; g < G; g++)
        for (int t = 0; t < N; t++) {
            int i = g * N + t;
            days[i] = hz_days_from_civil(2020 + t / 12, (unsigned)(t % 12 + 1),
                                         1);
            grp[i] = names[g];
            v[i] = 100 + (g + 2) * t + ((t * 7 + g) % 3 - 1) * 0.5;
        }
    hz_dataset *ds = hz_dataset_new(N * G);
    ds_add_dates(ds, "m", days);
    ds_add_str(ds, "g", grp);
    ds_add_f64(ds, "v", v);
    const char *by[1] = {"g"};
    hz_forecast_request req;
    hz_forecast_request_init(&req);
    req.date_col = "m";
    req.value_col = "v";
    req.by_cols = by;
    req.nby = 1;
    req.freq = HZ_FREQ_MONTH;
    req.horizon = 3;
    req.model = HZ_MODEL_NAIVE;
    req.reconcile = HZ_RECON_MINT;
    req.recon_bias = bias;
    hz_error err;
    hz_status st = hz_forecast_run(ds, &req, r, &err);
    hz_dataset_free(ds);
    return st;
}

HZ_TEST(trending_groups_are_corrected_before_reconciling)
{
    hz_forecast_result *on = NULL, *off = NULL;
    HZ_CHECK(trend_run(HZ_RECON_BIAS_AUTO, &on) == HZ_OK);
    HZ_CHECK(trend_run(HZ_RECON_BIAS_OFF, &off) == HZ_OK);
    HZ_CHECK(on->nseries == 3 && off->nseries == 3);
    HZ_CHECK(on->bias_nodes == 3 && on->bias_steps == 9);
    HZ_CHECK(off->bias_nodes == 0 && off->bias_steps == 0);
    const double slope[3] = {5, 2, 3}; /* total, a, b */
    for (size_t i = 0; i < 3; i++) {
        const double last = on->series[i].history[47];
        HZ_CHECK_CONTAINS(on->series[i].note, "bias-corrected at 3 of 3 steps");
        HZ_CHECK(off->series[i].note[0] == '\0');
        for (size_t s = 0; s < 3; s++) {
            double want = last + slope[i] * (double)(s + 1);
            HZ_CHECK_MSG(fabs(on->series[i].fc->mean[s] - want) < 1.5,
                         "%s step %zu: %g, trend %g", on->series[i].key, s + 1,
                         on->series[i].fc->mean[s], want);
            HZ_CHECK_NEAR(off->series[i].fc->mean[s], last, 1e-6);
        }
    }
    for (size_t s = 0; s < 3; s++)
        HZ_CHECK_NEAR(on->series[0].fc->mean[s],
                      on->series[1].fc->mean[s] + on->series[2].fc->mean[s],
                      1e-9 * on->series[0].fc->mean[s]);
    hz_forecast_result_free(on);
    hz_forecast_result_free(off);
}
