/* Saved models: a model written and read back scores customers exactly as
 * the fitted one; bad files are refused with a reason. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "horizon/analytics.h"
#include "horizon/csv.h"
#include "hz_test.h"

static hz_dataset *data_file(const char *name)
{
    char buf[1024];
    const char *p = hz_test_data(name, buf, sizeof buf);
    hz_dataset *ds = NULL;
    if (p == NULL || hz_csv_read(p, NULL, &ds, NULL, NULL) != HZ_OK)
        return NULL;
    return ds;
}

static hz_analytics_model *round_trip(const hz_analytics_result *r)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    hz_error err;
    hz_analytics_model *m = NULL;
    if (f == NULL)
        return NULL;
    hz_status st = hz_analytics_model_write(r, f, &err);
    fclose(f);
    if (st == HZ_OK)
        hz_analytics_model_parse(buf, len, "mem.json", &m, &err);
    free(buf);
    return m;
}

HZ_TEST(clv_model_round_trip)
{
    hz_dataset *ds = data_file("sample_sales.csv");
    if (ds == NULL) {
        hz_test_skip("data/sample_sales.csv not readable");
        return;
    }
    hz_analytics_request q;
    hz_analytics_result *r1, *r2;
    hz_error err;
    hz_analytics_request_init(&q);
    q.unit = HZ_UNIT_WEEKS;
    HZ_CHECK(hz_analytics_run(ds, HZ_ANALYSIS_CLV, &q, &r1, &err) == HZ_OK);
    hz_analytics_model *m = round_trip(r1);
    HZ_CHECK(m != NULL);
    /* applied in days: alpha converted, same predictions */
    q.unit = HZ_UNIT_DAYS;
    q.model_in = m;
    HZ_CHECK_MSG(hz_analytics_run(ds, HZ_ANALYSIS_CLV, &q, &r2, &err) == HZ_OK,
                 "%s", err.msg);
    const double *c1 = hz_analytics_values(r1, "clv"),
                 *c2 = hz_analytics_values(r2, "clv");
    HZ_CHECK(c1 != NULL && c2 != NULL);
    for (size_t i = 0; i < hz_analytics_customers(r1); i++)
        HZ_CHECK_NEAR(c2[i], c1[i], 1e-9 * fmax(1, fabs(c1[i])));
    HZ_CHECK_NEAR(hz_analytics_bgnbd(r2)->p.alpha,
                  7 * hz_analytics_bgnbd(r1)->p.alpha, 1e-9);
    hz_analytics_model_free(m);
    hz_analytics_result_free(r1);
    hz_analytics_result_free(r2);
    hz_dataset_free(ds);
}

HZ_TEST(churn_model_round_trip)
{
    hz_dataset *ds = data_file("sample_customers.csv");
    if (ds == NULL) {
        hz_test_skip("data/sample_customers.csv not readable");
        return;
    }
    hz_analytics_request q;
    hz_analytics_result *r1, *r2;
    hz_error err;
    hz_analytics_request_init(&q);
    q.label_col = "churned";
    HZ_CHECK(hz_analytics_run(ds, HZ_ANALYSIS_CHURN, &q, &r1, &err) == HZ_OK);
    hz_analytics_model *m = round_trip(r1);
    HZ_CHECK(m != NULL);
    /* scoring: no label given, the model's label column is used if there */
    q.label_col = NULL;
    q.model_in = m;
    HZ_CHECK_MSG(hz_analytics_run(ds, HZ_ANALYSIS_CHURN, &q, &r2, &err) ==
                     HZ_OK,
                 "%s", err.msg);
    const double *p1 = hz_analytics_values(r1, "churn_probability"),
                 *p2 = hz_analytics_values(r2, "churn_probability");
    HZ_CHECK(hz_analytics_customers(r1) == hz_analytics_customers(r2));
    for (size_t i = 0; i < hz_analytics_customers(r1); i++)
        HZ_CHECK_NEAR(p2[i], p1[i], 1e-12);
    hz_analytics_model_free(m);
    hz_analytics_result_free(r1);
    hz_analytics_result_free(r2);
    hz_dataset_free(ds);
}

HZ_TEST(bad_model_files_are_refused)
{
    hz_analytics_model *m;
    hz_error err;
    const char *a = "{\"horizon_model\": 1, \"unit\": \"days\", \"bgnbd\": "
                    "{\"r\": 0.2, \"alpha\": -4, \"a\": 1, \"b\": 2}}";
    HZ_CHECK(hz_analytics_model_parse(a, strlen(a), "m.json", &m, &err) ==
             HZ_EPARSE);
    HZ_CHECK_CONTAINS(err.msg, "bgnbd.alpha");
    const char *b = "{\"horizon_model\": 2, \"unit\": \"days\"}";
    HZ_CHECK(hz_analytics_model_parse(b, strlen(b), "m.json", &m, &err) ==
             HZ_EPARSE);
    HZ_CHECK_CONTAINS(err.msg, "m.json");
    const char *c = "{\"horizon_model\": 1, \"unit\": \"months\"}";
    HZ_CHECK(hz_analytics_model_parse(c, strlen(c), "m.json", &m, &err) ==
             HZ_EPARSE);
    HZ_CHECK(hz_analytics_model_parse("{", 1, "m.json", &m, &err) ==
             HZ_EPARSE);
    HZ_CHECK(hz_analytics_model_load("/nonexistent/m.json", &m, &err) ==
             HZ_EIO);
    const char *d = "{\"horizon_model\": 1, \"unit\": \"days\", \"churn\": "
                    "{\"label\": \"y\", \"intercept\": 0, \"features\": "
                    "[{\"name\": \"x\", \"column\": \"x\", \"level\": null, "
                    "\"mean\": 0, \"sd\": 0, \"coef\": 1}]}}";
    HZ_CHECK(hz_analytics_model_parse(d, strlen(d), "m.json", &m, &err) ==
             HZ_EPARSE);
    HZ_CHECK_CONTAINS(err.msg, "features[0].sd");
}
