/* Gamma-Gamma spend model: CDNOW reference fit (Fader & Hardie 2013),
 * hand-worked conditional spend and bad inputs. */
#include <math.h>
#include <stdlib.h>

#include "horizon/gammagamma.h"
#include "hz_test.h"

#define NMAX 3000
static double X[NMAX], ZB[NMAX];

static size_t load_cdnow(void)
{
    char buf[1024];
    const char *p = hz_test_shared(
        "cdnow/cdnow_customers_summary_with_transactions.csv", buf,
        sizeof buf);
    if (p == NULL)
        return 0;
    FILE *f = fopen(p, "r");
    if (f == NULL)
        return 0;
    char line[256];
    size_t n = 0;
    int id;
    double tx, T;
    if (fgets(line, sizeof line, f) == NULL) {
        fclose(f);
        return 0;
    }
    while (n < NMAX &&
           fscanf(f, "%d,%lf,%lf,%lf,%lf", &id, &X[n], &tx, &T, &ZB[n]) == 5)
        n++;
    fclose(f);
    return n;
}

HZ_TEST(cdnow_fit_matches_published)
{
    size_t n = load_cdnow();
    if (n == 0) {
        hz_test_skip("HZ_SHARED_DATA/cdnow absent");
        return;
    }
    hz_gg_model m;
    hz_error err;
    HZ_CHECK(hz_gg_fit(X, ZB, n, 0, &m, &err) == HZ_OK);
    HZ_CHECK(m.n == 946);
    /* published p = 6.25, q = 3.74, gamma = 15.44, LL = -4055.9; the
     * summary file's zbar is rounded to cents, which moves gamma in the
     * second decimal (15.448 here; 15.44 from unrounded values, see
     * test_customer) */
    HZ_CHECK_NEAR(m.p.p, 6.25, 0.005);
    HZ_CHECK_NEAR(m.p.q, 3.74, 0.005);
    HZ_CHECK_NEAR(m.p.gamma, 15.44, 0.01);
    HZ_CHECK_NEAR(m.loglik, -4055.9, 0.05);
    HZ_CHECK(m.se[0] > 0 && m.se[1] > 0 && m.se[2] > 0);
    /* the optimum beats the published (rounded) point on this data */
    hz_gg_params pub = {6.25, 3.74, 15.44};
    HZ_CHECK(hz_gg_loglik(&pub, X, ZB, n) <= m.loglik + 1e-9);
}

HZ_TEST(conditional_spend_hand_worked)
{
    hz_gg_params p = {6.25, 3.74, 15.44};
    /* x = 0: population mean p gamma / (q - 1) */
    HZ_CHECK_NEAR(hz_gg_conditional_spend(&p, 0, 0), 6.25 * 15.44 / 2.74,
                  1e-12);
    /* x = 2, mbar = 30: (gamma + mbar x) p / (p x + q - 1) */
    HZ_CHECK_NEAR(hz_gg_conditional_spend(&p, 2, 30),
                  (15.44 + 60) * 6.25 / (12.5 + 2.74), 1e-12);
    hz_gg_params bad = {1, 0.5, 1};
    HZ_CHECK(isnan(hz_gg_conditional_spend(&bad, 1, 1)));
}

HZ_TEST(bad_inputs)
{
    hz_gg_model m;
    hz_error err;
    double x[3] = {1, 2, 0}, mb[3] = {10, -1, 0};
    HZ_CHECK(hz_gg_fit(x, mb, 3, 0, &m, &err) == HZ_EINVAL);
    HZ_CHECK_CONTAINS(err.msg, "customer 2");
    double mb2[3] = {10, 0, 0};
    HZ_CHECK(hz_gg_fit(x, mb2, 3, 0, &m, &err) == HZ_ETOOSHORT);
    HZ_CHECK_CONTAINS(err.msg, "repeat buyers");
}

HZ_TEST(identical_spend_is_reported)
{
    enum { N = 100 };
    double x[N], mb[N];
    for (int i = 0; i < N; i++) {
        x[i] = 2;
        mb[i] = 25;
    }
    hz_gg_model m;
    hz_error err;
    hz_status st = hz_gg_fit(x, mb, N, 0, &m, &err);
    HZ_CHECK(st == HZ_ENOCONV);
    HZ_CHECK_CONTAINS(err.msg, "identify");
}

/* Spends near 1e300 beside spends near 50: the fit runs to the q, gamma
 * -> infinity boundary, where gamma back in the spends' unit is beyond a
 * double.  Refused (until 2026-12-07 reported as a fit with gamma = inf,
 * a CLV total of inf and every customer's CLV empty, exit 0). */
HZ_TEST(gamma_beyond_a_double_is_refused)
{
    enum { N = 240 };
    double x[N], mb[N];
    for (int i = 0; i < N; i++) {
        x[i] = 1 + i % 6;
        mb[i] = 5 + (i * 37) % 95;
        if (i % 8 == 0)
            mb[i] *= 1e300;
    }
    hz_gg_model m;
    hz_error err;
    hz_status st = hz_gg_fit(x, mb, N, 0, &m, &err);
    HZ_CHECK(st == HZ_ENOCONV);
    if (st == HZ_OK)
        HZ_CHECK(isfinite(m.p.gamma));
    else
        HZ_CHECK_CONTAINS(err.msg, "gamma is beyond the range of a double");
}
