/* Survival: Kaplan-Meier and Cox against hand-worked values and against
 * statsmodels 0.13.5 on the Telco data (SurvfuncRight; PHReg with
 * ties="breslow"), through the engine and the analytics entry point. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "horizon/analytics.h"
#include "horizon/csv.h"
#include "horizon/survival.h"
#include "hz_test.h"

HZ_TEST(kaplan_meier_hand_worked)
{
    /* times 1 2 2 3 4 5, events 1 1 0 1 0 1:
     * S(1) = 5/6, S(2) = 5/6 * 4/5, S(3) = that * 2/3, S(5) = 0 */
    double t[6] = {2, 1, 3, 2, 4, 5}, e[6] = {1, 1, 1, 0, 0, 1};
    hz_km_curve k;
    hz_error err;
    HZ_CHECK(hz_km_fit(t, e, 6, &k, &err) == HZ_OK);
    HZ_CHECK(k.m == 4 && k.events == 4 && k.n == 6);
    HZ_CHECK_NEAR(k.surv[0], 5.0 / 6, 1e-15);
    HZ_CHECK_NEAR(k.surv[1], 4.0 / 6, 1e-15);
    HZ_CHECK_NEAR(k.surv[2], 4.0 / 6 * 2 / 3, 1e-15);
    HZ_CHECK_NEAR(k.surv[3], 0.0, 1e-15);
    HZ_CHECK(k.at_risk[0] == 6 && k.at_risk[1] == 5 && k.at_risk[2] == 3);
    /* Greenwood at t = 2: S sqrt(1/(6*5) + 1/(5*4)) */
    HZ_CHECK_NEAR(k.se[1], 4.0 / 6 * sqrt(1.0 / 30 + 1.0 / 20), 1e-15);
    HZ_CHECK(k.lower[1] < k.surv[1] && k.surv[1] < k.upper[1]);
    HZ_CHECK_NEAR(hz_km_at(&k, 0.5), 1.0, 0);
    HZ_CHECK_NEAR(hz_km_at(&k, 4.9), k.surv[2], 0);
    HZ_CHECK(k.median == 3);
    hz_km_free(&k);
    double bad[2] = {1, -1}, ev[2] = {1, 0};
    HZ_CHECK(hz_km_fit(bad, ev, 2, &k, &err) == HZ_EINVAL);
    HZ_CHECK_CONTAINS(err.msg, "subject 2");
}

HZ_TEST(cox_one_binary_covariate)
{
    /* one event time, no ties: LL(b) = b x_e - log(sum exp(b x)) over the
     * risk set; with x = (1, 0, 0) at times (1, 2, 3) and only the first
     * an event: LL = b - log(e^b + 2), maximised as b -> inf (separates),
     * so add a second event to get a finite optimum */
    double X[4] = {1, 0, 1, 0}, t[4] = {1, 2, 3, 4}, e[4] = {1, 1, 0, 0};
    hz_cox_model m;
    hz_error err;
    HZ_CHECK_MSG(hz_cox_fit(X, t, e, 4, 1, &m, &err) == HZ_OK, "%s", err.msg);
    /* LL(b) = [b - log(2e^b + 2)] + [0 - log(e^b + 2)]: derivative
     * 1 - e^b/(e^b+1) - e^b/(e^b+2) = 0 -> e^b = sqrt(2) */
    HZ_CHECK_NEAR(m.coef[0], 0.5 * log(2.0), 1e-10);
    HZ_CHECK_NEAR(m.loglik0, -log(4.0) - log(3.0), 1e-12);
    HZ_CHECK(m.se[0] > 0 && m.events == 2 && m.n == 4);
    hz_cox_free(&m);
}

static hz_dataset *telco(void)
{
    char buf[1024];
    const char *p = hz_test_shared("telco-churn/Telco-Customer-Churn.csv", buf,
                                   sizeof buf);
    hz_dataset *ds = NULL;
    hz_csv_options o;
    hz_csv_options_init(&o);
    o.on_error = HZ_ON_ERROR_SKIP;
    if (p == NULL || hz_csv_read(p, &o, &ds, NULL, NULL) != HZ_OK)
        return NULL;
    return ds;
}

HZ_TEST(telco_matches_statsmodels)
{
    hz_dataset *ds = telco();
    if (ds == NULL) {
        hz_test_skip("HZ_SHARED_DATA/telco-churn absent");
        return;
    }
    hz_analytics_request q;
    hz_analytics_result *r;
    hz_error err;
    hz_analytics_request_init(&q);
    q.duration_col = "tenure";
    q.event_col = "Churn";
    q.customer_col = "customerID";
    q.covariates = "Contract,InternetService,PaymentMethod,MonthlyCharges,"
                   "SeniorCitizen";
    HZ_CHECK_MSG(hz_analytics_run(ds, HZ_ANALYSIS_SURVIVAL, &q, &r, &err) ==
                     HZ_OK,
                 "%s", err.msg);
    hz_dataset_free(ds);
    const hz_km_curve *k = hz_analytics_km(r);
    HZ_CHECK(k != NULL && k->n == 7043);
    /* statsmodels SurvfuncRight: S(12) 0.84320, S(24) 0.78874, S(72)
     * 0.59279; Greenwood SE at 12: 0.0044922 */
    HZ_CHECK_NEAR(hz_km_at(k, 12), 0.8431995538158313, 1e-12);
    HZ_CHECK_NEAR(hz_km_at(k, 24), 0.7887363983705987, 1e-12);
    HZ_CHECK_NEAR(hz_km_at(k, 72), 0.5927901520522303, 1e-12);
    HZ_CHECK_NEAR(k->se[11], 0.004492160254841062, 1e-12);
    const char *const *names;
    const hz_cox_model *m = hz_analytics_cox(r, &names);
    HZ_CHECK(m != NULL && m->n == 7032 && m->events == 1869 && m->p == 9);
    /* statsmodels PHReg(ties="breslow"): LL -14148.934458216852;
     * Contract=Two year -3.51259236 (SE 0.16196941), MonthlyCharges
     * -0.03118421 (SE 0.00212049) */
    HZ_CHECK_NEAR(m->loglik, -14148.934458216852, 1e-8);
    static const double coef[9] = {-1.77156765, -3.51259236, 1.48950052,
                                   -1.30846942, -0.0216233,  0.68927416,
                                   0.67309383,  -0.03118421, -0.08751751};
    static const double se[9] = {0.08677536, 0.16196941, 0.10080923,
                                 0.12349333, 0.09052288, 0.07066594,
                                 0.08775017, 0.00212049, 0.05484745};
    for (int j = 0; j < 9; j++) {
        HZ_CHECK_MSG(fabs(m->coef[j] - coef[j]) < 1e-7, "%s: %.9f vs %.8f",
                     names[j], m->coef[j], coef[j]);
        HZ_CHECK_NEAR(m->se[j], se[j], 1e-7);
    }
    HZ_CHECK(strcmp(names[1], "Contract=Two year") == 0);
    HZ_CHECK(strcmp(names[7], "MonthlyCharges") == 0);
    hz_analytics_result_free(r);
}

HZ_TEST(survival_errors_name_the_column)
{
    const char *csv = "id,tenure,churn\na,3,yes\nb,x,no\n";
    hz_dataset *ds = NULL;
    HZ_CHECK(hz_csv_read_buffer(csv, strlen(csv), "s.csv", NULL, &ds, NULL,
                                NULL) == HZ_OK);
    hz_analytics_request q;
    hz_analytics_result *r;
    hz_error err;
    hz_analytics_request_init(&q);
    q.event_col = "churn";
    /* a bad value with its place: bad data (HZ_EINVAL, exit 1), not a
     * column of the wrong kind (HZ_ETYPE, exit 2) */
    HZ_CHECK(hz_analytics_run(ds, HZ_ANALYSIS_SURVIVAL, &q, &r, &err) ==
             HZ_EINVAL);
    HZ_CHECK_CONTAINS(err.msg, "s.csv:3:2: column 'tenure' (duration) is "
                               "'x': durations must be non-negative");
    q.event_col = "nosuch";
    HZ_CHECK(hz_analytics_run(ds, HZ_ANALYSIS_SURVIVAL, &q, &r, &err) ==
             HZ_ENOTFOUND);
    HZ_CHECK_CONTAINS(err.msg, "nosuch");
    hz_dataset_free(ds);
}

/* A row the analysis cannot use is refused with its place and value,
 * never dropped: a customer left out of the curve would change it. */
HZ_TEST(survival_refuses_rows_it_cannot_use)
{
    static const struct {
        const char *csv, *covariates, *msg;
    } cases[] = {
        {"id,tenure,churn,fee\na,3,yes,1\nb,-5,no,2\n", NULL,
         "s.csv:3:2: column 'tenure' (duration) is -5: durations must be "
         "non-negative"},
        {"id,tenure,churn,fee\na,3,yes,1\n\nb,,no,2\n", NULL,
         "s.csv:4:2: column 'tenure' (duration) is empty"},
        {"id,tenure,churn,fee\na,3,yes,1\nb,4,,2\n", NULL,
         "s.csv:3:3: column 'churn' (event) is empty"},
        {"id,tenure,churn,fee\na,3,yes,1\nb,4,maybe,2\nc,5,no,3\n", NULL,
         "s.csv:3:3: column 'churn' (event) is 'maybe': expected yes/no, "
         "true/false or 0/1"},
        {"id,tenure,churn,fee\na,3,1,1\nb,4,2,2\nc,5,0,3\n", NULL,
         "s.csv:3:3: column 'churn' (event) is 2: expected yes/no"},
        {"id,tenure,churn,fee\na,3,yes,1\nb,4,no,\nc,5,no,3\n", "fee",
         "s.csv:3:4: column 'fee' (covariate) is empty"},
        {"id,tenure,churn,plan\na,3,yes,A\nb,4,no,B\nc,5,no,\n", "plan",
         "s.csv:4:4: column 'plan' (covariate) is empty"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        hz_dataset *ds = NULL;
        hz_error err;
        HZ_CHECK(hz_csv_read_buffer(cases[c].csv, strlen(cases[c].csv),
                                    "s.csv", NULL, &ds, NULL, &err) == HZ_OK);
        hz_analytics_request q;
        hz_analytics_result *r = NULL;
        hz_analytics_request_init(&q);
        q.event_col = "churn";
        q.covariates = cases[c].covariates;
        HZ_CHECK_MSG(hz_analytics_run(ds, HZ_ANALYSIS_SURVIVAL, &q, &r,
                                      &err) == HZ_EINVAL,
                     "case %zu ran", c);
        HZ_CHECK_CONTAINS(err.msg, cases[c].msg);
        hz_analytics_result_free(r);
        hz_dataset_free(ds);
    }
}

/* Covariates whose coefficients the data cannot tell apart are refused
 * by name, never reported with an enormous standard error: a plan and a
 * fee set by the plan, a covariate that does not vary. */
HZ_TEST(cox_refuses_collinear_covariates)
{
    /* plan B/C dummies and fee = 10 + 10 B + 20 C */
    enum { N = 12, P = 3 };
    static const int plan[N] = {0, 1, 2, 0, 1, 2, 2, 1, 0, 0, 2, 1};
    static const double t[N] = {5, 8, 3, 12, 7, 2, 9, 4, 11, 6, 10, 1};
    static const double e[N] = {1, 0, 1, 0, 1, 1, 0, 1, 0, 1, 1, 0};
    static const char *const names[P] = {"plan=B", "plan=C", "fee"};
    double X[N * P];
    for (size_t i = 0; i < N; i++) {
        X[i * P] = plan[i] == 1;
        X[i * P + 1] = plan[i] == 2;
        X[i * P + 2] = 10 + 10.0 * (plan[i] == 1) + 20.0 * (plan[i] == 2);
    }
    hz_cox_model m;
    hz_error err;
    HZ_CHECK(hz_cox_fit_named(X, t, e, N, P, names, &m, &err) == HZ_EINVAL);
    HZ_CHECK_CONTAINS(err.msg, "covariates 'plan=B', 'plan=C' and 'fee' are "
                               "collinear ('fee' is a linear combination of "
                               "the others");
    HZ_CHECK_CONTAINS(err.msg, "leave one of them out");
    HZ_CHECK(hz_cox_fit(X, t, e, N, P, &m, &err) == HZ_EINVAL);
    HZ_CHECK_CONTAINS(err.msg, "covariates 1, 2 and 3 are collinear");
    /* a constant covariate */
    double Z[N * 2];
    for (size_t i = 0; i < N; i++) {
        Z[i * 2] = X[i * P];
        Z[i * 2 + 1] = 0.1 + 0.2;
    }
    static const char *const zn[2] = {"plan=B", "region"};
    HZ_CHECK(hz_cox_fit_named(Z, t, e, N, 2, zn, &m, &err) == HZ_EINVAL);
    HZ_CHECK_CONTAINS(err.msg, "covariate 'region' does not vary");
    /* the plan alone is fitted */
    HZ_CHECK(hz_cox_fit_named(X, t, e, N, 2, names, &m, &err) == HZ_OK);
    HZ_CHECK(isfinite(m.se[0]) && m.se[0] < 10 && m.se[1] < 10);
    hz_cox_free(&m);
    /* through the analysis: the columns a customer file holds */
    const char *csv = "id,tenure,churn,plan,fee\n"
                      "a,5,1,A,10\nb,8,0,B,20\nc,3,1,C,30\nd,12,0,A,10\n"
                      "e,7,1,B,20\nf,2,1,C,30\ng,9,0,C,30\nh,4,1,B,20\n"
                      "i,11,0,A,10\nj,6,1,A,10\nk,10,1,C,30\nl,1,0,B,20\n";
    hz_dataset *ds = NULL;
    HZ_CHECK(hz_csv_read_buffer(csv, strlen(csv), "c.csv", NULL, &ds, NULL,
                                &err) == HZ_OK);
    hz_analytics_request q;
    hz_analytics_result *r = NULL;
    hz_analytics_request_init(&q);
    q.event_col = "churn";
    q.covariates = "plan,fee";
    HZ_CHECK(hz_analytics_run(ds, HZ_ANALYSIS_SURVIVAL, &q, &r, &err) ==
             HZ_EINVAL);
    HZ_CHECK_CONTAINS(err.msg, "covariates 'plan=B', 'plan=C' and 'fee' are "
                               "collinear");
    hz_analytics_result_free(r);
    hz_dataset_free(ds);
}
