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

/* The residual covariance and its shrinkage towards the diagonal
 * (Schafer & Strimmer, hts' shrink.estim): cov (m x m) and shrunk;
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
    for (size_t i = 0; i < m; i++) {
        for (size_t t = 0; t < T; t++)
            k[i] += isfinite(res[i * T + t]) != 0;
        kmax = k[i] > kmax ? k[i] : kmax;
        if (k[i] == 0 && *bad == m)
            *bad = i;
    }
    if (*bad < m)
        goto out;
#define JOINED(i) (2 * k[i] >= kmax)
    for (size_t t = 0; t < T; t++) {
        int ok = 1;
        for (size_t i = 0; i < m && ok; i++)
            ok = !JOINED(i) || isfinite(res[i * T + t]);
        if (ok)
            cols[nc++] = t;
    }
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
            double v =
                0.5 * (gsl_matrix_get(M, i, l) + gsl_matrix_get(M, l, i));
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
 * not that node's taken as zero. */
/* Row i of P P-weighted: sum over j, k of P(i,j) Sg(j,k) P(i,k) where
 * P = S G of bottom-up, whose nonzero entries in row i are S(i,b) at the
 * columns of the bottom nodes b under i (list[lo..hi) of them): the dense
 * product P Sg of every other method would cost m^3 flops a step (10,001
 * nodes: 2e12) for what these sums give in the bottom nodes' pairs. */
static double bu_var(const hz_hierarchy *H, const gsl_matrix *Sg, size_t i,
                     const size_t *list, size_t lo, size_t hi)
{
    const size_t off = H->m - H->nb;
    const double *Si = H->S + i * H->nb;
    double var = 0.0;
    for (size_t a = lo; a < hi; a++) {
        /* Sg is symmetric: its row off + list[a], read in order */
        const double *row = Sg->data + (off + list[a]) * Sg->tda + off;
        double t = 0.0;
        for (size_t b = lo; b < hi; b++)
            t += Si[list[b]] * row[list[b]];
        var += t * Si[list[a]];
    }
    return var;
}

/* bu: true when G selects the bottom nodes' own forecasts (bottom-up),
 * so that P = S G is S in the bottom nodes' columns (bu_var). */
static int apply_P(const hz_hierarchy *H, const gsl_matrix *G,
                   const gsl_matrix *P, const gsl_matrix *C,
                   hz_forecast *const *fc, size_t s0, size_t s1, bool bu)
{
    size_t m = H->m, nl = fc[0]->nlevels, L = 0;
    for (size_t l = 1; l < nl; l++)
        L = fc[0]->levels[l] > fc[0]->levels[L] ? l : L;
    double zL = nl ? hz__qnorm(0.5 + fc[0]->levels[L] / 200.0) : 1.0;
    gsl_matrix *Sg = gsl_matrix_alloc(m, m);
    gsl_matrix *T1 = bu ? NULL : gsl_matrix_alloc(m, m);
    gsl_vector *y = gsl_vector_alloc(m), *yr = gsl_vector_alloc(m);
    double *bt = malloc(H->nb * sizeof *bt);
    bool *unknown = calloc(m, sizeof *unknown); /* no base bounds */
    /* the base bounds' distances from the point in base standard
     * deviations (lower, upper for each level), NAN for normal ones */
    double *off = malloc((m * nl > 0 ? 2 * m * nl : 1) * sizeof *off);
    /* bu: the bottom nodes under node i, list[start[i]..start[i + 1]) */
    size_t *start = NULL, *list = NULL, nnz = 0;
    for (size_t i = 0; bu && i < m; i++)
        for (size_t j = 0; j < H->nb; j++)
            nnz += H->S[i * H->nb + j] != 0;
    if (bu) {
        start = malloc((m + 1) * sizeof *start);
        list = malloc((nnz ? nnz : 1) * sizeof *list);
    }
    /* each node's standard deviation at the step, the square roots of
     * C's diagonal (the same numbers as computed pair by pair, once) */
    double *sdv = malloc(m * sizeof *sdv), *rc_sqrt = malloc(m * sizeof *sdv);
    int rc = Sg && (T1 || bu) && y && yr && bt && unknown && off && sdv &&
                     rc_sqrt && (!bu || (start && list))
                 ? 0
                 : -1;
    for (size_t i = 0; rc == 0 && C != NULL && i < m; i++)
        rc_sqrt[i] = sqrt(gsl_matrix_get(C, i, i));
    for (size_t i = 0, k = 0; rc == 0 && bu && i < m; i++) {
        start[i] = k;
        for (size_t j = 0; j < H->nb; j++)
            if (H->S[i * H->nb + j] != 0)
                list[k++] = j;
        start[i + 1] = k;
    }
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
                off[2 * (i * nl + l) + 1] =
                    spread ? (fc[i]->upper[l][s] - mu) / sd_i : NAN;
            }
            sdv[i] = sd_i;
        }
        /* bu reads the bottom nodes' block alone (bu_var) */
        for (size_t i = bu ? m - H->nb : 0; i < m; i++) {
            const double sd_i = sdv[i];
            const double *Ci = C ? C->data + i * C->tda : NULL;
            for (size_t j = bu ? m - H->nb : 0; j <= i; j++) {
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
        if (bu) { /* G selects the bottom nodes' own forecasts */
            for (size_t j = 0; j < H->nb; j++)
                bt[j] = gsl_vector_get(y, m - H->nb + j);
        } else {
            gsl_vector_view b = gsl_vector_subvector(yr, 0, H->nb);
            gsl_blas_dgemv(CblasNoTrans, 1.0, G, y, 0.0, &b.vector);
            for (size_t j = 0; j < H->nb; j++)
                bt[j] = gsl_vector_get(yr, j);
        }
        for (size_t i = 0; i < m; i++) {
            double sum = 0.0;
            if (bu)
                for (size_t k = start[i]; k < start[i + 1]; k++)
                    sum += bt[list[k]];
            for (size_t j = 0; !bu && j < H->nb; j++)
                if (H->S[i * H->nb + j] != 0)
                    sum += bt[j];
            gsl_vector_set(yr, i, sum);
        }
        if (!bu)
            gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, P, Sg, 0.0, T1);
        for (size_t i = 0; i < m; i++) {
            /* the variance: row i of T1 = P Sg times row i of P */
            double var = 0.0;
            if (bu)
                var = bu_var(H, Sg, i, list, start[i], start[i + 1]);
            for (size_t j = 0; !bu && j < m; j++)
                var += gsl_matrix_get(T1, i, j) * gsl_matrix_get(P, i, j);
            double mu = gsl_vector_get(yr, i);
            double sd = sqrt(fmax(var, 0.0));
            for (size_t k = bu ? start[i] : 0;
                 bu && k < start[i + 1] && !isnan(sd); k++)
                if (unknown[m - H->nb + list[k]])
                    sd = NAN;
            for (size_t j = 0; !bu && j < m && !isnan(sd); j++)
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
    free(start);
    free(list);
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
            *f = (td_fail){a, pick, s, cs[a], near ? gross[a] : 0.0,
                           fc[pick]->mean[s]};
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

/* Top-down, step by step (its G changes with the base forecasts): the
 * bottom series' shares of every step are made before any step is
 * reconciled, so that a refusal leaves fc as given; G (nb x m) and P
 * (m x m) are the caller's, G's column 0 the step's shares and P = S G
 * its column 0 the nodes' (summed from the bottom, no product with S:
 * that would cost m nb m a step in a hierarchy of thousands of nodes). */
static hz_status td_steps(const hz_hierarchy *H, hz_forecast *const *fc,
                          const gsl_matrix *C, gsl_matrix *G, gsl_matrix *P,
                          hz_error *err)
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
    gsl_matrix_set_zero(G);
    gsl_matrix_set_zero(P);
    for (size_t s = 0; s < h; s++) {
        for (size_t j = 0; j < nb; j++)
            gsl_matrix_set(G, j, 0, sh[s * nb + j]);
        for (size_t i = 0; i < m; i++) {
            double v = 0.0;
            for (size_t j = 0; j < nb; j++)
                if (H->S[i * nb + j] != 0)
                    v += sh[s * nb + j];
            gsl_matrix_set(P, i, 0, v);
        }
        if (apply_P(H, G, P, C, fc, s, s + 1, false) != 0) {
            st = hz_error_set(err, HZ_ENOMEM,
                              "reconcile: out of memory reconciling the "
                              "points and bounds of %zu nodes",
                              m);
            goto out;
        }
    }
out:
    free(parent);
    free(nch);
    free(buf);
    free(sh);
    return st;
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
        rc = g == -2 ? -1 : apply_P(H, G, P, C, fc, s, s + 1, false);
    }
    free(E);
    gsl_matrix_free(cov);
    gsl_matrix_free(shr);
    gsl_matrix_free(Gs);
    gsl_matrix_free(W1);
    return rc;
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
    /* bu needs no weights, G nor P (apply_P sums over the bottom nodes
     * under each node): three m x m matrices less, 2.4 GB at 10,001
     * nodes */
    const bool bu = method == HZ_RECON_BU;
    gsl_matrix *cov = gsl_matrix_alloc(m, m), *shr = gsl_matrix_alloc(m, m);
    gsl_matrix *W = bu ? NULL : gsl_matrix_alloc(m, m);
    gsl_matrix *G = bu ? NULL : gsl_matrix_alloc(nb, m);
    gsl_matrix *P = bu ? NULL : gsl_matrix_alloc(m, m);
    if (!cov || !shr || (!bu && (!W || !G || !P))) {
        st = hz_error_set(err, HZ_ENOMEM,
                          "reconcile: out of memory for the %zu x %zu "
                          "matrices of %zu nodes (%.3g MB each)",
                          m, m, m, (double)m * (double)m * 8 / 1e6);
        goto out;
    }
    size_t none = m;
    double lam = resid ? residual_cov(resid, m, T, cov, shr, &none) : NAN;
    if (none == SIZE_MAX) {
        st = hz_error_set(err, HZ_ENOMEM,
                          "reconcile: out of memory building the residual "
                          "covariance of %zu nodes over %zu periods",
                          m, T);
        goto out;
    }
    if ((method >= HZ_RECON_WLS) && isnan(lam)) {
        char name[32];
        snprintf(name, sizeof name, "%zu", none);
        st = none < m
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
        goto out;
    }
    if (method == HZ_RECON_TD) {
        st = td_steps(H, fc, isnan(lam) ? NULL : cov, G, P, err);
        goto out;
    }
    if (!bu) {
        gsl_matrix_set_identity(W);
        for (size_t i = 0; method == HZ_RECON_WLS && i < m; i++)
            gsl_matrix_set(W, i, i, gsl_matrix_get(cov, i, i));
        if (method == HZ_RECON_MINT || mh)
            gsl_matrix_memcpy(W, shr);
        size_t bad = 0;
        int rc = gls_G(H, W, G, &bad);
        if (rc != 0) {
            char name[32];
            snprintf(name, sizeof name, "%zu", bad);
            st = rc == -2
                     ? hz_error_set(err, HZ_ENOMEM,
                                    "reconcile: out of memory solving the "
                                    "%s system of %zu nodes",
                                    hz_recon_name(method), m)
                     : hz_error_set(
                           err, HZ_ENOCONV,
                           "reconcile: the %s system is singular at node "
                           "'%s': its in-sample errors are those of other "
                           "nodes combined, so its weight cannot be told "
                           "(--reconcile bu or ols does not weigh nodes)",
                           hz_recon_name(method),
                           H->names ? H->names[bad] : name);
            goto out;
        }
    }
    gsl_matrix_const_view S = gsl_matrix_const_view_array(H->S, m, nb);
    if (!bu) /* bu's P = S G is S in the bottom nodes' columns (apply_P) */
        gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, &S.matrix, G, 0.0,
                       P);
    /* the bounds: the sample correlations (see the header) */
    gsl_matrix *C = isnan(lam) ? NULL : cov;
    if (apply_P(H, G, P, C, fc, 0, mh ? 1 : fc[0]->h, bu) != 0 ||
        (later != NULL && mint_steps(H, later, G, P, shr, cov, fc) != 0))
        st = hz_error_set(err, HZ_ENOMEM,
                          "reconcile: out of memory reconciling the points "
                          "and bounds of %zu nodes",
                          m);
    if (lambda != NULL && (method == HZ_RECON_MINT || mh))
        *lambda = lam;
out:
    gsl_matrix_free(cov);
    gsl_matrix_free(shr);
    gsl_matrix_free(W);
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
