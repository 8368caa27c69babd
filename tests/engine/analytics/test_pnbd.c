/* Pareto/NBD: the likelihood against an independent numerical integral,
 * the CDNOW fit (published r 0.553, alpha 10.578, s 0.606, beta 11.669,
 * LL -9595.0), predictions, the count distribution and bad inputs. */
#include <math.h>
#include <stdlib.h>

#include "horizon/pnbd.h"
#include "hz_test.h"

#define NMAX 3000
static double X[NMAX], TX[NMAX], TT[NMAX];

static size_t load_cdnow(void)
{
    char buf[1024], line[256];
    const char *p = hz_test_shared(
        "cdnow/cdnow_customers_summary_with_transactions.csv", buf,
        sizeof buf);
    FILE *f = p ? fopen(p, "r") : NULL;
    size_t n = 0;
    int id;
    double zb;
    if (f == NULL)
        return 0;
    if (fgets(line, sizeof line, f) != NULL)
        while (n < NMAX && fscanf(f, "%d,%lf,%lf,%lf,%lf", &id, &X[n], &TX[n],
                                  &TT[n], &zb) == 5)
            n++;
    fclose(f);
    return n;
}

/* r, alpha, s, beta, x, t_x, T, LL, P(alive): the log-likelihood from
 * scipy.integrate.quad of the death-time integral (relative tolerance
 * 2e-14), independent of the series Horizon sums.  The cases cover
 * alpha < beta, alpha > beta, alpha = beta, a large x, t_x = T, and
 * alpha, beta far apart (the quadrature fallback). */
static const double cases[][9] = {
    {0.55, 10.58, 0.61, 11.67, 2.0, 30.43, 38.86, -9.56198126084296,
     0.868410917132092},
    {0.55, 10.58, 0.61, 11.67, 0.0, 0.0, 38.86, -0.517025150887538,
     0.29377395046742},
    {0.55, 10.58, 0.61, 11.67, 20.0, 38.7, 38.86, -39.2538412899113,
     0.9980015653883},
    {0.8, 70.0, 0.3, 5.0, 3.0, 100.0, 300.0, -17.6182211444576,
     0.274365611964924},
    {0.8, 5.0, 0.3, 70.0, 3.0, 100.0, 300.0, -18.0297229624575,
     0.21758814264395},
    {1.2, 20.0, 2.0, 20.0, 5.0, 10.0, 40.0, -14.4863027044749,
     0.0137969661866749},
    {0.5, 500.0, 0.4, 0.5, 1.0, 2.0, 300.0, -7.70144292965215,
     0.0845209567060249},
    {0.5, 0.3, 0.4, 400.0, 7.0, 250.0, 300.0, -36.5879014027171,
     0.940073859183212},
    {2.0, 3.0, 1.5, 4.0, 40.0, 39.0, 39.0, -44.313046240964, 1.0},
};

HZ_TEST(loglik_matches_independent_integral)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const double *c = cases[i];
        hz_pnbd_params p = {c[0], c[1], c[2], c[3]};
        double ll = hz_pnbd_loglik(&p, &c[4], &c[5], &c[6], 1);
        HZ_CHECK_MSG(fabs(ll - c[7]) <= 1e-11 * fabs(c[7]),
                     "case %zu: LL %.15g, expected %.15g", i, ll, c[7]);
        double pa = hz_pnbd_p_alive(&p, c[4], c[5], c[6]);
        HZ_CHECK_MSG(fabs(pa - c[8]) <= 1e-11,
                     "case %zu: P(alive) %.15g, expected %.15g", i, pa, c[8]);
    }
}

HZ_TEST(cdnow_fit_matches_published)
{
    size_t n = load_cdnow();
    if (n == 0) {
        hz_test_skip("HZ_SHARED_DATA/cdnow absent");
        return;
    }
    hz_pnbd_model m;
    hz_error err;
    HZ_CHECK_MSG(hz_pnbd_fit(X, TX, TT, n, 0, &m, &err) == HZ_OK, "%s",
                 err.msg);
    /* published (event log): 0.553, 10.578, 0.606, 11.669, -9595.0; this
     * summary file rounds t_x and T to 0.01 week */
    HZ_CHECK_NEAR(m.p.r, 0.553, 0.0005);
    HZ_CHECK_NEAR(m.p.alpha, 10.578, 0.0015);
    HZ_CHECK_NEAR(m.p.s, 0.606, 0.0005);
    HZ_CHECK_NEAR(m.p.beta, 11.669, 0.0015);
    HZ_CHECK_NEAR(m.loglik, -9595.0, 0.05);
    HZ_CHECK(!m.boundary && m.decrement < 1e-10);
    HZ_CHECK(m.se[0] > 0 && m.se[3] > 0);
    for (int j = 0; j < 4; j++)
        for (int sg = -1; sg <= 1; sg += 2) {
            hz_pnbd_params q = m.p;
            double *v = j == 0   ? &q.r
                        : j == 1 ? &q.alpha
                        : j == 2 ? &q.s
                                 : &q.beta;
            *v *= 1 + sg * 1e-4;
            HZ_CHECK(hz_pnbd_loglik(&q, X, TX, TT, n) < m.loglik);
        }
}

HZ_TEST(predictions_are_consistent)
{
    hz_pnbd_params p = {0.553, 10.578, 0.606, 11.669};
    /* E[X(t)] closed form against the mean of P(X(t) = k) */
    double mean = 0, tot = 0;
    for (unsigned k = 0; k < 400; k++) {
        double q = hz_pnbd_pmf(&p, 39, k);
        mean += k * q;
        tot += q;
    }
    HZ_CHECK_NEAR(tot, 1.0, 1e-9);
    HZ_CHECK_NEAR(mean, hz_pnbd_expected(&p, 39), 1e-8);
    /* a new customer's conditional expectation is E[X(t)] */
    HZ_CHECK_NEAR(hz_pnbd_conditional(&p, 39, 0, 0, 0),
                  hz_pnbd_expected(&p, 39), 1e-12);
    /* s = 1: the logarithmic limit */
    hz_pnbd_params p1 = {0.5, 10, 1.0, 12};
    hz_pnbd_params p2 = {0.5, 10, 1.0 + 1e-7, 12};
    HZ_CHECK_NEAR(hz_pnbd_expected(&p1, 52), hz_pnbd_expected(&p2, 52), 1e-6);
    HZ_CHECK_NEAR(hz_pnbd_expected(&p1, 52), 0.5 * 12 / 10 * log1p(52 / 12.),
                  1e-12);
    /* no repeat purchase for a long time: less likely alive */
    HZ_CHECK(hz_pnbd_p_alive(&p, 3, 5, 38) < hz_pnbd_p_alive(&p, 3, 35, 38));
    HZ_CHECK(hz_pnbd_p_alive(&p, 0, 0, 38) < 1.0);
}

HZ_TEST(bad_inputs_are_rejected)
{
    double x[2] = {1, 2}, tx[2] = {5, 40}, T[2] = {10, 30};
    hz_pnbd_model m;
    hz_error err;
    HZ_CHECK(hz_pnbd_fit(x, tx, T, 2, 0, &m, &err) == HZ_EINVAL);
    HZ_CHECK_CONTAINS(err.msg, "customer 2");
    double z[3] = {0, 0, 0}, T3[3] = {5, 6, 7};
    HZ_CHECK(hz_pnbd_fit(z, z, T3, 3, 0, &m, &err) == HZ_ETOOSHORT);
    HZ_CHECK_CONTAINS(err.msg, "repeat");
}
