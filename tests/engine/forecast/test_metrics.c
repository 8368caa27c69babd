/* M4 accuracy measures on small worked examples. */
#include <math.h>

#include "horizon/metrics.h"
#include "hz_test.h"

HZ_TEST(smape_worked_example)
{
    const double y[3] = {100, 200, 50};
    const double f[3] = {110, 180, 50};
    /* 200*10/210 = 9.5238095, 200*20/380 = 10.5263158, 0 -> mean */
    double want = (2000.0 / 210 + 4000.0 / 380 + 0) / 3;
    HZ_CHECK_NEAR(hz_smape(y, f, 3), want, 1e-12);
    HZ_CHECK_NEAR(hz_smape(y, f, 3), 6.683375104, 1e-8);
    /* symmetric in y and f */
    HZ_CHECK_NEAR(hz_smape(f, y, 3), want, 1e-12);
    /* both zero counts as 0, sign flips give 200 */
    const double z[2] = {0, 1}, zf[2] = {0, -1};
    HZ_CHECK_NEAR(hz_smape(z, zf, 2), 100.0, 1e-12);
}

HZ_TEST(mase_seasonal_scale)
{
    /* m = 2: |3-1|, |4-2|, |7-3|, |6-4| -> scale 2.5 */
    const double tr[6] = {1, 2, 3, 4, 7, 6};
    HZ_CHECK_NEAR(hz_mase_scale(tr, 6, 2), 2.5, 1e-12);
    const double y[2] = {8, 9}, f[2] = {7, 11};
    /* MAE 1.5 / 2.5 */
    HZ_CHECK_NEAR(hz_mase(tr, 6, 2, y, f, 2), 0.6, 1e-12);
    /* n <= m falls back to lag 1 (M4 code): diffs 1,1,1,3,1 -> 1.4 */
    HZ_CHECK_NEAR(hz_mase_scale(tr, 6, 12), 1.4, 1e-12);
    /* constant training data: undefined */
    const double c[4] = {5, 5, 5, 5};
    HZ_CHECK(isnan(hz_mase(c, 4, 1, y, f, 2)));
}

HZ_TEST(owa_and_coverage)
{
    /* OWA on set averages: method 13/0.9 vs Naive2 15/1.0 */
    HZ_CHECK_NEAR(hz_owa(13.0, 0.9, 15.0, 1.0), 0.5 * (0.9 + 13.0 / 15.0),
                  1e-12);
    HZ_CHECK_NEAR(hz_owa(15.0, 1.0, 15.0, 1.0), 1.0, 1e-15);
    const double y[4] = {1, 2, 3, 4};
    const double lo[4] = {0, 2.5, 3, 0};
    const double hi[4] = {2, 3, 3, 3.9};
    HZ_CHECK_NEAR(hz_coverage(y, lo, hi, 4), 0.5, 1e-15);
    HZ_CHECK_NEAR(hz_mae(y, lo, 4), (1 + 0.5 + 0 + 4) / 4.0, 1e-15);
    HZ_CHECK_NEAR(hz_rmse(y, lo, 4), sqrt((1 + 0.25 + 0 + 16) / 4.0), 1e-15);
}

HZ_TEST(rmsse_worked_example)
{
    /* lag-1 diffs 1, 1, 1, 3, -1: mean square 13 / 5 = 2.6 */
    const double tr[6] = {1, 2, 3, 4, 7, 6};
    const double y[2] = {8, 9}, f[2] = {7, 11};
    /* MSE (1 + 4) / 2 = 2.5 -> sqrt(2.5 / 2.6) */
    HZ_CHECK_NEAR(hz_rmsse(tr, 6, y, f, 2), sqrt(2.5 / 2.6), 1e-12);
}

HZ_TEST(msis_worked_example)
{
    /* M4: width + 2/alpha * miss, over the seasonal naive scale (m 2:
     * 2.5) */
    const double tr[6] = {1, 2, 3, 4, 7, 6};
    const double y[3] = {5, 9, 1}, lo[3] = {4, 6, 2}, hi[3] = {6, 8, 3};
    /* alpha .05: (2) + (2 + 40 * 1) + (1 + 40 * 1) = 85 -> 85/3/2.5 */
    HZ_CHECK_NEAR(hz_msis(tr, 6, 2, y, lo, hi, 3, 0.05), 85.0 / 3 / 2.5,
                  1e-12);
    HZ_CHECK(isnan(hz_msis(tr, 6, 2, y, lo, hi, 3, 0)));
}

HZ_TEST(pinball_and_scaled_pinball)
{
    const double y[2] = {10, 0}, q[2] = {8, 2};
    /* tau .9: .9 * 2 = 1.8; (.9 - 1) * -2 = .2 -> mean 1.0 */
    HZ_CHECK_NEAR(hz_pinball(y, q, 2, 0.9), 1.0, 1e-12);
    /* tau .5: half the absolute error: 1 */
    HZ_CHECK_NEAR(hz_pinball(y, q, 2, 0.5), 1.0, 1e-12);
    const double tr[4] = {0, 2, 0, 2}; /* lag-1 scale 2 */
    const double *qs[2] = {q, q};
    const double tau[2] = {0.9, 0.5};
    HZ_CHECK_NEAR(hz_spl(tr, 4, y, qs, tau, 2, 2), 0.5, 1e-12);
}

HZ_TEST(interval_measures_are_undefined_without_bounds)
{
    /* a forecast without intervals (NaN bounds, such as a seasonal naive
     * trained on one season): its coverage is undefined, not 0 */
    const double tr[4] = {0, 2, 0, 2};
    const double y[3] = {1, 2, 3}, f[3] = {1, 2, 3};
    const double lo[3] = {NAN, NAN, NAN}, hi[3] = {NAN, NAN, NAN};
    HZ_CHECK(isnan(hz_coverage(y, lo, hi, 3)));
    HZ_CHECK(isnan(hz_msis(tr, 4, 1, y, lo, hi, 3, 0.05)));
    const double *qs[3] = {f, lo, hi};
    const double tau[3] = {0.5, 0.1, 0.9};
    HZ_CHECK(isnan(hz_spl(tr, 4, y, qs, tau, 3, 3)));
    HZ_CHECK_NEAR(hz_spl(tr, 4, y, qs, tau, 1, 3), 0.0, 1e-15);
    /* one step without a bound is enough: the rest is not a coverage of
     * the whole horizon */
    const double lo2[3] = {0, NAN, 2}, hi2[3] = {2, 3, NAN};
    HZ_CHECK(isnan(hz_coverage(y, lo2, hi2, 3)));
    HZ_CHECK(isnan(hz_msis(tr, 4, 1, y, lo2, hi2, 3, 0.05)));
}
