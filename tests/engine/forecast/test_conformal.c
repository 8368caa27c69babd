/* Many series at once and conformal intervals (hz_forecast_many). */
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "fc_testgen.h"
#include "horizon/forecast.h"
#include "horizon/metrics.h"
#include "hz_test.h"

static const double LV[2] = {80, 95};

/* ns random walks with drift and t(3)-like noise (a normal over a
 * uniform's square root), n values + h held out, in one block. */
static double *walks(size_t ns, size_t n, size_t h, uint64_t seed)
{
    double *y = malloc(ns * (n + h) * sizeof *y);
    uint64_t s = seed;
    for (size_t i = 0; i < ns; i++) {
        double v = 100, d = 0.5 * ((double)(i % 7) - 3);
        for (size_t t = 0; t < n + h; t++) {
            s = s * 6364136223846793005ULL + 1442695040888963407ULL;
            double u1 = ((double)(s >> 11) + 0.5) * 0x1.0p-53;
            s = s * 6364136223846793005ULL + 1442695040888963407ULL;
            double u2 = ((double)(s >> 11) + 0.5) * 0x1.0p-53;
            double z = sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
            v += d + z / sqrt(0.3 + u2);
            y[i * (n + h) + t] = v;
        }
    }
    return y;
}

static void run_batch(const double *y, size_t ns, size_t n, size_t h,
                      int model, int intervals, int threads, hz_forecast **fc)
{
    const double **yy = malloc(ns * sizeof *yy);
    size_t *nn = malloc(ns * sizeof *nn);
    for (size_t i = 0; i < ns; i++) {
        yy[i] = y + i * (n + h);
        nn[i] = n;
        fc[i] = hz_forecast_alloc(h, 2, LV);
    }
    hz_fc_batch b;
    hz_fc_batch_init(&b);
    b.nseries = ns;
    b.y = yy;
    b.n = nn;
    b.model = model;
    b.intervals = intervals;
    b.threads = threads;
    hz_status st = hz_forecast_many(&b, fc, NULL);
    (void)st;
    free(yy);
    free(nn);
}

HZ_TEST(many_with_model_intervals_equals_one_by_one)
{
    size_t ns = 6, n = 40, h = 5;
    double *y = walks(ns, n, h, 3);
    hz_forecast *fc[6];
    run_batch(y, ns, n, h, HZ_MODEL_AUTO, HZ_INTERVALS_MODEL, 2, fc);
    hz_forecast *one = hz_forecast_alloc(h, 2, LV);
    for (size_t i = 0; i < ns; i++) {
        HZ_CHECK(hz_forecast_series(y + i * (n + h), n, 1, HZ_MODEL_AUTO,
                                    i + 1, NULL, one, NULL) == HZ_OK);
        HZ_CHECK(memcmp(one->mean, fc[i]->mean, h * 5 * sizeof(double)) == 0);
        HZ_CHECK_STR(one->method, fc[i]->method);
        hz_forecast_free(fc[i]);
    }
    hz_forecast_free(one);
    free(y);
}

HZ_TEST(conformal_identical_for_any_thread_count)
{
    size_t ns = 40, n = 30, h = 6;
    double *y = walks(ns, n, h, 5);
    hz_forecast *a[40], *b[40];
    run_batch(y, ns, n, h, HZ_MODEL_THETA, HZ_INTERVALS_CONFORMAL, 1, a);
    run_batch(y, ns, n, h, HZ_MODEL_THETA, HZ_INTERVALS_CONFORMAL, 3, b);
    for (size_t i = 0; i < ns; i++) {
        HZ_CHECK(memcmp(a[i]->mean, b[i]->mean, h * 5 * sizeof(double)) == 0);
        hz_forecast_free(a[i]);
        hz_forecast_free(b[i]);
    }
    free(y);
}

/* Heavy-tailed noise: the model's normal intervals cover too little at
 * 95%; conformal ones come close to the promise on the held-out values. */
HZ_TEST(conformal_intervals_keep_their_promise)
{
    size_t ns = 400, n = 40, h = 6;
    double *y = walks(ns, n, h, 11);
    hz_forecast **m = malloc(ns * sizeof *m), **c = malloc(ns * sizeof *c);
    run_batch(y, ns, n, h, HZ_MODEL_NAIVE, HZ_INTERVALS_MODEL, 0, m);
    run_batch(y, ns, n, h, HZ_MODEL_NAIVE, HZ_INTERVALS_CONFORMAL, 0, c);
    double cov[2][2] = {{0, 0}, {0, 0}};
    for (size_t i = 0; i < ns; i++) {
        const double *yt = y + i * (n + h) + n;
        for (int k = 0; k < 2; k++) {
            cov[0][k] += hz_coverage(yt, m[i]->lower[k], m[i]->upper[k], h);
            cov[1][k] += hz_coverage(yt, c[i]->lower[k], c[i]->upper[k], h);
        }
        /* same points; conformal bounds around them */
        HZ_CHECK(memcmp(m[i]->mean, c[i]->mean, h * sizeof(double)) == 0);
        HZ_CHECK(c[i]->lower[1][0] <= c[i]->mean[0] &&
                 c[i]->upper[1][0] >= c[i]->mean[0]);
        hz_forecast_free(m[i]);
        hz_forecast_free(c[i]);
    }
    for (int k = 0; k < 2; k++) {
        cov[0][k] /= (double)ns;
        cov[1][k] /= (double)ns;
    }
    fprintf(stderr, "  model %.3f / %.3f, conformal %.3f / %.3f\n", cov[0][0],
            cov[0][1], cov[1][0], cov[1][1]);
    HZ_CHECK(fabs(cov[1][0] - 0.80) < 0.04);
    HZ_CHECK(fabs(cov[1][1] - 0.95) < 0.03);
    HZ_CHECK(fabs(cov[1][1] - 0.95) < fabs(cov[0][1] - 0.95));
    free(m);
    free(c);
    free(y);
}

HZ_TEST(conformal_one_series_and_non_negative_demand)
{
    double y[80];
    gen_intermittent(y, 80);
    hz_forecast *f[1];
    run_batch(y, 1, 72, 8, HZ_MODEL_CROSTON, HZ_INTERVALS_CONFORMAL, 1, f);
    HZ_CHECK_CONTAINS(f[0]->method, "Croston");
    for (size_t s = 0; s < 8; s++)
        for (int k = 0; k < 2; k++) {
            HZ_CHECK(f[0]->lower[k][s] >= 0);
            HZ_CHECK(isfinite(f[0]->upper[k][s]));
            HZ_CHECK(f[0]->upper[k][s] >= f[0]->mean[s]);
        }
    hz_forecast_free(f[0]);
    int k;
    HZ_CHECK(hz_intervals_parse("conformal", &k) &&
             k == HZ_INTERVALS_CONFORMAL);
    HZ_CHECK(!hz_intervals_parse("bootstrap", &k));
}

/* Small counts: ETS's lower bounds go below zero; the batch keeps points
 * and bounds of non-negative series at or above zero (auto, after the
 * conformal adjustment too) and says so per series; off keeps them. */
HZ_TEST(many_keeps_nonnegative_series_at_or_above_zero)
{
    enum { NS = 4, N = 60, H = 6 };
    double y[NS][N];
    uint64_t s = 11;
    for (size_t i = 0; i < NS; i++)
        for (size_t t = 0; t < N; t++) {
            s = s * 6364136223846793005ULL + 1442695040888963407ULL;
            y[i][t] = (double)((s >> 33) % 4); /* 0..3 */
        }
    const double *yy[NS] = {y[0], y[1], y[2], y[3]};
    size_t nn[NS] = {N, N, N, N};
    const int modes[3] = {HZ_NONNEG_AUTO, HZ_NONNEG_OFF, HZ_NONNEG_AUTO};
    const int kinds[3] = {HZ_INTERVALS_MODEL, HZ_INTERVALS_MODEL,
                          HZ_INTERVALS_CONFORMAL};
    for (int c = 0; c < 3; c++) {
        hz_forecast *fc[NS];
        hz_forecast_guard g[NS];
        for (size_t i = 0; i < NS; i++)
            fc[i] = hz_forecast_alloc(H, 2, LV);
        hz_fc_batch b;
        hz_fc_batch_init(&b);
        b.nseries = NS;
        b.y = yy;
        b.n = nn;
        b.model = HZ_MODEL_ETS;
        b.intervals = kinds[c];
        b.nonnegative = modes[c];
        b.guards = g;
        HZ_CHECK(hz_forecast_many(&b, fc, NULL) == HZ_OK);
        size_t neg = 0, clamped = 0;
        for (size_t i = 0; i < NS; i++) {
            for (size_t k = 0; k < H * 5; k++)
                neg += fc[i]->mean[k] < 0;
            clamped += g[i].nclamped;
            HZ_CHECK(g[i].nonnegative == (modes[c] == HZ_NONNEG_AUTO));
            hz_forecast_free(fc[i]);
        }
        if (modes[c] == HZ_NONNEG_OFF) {
            HZ_CHECK(neg > 0); /* the model's own bounds go below zero */
            HZ_CHECK(clamped == 0);
        } else {
            HZ_CHECK(neg == 0);
            HZ_CHECK(clamped > 0);
        }
    }
}
