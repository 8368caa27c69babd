/* Dynamic harmonic regression (include/horizon/dhr.h). */
#pragma GCC diagnostic ignored "-Wformat-truncation"
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_multifit.h>

#include "horizon/arima.h"
#include "horizon/dhr.h"
#include "horizon/theta.h"
#include "forecast/fc_internal.h"
#include "numeric/chol.h"
#include "numeric/gsl_init.h"

#define DHR_KMAX_DEFAULT 10

void hz_dhr_opts_init(hz_dhr_opts *o)
{
    memset(o, 0, sizeof *o);
    for (int i = 0; i < HZ_MAX_SEASONS; i++)
        o->K[i] = -1;
    o->kmax = DHR_KMAX_DEFAULT;
}

/* sin(pi x) and cos(pi x) of x = 2 f t reduced modulo 2 first (as
 * accurate as R's sinpi and cospi for large t); one reduction and one
 * sincos for both. */
static void sincospi2(double f, double t, double *sv, double *cv)
{
    sincos(M_PI * fmod(2.0 * f * t, 2.0), sv, cv);
}

/* At most this many distinct frequencies (and harmonics in all). */
#define FOURIER_MAX (2 * HZ_MAX_SEASONS * 64)

/* The columns of the at-th harmonic (period by period, k = 1..K[j]): sin
 * at cs[at], cos at cc[at] (-1: none, a duplicate of an earlier period's
 * frequency or beyond FOURIER_MAX); returns the number of columns. */
static size_t fourier_cols(const double *period, const int *K, size_t np,
                           long *cs, long *cc)
{
    double f[FOURIER_MAX];
    size_t nf = 0, nc = 0, at = 0;
    for (size_t j = 0; j < np; j++)
        for (int k = 1; k <= K[j] && at < FOURIER_MAX; k++, at++) {
            double v = (double)k / period[j];
            int dup = nf >= sizeof f / sizeof f[0];
            for (size_t i = 0; i < nf; i++)
                dup |= f[i] == v;
            cs[at] = cc[at] = -1;
            if (dup)
                continue;
            f[nf++] = v;
            if (fabs(2 * v - round(2 * v)) > 2.220446049250313e-16)
                cs[at] = (long)nc++;
            cc[at] = (long)nc++;
        }
    return nc;
}

/* Harmonic k of a period from harmonic 1 by the angle-addition formulas
 * (the angle of harmonic 1 reduced exactly, one sincos a period and time
 * instead of one a column: the Fourier terms are most of DHR's time). */
size_t hz_fourier(const double *period, const int *K, size_t np, size_t t0,
                  size_t n, double *X, size_t ld)
{
    long cs[FOURIER_MAX], cc[FOURIER_MAX];
    size_t nc = fourier_cols(period, K, np, cs, cc);
    for (size_t j = 0, at = 0; j < np && at < FOURIER_MAX; j++) {
        int kj = K[j];
        if (kj > (int)(FOURIER_MAX - at))
            kj = (int)(FOURIER_MAX - at);
        for (size_t t = 0; t < n && kj > 0; t++) {
            double s1, c1;
            sincospi2(1.0 / period[j], (double)(t0 + t + 1), &s1, &c1);
            double sv = s1, cv = c1;
            for (int k = 1; k <= kj; k++) {
                if (k > 1) {
                    double sn = sv * c1 + cv * s1;
                    cv = cv * c1 - sv * s1;
                    sv = sn;
                }
                if (cs[at + (size_t)k - 1] >= 0)
                    X[(size_t)cs[at + (size_t)k - 1] * ld + t] = sv;
                if (cc[at + (size_t)k - 1] >= 0)
                    X[(size_t)cc[at + (size_t)k - 1] * ld + t] = cv;
            }
        }
        at += kj > 0 ? (size_t)kj : 0;
    }
    return nc;
}

/* Least squares of y on [1?, X[, 0..k)] (n rows) by GSL's SVD: the
 * fallback of ols() for nearly collinear columns. */
static double ols_svd(const double *y, size_t n, const double *X, size_t ld,
                      size_t k, int icpt, double *c, double *r)
{
    hz__gsl_init();
    size_t p = k + (icpt ? 1 : 0);
    if (p == 0 || n <= p + 1)
        return NAN;
    gsl_matrix *A = gsl_matrix_alloc(n, p), *cov = gsl_matrix_alloc(p, p);
    gsl_vector *b = gsl_vector_alloc(n), *cv = gsl_vector_alloc(p);
    gsl_multifit_linear_workspace *w = gsl_multifit_linear_alloc(n, p);
    double chisq = NAN;
    if (A && cov && b && cv && w) {
        for (size_t t = 0; t < n; t++) {
            size_t j = 0;
            if (icpt)
                gsl_matrix_set(A, t, j++, 1.0);
            for (size_t i = 0; i < k; i++)
                gsl_matrix_set(A, t, j++, X[i * ld + t]);
            gsl_vector_set(b, t, y[t]);
        }
        if (gsl_multifit_linear(A, b, cv, cov, &chisq, w) != 0)
            chisq = NAN;
        for (size_t j = 0; j < p && c != NULL; j++)
            c[j] = gsl_vector_get(cv, j);
        for (size_t t = 0; r != NULL && t < n; t++) {
            double f = 0.0;
            for (size_t j = 0; j < p; j++)
                f += gsl_matrix_get(A, t, j) * gsl_vector_get(cv, j);
            r[t] = y[t] - f;
        }
    }
    gsl_multifit_linear_free(w);
    gsl_vector_free(cv);
    gsl_vector_free(b);
    gsl_matrix_free(cov);
    gsl_matrix_free(A);
    return chisq;
}

/* Column a of [1?, X]: NULL for the intercept. */
static const double *col_of(const double *X, size_t ld, int icpt, size_t a)
{
    return icpt && a == 0 ? NULL : X + (a - (icpt ? 1 : 0)) * ld;
}

/* Cross products of [1?, X[, 0..k)] (n rows, ld): the lower triangle of
 * A = Z'Z (p x p, row-major), b = Z'y and yy = y'y (yy may be NULL).  One
 * pass over the rows, every product summed in row order (the numbers of
 * one dot product per entry, with the entries' sums side by side). */
#define DHR_PMAX (2 * HZ_MAX_SEASONS * 64 + 1)
static void cross(const double *y, size_t n, const double *X, size_t ld,
                  size_t k, int icpt, double *A, double *b, double *yy)
{
    size_t p = k + (icpt ? 1 : 0);
    double z[DHR_PMAX];
    for (size_t a = 0; a < p; a++) {
        b[a] = 0.0;
        for (size_t c = 0; c <= a; c++)
            A[a * p + c] = 0.0;
    }
    double s = 0.0;
    for (size_t t = 0; t < n; t++) {
        for (size_t a = 0; a < p; a++) {
            const double *xa = col_of(X, ld, icpt, a);
            z[a] = xa ? xa[t] : 1.0;
        }
        double yt = y[t];
        s += yt * yt;
        for (size_t a = 0; a < p; a++) {
            double za = z[a];
            double *row = A + a * p;
            b[a] += za * yt;
            for (size_t c = 0; c <= a; c++)
                row[c] += za * z[c];
        }
    }
    for (size_t a = 0; a < p; a++) /* the upper triangle, for gram_rss */
        for (size_t c = 0; c < a; c++)
            A[c * p + a] = A[a * p + c];
    if (yy != NULL)
        *yy = s;
}

/* Least squares of y on [1?, X[, 0..k)] (n rows): coefficients c (the
 * intercept first when icpt), residuals r (may be NULL); returns the
 * residual sum of squares, or NAN when n <= columns.  By the normal
 * equations (Fourier columns are close to orthogonal: well conditioned,
 * and no BLAS call, which would start threads for these small sizes),
 * GSL's SVD when they are not positive definite. */
static double ols(const double *y, size_t n, const double *X, size_t ld,
                  size_t k, int icpt, double *c, double *r)
{
    size_t p = k + (icpt ? 1 : 0);
    if (p == 0 || n <= p + 1)
        return NAN;
    double *A = malloc(p * p * sizeof *A), *b = malloc(p * sizeof *b);
    double rss = NAN;
    if (A == NULL || b == NULL)
        goto done;
    cross(y, n, X, ld, k, icpt, A, b, NULL);
    if (!hz__chol(A, p, 1e-12)) {
        free(A);
        free(b);
        return ols_svd(y, n, X, ld, k, icpt, c, r);
    }
    hz__chol_solve(A, p, b);
    rss = 0.0;
    for (size_t t = 0; t < n; t++) {
        double f = 0.0;
        for (size_t a = 0; a < p; a++) {
            const double *xa = col_of(X, ld, icpt, a);
            f += b[a] * (xa ? xa[t] : 1.0);
        }
        double e = y[t] - f;
        rss += e * e;
        if (r != NULL)
            r[t] = e;
    }
    for (size_t j = 0; c != NULL && j < p; j++)
        c[j] = b[j];
done:
    free(A);
    free(b);
    return rss;
}

/* The cross products of [1, every candidate Fourier column] with
 * themselves and with y, computed once for the choice of K: the columns
 * of K are a subset, so each candidate costs one small Cholesky. */
typedef struct gram {
    size_t p;       /* 1 + candidate columns */
    double *G, *Xy; /* p x p (row-major), p */
    double yy;
    size_t n;
} gram;

static void gram_build(gram *g, const double *y, size_t n, const double *X,
                       size_t k)
{
    g->p = k + 1;
    g->n = n;
    cross(y, n, X, n, k, 1, g->G, g->Xy, &g->yy);
}

/* RSS of the regression on the columns idx[0..m) of the Gram matrix, by
 * Cholesky of the normal equations; NAN when not positive definite. */
static double gram_rss(const gram *g, const size_t *idx, size_t m, double *A,
                       double *b)
{
    for (size_t i = 0; i < m; i++) {
        b[i] = g->Xy[idx[i]];
        for (size_t j = 0; j < m; j++)
            A[i * m + j] = g->G[idx[i] * g->p + idx[j]];
    }
    if (!hz__chol(A, m, 1e-12)) /* pivots relative to G's diagonal */
        return NAN;
    double fit = 0.0; /* b' G^-1 b = |L^-1 b|^2 */
    for (size_t i = 0; i < m; i++) {
        double v = b[i];
        for (size_t k = 0; k < i; k++)
            v -= A[i * m + k] * b[k];
        b[i] = v / A[i * m + i];
        fit += b[i] * b[i];
    }
    return g->yy - fit;
}

/* Which candidate columns the Fourier terms of K use: the candidate set is
 * hz_fourier at kmax per period; a column belongs to K when its
 * frequency k / p has k <= K of its period. */
static size_t cols_of(const double *per, const int *kmax, const int *K,
                      size_t np, size_t *idx)
{
    double f[2 * HZ_MAX_SEASONS * 64];
    int own[2 * HZ_MAX_SEASONS * 64];
    size_t nf = 0, col = 1, m = 0;
    idx[m++] = 0; /* intercept */
    for (size_t j = 0; j < np; j++)
        for (int k = 1; k <= kmax[j]; k++) {
            double v = (double)k / per[j];
            int dup = 0;
            for (size_t i = 0; i < nf; i++)
                dup |= f[i] == v;
            if (dup)
                continue;
            own[nf] = k <= K[j];
            f[nf++] = v;
        }
    for (size_t j = 0; j < nf; j++) {
        int has_sin = fabs(2 * f[j] - round(2 * f[j])) > 2.220446049250313e-16;
        for (int c = has_sin ? 0 : 1; c < 2; c++, col++)
            if (own[j])
                idx[m++] = col;
    }
    return m;
}

/* AICc of the least-squares regression with m coefficients (intercept
 * included) and residual sum of squares rss. */
static double aicc_ols(double rss, size_t n, size_t m)
{
    double p = (double)m + 1.0; /* coefficients and the variance */
    if (!(rss > 0) || (double)n <= p + 1)
        return INFINITY;
    return (double)n * log(rss / (double)n) + 2 * p +
           2 * p * (p + 1) / ((double)n - p - 1);
}

/* Step 1: K per period, one period at a time (the others at their current
 * K, starting from 1), by AICc; fixed values kept.  X: n x (2 sum kmax)
 * scratch. */
static hz_status choose_K(const double *y, size_t n, const double *per,
                          size_t np, const hz_dhr_opts *o, int *K, int *kmax,
                          double *X)
{
    for (size_t i = 0; i < np; i++) {
        kmax[i] = (int)floor(per[i] / 2.0);
        if (kmax[i] > o->kmax)
            kmax[i] = o->kmax;
        if (kmax[i] < 1)
            kmax[i] = 1;
        /* keep at least 10 observations per coefficient */
        while (kmax[i] > 1 && (size_t)(2 * kmax[i]) * 10 > n)
            kmax[i]--;
        if (o->K[i] >= 0 && o->K[i] < kmax[i])
            kmax[i] = o->K[i];
        K[i] = o->K[i] >= 0 ? kmax[i] : 1;
    }
    size_t k = hz_fourier(per, kmax, np, 0, n, X, n);
    size_t p = k + 1;
    gram g = {0, malloc(p * p * sizeof(double)), malloc(p * sizeof(double)), 0,
              0};
    double *A = malloc(p * p * sizeof(double)),
           *b = malloc(p * sizeof(double));
    size_t *idx = malloc(p * sizeof *idx);
    hz_status st = HZ_OK;
    if (g.G == NULL || g.Xy == NULL || A == NULL || b == NULL || idx == NULL) {
        st = HZ_ENOMEM;
        goto done;
    }
    gram_build(&g, y, n, X, k);
    for (size_t i = 0; i < np; i++) {
        if (o->K[i] >= 0)
            continue;
        double best = INFINITY;
        int bk = 1;
        for (int kk = 1; kk <= kmax[i]; kk++) {
            K[i] = kk;
            size_t m = cols_of(per, kmax, K, np, idx);
            double a = aicc_ols(gram_rss(&g, idx, m, A, b), n, m);
            if (a < best) {
                best = a;
                bk = kk;
            }
        }
        K[i] = bk;
    }
done:
    free(g.G);
    free(g.Xy);
    free(A);
    free(b);
    free(idx);
    return st;
}

/* Step 2: d by the KPSS test on the regression residuals, and the Fourier
 * coefficients beta[0..k) by least squares on the d-times differenced
 * series (with a constant when d == 1: the drift). */
static int fourier_coef(const double *y, size_t n, const double *X, size_t k,
                        double *beta, double *work)
{
    double *r = work, *dy = work + n, *dX = work + 2 * n;
    double c[2 * HZ_MAX_SEASONS * 64 + 1];
    ols(y, n, X, n, k, 1, c, r);
    int d = hz_ndiffs(r, n, 2, dy);
    size_t m = n;
    memcpy(dy, y, n * sizeof *dy);
    memcpy(dX, X, n * k * sizeof *dX);
    for (int i = 0; i < d; i++, m--) {
        for (size_t t = 0; t + 1 < m; t++) {
            dy[t] = dy[t + 1] - dy[t];
            for (size_t j = 0; j < k; j++)
                dX[j * n + t] = dX[j * n + t + 1] - dX[j * n + t];
        }
    }
    int icpt = d <= 1;
    if (!isfinite(ols(dy, m, dX, n, k, icpt, c, NULL)))
        return -1;
    for (size_t j = 0; j < k; j++)
        beta[j] = c[j + (icpt ? 1 : 0)];
    return d;
}

/* The periods DHR uses: above 1 and shorter than the series. */
static size_t dhr_periods(const hz_seasons *s, size_t n, double *per)
{
    size_t np = 0;
    for (size_t i = 0; s != NULL && i < s->n && i < HZ_MAX_SEASONS; i++)
        if (s->period[i] > 1 && s->period[i] < (double)n)
            per[np++] = s->period[i];
    return np;
}

/* The Fourier columns of K: the candidate columns idx[1..m) of Xfull
 * (rows x ..., ld rows) copied to X (ld rows); returns m - 1. */
static size_t select_cols(const double *Xfull, size_t rows, const size_t *idx,
                          size_t m, double *X)
{
    for (size_t j = 1; j < m; j++)
        memcpy(X + (j - 1) * rows, Xfull + (idx[j] - 1) * rows,
               rows * sizeof *X);
    return m - 1;
}

/* The chosen Fourier terms: K's columns among the candidates of kmax. */
typedef struct dhr_terms {
    const double *per;
    size_t np;
    const int *kmax;
    const size_t *idx; /* cols_of(per, kmax, K) */
    size_t m;          /* 1 + number of columns */
} dhr_terms;

static hz_status theta_or_arima(const double *e, size_t n, const dhr_terms *tm,
                                int d, int errors, hz_forecast *out,
                                hz_error *err)
{
    if (errors == HZ_DHR_THETA) {
        hz_theta_opts to;
        hz_theta_opts_init(&to);
        to.force_nonseasonal = true;
        return hz_theta_forecast(e, n, 1, &to, out, NULL, err);
    }
    hz_arima_opts ao;
    hz_arima_opts_default(&ao);
    ao.seasonal = 0;
    ao.d = d;
    ao.max_p = ao.max_q = 3;
    double pmax = tm->per[0];
    for (size_t i = 1; i < tm->np; i++)
        pmax = tm->per[i] > pmax ? tm->per[i] : pmax;
    return hz_arima_forecast(e, n, (int)floor(pmax), &ao, out, err);
}

/* Step 3: ARIMA (or Theta) on e = y - Fourier part (d fixed; X: the
 * in-sample columns, n x k), then the Fourier part at the future times
 * (into Xfull, of the candidates) added to the forecasts. */
static hz_status arima_part(const double *y, size_t n, const dhr_terms *tm,
                            const double *beta, int d, int errors,
                            const double *X, double *Xfull, hz_forecast *out,
                            hz_error *err)
{
    size_t k = tm->m - 1;
    double *e = malloc(n * sizeof *e);
    if (e == NULL)
        return hz_error_set(err, HZ_ENOMEM, "dhr: out of memory");
    for (size_t t = 0; t < n; t++) {
        double f = 0.0;
        for (size_t j = 0; j < k; j++)
            f += beta[j] * X[j * n + t];
        e[t] = y[t] - f;
    }
    hz_status st = theta_or_arima(e, n, tm, d, errors, out, err);
    /* fitted values of e, plus the Fourier part */
    for (size_t t = 0;
         st == HZ_OK && out->fitted != NULL && out->fitted_cap >= n && t < n;
         t++)
        out->fitted[t] += y[t] - e[t];
    free(e);
    if (st != HZ_OK)
        return st;
    size_t h = out->h;
    hz_fourier(tm->per, tm->kmax, tm->np, n, h, Xfull, h);
    for (size_t i = 0; i < h; i++) {
        double f = 0.0;
        for (size_t j = 0; j < k; j++)
            f += beta[j] * Xfull[(tm->idx[j + 1] - 1) * h + i];
        out->mean[i] += f;
        for (size_t l = 0; l < out->nlevels; l++) {
            out->lower[l][i] += f;
            out->upper[l][i] += f;
        }
    }
    return HZ_OK;
}

static hz_status dhr_fit(const double *y, size_t n, const hz_seasons *s,
                         const hz_dhr_opts *o, hz_forecast *out, hz_error *err)
{
    double per[HZ_MAX_SEASONS];
    size_t np = dhr_periods(s, n, per);
    if (np == 0 || n < 20)
        return hz_error_set(err, HZ_ETOOSHORT,
                            "dhr: no seasonal period shorter than the "
                            "series (%zu observations)",
                            n);
    size_t kcols = 2 * (size_t)(o->kmax > 0 ? o->kmax : 1) * np;
    size_t rows = n > out->h ? n : out->h;
    double *X = malloc(rows * kcols * sizeof *X);
    double *Xk = malloc(n * kcols * sizeof *Xk);
    double *work = malloc((2 + kcols) * n * sizeof *work);
    size_t *idx = malloc((kcols + 1) * sizeof *idx);
    double beta[2 * HZ_MAX_SEASONS * 64];
    int K[HZ_MAX_SEASONS], kmax[HZ_MAX_SEASONS];
    hz_status st = HZ_OK;
    if (X == NULL || Xk == NULL || work == NULL || idx == NULL ||
        choose_K(y, n, per, np, o, K, kmax, X) != HZ_OK) {
        st = hz_error_set(err, HZ_ENOMEM, "dhr: out of memory");
        goto done;
    }
    /* X holds every candidate column (n rows): K's are a subset */
    dhr_terms tm = {per, np, kmax, idx, cols_of(per, kmax, K, np, idx)};
    size_t k = select_cols(X, n, idx, tm.m, Xk);
    int d = fourier_coef(y, n, Xk, k, beta, work);
    if (d < 0) {
        st = hz_error_set(err, HZ_ETOOSHORT,
                          "dhr: too few observations for %zu Fourier terms",
                          k);
        goto done;
    }
    st = arima_part(y, n, &tm, beta, d, o->errors, Xk, X, out, err);
    if (st == HZ_OK) {
        char inner[64], ks[32] = "";
        snprintf(inner, sizeof inner, "%s", out->method);
        for (size_t i = 0, len = 0; i < np && len < sizeof ks; i++)
            len += (size_t)snprintf(ks + len, sizeof ks - len, "%s%d",
                                    i ? "," : "", K[i]);
        snprintf(out->method, sizeof out->method, "DHR(K=%s)+%s", ks, inner);
    }
done:
    free(X);
    free(Xk);
    free(work);
    free(idx);
    return st;
}

/* dhr_fit's arguments besides the series. */
typedef struct dhr_call {
    const hz_seasons *s;
    const hz_dhr_opts *o;
} dhr_call;

/* dhr_fit through hz__fc_on_log. */
static hz_status dhr_fit_cb(const double *y, size_t n, void *ctx,
                            hz_forecast *out, hz_error *err)
{
    const dhr_call *c = ctx;
    return dhr_fit(y, n, c->s, c->o, out, err);
}

hz_status hz_dhr_forecast(const double *y, size_t n, const hz_seasons *s,
                          const hz_dhr_opts *o, hz_forecast *out,
                          hz_error *err)
{
    hz_dhr_opts def;
    if (o == NULL) {
        hz_dhr_opts_init(&def);
        o = &def;
    }
    if (y == NULL || out == NULL)
        return hz_error_set(err, HZ_EINVAL, "dhr: null argument");
    bool pos = true;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(y[i]))
            return hz_error_set(err, HZ_EINVAL,
                                "dhr: non-finite value at position %zu", i);
        pos &= y[i] > 0;
    }
    double per[HZ_MAX_SEASONS], pmax = 0;
    size_t np = dhr_periods(s, n, per);
    for (size_t i = 0; i < np; i++)
        pmax = per[i] > pmax ? per[i] : pmax;
    if (o->log && pos && hz__guerrero_log(y, n, pmax)) {
        dhr_call c = {s, o};
        return hz__fc_on_log(y, n, dhr_fit_cb, &c, out, err);
    }
    return dhr_fit(y, n, s, o, out, err);
}
