/* L2 logistic regression, AUC, log-loss, folds and design matrices. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "horizon/csv.h"
#include "horizon/logreg.h"
#include "hz_test.h"

HZ_TEST(intercept_only_is_the_logit_of_the_rate)
{
    double X[4] = {0, 0, 0, 0}, y[4] = {1, 1, 1, 0};
    hz_logreg_model m;
    HZ_CHECK(hz_logreg_fit(X, y, 4, 1, NULL, &m, NULL) == HZ_OK);
    HZ_CHECK_NEAR(m.intercept, log(3.0), 1e-10);
    HZ_CHECK_NEAR(m.coef[0], 0.0, 1e-12);
    hz_logreg_model_free(&m);
}

HZ_TEST(unpenalised_binary_feature_gives_log_odds_ratio)
{
    /* x = 1: 30 positive, 10 negative; x = 0: 10 positive, 30 negative:
     * odds ratio 9, baseline odds 1/3 */
    enum { N = 80 };
    double X[N], y[N];
    for (int i = 0; i < N; i++) {
        X[i] = i < 40;
        y[i] = i < 40 ? (i < 30) : (i < 50);
    }
    hz_logreg_options o;
    hz_logreg_options_init(&o);
    o.C = 1e12;
    hz_logreg_model m;
    HZ_CHECK(hz_logreg_fit(X, y, N, 1, &o, &m, NULL) == HZ_OK);
    HZ_CHECK_NEAR(m.coef[0], log(9.0), 1e-8);
    HZ_CHECK_NEAR(m.intercept, log(1.0 / 3.0), 1e-8);
    hz_logreg_model_free(&m);
}

HZ_TEST(penalised_optimum_satisfies_kkt)
{
    enum { N = 300, P = 4 };
    static double X[N * P], y[N];
    uint64_t s = 12345;
    for (int i = 0; i < N * P; i++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        X[i] = (double)(s >> 11) * 0x1.0p-53 * 2 - 1;
    }
    for (int i = 0; i < N; i++) {
        double e = 0.5 + 2 * X[i * P] - X[i * P + 1] + 0.3 * X[i * P + 2];
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        y[i] = (double)(s >> 11) * 0x1.0p-53 < 1 / (1 + exp(-e));
    }
    hz_logreg_options o;
    hz_logreg_options_init(&o);
    o.C = 0.5;
    o.tol = 1e-16; /* iterate to machine precision for the KKT check */
    hz_logreg_model m;
    HZ_CHECK(hz_logreg_fit(X, y, N, P, &o, &m, NULL) == HZ_OK);
    /* gradient of 0.5 |w|^2 / C + sum logloss vanishes */
    double g[P + 1] = {0};
    for (int i = 0; i < N; i++) {
        double e = m.intercept;
        for (int j = 0; j < P; j++)
            e += X[i * P + j] * m.coef[j];
        double r = 1 / (1 + exp(-e)) - y[i];
        for (int j = 0; j < P; j++)
            g[j] += r * X[i * P + j];
        g[P] += r;
    }
    for (int j = 0; j < P; j++)
        HZ_CHECK_NEAR(g[j] + m.coef[j] / o.C, 0.0, 1e-8);
    HZ_CHECK_NEAR(g[P], 0.0, 1e-8);
    HZ_CHECK(m.coef[0] > 1 && m.coef[1] < -0.4);
    hz_logreg_model_free(&m);
}

HZ_TEST(auc_and_log_loss_hand_worked)
{
    double y[4] = {0, 0, 1, 1}, sc[4] = {0.1, 0.4, 0.35, 0.8};
    HZ_CHECK_NEAR(hz_roc_auc(sc, y, 4), 0.75, 1e-15);
    double tie[4] = {0.5, 0.5, 0.5, 0.5};
    HZ_CHECK_NEAR(hz_roc_auc(tie, y, 4), 0.5, 1e-15);
    double one[2] = {1, 1};
    HZ_CHECK(isnan(hz_roc_auc(tie, one, 2)));
    double yy[2] = {1, 0}, pp[2] = {0.9, 0.2};
    HZ_CHECK_NEAR(hz_log_loss(pp, yy, 2), -(log(0.9) + log(0.8)) / 2, 1e-15);
}

HZ_TEST(stratified_folds_balance_classes)
{
    enum { N = 103 };
    double y[N];
    int fold[N];
    for (int i = 0; i < N; i++)
        y[i] = i % 4 == 0;
    HZ_CHECK(hz_stratified_folds(y, N, 5, 7, fold, NULL) == HZ_OK);
    int pos[5] = {0}, all[5] = {0};
    for (int i = 0; i < N; i++) {
        HZ_CHECK(fold[i] >= 0 && fold[i] < 5);
        pos[fold[i]] += y[i] == 1;
        all[fold[i]]++;
    }
    for (int f = 0; f < 5; f++) {
        HZ_CHECK(pos[f] >= 5 && pos[f] <= 6);
        HZ_CHECK(all[f] >= 20 && all[f] <= 21);
    }
    hz_error err;
    double few[6] = {1, 0, 0, 0, 0, 0};
    HZ_CHECK(hz_stratified_folds(few, 6, 5, 7, fold, &err) == HZ_EINVAL);
}

HZ_TEST(bad_inputs)
{
    double X[4] = {1, 2, 3, 4}, y1[4] = {1, 1, 1, 1}, y2[4] = {0, 1, 2, 0};
    hz_logreg_model m;
    hz_error err;
    HZ_CHECK(hz_logreg_fit(X, y1, 4, 1, NULL, &m, &err) == HZ_ETOOSHORT);
    HZ_CHECK_CONTAINS(err.msg, "both classes");
    HZ_CHECK(hz_logreg_fit(X, y2, 4, 1, NULL, &m, &err) == HZ_EINVAL);
    HZ_CHECK_CONTAINS(err.msg, "row 3");
    hz_logreg_options o;
    hz_logreg_options_init(&o);
    o.C = 0;
    double y3[4] = {0, 1, 1, 0};
    HZ_CHECK(hz_logreg_fit(X, y3, 4, 1, &o, &m, &err) == HZ_EINVAL);
    double Xn[4] = {1, NAN, 3, 4};
    HZ_CHECK(hz_logreg_fit(Xn, y3, 4, 1, NULL, &m, &err) == HZ_EINVAL);
}

HZ_TEST(design_one_hot_standardised)
{
    static const char csv[] = "id,plan,fee,total,churn\n"
                              "a,basic,10,5.5,Yes\n"
                              "b,pro,20, ,No\n"
                              "c,basic,30,7.5,no\n"
                              "d,team,40,9.5,YES\n"
                              "e,pro,50,1.5,No\n";
    hz_csv_options co;
    hz_csv_options_init(&co);
    hz_schema_override ov = {"total", HZ_TYPE_STRING, HZ_DATEFMT_NONE};
    co.overrides = &ov;
    co.noverrides = 1;
    hz_dataset *ds;
    hz_error err;
    HZ_CHECK(hz_csv_read_buffer(csv, sizeof csv - 1, "d.csv", &co, &ds, NULL,
                                &err) == HZ_OK);
    hz_design d;
    HZ_CHECK(hz_design_from_dataset(ds, "churn", "id", 10, &d, &err) == HZ_OK);
    /* plan one-hot (3 levels) + fee + total (numbers in text) */
    HZ_CHECK(d.p == 5 && d.n == 4 && d.dropped == 1);
    HZ_CHECK_STR(d.names[0], "plan=basic");
    HZ_CHECK_STR(d.names[2], "plan=team");
    HZ_CHECK_STR(d.names[3], "fee");
    HZ_CHECK_STR(d.names[4], "total");
    HZ_CHECK(d.y[0] == 1 && d.y[1] == 0 && d.y[2] == 1 && d.y[3] == 0);
    for (size_t j = 0; j < d.p; j++) {
        double m = 0, v = 0;
        for (size_t i = 0; i < d.n; i++)
            m += d.X[i * d.p + j];
        for (size_t i = 0; i < d.n; i++)
            v += d.X[i * d.p + j] * d.X[i * d.p + j];
        HZ_CHECK_NEAR(m / d.n, 0.0, 1e-12);
        HZ_CHECK_NEAR(v / d.n, 1.0, 1e-12);
    }
    /* fee of kept rows 10, 30, 40, 50: mean 32.5 */
    HZ_CHECK_NEAR(d.mean[3], 32.5, 1e-12);
    hz_design_free(&d);
    HZ_CHECK(hz_design_from_dataset(ds, "nope", "id", 10, &d, &err) ==
             HZ_ENOTFOUND);
    HZ_CHECK_CONTAINS(err.msg, "nope");
    hz_dataset_free(ds);
}

/* A column of values near 1e300 is standardised as the same column near
 * 1: its squares overflowed to an infinite sd (until 2026-12-07), which
 * made every standardised value 0 and the feature silently inert. */
HZ_TEST(design_standardises_huge_values)
{
    static const char csv[] = "id,small,huge,churn\n"
                              "a,1,1e300,yes\n"
                              "b,2,2e300,no\n"
                              "c,3,3e300,yes\n"
                              "d,5,5e300,no\n"
                              "e,8,8e300,no\n";
    hz_dataset *ds;
    hz_error err;
    HZ_CHECK(hz_csv_read_buffer(csv, sizeof csv - 1, "h.csv", NULL, &ds, NULL,
                                &err) == HZ_OK);
    hz_design d;
    HZ_CHECK(hz_design_from_dataset(ds, "churn", "id", 10, &d, &err) == HZ_OK);
    HZ_CHECK(d.p == 2 && d.n == 5);
    HZ_CHECK_STR(d.names[1], "huge");
    HZ_CHECK(isfinite(d.sd[1]) && d.sd[1] > 0);
    HZ_CHECK_NEAR(d.mean[1] / d.mean[0], 1e300, 1e288);
    HZ_CHECK_NEAR(d.sd[1] / d.sd[0], 1e300, 1e288);
    for (size_t i = 0; i < d.n; i++)
        HZ_CHECK_NEAR(d.X[i * d.p + 1], d.X[i * d.p], 1e-12);
    hz_design_free(&d);
    hz_dataset_free(ds);
}

/* Values at or above 2^1023 (1e308) too: the power of two above them,
 * 2^1024, is infinite, which made the mean NaN (0 x inf) and every
 * standardised value of the column NaN. */
HZ_TEST(design_standardises_values_near_dbl_max)
{
    static const char csv[] = "id,small,huge,churn\n"
                              "a,1,1e307,yes\n"
                              "b,2,2e307,no\n"
                              "c,3,3e307,yes\n"
                              "d,5,5e307,no\n"
                              "e,16,1.6e308,no\n";
    hz_dataset *ds;
    hz_error err;
    HZ_CHECK(hz_csv_read_buffer(csv, sizeof csv - 1, "h.csv", NULL, &ds, NULL,
                                &err) == HZ_OK);
    hz_design d;
    HZ_CHECK(hz_design_from_dataset(ds, "churn", "id", 10, &d, &err) == HZ_OK);
    HZ_CHECK(d.p == 2 && d.n == 5);
    HZ_CHECK(isfinite(d.mean[1]) && isfinite(d.sd[1]) && d.sd[1] > 0);
    HZ_CHECK_NEAR(d.mean[1] / d.mean[0], 1e307, 1e295);
    for (size_t i = 0; i < d.n; i++)
        HZ_CHECK_NEAR(d.X[i * d.p + 1], d.X[i * d.p], 1e-12);
    hz_design_free(&d);
    hz_dataset_free(ds);
}

HZ_TEST(telco_cross_validated_auc)
{
    char buf[1024];
    const char *p = hz_test_shared("telco-churn/Telco-Customer-Churn.csv", buf,
                                   sizeof buf);
    if (p == NULL) {
        hz_test_skip("HZ_SHARED_DATA/telco-churn absent");
        return;
    }
    hz_dataset *ds;
    hz_csv_report rep;
    hz_error err;
    HZ_CHECK(hz_csv_read(p, NULL, &ds, &rep, &err) == HZ_OK);
    /* the 11 blank TotalCharges are nulls; the design drops those rows */
    long tc = hz_dataset_find(ds, "TotalCharges");
    HZ_CHECK(tc >= 0 && ds->cols[tc].nulls == 11 && ds->nrows == 7043);
    hz_design d;
    HZ_CHECK(hz_design_from_dataset(ds, "Churn", "customerID", 64, &d, &err) ==
             HZ_OK);
    HZ_CHECK(d.n == 7032);
    hz_dataset_free(ds);
    int *fold = malloc(d.n * sizeof(int));
    HZ_CHECK(fold != NULL);
    hz_logreg_cv cv;
    HZ_CHECK(hz_stratified_folds(d.y, d.n, 5, 42, fold, NULL) == HZ_OK);
    HZ_CHECK(hz_logreg_cross_validate(d.X, d.y, d.n, d.p, fold, 5, NULL, &cv,
                                      NULL, &err) == HZ_OK);
    /* scikit-learn LogisticRegression(C=1), 5-fold: 0.8451 +- 0.0026 */
    HZ_CHECK_NEAR(cv.auc_mean, 0.8451, 0.005);
    HZ_CHECK(cv.logloss_mean > 0.38 && cv.logloss_mean < 0.45);
    free(fold);
    hz_design_free(&d);
}
