/* hz_forecast_run_set: the request on series already built, cut before a
 * period (one origin of horizon backtest --reconcile): the hierarchy of
 * the series that exist by then, each node's base forecast kept beside
 * the reconciled one, and held-out values from the whole set (a product
 * launched after the origin counts in its parents' actuals). */
#include <math.h>
#include <string.h>

#include "fc_testds.h"
#include "horizon/forecast.h"
#include "horizon/reconcile.h"
#include "horizon/series.h"
#include "hz_test.h"

enum { N = 36 };

/* Monthly 2021-01 .. 2023-12: OLD 100 + t % 3 throughout, NEW 50 from
 * month 30, GONE 30 + t % 4 until month 23 (then 0: filled). */
static hz_series_set *build(void)
{
    int32_t day[3 * N];
    const char *grp[3 * N];
    double v[3 * N];
    size_t rows = 0;
    for (int t = 0; t < N; t++)
        for (int g = 0; g < 3; g++) {
            if ((g == 1 && t < 30) || (g == 2 && t >= 24))
                continue;
            day[rows] = hz_days_from_civil(2021 + t / 12,
                                           (unsigned)(t % 12 + 1), 1);
            grp[rows] = g == 0 ? "OLD" : g == 1 ? "NEW" : "GONE";
            v[rows] = g == 0 ? 100 + t % 3 : g == 1 ? 50 : 30 + t % 4;
            rows++;
        }
    hz_dataset *ds = hz_dataset_new(rows);
    ds_add_dates(ds, "m", day);
    ds_add_str(ds, "g", grp);
    ds_add_f64(ds, "v", v);
    static const char *by[1] = {"g"};
    hz_series_opts so;
    hz_series_opts_init(&so);
    so.date_col = "m";
    so.value_col = "v";
    so.by_cols = by;
    so.nby = 1;
    so.extend_to_end = true;
    hz_series_set *set = NULL;
    hz_status st = hz_series_build(ds, &so, &set, NULL);
    hz_dataset_free(ds);
    return st == HZ_OK ? set : NULL;
}

static void request(hz_forecast_request *req)
{
    static const char *by[1] = {"g"};
    hz_forecast_request_init(req);
    req->date_col = "m";
    req->value_col = "v";
    req->by_cols = by;
    req->nby = 1;
    req->horizon = 2;
    req->model = HZ_MODEL_NAIVE;
    req->reconcile = HZ_RECON_MINT;
    req->recon_bias = HZ_RECON_BIAS_OFF;
    req->keep_base = 1;
}

HZ_TEST(run_set_forecasts_the_hierarchy_of_an_origin)
{
    hz_series_set *set = build();
    HZ_CHECK(set != NULL && set->nseries == 3);
    int64_t p0 = set->series[0].start; /* GONE's, the first */
    hz_forecast_request req;
    request(&req);
    hz_forecast_result *r = NULL;
    hz_error err;
    /* the origin after month 29 (2023-06): NEW has no sale yet */
    HZ_CHECK(hz_forecast_run_set(set, p0 + 30, &req, &r, &err) == HZ_OK);
    HZ_CHECK(r->nseries == 3); /* total, GONE, OLD */
    HZ_CHECK_STR(r->series[0].key, "total");
    HZ_CHECK_STR(r->series[1].key, "GONE");
    HZ_CHECK_STR(r->series[2].key, "OLD");
    HZ_CHECK(r->series[0].level == 0 && r->series[2].level == 1);
    HZ_CHECK(r->series[0].n == 30 && r->series[2].n == 30);
    for (size_t i = 0; i < 3; i++) {
        const hz_forecast_series_result *o = &r->series[i];
        HZ_CHECK(o->base != NULL && o->holdout != NULL && o->base->h == 2);
        /* naive: the base forecast is the last value, month 29's */
        HZ_CHECK(o->base->mean[0] == o->history[29]);
        HZ_CHECK(strstr(o->method, "[mint]") != NULL);
    }
    /* the held-out sums: OLD's months 30, 31 (100, 101) and, in the
     * total, NEW's 50 though it was no node at the origin */
    HZ_CHECK(r->series[2].holdout[0] == 100 && r->series[2].holdout[1] == 101);
    HZ_CHECK(r->series[0].holdout[0] == 150 && r->series[0].holdout[1] == 151);
    HZ_CHECK(r->series[1].holdout[0] == 0);
    /* the reconciled points add up; the base ones are the nodes' own */
    for (size_t s = 0; s < 2; s++)
        HZ_CHECK(fabs(r->series[0].fc->mean[s] - r->series[1].fc->mean[s] -
                      r->series[2].fc->mean[s]) < 1e-9);
    hz_forecast_result_free(r);
    /* at the table's end: every node (NEW too), no held-out values */
    HZ_CHECK(hz_forecast_run_set(set, p0 + N, &req, &r, &err) == HZ_OK);
    HZ_CHECK(r->nseries == 4 && isnan(r->series[0].holdout[0]));
    hz_forecast_result_free(r);
    hz_series_set_free(set);
}

HZ_TEST(run_set_refuses_what_forecast_refuses)
{
    hz_series_set *set = build();
    HZ_CHECK(set != NULL);
    hz_forecast_request req;
    request(&req);
    hz_forecast_result *r = NULL;
    hz_error err;
    req.nby = 0; /* reconciliation without group columns */
    HZ_CHECK(hz_forecast_run_set(set, set->series[0].start + 30, &req, &r,
                                 &err) == HZ_EINVAL &&
             r == NULL);
    HZ_CHECK(strstr(err.msg, "needs group columns") != NULL);
    HZ_CHECK(hz_forecast_request_check(&req, &err) == HZ_EINVAL);
    request(&req);
    HZ_CHECK(hz_forecast_request_check(&req, &err) == HZ_OK);
    /* an origin before every series */
    HZ_CHECK(hz_forecast_run_set(set, set->series[0].start, &req, &r, &err) ==
                 HZ_EINVAL &&
             r == NULL);
    hz_series_set_free(set);
}
