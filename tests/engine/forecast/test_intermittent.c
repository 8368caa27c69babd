/* Intermittent demand: Croston against R forecast 8.20 (r_fixtures.h),
 * SBA / TSB / ADIDA / IMAPA by hand, the SBC classes, non-negativity. */
#include <math.h>

#include "fc_testgen.h"
#include "horizon/forecast.h"
#include "horizon/intermittent.h"
#include "hz_test.h"
#include "r_fixtures.h"

static const double LV[2] = {80, 95};

static hz_forecast *run(const double *y, size_t n, int method, double alpha)
{
    hz_idemand_opts o;
    hz_idemand_opts_init(&o);
    o.method = method;
    o.alpha = alpha;
    hz_forecast *f = hz_forecast_alloc(5, 2, LV);
    if (hz_idemand_forecast(y, n, &o, f, NULL) != HZ_OK) {
        hz_forecast_free(f);
        return NULL;
    }
    return f;
}

HZ_TEST(croston_equals_r)
{
    double yi[60], yl[80];
    gen_intermittent(yi, 60);
    gen_lumpy(yl, 80);
    hz_forecast *f = run(yi, 60, HZ_ID_CROSTON, 0.1);
    HZ_CHECK(f != NULL);
    for (int i = 0; i < 5; i++)
        HZ_CHECK_NEAR(f->mean[i], R_CROSTON_I[i], 1e-12);
    HZ_CHECK_STR(f->method, "Croston(0.1)");
    hz_forecast_free(f);
    f = run(yi, 60, HZ_ID_CROSTON, 0.3);
    HZ_CHECK_NEAR(f->mean[0], R_CROSTON_I_A3[0], 1e-12);
    hz_forecast_free(f);
    f = run(yl, 80, HZ_ID_CROSTON, 0.1);
    HZ_CHECK_NEAR(f->mean[4], R_CROSTON_L[4], 1e-12);
    hz_forecast_free(f);
    /* a single demand: size over its interval (R: 4 / 3) */
    const double one[5] = {0, 0, 4, 0, 0};
    f = run(one, 5, HZ_ID_CROSTON, 0.1);
    HZ_CHECK_NEAR(f->mean[0], R_CROSTON_ONE[0], 1e-15);
    hz_forecast_free(f);
}

/* One demand of 9 in the first of 6 periods: Croston's point is 9 (the
 * size over the one interval seen, 1; as R), but its bounds are not 9 to
 * 9: five periods without demand followed it.  They take the share of
 * periods with a demand (1 / 6): 0 to 9 at 80% and 95%, for Croston and
 * SBA. */
HZ_TEST(one_demand_gives_bounds_not_a_point)
{
    const double y[6] = {9, 0, 0, 0, 0, 0};
    for (int m = HZ_ID_CROSTON; m <= HZ_ID_SBA; m++) {
        hz_forecast *f = run(y, 6, m, 0.1);
        HZ_CHECK(f != NULL);
        HZ_CHECK_NEAR(f->mean[0], m == HZ_ID_CROSTON ? 9 : 9 * 0.95, 1e-12);
        for (size_t k = 0; k < 2; k++) {
            HZ_CHECK(f->lower[k][0] == 0);
            HZ_CHECK(f->upper[k][0] == 9);
        }
        hz_forecast_free(f);
    }
}

/* One observation in all: every method forecasts it, with no bounds
 * (NaN, as naive) instead of bounds of zero width at it. */
HZ_TEST(one_observation_gives_no_bounds)
{
    const double y[1] = {5};
    for (int m = HZ_ID_CROSTON; m <= HZ_ID_IMAPA; m++) {
        hz_forecast *f = run(y, 1, m, 0.1);
        HZ_CHECK(f != NULL);
        if (f == NULL)
            continue;
        HZ_CHECK(isfinite(f->mean[0]) && f->mean[0] > 0);
        for (size_t k = 0; k < 2; k++)
            HZ_CHECK(isnan(f->lower[k][0]) && isnan(f->upper[k][0]));
        hz_forecast_free(f);
    }
}

HZ_TEST(sba_is_croston_debiased)
{
    double y[60];
    gen_intermittent(y, 60);
    hz_forecast *c = run(y, 60, HZ_ID_CROSTON, 0.1);
    hz_forecast *s = run(y, 60, HZ_ID_SBA, 0.1);
    HZ_CHECK_NEAR(s->mean[0], c->mean[0] * 0.95, 1e-12);
    hz_forecast_free(c);
    hz_forecast_free(s);
}

HZ_TEST(tsb_by_hand)
{
    /* p: SES(0.1) of 1,0,0,1 from 1: 1, .9, .81, .829; z: SES of 4,2
     * from 4: 4, 3.8 -> forecast .829 * 3.8 */
    const double y[4] = {4, 0, 0, 2};
    hz_forecast *f = run(y, 4, HZ_ID_TSB, 0.1);
    HZ_CHECK_NEAR(f->mean[0], 0.829 * 3.8, 1e-12);
    HZ_CHECK_STR(f->method, "TSB(0.1,0.1)");
    hz_forecast_free(f);
}

HZ_TEST(adida_and_imapa_aggregate)
{
    /* demand every 3rd period: mean interval 3, buckets of 3 hold 6 each
     * -> SES of a constant 6 -> 2 per period, at any alpha */
    double y[12];
    for (int i = 0; i < 12; i++)
        y[i] = i % 3 == 2 ? 6 : 0;
    hz_forecast *f = run(y, 12, HZ_ID_ADIDA, 0.1);
    HZ_CHECK_NEAR(f->mean[0], 2.0, 1e-12);
    HZ_CHECK_STR(f->method, "ADIDA(3)");
    hz_forecast_free(f);
    f = run(y, 12, HZ_ID_IMAPA, 0.1);
    HZ_CHECK_STR(f->method, "IMAPA(3)");
    HZ_CHECK(f->mean[0] > 0 && f->mean[0] < 6);
    hz_forecast_free(f);
}

HZ_TEST(forecasts_and_bounds_never_negative)
{
    double y[80];
    gen_lumpy(y, 80);
    for (int m = HZ_ID_CROSTON; m <= HZ_ID_IMAPA; m++) {
        hz_forecast *f = run(y, 80, m, 0.1);
        HZ_CHECK(f != NULL);
        for (size_t i = 0; i < f->h; i++) {
            HZ_CHECK(f->mean[i] >= 0);
            for (size_t k = 0; k < 2; k++) {
                HZ_CHECK(f->lower[k][i] >= 0);
                HZ_CHECK(f->lower[k][i] <= f->mean[i]);
                HZ_CHECK(f->upper[k][i] >= f->mean[i]);
            }
            HZ_CHECK(f->upper[1][i] >= f->upper[0][i]);
        }
        hz_forecast_free(f);
    }
    /* no demand at all: zeros */
    const double z[6] = {0};
    hz_forecast *f = run(z, 6, HZ_ID_TSB, 0.1);
    HZ_CHECK(f->mean[0] == 0 && f->upper[1][0] == 0);
    hz_forecast_free(f);
}

HZ_TEST(negative_demand_is_refused)
{
    const double y[4] = {1, 0, -2, 3};
    hz_forecast *f = hz_forecast_alloc(3, 2, LV);
    hz_error err;
    HZ_CHECK(hz_idemand_forecast(y, 4, NULL, f, &err) == HZ_EINVAL);
    HZ_CHECK_CONTAINS(err.msg, "position 2 is negative");
    hz_forecast_free(f);
}

HZ_TEST(sbc_classes)
{
    double adi, cv2;
    const double smooth[6] = {5, 6, 5, 4, 5, 6};
    HZ_CHECK(hz_demand_classify(smooth, 6, &adi, &cv2) == HZ_DEMAND_SMOOTH);
    HZ_CHECK_NEAR(adi, 1.0, 0);
    const double erratic[6] = {1, 20, 2, 30, 1, 25};
    HZ_CHECK(hz_demand_classify(erratic, 6, NULL, NULL) == HZ_DEMAND_ERRATIC);
    double y[60];
    gen_intermittent(y, 60);
    HZ_CHECK(hz_demand_classify(y, 60, &adi, &cv2) == HZ_DEMAND_INTERMITTENT);
    HZ_CHECK(adi >= 1.32 && cv2 < 0.49);
    double l[80];
    gen_lumpy(l, 80);
    HZ_CHECK(hz_demand_classify(l, 80, &adi, &cv2) == HZ_DEMAND_LUMPY);
    HZ_CHECK_STR(hz_demand_class_name(HZ_DEMAND_LUMPY), "lumpy");
}
