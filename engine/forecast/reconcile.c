/* Forecast reconciliation (include/horizon/reconcile.h), with GSL's
 * BLAS (bound to OpenBLAS) and a small Cholesky of its own. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
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

/* The residual covariance (crossprod / T over the periods where every node
 * has a residual, as hts) and its shrinkage towards the diagonal
 * (Schafer & Strimmer, hts' shrink.estim): cov (m x m) and shrunk;
 * returns lambda, or NAN when fewer than 2 complete periods exist. */
static double residual_cov(const double *res, size_t m, size_t T,
                           gsl_matrix *cov, gsl_matrix *shrunk)
{
    size_t *cols = malloc((T ? T : 1) * sizeof *cols), nc = 0;
    blocking bl = {1, 0, malloc((T ? T : 1) * sizeof(double))};
    if (cols == NULL || bl.u == NULL) {
        free(cols);
        free(bl.u);
        return NAN;
    }
    for (size_t t = 0; t < T; t++) {
        int ok = 1;
        for (size_t i = 0; i < m && ok; i++)
            ok = isfinite(res[i * T + t]);
        if (ok)
            cols[nc++] = t;
    }
    double lambda = NAN;
    if (nc >= 2) {
        double n = (double)nc, num = 0.0, den = 0.0;
        for (size_t i = 0; i < m; i++)
            for (size_t j = 0; j <= i; j++) {
                double s = 0.0;
                for (size_t k = 0; k < nc; k++)
                    s += res[i * T + cols[k]] * res[j * T + cols[k]];
                gsl_matrix_set(cov, i, j, s / n);
                gsl_matrix_set(cov, j, i, s / n);
            }
        for (size_t i = 0; i < m; i++)
            for (size_t j = 0; j < i; j++) {
                double si = sqrt(gsl_matrix_get(cov, i, i));
                double sj = sqrt(gsl_matrix_get(cov, j, j));
                if (!(si > 0 && sj > 0))
                    continue;
                double r = gsl_matrix_get(cov, i, j) / (si * sj);
                num += 2 * corr_var(res + i * T, res + j * T, si, sj, cols, nc,
                                    &bl);
                den += 2 * r * r;
            }
        lambda = den > 0 ? num / den : 1.0;
        lambda = lambda < 0 ? 0 : lambda > 1 ? 1 : lambda;
        for (size_t i = 0; i < m; i++)
            for (size_t j = 0; j < m; j++)
                gsl_matrix_set(shrunk, i, j,
                               (i == j ? 1.0 : 1.0 - lambda) *
                                   gsl_matrix_get(cov, i, j));
    }
    free(cols);
    free(bl.u);
    return lambda;
}

/* Cholesky factor A = L L' in place (lower triangle); -1 when A is not
 * positive definite (written here rather than GSL's, whose default error
 * handler would abort the process on such a matrix). */
static int chol(gsl_matrix *A)
{
    size_t n = A->size1;
    for (size_t j = 0; j < n; j++) {
        double d = gsl_matrix_get(A, j, j);
        for (size_t k = 0; k < j; k++)
            d -= gsl_matrix_get(A, j, k) * gsl_matrix_get(A, j, k);
        if (!(d > 1e-14 * fabs(gsl_matrix_get(A, j, j))) || !(d > 0))
            return -1;
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

/* Solve L L' x = b in place. */
static void chol_solve(const gsl_matrix *L, double *b, size_t stride)
{
    size_t n = L->size1;
    for (size_t i = 0; i < n; i++) {
        double v = b[i * stride];
        for (size_t k = 0; k < i; k++)
            v -= gsl_matrix_get(L, i, k) * b[k * stride];
        b[i * stride] = v / gsl_matrix_get(L, i, i);
    }
    for (size_t i = n; i-- > 0;) {
        double v = b[i * stride];
        for (size_t k = i + 1; k < n; k++)
            v -= gsl_matrix_get(L, k, i) * b[k * stride];
        b[i * stride] = v / gsl_matrix_get(L, i, i);
    }
}

/* G (nb x m) of the generalised least-squares methods:
 * (S'W^-1 S)^-1 S'W^-1 with W given (replaced by its Cholesky factor). */
static int gls_G(const hz_hierarchy *H, gsl_matrix *W, gsl_matrix *G)
{
    size_t m = H->m, nb = H->nb;
    gsl_matrix_const_view S = gsl_matrix_const_view_array(H->S, m, nb);
    gsl_matrix *WiS = gsl_matrix_alloc(m, nb), *A = gsl_matrix_alloc(nb, nb);
    int rc = -1;
    if (WiS == NULL || A == NULL || chol(W) != 0)
        goto out;
    gsl_matrix_memcpy(WiS, &S.matrix);
    for (size_t j = 0; j < nb; j++) /* W^-1 S, column by column */
        chol_solve(W, WiS->data + j, WiS->tda);
    gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, &S.matrix, WiS, 0.0, A);
    if (chol(A) != 0)
        goto out;
    for (size_t i = 0; i < m; i++) { /* G' = W^-1 S A^-1: row by row */
        double *r = WiS->data + i * WiS->tda;
        chol_solve(A, r, 1);
        for (size_t j = 0; j < nb; j++)
            gsl_matrix_set(G, j, i, r[j]);
    }
    rc = 0;
out:
    gsl_matrix_free(WiS);
    gsl_matrix_free(A);
    return rc;
}

/* G for bottom-up and top-down (node 0 the total). */
static void simple_G(const hz_hierarchy *H, int method,
                     const double *const *hist, size_t n, gsl_matrix *G)
{
    size_t m = H->m, nb = H->nb;
    gsl_matrix_set_zero(G);
    if (method == HZ_RECON_BU) {
        for (size_t j = 0; j < nb; j++)
            gsl_matrix_set(G, j, m - nb + j, 1.0);
        return;
    }
    double tot = 0.0;
    for (size_t t = 0; t < n; t++)
        tot += hist[0][t];
    for (size_t j = 0; j < nb; j++) {
        double s = 0.0;
        for (size_t t = 0; t < n; t++)
            s += hist[m - nb + j][t];
        gsl_matrix_set(G, j, 0, tot != 0 ? s / tot : 1.0 / (double)nb);
    }
}

/* Reconciled points and bounds of every node at steps s0..s1-1: the
 * bottom forecasts G y^, every node the sum of its bottom ones (so the
 * levels add up to the last bit when summed in bottom order); variances
 * from P = S G and the base covariance at step s (the bounds and the
 * correlations of C). */
static int apply_P(const hz_hierarchy *H, const gsl_matrix *G,
                   const gsl_matrix *P, const gsl_matrix *C,
                   hz_forecast *const *fc, size_t s0, size_t s1)
{
    size_t m = H->m, nl = fc[0]->nlevels, L = 0;
    for (size_t l = 1; l < nl; l++)
        L = fc[0]->levels[l] > fc[0]->levels[L] ? l : L;
    double zL = nl ? hz__qnorm(0.5 + fc[0]->levels[L] / 200.0) : 1.0;
    gsl_matrix *Sg = gsl_matrix_alloc(m, m), *T1 = gsl_matrix_alloc(m, m),
               *V = gsl_matrix_alloc(m, m);
    gsl_vector *y = gsl_vector_alloc(m), *yr = gsl_vector_alloc(m);
    double *bt = malloc(H->nb * sizeof *bt);
    int rc = Sg && T1 && V && y && yr && bt ? 0 : -1;
    for (size_t s = s0; rc == 0 && s < s1; s++) {
        for (size_t i = 0; i < m; i++) {
            gsl_vector_set(y, i, fc[i]->mean[s]);
            double sd_i = nl ? (fc[i]->upper[L][s] - fc[i]->lower[L][s]) /
                                   (2 * zL)
                             : 0.0;
            for (size_t j = 0; j <= i; j++) {
                double sd_j = nl ? (fc[j]->upper[L][s] - fc[j]->lower[L][s]) /
                                       (2 * zL)
                                 : 0.0;
                double c = C ? gsl_matrix_get(C, i, j) /
                                   (sqrt(gsl_matrix_get(C, i, i)) *
                                    sqrt(gsl_matrix_get(C, j, j)))
                             : (i == j);
                if (!isfinite(c))
                    c = i == j;
                double v = c * (isfinite(sd_i) ? sd_i : 0) *
                           (isfinite(sd_j) ? sd_j : 0);
                gsl_matrix_set(Sg, i, j, v);
                gsl_matrix_set(Sg, j, i, v);
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
        gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, T1, P, 0.0, V);
        for (size_t i = 0; i < m; i++) {
            double mu = gsl_vector_get(yr, i);
            double sd = sqrt(fmax(gsl_matrix_get(V, i, i), 0.0));
            fc[i]->mean[s] = mu;
            for (size_t l = 0; l < nl; l++) {
                double z = hz__qnorm(0.5 + fc[i]->levels[l] / 200.0);
                fc[i]->lower[l][s] = mu - z * sd;
                fc[i]->upper[l][s] = mu + z * sd;
            }
        }
    }
    gsl_matrix_free(Sg);
    gsl_matrix_free(T1);
    gsl_matrix_free(V);
    gsl_vector_free(y);
    gsl_vector_free(yr);
    free(bt);
    return rc;
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
 * than 2 complete blocks or a zero one-step variance. */
static double prop_shrink(const double *E, size_t m, size_t N, size_t bsize,
                          size_t lags, const gsl_matrix *W1, gsl_matrix *M,
                          gsl_matrix *shr)
{
    size_t *cols = malloc((N ? N : 1) * sizeof *cols), nc = 0;
    double *d = malloc(m * sizeof *d), lambda = NAN;
    blocking bl = {bsize, lags, malloc((N ? N : 1) * sizeof(double))};
    for (size_t t = 0; cols && t < N; t++) {
        int ok = 1;
        for (size_t i = 0; i < m && ok; i++)
            ok = isfinite(E[i * N + t]);
        if (ok)
            cols[nc++] = t;
    }
    int bad = cols == NULL || d == NULL || bl.u == NULL || nc < 2;
    for (size_t i = 0; !bad && i < m; i++)
        bad = !((d[i] = sqrt(gsl_matrix_get(W1, i, i))) > 0);
    if (bad)
        goto out;
    double mr = 0.0, rr = 0.0, num = 0.0, den = 0.0;
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < m; j++) {
            double v = 0.0, r1 = gsl_matrix_get(W1, i, j) / (d[i] * d[j]);
            for (size_t k = 0; k < nc; k++)
                v += E[i * N + cols[k]] * E[j * N + cols[k]];
            gsl_matrix_set(M, i, j, v / ((double)nc * d[i] * d[j]));
            mr += gsl_matrix_get(M, i, j) * r1;
            rr += r1 * r1;
        }
    double kf = mr / rr;
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < m; j++) {
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
            double r1 = gsl_matrix_get(W1, i, j) / (d[i] * d[j]);
            gsl_matrix_set(shr, i, j,
                           d[i] * d[j] *
                               (lambda * kf * r1 +
                                (1 - lambda) * gsl_matrix_get(M, i, j)));
        }
out:
    free(cols);
    free(d);
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
    gsl_matrix *W = gsl_matrix_alloc(m, m), *Gs = gsl_matrix_alloc(nb, m);
    gsl_matrix *W1 = gsl_matrix_alloc(m, m);
    int rc = E && cov && shr && W && Gs && W1 ? 0 : -1;
    if (rc == 0)
        gsl_matrix_memcpy(W1, W1in);
    gsl_matrix_const_view S = gsl_matrix_const_view_array(H->S, m, nb);
    for (size_t s = 1; rc == 0 && s < h; s++) {
        size_t cols = step_errors(st, m, h, s, E);
        size_t blk = st->pooled ? s + 1 : 1; /* one origin's steps */
        double lam = prop_shrink(E, m, cols, blk, s, W1, cov, shr);
        if (!isnan(lam)) {
            gsl_matrix_memcpy(W, shr);
            if (gls_G(H, W, Gs) == 0) {
                gsl_matrix_memcpy(G, Gs);
                gsl_matrix_memcpy(C, cov); /* the bounds: unshrunk */
                gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, &S.matrix, G,
                               0.0, P);
            }
        }
        rc = apply_P(H, G, P, C, fc, s, s + 1);
    }
    free(E);
    gsl_matrix_free(cov);
    gsl_matrix_free(shr);
    gsl_matrix_free(W);
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
            if (!isfinite(fc[i]->mean[s]) || fc[i]->h != fc[0]->h)
                return hz_error_set(err, HZ_EINVAL,
                                    "reconcile: node %zu has no forecast "
                                    "to reconcile",
                                    i);
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
    gsl_matrix *cov = gsl_matrix_alloc(m, m), *shr = gsl_matrix_alloc(m, m);
    gsl_matrix *W = gsl_matrix_alloc(m, m), *G = gsl_matrix_alloc(nb, m);
    gsl_matrix *P = gsl_matrix_alloc(m, m);
    if (!cov || !shr || !W || !G || !P) {
        st = hz_error_set(err, HZ_ENOMEM, "reconcile: out of memory");
        goto out;
    }
    double lam = resid ? residual_cov(resid, m, T, cov, shr) : NAN;
    if ((method >= HZ_RECON_WLS) && isnan(lam)) {
        st = hz_error_set(err, HZ_ETOOSHORT,
                          "reconcile: %s needs in-sample residuals of every "
                          "node",
                          hz_recon_name(method));
        goto out;
    }
    if (method == HZ_RECON_BU || method == HZ_RECON_TD) {
        simple_G(H, method, hist, n, G);
    } else {
        gsl_matrix_set_identity(W);
        for (size_t i = 0; method == HZ_RECON_WLS && i < m; i++)
            gsl_matrix_set(W, i, i, gsl_matrix_get(cov, i, i));
        if (method == HZ_RECON_MINT || mh)
            gsl_matrix_memcpy(W, shr);
        if (gls_G(H, W, G) != 0) {
            st = hz_error_set(err, HZ_EINVAL,
                              "reconcile: the %s system is singular (a "
                              "node with constant residuals?)",
                              hz_recon_name(method));
            goto out;
        }
    }
    gsl_matrix_const_view S = gsl_matrix_const_view_array(H->S, m, nb);
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, &S.matrix, G, 0.0, P);
    /* the bounds: the sample correlations (see the header) */
    gsl_matrix *C = isnan(lam) ? NULL : cov;
    if (apply_P(H, G, P, C, fc, 0, mh ? 1 : fc[0]->h) != 0 ||
        (later != NULL && mint_steps(H, later, G, P, shr, cov, fc) != 0))
        st = hz_error_set(err, HZ_ENOMEM, "reconcile: out of memory");
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
