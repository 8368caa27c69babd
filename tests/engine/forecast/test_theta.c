/* Theta method against R forecast::thetaf and hand computation. */
#include <math.h>

#include "fc_testutil.h"
#include "horizon/theta.h"
#include "hz_test.h"

static const double LV[2] = {80, 95};

HZ_TEST(thetaf_airpassengers_matches_r)
{
    double y[200];
    size_t n = load_classic("AirPassengers", y, 200);
    if (n == 0) {
        hz_test_skip("HZ_SHARED_DATA/classic not present");
        return;
    }
    /* R: thetaf(window(AirPassengers, end = c(1958, 12)), h = 24):
     * alpha 0.9337581364, drift 1.242511, mean 341.6210432 335.5762614
     * 385.4011338, lower80 330.3066144 320.0961368, upper95 358.9249689
     * 359.2510690; Dec 1960 364.919 */
    hz_forecast *fc = hz_forecast_alloc(24, 2, LV);
    hz_theta_info info;
    HZ_CHECK(hz_theta_forecast(y, 120, 12, NULL, fc, &info, NULL) == HZ_OK);
    HZ_CHECK(info.seasonal);
    HZ_CHECK_NEAR(info.alpha, 0.9337581364, 1e-4);
    HZ_CHECK_NEAR(info.drift, 1.242511, 1e-5);
    HZ_CHECK_NEAR(fc->mean[0], 341.6210432, 1e-3);
    HZ_CHECK_NEAR(fc->mean[1], 335.5762614, 1e-3);
    HZ_CHECK_NEAR(fc->mean[2], 385.4011338, 1e-3);
    HZ_CHECK_NEAR(fc->mean[23], 364.919, 1e-3);
    HZ_CHECK_NEAR(fc->lower[0][0], 330.3066144, 1e-3);
    HZ_CHECK_NEAR(fc->lower[0][1], 320.0961368, 1e-3);
    HZ_CHECK_NEAR(fc->upper[1][0], 358.9249689, 1e-3);
    HZ_CHECK_NEAR(fc->upper[1][1], 359.2510690, 1e-3);
    hz_forecast_free(fc);
}

HZ_TEST(theta_nonseasonal_hand_formula)
{
    /* Linear series: SES alpha -> upper bound, drift = slope / 2;
     * forecast = level + b/2 (h - 1 + (1 - (1-a)^n)/a). */
    double y[20];
    for (int i = 0; i < 20; i++)
        y[i] = 3.0 + 2.0 * i + ((i % 2) ? 0.5 : -0.5);
    hz_forecast *fc = hz_forecast_alloc(5, 2, LV);
    hz_theta_info info;
    HZ_CHECK(hz_theta_forecast(y, 20, 1, NULL, fc, &info, NULL) == HZ_OK);
    HZ_CHECK(!info.seasonal);
    double a, b;
    /* slope of the least-squares line by hand: sxy/sxx over t = 0..19 */
    double mt = 9.5, my = 0, sxy = 0, sxx = 0;
    for (int i = 0; i < 20; i++)
        my += y[i] / 20;
    for (int i = 0; i < 20; i++) {
        sxy += (i - mt) * (y[i] - my);
        sxx += (i - mt) * (i - mt);
    }
    b = sxy / sxx;
    HZ_CHECK_NEAR(info.drift, b / 2, 1e-12);
    a = info.alpha;
    for (int h = 0; h < 5; h++) {
        double want = info.level + b / 2 * (h + (1 - pow(1 - a, 20)) / a);
        HZ_CHECK_NEAR(fc->mean[h], want, 1e-9);
        double se = sqrt(info.sigma2) * sqrt(1 + h * a * a);
        HZ_CHECK_NEAR(fc->upper[0][h] - fc->mean[h], 1.2815515655 * se, 1e-6);
    }
    hz_forecast_free(fc);
}

HZ_TEST(theta_rejects_short_and_clips_when_asked)
{
    const double y[2] = {1, 2};
    hz_forecast *fc = hz_forecast_alloc(3, 2, LV);
    hz_error err;
    HZ_CHECK(hz_theta_forecast(y, 2, 1, NULL, fc, NULL, &err) == HZ_ETOOSHORT);
    HZ_CHECK_CONTAINS(err.msg, "at least 3");
    double d[12];
    for (int i = 0; i < 12; i++)
        d[i] = 100.0 - 9.0 * i;
    hz_theta_opts o;
    hz_theta_opts_init(&o);
    o.clip_negative = true;
    hz_forecast *f2 = hz_forecast_alloc(12, 2, LV);
    HZ_CHECK(hz_theta_forecast(d, 12, 1, &o, f2, NULL, NULL) == HZ_OK);
    HZ_CHECK(f2->mean[11] == 0.0);
    hz_forecast_free(f2);
    hz_forecast_free(fc);
}
