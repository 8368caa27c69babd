/* Pareto/NBD maximum-likelihood fit and predictions (see pnbd.h). */
#include <float.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_integration.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_sf_psi.h>

#include "analytics/analytics_internal.h"
#include "horizon/pnbd.h"
#include "numeric/gsl_init.h"
#include "numeric/mle.h"

/* ---- the integral I and the derivatives of log I ---- */

/* log I and d log I / d(r, alpha, s, beta) (dl may be NULL) for one
 * customer with T > t_x. */
typedef struct pn_term {
    double logI;
    double d[4];
} pn_term;

/* The series (see pnbd.h).  a is the larger of alpha and beta, b the
 * smaller, p2 the power of the smaller's factor; m = r + s + x.  Fills
 * logI and the derivatives in (m, p2, a, b); false when it did not
 * converge within the term cap. */
static bool series(double m, double p2, double a, double b, double tx,
                   double T, bool want, double *logI, double dm[4])
{
    const double atx = a + tx, z = (a - b) / atx;
    const double lrho = log(atx / (a + T));
    double S = 0, Sm = 0, Sp = 0, Sz = 0, Sr = 0;
    double t = 1.0;  /* (p2)_k z^k / k! */
    double u = 0.0;  /* (p2)_k z^(k-1) / (k-1)!  (d t / d z) */
    double hk = 0.0; /* psi(p2 + k) - psi(p2) */
    for (size_t k = 0; k < 200000; k++) {
        double mk = m + k;
        double q = exp(mk * lrho); /* rho^(m+k) */
        double E = -expm1(mk * lrho);
        double c = t * E / mk;
        S += c;
        if (want) {
            Sm += c * (-1.0 / mk) + t * (-lrho * q) / mk;
            Sp += c * hk;
            Sz += u * E / mk;
            Sr += t * (-mk * q) / mk; /* d E / d log rho, over (m+k) */
        }
        if (k > 0 && c <= DBL_EPSILON * 1e-2 * S &&
            (p2 + k) / (k + 1.0) * z < 0.999)
            break;
        if (k == 199999)
            return false;
        /* next term */
        u = t * (p2 + k);
        t *= (p2 + k) / (k + 1.0) * z;
        hk += 1.0 / (p2 + k);
    }
    *logI = -m * log(atx) + log(S);
    if (want) {
        /* d/dm, d/dp2, d/da, d/db of log I */
        const double dzda = (b + tx) / (atx * atx), dzdb = -1.0 / atx;
        const double dlrho_da = 1.0 / atx - 1.0 / (a + T);
        dm[0] = -log(atx) + Sm / S;
        dm[1] = Sp / S;
        dm[2] = -m / atx + (Sz * dzda + Sr * dlrho_da) / S;
        dm[3] = Sz * dzdb / S;
    }
    return true;
}

/* Parameters of the numerical fallback's integrand. */
typedef struct pn_quad {
    double r, al, s, be, x, c;
    int which; /* 0 I, 1 d/dr, 2 d/dalpha, 3 d/ds, 4 d/dbeta */
} pn_quad;

static double pn_integrand(double tau, void *vp)
{
    const pn_quad *q = vp;
    double la = log(q->al + tau), lb = log(q->be + tau);
    double f = exp(q->c - (q->r + q->x) * la - (q->s + 1) * lb);
    switch (q->which) {
    case 1: return -la * f;
    case 2: return -(q->r + q->x) / (q->al + tau) * f;
    case 3: return -lb * f;
    case 4: return -(q->s + 1) / (q->be + tau) * f;
    default: return f;
    }
}

/* I and its derivatives by adaptive quadrature (alpha, beta far apart). */
static bool quadrature(const hz_pnbd_params *p, double x, double tx, double T,
                       bool want, pn_term *out)
{
    gsl_integration_workspace *w = gsl_integration_workspace_alloc(200);
    if (w == NULL)
        return false;
    pn_quad q = {p->r, p->alpha, p->s, p->beta, x, 0, 0};
    q.c = (p->r + x) * log(p->alpha + tx) + (p->s + 1) * log(p->beta + tx);
    gsl_function fn = {pn_integrand, &q};
    double v[5] = {0}, ae;
    bool ok = true;
    for (int j = 0; j < (want ? 5 : 1) && ok; j++) {
        q.which = j;
        ok = gsl_integration_qag(&fn, tx, T, 0, 1e-13, 200, GSL_INTEG_GAUSS31,
                                 w, &v[j], &ae) == 0 ||
             isfinite(v[j]);
    }
    gsl_integration_workspace_free(w);
    if (!ok || !(v[0] > 0))
        return false;
    out->logI = log(v[0]) - q.c;
    for (int j = 0; j < 4; j++)
        out->d[j] = want ? v[j + 1] / v[0] : 0.0;
    return true;
}

/* log I and its derivatives in (r, alpha, s, beta). */
static bool integral(const hz_pnbd_params *p, double x, double tx, double T,
                     bool want, pn_term *out)
{
    const double r = p->r, al = p->alpha, s = p->s, be = p->beta;
    const bool caseA = al >= be;
    const double a = caseA ? al : be, b = caseA ? be : al;
    const double p2 = caseA ? s + 1 : r + x, m = r + s + x;
    if ((a - b) / (a + tx) > 0.95)
        return quadrature(p, x, tx, T, want, out);
    double dm[4];
    if (!series(m, p2, a, b, tx, T, want, &out->logI, dm))
        return quadrature(p, x, tx, T, want, out);
    if (!want)
        return true;
    /* dm = d log I / d(m, p2, a, b) -> (r, alpha, s, beta) */
    if (caseA) {
        out->d[0] = dm[0];
        out->d[1] = dm[2];
        out->d[2] = dm[0] + dm[1];
        out->d[3] = dm[3];
    } else {
        out->d[0] = dm[0] + dm[1];
        out->d[1] = dm[3];
        out->d[2] = dm[0];
        out->d[3] = dm[2];
    }
    return true;
}

/* One customer's log-likelihood without the terms common to everyone
 * with the same x, P(alive) and the gradient (g may be NULL). */
static double cust_ll(const hz_pnbd_params *p, double x, double tx, double T,
                      double g[4], double *palive)
{
    const double r = p->r, al = p->alpha, s = p->s, be = p->beta;
    const double laT = log(al + T), lbT = log(be + T);
    double l1 = -(r + x) * laT - s * lbT;
    double d1[4] = {-laT, -(r + x) / (al + T), -lbT, -s / (be + T)};
    pn_term it;
    if (!(T > tx)) {
        if (palive)
            *palive = 1.0;
        if (g)
            memcpy(g, d1, sizeof d1);
        return l1;
    }
    if (!integral(p, x, tx, T, g != NULL, &it))
        return NAN;
    double l2 = log(s) + it.logI;
    double L = l1 > l2 ? l1 + log1p(exp(l2 - l1)) : l2 + log1p(exp(l1 - l2));
    double w1 = exp(l1 - L), w2 = exp(l2 - L);
    if (palive)
        *palive = w1;
    if (g != NULL) {
        it.d[2] += 1.0 / s;
        for (int j = 0; j < 4; j++)
            g[j] = w1 * d1[j] + w2 * it.d[j];
    }
    return L;
}

/* ---- likelihood over distinct triples ---- */

typedef struct pndata {
    hz__triple *t;
    size_t m;
    double wsum;
    double *part; /* 5 sums per block */
    int threads;
} pndata;

static double eval_ll(pndata *d, const hz_pnbd_params *p, double g[4])
{
    const double r = p->r, al = p->alpha, s = p->s, be = p->beta;
    const double lgr = gsl_sf_lngamma(r), lal = log(al), lbe = log(be);
    const size_t nb = hz__nblocks(d->m);
    const int want = g != NULL;
#pragma omp parallel for schedule(dynamic, 1)                                 \
    num_threads(d->threads) if (nb > 1)
    for (size_t blk = 0; blk < nb; blk++) {
        size_t lo = blk * HZ__BLOCK, hi = lo + HZ__BLOCK;
        if (hi > d->m)
            hi = d->m;
        double sm[5] = {0, 0, 0, 0, 0}, gi[4];
        for (size_t k = lo; k < hi; k++) {
            const hz__triple *t = &d->t[k];
            double l = cust_ll(p, t->x, t->tx, t->T, want ? gi : NULL, NULL);
            sm[0] += t->w * (gsl_sf_lngamma(r + t->x) - lgr + l);
            if (want) {
                sm[1] += t->w * (gsl_sf_psi(r + t->x) + gi[0]);
                sm[2] += t->w * gi[1];
                sm[3] += t->w * gi[2];
                sm[4] += t->w * gi[3];
            }
        }
        memcpy(d->part + 5 * blk, sm, sizeof sm);
    }
    double tot[5] = {0, 0, 0, 0, 0};
    for (size_t blk = 0; blk < nb; blk++)
        for (int j = 0; j < 5; j++)
            tot[j] += d->part[5 * blk + j];
    const double W = d->wsum;
    if (g != NULL) {
        g[0] = tot[1] - W * gsl_sf_psi(r) + W * lal;
        g[1] = tot[2] + W * r / al;
        g[2] = tot[3] + W * lbe;
        g[3] = tot[4] + W * s / be;
    }
    return tot[0] + W * (r * lal + s * lbe);
}

static double pn_obj(const double *th, double *grad, void *vd)
{
    pndata *d = vd;
    hz_pnbd_params p = {exp(th[0]), exp(th[1]), exp(th[2]), exp(th[3])};
    double g[4];
    double ll = eval_ll(d, &p, grad != NULL ? g : NULL);
    if (grad != NULL) {
        grad[0] = -g[0] * p.r;
        grad[1] = -g[1] * p.alpha;
        grad[2] = -g[2] * p.s;
        grad[3] = -g[3] * p.beta;
    }
    return isfinite(ll) ? -ll : INFINITY;
}

static hz_status pndata_build(pndata *d, const double *x, const double *tx,
                              const double *T, size_t n, hz_error *err)
{
    memset(d, 0, sizeof *d);
    hz_status st = hz__triples_build(x, tx, T, n, &d->t, &d->m, err);
    if (st != HZ_OK)
        return st;
    d->wsum = (double)n;
    d->part = malloc(5 * (hz__nblocks(d->m) + 1) * sizeof(double));
    if (d->part == NULL)
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    return HZ_OK;
}

static void pndata_free(pndata *d)
{
    free(d->t);
    free(d->part);
}

double hz_pnbd_loglik(const hz_pnbd_params *p, const double *x,
                      const double *t_x, const double *T, size_t n)
{
    pndata d;
    double ll = NAN;
    hz__gsl_init();
    if (pndata_build(&d, x, t_x, T, n, NULL) == HZ_OK) {
        d.threads = omp_get_max_threads();
        ll = eval_ll(&d, p, NULL);
    }
    pndata_free(&d);
    return ll;
}

/* Boundary flags and errors for the optimiser's end point. */
static hz_status pn_judge(const double th[4], const hz__mle_info *info,
                          hz_pnbd_model *out, hz_error *err)
{
    const double B = 0.5 * HZ__MLE_BOUND;
    hz_pnbd_params p = {exp(th[0]), exp(th[1]), exp(th[2]), exp(th[3])};
    bool rate_flat = th[0] >= B && th[1] >= B;
    bool no_drop = th[2] <= -B || (th[2] >= B && th[3] >= B) || th[3] >= B;
    bool other = !isfinite(info->f);
    for (int j = 0; j < 4; j++)
        other |= !(fabs(th[j]) < B) && !(j < 2 ? rate_flat : no_drop);
    if (other || (rate_flat && no_drop) ||
        (!info->converged && (rate_flat || no_drop)))
        return hz_error_set(err, HZ_ENOCONV,
                            "Pareto/NBD parameters run away (r = %g, alpha "
                            "= %g, s = %g, beta = %g): the data do not "
                            "identify the model",
                            p.r, p.alpha, p.s, p.beta);
    if (!info->converged)
        return hz_error_set(err, HZ_ENOCONV,
                            "Pareto/NBD fit did not converge after %zu "
                            "iterations (Newton decrement %g, gradient "
                            "norm %g)",
                            info->iterations, info->decrement, info->gnorm);
    out->p = p;
    out->boundary = rate_flat || no_drop;
    if (out->boundary)
        snprintf(out->note, sizeof out->note, "%s%s%s",
                 no_drop ? "s -> 0 or beta -> infinity: almost no customer "
                           "dies (predictions are the NBD model's)"
                         : "",
                 no_drop && rate_flat ? "; " : "",
                 rate_flat ? "r, alpha -> infinity: purchase rates do not "
                             "vary between customers"
                           : "");
    return HZ_OK;
}

hz_status hz_pnbd_fit(const double *x, const double *t_x, const double *T,
                      size_t n, int threads, hz_pnbd_model *out, hz_error *err)
{
    pndata d;
    hz_status st;
    hz__gsl_init();
    memset(out, 0, sizeof *out);
    if (n < 2)
        return hz_error_set(err, HZ_ETOOSHORT,
                            "Pareto/NBD needs at least 2 customers, got %zu",
                            n);
    if ((st = pndata_build(&d, x, t_x, T, n, err)) != HZ_OK)
        goto out;
    d.threads = threads > 0 ? threads : omp_get_max_threads();
    double meanT = 0, maxx = 0;
    for (size_t i = 0; i < d.m; i++) {
        meanT += d.t[i].w * d.t[i].T;
        maxx = fmax(maxx, d.t[i].x);
    }
    meanT /= d.wsum;
    if (maxx == 0 || !(meanT > 0)) {
        st = hz_error_set(err, HZ_ETOOSHORT,
                          maxx == 0 ? "no customer made a repeat purchase: "
                                      "Pareto/NBD cannot be fitted"
                                    : "every customer has age T = 0: "
                                      "nothing to fit");
        goto out;
    }
    double th[4] = {0.0, log(meanT), 0.0, log(meanT)};
    hz__mle_problem pr = {4, pn_obj, &d, d.wsum, 400};
    hz__mle_info info;
    hz__mle_minimize(&pr, th, &info);
    if ((st = pn_judge(th, &info, out, err)) != HZ_OK)
        goto out;
    out->loglik = -info.f;
    out->n = n;
    out->n_distinct = d.m;
    out->iterations = info.iterations;
    out->decrement = info.decrement;
    hz__mle_se_exp(&info, th, 4, out->se);
    {
        static const char *const nm[4] = {"r", "alpha", "s", "beta"};
        const double v[4] = {out->p.r, out->p.alpha, out->p.s, out->p.beta};
        hz__flag_unidentified(nm, v, out->se, 4, &out->boundary, out->note,
                              sizeof out->note);
    }
out:
    pndata_free(&d);
    return st;
}

/* ---- predictions ---- */

double hz_pnbd_p_alive(const hz_pnbd_params *p, double x, double t_x, double T)
{
    double pa = NAN;
    hz__gsl_init();
    cust_ll(p, x, t_x, T, NULL, &pa);
    return pa;
}

/* [1 - (c / (c + t))^(s-1)] / (s - 1), with its limit log(1 + t/c) at
 * s = 1. */
static double pn_ratio(double s, double c, double t)
{
    double l = log1p(t / c);
    if (fabs(s - 1) < 1e-10)
        return l;
    return -expm1(-(s - 1) * l) / (s - 1);
}

double hz_pnbd_expected(const hz_pnbd_params *p, double t)
{
    if (!(t > 0))
        return 0.0;
    return p->r * p->beta / p->alpha * pn_ratio(p->s, p->beta, t);
}

double hz_pnbd_conditional_numerator(const hz_pnbd_params *p, double t,
                                     double x, double T)
{
    if (!(t > 0))
        return 0.0;
    return (p->r + x) * (p->beta + T) / (p->alpha + T) *
           pn_ratio(p->s, p->beta + T, t);
}

double hz_pnbd_conditional(const hz_pnbd_params *p, double t, double x,
                           double t_x, double T)
{
    return hz_pnbd_conditional_numerator(p, t, x, T) *
           hz_pnbd_p_alive(p, x, t_x, T);
}

typedef struct pn_pmf {
    double lc, r, al, s, be;
    unsigned k;
} pn_pmf;

/* Density of dying at tau with k purchases before (new customer). */
static double pmf_integrand(double tau, void *vp)
{
    const pn_pmf *q = vp;
    double lt = q->k ? q->k * log(tau) : 0.0;
    if (q->k && tau <= 0)
        return 0.0;
    return exp(q->lc + lt - (q->r + q->k) * log(q->al + tau) -
               (q->s + 1) * log(q->be + tau));
}

double hz_pnbd_pmf(const hz_pnbd_params *p, double t, unsigned k)
{
    hz__gsl_init();
    if (!(t > 0))
        return k == 0 ? 1.0 : 0.0;
    const double r = p->r, al = p->alpha, s = p->s, be = p->beta;
    double lnb = gsl_sf_lngamma(r + k) - gsl_sf_lngamma(r) -
                 gsl_sf_lngamma(k + 1.0);
    /* alive at t: negative binomial count times P(alive) */
    double alive = exp(lnb + r * log(al / (al + t)) +
                       (k ? k * log(t / (al + t)) : 0.0) +
                       s * log(be / (be + t)));
    pn_pmf q = {lnb + r * log(al) + log(s) + s * log(be), r, al, s, be, k};
    gsl_function fn = {pmf_integrand, &q};
    gsl_integration_workspace *w = gsl_integration_workspace_alloc(200);
    if (w == NULL)
        return NAN;
    double v = 0, ae;
    int st = gsl_integration_qags(&fn, 0, t, 0, 1e-12, 200, w, &v, &ae);
    gsl_integration_workspace_free(w);
    return st == 0 || isfinite(v) ? alive + v : NAN;
}
