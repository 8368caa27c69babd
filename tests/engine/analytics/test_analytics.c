/* The analytics entry point: suite on the sample data, bad inputs,
 * thread-count independence. */
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "horizon/analytics.h"
#include "horizon/csv.h"
#include "hz_test.h"

static hz_dataset *read_text(const char *csv, const char *name)
{
    hz_dataset *ds = NULL;
    if (hz_csv_read_buffer(csv, strlen(csv), name, NULL, &ds, NULL, NULL) !=
        HZ_OK)
        return NULL;
    return ds;
}

static char *run_to_string(const hz_analytics_result *r, bool json)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (f == NULL)
        return NULL;
    if (json)
        hz_analytics_result_write_json(r, f, true, NULL);
    else
        hz_analytics_result_write_csv(r, f, NULL);
    fclose(f);
    return buf;
}

HZ_TEST(suite_on_sample_sales)
{
    char buf[1024];
    const char *p = hz_test_data("sample_sales.csv", buf, sizeof buf);
    hz_dataset *ds;
    hz_error err;
    if (hz_csv_read(p, NULL, &ds, NULL, &err) != HZ_OK) {
        hz_test_skip("data/sample_sales.csv not readable");
        return;
    }
    hz_analytics_request q;
    hz_analytics_request_init(&q);
    hz_analytics_result *r1, *r2;
    q.threads = 1;
    HZ_CHECK(hz_analytics_run(ds, HZ_ANALYSIS_SUITE, &q, &r1, &err) == HZ_OK);
    q.threads = 2;
    HZ_CHECK(hz_analytics_run(ds, HZ_ANALYSIS_SUITE, &q, &r2, &err) == HZ_OK);
    hz_dataset_free(ds);
    HZ_CHECK(hz_analytics_customers(r1) > 100);
    HZ_CHECK(hz_analytics_bgnbd(r1) != NULL);
    HZ_CHECK(hz_analytics_gammagamma(r1) != NULL);
    HZ_CHECK(hz_analytics_clusters(r1) >= 1);
    double q10 = hz_analytics_clv_quantile(r1, 0.1);
    double q90 = hz_analytics_clv_quantile(r1, 0.9);
    HZ_CHECK(q10 >= 0 && q90 > q10);
    double rate = hz_analytics_churn_rate(r1);
    HZ_CHECK(rate >= 0 && rate <= 1);
    size_t total = 0;
    double share = 0;
    for (size_t i = 0; i < hz_analytics_segments(r1); i++) {
        size_t n;
        double s;
        HZ_CHECK(hz_analytics_segment(r1, i, NULL, &n, &s));
        total += n;
        share += s;
    }
    HZ_CHECK(total == hz_analytics_customers(r1));
    HZ_CHECK_NEAR(share, 1.0, 1e-9);
    char *c1 = run_to_string(r1, false), *c2 = run_to_string(r2, false);
    HZ_CHECK(c1 != NULL && c2 != NULL);
    HZ_CHECK(strcmp(c1, c2) == 0); /* identical for 1 and 2 threads */
    HZ_CHECK_CONTAINS(c1, "customer_id,first_purchase");
    HZ_CHECK_CONTAINS(c1, ",clv,");
    free(c1);
    free(c2);
    char *j = run_to_string(r1, true);
    HZ_CHECK_CONTAINS(j, "\"bgnbd\": {\"r\": ");
    HZ_CHECK_CONTAINS(j, "\"segments\": {\"rfm\": [");
    HZ_CHECK_CONTAINS(j, "\"p_alive_matrix\": {");
    free(j);
    hz_analytics_result_free(r1);
    hz_analytics_result_free(r2);
}

HZ_TEST(missing_columns_and_negative_amounts)
{
    hz_dataset *ds = read_text("customer_id,order_date,revenue\n"
                               "a,2024-01-01,5\nb,2024-01-02,7\n",
                               "m.csv");
    HZ_CHECK(ds != NULL);
    hz_analytics_request q;
    hz_analytics_result *r;
    hz_error err;
    hz_analytics_request_init(&q);
    q.amount_col = "amount";
    HZ_CHECK(hz_analytics_run(ds, HZ_ANALYSIS_CLV, &q, &r, &err) ==
             HZ_ENOTFOUND);
    HZ_CHECK_CONTAINS(err.msg, "'amount'");
    q.amount_col = NULL;
    q.label_col = "churned";
    HZ_CHECK(hz_analytics_run(ds, HZ_ANALYSIS_CHURN, &q, &r, &err) ==
             HZ_ENOTFOUND);
    HZ_CHECK_CONTAINS(err.msg, "churned");
    hz_dataset_free(ds);
    ds = read_text("customer_id,order_date,revenue\n"
                   "a,2024-01-01,5\nb,2024-01-02,-7\n",
                   "neg.csv");
    hz_analytics_request_init(&q);
    HZ_CHECK(hz_analytics_run(ds, HZ_ANALYSIS_SEGMENT, &q, &r, &err) ==
             HZ_EINVAL);
    /* a refund by a customer who bought nothing before it */
    HZ_CHECK_CONTAINS(err.msg,
                      "neg.csv:3:3: column 'revenue' (amount) is -7, a "
                      "refund larger than what customer 'b' bought");
    hz_dataset_free(ds);
}

HZ_TEST(single_and_identical_customers)
{
    hz_dataset *ds = read_text("customer_id,order_date,revenue\n"
                               "a,2024-01-01,5\na,2024-02-01,7\n",
                               "one.csv");
    hz_analytics_request q;
    hz_analytics_result *r;
    hz_error err;
    hz_analytics_request_init(&q);
    /* CLV alone fails with a clear reason */
    HZ_CHECK(hz_analytics_run(ds, HZ_ANALYSIS_CLV, &q, &r, &err) ==
             HZ_ETOOSHORT);
    HZ_CHECK_CONTAINS(err.msg, "at least 2 customers");
    /* the suite reports the failed part and still segments */
    HZ_CHECK(hz_analytics_run(ds, HZ_ANALYSIS_SUITE, &q, &r, &err) == HZ_OK);
    HZ_CHECK_CONTAINS(hz_analytics_part_error(r, "clv"), "2 customers");
    /* ... and is not whole: the command and the runner refuse it */
    HZ_CHECK(hz_analytics_parts_ok(r, &err) == HZ_EINVAL);
    HZ_CHECK_CONTAINS(err.msg, "the purchase model (clv part) failed: ");
    HZ_CHECK(hz_analytics_customers(r) == 1);
    HZ_CHECK(hz_analytics_clusters(r) == 1);
    hz_analytics_result_free(r);
    hz_dataset_free(ds);
    /* identical customers */
    char csv[4096] = "customer_id,order_date,revenue\n";
    for (int i = 0; i < 40; i++) {
        char line[80];
        snprintf(line, sizeof line,
                 "c%02d,2024-01-01,10\nc%02d,2024-03-01,10\n", i, i);
        snprintf(csv + strlen(csv), sizeof csv - strlen(csv), "%s", line);
    }
    ds = read_text(csv, "same.csv");
    HZ_CHECK(ds != NULL);
    HZ_CHECK(hz_analytics_run(ds, HZ_ANALYSIS_SUITE, &q, &r, &err) == HZ_OK);
    HZ_CHECK(hz_analytics_customers(r) == 40);
    HZ_CHECK(hz_analytics_clusters(r) == 1); /* no structure */
    for (size_t i = 0; i < hz_analytics_segments(r); i++) {
        size_t n;
        const char *name;
        hz_analytics_segment(r, i, &name, &n, NULL);
        if (n > 0)
            HZ_CHECK(n == 40);
    }
    /* the purchase model cannot be identified: a failure, or a fit
     * flagged as a boundary solution with its reason */
    const hz_bgnbd_model *bm = hz_analytics_bgnbd(r);
    HZ_CHECK(hz_analytics_part_error(r, "clv")[0] != '\0' ||
             (bm != NULL && bm->boundary && bm->note[0] != '\0'));
    /* identical spends: the spend model fails alone */
    HZ_CHECK_CONTAINS(hz_analytics_part_error(r, "spend"), "identify");
    hz_analytics_result_free(r);
    hz_dataset_free(ds);
}

HZ_TEST(churn_table_with_label)
{
    char buf[1024];
    const char *p = hz_test_data("sample_customers.csv", buf, sizeof buf);
    hz_dataset *ds;
    hz_error err;
    hz_csv_options co;
    hz_csv_options_init(&co);
    if (hz_csv_read(p, &co, &ds, NULL, &err) != HZ_OK) {
        hz_test_skip("data/sample_customers.csv not readable");
        return;
    }
    hz_analytics_request q;
    hz_analytics_result *r;
    hz_analytics_request_init(&q);
    q.label_col = "churned";
    HZ_CHECK_MSG(hz_analytics_run(ds, HZ_ANALYSIS_CHURN, &q, &r, &err) ==
                     HZ_OK,
                 "%s", err.msg);
    hz_dataset_free(ds);
    double auc = hz_analytics_churn_auc(r);
    HZ_CHECK(auc > 0.5 && auc <= 1.0);
    const char *names[3];
    double coef[3], orr[3];
    size_t k = hz_analytics_top_drivers(r, 3, names, coef, orr);
    HZ_CHECK(k == 3);
    HZ_CHECK(fabs(coef[0]) >= fabs(coef[1]) && fabs(coef[1]) >= fabs(coef[2]));
    /* odds ratios per unit of the feature (a dummy: 0 -> 1), with an
     * interval around them; coefficients per standard deviation */
    size_t nd;
    const hz_churn_driver *dr = hz_analytics_churn_drivers(r, &nd);
    HZ_CHECK(dr != NULL && nd >= 3);
    for (size_t j = 0; j < nd; j++) {
        HZ_CHECK_NEAR(dr[j].odds_ratio, exp(dr[j].coef / dr[j].sd),
                      1e-12 * dr[j].odds_ratio);
        HZ_CHECK_NEAR(dr[j].odds_ratio_sd, exp(dr[j].coef), 1e-12);
        HZ_CHECK(dr[j].se > 0 && dr[j].or_lower < dr[j].odds_ratio &&
                 dr[j].odds_ratio < dr[j].or_upper);
        if (strcmp(dr[j].name, names[0]) == 0)
            HZ_CHECK_NEAR(orr[0], dr[j].odds_ratio, 1e-12 * orr[0]);
    }
    const hz_roc_curve *roc = hz_analytics_roc(r);
    HZ_CHECK(roc != NULL && roc->n >= 3 && roc->fpr[0] == 0 &&
             roc->tpr[roc->n - 1] == 1 && roc->fpr[roc->n - 1] == 1);
    hz_analytics_result_free(r);
}

HZ_TEST(segments_frequency_kinds_and_centres)
{
    /* c1 buys twice on one day (2 rows, 1 order id, 1 purchase day) and
     * once later (another order); c2 has 3 rows in 3 orders on 2 days */
    const char *csv = "customer_id,order_id,order_date,revenue\n"
                      "c1,o1,2024-01-01,10\nc1,o1,2024-01-01,5\n"
                      "c1,o2,2024-02-01,20\n"
                      "c2,o3,2024-01-05,7\nc2,o4,2024-01-05,8\n"
                      "c2,o5,2024-03-01,9\n"
                      "c3,o6,2024-02-10,50\nc4,o7,2024-03-20,1\n"
                      "c5,o8,2024-01-15,3\nc5,o9,2024-03-30,4\n";
    hz_dataset *ds = read_text(csv, "o.csv");
    HZ_CHECK(ds != NULL);
    hz_analytics_request q;
    hz_analytics_result *r;
    hz_error err;
    static const double want[3][2] = {{2, 2}, {2, 3}, {3, 3}};
    for (int kind = 0; kind < 3; kind++) {
        hz_analytics_request_init(&q);
        q.frequency = (hz_frequency_kind)kind;
        HZ_CHECK_MSG(hz_analytics_run(ds, HZ_ANALYSIS_SEGMENT, &q, &r, &err) ==
                         HZ_OK,
                     "%s", err.msg);
        const double *f = hz_analytics_values(r, "rfm_frequency");
        HZ_CHECK(f != NULL);
        /* days: c1 2, c2 2; orders: c1 2, c2 3; rows: c1 3, c2 3 */
        HZ_CHECK_MSG(f[0] == want[kind][0] && f[1] == want[kind][1],
                     "kind %d: %g %g", kind, f[0], f[1]);
        /* default k = 4; centres in original units; recency counted to
         * the day after as-of (2024-03-30): c5 has recency 1 */
        HZ_CHECK(hz_analytics_clusters(r) == 4);
        double inertia;
        int it;
        const double *c = hz_analytics_cluster_centers(r, &inertia, &it);
        HZ_CHECK(c != NULL && inertia >= 0 && it >= 1);
        for (int g = 0; g < 4; g++)
            HZ_CHECK(c[3 * g] >= 1 && c[3 * g + 1] >= 1 && c[3 * g + 2] > 0);
        HZ_CHECK(hz_analytics_values(r, "recency_days")[4] == 1);
        hz_analytics_result_free(r);
    }
    /* the silhouette rule on request */
    hz_analytics_request_init(&q);
    q.k = 0;
    HZ_CHECK(hz_analytics_run(ds, HZ_ANALYSIS_SEGMENT, &q, &r, &err) == HZ_OK);
    HZ_CHECK(hz_analytics_clusters(r) >= 1);
    hz_analytics_result_free(r);
    hz_dataset_free(ds);
}

/* Refunds and exact duplicates through hz_analytics_run: the refunds
 * column by name, and dedupe leaving out the rows that repeat an
 * earlier one in every column (the library's --dedupe). */
HZ_TEST(refunds_and_duplicates_through_run)
{
    const char *csv = "customer_id,order_date,revenue\n"
                      "a,2024-01-01,10\na,2024-01-05,30\na,2024-01-05,30\n"
                      "a,2024-01-09,-20\nb,2024-01-02,15\nb,2024-02-02,4\n";
    hz_dataset *ds = read_text(csv, "r.csv");
    HZ_CHECK(ds != NULL);
    hz_analytics_request q;
    hz_analytics_result *r;
    hz_error err;
    for (int dedupe = 0; dedupe < 2; dedupe++) {
        hz_analytics_request_init(&q);
        q.dedupe = dedupe;
        HZ_CHECK_MSG(hz_analytics_run(ds, HZ_ANALYSIS_SEGMENT, &q, &r, &err) ==
                         HZ_OK,
                     "%s", err.msg);
        const double *ref = hz_analytics_values(r, "refunds");
        const double *tot = hz_analytics_values(r, "total_spend");
        HZ_CHECK(ref != NULL && tot != NULL);
        /* a: 10 + 30 (+ 30 kept) - 20; b: no refund */
        HZ_CHECK(ref[0] == -20 && ref[1] == 0);
        HZ_CHECK_MSG(tot[0] == (dedupe ? 20 : 50), "dedupe %d: %g", dedupe,
                     tot[0]);
        char *js = run_to_string(r, true);
        HZ_CHECK(js != NULL);
        if (js != NULL) {
            HZ_CHECK_CONTAINS(js, "\"refund_rows\": 1");
            HZ_CHECK_CONTAINS(js, dedupe ? "\"duplicate_rows\": 1, "
                                           "\"duplicates_dropped\": true"
                                         : "\"duplicate_rows\": 1, "
                                           "\"duplicates_dropped\": false");
            HZ_CHECK_CONTAINS(js, "r.csv:4, the same as line 3");
        }
        free(js);
        hz_analytics_result_free(r);
    }
    hz_dataset_free(ds);
}

/* A repeated row of a dataset built in memory (no file lines, as
 * through the library) is named by its data row: it was "input:0, the
 * same as line 0". */
HZ_TEST(duplicates_in_memory_named_by_data_row)
{
    hz_dataset *ds = read_text("customer_id,order_date,revenue\n"
                               "a,2024-01-01,10\nb,2024-01-02,15\n"
                               "a,2024-01-01,10\nb,2024-02-02,4\n",
                               "m.csv");
    HZ_CHECK(ds != NULL);
    free(ds->source); /* as hz_dataset_new() + hz_dataset_add_column() */
    ds->source = NULL;
    ds->nline_runs = 0;
    hz_analytics_request q;
    hz_analytics_request_init(&q);
    hz_analytics_result *r;
    hz_error err;
    HZ_CHECK_MSG(hz_analytics_run(ds, HZ_ANALYSIS_SEGMENT, &q, &r, &err) ==
                     HZ_OK,
                 "%s", err.msg);
    char *js = run_to_string(r, true);
    HZ_CHECK(js != NULL);
    if (js != NULL)
        HZ_CHECK_CONTAINS(js, "input: data row 3, the same as data row 1");
    free(js);
    hz_analytics_result_free(r);
    hz_dataset_free(ds);
}
