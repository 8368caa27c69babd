/* Pareto/NBD maximum-likelihood fit and predictions (see pnbd.h). */
#include <float.h>
#include <stdint.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_integration.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_sf_psi.h>

#include "horizon/threads.h"
#include "analytics/analytics_internal.h"
#include "horizon/pnbd.h"
#include "numeric/gsl_init.h"
#include "numeric/mle.h"

/* ---- the "dead in (t_x, T]" part ---- */

/* The series S of pnbd.h (I = (a + t_x)^-m S): a is the larger of alpha
 * and beta, b the smaller, p2 the power of the smaller's factor, m = r +
 * s + x.  Fills log S and its derivatives in (m, p2, a, b); false when it
 * did not converge within the term cap. */
static bool series(double m, double p2, double a, double b, double tx,
                   double T, bool want, double *logS, double dS[4])
{
    const double atx = a + tx, z = (a - b) / atx;
    const double lrho = log(atx / (a + T));
    double S = 0, Sm = 0, Sp = 0, Sz = 0, Sr = 0;
    double t = 1.0;  /* (p2)_k z^k / k! */
    double u = 0.0;  /* (p2)_k z^(k-1) / (k-1)!  (d t / d z) */
    double hk = 0.0; /* psi(p2 + k) - psi(p2) */
    /* rho^(m+k) by the recurrence q *= rho, recomputed with exp() every
     * 32 terms (at most 32 roundings), and 1 - rho^(m+k) as 1 - q once q
     * <= 1/2 (no cancellation there; expm1 before): on day-scale data
     * the series runs to thousands of terms, and exp and expm1 per term
     * were most of the Pareto/NBD fit's time. */
    const double rho = exp(lrho);
    double q = 0.0;
    for (size_t k = 0;; k++) {
        double mk = m + k, inv = 1.0 / mk;
        q = (k & 31) == 0 ? exp(mk * lrho) : q * rho;
        double E = q <= 0.5 ? 1.0 - q : -expm1(mk * lrho);
        double c = t * E * inv;
        S += c;
        if (want) {
            Sm += (-c - t * lrho * q) * inv;
            Sp += c * hk;
            Sz += u * E * inv;
            Sr += -t * q; /* d c / d log rho */
        }
        const double ratio = (p2 + k) / (k + 1.0);
        if (k > 0 && c <= DBL_EPSILON * 1e-2 * S && ratio * z < 0.999)
            break;
        if (k == 200000)
            return false;
        u = t * (p2 + k);
        t *= ratio * z;
        if (want)
            hk += 1.0 / (p2 + k);
    }
    *logS = log(S);
    if (want) {
        dS[0] = Sm / S;
        dS[1] = Sp / S;
        dS[2] = (Sz * (b + tx) / (atx * atx) +
                 Sr * (1.0 / atx - 1.0 / (a + T))) /
                S;
        dS[3] = Sz * (-1.0 / atx) / S;
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

/* The dead part by adaptive quadrature (alpha and beta far apart). */
static bool dead_quadrature(const hz_pnbd_params *p, double x, double tx,
                            double T, bool want, double *l2, double d[4])
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
    const double r = p->r, al = p->alpha, s = p->s, be = p->beta;
    *l2 = log(s) + r * log(al) + s * log(be) + log(v[0]) - q.c;
    if (want) {
        d[0] = log(al) + v[1] / v[0];
        d[1] = r / al + v[2] / v[0];
        d[2] = 1.0 / s + log(be) + v[3] / v[0];
        d[3] = s / be + v[4] / v[0];
    }
    return true;
}

/* l2 = log s + r log alpha + s log beta + log I, written so that it stays
 * exact when r or s grow large, and its derivatives in (r, alpha, s,
 * beta). */
static bool dead_part(const hz_pnbd_params *p, double x, double tx, double T,
                      bool want, double *l2, double d[4])
{
    const double r = p->r, al = p->alpha, s = p->s, be = p->beta;
    const bool caseA = al >= be;
    const double a = caseA ? al : be, b = caseA ? be : al;
    double logS, dS[4] = {0, 0, 0, 0};
    if ((a - b) / (a + tx) > 0.95 || !series(r + s + x, caseA ? s + 1 : r + x,
                                             a, b, tx, T, want, &logS, dS))
        return dead_quadrature(p, x, tx, T, want, l2, d);
    const double m = r + s + x;
    if (caseA) {
        *l2 = log(s) - r * log1p(tx / al) + s * log(be / (al + tx)) -
              x * log(al + tx) + logS;
        if (want) {
            d[0] = -log1p(tx / al) + dS[0];
            d[1] = r / al - m / (al + tx) + dS[2];
            d[2] = 1.0 / s + log(be / (al + tx)) + dS[0] + dS[1];
            d[3] = s / be + dS[3];
        }
    } else {
        *l2 = log(s) + r * log(al / (be + tx)) - s * log1p(tx / be) -
              x * log(be + tx) + logS;
        if (want) {
            d[0] = log(al / (be + tx)) + dS[0] + dS[1];
            d[1] = r / al + dS[3];
            d[2] = 1.0 / s - log1p(tx / be) + dS[0];
            d[3] = s / be - m / (be + tx) + dS[2];
        }
    }
    return true;
}

/* One customer's log-likelihood without lnG(r+x) - lnG(r) (the caller's
 * table), P(alive) and the gradient (g may be NULL):
 *   log[ alpha^r beta^s ((alpha+T)^-(r+x) (beta+T)^-s + s I) ]. */
static double cust_ll(const hz_pnbd_params *p, double x, double tx, double T,
                      double g[4], double *palive)
{
    const double r = p->r, al = p->alpha, s = p->s, be = p->beta;
    double l1 = -r * log1p(T / al) - x * log(al + T) - s * log1p(T / be);
    double d1[4] = {-log1p(T / al), r * T / (al * (al + T)) - x / (al + T),
                    -log1p(T / be), s * T / (be * (be + T))};
    double l2, d2[4];
    if (!(T > tx)) {
        if (palive)
            *palive = 1.0;
        if (g)
            memcpy(g, d1, sizeof d1);
        return l1;
    }
    if (!dead_part(p, x, tx, T, g != NULL, &l2, d2))
        return NAN;
    double L = l1 > l2 ? l1 + log1p(exp(l2 - l1)) : l2 + log1p(exp(l1 - l2));
    double w1 = exp(l1 - L), w2 = exp(l2 - L);
    if (palive)
        *palive = w1;
    if (g != NULL)
        for (int j = 0; j < 4; j++)
            g[j] = w1 * d1[j] + w2 * d2[j];
    return L;
}

/* ---- likelihood over distinct triples ---- */

typedef struct pndata {
    hz__triple *t;
    size_t m;
    double wsum;
    uint32_t *xi; /* index of each triple's x among xs */
    double *xs;   /* distinct x, ascending */
    size_t nx;
    double *lr, *pr; /* lnG(r+x) - lnG(r), psi(r+x) - psi(r) per xs */
    double *part;    /* 5 sums per block */
    int threads;
} pndata;

/* lnG(r+x) - lnG(r) and psi(r+x) - psi(r) per distinct x, as sums over
 * j < x of log(r+j) and 1/(r+j): exact for a large r too. */
static void fill_r_tables(pndata *d, double r)
{
    double lr = 0, pr = 0;
    size_t k = 0; /* j = k: the whole numbers below each x */
    for (size_t i = 0; i < d->nx; i++) {
        for (; (double)k < d->xs[i]; k++) {
            const double j = (double)k;
            lr += log(r + j);
            pr += 1.0 / (r + j);
        }
        d->lr[i] = lr;
        d->pr[i] = pr;
    }
}

static double eval_ll(pndata *d, const hz_pnbd_params *p, double g[4])
{
    const size_t nb = hz__nblocks(d->m);
    const int want = g != NULL;
    fill_r_tables(d, p->r);
#pragma omp parallel for schedule(dynamic, 1)                                 \
    num_threads(d->threads) if (nb > 1)
    for (size_t blk = 0; blk < nb; blk++) {
        size_t lo = blk * HZ__BLOCK, hi = lo + HZ__BLOCK;
        if (hi > d->m)
            hi = d->m;
        double sm[5] = {0, 0, 0, 0, 0}, gi[4] = {0, 0, 0, 0};
        for (size_t k = lo; k < hi; k++) {
            const hz__triple *t = &d->t[k];
            double l = cust_ll(p, t->x, t->tx, t->T, want ? gi : NULL, NULL);
            sm[0] += t->w * (d->lr[d->xi[k]] + l);
            if (want) {
                sm[1] += t->w * (d->pr[d->xi[k]] + gi[0]);
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
    if (g != NULL)
        memcpy(g, tot + 1, 4 * sizeof(double));
    return tot[0];
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
    d->xi = malloc((d->m + 1) * sizeof *d->xi);
    d->xs = malloc(3 * (d->m + 1) * sizeof(double));
    if (d->part == NULL || d->xi == NULL || d->xs == NULL)
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    /* triples are sorted by x: the distinct x values in order */
    for (size_t k = 0; k < d->m; k++) {
        if (k == 0 || d->t[k].x != d->t[k - 1].x)
            d->xs[d->nx++] = d->t[k].x;
        d->xi[k] = (uint32_t)(d->nx - 1);
    }
    d->lr = d->xs + d->m + 1;
    d->pr = d->lr + d->m + 1;
    return HZ_OK;
}

static void pndata_free(pndata *d)
{
    free(d->t);
    free(d->part);
    free(d->xi);
    free(d->xs);
}

double hz_pnbd_loglik(const hz_pnbd_params *p, const double *x,
                      const double *t_x, const double *T, size_t n)
{
    pndata d;
    double ll = NAN;
    hz__gsl_init();
    if (pndata_build(&d, x, t_x, T, n, NULL) == HZ_OK) {
        d.threads = hz_default_threads();
        ll = eval_ll(&d, p, NULL);
    }
    pndata_free(&d);
    return ll;
}

/* The reason text of a boundary solution: death rates that vanish (s -> 0
 * or beta -> infinity alone), or are one rate s / beta for everyone (s,
 * beta -> infinity together); purchase rates likewise (r, alpha). */
static void pn_note(const double th[4], int death, bool rate_flat, char *note,
                    size_t cap)
{
    char d[160] = "";
    if (death == 1)
        snprintf(d, sizeof d,
                 "%s: almost no customer dies (predictions are the NBD "
                 "model's)",
                 th[2] <= -0.5 * HZ__MLE_BOUND ? "s -> 0"
                                               : "beta -> infinity");
    else if (death == 2)
        snprintf(d, sizeof d,
                 "s, beta -> infinity: every customer has the same death "
                 "rate s / beta = %.3g",
                 exp(th[2] - th[3]));
    snprintf(note, cap, "%s%s%s", d, d[0] && rate_flat ? "; " : "",
             rate_flat ? "r, alpha -> infinity: purchase rates do not vary "
                         "between customers"
                       : "");
}

/* Boundary flags and errors for the optimiser's end point. */
static hz_status pn_judge(const double th[4], const hz__mle_info *info,
                          hz_pnbd_model *out, hz_error *err)
{
    const double B = 0.5 * HZ__MLE_BOUND;
    hz_pnbd_params p = {exp(th[0]), exp(th[1]), exp(th[2]), exp(th[3])};
    bool rate_flat = th[0] >= B && th[1] >= B;
    int death = th[2] >= B && th[3] >= B    ? 2
                : th[2] <= -B || th[3] >= B ? 1
                                            : 0;
    bool other = !isfinite(info->f);
    for (int j = 0; j < 4; j++)
        other |= !(fabs(th[j]) < B) && !(j < 2 ? rate_flat : death != 0);
    if (other || (rate_flat && death) ||
        (!info->converged && (rate_flat || death)))
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
    out->boundary = rate_flat || death;
    if (out->boundary)
        pn_note(th, death, rate_flat, out->note, sizeof out->note);
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
    d.threads = threads > 0 ? threads : hz_default_threads();
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
    hz__mle_problem pr = {4, pn_obj, &d, d.wsum, 400, NULL};
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
