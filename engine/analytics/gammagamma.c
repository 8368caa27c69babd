/* Gamma-Gamma spend model (see gammagamma.h). */
#include <math.h>
#include <stdint.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_sf_psi.h>
#include <gsl/gsl_vector.h>

#include "analytics/analytics_internal.h"
#include "numeric/bfgs.h"
#include "horizon/gammagamma.h"

typedef struct ggdata {
    double *x, *m;   /* repeat buyers only */
    double *lm, *lx; /* log m, log x */
    uint32_t *xi;    /* index of x among the distinct x values */
    double *xs;      /* distinct x values */
    size_t nx;
    double *tab; /* per distinct x, refilled per evaluation:
                              lgamma(px+q) - lgamma(px), psi(px+q),
                              psi(px) */
    size_t n;
    double *part; /* 4 partial sums per block */
    int threads;
} ggdata;

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* LL and gradient (p, q, gamma) of the repeat buyers. */
static double gg_eval(ggdata *d, const hz_gg_params *pr, double g[3])
{
    const double p = pr->p, q = pr->q, v = pr->gamma;
    const double lgq = gsl_sf_lngamma(q), lv = log(v), psq = gsl_sf_psi(q);
    size_t nb = hz__nblocks(d->n);
    const int want_g = g != NULL;
    for (size_t k = 0; k < d->nx; k++) {
        double px = p * d->xs[k];
        d->tab[3 * k] = gsl_sf_lngamma(px + q) - gsl_sf_lngamma(px);
        if (want_g) {
            d->tab[3 * k + 1] = gsl_sf_psi(px + q);
            d->tab[3 * k + 2] = gsl_sf_psi(px);
        }
    }
#pragma omp parallel for schedule(static) num_threads(d->threads) if (nb > 4)
    for (size_t blk = 0; blk < nb; blk++) {
        size_t lo = blk * HZ__BLOCK, hi = lo + HZ__BLOCK;
        if (hi > d->n)
            hi = d->n;
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (size_t i = lo; i < hi; i++) {
            double x = d->x[i], m = d->m[i], px = p * x;
            double lxm = log(x * m + v), lm = d->lm[i], lx = d->lx[i];
            const double *t = d->tab + 3 * d->xi[i];
            s0 += t[0] - lgq + q * lv + (px - 1) * lm + px * lx -
                  (px + q) * lxm;
            if (want_g) {
                double pspq = t[1];
                s1 += x * (pspq - t[2] + lm + lx - lxm);
                s2 += pspq - psq + lv - lxm;
                s3 += q / v - (px + q) / (x * m + v);
            }
        }
        double *pp = d->part + 4 * blk;
        pp[0] = s0;
        pp[1] = s1;
        pp[2] = s2;
        pp[3] = s3;
    }
    double t[4] = {0, 0, 0, 0};
    for (size_t blk = 0; blk < nb; blk++)
        for (int j = 0; j < 4; j++)
            t[j] += d->part[4 * blk + j];
    if (g != NULL) {
        g[0] = t[1];
        g[1] = t[2];
        g[2] = t[3];
    }
    return t[0];
}

static void gg_unpack(const gsl_vector *v, hz_gg_params *p)
{
    p->p = exp(gsl_vector_get(v, 0));
    p->q = exp(gsl_vector_get(v, 1));
    p->gamma = exp(gsl_vector_get(v, 2));
}

static double gg_f(const gsl_vector *v, void *vd)
{
    ggdata *d = vd;
    hz_gg_params p;
    gg_unpack(v, &p);
    double ll = gg_eval(d, &p, NULL);
    return isfinite(ll) ? -ll / (double)d->n : GSL_POSINF;
}

static void gg_fdf(const gsl_vector *v, void *vd, double *f, gsl_vector *gr)
{
    ggdata *d = vd;
    hz_gg_params p;
    double g[3];
    gg_unpack(v, &p);
    double ll = gg_eval(d, &p, g);
    double th[3] = {p.p, p.q, p.gamma};
    if (f != NULL)
        *f = isfinite(ll) ? -ll / (double)d->n : GSL_POSINF;
    if (gr != NULL)
        for (int j = 0; j < 3; j++)
            gsl_vector_set(gr, j, -g[j] * th[j] / (double)d->n);
}

static void gg_df(const gsl_vector *v, void *vd, gsl_vector *gr)
{
    gg_fdf(v, vd, NULL, gr);
}

static hz_status gg_build(ggdata *d, const double *x, const double *mbar,
                          size_t n, size_t *nzero, hz_error *err)
{
    memset(d, 0, sizeof *d);
    *nzero = 0;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (!(x[i] >= 0) || !isfinite(x[i]) || !(mbar[i] >= 0) ||
            !isfinite(mbar[i]))
            return hz_error_set(
                err, HZ_EINVAL,
                "customer %zu: frequency %g and mean spend %g must be "
                "finite and non-negative",
                i + 1, x[i], mbar[i]);
        if (x[i] > 0) {
            if (mbar[i] > 0)
                k++;
            else
                (*nzero)++;
        }
    }
    d->x = malloc((k ? k : 1) * sizeof(double));
    d->m = malloc((k ? k : 1) * sizeof(double));
    d->part = malloc(4 * (hz__nblocks(k) + 1) * sizeof(double));
    if (!d->x || !d->m || !d->part)
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    k = 0;
    for (size_t i = 0; i < n; i++)
        if (x[i] > 0 && mbar[i] > 0) {
            d->x[k] = x[i];
            d->m[k] = mbar[i];
            k++;
        }
    d->n = k;
    d->lm = malloc((k ? k : 1) * sizeof(double));
    d->lx = malloc((k ? k : 1) * sizeof(double));
    d->xi = malloc((k ? k : 1) * sizeof(uint32_t));
    d->xs = malloc((k ? k : 1) * sizeof(double));
    if (!d->lm || !d->lx || !d->xi || !d->xs)
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    memcpy(d->xs, d->x, k * sizeof(double));
    qsort(d->xs, k, sizeof(double), cmp_d);
    size_t nx = 0;
    for (size_t i = 0; i < k; i++)
        if (nx == 0 || d->xs[nx - 1] != d->xs[i])
            d->xs[nx++] = d->xs[i];
    d->nx = nx;
    d->tab = malloc(3 * (nx ? nx : 1) * sizeof(double));
    if (d->tab == NULL)
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    for (size_t i = 0; i < k; i++) {
        d->lm[i] = log(d->m[i]);
        d->lx[i] = log(d->x[i]);
        size_t lo = 0, hi = nx;
        while (hi - lo > 1) {
            size_t mid = (lo + hi) / 2;
            if (d->xs[mid] <= d->x[i])
                lo = mid;
            else
                hi = mid;
        }
        d->xi[i] = (uint32_t)lo;
    }
    return HZ_OK;
}

static void gg_free(ggdata *d)
{
    free(d->lm);
    free(d->lx);
    free(d->xi);
    free(d->xs);
    free(d->tab);
    free(d->x);
    free(d->m);
    free(d->part);
}

double hz_gg_loglik(const hz_gg_params *p, const double *x, const double *mbar,
                    size_t n)
{
    ggdata d;
    size_t nz;
    double ll = NAN;
    if (gg_build(&d, x, mbar, n, &nz, NULL) == HZ_OK) {
        d.threads = omp_get_max_threads();
        ll = gg_eval(&d, p, NULL);
    }
    gg_free(&d);
    return ll;
}

/* one level only, the warm start fits
 * a sample of the customers first:
 * NOLINTNEXTLINE(misc-no-recursion) */
hz_status hz_gg_fit(const double *x, const double *mbar, size_t n, int threads,
                    hz_gg_model *out, hz_error *err)
{
    ggdata d;
    hz_status st;
    gsl_vector *v0 = NULL;
    size_t nzero = 0;

    memset(out, 0, sizeof *out);
    if ((st = gg_build(&d, x, mbar, n, &nzero, err)) != HZ_OK)
        goto out;
    d.threads = threads > 0 ? threads : omp_get_max_threads();
    if (d.n < 2) {
        st = hz_error_set(err, HZ_ETOOSHORT,
                          "Gamma-Gamma needs at least 2 repeat buyers with "
                          "a positive spend, got %zu",
                          d.n);
        goto out;
    }
    double mean = 0;
    for (size_t i = 0; i < d.n; i++)
        mean += d.m[i];
    mean /= (double)d.n;
    gsl_multimin_function_fdf fn = {gg_f, gg_df, gg_fdf, 3, &d};
    v0 = gsl_vector_alloc(3);
    if (v0 == NULL) {
        st = hz_error_set(err, HZ_ENOMEM, "out of memory");
        goto out;
    }
    /* start at p = 1, q = 2, gamma = mean spend (population mean matches) */
    gsl_vector_set(v0, 0, 0.0);
    gsl_vector_set(v0, 1, log(2.0));
    gsl_vector_set(v0, 2, log(mean));
    if (d.n > HZ__WARM_MIN) {
        /* warm start from every step-th repeat buyer (see bgnbd.c) */
        size_t step = d.n / (HZ__WARM_MIN / 2), ns = (d.n + step - 1) / step;
        double *sub = malloc(2 * ns * sizeof(double));
        if (sub != NULL) {
            for (size_t i = 0; i < ns; i++) {
                sub[i] = d.x[i * step];
                sub[ns + i] = d.m[i * step];
            }
            hz_gg_model sm;
            if (hz_gg_fit(sub, sub + ns, ns, threads, &sm, NULL) == HZ_OK) {
                gsl_vector_set(v0, 0, log(sm.p.p));
                gsl_vector_set(v0, 1, log(sm.p.q));
                gsl_vector_set(v0, 2, log(sm.p.gamma));
            }
            free(sub);
        }
    }
    size_t iter = 0;
    double gnorm = 0;
    int status = hz__bfgs_minimize(&fn, v0, 500, 1e-9, &iter, &gnorm);
    hz_gg_params p;
    gg_unpack(v0, &p);
    for (int j = 0; j < 3; j++) {
        double lv = gsl_vector_get(v0, j);
        if (!(lv > log(1e-8) && lv < log(1e8))) {
            st = hz_error_set(
                err, HZ_ENOCONV,
                "Gamma-Gamma parameters run away (p = %g, q = %g, gamma = "
                "%g): spend does not vary enough between customers to "
                "identify the model",
                p.p, p.q, p.gamma);
            goto out;
        }
    }
    if (status != GSL_SUCCESS) {
        st = hz_error_set(err, HZ_ENOCONV,
                          "Gamma-Gamma fit did not converge after %zu "
                          "iterations (gradient norm %g)",
                          iter, gnorm);
        goto out;
    }
    out->p = p;
    out->loglik = gg_eval(&d, &p, NULL);
    out->n = d.n;
    out->n_zero = nzero;
    out->iterations = iter;
    double th[3] = {p.p, p.q, p.gamma}, H[9];
    for (int j = 0; j < 3; j++) {
        double h = 1e-5 * th[j], gp[3], gm[3];
        hz_gg_params pp = p, pm = p;
        double *tp = j == 0 ? &pp.p : j == 1 ? &pp.q : &pp.gamma;
        double *tm = j == 0 ? &pm.p : j == 1 ? &pm.q : &pm.gamma;
        *tp += h;
        *tm -= h;
        gg_eval(&d, &pp, gp);
        gg_eval(&d, &pm, gm);
        for (int i = 0; i < 3; i++)
            H[i * 3 + j] = -(gp[i] - gm[i]) / (2 * h);
    }
    hz__se_from_hessian(H, 3, out->se);
out:
    if (v0 != NULL)
        gsl_vector_free(v0);
    gg_free(&d);
    return st;
}

double hz_gg_conditional_spend(const hz_gg_params *p, double x, double mbar)
{
    if (!(p->q > 1))
        return NAN;
    double pop = p->p * p->gamma / (p->q - 1);
    if (x <= 0)
        return pop;
    double den = p->p * x + p->q - 1;
    return (p->q - 1) / den * pop + p->p * x / den * mbar;
}
