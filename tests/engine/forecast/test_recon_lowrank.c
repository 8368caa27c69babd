/* Reconciliation of wide hierarchies from the residuals' factors (W =
 * diagonal + low rank, the constraint form's na x na system, the bounds'
 * variances without m x m matrices): points, bounds and lambda against
 * the dense formulas written out here (GLS G = (S'W^-1 S)^-1 S'W^-1 with
 * the m x m shrunk covariance, or the constraint form with the fixed
 * nodes' rows and columns of W zeroed; P Sg P' for the variances), on one
 * total over many bottom series, several levels, product x region (many
 * aggregates), with fixed nodes and short histories; and no m x m matrix
 * under a limited address space. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/resource.h>
#include <unistd.h>

#include "horizon/forecast.h"
#include "horizon/reconcile.h"
#include "hz_test.h"

enum { T = 30, STEPS = 2, NL = 2 };
static const double LV[NL] = {80, 95};
static const double Z[NL] = {1.2815515655446004, 1.959963984540054};

static uint64_t rng = 0x9e3779b97f4a7c15u;
static double unif(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (double)(rng >> 11) / 9007199254740992.0;
}

/* Solve A X = B in place (A n x n, B n x k, row-major; A destroyed) by
 * Gaussian elimination with partial pivoting. */
static void gauss(double *A, size_t n, double *B, size_t k)
{
    for (size_t c = 0; c < n; c++) {
        size_t p = c;
        for (size_t r = c + 1; r < n; r++)
            if (fabs(A[r * n + c]) > fabs(A[p * n + c]))
                p = r;
        for (size_t j = 0; j < n; j++) {
            double t = A[c * n + j];
            A[c * n + j] = A[p * n + j];
            A[p * n + j] = t;
        }
        for (size_t j = 0; j < k; j++) {
            double t = B[c * k + j];
            B[c * k + j] = B[p * k + j];
            B[p * k + j] = t;
        }
        for (size_t r = c + 1; r < n; r++) {
            double f = A[r * n + c] / A[c * n + c];
            for (size_t j = c; j < n; j++)
                A[r * n + j] -= f * A[c * n + j];
            for (size_t j = 0; j < k; j++)
                B[r * k + j] -= f * B[c * k + j];
        }
    }
    for (size_t c = n; c-- > 0;)
        for (size_t j = 0; j < k; j++) {
            double v = B[c * k + j];
            for (size_t q = c + 1; q < n; q++)
                v -= A[c * n + q] * B[q * k + j];
            B[c * k + j] = v / A[c * n + c];
        }
}

/* A hierarchy: S (m x nb, aggregates first), its residuals. */
typedef struct hier {
    size_t m, nb;
    double *S, *res;
} hier;

/* residual_cov written out: cov (m x m), the correlations' shrinkage
 * lambda by the pairs (corr_var with blocks of one period). */
static double dense_cov(const hier *h, double *cov)
{
    size_t m = h->m, k[256], kmax = 0, cols[T], nc = 0;
    for (size_t i = 0; i < m; i++) {
        k[i] = 0;
        for (size_t t = 0; t < T; t++)
            k[i] += isfinite(h->res[i * T + t]) != 0;
        kmax = k[i] > kmax ? k[i] : kmax;
    }
    for (size_t t = 0; t < T; t++) {
        int ok = 1;
        for (size_t i = 0; i < m; i++)
            ok = ok && (2 * k[i] < kmax || isfinite(h->res[i * T + t]));
        if (ok)
            cols[nc++] = t;
    }
    double n = (double)nc, num = 0, den = 0;
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < m; j++) {
            double s = 0;
            if (2 * k[i] >= kmax && 2 * k[j] >= kmax) {
                for (size_t c = 0; c < nc; c++)
                    s += h->res[i * T + cols[c]] * h->res[j * T + cols[c]];
                s /= n;
            } else if (i == j) {
                for (size_t t = 0; t < T; t++)
                    if (isfinite(h->res[i * T + t]))
                        s += h->res[i * T + t] * h->res[i * T + t];
                s /= (double)k[i];
            }
            cov[i * m + j] = s;
        }
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < m; j++) {
            double si = sqrt(cov[i * m + i]), sj = sqrt(cov[j * m + j]);
            if (i == j || !(si > 0 && sj > 0) || 2 * k[i] < kmax ||
                2 * k[j] < kmax)
                continue;
            double r = cov[i * m + j] / (si * sj), ss = 0;
            for (size_t c = 0; c < nc; c++) {
                double x = h->res[i * T + cols[c]] / si *
                               h->res[j * T + cols[c]] / sj -
                           r;
                ss += x * x;
            }
            num += n / (n - 1) * ss / (n * n);
            den += r * r;
        }
    double lam = den > 0 ? num / den : 1.0;
    return lam < 0 ? 0 : lam > 1 ? 1 : lam;
}

/* G (nb x m) by the dense formulas: GLS, or the constraint form when a
 * node's variance is zero (fixed). */
static void dense_G(const hier *h, const double *W, double *G)
{
    size_t m = h->m, nb = h->nb, na = m - nb;
    double maxv = 0;
    int fixed = 0;
    for (size_t i = 0; i < m; i++)
        maxv = W[i * m + i] > maxv ? W[i * m + i] : maxv;
    for (size_t i = 0; i < m; i++)
        fixed |= !(W[i * m + i] > 1e-12 * maxv);
    if (!fixed) {
        double *A = calloc(m * m + 1, 8), *WiS = calloc(m * nb + 1, 8);
        double *N = calloc(nb * nb + 1, 8), *X = calloc(nb * m + 1, 8);
        memcpy(A, W, m * m * sizeof *A);
        memcpy(WiS, h->S, m * nb * sizeof *WiS);
        gauss(A, m, WiS, nb); /* W^-1 S */
        for (size_t a = 0; a < nb; a++)
            for (size_t b = 0; b < nb; b++) {
                double v = 0;
                for (size_t i = 0; i < m; i++)
                    v += h->S[i * nb + a] * WiS[i * nb + b];
                N[a * nb + b] = v;
            }
        for (size_t a = 0; a < nb; a++)
            for (size_t i = 0; i < m; i++)
                X[a * m + i] = WiS[i * nb + a];
        gauss(N, nb, X, m); /* (S'W^-1 S)^-1 S'W^-1 */
        memcpy(G, X, nb * m * sizeof *G);
        free(A);
        free(WiS);
        free(N);
        free(X);
        return;
    }
    /* W2: the fixed nodes' rows and columns zeroed; C = [I | -A] */
    double *W2 = calloc(m * m + 1, 8), *C = calloc(na * m + 1, 8);
    double *WC = calloc(m * na + 1, 8), *M = calloc(na * na + 1, 8);
    memcpy(W2, W, m * m * 8);
    for (size_t i = 0; i < m; i++)
        if (!(W[i * m + i] > 1e-12 * maxv))
            for (size_t j = 0; j < m; j++)
                W2[i * m + j] = W2[j * m + i] = 0;
    for (size_t l = 0; l < na; l++) {
        C[l * m + l] = 1;
        for (size_t b = 0; b < nb; b++)
            C[l * m + na + b] = -h->S[l * nb + b];
    }
    for (size_t i = 0; i < m; i++)
        for (size_t l = 0; l < na; l++) {
            double v = 0;
            for (size_t j = 0; j < m; j++)
                v += W2[i * m + j] * C[l * m + j];
            WC[i * na + l] = v;
        }
    for (size_t a = 0; a < na; a++)
        for (size_t l = 0; l < na; l++) {
            double v = 0;
            for (size_t j = 0; j < m; j++)
                v += C[a * m + j] * WC[j * na + l];
            M[a * na + l] = v;
        }
    gauss(M, na, C, m); /* M^-1 C */
    for (size_t b = 0; b < nb; b++)
        for (size_t j = 0; j < m; j++) {
            double v = j == na + b;
            for (size_t l = 0; l < na; l++)
                v -= WC[(na + b) * na + l] * C[l * m + j];
            G[b * m + j] = v;
        }
    free(W2);
    free(C);
    free(WC);
    free(M);
}

/* Base forecasts: skewed bounds, NL levels, STEPS steps. */
static void base(size_t m, hz_forecast **fc)
{
    for (size_t i = 0; i < m; i++) {
        fc[i] = hz_forecast_alloc(STEPS, NL, LV);
        for (int s = 0; s < STEPS; s++) {
            double mu = 10 + 50 * unif(), sd = 0.5 + 3 * unif();
            double skew = 0.6 + 0.8 * unif();
            fc[i]->mean[s] = mu;
            for (int l = 0; l < NL; l++) {
                fc[i]->lower[l][s] = mu - Z[l] * sd * skew;
                fc[i]->upper[l][s] = mu + Z[l] * sd * (2 - skew);
            }
        }
    }
}

static hz_forecast *copy(const hz_forecast *f)
{
    hz_forecast *c = hz_forecast_alloc(STEPS, NL, LV);
    for (int s = 0; s < STEPS; s++) {
        c->mean[s] = f->mean[s];
        for (int l = 0; l < NL; l++) {
            c->lower[l][s] = f->lower[l][s];
            c->upper[l][s] = f->upper[l][s];
        }
    }
    return c;
}

/* Reconcile h's base forecasts with method and compare with the dense
 * formulas to 1e-9 relative: points, bounds, lambda. */
static void check_method(const hier *h, int method)
{
    size_t m = h->m, nb = h->nb;
    hz_forecast *fc[256], *b0[256];
    base(m, fc);
    for (size_t i = 0; i < m; i++)
        b0[i] = copy(fc[i]);
    const hz_hierarchy H = {m, nb, h->S, NULL};
    double lam = NAN;
    hz_error err;
    hz_error_clear(&err);
    hz_status st = hz_reconcile(&H, method, NULL, 0, h->res, T, fc, &lam,
                                &err);
    if (st != HZ_OK)
        printf("# %s: %s\n", hz_recon_name(method), err.msg);
    HZ_CHECK(st == HZ_OK);
    double *cov = malloc((m * m + 1) * 8), *W = calloc(m * m + 1, 8);
    double *G = malloc((nb * m + 1) * 8), *P = malloc((m * m + 1) * 8);
    double dlam = dense_cov(h, cov);
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < m; j++)
            W[i * m + j] = method == HZ_RECON_OLS   ? (i == j)
                           : method == HZ_RECON_WLS ? (i == j) * cov[i * m + j]
                           : method == HZ_RECON_MINT
                               ? (i == j ? 1 : 1 - dlam) * cov[i * m + j]
                               : 0;
    if (method == HZ_RECON_MINT)
        HZ_CHECK_NEAR(lam, dlam, 1e-9);
    if (method == HZ_RECON_BU)
        for (size_t b = 0; b < nb; b++)
            for (size_t j = 0; j < m; j++)
                G[b * m + j] = j == m - nb + b;
    else
        dense_G(h, W, G);
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < m; j++) {
            double v = 0;
            for (size_t b = 0; b < nb; b++)
                v += h->S[i * nb + b] * G[b * m + j];
            P[i * m + j] = v;
        }
    for (int s = 0; s < STEPS; s++) {
        double sd0[256];
        for (size_t i = 0; i < m; i++)
            sd0[i] = (b0[i]->upper[1][s] - b0[i]->lower[1][s]) / (2 * Z[1]);
        for (size_t i = 0; i < m; i++) {
            double mu = 0, var = 0;
            for (size_t j = 0; j < m; j++)
                mu += P[i * m + j] * b0[j]->mean[s];
            for (size_t j = 0; j < m; j++)
                for (size_t k = 0; k < m; k++) {
                    double c = cov[j * m + k] /
                               sqrt(cov[j * m + j] * cov[k * m + k]);
                    if (!isfinite(c))
                        c = j == k;
                    var += P[i * m + j] * c * sd0[j] * sd0[k] * P[i * m + k];
                }
            double sd = sqrt(var), tol = 1e-9 * (fabs(mu) + sd);
            HZ_CHECK_NEAR(fc[i]->mean[s], mu, tol);
            for (int l = 0; l < NL; l++) {
                double dl = (b0[i]->mean[s] - b0[i]->lower[l][s]) / sd0[i];
                double du = (b0[i]->upper[l][s] - b0[i]->mean[s]) / sd0[i];
                HZ_CHECK_NEAR(fc[i]->lower[l][s], mu - dl * sd, tol);
                HZ_CHECK_NEAR(fc[i]->upper[l][s], mu + du * sd, tol);
            }
        }
    }
    for (size_t i = 0; i < m; i++) {
        hz_forecast_free(fc[i]);
        hz_forecast_free(b0[i]);
    }
    free(cov);
    free(W);
    free(G);
    free(P);
}

/* Residuals: a common factor in every node, node noise; with odd, short
 * histories (two bottom series with a third of the periods: their own
 * mean square; one with all but 4: the common span shrinks) and fixed
 * nodes (two bottom series never wrong). */
static void residuals(hier *h, int odd)
{
    size_t m = h->m, nb = h->nb, na = m - nb;
    h->res = malloc(m * T * sizeof *h->res);
    for (size_t t = 0; t < T; t++) {
        double f = unif() - 0.5, g = unif() - 0.5;
        for (size_t i = 0; i < m; i++)
            h->res[i * T + t] = (0.5 + (double)(i % 3)) * f +
                                (i % 2 ? g : -0.3 * g) + 0.7 * (unif() - 0.5);
    }
    if (!odd)
        return;
    for (size_t t = 0; t < 2 * T / 3; t++) {
        h->res[(na + 1) * T + t] = NAN;
        h->res[(m - 1) * T + t] = NAN;
    }
    for (size_t t = 0; t < 4; t++)
        h->res[(na + 3) * T + t] = NAN;
    for (size_t t = 0; t < T; t++) {
        h->res[(na + 2) * T + t] = 0;
        h->res[(m - 2) * T + t] = 0;
    }
}

static void check_all(hier *h)
{
    const int methods[4] = {HZ_RECON_BU, HZ_RECON_OLS, HZ_RECON_WLS,
                            HZ_RECON_MINT};
    for (int odd = 0; odd < 2; odd++) {
        residuals(h, odd);
        for (int k = 0; k < 4; k++)
            check_method(h, methods[k]);
        free(h->res);
    }
    free(h->S);
}

HZ_TEST(one_total_over_many_bottoms_equals_the_dense_formulas)
{
    hier h = {61, 60, calloc(61 * 60, sizeof(double)), NULL};
    for (size_t b = 0; b < 60; b++) {
        h.S[b] = 1;
        h.S[(1 + b) * 60 + b] = 1;
    }
    check_all(&h);
}

/* total, 3 regions, 2 to 4 stores each, 2 to 5 products each */
HZ_TEST(several_levels_equal_the_dense_formulas)
{
    size_t nst[3], npr[12], ns = 0, nb = 0;
    for (size_t r = 0; r < 3; r++) {
        nst[r] = 2 + (size_t)(unif() * 3);
        for (size_t k = 0; k < nst[r]; k++, ns++) {
            npr[ns] = 2 + (size_t)(unif() * 4);
            nb += npr[ns];
        }
    }
    size_t m = 1 + 3 + ns + nb, st = 0, b = 0;
    hier h = {m, nb, calloc(m * nb + 1, sizeof(double)), NULL};
    for (size_t r = 0; r < 3; r++)
        for (size_t k = 0; k < nst[r]; k++, st++)
            for (size_t p = 0; p < npr[st]; p++, b++) {
                h.S[0 * nb + b] = 1;
                h.S[(1 + r) * nb + b] = 1;
                h.S[(4 + st) * nb + b] = 1;
                h.S[(4 + ns + b) * nb + b] = 1;
            }
    check_all(&h);
}

/* total, 12 products, 4 regions, 48 product x region series: 17
 * aggregates, each bottom series under three */
HZ_TEST(product_by_region_equals_the_dense_formulas)
{
    enum { NP = 12, NR = 4, NB = NP * NR, M = 1 + NP + NR + NB };
    hier h = {M, NB, calloc(M * NB, sizeof(double)), NULL};
    for (size_t p = 0; p < NP; p++)
        for (size_t r = 0; r < NR; r++) {
            size_t b = p * NR + r;
            h.S[b] = 1;
            h.S[(1 + p) * NB + b] = 1;
            h.S[(1 + NP + r) * NB + b] = 1;
            h.S[(1 + NP + NR + b) * NB + b] = 1;
        }
    check_all(&h);
}

/* The process's address space in bytes (/proc/self/statm), 0 unknown. */
static size_t vm_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long pages = 0;
    if (f != NULL) {
        if (fscanf(f, "%lu", &pages) != 1)
            pages = 0;
        fclose(f);
    }
    return (size_t)pages * (size_t)sysconf(_SC_PAGESIZE);
}

/* bu, td, ols, wls and mint keep no m x m matrix: on 2,000 products
 * under one total (2,001 nodes, 32 MB a matrix) they succeed in an
 * address space 24 MB above what the test holds, where until 2026-12-08
 * they held two (bu) to five (and two more a step) and ran out. */
HZ_TEST(reconciliations_need_no_m_by_m_matrices)
{
    enum { NB = 2000, M = NB + 1 };
    double *S = calloc((size_t)M * NB, sizeof *S);
    double *res = malloc((size_t)M * T * sizeof *res);
    hz_forecast **fc = calloc(M, sizeof *fc);
    HZ_CHECK(S != NULL && res != NULL && fc != NULL);
    for (size_t j = 0; j < NB; j++) {
        S[j] = 1;
        S[(1 + j) * NB + j] = 1;
    }
    for (size_t t = 0; t < T; t++) {
        double f = unif() - 0.5, tot = 0;
        for (size_t j = 0; j < NB; j++) {
            res[(1 + j) * T + t] = 0.01 * f + unif() - 0.5;
            tot += res[(1 + j) * T + t];
        }
        res[t] = tot + unif() - 0.5;
    }
    base(M, fc);
    const hz_hierarchy H = {M, NB, S, NULL};
    struct rlimit old;
    size_t vm = vm_bytes();
    const int methods[5] = {HZ_RECON_BU, HZ_RECON_TD, HZ_RECON_OLS,
                            HZ_RECON_WLS, HZ_RECON_MINT};
    /* a sanitizer's shadow memory takes terabytes of address space */
    if (vm == 0 || vm > ((size_t)64 << 30) ||
        getrlimit(RLIMIT_AS, &old) != 0) {
        printf("# address space unknown or reserved: not limited\n");
    } else {
        for (int k = 0; k < 5; k++) {
            struct rlimit lim = old;
            lim.rlim_cur = vm_bytes() + ((rlim_t)24 << 20);
            if (old.rlim_cur != RLIM_INFINITY && old.rlim_cur < lim.rlim_cur)
                lim.rlim_cur = old.rlim_cur;
            HZ_CHECK(setrlimit(RLIMIT_AS, &lim) == 0);
            hz_error err;
            hz_error_clear(&err);
            hz_status st = hz_reconcile(&H, methods[k], NULL, 0, res, T, fc,
                                        NULL, &err);
            setrlimit(RLIMIT_AS, &old);
            if (st != HZ_OK)
                printf("# %s: %s\n", hz_recon_name(methods[k]), err.msg);
            HZ_CHECK(st == HZ_OK);
            double sum = 0;
            for (size_t j = 0; j < NB; j++)
                sum += fc[1 + j]->mean[0];
            HZ_CHECK(fc[0]->mean[0] == sum);
        }
    }
    for (size_t i = 0; i < M; i++)
        hz_forecast_free(fc[i]);
    free(fc);
    free(S);
    free(res);
}
