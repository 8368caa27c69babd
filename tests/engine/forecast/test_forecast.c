/* Dispatcher, fallbacks, baselines against R, the dataset runner:
 * determinism across thread counts, bad requests, writers. */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fc_testds.h"
#include "fc_testgen.h"
#include "horizon/baseline.h"
#include "horizon/forecast.h"
#include "horizon/series.h"
#include "hz_test.h"

static const double LV[2] = {80, 95};
static const double Y10[10] = {10, 12, 11, 15, 14, 16, 18, 17, 20, 22};

HZ_TEST(naive_and_drift_match_r)
{
    hz_forecast *f = hz_forecast_alloc(3, 2, LV);
    /* R: naive(y, h = 3) */
    HZ_CHECK(hz_naive_forecast(Y10, 10, 1, f, NULL) == HZ_OK);
    HZ_CHECK_NEAR(f->mean[2], 22, 0);
    HZ_CHECK_NEAR(f->lower[0][0], 19.16638287, 1e-7);
    HZ_CHECK_NEAR(f->lower[1][0], 17.66635657, 1e-7);
    HZ_CHECK_NEAR(f->lower[0][2], 17.09203116, 1e-7);
    HZ_CHECK_NEAR(f->lower[1][2], 14.49390940, 1e-7);
    /* R: rwf(y, h = 3, drift = TRUE) */
    HZ_CHECK(hz_drift_forecast(Y10, 10, 1, f, NULL) == HZ_OK);
    HZ_CHECK_NEAR(f->mean[0], 23.33333333, 1e-7);
    HZ_CHECK_NEAR(f->mean[2], 26.0, 1e-12);
    HZ_CHECK_NEAR(f->lower[0][0], 20.80607956, 1e-7);
    HZ_CHECK_NEAR(f->lower[0][2], 21.20487312, 1e-7);
    HZ_CHECK_NEAR(f->lower[1][1], 18.93379528, 1e-7);
    HZ_CHECK_NEAR(f->lower[1][2], 18.66648628, 1e-7);
    hz_forecast_free(f);
}

HZ_TEST(snaive_matches_r)
{
    /* R: snaive(ts(c(1,5,3,2,6,4,3,7,5), frequency = 3), h = 4) */
    const double y[9] = {1, 5, 3, 2, 6, 4, 3, 7, 5};
    hz_forecast *f = hz_forecast_alloc(4, 2, LV);
    HZ_CHECK(hz_snaive_forecast(y, 9, 3, f, NULL) == HZ_OK);
    HZ_CHECK_NEAR(f->mean[0], 3, 0);
    HZ_CHECK_NEAR(f->mean[1], 7, 0);
    HZ_CHECK_NEAR(f->mean[3], 3, 0);
    HZ_CHECK_NEAR(f->lower[0][0], 1.718448434, 1e-8);
    HZ_CHECK_NEAR(f->lower[1][0], 1.0400360155, 1e-8);
    HZ_CHECK_NEAR(f->lower[0][3], 1.187612395, 1e-8);
    HZ_CHECK_NEAR(f->lower[1][3], 0.2281923513, 1e-8);
    hz_forecast_free(f);
}

HZ_TEST(model_names_roundtrip)
{
    for (int m = 0; m < HZ_MODEL_COUNT; m++) {
        int back = -1;
        HZ_CHECK(hz_fc_model_parse(hz_fc_model_name(m), &back));
        HZ_CHECK(back == m);
    }
    int x;
    HZ_CHECK(!hz_fc_model_parse("prophet", &x));
    /* every model is named in the list the help texts print */
    for (int m = 0; m < HZ_MODEL_COUNT; m++)
        HZ_CHECK_CONTAINS(hz_fc_model_list(), hz_fc_model_name(m));
}

HZ_TEST(short_series_fall_back_with_a_reason)
{
    hz_forecast *f = hz_forecast_alloc(4, 2, LV);
    hz_error err;
    const double y2[2] = {5, 7};
    HZ_CHECK(hz_forecast_series(y2, 2, 12, HZ_MODEL_AUTO, 1, NULL, f, &err) ==
             HZ_OK);
    HZ_CHECK_STR(f->method, "Naive");
    HZ_CHECK_CONTAINS(f->note, "used naive");
    HZ_CHECK_NEAR(f->mean[3], 7, 0);
    const double y1[1] = {3};
    HZ_CHECK(hz_forecast_series(y1, 1, 12, HZ_MODEL_ETS, 1, NULL, f, &err) ==
             HZ_OK);
    HZ_CHECK_NEAR(f->mean[0], 3, 0);
    HZ_CHECK(f->note[0] != '\0');
    /* seasonal naive on less than a season: naive */
    HZ_CHECK(hz_forecast_series(Y10, 10, 12, HZ_MODEL_SNAIVE, 1, NULL, f,
                                &err) == HZ_OK);
    HZ_CHECK_STR(f->method, "Naive");
    HZ_CHECK_CONTAINS(f->note, "snaive");
    /* long enough: no note */
    HZ_CHECK(hz_forecast_series(Y10, 10, 1, HZ_MODEL_THETA, 1, NULL, f,
                                &err) == HZ_OK);
    HZ_CHECK_STR(f->note, "");
    HZ_CHECK(hz_forecast_series(y1, 0, 12, HZ_MODEL_ETS, 1, NULL, f, &err) ==
             HZ_ETOOSHORT);
    hz_forecast_free(f);
}

HZ_TEST(combo_averages_members)
{
    hz_forecast *c = hz_forecast_alloc(3, 2, LV);
    hz_forecast *e = hz_forecast_alloc(3, 2, LV);
    hz_forecast *t = hz_forecast_alloc(3, 2, LV);
    HZ_CHECK(hz_forecast_series(Y10, 10, 1, HZ_MODEL_COMBO, 1, NULL, c,
                                NULL) == HZ_OK);
    HZ_CHECK(hz_forecast_series(Y10, 10, 1, HZ_MODEL_ETS, 1, NULL, e, NULL) ==
             HZ_OK);
    HZ_CHECK(hz_forecast_series(Y10, 10, 1, HZ_MODEL_THETA, 1, NULL, t,
                                NULL) == HZ_OK);
    HZ_CHECK_CONTAINS(c->method, "Combo(");
    hz_forecast_free(c);
    hz_forecast_free(e);
    hz_forecast_free(t);
}

/* nser groups x nm months of seasonal, trending revenue. */
static hz_dataset *panel(size_t nser, size_t nm)
{
    size_t n = nser * nm;
    int32_t *d = malloc(n * sizeof *d);
    double *v = malloc(n * sizeof *v);
    const char **g = malloc(n * sizeof *g);
    static char names[64][24];
    uint64_t s = 12345;
    for (size_t i = 0; i < nser; i++)
        snprintf(names[i], sizeof names[i], "g%02zu", i);
    for (size_t i = 0; i < nser; i++)
        for (size_t t = 0; t < nm; t++) {
            size_t r = t * nser + i; /* interleaved rows */
            s = s * 6364136223846793005ULL + 1442695040888963407ULL;
            double u = (double)(s >> 11) * 0x1.0p-53;
            d[r] = hz_days_from_civil(2020 + (int)(t / 12),
                                      (unsigned)(t % 12) + 1, 15);
            v[r] = 100 + 3.0 * i + 0.8 * t +
                   20 * sin(6.2831853 * (double)t / 12) + 10 * u;
            g[r] = names[i];
        }
    hz_dataset *ds = hz_dataset_new(n);
    ds_add_dates(ds, "date", d);
    ds_add_f64(ds, "revenue", v);
    ds_add_str(ds, "store", (const char *const *)g);
    free(d);
    free(v);
    free(g);
    return ds;
}

HZ_TEST(results_identical_across_thread_counts)
{
    hz_dataset *ds = panel(10, 40);
    const char *by[1] = {"store"};
    hz_forecast_request rq;
    hz_forecast_request_init(&rq);
    rq.date_col = "date";
    rq.value_col = "revenue";
    rq.by_cols = by;
    rq.nby = 1;
    rq.horizon = 6;
    hz_forecast_result *a = NULL, *b = NULL;
    hz_error err;
    rq.threads = 1;
    HZ_CHECK(hz_forecast_run(ds, &rq, &a, &err) == HZ_OK);
    rq.threads = 2;
    HZ_CHECK(hz_forecast_run(ds, &rq, &b, &err) == HZ_OK);
    HZ_CHECK(a->nseries == 10 && b->nseries == 10);
    HZ_CHECK(a->freq == HZ_FREQ_MONTH && a->period == 12);
    for (size_t i = 0; i < 10; i++) {
        HZ_CHECK_STR(a->series[i].key, b->series[i].key);
        HZ_CHECK_STR(a->series[i].method, b->series[i].method);
        HZ_CHECK(a->series[i].n == 40);
        size_t bytes = 6 * (1 + 2 * 2) * sizeof(double);
        HZ_CHECK(memcmp(a->series[i].fc->mean, b->series[i].fc->mean, bytes) ==
                 0);
        HZ_CHECK(a->series[i].days[0] == hz_days_from_civil(2023, 5, 1));
    }
    /* simulated intervals too (class-3 simulation option is not used by
     * the runner, but the seed is per series): run snaive/theta too */
    rq.model = HZ_MODEL_THETA;
    hz_forecast_result *c = NULL;
    rq.threads = 2;
    HZ_CHECK(hz_forecast_run(ds, &rq, &c, &err) == HZ_OK);
    HZ_CHECK_CONTAINS(c->series[0].method, "Theta");
    hz_forecast_result_free(c);

    /* writers */
    char path[1024];
    snprintf(path, sizeof path, "%s/fc.csv", hz_test_tmpdir());
    FILE *f = fopen(path, "w+");
    HZ_CHECK(f != NULL);
    HZ_CHECK(hz_forecast_result_write_csv(a, f, NULL) == HZ_OK);
    rewind(f);
    char line[512];
    HZ_CHECK(fgets(line, sizeof line, f) != NULL);
    HZ_CHECK_STR(line, "series,date,point,lo80,hi80,lo95,hi95,model,note\n");
    HZ_CHECK(fgets(line, sizeof line, f) != NULL);
    HZ_CHECK(strncmp(line, "g00,2023-05-01,", 15) == 0);
    size_t rows = 2;
    while (fgets(line, sizeof line, f))
        rows++;
    HZ_CHECK(rows == 1 + 10 * 6);
    fclose(f);
    f = fopen(path, "w+");
    HZ_CHECK(hz_forecast_result_write_json(a, f, NULL) == HZ_OK);
    rewind(f);
    char buf[4096];
    size_t got = fread(buf, 1, sizeof buf - 1, f);
    buf[got] = '\0';
    fclose(f);
    HZ_CHECK_CONTAINS(buf, "{\"freq\":\"month\",\"freq_reason\":");
    HZ_CHECK_CONTAINS(buf, "\"period\":12,\"seasons\":[12],\"horizon\":6");
    HZ_CHECK_CONTAINS(buf, "\"key\":\"g00\"");
    HZ_CHECK_CONTAINS(buf, "\"history\":{\"n\":40,\"filled\":0,"
                           "\"last_period\":\"2023-04-01\"");
    HZ_CHECK_CONTAINS(buf, "\"lo95\":");
    hz_forecast_result_free(a);
    hz_forecast_result_free(b);
    hz_dataset_free(ds);
}

HZ_TEST(bad_requests_give_clear_errors)
{
    hz_dataset *ds = panel(2, 12);
    hz_forecast_request rq;
    hz_forecast_request_init(&rq);
    rq.date_col = "date";
    rq.value_col = "revenue";
    hz_forecast_result *r = NULL;
    hz_error err;
    rq.horizon = 0;
    HZ_CHECK(hz_forecast_run(ds, &rq, &r, &err) == HZ_EINVAL);
    HZ_CHECK_CONTAINS(err.msg, "horizon");
    rq.horizon = 12;
    rq.value_col = "sales";
    HZ_CHECK(hz_forecast_run(ds, &rq, &r, &err) == HZ_ENOTFOUND);
    HZ_CHECK_CONTAINS(err.msg, "no column 'sales'");
    rq.value_col = "store";
    HZ_CHECK(hz_forecast_run(ds, &rq, &r, &err) == HZ_ETYPE);
    HZ_CHECK_CONTAINS(err.msg, "not numeric");
    rq.value_col = "revenue";
    rq.date_col = "revenue";
    HZ_CHECK(hz_forecast_run(ds, &rq, &r, &err) == HZ_ETYPE);
    HZ_CHECK_CONTAINS(err.msg, "not a date");
    rq.date_col = "date";
    rq.levels[1] = 100;
    HZ_CHECK(hz_forecast_run(ds, &rq, &r, &err) == HZ_EINVAL);
    HZ_CHECK_CONTAINS(err.msg, "level");
    HZ_CHECK(r == NULL);
    hz_dataset_free(ds);
}

HZ_TEST(exploding_forecasts_are_replaced)
{
    /* a series ending in a near-vertical climb: whatever is chosen, the
     * forecast must stay within the sanity bound */
    double y[30];
    for (int i = 0; i < 30; i++)
        y[i] = i < 27 ? 1.0 + (i % 3) : pow(10.0, i - 25);
    hz_forecast *f = hz_forecast_alloc(24, 2, LV);
    HZ_CHECK(hz_forecast_series(y, 30, 12, HZ_MODEL_AUTO, 3, NULL, f, NULL) ==
             HZ_OK);
    for (int i = 0; i < 24; i++)
        HZ_CHECK(isfinite(f->mean[i]) && fabs(f->mean[i]) < 1e6);
    hz_forecast_free(f);
}

HZ_TEST(zero_and_intermittent_series_get_forecasts)
{
    double z[24] = {0};
    hz_forecast *f = hz_forecast_alloc(6, 2, LV);
    HZ_CHECK(hz_forecast_series(z, 24, 12, HZ_MODEL_AUTO, 1, NULL, f, NULL) ==
             HZ_OK);
    for (int i = 0; i < 6; i++)
        HZ_CHECK_NEAR(f->mean[i], 0.0, 0);
    double y[36];
    for (int i = 0; i < 36; i++)
        y[i] = (i % 5 == 2) ? 4.0 + (i % 3) : 0.0;
    HZ_CHECK(hz_forecast_series(y, 36, 12, HZ_MODEL_AUTO, 1, NULL, f, NULL) ==
             HZ_OK);
    /* demand every 5th period: intermittent (SBC), routed to TSB, IMAPA
     * and Theta; never negative, near the mean demand (5 / 5 = 1) */
    HZ_CHECK_CONTAINS(f->method, "Combo(TSB(");
    HZ_CHECK_CONTAINS(f->method, "IMAPA(5)");
    for (int i = 0; i < 6; i++) {
        HZ_CHECK(isfinite(f->mean[i]) && f->mean[i] > 0.5 && f->mean[i] < 2);
        HZ_CHECK(f->lower[1][i] >= 0 && f->lower[0][i] >= 0);
    }
    hz_forecast_free(f);
}

#include "forecast/fc_internal.h"

HZ_TEST(naive2_is_naive_on_the_adjusted_series)
{
    double y[48], s[48];
    for (int t = 0; t < 48; t++)
        y[t] = (100.0 + t) * (1 + 0.3 * sin(6.283185307179586 * t / 12)) +
               (t % 5) * 0.7;
    hz_forecast *f = hz_forecast_alloc(14, 2, LV);
    HZ_CHECK(hz__seasonality_test(y, 48, 12, 36));
    HZ_CHECK(hz_naive2_forecast(y, 48, 12, f, NULL) == HZ_OK);
    HZ_CHECK(hz__decompose(y, 48, 12, 1, s) == 0);
    for (int i = 0; i < 14; i++)
        HZ_CHECK_NEAR(f->mean[i], y[47] / s[47] * s[36 + i % 12], 1e-9);
    /* too short for the adjustment (n < 3m): plain naive */
    HZ_CHECK(hz_naive2_forecast(y, 30, 12, f, NULL) == HZ_OK);
    HZ_CHECK_NEAR(f->mean[5], y[29], 0);
    hz_forecast_free(f);
}

/* Issue 13 item 8: two years of strongly seasonal monthly data: the
 * default carries the pattern; two years of noise: it does not. */
HZ_TEST(auto_carries_a_short_seasonal_pattern)
{
    double y[24], noise[24];
    uint64_t s = 7;
    for (int t = 0; t < 24; t++) {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        double u = (double)(s >> 11) * 0x1.0p-53 - 0.5;
        y[t] = 100 * (1 + 0.01 * t) * (1 + 0.4 * sin(2 * M_PI * t / 12)) *
               (1 + 0.05 * u);
        noise[t] = 100 + 10 * u;
    }
    hz_forecast *f = hz_forecast_alloc(12, 2, LV);
    HZ_CHECK(hz_forecast_series(y, 24, 12, HZ_MODEL_AUTO, 1, NULL, f, NULL) ==
             HZ_OK);
    HZ_CHECK_CONTAINS(f->method, "seasonal index[12]");
    /* the peak month stays the peak, the trough the trough */
    int hi = 0, lo = 0;
    for (int i = 1; i < 12; i++) {
        hi = f->mean[i] > f->mean[hi] ? i : hi;
        lo = f->mean[i] < f->mean[lo] ? i : lo;
    }
    /* sin peaks at t = 3 (mod 12), bottoms at 9 */
    HZ_CHECK(hi >= 2 && hi <= 4 && lo >= 8 && lo <= 10);
    HZ_CHECK(f->mean[hi] > 1.8 * f->mean[lo]);
    HZ_CHECK(hz_forecast_series(noise, 24, 12, HZ_MODEL_AUTO, 1, NULL, f,
                                NULL) == HZ_OK);
    HZ_CHECK(strstr(f->method, "seasonal index") == NULL);
    hz_forecast_free(f);
}

#include "forecast/fc_models.h"
#include "horizon/arima.h"

/* A forecast of h steps, all points at v, bounds +-w. */
static hz_forecast *flat(size_t h, double v, double w)
{
    hz_forecast *f = hz_forecast_alloc(h, 2, LV);
    for (size_t i = 0; i < h; i++) {
        f->mean[i] = v;
        for (int k = 0; k < 2; k++) {
            f->lower[k][i] = v - w;
            f->upper[k][i] = v + w;
        }
    }
    return f;
}

/* Several seasons: auto fits log(y) when the seasons grow with the level
 * (Guerrero's rule), on the Fourier path (156 weeks) and on the MSTL path
 * (four weeks of hours), and y itself when they keep their size. */
HZ_TEST(auto_takes_the_log_of_seasons_that_grow_with_the_level)
{
    const double lv[2] = {80, 95};
    hz_forecast *f = hz_forecast_alloc(13, 2, lv);
    double w[156], h[672];
    hz_seasons sw = {1, {52.18}}, sh = {2, {24, 168}};
    for (int pass = 0; pass < 2; pass++) {
        for (int t = 0; t < 156; t++) {
            double season = sin(2 * M_PI * (t + 1) / 52.18);
            w[t] = pass ? exp(6 + 0.008 * t + 0.3 * season + 0.02 * (t % 5))
                        : 1000 + 5 * t + 150 * season + 20 * (t % 5);
        }
        HZ_CHECK(hz_forecast_series_seasons(w, 156, &sw, 0, HZ_MODEL_AUTO, 1,
                                            NULL, f, NULL) == HZ_OK);
        HZ_CHECK_CONTAINS(f->method, "DHR(");
        HZ_CHECK((strstr(f->method, "(log)") != NULL) == pass);
        (pass ? gen_hourly_mult : gen_hourly)(h, 672);
        HZ_CHECK(hz_forecast_series_seasons(h, 672, &sh, 0, HZ_MODEL_AUTO, 1,
                                            NULL, f, NULL) == HZ_OK);
        HZ_CHECK_CONTAINS(f->method, "MSTL(");
        HZ_CHECK((strstr(f->method, "(log)") != NULL) == pass);
    }
    hz_forecast_free(f);
}

/* Item 2 of issue 16: forecasts that leave the data's scale by orders of
 * magnitude are caught, legitimate extrapolations are not. */
HZ_TEST(guard_catches_forecasts_leaving_the_scale)
{
    /* weekly-like series in [900, 1100] ending with a jump: ARIMA(0,2,0)
     * extrapolates the last step (200 a week) 52 weeks ahead: 10,400
     * beyond the range, 52 ranges */
    double y[156];
    for (int t = 0; t < 156; t++)
        y[t] = 1000 + 80 * sin(2 * M_PI * t / 52.18) + (t % 7) * 3;
    y[154] = 900;
    y[155] = 1100;
    hz_arima_spec sp = {0, 2, 0, 0, 0, 0, 1, 0, 0, 0, HZ_ARIMA_CSS_ML};
    hz_arima_model m;
    HZ_CHECK(hz_arima_fit(y, 156, &sp, &m, NULL) == HZ_OK);
    double mean[52], se[52];
    HZ_CHECK(hz_arima_predict(&m, 52, mean, se, NULL) == HZ_OK);
    hz_arima_model_free(&m);
    HZ_CHECK(mean[51] > 10000);
    hz_forecast *f = flat(52, 1000, 50);
    memcpy(f->mean, mean, sizeof mean);
    HZ_CHECK(!hz__fc_sane(y, 156, f));
    /* a tenfold level (an exploding multiplicative season) */
    hz_forecast_free(f);
    f = flat(13, 10000, 100);
    HZ_CHECK(!hz__fc_sane(y, 156, f));
    hz_forecast_free(f);
    /* intervals 1e8 wide around a sane point */
    f = flat(13, 1000, 1e8);
    HZ_CHECK(!hz__fc_sane(y, 156, f));
    hz_forecast_free(f);
    /* a trend continued as long as the series: 1 range beyond, fine */
    double tr[48];
    for (int t = 0; t < 48; t++)
        tr[t] = 100 + 10 * t;
    f = flat(48, 0, 10);
    for (int i = 0; i < 48; i++)
        f->mean[i] = 100 + 10 * (48 + i);
    HZ_CHECK(hz__fc_sane(tr, 48, f));
    /* 300 steps ahead of 48: the allowance grows with h / n */
    hz_forecast_free(f);
    f = flat(300, 0, 10);
    for (int i = 0; i < 300; i++)
        f->mean[i] = 100 + 10 * (48 + i);
    HZ_CHECK(hz__fc_sane(tr, 48, f));
    hz_forecast_free(f);
    /* all-zero history, zero forecasts; and a nearly constant series */
    double z[10] = {0};
    f = flat(5, 0, 0);
    HZ_CHECK(hz__fc_sane(z, 10, f));
    hz_forecast_free(f);
    double c[10] = {500, 500, 500, 500, 500, 500, 500, 500, 500, 501};
    f = flat(5, 520, 5); /* 20 away: within 5 x 1% of the level */
    HZ_CHECK(hz__fc_sane(c, 10, f));
    f->mean[4] = 600;
    HZ_CHECK(!hz__fc_sane(c, 10, f));
    hz_forecast_free(f);
}

/* A note appended to (the bias correction's after a fallback's) is kept
 * whole: where both do not fit, the note before it is cut and ends in
 * "...", never the added one; an empty note takes it without "; ". */
HZ_TEST(note_append_keeps_the_added_note_whole)
{
    char note[48] = "";
    hz__note_append(note, sizeof note, "bias-corrected at 6 of 6 steps");
    HZ_CHECK_STR(note, "bias-corrected at 6 of 6 steps");
    snprintf(note, sizeof note, "ets failed");
    hz__note_append(note, sizeof note, "bias-corrected");
    HZ_CHECK_STR(note, "ets failed; bias-corrected");
    snprintf(note, sizeof note, "%s", "auto: every candidate failed, so theta");
    hz__note_append(note, sizeof note, "bias-corrected at 6 of 6 steps");
    HZ_CHECK_STR(note, "auto: every ...; bias-corrected at 6 of 6 steps");
    HZ_CHECK(strlen(note) == sizeof note - 1);
    char tiny[8] = "abcdef";
    hz__note_append(tiny, sizeof tiny, "bias-corrected");
    HZ_CHECK(strlen(tiny) == 7 && strncmp(tiny, "...; b", 6) == 0);
}
