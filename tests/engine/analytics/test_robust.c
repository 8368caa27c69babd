/* Robust fits: data shaped like an invoice-level retail log (a few
 * thousand customers over a year, in days, as-of the day after the last
 * invoice) converge in days as in weeks to the same model; boundary
 * solutions are flagged with their reason; each sub-model fails alone. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "horizon/analytics.h"
#include "horizon/csv.h"
#include "hz_test.h"

/* n customers born uniformly over 2011, purchase rates Gamma(0.83,
 * scale 1/69 per day), dropout after each purchase with probability
 * p ~ Beta(a, b) (a = 0: never), spend Gamma(2, 10) plus a customer
 * effect when spread, or always `fixed` when that is > 0; as CSV text. */
static char *retail_csv(unsigned long seed, size_t n, double a, double b,
                        bool spread, double fixed)
{
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(g, seed);
    size_t cap = 1 << 20, len = 0;
    char *s = malloc(cap);
    if (s == NULL)
        abort(); /* a test without memory cannot go on */
    len += (size_t)snprintf(s, cap, "customer_id,order_date,revenue\n");
    int32_t d0 = hz_days_from_civil(2011, 1, 1);
    for (size_t i = 0; i < n; i++) {
        double t = floor(365 * gsl_rng_uniform(g));
        double lam = gsl_ran_gamma(g, 0.83, 1.0 / 69);
        double p = a > 0 ? gsl_ran_beta(g, a, b) : 0.0;
        double nu = spread ? gsl_ran_gamma(g, 4, 0.25) : 1.0;
        double last = -1;
        for (bool first = true;; first = false) {
            if (!first) {
                t += gsl_ran_exponential(g, 1.0 / lam);
                if (t >= 365)
                    break;
                if (floor(t) == last)
                    continue; /* one purchase a day */
            }
            last = floor(t);
            if (len + 64 > cap) {
                cap *= 2;
                char *grown = realloc(s, cap);
                if (grown == NULL)
                    abort();
                s = grown;
            }
            char d[16];
            len += (size_t)snprintf(s + len, cap - len, "c%zu,%s,%.2f\n", i,
                                    hz_format_day(d0 + (int32_t)t, d),
                                    fixed > 0 ? fixed
                                              : nu * gsl_ran_gamma(g, 2, 10));
            if (!first && gsl_rng_uniform(g) < p)
                break;
        }
    }
    gsl_rng_free(g);
    return s;
}

static hz_analytics_result *run_as_of(const char *csv, hz_time_unit unit,
                                      hz_analysis_kind kind, int32_t as_of,
                                      hz_error *err)
{
    hz_dataset *ds = NULL;
    hz_analytics_result *r = NULL;
    if (hz_csv_read_buffer(csv, strlen(csv), "retail.csv", NULL, &ds, NULL,
                           err) != HZ_OK)
        return NULL;
    hz_analytics_request q;
    hz_analytics_request_init(&q);
    q.unit = unit;
    q.as_of = as_of;
    q.threads = 2;
    hz_analytics_run(ds, kind, &q, &r, err);
    hz_dataset_free(ds);
    return r;
}

static hz_analytics_result *run(const char *csv, hz_time_unit unit,
                                hz_analysis_kind kind, hz_error *err)
{
    /* as-of the day after the data */
    return run_as_of(csv, unit, kind, hz_days_from_civil(2012, 1, 1), err);
}

/* Days and weeks fits: the same model (alpha x 7; the log-likelihoods
 * differ by sum(x) log 7) and the same predictions. */
static void same_in_days_and_weeks(const char *csv, bool expect_boundary)
{
    hz_error err;
    hz_analytics_result *rd = run(csv, HZ_UNIT_DAYS, HZ_ANALYSIS_CLV, &err);
    HZ_CHECK_MSG(rd != NULL, "days: %s", err.msg);
    hz_analytics_result *rw = run(csv, HZ_UNIT_WEEKS, HZ_ANALYSIS_CLV, &err);
    HZ_CHECK_MSG(rw != NULL, "weeks: %s", err.msg);
    const hz_bgnbd_model *bd = hz_analytics_bgnbd(rd),
                         *bw = hz_analytics_bgnbd(rw);
    HZ_CHECK(bd != NULL && bw != NULL);
    HZ_CHECK_MSG(bd->boundary == expect_boundary, "boundary %d: %s",
                 bd->boundary, bd->note);
    if (expect_boundary)
        HZ_CHECK(bd->note[0] != '\0');
    const double *x = hz_analytics_values(rd, "frequency");
    double sx = 0;
    for (size_t i = 0; i < hz_analytics_customers(rd); i++)
        sx += x[i];
    HZ_CHECK_NEAR(bd->loglik - bw->loglik, -sx * log(7.0),
                  1e-6 * fabs(bd->loglik));
    const double *pd = hz_analytics_values(rd, "p_alive"),
                 *pw = hz_analytics_values(rw, "p_alive");
    double worst = 0;
    for (size_t i = 0; i < hz_analytics_customers(rd); i++)
        worst = fmax(worst, fabs(pd[i] - pw[i]));
    HZ_CHECK_MSG(worst < (expect_boundary ? 1e-3 : 1e-7),
                 "P(alive) days vs weeks differ by %g", worst);
    hz_analytics_result_free(rd);
    hz_analytics_result_free(rw);
}

HZ_TEST(retail_shape_converges_in_days_and_weeks)
{
    char *csv = retail_csv(7, 4338, 0.3, 3.0, true, 0);
    same_in_days_and_weeks(csv, false);
    free(csv);
}

HZ_TEST(no_dropout_is_a_flagged_boundary)
{
    /* nobody drops out: the dropout probability runs to 0 (a -> 0 or
     * b -> infinity); the fit ends there and says so */
    char *csv = retail_csv(11, 4338, 0.0, 1.0, true, 0);
    same_in_days_and_weeks(csv, true);
    free(csv);
}

HZ_TEST(spend_model_fails_alone)
{
    /* every customer's spend drawn from one distribution: q -> infinity
     * (flagged) or a failure; either way the purchase outputs stay */
    char *csv = retail_csv(5, 1500, 0.3, 3.0, false, 0);
    hz_error err;
    hz_analytics_result *r = run(csv, HZ_UNIT_DAYS, HZ_ANALYSIS_SUITE, &err);
    HZ_CHECK_MSG(r != NULL, "%s", err.msg);
    const hz_gg_model *g = hz_analytics_gammagamma(r);
    HZ_CHECK((g != NULL && g->boundary) ||
             hz_analytics_part_error(r, "spend")[0] != '\0');
    HZ_CHECK(hz_analytics_values(r, "p_alive") != NULL);
    HZ_CHECK(hz_analytics_clusters(r) == 4);
    hz_analytics_result_free(r);
    free(csv);
    /* identical spends: the spend model cannot be identified; CLV is
     * empty, P(alive) and expected purchases are still there */
    csv = retail_csv(5, 1500, 0.3, 3.0, false, 25.0);
    r = run(csv, HZ_UNIT_DAYS, HZ_ANALYSIS_CLV, &err);
    free(csv);
    HZ_CHECK_MSG(r != NULL, "%s", err.msg);
    HZ_CHECK(hz_analytics_part_error(r, "spend")[0] != '\0');
    HZ_CHECK(hz_analytics_values(r, "clv") == NULL);
    HZ_CHECK(hz_analytics_values(r, "p_alive") != NULL);
    HZ_CHECK(isnan(hz_analytics_clv_total(r)));
    hz_analytics_result_free(r);
}
