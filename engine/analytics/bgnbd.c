/* BG/NBD maximum-likelihood fit and predictions (see bgnbd.h). */
#include <float.h>
#include <stdbool.h>
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_multimin.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_sf_psi.h>
#include <gsl/gsl_vector.h>

#include "analytics/analytics_internal.h"
#include "numeric/bfgs.h"
#include "numeric/special.h"
#include "horizon/bgnbd.h"

void hz_bgnbd_options_init(hz_bgnbd_options *o)
{
    memset(o, 0, sizeof *o);
    o->max_iter = 400;
    o->gtol = 1e-8;
}

/* ---- likelihood over distinct triples with weights ---- */

typedef struct triple {
    double x, tx, T;
    double w;         /* number of customers */
    uint32_t xi;      /* index into the distinct-x tables */
    uint32_t ti, txi; /* indices of T and t_x among distinct times */
} triple;

typedef struct fitdata {
    triple *t;
    size_t m;   /* distinct triples */
    double *xs; /* distinct x values */
    size_t nx;
    double wsum; /* customers */
    /* per-distinct-x tables, refilled at each evaluation */
    double *lg_rx, *ps_rx, *lg_bx, *ps_bx, *lg_abx, *ps_abx;
    double *part;  /* 5 partial sums per block */
    double *times; /* distinct values of T and t_x */
    size_t ntimes;
    double *ltab, *itab; /* log(alpha + t), 1 / (alpha + t) per time */
    int threads;
} fitdata;

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static uint32_t find_time(const double *v, size_t n, double t)
{
    size_t lo = 0, hi = n;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (v[mid] <= t)
            lo = mid;
        else
            hi = mid;
    }
    return (uint32_t)lo;
}

static int cmp_triple(const void *pa, const void *pb)
{
    const triple *a = pa, *b = pb;
    if (a->x != b->x)
        return (a->x > b->x) - (a->x < b->x);
    if (a->tx != b->tx)
        return (a->tx > b->tx) - (a->tx < b->tx);
    return (a->T > b->T) - (a->T < b->T);
}

/* Log-likelihood (and gradient in r, alpha, a, b when g != NULL). */
static double eval_ll(fitdata *d, const hz_bgnbd_params *p, double g[4])
{
    const double r = p->r, al = p->alpha, a = p->a, b = p->b;
    for (size_t i = 0; i < d->nx; i++) {
        double x = d->xs[i];
        d->lg_rx[i] = gsl_sf_lngamma(r + x);
        d->lg_bx[i] = gsl_sf_lngamma(b + x);
        d->lg_abx[i] = gsl_sf_lngamma(a + b + x);
        if (g != NULL) {
            d->ps_rx[i] = gsl_sf_psi(r + x);
            d->ps_bx[i] = gsl_sf_psi(b + x);
            d->ps_abx[i] = gsl_sf_psi(a + b + x);
        }
    }
    for (size_t k = 0; k < d->ntimes; k++) {
        d->ltab[k] = log(al + d->times[k]);
        d->itab[k] = 1.0 / (al + d->times[k]);
    }
    const double lgr = gsl_sf_lngamma(r), lgb = gsl_sf_lngamma(b);
    const double lgab = gsl_sf_lngamma(a + b), lal = log(al), la = log(a);
    size_t nb = hz__nblocks(d->m);
    const int want_g = g != NULL;
#pragma omp parallel for schedule(static) num_threads(d->threads) if (nb > 4)
    for (size_t blk = 0; blk < nb; blk++) {
        size_t lo = blk * HZ__BLOCK, hi = lo + HZ__BLOCK;
        if (hi > d->m)
            hi = d->m;
        double s_ll = 0, s_r = 0, s_al = 0, s_a = 0, s_b = 0;
        for (size_t k = lo; k < hi; k++) {
            const triple *t = &d->t[k];
            const double x = t->x, w = t->w;
            const size_t xi = t->xi;
            double lT = d->ltab[t->ti];
            double A = d->lg_rx[xi] - lgr + r * lal + lgab + d->lg_bx[xi] -
                       lgb - d->lg_abx[xi] - (r + x) * lT;
            double wt = 0.0, ltx = 0.0, D = 0.0;
            if (x > 0) {
                ltx = d->ltab[t->txi];
                D = la - log(b + x - 1) + (r + x) * (lT - ltx);
                /* log(1 + e^D) and its derivative sigmoid(D) */
                double e = exp(-fabs(D));
                A += (D > 0 ? D : 0.0) + log1p(e);
                wt = D > 0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
            }
            s_ll += w * A;
            if (want_g) {
                double iT = d->itab[t->ti];
                s_r += w * (d->ps_rx[xi] + lal - lT +
                            wt * (x > 0 ? lT - ltx : 0.0));
                s_al += w * (r / al - (r + x) * iT +
                             (x > 0 ? wt * (r + x) * (iT - d->itab[t->txi])
                                    : 0.0));
                s_a += w * (-d->ps_abx[xi] + (x > 0 ? wt / a : 0.0));
                s_b += w * (d->ps_bx[xi] - d->ps_abx[xi] -
                            (x > 0 ? wt / (b + x - 1) : 0.0));
            }
        }
        double *pp = d->part + 5 * blk;
        pp[0] = s_ll;
        pp[1] = s_r;
        pp[2] = s_al;
        pp[3] = s_a;
        pp[4] = s_b;
    }
    double tot[5] = {0, 0, 0, 0, 0};
    for (size_t blk = 0; blk < nb; blk++)
        for (int j = 0; j < 5; j++)
            tot[j] += d->part[5 * blk + j];
    if (g != NULL) {
        /* terms that are the same for every customer */
        double W = d->wsum;
        g[0] = tot[1] - W * gsl_sf_psi(r);
        g[1] = tot[2];
        g[2] = tot[3] + W * gsl_sf_psi(a + b);
        g[3] = tot[4] + W * (gsl_sf_psi(a + b) - gsl_sf_psi(b));
    }
    return tot[0];
}

static void unpack(const gsl_vector *v, hz_bgnbd_params *p)
{
    p->r = exp(gsl_vector_get(v, 0));
    p->alpha = exp(gsl_vector_get(v, 1));
    p->a = exp(gsl_vector_get(v, 2));
    p->b = exp(gsl_vector_get(v, 3));
}

/* Objective: -LL / N in log-parameters. */
static double obj_f(const gsl_vector *v, void *vd)
{
    fitdata *d = vd;
    hz_bgnbd_params p;
    unpack(v, &p);
    double ll = eval_ll(d, &p, NULL);
    return isfinite(ll) ? -ll / d->wsum : GSL_POSINF;
}

static void obj_fdf(const gsl_vector *v, void *vd, double *f, gsl_vector *gr)
{
    fitdata *d = vd;
    hz_bgnbd_params p;
    double g[4];
    unpack(v, &p);
    double ll = eval_ll(d, &p, g);
    double th[4] = {p.r, p.alpha, p.a, p.b};
    if (f != NULL)
        *f = isfinite(ll) ? -ll / d->wsum : GSL_POSINF;
    if (gr != NULL)
        for (int j = 0; j < 4; j++)
            gsl_vector_set(gr, j, -g[j] * th[j] / d->wsum);
}

static void obj_df(const gsl_vector *v, void *vd, gsl_vector *gr)
{
    obj_fdf(v, vd, NULL, gr);
}

/* Newton's method on the log-parameters with a Hessian from forward
 * differences of the analytic gradient, for a start close to the optimum
 * (the warm start below).  Returns GSL_SUCCESS when the gradient norm
 * falls below gtol; v is left at the best point found. */
static int newton_polish(fitdata *d, gsl_vector *v, double gtol, size_t *iter,
                         double *gnorm)
{
    gsl_vector *g = gsl_vector_alloc(4), *g2 = gsl_vector_alloc(4);
    gsl_vector *v2 = gsl_vector_alloc(4), *step = gsl_vector_alloc(4);
    gsl_matrix *H = gsl_matrix_alloc(4, 4);
    int status = GSL_CONTINUE;
    if (!g || !g2 || !v2 || !step || !H) {
        status = GSL_ENOMEM;
        goto out;
    }
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    double f;
    obj_fdf(v, d, &f, g);
    for (int it = 0; it < 12; it++) {
        (*iter)++;
        *gnorm = gsl_blas_dnrm2(g);
        if (*gnorm < gtol) {
            status = GSL_SUCCESS;
            break;
        }
        const double h = 1e-6;
        for (int j = 0; j < 4; j++) {
            gsl_vector_memcpy(v2, v);
            gsl_vector_set(v2, j, gsl_vector_get(v, j) + h);
            obj_df(v2, d, g2);
            for (int i = 0; i < 4; i++)
                gsl_matrix_set(H, i, j,
                               (gsl_vector_get(g2, i) - gsl_vector_get(g, i)) /
                                   h);
        }
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < i; j++) {
                double a = 0.5 *
                           (gsl_matrix_get(H, i, j) + gsl_matrix_get(H, j, i));
                gsl_matrix_set(H, i, j, a);
                gsl_matrix_set(H, j, i, a);
            }
        if (gsl_linalg_cholesky_decomp1(H) != GSL_SUCCESS ||
            gsl_linalg_cholesky_solve(H, g, step) != GSL_SUCCESS) {
            status = GSL_EFAILED;
            break;
        }
        double slope;
        gsl_blas_ddot(g, step, &slope); /* > 0: move along -step */
        double t = 1.0, f2;
        bool ok = false;
        for (int ls = 0; ls < 20; ls++) {
            gsl_vector_memcpy(v2, v);
            gsl_blas_daxpy(-t, step, v2);
            f2 = obj_f(v2, d);
            if (f2 <= f - 1e-4 * t * slope) {
                ok = true;
                break;
            }
            t *= 0.5;
        }
        if (!ok) {
            status = GSL_ENOPROG;
            break;
        }
        gsl_vector_memcpy(v, v2);
        obj_fdf(v, d, &f, g);
    }
    if (status == GSL_CONTINUE) {
        *gnorm = gsl_blas_dnrm2(g);
        status = *gnorm < gtol ? GSL_SUCCESS : GSL_EMAXITER;
    }
    gsl_set_error_handler(old);
out:
    if (g)
        gsl_vector_free(g);
    if (g2)
        gsl_vector_free(g2);
    if (v2)
        gsl_vector_free(v2);
    if (step)
        gsl_vector_free(step);
    if (H)
        gsl_matrix_free(H);
    return status;
}

static void fitdata_free(fitdata *d)
{
    free(d->times);
    free(d->ltab);
    free(d->t);
    free(d->xs);
    free(d->lg_rx);
    free(d->part);
}

static hz_status fitdata_build(fitdata *d, const double *x, const double *tx,
                               const double *T, size_t n, hz_error *err)
{
    memset(d, 0, sizeof *d);
    d->t = malloc(n * sizeof *d->t);
    if (d->t == NULL)
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(x[i]) || !isfinite(tx[i]) || !isfinite(T[i]) ||
            x[i] < 0 || x[i] != floor(x[i]) || tx[i] < 0 || tx[i] > T[i] ||
            (x[i] > 0 && tx[i] <= 0) || (x[i] == 0 && tx[i] != 0))
            return hz_error_set(
                err, HZ_EINVAL,
                "customer %zu: inconsistent summary x = %g, t_x = %g, "
                "T = %g (need integer x >= 0, 0 <= t_x <= T, t_x > 0 "
                "exactly when x > 0)",
                i + 1, x[i], tx[i], T[i]);
        d->t[i].x = x[i];
        d->t[i].tx = tx[i];
        d->t[i].T = T[i];
        d->t[i].w = 1.0;
    }
    qsort(d->t, n, sizeof *d->t, cmp_triple);
    size_t m = 0, nx = 0;
    for (size_t i = 0; i < n; i++) {
        if (m > 0 && cmp_triple(&d->t[m - 1], &d->t[i]) == 0) {
            d->t[m - 1].w += 1.0;
            continue;
        }
        d->t[m++] = d->t[i];
        if (m == 1 || d->t[m - 1].x != d->t[m - 2].x)
            nx++;
    }
    d->m = m;
    d->nx = nx;
    d->wsum = (double)n;
    d->xs = malloc(nx * sizeof *d->xs);
    d->lg_rx = malloc(6 * nx * sizeof(double));
    d->part = malloc(5 * (hz__nblocks(m) + 1) * sizeof(double));
    if (!d->xs || !d->lg_rx || !d->part)
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    d->ps_rx = d->lg_rx + nx;
    d->lg_bx = d->lg_rx + 2 * nx;
    d->ps_bx = d->lg_rx + 3 * nx;
    d->lg_abx = d->lg_rx + 4 * nx;
    d->ps_abx = d->lg_rx + 5 * nx;
    size_t k = 0;
    for (size_t i = 0; i < m; i++) {
        if (i == 0 || d->t[i].x != d->t[i - 1].x)
            d->xs[k++] = d->t[i].x;
        d->t[i].xi = (uint32_t)(k - 1);
    }
    /* distinct times (T and t_x): their logs are computed once per
     * evaluation */
    d->times = malloc(2 * m * sizeof(double));
    if (d->times == NULL)
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    for (size_t i = 0; i < m; i++) {
        d->times[2 * i] = d->t[i].T;
        d->times[2 * i + 1] = d->t[i].tx;
    }
    qsort(d->times, 2 * m, sizeof(double), cmp_dbl);
    size_t nt = 0;
    for (size_t i = 0; i < 2 * m; i++)
        if (nt == 0 || d->times[nt - 1] != d->times[i])
            d->times[nt++] = d->times[i];
    d->ntimes = nt;
    d->ltab = malloc(2 * nt * sizeof(double));
    if (d->ltab == NULL)
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    d->itab = d->ltab + nt;
    for (size_t i = 0; i < m; i++) {
        d->t[i].ti = find_time(d->times, nt, d->t[i].T);
        d->t[i].txi = find_time(d->times, nt, d->t[i].tx);
    }
    return HZ_OK;
}

double hz_bgnbd_loglik(const hz_bgnbd_params *p, const double *x,
                       const double *t_x, const double *T, size_t n)
{
    fitdata d;
    if (fitdata_build(&d, x, t_x, T, n, NULL) != HZ_OK) {
        fitdata_free(&d);
        return NAN;
    }
    d.threads = omp_get_max_threads();
    double ll = eval_ll(&d, p, NULL);
    fitdata_free(&d);
    return ll;
}

/* Standard errors from the inverse of the numerical Hessian of -LL. */
static void std_errors(fitdata *d, const hz_bgnbd_params *p, double se[4])
{
    double th[4] = {p->r, p->alpha, p->a, p->b};
    double H[16];
    for (int j = 0; j < 4; j++) {
        double h = 1e-5 * th[j];
        double tp[4], tm[4], gp[4], gm[4];
        memcpy(tp, th, sizeof tp);
        memcpy(tm, th, sizeof tm);
        tp[j] += h;
        tm[j] -= h;
        hz_bgnbd_params pp = {tp[0], tp[1], tp[2], tp[3]};
        hz_bgnbd_params pm = {tm[0], tm[1], tm[2], tm[3]};
        eval_ll(d, &pp, gp);
        eval_ll(d, &pm, gm);
        for (int i = 0; i < 4; i++)
            H[i * 4 + j] = -(gp[i] - gm[i]) / (2 * h);
    }
    hz__se_from_hessian(H, 4, se);
}

/* one level only, the warm start fits
 * a sample of the customers first:
 * NOLINTNEXTLINE(misc-no-recursion) */
hz_status hz_bgnbd_fit(const double *x, const double *t_x, const double *T,
                       size_t n, const hz_bgnbd_options *opt,
                       hz_bgnbd_model *out, hz_error *err)
{
    hz_bgnbd_options defo;
    fitdata d;
    hz_status st = HZ_OK;
    gsl_vector *v0 = NULL;

    memset(out, 0, sizeof *out);
    memset(&d, 0, sizeof d);
    if (opt == NULL) {
        hz_bgnbd_options_init(&defo);
        opt = &defo;
    }
    if (n < 2)
        return hz_error_set(err, HZ_ETOOSHORT,
                            "BG/NBD needs at least 2 customers, got %zu", n);
    if ((st = fitdata_build(&d, x, t_x, T, n, err)) != HZ_OK)
        goto out;
    d.threads = opt->threads > 0 ? opt->threads : omp_get_max_threads();
    if (d.xs[d.nx - 1] == 0) {
        st = hz_error_set(err, HZ_ETOOSHORT,
                          "no customer made a repeat purchase: BG/NBD "
                          "cannot be fitted");
        goto out;
    }
    double meanT = 0;
    for (size_t i = 0; i < d.m; i++)
        meanT += d.t[i].w * d.t[i].T;
    meanT /= d.wsum;
    if (!(meanT > 0)) {
        st = hz_error_set(err, HZ_ETOOSHORT,
                          "every customer has age T = 0: nothing to fit");
        goto out;
    }

    gsl_multimin_function_fdf fn = {obj_f, obj_df, obj_fdf, 4, &d};
    v0 = gsl_vector_alloc(4);
    if (v0 == NULL) {
        st = hz_error_set(err, HZ_ENOMEM, "out of memory");
        goto out;
    }
    gsl_vector_set(v0, 0, 0.0);
    gsl_vector_set(v0, 1, log(meanT));
    gsl_vector_set(v0, 2, 0.0);
    gsl_vector_set(v0, 3, 0.0);
    bool warm = false;
    if (d.m > HZ__WARM_MIN) {
        /* warm start: fit every step-th customer first, then polish on
         * all of them (same optimum, far fewer full evaluations) */
        size_t step = n / (HZ__WARM_MIN / 2), ns = (n + step - 1) / step;
        double *sub = malloc(3 * ns * sizeof(double));
        if (sub != NULL) {
            for (size_t i = 0; i < ns; i++) {
                sub[i] = x[i * step];
                sub[ns + i] = t_x[i * step];
                sub[2 * ns + i] = T[i * step];
            }
            hz_bgnbd_model sm;
            if (hz_bgnbd_fit(sub, sub + ns, sub + 2 * ns, ns, opt, &sm,
                             NULL) == HZ_OK) {
                gsl_vector_set(v0, 0, log(sm.p.r));
                gsl_vector_set(v0, 1, log(sm.p.alpha));
                gsl_vector_set(v0, 2, log(sm.p.a));
                gsl_vector_set(v0, 3, log(sm.p.b));
                warm = true;
            }
            free(sub);
        }
    }
    size_t iter = 0;
    double gnorm = 0;
    int status = GSL_CONTINUE;
    if (warm) {
        /* from the warm start a few Newton steps reach the optimum with
         * far fewer full evaluations than BFGS */
        gsl_vector *keep = gsl_vector_alloc(4);
        if (keep != NULL) {
            gsl_vector_memcpy(keep, v0);
            status = newton_polish(&d, v0, opt->gtol, &iter, &gnorm);
            if (status != GSL_SUCCESS)
                gsl_vector_memcpy(v0, keep);
            gsl_vector_free(keep);
        }
    }
    if (status != GSL_SUCCESS)
        status = hz__bfgs_minimize(&fn, v0, opt->max_iter, opt->gtol, &iter,
                                   &gnorm);
    hz_bgnbd_params p;
    unpack(v0, &p);
    double lo = log(1e-8), hi = log(1e8);
    for (int j = 0; j < 4; j++) {
        double lv = gsl_vector_get(v0, j);
        if (!(lv > lo && lv < hi)) {
            st = hz_error_set(
                err, HZ_ENOCONV,
                "BG/NBD parameters run away (r = %g, alpha = %g, a = %g, "
                "b = %g): the data do not identify the model (too few or "
                "identical customers)",
                p.r, p.alpha, p.a, p.b);
            goto out;
        }
    }
    if (status != GSL_SUCCESS) {
        st = hz_error_set(err, HZ_ENOCONV,
                          "BG/NBD fit did not converge after %zu "
                          "iterations (gradient norm %g)",
                          iter, gnorm);
        goto out;
    }
    out->p = p;
    out->loglik = eval_ll(&d, &p, NULL);
    out->n = n;
    out->n_distinct = d.m;
    out->iterations = iter;
    std_errors(&d, &p, out->se);
out:
    if (v0 != NULL)
        gsl_vector_free(v0);
    fitdata_free(&d);
    return st;
}

/* ---- predictions ---- */

double hz_bgnbd_p_alive(const hz_bgnbd_params *p, double x, double t_x,
                        double T)
{
    if (x <= 0)
        return 1.0;
    double D = log(p->a) - log(p->b + x - 1) +
               (p->r + x) * (log(p->alpha + T) - log(p->alpha + t_x));
    return D > 0 ? exp(-D) / (1.0 + exp(-D)) : 1.0 / (1.0 + exp(D));
}

double hz_bgnbd_expected(const hz_bgnbd_params *p, double t)
{
    const double r = p->r, al = p->alpha, a = p->a, b = p->b;
    if (t <= 0)
        return 0.0;
    double z = t / (al + t);
    double h = hz__hyp2f1(r, b, a + b - 1, z);
    return (a + b - 1) / (a - 1) * (1.0 - pow(al / (al + t), r) * h);
}

double hz_bgnbd_conditional_numerator(const hz_bgnbd_params *p, double t,
                                      double x, double T)
{
    const double r = p->r, al = p->alpha, a = p->a, b = p->b;
    if (t <= 0)
        return 0.0;
    double z = t / (al + T + t);
    double h = hz__hyp2f1(r + x, b + x, a + b + x - 1, z);
    return (a + b + x - 1) / (a - 1) *
           (1.0 - pow((al + T) / (al + T + t), r + x) * h);
}

double hz_bgnbd_conditional(const hz_bgnbd_params *p, double t, double x,
                            double t_x, double T)
{
    return hz_bgnbd_conditional_numerator(p, t, x, T) *
           hz_bgnbd_p_alive(p, x, t_x, T);
}
