/* The request runner's care for results: valid intervals at any scale,
 * non-negative forecasts for non-negative data, fitted values and
 * parameters from every model family, labels as the input's, and the
 * diagnostics file. */
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

static void seasonal(double *y, size_t n, double scale, double noise)
{
    uint64_t s = 99;
    for (size_t t = 0; t < n; t++) {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        double u = (double)(s >> 11) / 9007199254740992.0;
        y[t] = scale * (100 + 10 * sin((double)t * M_PI / 6) + noise * u);
    }
}

HZ_TEST(intervals_stay_valid_at_any_scale)
{
    static const double scales[] = {1e-300, 1e-150, 1e-20, 1,
                                    1e20,   1e150,  1e300};
    static const int models[] = {HZ_MODEL_AUTO, HZ_MODEL_ETS, HZ_MODEL_THETA,
                                 HZ_MODEL_ARIMA, HZ_MODEL_NAIVE};
    double y[48];
    hz_forecast *f = hz_forecast_alloc(6, 2, LV);
    for (size_t i = 0; i < sizeof scales / sizeof scales[0]; i++) {
        seasonal(y, 48, scales[i], 5);
        for (size_t m = 0; m < sizeof models / sizeof models[0]; m++) {
            hz_forecast_guard g = {HZ_NONNEG_OFF, 0, 0, 0};
            HZ_CHECK(hz_forecast_series_guarded(y, 48, NULL, 12, models[m], 1,
                                                NULL, f, &g, NULL) == HZ_OK);
            for (size_t h = 0; h < 6; h++) {
                double lo = f->lower[1][h], hi = f->upper[1][h];
                HZ_CHECK_MSG(isfinite(lo) && isfinite(hi) && lo < f->mean[h] &&
                                 f->mean[h] < hi,
                             "scale %g model %s: %g < %g < %g", scales[i],
                             hz_fc_model_name(models[m]), lo, f->mean[h], hi);
                /* the width is on the data's scale, not collapsed */
                HZ_CHECK_MSG((hi - lo) / scales[i] > 0.1,
                             "scale %g model %s: width %g", scales[i],
                             hz_fc_model_name(models[m]), hi - lo);
                HZ_CHECK(f->mean[h] / scales[i] > 50 &&
                         f->mean[h] / scales[i] < 150);
            }
            HZ_CHECK((g.scale_exp != 0) ==
                     (scales[i] < 1e-8 || scales[i] > 1e13));
        }
    }
    hz_forecast_free(f);
}

HZ_TEST(nonnegative_data_keep_forecasts_at_or_above_zero)
{
    double y[40];
    for (size_t t = 0; t < 40; t++) /* intermittent counts */
        y[t] = (t * 7) % 5 == 0 ? 3 : 0;
    hz_forecast *f = hz_forecast_alloc(12, 2, LV);
    hz_forecast_guard g = {HZ_NONNEG_OFF, 0, 0, 0};
    HZ_CHECK(hz_forecast_series_guarded(y, 40, NULL, 1, HZ_MODEL_NAIVE, 1,
                                        NULL, f, &g, NULL) == HZ_OK);
    double minlo = f->lower[1][0];
    HZ_CHECK(minlo < 0 && !g.nonnegative);
    g.mode = HZ_NONNEG_AUTO;
    HZ_CHECK(hz_forecast_series_guarded(y, 40, NULL, 1, HZ_MODEL_NAIVE, 1,
                                        NULL, f, &g, NULL) == HZ_OK);
    HZ_CHECK(g.nonnegative && g.nclamped > 0);
    for (size_t h = 0; h < 12; h++)
        HZ_CHECK(f->lower[1][h] == 0 && f->lower[0][h] >= 0 &&
                 f->mean[h] >= 0);
    y[5] = -1; /* history below zero: auto leaves it alone */
    HZ_CHECK(hz_forecast_series_guarded(y, 40, NULL, 1, HZ_MODEL_NAIVE, 1,
                                        NULL, f, &g, NULL) == HZ_OK);
    HZ_CHECK(!g.nonnegative && g.nclamped == 0);
    hz_forecast_free(f);
}

HZ_TEST(models_give_fitted_values_and_parameters)
{
    static const struct {
        int model;
        const char *param;
    } t[] = {{HZ_MODEL_ETS, "alpha="},
             {HZ_MODEL_THETA, "drift="},
             {HZ_MODEL_ARIMA, ""},
             {HZ_MODEL_NAIVE, ""},
             {HZ_MODEL_SNAIVE, ""},
             {HZ_MODEL_DRIFT, "drift="},
             {HZ_MODEL_NAIVE2, ""},
             {HZ_MODEL_AUTO, "Theta (seasonally adjusted): alpha="},
             {HZ_MODEL_COMBO, "ETS("}};
    double y[60], fit[60];
    seasonal(y, 60, 1, 8);
    hz_forecast *f = hz_forecast_alloc(3, 2, LV);
    f->fitted = fit;
    f->fitted_cap = 60;
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        HZ_CHECK(hz_forecast_series(y, 60, 12, t[i].model, 1, NULL, f, NULL) ==
                 HZ_OK);
        HZ_CHECK_CONTAINS(f->params, t[i].param);
        size_t nfin = 0;
        double sae = 0;
        for (size_t k = 0; k < 60; k++)
            if (isfinite(fit[k])) {
                nfin++;
                sae += fabs(y[k] - fit[k]);
            }
        HZ_CHECK_MSG(nfin >= 48, "%s: %zu fitted values",
                     hz_fc_model_name(t[i].model), nfin);
        /* fitted values follow the series: far better than its spread */
        HZ_CHECK_MSG(sae / (double)nfin < 10, "%s: mean abs error %g",
                     hz_fc_model_name(t[i].model), sae / (double)nfin);
    }
    hz_forecast_free(f);
}

HZ_TEST(results_keep_the_input_labels_and_write_diagnostics)
{
    char per[40][8];
    const char *ptr[40];
    double v[40];
    for (int i = 0; i < 40; i++) {
        snprintf(per[i], sizeof per[i], "%d-%02d", 2020 + i / 12, i % 12 + 1);
        ptr[i] = per[i];
        v[i] = 100 + 10 * sin(i * M_PI / 6) + (i * 37 % 11);
    }
    hz_dataset *ds = hz_dataset_new(40);
    ds_add_str(ds, "m", ptr);
    ds_add_f64(ds, "v", v);
    hz_forecast_request req;
    hz_forecast_request_init(&req);
    req.date_col = "m";
    req.value_col = "v";
    req.horizon = 3;
    req.keep_fitted = 1;
    hz_forecast_result *r = NULL;
    hz_error err;
    req.nlevels = 3; /* a level given twice would give two lo80 */
    req.levels[2] = 80;
    HZ_CHECK(hz_forecast_run(ds, &req, &r, &err) == HZ_EINVAL && r == NULL);
    HZ_CHECK_CONTAINS(err.msg, "interval level 80% given twice");
    req.nlevels = 2;
    HZ_CHECK(hz_forecast_run(ds, &req, &r, &err) == HZ_OK);
    char b[32];
    HZ_CHECK_STR(hz_forecast_result_label(r, 0, 0, b, sizeof b), "2023-05");
    HZ_CHECK_CONTAINS(r->freq_reason, "months labelled YYYY-MM");
    const char *path = hz_test_write_file("diag.csv", "", 0);
    FILE *f = fopen(path, "w");
    HZ_CHECK(hz_forecast_result_write_diagnostics(r, f, &err) == HZ_OK);
    fclose(f);
    f = fopen(path, "r");
    char line[1024];
    HZ_CHECK(fgets(line, sizeof line, f) != NULL);
    HZ_CHECK_CONTAINS(line, "series,model,params,n,nobs,filled,loglik,aic");
    HZ_CHECK(fgets(line, sizeof line, f) != NULL);
    HZ_CHECK_CONTAINS(line, "total,\"Combo(ETS(");
    HZ_CHECK_CONTAINS(line, ",40,40,0,");
    fclose(f);
    f = fopen(path, "w");
    HZ_CHECK(hz_forecast_result_write_fitted(r, f, &err) == HZ_OK);
    fclose(f);
    f = fopen(path, "r");
    HZ_CHECK(fgets(line, sizeof line, f) != NULL);
    HZ_CHECK_STR(line, "series,date,actual,fitted,residual,filled\n");
    HZ_CHECK(fgets(line, sizeof line, f) != NULL);
    HZ_CHECK(strncmp(line, "total,2020-01,", 14) == 0);
    fclose(f);
    hz_forecast_result_free(r);
    hz_dataset_free(ds);
    /* quarter ends stay quarter ends */
    int32_t qd[12];
    double qv[12];
    for (int i = 0; i < 12; i++) {
        qd[i] = hz_days_from_civil(2020 + (i + 1) / 4,
                                   (unsigned)(((i + 1) % 4) * 3 + 1), 1) -
                1;
        qv[i] = 10 + i % 4 + i * 0.1;
    }
    ds = hz_dataset_new(12);
    ds_add_dates(ds, "m", qd);
    ds_add_f64(ds, "v", qv);
    HZ_CHECK(hz_forecast_run(ds, &req, &r, &err) == HZ_OK);
    HZ_CHECK_STR(hz_forecast_result_label(r, 0, 0, b, sizeof b), "2023-03-31");
    HZ_CHECK(r->series[0].days[1] == hz_days_from_civil(2023, 6, 30));
    hz_forecast_result_free(r);
    hz_dataset_free(ds);
}

/* Reconciled, conformal, with fitted values: every level of the
 * hierarchy adds up, keeps its fitted values, and the non-negative data
 * keep points and bounds at or above zero after the reconciliation. */
HZ_TEST(reconciled_conformal_request_keeps_fitted_and_nonnegative)
{
    enum { N = 48, G = 3 };
    char per[N * G][8];
    const char *ptr[N * G], *grp[N * G];
    static const char *names[G] = {"a", "b", "c"};
    double v[N * G];
    uint64_t s = 5;
    for (int g = 0; g < G; g++)
        for (int t = 0; t < N; t++) {
            int i = g * N + t;
            snprintf(per[i], sizeof per[i], "%d-%02d", 2020 + t / 12,
                     t % 12 + 1);
            ptr[i] = per[i];
            grp[i] = names[g];
            s = s * 6364136223846793005ULL + 1442695040888963407ULL;
            v[i] = (double)((s >> 33) % 5) * (g + 1); /* small counts */
        }
    hz_dataset *ds = hz_dataset_new(N * G);
    ds_add_str(ds, "m", ptr);
    ds_add_str(ds, "g", grp);
    ds_add_f64(ds, "v", v);
    const char *by[1] = {"g"};
    hz_forecast_request req;
    hz_forecast_request_init(&req);
    req.date_col = "m";
    req.value_col = "v";
    req.by_cols = by;
    req.nby = 1;
    req.horizon = 4;
    req.keep_fitted = 1;
    req.model = HZ_MODEL_ETS;
    req.intervals = HZ_INTERVALS_CONFORMAL;
    req.reconcile = HZ_RECON_OLS;
    hz_forecast_result *r = NULL;
    hz_error err;
    HZ_CHECK(hz_forecast_run(ds, &req, &r, &err) == HZ_OK);
    HZ_CHECK(r->nseries == 1 + G); /* total, a, b, c */
    HZ_CHECK_STR(r->series[0].key, "total");
    for (size_t h = 0; h < 4; h++) {
        double sum = 0;
        for (size_t i = 1; i <= G; i++)
            sum += r->series[i].fc->mean[h];
        HZ_CHECK(fabs(sum - r->series[0].fc->mean[h]) <
                 1e-9 * (1 + fabs(sum)));
    }
    for (size_t i = 0; i < r->nseries; i++) {
        const hz_forecast_series_result *o = &r->series[i];
        HZ_CHECK(o->nonnegative == 1);
        HZ_CHECK(o->fitted != NULL && isfinite(o->fitted[N - 1]));
        HZ_CHECK_CONTAINS(o->method, "[ols]");
        for (size_t k = 0; k < 4 * 5; k++)
            HZ_CHECK(o->fc->mean[k] >= 0);
    }
    hz_forecast_result_free(r);
    hz_dataset_free(ds);
}

/* Interval order lo95 <= lo80 <= point <= hi80 <= hi95 at every step. */
static int ordered(const hz_forecast *f, size_t s)
{
    return f->lower[1][s] <= f->lower[0][s] && f->lower[0][s] <= f->mean[s] &&
           f->mean[s] <= f->upper[0][s] && f->upper[0][s] <= f->upper[1][s];
}

/* A non-negative total over a declining series A (>= 0) and a series R
 * that is always below zero: the reconciled total goes below zero.  Its
 * bounds were raised to 0 (point -3.3 below lo80 = 0); they now bracket
 * it, it is not counted as kept >= 0 and its note says why.  With
 * --nonnegative on R is raised to 0 and the total re-summed: its bounds
 * move with it (hi95 was left below the new point). */
HZ_TEST(reconciled_points_keep_bounds_around_them)
{
    enum { N = 36 };
    char per[2 * N][8];
    const char *ptr[2 * N], *grp[2 * N];
    double v[2 * N];
    for (int t = 0; t < N; t++) {
        double a = 100 - 1.5 * t + 5 * sin(2.1 * t);
        double rr = -(60 + 5 * cos(1.3 * t));
        if (a + rr < 0)
            rr = -a + 0.5;
        for (int g = 0; g < 2; g++) {
            snprintf(per[2 * t + g], sizeof per[0], "%d-%02d", 2021 + t / 12,
                     t % 12 + 1);
            ptr[2 * t + g] = per[2 * t + g];
            grp[2 * t + g] = g ? "R" : "A";
            v[2 * t + g] = g ? rr : a;
        }
    }
    hz_dataset *ds = hz_dataset_new(2 * N);
    ds_add_str(ds, "m", ptr);
    ds_add_str(ds, "g", grp);
    ds_add_f64(ds, "v", v);
    const char *by[1] = {"g"};
    const int methods[2] = {HZ_RECON_BU, HZ_RECON_MINT};
    for (int on = 0; on < 2; on++)
        for (int k = 0; k < 2; k++) {
            hz_forecast_request req;
            hz_forecast_request_init(&req);
            req.date_col = "m";
            req.value_col = "v";
            req.by_cols = by;
            req.nby = 1;
            req.horizon = 12;
            req.reconcile = methods[k];
            req.nonnegative = on ? HZ_NONNEG_ON : HZ_NONNEG_AUTO;
            hz_forecast_result *r = NULL;
            hz_error err;
            HZ_CHECK(hz_forecast_run(ds, &req, &r, &err) == HZ_OK);
            HZ_CHECK(r->nseries == 3); /* total, A, R */
            const hz_forecast *t = r->series[0].fc, *a = r->series[1].fc,
                              *rr = r->series[2].fc;
            size_t below = 0;
            for (size_t s = 0; s < 12; s++) {
                for (size_t i = 0; i < 3; i++)
                    HZ_CHECK_MSG(
                        ordered(r->series[i].fc, s),
                        "%s, nonnegative %s: %s step %zu: %g %g %g "
                        "%g %g",
                        hz_recon_name(methods[k]), on ? "on" : "auto",
                        r->series[i].key, s, r->series[i].fc->lower[1][s],
                        r->series[i].fc->lower[0][s], r->series[i].fc->mean[s],
                        r->series[i].fc->upper[0][s],
                        r->series[i].fc->upper[1][s]);
                HZ_CHECK(t->mean[s] == a->mean[s] + rr->mean[s]);
                below += t->mean[s] < 0;
                if (on)
                    HZ_CHECK(rr->mean[s] >= 0 && rr->lower[1][s] >= 0 &&
                             t->lower[1][s] >= 0);
            }
            if (on) {
                HZ_CHECK(r->series[0].nonnegative && below == 0);
            } else {
                HZ_CHECK(below > 0); /* the case of the test */
                HZ_CHECK_CONTAINS(r->series[0].note,
                                  "reconciled point below zero");
                HZ_CHECK_CONTAINS(r->series[0].note, "('R')");
                HZ_CHECK(!r->series[0].nonnegative);
                HZ_CHECK(!hz_forecast_note_is_fallback(r->series[0].note));
                /* its base forecast was raised, but that is not what is
                 * written: only bounds of its steps at or above zero */
                HZ_CHECK(r->series[0].nclamped <= 4 * (12 - below));
            }
            hz_forecast_result_free(r);
        }
    hz_dataset_free(ds);
}

/* With --reconcile, a product launched late (6 of 36 months) was given 30
 * leading zeros: modelled as intermittent, its forecast fell from 52.6
 * to 34.6, and the diagnostics said n = nobs = 36.  Each node is now
 * fitted on its own history (its parents' sums still count it as 0
 * before its launch): with bu and no bias correction the bottom forecast
 * is the one without --reconcile, and n, nobs, filled are its own.  A
 * product whose only row is in the last month has no intervals, nor do
 * the nodes its forecast goes into; mint, which weighs it by in-sample
 * errors it does not have, refuses it by name.  A discontinued product
 * keeps its zeros after its last row (sales that stopped), counted as
 * filled. */
HZ_TEST(reconciled_nodes_are_fitted_on_their_own_history)
{
    enum { N = 36 };
    char per[3 * N][12];
    const char *ptr[3 * N], *grp[3 * N];
    double v[3 * N];
    size_t rows = 0;
    for (int t = 0; t < N; t++) {
        for (int g = 0; g < 3; g++) {
            if ((g == 1 && t < 30) || (g == 2 && t >= 24))
                continue; /* NEW from month 30, GONE until month 23 */
            snprintf(per[rows], sizeof per[0], "%d-%02d-01", 2021 + t / 12,
                     t % 12 + 1);
            ptr[rows] = per[rows];
            grp[rows] = g == 0 ? "OLD" : g == 1 ? "NEW" : "GONE";
            v[rows] = g == 0   ? 100 + t % 3
                      : g == 1 ? 50 + (t % 2) * 4
                               : 30 + t % 4;
            rows++;
        }
    }
    hz_dataset *ds = hz_dataset_new(rows);
    ds_add_str(ds, "m", ptr);
    ds_add_str(ds, "g", grp);
    ds_add_f64(ds, "v", v);
    const char *by[1] = {"g"};
    hz_forecast_request req;
    hz_forecast_request_init(&req);
    req.date_col = "m";
    req.value_col = "v";
    req.by_cols = by;
    req.nby = 1;
    req.horizon = 2;
    hz_forecast_result *plain = NULL, *r = NULL;
    hz_error err;
    HZ_CHECK(hz_forecast_run(ds, &req, &plain, &err) == HZ_OK);
    HZ_CHECK(plain->nseries == 3 && strcmp(plain->series[1].key, "NEW") == 0);
    req.reconcile = HZ_RECON_BU;
    req.recon_bias = HZ_RECON_BIAS_OFF;
    HZ_CHECK(hz_forecast_run(ds, &req, &r, &err) == HZ_OK);
    HZ_CHECK(r->nseries == 4); /* total, GONE, NEW, OLD */
    const hz_forecast_series_result *t = &r->series[0], *gone = &r->series[1],
                                    *nw = &r->series[2];
    HZ_CHECK_STR(nw->key, "NEW");
    HZ_CHECK(nw->n == 6 && nw->nobs == 6 && nw->nfilled == 0);
    HZ_CHECK(nw->start == t->start + 30 && nw->history[0] == 50);
    HZ_CHECK(t->n == 36 && t->nobs == rows && t->nfilled == 0);
    HZ_CHECK(gone->n == 36 && gone->nobs == 24 && gone->nfilled == 12);
    HZ_CHECK(gone->history[35] == 0);
    HZ_CHECK(strstr(nw->method, "TSB") == NULL); /* not intermittent */
    for (size_t s = 0; s < 2; s++) {
        HZ_CHECK(nw->fc->mean[s] == plain->series[1].fc->mean[s]);
        HZ_CHECK(nw->fc->mean[s] > 50);
        HZ_CHECK(t->fc->mean[s] == gone->fc->mean[s] + nw->fc->mean[s] +
                                       r->series[3].fc->mean[s]);
    }
    hz_forecast_result_free(r);
    /* mint: the late product weighed by its own few errors */
    req.reconcile = HZ_RECON_MINT;
    req.recon_bias = HZ_RECON_BIAS_AUTO;
    HZ_CHECK(hz_forecast_run(ds, &req, &r, &err) == HZ_OK);
    HZ_CHECK(r->series[2].n == 6);
    for (size_t s = 0; s < 2; s++) {
        HZ_CHECK(r->series[0].fc->mean[s] == r->series[1].fc->mean[s] +
                                                 r->series[2].fc->mean[s] +
                                                 r->series[3].fc->mean[s]);
        HZ_CHECK(fabs(r->series[2].fc->mean[s] - 52) < 3);
    }
    hz_forecast_result_free(r);
    hz_forecast_result_free(plain);
    hz_dataset_free(ds);

    /* a product whose only row is in the last month */
    rows = 0;
    for (int t2 = 0; t2 < N; t2++)
        for (int g = 0; g < 2; g++) {
            if (g == 1 && t2 < N - 1)
                continue;
            snprintf(per[rows], sizeof per[0], "%d-%02d-01", 2021 + t2 / 12,
                     t2 % 12 + 1);
            ptr[rows] = per[rows];
            grp[rows] = g ? "NEW" : "OLD";
            v[rows] = g ? 50 : 100 + t2 % 3;
            rows++;
        }
    ds = hz_dataset_new(rows);
    ds_add_str(ds, "m", ptr);
    ds_add_str(ds, "g", grp);
    ds_add_f64(ds, "v", v);
    req.reconcile = HZ_RECON_BU;
    HZ_CHECK(hz_forecast_run(ds, &req, &r, &err) == HZ_OK);
    HZ_CHECK_STR(r->series[1].key, "NEW");
    HZ_CHECK(r->series[1].n == 1 && r->series[1].fc->mean[0] == 50);
    HZ_CHECK(isnan(r->series[1].fc->lower[0][0]));
    HZ_CHECK(isnan(r->series[0].fc->upper[1][1])); /* the total's too */
    HZ_CHECK_CONTAINS(r->series[0].note,
                      "no intervals: reconciled with 'NEW', which has none");
    HZ_CHECK(!hz_forecast_note_is_fallback(r->series[0].note));
    HZ_CHECK(isfinite(r->series[2].fc->lower[0][0])); /* OLD keeps its own */
    hz_forecast_result_free(r);
    req.reconcile = HZ_RECON_MINT;
    HZ_CHECK(hz_forecast_run(ds, &req, &r, &err) == HZ_ETOOSHORT && r == NULL);
    HZ_CHECK_CONTAINS(err.msg, "node 'NEW' has none");
    hz_dataset_free(ds);
}
