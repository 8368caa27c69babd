/* Gamma-Gamma spend model (see gammagamma.h). */
#include <math.h>
#include <stdint.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_sf_psi.h>

#include "horizon/threads.h"
#include "analytics/analytics_internal.h"
#include "numeric/gsl_init.h"
#include "numeric/mle.h"
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

/* Per distinct x: lnG(px+q) - lnG(px), psi(px+q), psi(px) and, for the
 * Hessian, trigamma(px+q), trigamma(px). */
static void fill_tables(ggdata *d, double p, double q, int want)
{
    for (size_t k = 0; k < d->nx; k++) {
        double px = p * d->xs[k], *t = d->tab + 5 * k;
        t[0] = gsl_sf_lngamma(px + q) - gsl_sf_lngamma(px);
        if (want > 0) {
            t[1] = gsl_sf_psi(px + q);
            t[2] = gsl_sf_psi(px);
        }
        if (want > 1) {
            t[3] = gsl_sf_psi_1(px + q);
            t[4] = gsl_sf_psi_1(px);
        }
    }
}

/* One block's sums: LL, gradient (3), Hessian upper triangle (6: pp pq
 * pg qq qg gg) in the natural parameters. */
static void block_sums(const ggdata *d, const hz_gg_params *pr, size_t lo,
                       size_t hi, int want, double *out)
{
    const double p = pr->p, q = pr->q, v = pr->gamma, lv = log(v);
    double sm[10] = {0};
    for (size_t i = lo; i < hi; i++) {
        double x = d->x[i], m = d->m[i], px = p * x, u = x * m + v;
        double lxm = log(u), lm = d->lm[i], lx = d->lx[i];
        const double *t = d->tab + 5 * d->xi[i];
        sm[0] += t[0] + q * lv + (px - 1) * lm + px * lx - (px + q) * lxm;
        if (want == 0)
            continue;
        sm[1] += x * (t[1] - t[2] + lm + lx - lxm);
        sm[2] += t[1] + lv - lxm;
        sm[3] += q / v - (px + q) / u;
        if (want == 1)
            continue;
        double iu = 1.0 / u;
        sm[4] += x * x * (t[3] - t[4]);
        sm[5] += x * t[3];
        sm[6] += -x * iu;
        sm[7] += t[3];
        sm[8] += 1.0 / v - iu;
        sm[9] += -q / (v * v) + (px + q) * iu * iu;
    }
    memcpy(out, sm, sizeof sm);
}

/* LL of the repeat buyers; gradient (p, q, gamma) when g != NULL, and
 * Hessian (3 x 3) when also H != NULL. */
static double gg_eval_h(ggdata *d, const hz_gg_params *pr, double g[3],
                        double H[9])
{
    const double q = pr->q, N = (double)d->n;
    const int want = g == NULL ? 0 : H == NULL ? 1 : 2;
    const size_t nb = hz__nblocks(d->n);
    fill_tables(d, pr->p, q, want);
#pragma omp parallel for schedule(static) num_threads(d->threads) if (nb > 4)
    for (size_t blk = 0; blk < nb; blk++) {
        size_t lo = blk * HZ__BLOCK, hi = lo + HZ__BLOCK;
        block_sums(d, pr, lo, hi < d->n ? hi : d->n, want, d->part + 10 * blk);
    }
    double t[10] = {0};
    for (size_t blk = 0; blk < nb; blk++)
        for (int j = 0; j < 10; j++)
            t[j] += d->part[10 * blk + j];
    /* the terms in q alone, once for all buyers */
    if (g != NULL) {
        g[0] = t[1];
        g[1] = t[2] - N * gsl_sf_psi(q);
        g[2] = t[3];
    }
    if (H != NULL) {
        double h[6] = {t[4], t[5], t[6], t[7] - N * gsl_sf_psi_1(q),
                       t[8], t[9]};
        static const int ij[6][2] = {{0, 0}, {0, 1}, {0, 2},
                                     {1, 1}, {1, 2}, {2, 2}};
        for (int e = 0; e < 6; e++)
            H[ij[e][0] * 3 + ij[e][1]] = H[ij[e][1] * 3 + ij[e][0]] = h[e];
    }
    return t[0] - N * gsl_sf_lngamma(q);
}

static double gg_eval(ggdata *d, const hz_gg_params *pr, double g[3])
{
    return gg_eval_h(d, pr, g, NULL);
}

/* The driver's objective with its analytic Hessian in the log-parameters
 * (see bgnbd.c). */
static double gg_obj_h(const double *th, double *grad, double *Hl, void *vd)
{
    ggdata *d = vd;
    hz_gg_params p = {exp(th[0]), exp(th[1]), exp(th[2])};
    const double v[3] = {p.p, p.q, p.gamma};
    double g[3], H[9];
    double ll = gg_eval_h(d, &p, g, H);
    for (int i = 0; i < 3; i++) {
        grad[i] = -g[i] * v[i];
        for (int j = 0; j < 3; j++)
            Hl[i * 3 + j] = -(v[i] * v[j] * H[i * 3 + j] +
                              (i == j ? v[i] * g[i] : 0.0));
    }
    return isfinite(ll) ? -ll : INFINITY;
}

/* The driver's objective: -LL in log(p, q, gamma) and its gradient. */
static double gg_obj(const double *th, double *grad, void *vd)
{
    ggdata *d = vd;
    hz_gg_params p = {exp(th[0]), exp(th[1]), exp(th[2])};
    double g[3];
    double ll = gg_eval(d, &p, grad != NULL ? g : NULL);
    if (grad != NULL) {
        grad[0] = -g[0] * p.p;
        grad[1] = -g[1] * p.q;
        grad[2] = -g[2] * p.gamma;
    }
    return isfinite(ll) ? -ll : INFINITY;
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
    d->part = malloc(10 * (hz__nblocks(k) + 1) * sizeof(double));
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
    if (hz__sort_doubles(d->xs, k) != HZ_OK)
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    size_t nx = 0;
    for (size_t i = 0; i < k; i++)
        if (nx == 0 || d->xs[nx - 1] != d->xs[i])
            d->xs[nx++] = d->xs[i];
    d->nx = nx;
    d->tab = malloc(5 * (nx ? nx : 1) * sizeof(double));
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
    hz__gsl_init();
    if (gg_build(&d, x, mbar, n, &nz, NULL) == HZ_OK) {
        d.threads = hz_default_threads();
        ll = gg_eval(&d, p, NULL);
    }
    gg_free(&d);
    return ll;
}

/* Starting point in log(p, q, gamma): p = 1, q = 2, gamma = mean spend
 * (so that the population mean matches), or above HZ__WARM_MIN repeat
 * buyers the fit of every step-th of them.  One level of recursion only:
 * the sample is below HZ__WARM_MIN:
 * NOLINTNEXTLINE(misc-no-recursion) */
static bool gg_start(const ggdata *d, int threads, double th[3])
{
    bool warm = false;
    double mean = 0;
    for (size_t i = 0; i < d->n; i++)
        mean += d->m[i];
    mean /= (double)d->n;
    th[0] = 0.0;
    th[1] = log(2.0);
    th[2] = log(mean);
    if (d->n <= HZ__WARM_MIN)
        return false;
    size_t step = d->n / (HZ__WARM_SAMPLE), ns = (d->n + step - 1) / step;
    double *sub = malloc(2 * ns * sizeof(double));
    if (sub == NULL)
        return false;
    for (size_t i = 0; i < ns; i++) {
        sub[i] = d->x[i * step];
        sub[ns + i] = d->m[i * step];
    }
    hz_gg_model sm;
    if (hz_gg_fit(sub, sub + ns, ns, threads, &sm, NULL) == HZ_OK &&
        !sm.boundary) {
        th[0] = log(sm.p.p);
        th[1] = log(sm.p.q);
        th[2] = log(sm.p.gamma);
        warm = true;
    }
    free(sub);
    return warm;
}

/* Judge the optimiser's end point: an error for a model the data do not
 * identify, a flag for a usable boundary solution. */
static hz_status gg_judge(const double th[3], int scale,
                          const hz__mle_info *info, hz_gg_model *out,
                          hz_error *err)
{
    hz_gg_params p = {exp(th[0]), exp(th[1]), ldexp(exp(th[2]), scale)};
    if (!(th[0] < HZ__MLE_BOUND) || !isfinite(info->f))
        return hz_error_set(
            err, HZ_ENOCONV,
            "Gamma-Gamma parameters run away (p = %g, q = %g, gamma = %g): "
            "spend does not vary enough within customers to identify the "
            "model",
            p.p, p.q, p.gamma);
    if (!(th[0] > -HZ__MLE_BOUND) || !(th[2] > -HZ__MLE_BOUND))
        return hz_error_set(err, HZ_ENOCONV,
                            "Gamma-Gamma parameters run away (p = %g, q = "
                            "%g, gamma = %g): the data do not identify the "
                            "model",
                            p.p, p.q, p.gamma);
    /* gamma back in the spends' unit beyond a double (a boundary with
     * spends near 1e300): no expected spend could be computed from it */
    if (!isfinite(p.gamma))
        return hz_error_set(err, HZ_ENOCONV,
                            "Gamma-Gamma parameters run away (p = %g, q = "
                            "%g, gamma = %g in units of 2^%d): gamma is "
                            "beyond the range of a double",
                            p.p, p.q, exp(th[2]), scale);
    if (th[1] >= 0.5 * HZ__MLE_BOUND || th[2] >= 0.5 * HZ__MLE_BOUND) {
        out->boundary = true;
        snprintf(out->note, sizeof out->note,
                 "q, gamma -> infinity (q = %.3g): mean spends do not vary "
                 "between customers more than chance; every expected "
                 "spend is close to the population mean",
                 p.q);
    } else if (!info->converged) {
        return hz_error_set(err, HZ_ENOCONV,
                            "Gamma-Gamma fit did not converge after %zu "
                            "iterations (Newton decrement %g, gradient "
                            "norm %g)",
                            info->iterations, info->decrement, info->gnorm);
    }
    out->p = p;
    return HZ_OK;
}

/* Spends in units of 2^e, the power of two nearest their mean: gamma is
 * a spend, so its fit (the optimiser's bounds on log gamma, the boundary
 * test) is then the same in yen as in dollars; the division is exact.
 * Returns e. */
static int gg_rescale(ggdata *d)
{
    double mean = 0;
    for (size_t i = 0; i < d->n; i++)
        mean += d->m[i];
    mean /= (double)d->n;
    if (!(mean > 0) || !isfinite(mean))
        return 0;
    int e = (int)lround(log2(mean));
    if (e == 0)
        return 0;
    for (size_t i = 0; i < d->n; i++) {
        d->m[i] = ldexp(d->m[i], -e);
        d->lm[i] = log(d->m[i]);
    }
    return e;
}

/* one level only, the warm start fits
 * a sample of the customers first:
 * NOLINTNEXTLINE(misc-no-recursion) */
hz_status hz_gg_fit(const double *x, const double *mbar, size_t n, int threads,
                    hz_gg_model *out, hz_error *err)
{
    ggdata d;
    hz_status st;
    size_t nzero = 0;

    hz__gsl_init();
    memset(out, 0, sizeof *out);
    if ((st = gg_build(&d, x, mbar, n, &nzero, err)) != HZ_OK)
        goto out;
    d.threads = threads > 0 ? threads : hz_default_threads();
    if (d.n < 2) {
        st = hz_error_set(err, HZ_ETOOSHORT,
                          "Gamma-Gamma needs at least 2 repeat buyers with "
                          "a positive spend, got %zu",
                          d.n);
        goto out;
    }
    const int scale = gg_rescale(&d);
    double th[3], keep[3];
    bool warm = gg_start(&d, threads, th);
    hz__mle_problem pr = {3, gg_obj, &d, (double)d.n, 500, gg_obj_h};
    hz__mle_info info;
    memset(&info, 0, sizeof info);
    /* from a warm start Newton alone (see bgnbd.c) */
    memcpy(keep, th, sizeof keep);
    if (!warm || !hz__mle_newton(&pr, th, &info)) {
        memcpy(th, keep, sizeof keep);
        hz__mle_minimize(&pr, th, &info);
    }
    if ((st = gg_judge(th, scale, &info, out, err)) != HZ_OK)
        goto out;
    /* the likelihood of the spends in their own unit (a density of
     * spends: log 2^e less per buyer) */
    out->loglik = -info.f - (double)d.n * scale * M_LN2;
    out->n = d.n;
    out->n_zero = nzero;
    out->iterations = info.iterations;
    out->decrement = info.decrement;
    hz__mle_se_exp(&info, th, 3, out->se);
    out->se[2] = ldexp(out->se[2], scale);
    {
        static const char *const nm[3] = {"p", "q", "gamma"};
        const double v[3] = {out->p.p, out->p.q, out->p.gamma};
        hz__flag_unidentified(nm, v, out->se, 3, &out->boundary, out->note,
                              sizeof out->note);
    }
out:
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
