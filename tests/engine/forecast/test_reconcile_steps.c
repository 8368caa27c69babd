/* mint-h: MinT with a covariance per horizon step (hz_reconcile_steps).
 * A hand-computed three-node case: orthogonal +-1 error patterns (rows
 * of a Hadamard matrix), so every second-moment matrix is diagonal, W_1
 * the identity, and W_s = lambda k I + (1 - lambda) M_s a diagonal whose
 * reconciliation is weighted least squares by hand, lambda from the
 * Newey-West variances of the products written out below; pooled and
 * per step, with the total's interval.  Then a hierarchy whose bottom
 * series share a bias at step 2 that their one-step residuals do not
 * show: mint-h keeps the total closer to its base forecast than one-step
 * MinT. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "horizon/forecast.h"
#include "horizon/reconcile.h"
#include "hz_test.h"

static const double LV[2] = {80, 95};

/* total = b1 + b2 */
static const double S3[3 * 2] = {1, 1, 1, 0, 0, 1};

/* Rows 0, 2 and 4 of the Sylvester Hadamard matrix of order 8. */
static const double V[3][8] = {{1, 1, 1, 1, 1, 1, 1, 1},
                               {1, 1, -1, -1, 1, 1, -1, -1},
                               {1, 1, 1, 1, -1, -1, -1, -1}};

/* Base forecasts (2 steps): total 100, bottoms 40 and 46 (14 short of the
 * total), standard deviations sd[i] at both steps. */
static void base3(hz_forecast **fc, const double *sd)
{
    const double y[3] = {100, 40, 46};
    const double z95 = 1.959963984540054, z80 = 1.2815515655446004;
    for (int i = 0; i < 3; i++) {
        fc[i] = hz_forecast_alloc(2, 2, LV);
        for (int s = 0; s < 2; s++) {
            fc[i]->mean[s] = y[i];
            fc[i]->lower[0][s] = y[i] - z80 * sd[i];
            fc[i]->upper[0][s] = y[i] + z80 * sd[i];
            fc[i]->lower[1][s] = y[i] - z95 * sd[i];
            fc[i]->upper[1][s] = y[i] + z95 * sd[i];
        }
    }
}

/* WLS by hand for one total over two bottoms with diagonal W = (wt, w1,
 * w2): the discrepancy d = T - B1 - B2 goes to bottom j in proportion
 * w_j / (wt + w1 + w2).  Checks the points of step s, and the total's 95%
 * half-width: P's total row is (k1 + k2, 1 - k1 - k2, 1 - k1 - k2). */
static void check_wls(hz_forecast *const *fc, size_t s, double wt, double w1,
                      double w2, const double *sd)
{
    double W = wt + w1 + w2, d = 100 - 40 - 46;
    double k1 = w1 / W, k2 = w2 / W;
    HZ_CHECK_NEAR(fc[1]->mean[s], 40 + d * k1, 1e-10);
    HZ_CHECK_NEAR(fc[2]->mean[s], 46 + d * k2, 1e-10);
    HZ_CHECK(fc[0]->mean[s] == fc[1]->mean[s] + fc[2]->mean[s]);
    double a = k1 + k2, b = 1 - k1 - k2;
    double var = a * a * sd[0] * sd[0] +
                 b * b * (sd[1] * sd[1] + sd[2] * sd[2]);
    HZ_CHECK_NEAR(fc[0]->upper[1][s] - fc[0]->mean[s],
                  1.959963984540054 * sqrt(var), 1e-9);
}

/* The Newey-West variance (Bartlett, 1 lag) of the mean of N products
 * whose 8 origin-block sums are c p_r, p_r = V[i][r] V[j][r] (mean 0):
 * 8/7 c^2 (sum p_r^2 + sum p_r p_r+1) / N^2. */
static double nw_var(int i, int j, double c, double N)
{
    double s0 = 0.0, s1 = 0.0;
    for (int r = 0; r < 8; r++) {
        double p = V[i][r] * V[j][r];
        s0 += p * p;
        s1 += r < 7 ? p * V[i][r + 1] * V[j][r + 1] : 0.0;
    }
    return 8.0 / 7.0 * c * c * (s0 + s1) / (N * N);
}

HZ_TEST(mint_h_by_hand)
{
    const hz_hierarchy H = {3, 2, S3, NULL};
    const double sd[3] = {3, 1, 2};
    /* one-step residuals: orthogonal, unit scale (W_1 = I, lambda 1) */
    double res[3 * 8], e[3 * 8 * 2];
    for (int i = 0; i < 3; i++)
        for (int t = 0; t < 8; t++)
            res[i * 8 + t] = V[i][t];
    /* rolling-origin errors: step 1 scales (1, 1, 1), step 2 (6, 1, 2) */
    const double a[2][3] = {{1, 1, 1}, {6, 1, 2}};
    for (int i = 0; i < 3; i++)
        for (int r = 0; r < 8; r++)
            for (int s = 0; s < 2; s++)
                e[(i * 8 + r) * 2 + s] = a[s][i] * V[i][r];
    for (int pooled = 0; pooled < 2; pooled++) {
        /* M: the second moments (diagonal); k = trace / 3; the products'
         * block sums c_ij p_r (pooled: both steps of an origin) */
        double M[3], k = 0.0, num = 0.0, den = 0.0, N = pooled ? 16 : 8;
        for (int i = 0; i < 3; i++) {
            M[i] = pooled ? (1 + a[1][i] * a[1][i]) / 2 : a[1][i] * a[1][i];
            k += M[i] / 3;
        }
        for (int i = 0; i < 3; i++) {
            den += (M[i] - k) * (M[i] - k);
            for (int j = 0; j < 3; j++)
                if (i != j)
                    num += nw_var(i, j,
                                  a[1][i] * a[1][j] + (pooled ? 1.0 : 0.0), N);
        }
        double lam = num / den;
        HZ_CHECK(lam > 0.02 && lam < 0.5);
        hz_forecast *fc[3];
        base3(fc, sd);
        hz_recon_steps st = {e, 8, pooled != 0};
        double lambda1 = NAN;
        HZ_CHECK(hz_reconcile_steps(&H, HZ_RECON_MINT_H, NULL, 0, res, 8, &st,
                                    fc, &lambda1, NULL) == HZ_OK);
        HZ_CHECK(lambda1 == 1.0);      /* step 1's: no correlation at all */
        check_wls(fc, 0, 1, 1, 1, sd); /* step 1: W_1 = I */
        check_wls(fc, 1, lam * k + (1 - lam) * M[0],
                  lam * k + (1 - lam) * M[1], lam * k + (1 - lam) * M[2], sd);
        for (int i = 0; i < 3; i++)
            hz_forecast_free(fc[i]);
    }
    /* one-step MinT reconciles step 2 with W_1 too: not the same */
    hz_forecast *fc[3];
    base3(fc, sd);
    HZ_CHECK(hz_reconcile(&H, HZ_RECON_MINT, NULL, 0, res, 8, fc, NULL,
                          NULL) == HZ_OK);
    check_wls(fc, 1, 1, 1, 1, sd);
    for (int i = 0; i < 3; i++)
        hz_forecast_free(fc[i]);
}

/* total; A, B; A1, A2, B1, B2 */
static const double S7[7 * 4] = {1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 0,
                                 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1};

/* Base forecasts: the total 100 at both steps, the bottoms (and their
 * sums A, B) 20% short of it, sd 2 everywhere. */
static void base7(hz_forecast **fc)
{
    const double y[7] = {100, 40, 40, 20, 20, 20, 20};
    for (int i = 0; i < 7; i++) {
        fc[i] = hz_forecast_alloc(2, 2, LV);
        for (int s = 0; s < 2; s++) {
            fc[i]->mean[s] = y[i];
            for (int k = 0; k < 2; k++) {
                fc[i]->lower[k][s] = y[i] - 2.0 * (k + 1);
                fc[i]->upper[k][s] = y[i] + 2.0 * (k + 1);
            }
        }
    }
}

/* One-step residuals: independent-looking noise of scale 1 at every node
 * (so MinT trusts the four bottoms' sum more than the one total).  Two
 * steps ahead, over 8 origins, every bottom series falls short by about 5
 * (a shared bias), A and B by about 10 (their two bottoms'), the total
 * by about 1: its base forecast carries no such bias. */
static void errors7(double *res, double *e)
{
    for (int i = 0; i < 7; i++)
        for (int t = 0; t < 40; t++)
            res[i * 40 + t] = sin(0.7 * (t + 1) * (i + 1) + i) +
                              0.5 * cos(1.3 * (t + 1) + i * i);
    const double bias[7] = {0, 10, 10, 5, 5, 5, 5};
    for (int i = 0; i < 7; i++)
        for (int r = 0; r < 8; r++) {
            double noise = sin(1.1 * (r + 1) * (i + 2) + 0.3 * i);
            e[(i * 8 + r) * 2 + 0] = res[i * 40 + r];
            e[(i * 8 + r) * 2 + 1] = bias[i] + noise;
        }
}

HZ_TEST(mint_h_sees_a_shared_multistep_bias)
{
    const hz_hierarchy H = {7, 4, S7, NULL};
    double res[7 * 40], e[7 * 8 * 2];
    errors7(res, e);
    hz_forecast *mint[7], *mh[7];
    base7(mint);
    base7(mh);
    double lm = NAN, lh = NAN;
    HZ_CHECK(hz_reconcile(&H, HZ_RECON_MINT, NULL, 0, res, 40, mint, &lm,
                          NULL) == HZ_OK);
    for (int pooled = 0; pooled < 2; pooled++) {
        for (int i = 0; pooled && i < 7; i++)
            hz_forecast_free(mh[i]);
        if (pooled)
            base7(mh);
        hz_recon_steps st = {e, 8, pooled != 0};
        HZ_CHECK(hz_reconcile_steps(&H, HZ_RECON_MINT_H, NULL, 0, res, 40, &st,
                                    mh, &lh, NULL) == HZ_OK);
        HZ_CHECK(lh == lm);
        /* step 1: exactly mint */
        for (int i = 0; i < 7; i++) {
            HZ_CHECK(mh[i]->mean[0] == mint[i]->mean[0]);
            HZ_CHECK(mh[i]->upper[1][0] == mint[i]->upper[1][0]);
        }
        /* step 2: the total stays much closer to its base 100 */
        double dm = fabs(mint[0]->mean[1] - 100),
               dh = fabs(mh[0]->mean[1] - 100);
        HZ_CHECK_MSG(dh < 0.5 * dm,
                     "pooled %d: mint-h moves the total by "
                     "%g, mint by %g",
                     pooled, dh, dm);
        HZ_CHECK(mh[0]->mean[1] == mh[3]->mean[1] + mh[4]->mean[1] +
                                       mh[5]->mean[1] + mh[6]->mean[1]);
        HZ_CHECK(mh[1]->mean[1] == mh[3]->mean[1] + mh[4]->mean[1]);
    }
    for (int i = 0; i < 7; i++) {
        hz_forecast_free(mint[i]);
        hz_forecast_free(mh[i]);
    }
}

/* A step whose errors are missing (NaN at a node for every origin) keeps
 * the previous step's reconciliation; mint-h without errors is refused. */
HZ_TEST(mint_h_missing_errors)
{
    const hz_hierarchy H = {7, 4, S7, NULL};
    double res[7 * 40], e[7 * 8 * 2];
    errors7(res, e);
    for (int r = 0; r < 8; r++)
        e[(2 * 8 + r) * 2 + 1] = NAN; /* node B, step 2 */
    hz_forecast *fc[7];
    base7(fc);
    hz_recon_steps st = {e, 8, false};
    HZ_CHECK(hz_reconcile_steps(&H, HZ_RECON_MINT_H, NULL, 0, res, 40, &st, fc,
                                NULL, NULL) == HZ_OK);
    for (int i = 0; i < 7; i++) /* same inputs at both steps: same G */
        HZ_CHECK_NEAR(fc[i]->mean[1], fc[i]->mean[0], 1e-12);
    hz_error err;
    HZ_CHECK(hz_reconcile(&H, HZ_RECON_MINT_H, NULL, 0, res, 40, fc, NULL,
                          &err) == HZ_EINVAL);
    HZ_CHECK_CONTAINS(err.msg, "mint-h");
    int m;
    HZ_CHECK(hz_recon_parse("mint-h", &m) && m == HZ_RECON_MINT_H);
    HZ_CHECK_STR(hz_recon_name(HZ_RECON_MINT_H), "mint-h");
    for (int i = 0; i < 7; i++)
        hz_forecast_free(fc[i]);
}
