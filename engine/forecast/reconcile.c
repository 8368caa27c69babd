/* Forecast reconciliation (include/horizon/reconcile.h), with GSL's
 * BLAS (bound to OpenBLAS) and a small Cholesky of its own. */
#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>

#include "forecast/fc_internal.h"
#include "horizon/reconcile.h"
#include "numeric/blas_serial.h"
#include "numeric/gsl_init.h"

static const char *const NAMES[] = {"none", "bu",   "td",    "ols",
                                    "wls",  "mint", "mint-h"};

bool hz_recon_parse(const char *s, int *out)
{
    for (int i = 0; i <= HZ_RECON_MINT_H; i++)
        if (strcmp(s, NAMES[i]) == 0) {
            *out = i;
            return true;
        }
    return false;
}

const char *hz_recon_name(int method)
{
    return method >= 0 && method <= HZ_RECON_MINT_H ? NAMES[method]
                                                    : "unknown";
}

/* How the error columns hang together: blocks of bsize columns (one
 * forecast origin's steps) in time order, blocks up to lags apart sharing
 * targets (the errors of origins less than h apart overlap); u: scratch
 * of one double per block. */
typedef struct blocking {
    size_t bsize, lags;
    double *u;
} blocking;

/* Schafer & Strimmer's estimate of the variance of the sample second
 * moment r_ij = sum_k x_k / N, x_k the products of the scaled errors at
 * the N complete columns cols[].  The errors of one origin (a block) and
 * of origins less than h apart are not independent: the variance is
 * Newey & West's with Bartlett weights over the block sums u_b = X_b -
 * N_b r (as Diebold & Mariano's for h-step errors, lags h - 1),
 * nb / (nb - 1) (sum_b u_b^2 + 2 sum_l (1 - l / (L + 1)) sum_b u_b
 * u_b+l) / N^2, nb the non-empty blocks; with blocks of one column and no
 * lags it is hts' (1 / (N (N - 1))) sum_k (x_k - r)^2.  NAN with fewer
 * than 2 blocks. */
static double corr_var(const double *xi, const double *xj, double si,
                       double sj, const size_t *cols, size_t nc,
                       const blocking *bl)
{
    double n = (double)nc, r = 0.0, ss = 0.0;
    size_t nblk = cols[nc - 1] / bl->bsize + 1, blocks = 0;
    for (size_t k = 0; k < nc; k++)
        r += xi[cols[k]] / si * xj[cols[k]] / sj;
    r /= n;
    for (size_t b = 0; b < nblk; b++)
        bl->u[b] = 0.0;
    for (size_t k = 0; k < nc; k++) {
        size_t b = cols[k] / bl->bsize;
        blocks += k == 0 || cols[k - 1] / bl->bsize != b;
        bl->u[b] += xi[cols[k]] / si * xj[cols[k]] / sj - r;
    }
    for (size_t l = 0; l <= bl->lags && l < nblk; l++) {
        double w = l == 0 ? 1.0 : 2.0 * (1.0 - (double)l / (bl->lags + 1.0));
        for (size_t b = 0; b + l < nblk; b++)
            ss += w * bl->u[b] * bl->u[b + l];
    }
    if (blocks < 2)
        return NAN;
    return (double)blocks / (double)(blocks - 1) * ss / (n * n);
}

/* Each node's count k[i] of residuals (of T) and the largest, *kmax: the
 * first node without one, or m. */
static size_t count_residuals(const double *res, size_t m, size_t T, size_t *k,
                              size_t *kmax)
{
    size_t bad = m;
    *kmax = 0;
    for (size_t i = 0; i < m; i++) {
        for (size_t t = 0; t < T; t++)
            k[i] += isfinite(res[i * T + t]) != 0;
        *kmax = k[i] > *kmax ? k[i] : *kmax;
        if (k[i] == 0 && bad == m)
            bad = i;
    }
    return bad;
}

/* The periods (into cols; their number returned) where every node joined
 * to the common span (with at least half of the most residuals) has one. */
static size_t common_span(const double *res, size_t m, size_t T,
                          const size_t *k, size_t kmax, size_t *cols)
{
    size_t nc = 0;
    for (size_t t = 0; t < T; t++) {
        int ok = 1;
        for (size_t i = 0; i < m && ok; i++)
            ok = 2 * k[i] < kmax || isfinite(res[i * T + t]);
        if (ok)
            cols[nc++] = t;
    }
    return nc;
}

/* The residual covariance and its shrinkage towards the diagonal
 * (Schafer & Strimmer, hts' shrink.estim) as m x m matrices, for
 * mint-h's later steps (every other method: residual_moments, the same
 * numbers from factors): cov (m x m) and shrunk;
 * returns lambda.  The nodes with residuals at least half as many as the
 * node with the most (every node, when their histories are as long)
 * share a common span, the periods where each of them has one: their
 * covariance is crossprod / T over it, as hts, and lambda is estimated
 * from their correlations.  A node with fewer (a history that starts
 * later: a product launched since) would leave too short a span for all:
 * it gets the mean square of its own residuals and no correlation with
 * the others (the shrinkage target's).  NAN with *bad = a node without a
 * residual, with *bad = m when the common span has fewer than 2
 * periods, or with *bad = SIZE_MAX out of memory (until 2026-12-07 taken
 * for too short a span, and bu, td and ols went on with uncorrelated
 * bounds). */
static double residual_cov(const double *res, size_t m, size_t T,
                           gsl_matrix *cov, gsl_matrix *shrunk, size_t *bad)
{
    size_t *cols = malloc((T ? T : 1) * sizeof *cols), nc = 0;
    size_t *k = calloc(m ? m : 1, sizeof *k), kmax = 0;
    blocking bl = {1, 0, malloc((T ? T : 1) * sizeof(double))};
    double lambda = NAN;
    *bad = m;
    if (cols == NULL || k == NULL || bl.u == NULL) {
        *bad = SIZE_MAX;
        goto out;
    }
    *bad = count_residuals(res, m, T, k, &kmax);
    if (*bad < m)
        goto out;
#define JOINED(i) (2 * k[i] >= kmax)
    nc = common_span(res, m, T, k, kmax, cols);
    if (nc < 2)
        goto out;
    double n = (double)nc, num = 0.0, den = 0.0;
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j <= i; j++) {
            double s = 0.0;
            if (JOINED(i) && JOINED(j)) {
                for (size_t c = 0; c < nc; c++)
                    s += res[i * T + cols[c]] * res[j * T + cols[c]];
                s /= n;
            } else if (i == j) { /* its own residuals */
                for (size_t t = 0; t < T; t++)
                    s += isfinite(res[i * T + t])
                             ? res[i * T + t] * res[i * T + t]
                             : 0.0;
                s /= (double)k[i];
            }
            gsl_matrix_set(cov, i, j, s);
            gsl_matrix_set(cov, j, i, s);
        }
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < i; j++) {
            double si = sqrt(gsl_matrix_get(cov, i, i));
            double sj = sqrt(gsl_matrix_get(cov, j, j));
            if (!(si > 0 && sj > 0) || !JOINED(i) || !JOINED(j))
                continue;
            double r = gsl_matrix_get(cov, i, j) / (si * sj);
            num += 2 *
                   corr_var(res + i * T, res + j * T, si, sj, cols, nc, &bl);
            den += 2 * r * r;
        }
#undef JOINED
    lambda = den > 0 ? num / den : 1.0;
    lambda = lambda < 0 ? 0 : lambda > 1 ? 1 : lambda;
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < m; j++)
            gsl_matrix_set(shrunk, i, j,
                           (i == j ? 1.0 : 1.0 - lambda) *
                               gsl_matrix_get(cov, i, j));
out:
    free(cols);
    free(k);
    free(bl.u);
    return lambda;
}

/* Cholesky factor A = L L' in place (lower triangle); 0, or 1 + the
 * column whose pivot is not positive when A is not positive definite
 * (written here rather than GSL's, whose default error handler would
 * abort the process on such a matrix). */
static size_t chol(gsl_matrix *A)
{
    size_t n = A->size1;
    for (size_t j = 0; j < n; j++) {
        double d = gsl_matrix_get(A, j, j);
        for (size_t k = 0; k < j; k++)
            d -= gsl_matrix_get(A, j, k) * gsl_matrix_get(A, j, k);
        if (!(d > 1e-14 * fabs(gsl_matrix_get(A, j, j))) || !(d > 0))
            return j + 1;
        d = sqrt(d);
        gsl_matrix_set(A, j, j, d);
        for (size_t i = j + 1; i < n; i++) {
            double v = gsl_matrix_get(A, i, j);
            for (size_t k = 0; k < j; k++)
                v -= gsl_matrix_get(A, i, k) * gsl_matrix_get(A, j, k);
            gsl_matrix_set(A, i, j, v / d);
        }
    }
    return 0;
}

/* chol's factor and test by GSL's blocked Cholesky (Level 3 BLAS: the
 * large W of a hierarchy of thousands of series, where chol's loops took
 * minutes): 0, or 1 when a pivot is not positive or, relative to its
 * diagonal element, below chol's bound (the column is not told);
 * SIZE_MAX on ENOMEM. */
static size_t chol_blocked(gsl_matrix *A)
{
    size_t n = A->size1;
    double *diag = malloc((n ? n : 1) * sizeof *diag);
    if (diag == NULL)
        return SIZE_MAX;
    for (size_t j = 0; j < n; j++)
        diag[j] = gsl_matrix_get(A, j, j);
    size_t bad = gsl_linalg_cholesky_decomp1(A) != GSL_SUCCESS;
    for (size_t j = 0; j < n && !bad; j++) {
        double d = gsl_matrix_get(A, j, j);
        d *= d;
        bad = !(d > 1e-14 * fabs(diag[j])) || !(d > 0);
    }
    free(diag);
    return bad;
}

/* A node whose variance in W is at most this fraction of the largest
 * node's is taken as perfectly forecast (zero: a product that never sold,
 * a constant series): its base forecast is kept (fixed_G). */
#define FIXED_VAR 1e-12

/* Whether node i's variance in W is (next to) zero. */
static bool is_fixed(const gsl_matrix *W, size_t i, double maxv)
{
    return !(gsl_matrix_get(W, i, i) > FIXED_VAR * maxv);
}

static double max_diag(const gsl_matrix *W)
{
    double v = 0.0;
    for (size_t i = 0; i < W->size1; i++)
        v = gsl_matrix_get(W, i, i) > v ? gsl_matrix_get(W, i, i) : v;
    return v;
}

/* G with W singular: the form of Wickramasuriya, Athanasopoulos & Hyndman
 * (2019, eq. 9) that needs U'WU invertible, not W:
 * G = J - J W U (U'W U)^-1 U', U' = [I | -C] the na = m - nb aggregates'
 * constraints (C their rows of S), J = [0 | I] the bottom rows.  It is
 * the limit of the GLS G as the variances of the perfectly forecast
 * nodes (fixed) go to zero: their rows and columns of W are zeroed, and
 * the reconciled forecasts are those of GLS among the other nodes under
 * the constraint that every fixed node keeps its base forecast (a fixed
 * bottom node's row of G picks its own base forecast exactly).  A fixed
 * aggregate whose constraint the other fixed nodes' already make (its
 * bottom series all fixed; a region that is the whole total) is let go:
 * it gets the mean variance of the free nodes, and its forecast is the
 * sum the others fix.  -1 with *bad the aggregate node whose constraint
 * depends on the others' (U'WU singular), -2 on ENOMEM. */
/* The bottom series under each aggregate i < na, as compressed rows:
 * (*idx)[(*off)[i] .. (*off)[i + 1]) (S is mostly zeros: walking these
 * lists instead of S's rows makes fixed_G's products O(m x nnz), where
 * nnz is about nb x the number of levels).  0, or -2 on ENOMEM. */
static int agg_leaves(const hz_hierarchy *H, size_t **off, size_t **idx)
{
    size_t na = H->m - H->nb, nb = H->nb, nnz = 0;
    for (size_t i = 0; i < na * nb; i++)
        nnz += H->S[i] != 0;
    *off = malloc((na + 1) * sizeof **off);
    *idx = malloc((nnz ? nnz : 1) * sizeof **idx);
    if (*off == NULL || *idx == NULL)
        return -2;
    nnz = 0;
    for (size_t i = 0; i < na; i++) {
        (*off)[i] = nnz;
        for (size_t j = 0; j < nb; j++)
            if (H->S[i * nb + j] != 0)
                (*idx)[nnz++] = j;
    }
    (*off)[na] = nnz;
    return 0;
}

/* M = U'WU (na x na, symmetric) from W2 by way of WU = W2 U (m x na):
 * WU = W2[:, :na] - W2[:, na:] C', M = WU[:na, :] - C WU[na:, :], with C
 * the aggregates' rows of S walked as the lists of agg_leaves. */
static void constraint_cov(const hz_hierarchy *H, const gsl_matrix *W2,
                           const size_t *off, const size_t *idx,
                           gsl_matrix *WU, gsl_matrix *M)
{
    size_t m = H->m, na = m - H->nb;
    for (size_t r = 0; r < m; r++) {
        const double *w = W2->data + r * W2->tda;
        for (size_t l = 0; l < na; l++) {
            double v = w[l];
            for (size_t k = off[l]; k < off[l + 1]; k++)
                v -= w[na + idx[k]];
            gsl_matrix_set(WU, r, l, v);
        }
    }
    for (size_t i = 0; i < na; i++)
        for (size_t l = 0; l < na; l++) {
            double v = gsl_matrix_get(WU, i, l);
            for (size_t k = off[i]; k < off[i + 1]; k++)
                v -= gsl_matrix_get(WU, na + idx[k], l);
            gsl_matrix_set(M, i, l, v);
        }
    for (size_t i = 0; i < na; i++)
        for (size_t l = 0; l < i; l++) {
            double v = 0.5 *
                       (gsl_matrix_get(M, i, l) + gsl_matrix_get(M, l, i));
            gsl_matrix_set(M, i, l, v);
            gsl_matrix_set(M, l, i, v);
        }
}

/* Factor M = L L' in place (chol_blocked); where M is not positive
 * definite, chol on the copy Mc finds the column.  0, 1 + that column, or
 * SIZE_MAX on ENOMEM. */
static size_t chol_pivot(gsl_matrix *M, gsl_matrix *Mc)
{
    gsl_matrix_memcpy(Mc, M);
    size_t c = chol_blocked(M);
    if (c == 0 || c == SIZE_MAX)
        return c;
    c = chol(Mc);
    return c ? c : 1; /* the two tests agree; keep it a failure anyway */
}

/* G with W singular: the form of Wickramasuriya, Athanasopoulos & Hyndman
 * (2019, eq. 9) that needs U'WU invertible, not W:
 * G = J - J W U (U'W U)^-1 U', U' = [I | -C] the na = m - nb aggregates'
 * constraints (C their rows of S), J = [0 | I] the bottom rows.  It is
 * the limit of the GLS G as the variances of the perfectly forecast
 * nodes (fixed) go to zero: their rows and columns of W are zeroed, and
 * the reconciled forecasts are those of GLS among the other nodes under
 * the constraint that every fixed node keeps its base forecast (a fixed
 * bottom node's row of G picks its own base forecast exactly).  A fixed
 * aggregate whose constraint the other fixed nodes' already make (its
 * bottom series all fixed; a region that is the whole total) is let go:
 * it gets the mean variance of the free nodes, and its forecast is the
 * sum the others fix.  -1 with *bad the aggregate node whose constraint
 * depends on the others' (U'WU singular), -2 on ENOMEM. */
static int fixed_G(const hz_hierarchy *H, const gsl_matrix *W, gsl_matrix *G,
                   size_t *bad)
{
    size_t m = H->m, nb = H->nb, na = m - nb;
    double maxv = max_diag(W), free_sum = 0.0;
    size_t nfree = 0, *off = NULL, *idx = NULL;
    gsl_matrix_set_zero(G);
    for (size_t j = 0; j < nb; j++)
        gsl_matrix_set(G, j, na + j, 1.0);
    if (na == 0)
        return 0;
    gsl_matrix *W2 = gsl_matrix_alloc(m, m), *WU = gsl_matrix_alloc(m, na);
    gsl_matrix *M = gsl_matrix_alloc(na, na), *X = gsl_matrix_alloc(na, m);
    gsl_matrix *Mc = gsl_matrix_alloc(na, na);
    int rc = -2;
    if (W2 == NULL || WU == NULL || M == NULL || X == NULL || Mc == NULL ||
        agg_leaves(H, &off, &idx) != 0)
        goto out;
    gsl_matrix_memcpy(W2, W);
    for (size_t i = 0; i < m; i++) {
        if (!is_fixed(W, i, maxv)) {
            free_sum += gsl_matrix_get(W, i, i);
            nfree++;
            continue;
        }
        for (size_t k = 0; k < m; k++) {
            gsl_matrix_set(W2, i, k, 0.0);
            gsl_matrix_set(W2, k, i, 0.0);
        }
    }
    const double letgo = nfree ? free_sum / (double)nfree : 1.0;
    for (size_t i = 0; i < na; i++) {
        int all = is_fixed(W, i, maxv);
        for (size_t k = off[i]; all && k < off[i + 1]; k++)
            all = is_fixed(W, na + idx[k], maxv);
        if (all)
            gsl_matrix_set(W2, i, i, letgo);
    }
    for (size_t tries = 0;; tries++) {
        constraint_cov(H, W2, off, idx, WU, M);
        size_t piv = chol_pivot(M, Mc);
        if (piv == SIZE_MAX)
            goto out;
        if (piv == 0)
            break;
        *bad = piv - 1;
        /* a fixed aggregate the others already fix: let go, once */
        if (tries >= na || !is_fixed(W, *bad, maxv) ||
            gsl_matrix_get(W2, *bad, *bad) > 0) {
            rc = -1;
            goto out;
        }
        gsl_matrix_set(W2, *bad, *bad, letgo);
    }
    /* X = M^-1 U' = L'^-1 L^-1 [I | -C] */
    gsl_matrix_set_zero(X);
    for (size_t i = 0; i < na; i++) {
        gsl_matrix_set(X, i, i, 1.0);
        for (size_t k = off[i]; k < off[i + 1]; k++)
            gsl_matrix_set(X, i, na + idx[k], -H->S[i * nb + idx[k]]);
    }
    gsl_blas_dtrsm(CblasLeft, CblasLower, CblasNoTrans, CblasNonUnit, 1.0, M,
                   X);
    gsl_blas_dtrsm(CblasLeft, CblasLower, CblasTrans, CblasNonUnit, 1.0, M, X);
    /* G = J - J WU X: a fixed bottom node's row is J's exactly */
    gsl_matrix_const_view JWU = gsl_matrix_const_submatrix(WU, na, 0, nb, na);
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, -1.0, &JWU.matrix, X, 1.0, G);
    rc = 0;
out:
    free(off);
    free(idx);
    gsl_matrix_free(W2);
    gsl_matrix_free(WU);
    gsl_matrix_free(M);
    gsl_matrix_free(Mc);
    gsl_matrix_free(X);
    return rc;
}

/* G (nb x m) of the generalised least-squares methods:
 * (S'W^-1 S)^-1 S'W^-1 with W given (W itself is kept); where a node's
 * variance is (next to) zero or W is singular, fixed_G's limit.  0, -1
 * (singular: *bad the node) or -2 (ENOMEM). */
static int gls_G(const hz_hierarchy *H, const gsl_matrix *W, gsl_matrix *G,
                 size_t *bad)
{
    size_t m = H->m, nb = H->nb;
    double maxv = max_diag(W);
    bool fixed = false;
    for (size_t i = 0; i < m && !fixed; i++)
        fixed = is_fixed(W, i, maxv);
    gsl_matrix_const_view S = gsl_matrix_const_view_array(H->S, m, nb);
    gsl_matrix *WiS = gsl_matrix_alloc(m, nb), *A = gsl_matrix_alloc(nb, nb);
    gsl_matrix *L = gsl_matrix_alloc(m, m);
    int rc = -2;
    size_t c; /* chol_blocked's verdict */
    if (WiS == NULL || A == NULL || L == NULL)
        goto out;
    gsl_matrix_memcpy(L, W);
    c = fixed ? 0 : chol_blocked(L);
    rc = c == SIZE_MAX ? -2 : -1;
    if (fixed || c != 0)
        goto out;
    /* W^-1 S = L'^-1 L^-1 S */
    gsl_matrix_memcpy(WiS, &S.matrix);
    gsl_blas_dtrsm(CblasLeft, CblasLower, CblasNoTrans, CblasNonUnit, 1.0, L,
                   WiS);
    gsl_blas_dtrsm(CblasLeft, CblasLower, CblasTrans, CblasNonUnit, 1.0, L,
                   WiS);
    gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, &S.matrix, WiS, 0.0, A);
    c = chol_blocked(A);
    rc = c == SIZE_MAX ? -2 : -1;
    if (c != 0)
        goto out;
    /* G' = W^-1 S A^-1 = W^-1 S La'^-1 La^-1 */
    gsl_blas_dtrsm(CblasRight, CblasLower, CblasTrans, CblasNonUnit, 1.0, A,
                   WiS);
    gsl_blas_dtrsm(CblasRight, CblasLower, CblasNoTrans, CblasNonUnit, 1.0, A,
                   WiS);
    gsl_matrix_transpose_memcpy(G, WiS);
    rc = 0;
out:
    gsl_matrix_free(WiS);
    gsl_matrix_free(A);
    gsl_matrix_free(L);
    return rc == -1 ? fixed_G(H, W, G, bad) : rc;
}

/* Reconciled points and bounds of every node at steps s0..s1-1: the
 * bottom forecasts G y^, every node the sum of its bottom ones (so the
 * levels add up to the last bit when summed in bottom order); variances
 * from P = S G and the base covariance at step s (the bounds and the
 * correlations of C).  The bounds keep the shape of the node's base
 * bounds: each base bound's distance from the base point, in base
 * standard deviations, is laid off from the reconciled point in
 * reconciled ones (the reconciled distribution the base one moved and
 * scaled).  Normal base bounds (mean -/+ z sd) stay normal; the skewed
 * bounds of intermittent demand (0 with the chance of no demand, a
 * demand size above) stay skewed: until 2026-12-07 every
 * node's bounds were rebuilt as normal ones, which cut the upper
 * bounds of zero-heavy series (95% bounds of generated intermittent
 * demand covered 0.90 of outcomes instead of the base's 0.95), and bu
 * changed its own bottom series' bounds.  Bounds of zero width (no
 * spread known) are normal around the point.  A node whose reconciled
 * forecast takes in a base forecast without bounds (NaN: one
 * observation) has no bounds either (NaN): its variance is unknown,
 * not that node's taken as zero.  With m x m matrices: td and mint-h's
 * later steps (the other methods: apply_lr, from W's factors). */
static int apply_P(const hz_hierarchy *H, const gsl_matrix *G,
                   const gsl_matrix *P, const gsl_matrix *C,
                   hz_forecast *const *fc, size_t s0, size_t s1)
{
    size_t m = H->m, nl = fc[0]->nlevels, L = 0;
    for (size_t l = 1; l < nl; l++)
        L = fc[0]->levels[l] > fc[0]->levels[L] ? l : L;
    double zL = nl ? hz__qnorm(0.5 + fc[0]->levels[L] / 200.0) : 1.0;
    gsl_matrix *Sg = gsl_matrix_alloc(m, m), *T1 = gsl_matrix_alloc(m, m);
    gsl_vector *y = gsl_vector_alloc(m), *yr = gsl_vector_alloc(m);
    double *bt = malloc(H->nb * sizeof *bt);
    bool *unknown = calloc(m, sizeof *unknown); /* no base bounds */
    /* the base bounds' distances from the point in base standard
     * deviations (lower, upper for each level), NAN for normal ones */
    double *off = malloc((m * nl > 0 ? 2 * m * nl : 1) * sizeof *off);
    /* each node's standard deviation at the step, the square roots of
     * C's diagonal (the same numbers as computed pair by pair, once) */
    double *sdv = malloc(m * sizeof *sdv), *rc_sqrt = malloc(m * sizeof *sdv);
    int rc = Sg && T1 && y && yr && bt && unknown && off && sdv && rc_sqrt
                 ? 0
                 : -1;
    for (size_t i = 0; rc == 0 && C != NULL && i < m; i++)
        rc_sqrt[i] = sqrt(gsl_matrix_get(C, i, i));
    for (size_t s = s0; rc == 0 && s < s1; s++) {
        for (size_t i = 0; i < m; i++) {
            gsl_vector_set(y, i, fc[i]->mean[s]);
            double sd_i = nl ? (fc[i]->upper[L][s] - fc[i]->lower[L][s]) /
                                   (2 * zL)
                             : 0.0;
            unknown[i] = !isfinite(sd_i);
            for (size_t l = 0; l < nl; l++) {
                double mu = fc[i]->mean[s], lo = fc[i]->lower[l][s];
                bool spread = sd_i > 0 && isfinite(sd_i);
                off[2 * (i * nl + l)] = spread ? (mu - lo) / sd_i : NAN;
                off[2 * (i * nl + l) + 1] = spread
                                                ? (fc[i]->upper[l][s] - mu) /
                                                      sd_i
                                                : NAN;
            }
            sdv[i] = sd_i;
        }
        for (size_t i = 0; i < m; i++) {
            const double sd_i = sdv[i];
            const double *Ci = C ? C->data + i * C->tda : NULL;
            for (size_t j = 0; j <= i; j++) {
                const double sd_j = sdv[j];
                double c = Ci ? Ci[j] / (rc_sqrt[i] * rc_sqrt[j]) : (i == j);
                if (!isfinite(c))
                    c = i == j;
                double v = c * (isfinite(sd_i) ? sd_i : 0) *
                           (isfinite(sd_j) ? sd_j : 0);
                Sg->data[i * Sg->tda + j] = v;
                Sg->data[j * Sg->tda + i] = v;
            }
        }
        gsl_vector_view b = gsl_vector_subvector(yr, 0, H->nb);
        gsl_blas_dgemv(CblasNoTrans, 1.0, G, y, 0.0, &b.vector);
        for (size_t j = 0; j < H->nb; j++)
            bt[j] = gsl_vector_get(yr, j);
        for (size_t i = 0; i < m; i++) {
            double sum = 0.0;
            for (size_t j = 0; j < H->nb; j++)
                if (H->S[i * H->nb + j] != 0)
                    sum += bt[j];
            gsl_vector_set(yr, i, sum);
        }
        gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, P, Sg, 0.0, T1);
        for (size_t i = 0; i < m; i++) {
            /* the variance: row i of T1 = P Sg times row i of P */
            double var = 0.0;
            for (size_t j = 0; j < m; j++)
                var += gsl_matrix_get(T1, i, j) * gsl_matrix_get(P, i, j);
            double mu = gsl_vector_get(yr, i);
            double sd = sqrt(fmax(var, 0.0));
            for (size_t j = 0; j < m && !isnan(sd); j++)
                if (unknown[j] && gsl_matrix_get(P, i, j) != 0)
                    sd = NAN;
            fc[i]->mean[s] = mu;
            for (size_t l = 0; l < nl; l++) {
                double z = hz__qnorm(0.5 + fc[i]->levels[l] / 200.0);
                double dl = off[2 * (i * nl + l)];
                double du = off[2 * (i * nl + l) + 1];
                dl = isnan(dl) ? z : dl < 0 ? 0.0 : dl;
                du = isnan(du) ? z : du < 0 ? 0.0 : du;
                fc[i]->lower[l][s] = mu - dl * sd;
                fc[i]->upper[l][s] = mu + du * sd;
            }
        }
    }
    free(off);
    free(sdv);
    free(rc_sqrt);
    gsl_matrix_free(Sg);
    gsl_matrix_free(T1);
    gsl_vector_free(y);
    gsl_vector_free(yr);
    free(bt);
    free(unknown);
    return rc;
}

/* A sum that is 0 but for rounding, mag the magnitudes of the n values
 * its rounding comes from: its values cancel out. */
static bool cancels(double s, double mag, size_t n)
{
    return fabs(s) <= 4.0 * (double)(n + 1) * DBL_EPSILON * mag;
}

/* Each node's parent (parent[0] = m for the total): for every bottom
 * series the nodes that hold it, in node order (level by level), are a
 * path down from the total.  -1 when they are not (a node with two
 * parents, or a first node that is not the total holding every bottom
 * series): td needs a tree.  A node with one child shares its bottom
 * series and is still its parent (node order). */
static int td_tree(const hz_hierarchy *H, size_t *parent)
{
    size_t m = H->m, nb = H->nb;
    for (size_t i = 0; i < m; i++)
        parent[i] = SIZE_MAX;
    parent[0] = m;
    for (size_t j = 0; j < nb; j++) {
        size_t prev = SIZE_MAX;
        for (size_t i = 0; i < m; i++) {
            if (H->S[i * nb + j] == 0)
                continue;
            if (prev == SIZE_MAX && i != 0)
                return -1;
            if (prev != SIZE_MAX) {
                if (parent[i] != SIZE_MAX && parent[i] != prev)
                    return -1;
                parent[i] = prev;
            }
            prev = i;
        }
        if (prev != m - nb + j)
            return -1;
    }
    for (size_t i = 0; i < m; i++)
        if (parent[i] == SIZE_MAX)
            return -1;
    return 0;
}

/* Why td has no G at a step: the parent whose children's base forecasts
 * cancel out, the child named, its forecast, their sum and (when they
 * nearly cancel) their magnitudes. */
typedef struct td_fail {
    size_t node, child, step;
    double sum, gross, val;
} td_fail;

/* Top-down by forecast proportions at step s (Athanasopoulos, Ahmed &
 * Hyndman 2009; fable's top_down() default, hts' "tdfp"): share[0..m)
 * the nodes' shares of the total's forecast.  Each node's share of its
 * parent's is its base forecast over the sum of its siblings' (the
 * parent's children's), a node's share of the total the product of
 * those down its path; G's column 0 holds the bottom series' shares, so
 * that they are the total's forecast split as their own base forecasts
 * are at that step.  A product that stopped selling,
 * whose base forecast is 0, gets none of it (the historical proportions
 * td used until 2026-12-07 gave it its share of the whole history).
 * Children whose forecasts are all 0 share equally; children whose
 * forecasts sum to 0 but for rounding, or to less than 1/TD_GROSS of
 * their magnitudes (sales and their returns), have no useful
 * proportions: 1 with *f saying where, 0 otherwise. */
#define TD_GROSS 10.0
static int td_G(const hz_hierarchy *H, const size_t *parent,
                hz_forecast *const *fc, size_t s, double *share, double *cs,
                double *gross, size_t *nch, td_fail *f)
{
    size_t m = H->m;
    for (size_t i = 0; i < m; i++) {
        cs[i] = gross[i] = 0.0;
        nch[i] = 0;
    }
    for (size_t c = 1; c < m; c++) {
        size_t a = parent[c];
        cs[a] += fc[c]->mean[s];
        gross[a] += fabs(fc[c]->mean[s]);
        nch[a]++;
    }
    share[0] = 1.0;
    for (size_t c = 1; c < m; c++) {
        size_t a = parent[c];
        double y = fc[c]->mean[s];
        if (gross[a] == 0) {
            share[c] = share[a] / (double)nch[a];
            continue;
        }
        bool none = cs[a] == 0 || cancels(cs[a], gross[a], nch[a]);
        bool near = !none && gross[a] > TD_GROSS * fabs(cs[a]);
        if (none || near) {
            /* name the first child with a forecast (none), the largest
             * (near) */
            size_t pick = m;
            for (size_t k = 1; k < m; k++)
                if (parent[k] == a &&
                    (pick == m ? fc[k]->mean[s] != 0
                               : near && fabs(fc[k]->mean[s]) >
                                             fabs(fc[pick]->mean[s])))
                    pick = k;
            *f = (td_fail){
                a, pick, s, cs[a], near ? gross[a] : 0.0, fc[pick]->mean[s]};
            return 1;
        }
        share[c] = share[a] * (y / cs[a]);
    }
    return 0;
}

/* The top-down failure said (HZ_ENOCONV). */
static hz_status td_error(const hz_hierarchy *H, const td_fail *f,
                          hz_error *err)
{
    char a[32], c[32];
    snprintf(a, sizeof a, "%zu", f->node);
    snprintf(c, sizeof c, "%zu", f->child);
    const char *an = H->names ? H->names[f->node] : a;
    const char *cn = H->names ? H->names[f->child] : c;
    if (f->gross > 0)
        return hz_error_set(
            err, HZ_ENOCONV,
            "reconcile: td splits each node's forecast by its children's "
            "forecast proportions, and the base forecasts of the series "
            "under '%s' nearly cancel out at step %zu: they sum to %g, and "
            "come to %g in absolute value, more than %g times that (such "
            "as sales and their returns); '%s' (forecast %g) would get "
            "%.3g times the forecast of '%s' (--reconcile bu, ols or mint "
            "does not split by proportions)",
            an, f->step + 1, f->sum, f->gross, TD_GROSS, cn, f->val,
            f->val / f->sum, an);
    return hz_error_set(
        err, HZ_ENOCONV,
        "reconcile: td splits each node's forecast by its children's "
        "forecast proportions, and the base forecasts of the series under "
        "'%s' sum to %g at step %zu (they cancel out, such as sales and "
        "their returns): '%s' (forecast %g) has no proportion "
        "(--reconcile bu, ols or mint does not split by proportions)",
        an, f->sum, f->step + 1, cn, f->val);
}

size_t hz_recon_origins(size_t h, int period)
{
    return h < 2 ? 0 : h - 1 + (period > 5 ? (size_t)period : 5);
}

/* Shrinkage of the step errors' second moments toward mint's assumption
 * W_s = k W_1: on the scale of W_1's standard deviations d, M the
 * sample's second moments, R_1 W_1's correlations, k the least-squares
 * factor sum M R_1 / sum R_1^2 and lambda = sum Var(M_ij) / sum (M_ij -
 * k R_1,ij)^2 over every i, j (Var by blocks, corr_var), so that
 * lambda 1 is mint's W_1 and 0 the sample's.  shr gets
 * d_i d_j (lambda k R_1 + (1 - lambda) M); returns lambda, NAN with fewer
 * than 2 complete blocks.  Nodes W_1 takes as perfectly forecast (a zero
 * variance: fixed_G) keep zero rows and columns and do not count in the
 * complete columns. */
static double prop_shrink(const double *E, size_t m, size_t N, size_t bsize,
                          size_t lags, const gsl_matrix *W1, gsl_matrix *M,
                          gsl_matrix *shr)
{
    size_t *cols = malloc((N ? N : 1) * sizeof *cols), nc = 0;
    double *d = malloc(m * sizeof *d), lambda = NAN, maxv = max_diag(W1);
    bool *use = malloc(m * sizeof *use); /* not fixed */
    blocking bl = {bsize, lags, malloc((N ? N : 1) * sizeof(double))};
    int bad = cols == NULL || d == NULL || use == NULL || bl.u == NULL;
    for (size_t i = 0; !bad && i < m; i++) {
        use[i] = !is_fixed(W1, i, maxv);
        d[i] = use[i] ? sqrt(gsl_matrix_get(W1, i, i)) : 0.0;
    }
    for (size_t t = 0; !bad && t < N; t++) {
        int ok = 1;
        for (size_t i = 0; i < m && ok; i++)
            ok = !use[i] || isfinite(E[i * N + t]);
        if (ok)
            cols[nc++] = t;
    }
    if (bad || nc < 2)
        goto out;
    double mr = 0.0, rr = 0.0, num = 0.0, den = 0.0;
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < m; j++) {
            gsl_matrix_set(M, i, j, 0.0);
            if (!use[i] || !use[j])
                continue;
            double v = 0.0, r1 = gsl_matrix_get(W1, i, j) / (d[i] * d[j]);
            for (size_t k = 0; k < nc; k++)
                v += E[i * N + cols[k]] * E[j * N + cols[k]];
            gsl_matrix_set(M, i, j, v / ((double)nc * d[i] * d[j]));
            mr += gsl_matrix_get(M, i, j) * r1;
            rr += r1 * r1;
        }
    double kf = rr > 0 ? mr / rr : 1.0;
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < m; j++) {
            if (!use[i] || !use[j])
                continue;
            double r1 = gsl_matrix_get(W1, i, j) / (d[i] * d[j]);
            double dv = gsl_matrix_get(M, i, j) - kf * r1;
            double var = corr_var(E + i * N, E + j * N, d[i], d[j], cols, nc,
                                  &bl);
            num += isfinite(var) ? var : 0.0;
            den += dv * dv;
        }
    lambda = den > 0 ? num / den : 1.0;
    lambda = lambda < 0 ? 0 : lambda > 1 ? 1 : lambda;
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < m; j++) {
            if (!use[i] || !use[j]) { /* fixed */
                gsl_matrix_set(shr, i, j, 0.0);
                continue;
            }
            double r1 = gsl_matrix_get(W1, i, j) / (d[i] * d[j]);
            gsl_matrix_set(shr, i, j,
                           d[i] * d[j] *
                               (lambda * kf * r1 +
                                (1 - lambda) * gsl_matrix_get(M, i, j)));
        }
out:
    free(cols);
    free(d);
    free(use);
    free(bl.u);
    return lambda;
}

/* Step s's (0-based, >= 1) error vectors into E (m rows of cols): step
 * s's from every origin, or steps 0..s's when pooled.  Returns cols. */
static size_t step_errors(const hz_recon_steps *st, size_t m, size_t h,
                          size_t s, double *E)
{
    size_t R = st->R, s0 = st->pooled ? 0 : s, cols = R * (s - s0 + 1);
    for (size_t i = 0; i < m; i++)
        for (size_t r = 0; r < R; r++)
            for (size_t k = s0; k <= s; k++)
                E[i * cols + r * (s - s0 + 1) + (k - s0)] =
                    st->e[(i * R + r) * h + k];
    return cols;
}

/* mint-h's later steps: for s = 1..h-1, W_s (prop_shrink of the step
 * errors) -> G_s, P_s = S G_s, the bounds with the correlations of the
 * step errors' unshrunk second moments (C); where W_s is undefined or
 * singular the previous step's G, P and C stay.
 * G, P, C hold step 0's on entry.  Returns -1 on ENOMEM. */
static int mint_steps(const hz_hierarchy *H, const hz_recon_steps *st,
                      gsl_matrix *G, gsl_matrix *P, const gsl_matrix *W1in,
                      gsl_matrix *C, hz_forecast *const *fc)
{
    size_t m = H->m, nb = H->nb, h = fc[0]->h;
    size_t maxc = st->R * (st->pooled ? h : 1);
    double *E = malloc((m * maxc > 0 ? m * maxc : 1) * sizeof *E);
    gsl_matrix *cov = gsl_matrix_alloc(m, m), *shr = gsl_matrix_alloc(m, m);
    gsl_matrix *Gs = gsl_matrix_alloc(nb, m), *W1 = gsl_matrix_alloc(m, m);
    int rc = E && cov && shr && Gs && W1 ? 0 : -1;
    if (rc == 0)
        gsl_matrix_memcpy(W1, W1in);
    gsl_matrix_const_view S = gsl_matrix_const_view_array(H->S, m, nb);
    for (size_t s = 1; rc == 0 && s < h; s++) {
        size_t cols = step_errors(st, m, h, s, E);
        size_t blk = st->pooled ? s + 1 : 1; /* one origin's steps */
        double lam = prop_shrink(E, m, cols, blk, s, W1, cov, shr);
        size_t bad;
        int g = isnan(lam) ? -1 : gls_G(H, shr, Gs, &bad);
        if (g == 0) {
            gsl_matrix_memcpy(G, Gs);
            gsl_matrix_memcpy(C, cov); /* the bounds: unshrunk */
            gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, &S.matrix, G, 0.0,
                           P);
        }
        rc = g == -2 ? -1 : apply_P(H, G, P, C, fc, s, s + 1);
    }
    free(E);
    gsl_matrix_free(cov);
    gsl_matrix_free(shr);
    gsl_matrix_free(Gs);
    gsl_matrix_free(W1);
    return rc;
}

/* The residuals' second moments in factored form, for every method but
 * td and mint-h (which keep residual_cov's m x m matrices): the same
 * numbers as residual_cov without its two m x m matrices.  F (m x n, n
 * the common span's periods) holds the joined nodes' residuals at those
 * periods (rows of zeros for the others), var each node's mean square
 * (residual_cov's diagonal): cov = F F' / n off the diagonal among the
 * joined nodes, 0 elsewhere. */
typedef struct moments {
    size_t n;
    double *F, *var;
    bool *joined;
} moments;

static void moments_free(moments *mo)
{
    free(mo->F);
    free(mo->var);
    free(mo->joined);
}

/* Schafer & Strimmer's lambda of residual_cov from the n x n Gram matrix
 * of the scaled errors z_ik = F_ik / sqrt(var_i) (joined nodes of
 * positive variance): with blocks of one period and no lags corr_var is
 * nc / (nc - 1) (sum_k x_k^2 - n r^2) / n^2, x_k = z_ik z_jk, so that its
 * sum over the pairs i != j is nc / (nc - 1) / n^2 (sum_k ((sum_i
 * z_ik^2)^2 - sum_i z_ik^4) - n sum r_ij^2), and sum_{i != j} r_ij^2 =
 * (|Z'Z|_F^2 - sum_i |z_i|^4) / n^2: O(m n^2) where the pairs cost
 * O(m^2 n).  -1 (not a lambda) on ENOMEM. */
static double moments_lambda(const moments *mo, size_t m)
{
    size_t n = mo->n;
    gsl_matrix *Z = gsl_matrix_calloc(m, n), *G2 = gsl_matrix_alloc(n, n);
    double *ck = calloc(n, sizeof *ck), *qk = calloc(n, sizeof *qk);
    double lambda = -1.0, diag4 = 0.0, frob = 0.0, cq = 0.0;
    if (Z == NULL || G2 == NULL || ck == NULL || qk == NULL)
        goto out;
    for (size_t i = 0; i < m; i++) {
        double si = sqrt(mo->var[i]), a = 0.0;
        if (!(si > 0) || !mo->joined[i])
            continue;
        for (size_t k = 0; k < n; k++) {
            double z = mo->F[i * n + k] / si;
            gsl_matrix_set(Z, i, k, z);
            a += z * z;
            ck[k] += z * z;
            qk[k] += z * z * z * z;
        }
        diag4 += a * a;
    }
    gsl_blas_dsyrk(CblasLower, CblasTrans, 1.0, Z, 0.0, G2);
    for (size_t k = 0; k < n; k++) {
        for (size_t l = 0; l < k; l++)
            frob += 2.0 * gsl_matrix_get(G2, k, l) * gsl_matrix_get(G2, k, l);
        frob += gsl_matrix_get(G2, k, k) * gsl_matrix_get(G2, k, k);
        cq += ck[k] * ck[k] - qk[k];
    }
    double nn = (double)n, den = (frob - diag4) / (nn * nn);
    double num = nn / (nn - 1.0) * (cq - nn * den) / (nn * nn);
    lambda = den > 0 ? num / den : 1.0;
    lambda = lambda < 0 ? 0 : lambda > 1 ? 1 : lambda;
out:
    gsl_matrix_free(Z);
    gsl_matrix_free(G2);
    free(ck);
    free(qk);
    return lambda;
}

/* residual_cov's verdicts and lambda, its covariance as moments (above):
 * NAN with *bad as residual_cov's. */
static double residual_moments(const double *res, size_t m, size_t T,
                               moments *mo, size_t *bad)
{
    size_t *cols = malloc((T ? T : 1) * sizeof *cols), nc = 0;
    size_t *k = calloc(m ? m : 1, sizeof *k), kmax = 0;
    double lambda = NAN;
    *bad = m;
    mo->var = calloc(m, sizeof *mo->var);
    mo->joined = calloc(m, sizeof *mo->joined);
    if (cols == NULL || k == NULL || mo->var == NULL || mo->joined == NULL)
        goto oom;
    *bad = count_residuals(res, m, T, k, &kmax);
    if (*bad < m)
        goto out;
    for (size_t i = 0; i < m; i++)
        mo->joined[i] = 2 * k[i] >= kmax;
    nc = common_span(res, m, T, k, kmax, cols);
    if (nc < 2)
        goto out;
    mo->n = nc;
    mo->F = calloc(m * nc, sizeof *mo->F);
    if (mo->F == NULL)
        goto oom;
    for (size_t i = 0; i < m; i++) {
        double s = 0.0;
        if (mo->joined[i]) {
            for (size_t c = 0; c < nc; c++) {
                mo->F[i * nc + c] = res[i * T + cols[c]];
                s += res[i * T + cols[c]] * res[i * T + cols[c]];
            }
            s /= (double)nc;
        } else {
            for (size_t t = 0; t < T; t++)
                s += isfinite(res[i * T + t]) ? res[i * T + t] * res[i * T + t]
                                              : 0.0;
            s /= (double)k[i];
        }
        mo->var[i] = s;
    }
    lambda = moments_lambda(mo, m);
    if (lambda < 0)
        goto oom;
    goto out;
oom:
    lambda = NAN;
    *bad = SIZE_MAX;
out:
    free(cols);
    free(k);
    return lambda;
}

/* W = diag(w) + c F F' (F: the moments' m x n, NULL with c = 0), wd W's
 * diagonal (what is_fixed judges); the aggregates' bottom series as
 * agg_leaves' lists, and for each bottom series the aggregates above it
 * (bidx[boff[b] .. boff[b + 1])). */
typedef struct lowrank {
    size_t m, nb, na, n;
    const double *F, *S;
    double c, *w, *wd;
    size_t *off, *idx, *boff, *bidx;
    size_t *self; /* 0, 1, .., nb - 1 */
} lowrank;

/* The constraint form's pieces (fixed_G's, from W's factors): Wc = W2 C'
 * (m x na, C = U' = [I | -A]), M = C W2 C' factored (L, na x na) and
 * Y = S J Wc M^-1 (m x na), so that G = J - J Wc M^-1 C and P = S G =
 * S J - Y C. */
typedef struct lr_solution {
    gsl_matrix *Wc, *M, *Mc, *Y, *CF;
} lr_solution;

static void lr_solution_free(lr_solution *so)
{
    gsl_matrix_free(so->Wc);
    gsl_matrix_free(so->M);
    gsl_matrix_free(so->Mc);
    gsl_matrix_free(so->Y);
    gsl_matrix_free(so->CF);
}

/* The aggregates above each bottom series (transposed agg_leaves). */
static int bottom_aggs(lowrank *lr)
{
    size_t nnz = lr->off[lr->na];
    lr->boff = calloc(lr->nb + 1, sizeof *lr->boff);
    lr->bidx = malloc((nnz ? nnz : 1) * sizeof *lr->bidx);
    if (lr->boff == NULL || lr->bidx == NULL)
        return -2;
    for (size_t k = 0; k < nnz; k++)
        lr->boff[lr->idx[k] + 1]++;
    for (size_t b = 0; b < lr->nb; b++)
        lr->boff[b + 1] += lr->boff[b];
    size_t *fill = calloc(lr->nb ? lr->nb : 1, sizeof *fill);
    if (fill == NULL)
        return -2;
    for (size_t l = 0; l < lr->na; l++)
        for (size_t k = lr->off[l]; k < lr->off[l + 1]; k++) {
            size_t b = lr->idx[k];
            lr->bidx[lr->boff[b] + fill[b]++] = l;
        }
    free(fill);
    return 0;
}

/* Wc = W2 C' and M = C Wc (constraint_cov's, from the factors): W2's
 * diagonal w2, its low-rank part c F2 F2' with F2 = F but for the rows
 * of the fixed nodes (zero: rows in fixed). */
static void lr_constraint(const lowrank *lr, const double *w2,
                          const bool *fixed, lr_solution *so)
{
    size_t m = lr->m, na = lr->na, nb = lr->nb, n = lr->n;
    gsl_matrix_set_zero(so->Wc);
    if (lr->c != 0 && n > 0) {
        /* CF = C F2 (na x n), Wc = c F2 CF' */
        for (size_t l = 0; l < na; l++)
            for (size_t k = 0; k < n; k++) {
                double v = fixed[l] ? 0.0 : lr->F[l * n + k];
                for (size_t q = lr->off[l]; q < lr->off[l + 1]; q++) {
                    size_t r = na + lr->idx[q];
                    v -= fixed[r]
                             ? 0.0
                             : lr->S[l * nb + lr->idx[q]] * lr->F[r * n + k];
                }
                gsl_matrix_set(so->CF, l, k, v);
            }
        for (size_t r = 0; r < m; r++)
            for (size_t l = 0; !fixed[r] && l < na; l++) {
                double v = 0.0;
                for (size_t k = 0; k < n; k++)
                    v += lr->F[r * n + k] * gsl_matrix_get(so->CF, l, k);
                gsl_matrix_set(so->Wc, r, l, lr->c * v);
            }
    }
    for (size_t l = 0; l < na; l++) {
        *gsl_matrix_ptr(so->Wc, l, l) += w2[l];
        for (size_t q = lr->off[l]; q < lr->off[l + 1]; q++) {
            size_t r = na + lr->idx[q];
            *gsl_matrix_ptr(so->Wc, r, l) -= w2[r] *
                                             lr->S[l * nb + lr->idx[q]];
        }
    }
    for (size_t i = 0; i < na; i++)
        for (size_t l = 0; l < na; l++) {
            double v = gsl_matrix_get(so->Wc, i, l);
            for (size_t q = lr->off[i]; q < lr->off[i + 1]; q++)
                v -= lr->S[i * nb + lr->idx[q]] *
                     gsl_matrix_get(so->Wc, na + lr->idx[q], l);
            gsl_matrix_set(so->M, i, l, v);
        }
    for (size_t i = 0; i < na; i++)
        for (size_t l = 0; l < i; l++) {
            double v = 0.5 * (gsl_matrix_get(so->M, i, l) +
                              gsl_matrix_get(so->M, l, i));
            gsl_matrix_set(so->M, i, l, v);
            gsl_matrix_set(so->M, l, i, v);
        }
}

/* The bottom series under node i: bs[*lo .. *hi) (an aggregate's list,
 * a bottom node's own). */
static const size_t *node_bottoms(const lowrank *lr, size_t i, size_t *lo,
                                  size_t *hi)
{
    if (i < lr->na) {
        *lo = lr->off[i];
        *hi = lr->off[i + 1];
        return lr->idx;
    }
    *lo = i - lr->na;
    *hi = *lo + 1;
    return lr->self;
}

/* fixed_G's constraint form from W's factors: the fixed nodes' rows and
 * columns of W zeroed, a fixed aggregate the others already fix let go
 * (once), M factored, Y = S J Wc M^-1.  0, -1 with *bad the aggregate
 * whose constraint depends on the others', -2 on ENOMEM. */
static int lr_solve(const lowrank *lr, lr_solution *so, size_t *bad)
{
    size_t m = lr->m, na = lr->na, nb = lr->nb;
    double maxv = 0.0, free_sum = 0.0;
    size_t nfree = 0;
    for (size_t i = 0; i < m; i++)
        maxv = lr->wd[i] > maxv ? lr->wd[i] : maxv;
    double *w2 = calloc(m ? m : 1, sizeof *w2);
    bool *fixed = calloc(m ? m : 1, sizeof *fixed);
    so->Wc = gsl_matrix_alloc(m, na ? na : 1);
    so->M = gsl_matrix_alloc(na ? na : 1, na ? na : 1);
    so->Mc = gsl_matrix_alloc(na ? na : 1, na ? na : 1);
    so->Y = gsl_matrix_alloc(m, na ? na : 1);
    so->CF = gsl_matrix_alloc(na ? na : 1, lr->n ? lr->n : 1);
    int rc = -2;
    if (!w2 || !fixed || !so->Wc || !so->M || !so->Mc || !so->Y || !so->CF)
        goto out;
    for (size_t i = 0; i < m; i++) {
        fixed[i] = !(lr->wd[i] > FIXED_VAR * maxv);
        w2[i] = fixed[i] ? 0.0 : lr->w[i];
        if (!fixed[i]) {
            free_sum += lr->wd[i];
            nfree++;
        }
    }
    const double letgo = nfree ? free_sum / (double)nfree : 1.0;
    for (size_t i = 0; i < na; i++) {
        bool all = fixed[i];
        for (size_t k = lr->off[i]; all && k < lr->off[i + 1]; k++)
            all = fixed[na + lr->idx[k]];
        if (all)
            w2[i] = letgo;
    }
    for (size_t tries = 0; na > 0; tries++) {
        lr_constraint(lr, w2, fixed, so);
        size_t piv = chol_pivot(so->M, so->Mc);
        if (piv == SIZE_MAX)
            goto out;
        if (piv == 0)
            break;
        *bad = piv - 1;
        if (tries >= na || *bad >= m || !fixed[*bad] || w2[*bad] > 0) {
            rc = -1;
            goto out;
        }
        w2[*bad] = letgo;
    }
    /* Y = S J Wc M^-1 = (S J Wc) L'^-1 L^-1 */
    gsl_matrix_set_zero(so->Y);
    for (size_t i = 0; na > 0 && i < m; i++) {
        double *yi = so->Y->data + i * so->Y->tda;
        size_t lo, hi;
        const size_t *bs = node_bottoms(lr, i, &lo, &hi);
        for (size_t q = lo; q < hi; q++) {
            double s = lr->S[i * nb + bs[q]];
            const double *wb = so->Wc->data + (na + bs[q]) * so->Wc->tda;
            for (size_t l = 0; l < na; l++)
                yi[l] += s * wb[l];
        }
    }
    if (na > 0) {
        gsl_blas_dtrsm(CblasRight, CblasLower, CblasTrans, CblasNonUnit, 1.0,
                       so->M, so->Y);
        gsl_blas_dtrsm(CblasRight, CblasLower, CblasNoTrans, CblasNonUnit, 1.0,
                       so->M, so->Y);
    }
    rc = 0;
out:
    free(w2);
    free(fixed);
    return rc;
}

/* Node i's row of P = S J - Y C at column j (Y NULL: bottom-up's P = S
 * J). */
static double lr_P(const lowrank *lr, const gsl_matrix *Y, size_t i, size_t j)
{
    size_t na = lr->na, nb = lr->nb;
    double p = j >= na ? lr->S[i * nb + (j - na)] : 0.0;
    if (Y == NULL || na == 0)
        return p;
    const double *yi = Y->data + i * Y->tda;
    if (j < na)
        return p - yi[j];
    double yc = 0.0;
    for (size_t q = lr->boff[j - na]; q < lr->boff[j - na + 1]; q++)
        yc -= yi[lr->bidx[q]] * lr->S[lr->bidx[q] * nb + (j - na)];
    return p - yc;
}

/* Scratch of apply_lr. */
typedef struct lr_step {
    double *y, *bt, *yr, *sdv, *e, *off, *z;
    bool *unknown;
    size_t *need, nneed;
    gsl_matrix *Z, *PZ, *CZ;
} lr_step;

/* The step's base: points y, standard deviations sdv (NAN: no bounds,
 * unknown), the bounds' distances off (apply_P's); Z = Ds Q, the base
 * covariance's low-rank part (Q the joined nodes' errors scaled to unit
 * mean square: their sample correlations Q Q'), e its diagonal part (the
 * other nodes' variances, every node's without moments). */
static void lr_base(const lowrank *lr, const moments *mo,
                    hz_forecast *const *fc, size_t s, lr_step *w)
{
    size_t m = lr->m, nl = fc[0]->nlevels, L = 0, n = mo ? mo->n : 0;
    for (size_t l = 1; l < nl; l++)
        L = fc[0]->levels[l] > fc[0]->levels[L] ? l : L;
    double zL = nl ? hz__qnorm(0.5 + fc[0]->levels[L] / 200.0) : 1.0;
    w->nneed = 0;
    for (size_t i = 0; i < m; i++) {
        w->y[i] = fc[i]->mean[s];
        double sd_i = nl ? (fc[i]->upper[L][s] - fc[i]->lower[L][s]) / (2 * zL)
                         : 0.0;
        w->unknown[i] = !isfinite(sd_i);
        for (size_t l = 0; l < nl; l++) {
            double mu = fc[i]->mean[s], lo = fc[i]->lower[l][s];
            bool spread = sd_i > 0 && isfinite(sd_i);
            w->off[2 * (i * nl + l)] = spread ? (mu - lo) / sd_i : NAN;
            w->off[2 * (i * nl + l) + 1] = spread ? (fc[i]->upper[l][s] - mu) /
                                                        sd_i
                                                  : NAN;
        }
        w->sdv[i] = sd_i;
        double sd0 = isfinite(sd_i) ? sd_i : 0.0;
        double rs = mo ? sqrt(mo->var[i]) : 0.0;
        bool corr = mo && mo->joined[i] && rs > 0 && isfinite(rs);
        for (size_t k = 0; k < n; k++)
            gsl_matrix_set(
                w->Z, i, k,
                corr ? mo->F[i * n + k] / (sqrt((double)n) * rs) * sd0 : 0.0);
        w->e[i] = corr ? 0.0 : sd0 * sd0;
        if (w->e[i] != 0 || w->unknown[i])
            w->need[w->nneed++] = i;
    }
}

/* The step's reconciled points: bottom ones bt = J (y - Wc M^-1 C y)
 * (bottom-up's y's bottom part without so), every node the sum of its
 * bottom ones. */
static void lr_points(const lowrank *lr, const lr_solution *so, lr_step *w)
{
    size_t na = lr->na, nb = lr->nb;
    for (size_t b = 0; b < nb; b++)
        w->bt[b] = w->y[na + b];
    if (so != NULL && na > 0) {
        for (size_t l = 0; l < na; l++) {
            double v = w->y[l];
            for (size_t q = lr->off[l]; q < lr->off[l + 1]; q++)
                v -= lr->S[l * nb + lr->idx[q]] * w->y[na + lr->idx[q]];
            w->z[l] = v;
        }
        gsl_vector_view z = gsl_vector_view_array(w->z, na);
        gsl_blas_dtrsv(CblasLower, CblasNoTrans, CblasNonUnit, so->M,
                       &z.vector);
        gsl_blas_dtrsv(CblasLower, CblasTrans, CblasNonUnit, so->M, &z.vector);
        for (size_t b = 0; b < nb; b++) {
            const double *wb = so->Wc->data + (na + b) * so->Wc->tda;
            double v = 0.0;
            for (size_t l = 0; l < na; l++)
                v += wb[l] * w->z[l];
            w->bt[b] -= v;
        }
    }
    for (size_t i = 0; i < lr->m; i++) {
        size_t lo, hi;
        const size_t *bs = node_bottoms(lr, i, &lo, &hi);
        double sum = 0.0;
        for (size_t q = lo; q < hi; q++)
            sum += w->bt[bs[q]];
        w->yr[i] = sum;
    }
}

/* A node's reconciled point mu and bounds at step s: each base bound's
 * distance off (lower, upper a level, in base standard deviations; NAN:
 * normal) laid off from mu in reconciled standard deviations sd. */
static void write_bounds(hz_forecast *f, size_t s, size_t nl, double mu,
                         double sd, const double *off)
{
    f->mean[s] = mu;
    for (size_t l = 0; l < nl; l++) {
        double z = hz__qnorm(0.5 + f->levels[l] / 200.0);
        double dl = off[2 * l], du = off[2 * l + 1];
        dl = isnan(dl) ? z : dl < 0 ? 0.0 : dl;
        du = isnan(du) ? z : du < 0 ? 0.0 : du;
        f->lower[l][s] = mu - dl * sd;
        f->upper[l][s] = mu + du * sd;
    }
}

/* The step's variances of the reconciled forecasts, diag(P Sg P') with
 * Sg = Z Z' + diag(e): the squared norms of P Z's rows (P Z = S J Z - Y
 * C Z: O(m na n)) and sum_j e_j P_ij^2 over the nodes needing it; NAN
 * where P takes in a node without bounds.  Writes the bounds. */
static void lr_bounds(const lowrank *lr, const lr_solution *so,
                      const moments *mo, hz_forecast *const *fc, size_t s,
                      lr_step *w)
{
    size_t m = lr->m, na = lr->na, nb = lr->nb, n = mo ? mo->n : 0;
    size_t nl = fc[0]->nlevels;
    const gsl_matrix *Y = so ? so->Y : NULL;
    for (size_t k = 0; k < n; k++) {
        for (size_t i = 0; i < m; i++) {
            size_t lo, hi;
            const size_t *bs = node_bottoms(lr, i, &lo, &hi);
            double v = 0.0;
            for (size_t q = lo; q < hi; q++)
                v += lr->S[i * nb + bs[q]] *
                     gsl_matrix_get(w->Z, na + bs[q], k);
            gsl_matrix_set(w->PZ, i, k, v);
        }
        for (size_t l = 0; Y != NULL && l < na; l++) {
            double v = gsl_matrix_get(w->Z, l, k);
            for (size_t q = lr->off[l]; q < lr->off[l + 1]; q++)
                v -= lr->S[l * nb + lr->idx[q]] *
                     gsl_matrix_get(w->Z, na + lr->idx[q], k);
            gsl_matrix_set(w->CZ, l, k, v);
        }
    }
    if (Y != NULL && na > 0 && n > 0)
        gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, -1.0, Y, w->CZ, 1.0, w->PZ);
    for (size_t i = 0; i < m; i++) {
        double var = 0.0;
        for (size_t k = 0; k < n; k++)
            var += gsl_matrix_get(w->PZ, i, k) * gsl_matrix_get(w->PZ, i, k);
        bool nan = false;
        if (Y == NULL) { /* bottom-up: P's row is S's */
            size_t lo, hi;
            const size_t *bs = node_bottoms(lr, i, &lo, &hi);
            for (size_t q = lo; q < hi; q++) {
                double p = lr->S[i * nb + bs[q]];
                var += w->e[na + bs[q]] * p * p;
                nan = nan || w->unknown[na + bs[q]];
            }
        } else {
            for (size_t q = 0; q < w->nneed; q++) {
                size_t j = w->need[q];
                double p = lr_P(lr, Y, i, j);
                var += w->e[j] * p * p;
                nan = nan || (w->unknown[j] && p != 0);
            }
        }
        double sd = nan ? NAN : sqrt(fmax(var, 0.0));
        write_bounds(fc[i], s, nl, w->yr[i], sd, w->off + 2 * i * nl);
    }
}

/* apply_lr's and td_apply's scratch for m nodes (mo's span); -1 on
 * ENOMEM (what was allocated is freed by lr_step_free). */
static int lr_step_alloc(const lowrank *lr, const moments *mo, size_t nl,
                         lr_step *w)
{
    size_t m = lr->m, na = lr->na, n = mo ? mo->n : 0;
    w->y = malloc(m * sizeof *w->y);
    w->bt = malloc((lr->nb ? lr->nb : 1) * sizeof *w->bt);
    w->yr = malloc(m * sizeof *w->yr);
    w->sdv = malloc(m * sizeof *w->sdv);
    w->e = malloc(m * sizeof *w->e);
    w->off = malloc((m * nl > 0 ? 2 * m * nl : 1) * sizeof *w->off);
    w->z = malloc((na ? na : 1) * sizeof *w->z);
    w->unknown = malloc(m * sizeof *w->unknown);
    w->need = malloc(m * sizeof *w->need);
    w->Z = gsl_matrix_calloc(m, n ? n : 1);
    w->PZ = gsl_matrix_calloc(m, n ? n : 1);
    w->CZ = gsl_matrix_calloc(na ? na : 1, n ? n : 1);
    return w->y && w->bt && w->yr && w->sdv && w->e && w->off && w->z &&
                   w->unknown && w->need && w->Z && w->PZ && w->CZ
               ? 0
               : -1;
}

static void lr_step_free(lr_step *w)
{
    free(w->y);
    free(w->bt);
    free(w->yr);
    free(w->sdv);
    free(w->e);
    free(w->off);
    free(w->z);
    free(w->unknown);
    free(w->need);
    gsl_matrix_free(w->Z);
    gsl_matrix_free(w->PZ);
    gsl_matrix_free(w->CZ);
}

/* apply_P from W's factors: the reconciled points and bounds of every
 * node at steps s0..s1-1 (so NULL: bottom-up; mo NULL: no correlations,
 * as apply_P's C NULL).  -1 on ENOMEM. */
static int apply_lr(const lowrank *lr, const lr_solution *so,
                    const moments *mo, hz_forecast *const *fc, size_t s0,
                    size_t s1)
{
    lr_step w = {0};
    int rc = lr_step_alloc(lr, mo, fc[0]->nlevels, &w);
    for (size_t s = s0; rc == 0 && s < s1; s++) {
        lr_base(lr, mo, fc, s, &w);
        lr_points(lr, so, &w);
        lr_bounds(lr, so, mo, fc, s, &w);
    }
    lr_step_free(&w);
    return rc;
}

/* The refusal of a weighted method without residuals: node none has
 * none (none < m), or the common span is too short. */
static hz_status weights_error(const hz_hierarchy *H, int method, size_t none,
                               hz_error *err)
{
    char name[32];
    snprintf(name, sizeof name, "%zu", none);
    return none < H->m
               ? hz_error_set(err, HZ_ETOOSHORT,
                              "reconcile: %s weighs every node by its "
                              "in-sample errors, and node '%s' has none "
                              "(too short a history; --reconcile bu, ols "
                              "or td does not need them)",
                              hz_recon_name(method),
                              H->names ? H->names[none] : name)
               : hz_error_set(err, HZ_ETOOSHORT,
                              "reconcile: %s weighs the nodes by their "
                              "in-sample errors in the periods they "
                              "share, and their histories share fewer "
                              "than 2 such periods (too short a history; "
                              "--reconcile bu, ols or td does not need "
                              "them)",
                              hz_recon_name(method));
}

/* The refusal of a GLS system: rc -2 out of memory, else singular at
 * node bad. */
static hz_status system_error(const hz_hierarchy *H, int method, int rc,
                              size_t bad, hz_error *err)
{
    char name[32];
    snprintf(name, sizeof name, "%zu", bad);
    return rc == -2
               ? hz_error_set(err, HZ_ENOMEM,
                              "reconcile: out of memory solving the "
                              "%s system of %zu nodes",
                              hz_recon_name(method), H->m)
               : hz_error_set(err, HZ_ENOCONV,
                              "reconcile: the %s system is singular at node "
                              "'%s': its in-sample errors are those of other "
                              "nodes combined, so its weight cannot be told "
                              "(--reconcile bu or ols does not weigh nodes)",
                              hz_recon_name(method),
                              H->names ? H->names[bad] : name);
}

/* W's factors of ols (identity), wls (the variances) and mint (the
 * shrunk covariance: lambda var on the joined nodes' diagonal, (1 -
 * lambda) F F' / n); the lists.  0 or -2 (ENOMEM). */
static int lr_weights(const hz_hierarchy *H, int method, const moments *mo,
                      double lam, lowrank *lr)
{
    size_t m = H->m;
    *lr = (lowrank){.m = m, .nb = H->nb, .na = m - H->nb, .S = H->S};
    lr->w = malloc(m * sizeof *lr->w);
    lr->wd = malloc(m * sizeof *lr->wd);
    lr->self = malloc(H->nb * sizeof *lr->self);
    if (lr->w == NULL || lr->wd == NULL || lr->self == NULL ||
        agg_leaves(H, &lr->off, &lr->idx) != 0 || bottom_aggs(lr) != 0)
        return -2;
    for (size_t b = 0; b < H->nb; b++)
        lr->self[b] = b;
    bool mint = method == HZ_RECON_MINT;
    for (size_t i = 0; i < m; i++) {
        lr->wd[i] = method == HZ_RECON_OLS || mo->var == NULL ? 1.0
                                                              : mo->var[i];
        lr->w[i] = mint && mo->joined != NULL && mo->joined[i]
                       ? lam * mo->var[i]
                       : lr->wd[i];
    }
    if (mint) {
        lr->n = mo->n;
        lr->F = mo->F;
        lr->c = (1.0 - lam) / (double)mo->n;
    }
    return 0;
}

static void lr_free(lowrank *lr)
{
    free(lr->w);
    free(lr->wd);
    free(lr->self);
    free(lr->off);
    free(lr->idx);
    free(lr->boff);
    free(lr->bidx);
}

/* td at step s from the bottom series' shares sh: bt = G y^ (G's column
 * 0 the shares), every node the sum of its bottom ones; P = S G has
 * column 0 alone, p_i the sum of node i's shares, so that the variance
 * of P Sg P' is p_i^2 Sg_00 (Sg_00 = c00 sd_0^2: apply_P's numbers, its
 * products with zeros left out).  The bounds as apply_P's. */
static void td_apply(const hz_hierarchy *H, const double *sh, double c00,
                     hz_forecast *const *fc, size_t s, const lowrank *lr,
                     lr_step *w)
{
    size_t m = H->m, nb = H->nb, nl = fc[0]->nlevels;
    lr_base(lr, NULL, fc, s, w);
    double sd0 = isfinite(w->sdv[0]) ? w->sdv[0] : 0.0;
    double sg00 = c00 * sd0 * sd0;
    for (size_t j = 0; j < nb; j++)
        w->bt[j] = sh[j] * w->y[0];
    for (size_t i = 0; i < m; i++) {
        double sum = 0.0, p = 0.0;
        for (size_t j = 0; j < nb; j++)
            if (H->S[i * nb + j] != 0) {
                sum += w->bt[j];
                p += sh[j];
            }
        double var = p * sg00 * p;
        double sd = w->unknown[0] && p != 0 ? NAN : sqrt(fmax(var, 0.0));
        write_bounds(fc[i], s, nl, sum, sd, w->off + 2 * i * nl);
    }
}

/* Top-down, step by step (its G changes with the base forecasts): the
 * bottom series' shares of every step are made before any step is
 * reconciled, so that a refusal leaves fc as given; G's column 0 the
 * step's shares and P = S G its column 0 the nodes' (td_apply: no m x m
 * matrix, where until 2026-12-08 P Sg cost m^3 flops a step); mo the
 * residuals' moments (NULL: none). */
static hz_status td_steps(const hz_hierarchy *H, hz_forecast *const *fc,
                          const moments *mo, hz_error *err)
{
    size_t m = H->m, nb = H->nb, h = fc[0]->h;
    size_t *parent = malloc(m * sizeof *parent);
    size_t *nch = malloc(m * sizeof *nch);
    double *buf = malloc(3 * m * sizeof *buf);
    double *sh = malloc((h * nb > 0 ? h * nb : 1) * sizeof *sh);
    hz_status st = HZ_OK;
    if (!parent || !nch || !buf || !sh) {
        st = hz_error_set(err, HZ_ENOMEM,
                          "reconcile: out of memory for the td proportions "
                          "of %zu nodes",
                          m);
        goto out;
    }
    if (td_tree(H, parent) != 0) {
        st = hz_error_set(err, HZ_EINVAL,
                          "reconcile: td needs a tree (every node under "
                          "one parent, the total first)");
        goto out;
    }
    for (size_t s = 0; s < h; s++) {
        td_fail f;
        if (td_G(H, parent, fc, s, buf, buf + m, buf + 2 * m, nch, &f) != 0) {
            st = td_error(H, &f, err);
            goto out;
        }
        memcpy(sh + s * nb, buf + (m - nb), nb * sizeof *sh);
    }
    lowrank lr = {.m = m, .nb = nb, .na = m - nb, .S = H->S};
    lr_step w = {0};
    if (lr_step_alloc(&lr, NULL, fc[0]->nlevels, &w) != 0) {
        lr_step_free(&w);
        st = hz_error_set(err, HZ_ENOMEM,
                          "reconcile: out of memory reconciling the points "
                          "and bounds of %zu nodes",
                          m);
        goto out;
    }
    /* the total's correlation with itself, as apply_P's pairs had it */
    double c00 = 1.0;
    if (mo != NULL && mo->var != NULL) {
        double rs = sqrt(mo->var[0]);
        c00 = mo->var[0] / (rs * rs);
        c00 = isfinite(c00) ? c00 : 1.0;
    }
    for (size_t s = 0; s < h; s++)
        td_apply(H, sh + s * nb, c00, fc, s, &lr, &w);
    lr_step_free(&w);
out:
    free(parent);
    free(nch);
    free(buf);
    free(sh);
    return st;
}

/* bu, ols, wls and mint from the residuals' factors, and mint-h's first
 * step (mint's): no m x m matrix (W = diagonal + low rank, the
 * constraint form's na x na system, the bounds' variances from P Z and
 * the diagonal part), steps 0..s1-1; *lam the shrinkage lambda. */
static hz_status reconcile_lowrank(const hz_hierarchy *H, int method,
                                   const double *resid, size_t T,
                                   hz_forecast *const *fc, size_t s1,
                                   double *lam, hz_error *err)
{
    size_t m = H->m, none = m, bad = 0;
    moments mo = {0};
    lowrank lr = {0};
    lr_solution so = {0};
    hz_status st = HZ_OK;
    *lam = resid ? residual_moments(resid, m, T, &mo, &none) : NAN;
    if (none == SIZE_MAX) {
        st = hz_error_set(err, HZ_ENOMEM,
                          "reconcile: out of memory building the residual "
                          "covariance of %zu nodes over %zu periods",
                          m, T);
        goto out;
    }
    if (method >= HZ_RECON_WLS && isnan(*lam)) {
        st = weights_error(H, method, none, err);
        goto out;
    }
    if (method == HZ_RECON_TD) {
        st = td_steps(H, fc, isnan(*lam) ? NULL : &mo, err);
        goto out;
    }
    int wm = method == HZ_RECON_MINT_H ? HZ_RECON_MINT : method;
    int rc = lr_weights(H, wm, &mo, *lam, &lr);
    if (rc == 0 && method != HZ_RECON_BU)
        rc = lr_solve(&lr, &so, &bad);
    if (rc != 0 && (rc == -1 || method != HZ_RECON_BU)) {
        st = system_error(H, method, rc, bad, err);
        goto out;
    }
    if (rc != 0 || apply_lr(&lr, method == HZ_RECON_BU ? NULL : &so,
                            isnan(*lam) ? NULL : &mo, fc, 0, s1) != 0)
        st = hz_error_set(err, HZ_ENOMEM,
                          "reconcile: out of memory reconciling the points "
                          "and bounds of %zu nodes",
                          m);
out:
    moments_free(&mo);
    lr_free(&lr);
    lr_solution_free(&so);
    return st;
}

/* Every node has a finite forecast of the same length. */
static hz_status check_forecasts(const hz_hierarchy *H, hz_forecast *const *fc,
                                 hz_error *err)
{
    for (size_t i = 0; i < H->m; i++)
        for (size_t s = 0; s < fc[i]->h; s++)
            if (!isfinite(fc[i]->mean[s]) || fc[i]->h != fc[0]->h) {
                char name[32];
                snprintf(name, sizeof name, "%zu", i);
                return hz_error_set(err, HZ_EINVAL,
                                    "reconcile: node '%s' has no forecast "
                                    "to reconcile",
                                    H->names ? H->names[i] : name);
            }
    return HZ_OK;
}

hz_status hz_reconcile_steps(const hz_hierarchy *H, int method,
                             const double *const *hist, size_t n,
                             const double *resid, size_t T,
                             const hz_recon_steps *steps,
                             hz_forecast *const *fc, double *lambda,
                             hz_error *err)
{
    if (lambda != NULL)
        *lambda = NAN;
    if (H == NULL || fc == NULL || H->m == 0 || H->nb == 0 || H->nb > H->m)
        return hz_error_set(err, HZ_EINVAL, "reconcile: bad hierarchy");
    if (method < HZ_RECON_BU || method > HZ_RECON_MINT_H)
        return hz_error_set(err, HZ_EINVAL, "reconcile: unknown method");
    const bool mh = method == HZ_RECON_MINT_H;
    const hz_recon_steps *later = mh && fc[0]->h > 1 ? steps : NULL;
    if (mh && fc[0]->h > 1 &&
        (steps == NULL || steps->e == NULL || steps->R == 0))
        return hz_error_set(err, HZ_EINVAL,
                            "reconcile: mint-h needs the nodes' multi-step "
                            "errors");
    hz_status st = check_forecasts(H, fc, err);
    if (st != HZ_OK)
        return st;
    size_t m = H->m, nb = H->nb;
    hz__gsl_init();
    const int threads = hz__blas_serial_enter(); /* the same for any count */
    double lam = NAN;
    st = reconcile_lowrank(H, method, resid, T, fc, mh ? 1 : fc[0]->h, &lam,
                           err);
    if (lambda != NULL && (method == HZ_RECON_MINT || mh))
        *lambda = lam;
    if (st != HZ_OK || later == NULL) {
        hz__blas_serial_leave(threads);
        return st;
    }
    /* mint-h's later steps: m x m matrices */
    gsl_matrix *cov = gsl_matrix_alloc(m, m), *shr = gsl_matrix_alloc(m, m);
    gsl_matrix *G = gsl_matrix_alloc(nb, m), *P = gsl_matrix_alloc(m, m);
    if (!cov || !shr || !G || !P) {
        st = hz_error_set(err, HZ_ENOMEM,
                          "reconcile: out of memory for the %zu x %zu "
                          "matrices of %zu nodes (%.3g MB each)",
                          m, m, m, (double)m * (double)m * 8 / 1e6);
        goto out;
    }
    size_t none = m;
    (void)residual_cov(resid, m, T, cov, shr, &none); /* its lambda: lam */
    if (none == SIZE_MAX) {
        st = hz_error_set(err, HZ_ENOMEM,
                          "reconcile: out of memory building the residual "
                          "covariance of %zu nodes over %zu periods",
                          m, T);
        goto out;
    }
    /* mint-h: step 0's W with the lambda of its points (reconcile_lowrank) */
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < m; j++)
            if (i != j)
                gsl_matrix_set(shr, i, j,
                               (1.0 - lam) * gsl_matrix_get(cov, i, j));
    size_t bad = 0;
    int rc = gls_G(H, shr, G, &bad);
    if (rc != 0) {
        st = system_error(H, method, rc, bad, err);
        goto out;
    }
    gsl_matrix_const_view S = gsl_matrix_const_view_array(H->S, m, nb);
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, &S.matrix, G, 0.0, P);
    if (mint_steps(H, later, G, P, shr, cov, fc) != 0)
        st = hz_error_set(err, HZ_ENOMEM,
                          "reconcile: out of memory reconciling the points "
                          "and bounds of %zu nodes",
                          m);
out:
    gsl_matrix_free(cov);
    gsl_matrix_free(shr);
    gsl_matrix_free(G);
    gsl_matrix_free(P);
    hz__blas_serial_leave(threads);
    return st;
}

hz_status hz_reconcile(const hz_hierarchy *H, int method,
                       const double *const *hist, size_t n,
                       const double *resid, size_t T, hz_forecast *const *fc,
                       double *lambda, hz_error *err)
{
    return hz_reconcile_steps(H, method, hist, n, resid, T, NULL, fc, lambda,
                              err);
}
