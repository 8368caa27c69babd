/* State-space likelihood of ARMA models against hand-checkable cases. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "arima_data.h"
#include "forecast/arima_internal.h"
#include "hz_test.h"

static double work[20000];

/* AR(1), unit innovation variance: F_1 = 1/(1-phi^2), F_t = 1 after,
 * v_1 = w_1, v_t = w_t - phi w_{t-1}. */
HZ_TEST(ar1_exact_likelihood_closed_form)
{
    double w[6] = {0.3, -1.2, 2.385, 0.7, -0.4, 1.1};
    double phi = 0.6, theta = 0.0;
    double ssq, sumlog;
    int nu;
    HZ_CHECK(hz__arma_like(w, 6, &phi, 1, &theta, 0, work, &ssq, &sumlog,
                           &nu) == 0);
    double e = w[0] * w[0] * (1 - phi * phi);
    for (int t = 1; t < 6; t++)
        e += (w[t] - phi * w[t - 1]) * (w[t] - phi * w[t - 1]);
    HZ_CHECK_NEAR(ssq, e, 1e-12);
    HZ_CHECK_NEAR(sumlog, -log(1 - phi * phi), 1e-12);
    HZ_CHECK(nu == 6);
}

/* MA(1): Gaussian likelihood from the tridiagonal covariance matrix
 * (1 + theta^2 on the diagonal, theta beside it) by Cholesky. */
HZ_TEST(ma1_likelihood_matches_cholesky)
{
    enum { N = 7 };
    double w[N] = {0.5, -0.25, 1.75, -2.0, 0.125, 0.9, -0.3};
    double th = -0.45, phi = 0.0;
    double ssq, sumlog;
    int nu;
    HZ_CHECK(hz__arma_like(w, N, &phi, 0, &th, 1, work, &ssq, &sumlog, &nu) ==
             0);
    /* Cholesky of a tridiagonal matrix: d_t = a - b^2/d_{t-1} */
    double a = 1 + th * th, b = th, d = a, z = w[0], e = z * z / d,
           ld = log(d);
    for (int t = 1; t < N; t++) {
        double l = b / d;
        d = a - b * l;
        z = w[t] - l * z;
        e += z * z / d;
        ld += log(d);
    }
    HZ_CHECK_NEAR(ssq, e, 1e-12);
    HZ_CHECK_NEAR(sumlog, ld, 1e-12);
}

HZ_TEST(q0_arma11_closed_form)
{
    double phi = 0.5, th = 0.3, P0[4];
    HZ_CHECK(hz__arma_q0(&phi, 1, &th, 1, P0, work) == 0);
    double g0 = (1 + 2 * phi * th + th * th) / (1 - phi * phi);
    HZ_CHECK_NEAR(P0[0], g0, 1e-12);
    HZ_CHECK_NEAR(P0[1], th, 1e-12); /* cov(y_t, theta e_t) */
    HZ_CHECK_NEAR(P0[2], th, 1e-12);
    HZ_CHECK_NEAR(P0[3], th * th, 1e-12);
    double ar = 1.2;
    HZ_CHECK(hz__arma_q0(&ar, 1, &th, 0, P0, work) == -1); /* explosive */
}

/* The fast (Chandrasekhar) likelihood equals the full Kalman filter
 * (R's ARIMA_Like structure) on sparse seasonal models -- this caught a
 * premature convergence test on seasonal AR lags. */
HZ_TEST(fast_likelihood_equals_full_filter)
{
    double w[90];
    unsigned long long s = 42;
    for (int i = 0; i < 90; i++)
        w[i] = test_rnorm(&s);
    struct {
        int p, q;
        double phi[26], theta[26];
    } cases[3];
    memset(cases, 0, sizeof cases);
    cases[0].p = 24;
    cases[0].phi[11] = -0.87;
    cases[0].phi[23] = -0.49;
    cases[1].p = 2;
    cases[1].phi[0] = 0.5;
    cases[1].phi[1] = -0.3;
    cases[1].q = 13;
    cases[1].theta[0] = 0.4;
    cases[1].theta[11] = -0.6;
    cases[1].theta[12] = -0.24;
    cases[2].p = 13;
    cases[2].phi[0] = 0.3;
    cases[2].phi[11] = 0.4;
    cases[2].phi[12] = -0.12;
    cases[2].q = 1;
    cases[2].theta[0] = -0.7;
    for (int c = 0; c < 3; c++) {
        double s1, l1, s2, l2, a[64], P[64 * 64];
        int n1, n2;
        HZ_CHECK(hz__arma_like(w, 90, cases[c].phi, cases[c].p, cases[c].theta,
                               cases[c].q, work, &s1, &l1, &n1) == 0);
        HZ_CHECK(hz__arima_ss_filter(w, 90, cases[c].phi, cases[c].p,
                                     cases[c].theta, cases[c].q, NULL, 0, 1e6,
                                     a, P, NULL, &s2, &l2, &n2, work) == 0);
        HZ_CHECK_NEAR(s1, s2, 1e-8 * s2);
        HZ_CHECK_NEAR(l1, l2, 1e-8);
        HZ_CHECK(n1 == n2);
    }
}

/* Diffuse filter of an ARIMA(0,1,1) equals the stationary likelihood of
 * the differenced series up to the 1e6 prior (R's kappa). */
HZ_TEST(diffuse_filter_matches_differenced_likelihood)
{
    double y[60], dy[59];
    unsigned long long s = 7;
    double e_prev = 0, lvl = 10;
    for (int i = 0; i < 60; i++) {
        double e = test_rnorm(&s);
        lvl += e - 0.4 * e_prev;
        e_prev = e;
        y[i] = lvl;
    }
    for (int i = 0; i < 59; i++)
        dy[i] = y[i + 1] - y[i];
    double phi = 0, th = -0.4, delta = 1.0, a[4], P[16];
    double s1, l1, s2, l2;
    int n1, n2;
    HZ_CHECK(hz__arima_ss_filter(y, 60, &phi, 0, &th, 1, &delta, 1, 1e6, a, P,
                                 NULL, &s1, &l1, &n1, work) == 0);
    HZ_CHECK(hz__arma_like(dy, 59, &phi, 0, &th, 1, work, &s2, &l2, &n2) == 0);
    HZ_CHECK(n1 == 59 && n2 == 59);
    HZ_CHECK_NEAR(s1, s2, 1e-4 * s2);
    HZ_CHECK_NEAR(l1, l2, 1e-4);
}
