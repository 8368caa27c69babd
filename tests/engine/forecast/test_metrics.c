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
