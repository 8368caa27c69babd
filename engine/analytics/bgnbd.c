/* BG/NBD maximum-likelihood fit and predictions (see bgnbd.h). */
#include <float.h>
#include <stdbool.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_sf_psi.h>

#include "analytics/analytics_internal.h"
#include "numeric/gsl_init.h"
#include "numeric/mle.h"
#include "numeric/special.h"
#include "horizon/threads.h"
#include "horizon/bgnbd.h"

void hz_bgnbd_options_init(hz_bgnbd_options *o)
{
    memset(o, 0, sizeof *o);
    o->max_iter = 400;
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
    double *lg_rx, *ps_rx, *lg_bx, *ps_bx, *lbx1, *ps_abx;
    double *ibx1;             /* log(b + x - 1) and its inverse (x > 0) */
    double *t2r, *t2b, *t2ab; /* sums of 1/(r+j)^2, 1/(b+j)^2, 1/(a+b+j)^2 */
    double *part;             /* 15 partial sums per block */
    double *times;            /* distinct values of T and t_x */
    size_t ntimes;
    double *ltab, *itab; /* log(alpha + t), 1 / (alpha + t) per time */
    double *l1tab;       /* log1p(t / alpha) per time */
    int threads;
} fitdata;

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

/* The per-distinct-x tables of the log-likelihood, as differences that
 * stay exact when r, a or b grow large (a boundary solution):
 *   lg_rx  = lnG(r+x) - lnG(r)                  = sum_j log(r+j)
 *   lg_bx  = lnG(b+x) - lnG(b) - lnG(a+b+x) + lnG(a+b)
 *          = -sum_j log1p(a / (b+j))
 *   ps_rx, ps_bx, ps_abx = psi(r+x) - psi(r), psi(b+x) - psi(b),
 *          psi(a+b+x) - psi(a+b)                 (sums of 1 / (.+j))
 * with j = 0..x-1, accumulated over x in increasing order.  Differences
 * of lnG values (the textbook form) lose everything once b is about
 * 1e12. */
static void fill_x_tables(fitdata *d, const hz_bgnbd_params *p, bool want_g)
{
    const double r = p->r, a = p->a, b = p->b;
    double lr = 0, lb = 0, pr = 0, pb = 0, pab = 0;
    double qr = 0, qb = 0, qab = 0;
    size_t k = 0; /* j = k: the whole numbers below each x */
    for (size_t i = 0; i < d->nx; i++) {
        for (; (double)k < d->xs[i]; k++) {
            const double j = (double)k;
            lr += log(r + j);
            lb -= log1p(a / (b + j));
            if (want_g) {
                double ur = 1.0 / (r + j), ub = 1.0 / (b + j);
                double uab = 1.0 / (a + b + j);
                pr += ur;
                pb += ub;
                pab += uab;
                qr += ur * ur;
                qb += ub * ub;
                qab += uab * uab;
            }
        }
        d->t2r[i] = qr;
        d->t2b[i] = qb;
        d->t2ab[i] = qab;
        d->lg_rx[i] = lr;
        d->lg_bx[i] = lb;
        d->lbx1[i] = d->xs[i] > 0 ? log(b + d->xs[i] - 1) : 0.0;
        d->ibx1[i] = d->xs[i] > 0 ? 1.0 / (b + d->xs[i] - 1) : 0.0;
        d->ps_rx[i] = pr;
        d->ps_bx[i] = pb;
        d->ps_abx[i] = pab;
    }
}

/* One block's sums: LL, its gradient (4) and, when want_h, the upper
 * triangle of its Hessian (10: rr r.al r.a r.b al.al al.a al.b aa ab
 * bb), all in the natural parameters. */
static void block_sums(const fitdata *d, const hz_bgnbd_params *p, size_t lo,
                       size_t hi, int want, double *out)
{
    const double r = p->r, al = p->alpha, a = p->a;
    const double la = log(a), ia = 1.0 / a, ial = 1.0 / al;
    double sm[15] = {0};
    for (size_t k = lo; k < hi; k++) {
        const triple *t = &d->t[k];
        const double x = t->x, w = t->w;
        const size_t xi = t->xi;
        const double lT = d->ltab[t->ti], iT = d->itab[t->ti];
        /* r log alpha - (r + x) log(alpha + T), exact for large r */
        double A = d->lg_rx[xi] + d->lg_bx[xi] - r * d->l1tab[t->ti] - x * lT;
        double wt = 0.0, Dr = 0, Dal = 0, itx = 0;
        if (x > 0) {
            const double ltx = d->ltab[t->txi];
            itx = d->itab[t->txi];
            double D = la - d->lbx1[xi] + (r + x) * (lT - ltx);
            /* log(1 + e^D) and its derivative sigmoid(D) */
            double e = exp(-fabs(D)), q = 1.0 / (1.0 + e);
            A += (D > 0 ? D : 0.0) + log1p(e);
            wt = D > 0 ? q : e * q;
            Dr = lT - ltx;
            Dal = (r + x) * (iT - itx);
        }
        sm[0] += w * A;
        if (!want)
            continue;
        const double Da = x > 0 ? ia : 0.0, Db = x > 0 ? -d->ibx1[xi] : 0.0;
        sm[1] += w * (d->ps_rx[xi] - d->l1tab[t->ti] + wt * Dr);
        sm[2] += w * (r * ial - (r + x) * iT + wt * Dal);
        sm[3] += w * (-d->ps_abx[xi] + wt * Da);
        sm[4] += w * (d->ps_bx[xi] - d->ps_abx[xi] + wt * Db);
        if (want < 2)
            continue;
        const double s1 = wt * (1 - wt), iTx = x > 0 ? iT - itx : 0.0;
        sm[5] += w * (-d->t2r[xi] + s1 * Dr * Dr);
        sm[6] += w * (ial - iT + s1 * Dr * Dal + wt * iTx);
        sm[7] += w * (s1 * Dr * Da);
        sm[8] += w * (s1 * Dr * Db);
        sm[9] += w *
                 (-r * (ial * ial - iT * iT) + x * iT * iT + s1 * Dal * Dal -
                  (x > 0 ? wt * (r + x) * (iT * iT - itx * itx) : 0.0));
        sm[10] += w * (s1 * Dal * Da);
        sm[11] += w * (s1 * Dal * Db);
        sm[12] += w * (d->t2ab[xi] + s1 * Da * Da - wt * Da * Da);
        sm[13] += w * (d->t2ab[xi] + s1 * Da * Db);
        sm[14] += w * (d->t2ab[xi] - d->t2b[xi] + s1 * Db * Db + wt * Db * Db);
    }
    memcpy(out, sm, sizeof sm);
}

/* Log-likelihood; its gradient in (r, alpha, a, b) when g != NULL and
 * its Hessian (row-major 4 x 4) when also H != NULL. */
static double eval_ll_h(fitdata *d, const hz_bgnbd_params *p, double g[4],
                        double H[16])
{
    const double al = p->alpha;
    const int want = g == NULL ? 0 : H == NULL ? 1 : 2;
    fill_x_tables(d, p, want > 0);
    for (size_t k = 0; k < d->ntimes; k++) {
        d->ltab[k] = log(al + d->times[k]);
        d->itab[k] = 1.0 / (al + d->times[k]);
        d->l1tab[k] = log1p(d->times[k] / al);
    }
    const size_t nb = hz__nblocks(d->m);
#pragma omp parallel for schedule(static) num_threads(d->threads) if (nb > 4)
    for (size_t blk = 0; blk < nb; blk++) {
        size_t lo = blk * HZ__BLOCK, hi = lo + HZ__BLOCK;
        block_sums(d, p, lo, hi < d->m ? hi : d->m, want, d->part + 15 * blk);
    }
    double tot[15] = {0};
    for (size_t blk = 0; blk < nb; blk++)
        for (int j = 0; j < 15; j++)
            tot[j] += d->part[15 * blk + j];
    if (g != NULL)
        memcpy(g, tot + 1, 4 * sizeof(double));
    if (H != NULL) {
        static const int ij[10][2] = {{0, 0}, {0, 1}, {0, 2}, {0, 3}, {1, 1},
                                      {1, 2}, {1, 3}, {2, 2}, {2, 3}, {3, 3}};
        for (int e = 0; e < 10; e++)
            H[ij[e][0] * 4 + ij[e][1]] = H[ij[e][1] * 4 + ij[e][0]] =
                tot[5 + e];
    }
    return tot[0];
}

static double eval_ll(fitdata *d, const hz_bgnbd_params *p, double g[4])
{
    return eval_ll_h(d, p, g, NULL);
}

/* The driver's objective: -LL in log(r, alpha, a, b) and its gradient. */
static double bg_obj(const double *th, double *grad, void *vd)
{
    fitdata *d = vd;
    hz_bgnbd_params p = {exp(th[0]), exp(th[1]), exp(th[2]), exp(th[3])};
    double g[4];
    double ll = eval_ll(d, &p, grad != NULL ? g : NULL);
    if (grad != NULL) {
        grad[0] = -g[0] * p.r;
        grad[1] = -g[1] * p.alpha;
        grad[2] = -g[2] * p.a;
        grad[3] = -g[3] * p.b;
    }
    return isfinite(ll) ? -ll : INFINITY;
}

/* The same with the analytic Hessian of -LL in the log-parameters:
 * d2/du_i du_j = theta_i theta_j H_ij + [i = j] theta_i g_i. */
static double bg_obj_h(const double *th, double *grad, double *Hl, void *vd)
{
    fitdata *d = vd;
    hz_bgnbd_params p = {exp(th[0]), exp(th[1]), exp(th[2]), exp(th[3])};
    const double v[4] = {p.r, p.alpha, p.a, p.b};
    double g[4], H[16];
    double ll = eval_ll_h(d, &p, g, H);
    for (int i = 0; i < 4; i++) {
        grad[i] = -g[i] * v[i];
        for (int j = 0; j < 4; j++)
            Hl[i * 4 + j] = -(v[i] * v[j] * H[i * 4 + j] +
                              (i == j ? v[i] * g[i] : 0.0));
    }
    return isfinite(ll) ? -ll : INFINITY;
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
    hz__triple *tr;
    size_t m, nx = 0;
    hz_status st = hz__triples_build(x, tx, T, n, &tr, &m, err);
    if (st != HZ_OK)
        return st;
    d->t = malloc((m ? m : 1) * sizeof *d->t);
    if (d->t == NULL) {
        free(tr);
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < m; i++) {
        d->t[i].x = tr[i].x;
        d->t[i].tx = tr[i].tx;
        d->t[i].T = tr[i].T;
        d->t[i].w = tr[i].w;
        nx += i == 0 || tr[i].x != tr[i - 1].x;
    }
    free(tr);
    d->m = m;
    d->nx = nx;
    d->wsum = (double)n;
    const size_t nx1 = nx ? nx : 1; /* no malloc(0) */
    d->xs = malloc(nx1 * sizeof *d->xs);
    d->lg_rx = malloc(10 * nx1 * sizeof(double));
    d->part = malloc(15 * (hz__nblocks(m) + 1) * sizeof(double));
    if (!d->xs || !d->lg_rx || !d->part)
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    d->ps_rx = d->lg_rx + nx;
    d->lg_bx = d->lg_rx + 2 * nx;
    d->ps_bx = d->lg_rx + 3 * nx;
    d->lbx1 = d->lg_rx + 4 * nx;
    d->ibx1 = d->lg_rx + 6 * nx;
    d->t2r = d->lg_rx + 7 * nx;
    d->t2b = d->lg_rx + 8 * nx;
    d->t2ab = d->lg_rx + 9 * nx;
    d->ps_abx = d->lg_rx + 5 * nx;
    size_t k = 0;
    for (size_t i = 0; i < m; i++) {
        if (i == 0 || d->t[i].x != d->t[i - 1].x)
            d->xs[k++] = d->t[i].x;
        d->t[i].xi = (uint32_t)(k - 1);
    }
    /* distinct times (T and t_x): their logs are computed once per
     * evaluation */
    d->times = malloc(2 * (m ? m : 1) * sizeof(double));
    if (d->times == NULL)
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    for (size_t i = 0; i < m; i++) {
        d->times[2 * i] = d->t[i].T;
        d->times[2 * i + 1] = d->t[i].tx;
    }
    if (hz__sort_doubles(d->times, 2 * m) != HZ_OK)
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    size_t nt = 0;
    for (size_t i = 0; i < 2 * m; i++)
        if (nt == 0 || d->times[nt - 1] != d->times[i])
            d->times[nt++] = d->times[i];
    d->ntimes = nt;
    d->ltab = malloc(3 * (nt ? nt : 1) * sizeof(double));
    if (d->ltab == NULL)
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    d->itab = d->ltab + nt;
    d->l1tab = d->ltab + 2 * nt;
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
    hz__gsl_init();
    if (fitdata_build(&d, x, t_x, T, n, NULL) != HZ_OK) {
        fitdata_free(&d);
        return NAN;
    }
    d.threads = hz_default_threads();
    double ll = eval_ll(&d, p, NULL);
    fitdata_free(&d);
    return ll;
}

/* Starting point in log(r, alpha, a, b): r = a = b = 1, alpha = mean
 * age; above HZ__WARM_MIN distinct customers, the fit of every step-th
 * customer (*warm set).  One level of recursion only: the sample has at
 * most about HZ__WARM_SAMPLE customers, below HZ__WARM_MIN:
 * NOLINTNEXTLINE(misc-no-recursion) */
static void bg_start(const fitdata *d, const double *x, const double *t_x,
                     const double *T, size_t n, const hz_bgnbd_options *opt,
                     double th[4], bool *warm)
{
    double meanT = 0;
    for (size_t i = 0; i < d->m; i++)
        meanT += d->t[i].w * d->t[i].T;
    meanT /= d->wsum;
    th[0] = 0.0;
    th[1] = log(meanT);
    th[2] = 0.0;
    th[3] = 0.0;
    *warm = false;
    if (d->m <= HZ__WARM_MIN)
        return;
    size_t step = n / (HZ__WARM_SAMPLE), ns = (n + step - 1) / step;
    double *sub = malloc(3 * ns * sizeof(double));
    if (sub == NULL)
        return;
    for (size_t i = 0; i < ns; i++) {
        sub[i] = x[i * step];
        sub[ns + i] = t_x[i * step];
        sub[2 * ns + i] = T[i * step];
    }
    hz_bgnbd_model sm;
    if (hz_bgnbd_fit(sub, sub + ns, sub + 2 * ns, ns, opt, &sm, NULL) ==
            HZ_OK &&
        !sm.boundary) {
        th[0] = log(sm.p.r);
        th[1] = log(sm.p.alpha);
        th[2] = log(sm.p.a);
        th[3] = log(sm.p.b);
        *warm = true;
    }
    free(sub);
}

/* How the dropout parameters (log a, log b) end: inside, running to no
 * dropout (a -> 0, or b -> infinity alone), or to one dropout
 * probability a / (a + b) for everyone (a, b -> infinity together). */
enum { DROP_IN, DROP_ZERO, DROP_FLAT };

static int drop_end(const double th[4], double B)
{
    if (th[2] >= B && th[3] >= B)
        return DROP_FLAT;
    if (th[2] <= -B || th[3] >= B)
        return DROP_ZERO;
    return DROP_IN;
}

/* The reason text of a boundary solution. */
static void bg_note(const double th[4], int drop, bool rate_flat, char *note,
                    size_t cap)
{
    char d[160] = "";
    if (drop == DROP_ZERO)
        snprintf(d, sizeof d,
                 "%s: almost no customer drops out (the dropout parameters "
                 "are arbitrary; predictions are the NBD model's)",
                 th[2] <= -0.5 * HZ__MLE_BOUND ? "a -> 0" : "b -> infinity");
    else if (drop == DROP_FLAT)
        snprintf(d, sizeof d,
                 "a, b -> infinity: every customer has the same dropout "
                 "probability a / (a + b) = %.3g",
                 1.0 / (1.0 + exp(th[3] - th[2])));
    snprintf(note, cap, "%s%s%s", d, d[0] && rate_flat ? "; " : "",
             rate_flat ? "r, alpha -> infinity: purchase rates do not vary "
                         "between customers"
                       : "");
}

/* Judge the optimiser's end point: a flag and its reason for a usable
 * boundary solution, an error when the likelihood has no maximum or the
 * optimiser did not converge. */
static hz_status bg_judge(const double th[4], const hz__mle_info *info,
                          hz_bgnbd_model *out, hz_error *err)
{
    const double B = 0.5 * HZ__MLE_BOUND;
    hz_bgnbd_params p = {exp(th[0]), exp(th[1]), exp(th[2]), exp(th[3])};
    bool rate_flat = th[0] >= B && th[1] >= B;
    int drop = drop_end(th, B);
    bool other = !isfinite(info->f);
    for (int j = 0; j < 4; j++)
        other |= !(fabs(th[j]) < B) && !(j < 2 ? rate_flat : drop != DROP_IN);
    if (!other && rate_flat && drop != DROP_IN) {
        /* both boundaries at once: say which, not "too few customers" */
        char why[HZ_ERROR_MAX / 2];
        bg_note(th, drop, rate_flat, why, sizeof why);
        return hz_error_set(err, HZ_ENOCONV,
                            "BG/NBD parameters run away (r = %g, alpha = %g, "
                            "a = %g, b = %g): the data do not identify the "
                            "model (%s)",
                            p.r, p.alpha, p.a, p.b, why);
    }
    if (other || (!info->converged && (rate_flat || drop != DROP_IN)))
        return hz_error_set(
            err, HZ_ENOCONV,
            "BG/NBD parameters run away (r = %g, alpha = %g, a = %g, "
            "b = %g): the data do not identify the model (too few or "
            "identical customers)",
            p.r, p.alpha, p.a, p.b);
    if (!info->converged)
        return hz_error_set(err, HZ_ENOCONV,
                            "BG/NBD fit did not converge after %zu "
                            "iterations (Newton decrement %g, gradient "
                            "norm %g)",
                            info->iterations, info->decrement, info->gnorm);
    out->p = p;
    out->boundary = drop != DROP_IN || rate_flat;
    if (out->boundary)
        bg_note(th, drop, rate_flat, out->note, sizeof out->note);
    return HZ_OK;
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

    hz__gsl_init();
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
    d.threads = opt->threads > 0 ? opt->threads : hz_default_threads();
    if (d.xs[d.nx - 1] == 0) {
        st = hz_error_set(err, HZ_ETOOSHORT,
                          "no customer made a repeat purchase: BG/NBD "
                          "cannot be fitted");
        goto out;
    }
    if (!(d.times[d.ntimes - 1] > 0)) {
        st = hz_error_set(err, HZ_ETOOSHORT,
                          "every customer has age T = 0: nothing to fit");
        goto out;
    }
    double th[4], keep[4];
    bool warm;
    bg_start(&d, x, t_x, T, n, opt, th, &warm);
    hz__mle_problem pr = {4, bg_obj, &d, d.wsum, opt->max_iter, bg_obj_h};
    hz__mle_info info;
    memset(&info, 0, sizeof info);
    /* from a warm start a few Newton steps reach the optimum with far
     * fewer full evaluations than BFGS */
    memcpy(keep, th, sizeof keep);
    if (!warm || !hz__mle_newton(&pr, th, &info)) {
        memcpy(th, keep, sizeof keep);
        hz__mle_minimize(&pr, th, &info);
    }
    if ((st = bg_judge(th, &info, out, err)) != HZ_OK)
        goto out;
    out->loglik = -info.f;
    out->n = n;
    out->n_distinct = d.m;
    out->iterations = info.iterations;
    out->decrement = info.decrement;
    hz__mle_se_exp(&info, th, 4, out->se);
    {
        static const char *const nm[4] = {"r", "alpha", "a", "b"};
        const double v[4] = {out->p.r, out->p.alpha, out->p.a, out->p.b};
        hz__flag_unidentified(nm, v, out->se, 4, &out->boundary, out->note,
                              sizeof out->note);
    }
out:
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

/* (a+b+x-1)/(a-1) [1 - ((al+T)/(al+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1;
 * t/(al+T+t))]: E[Y(t)] / P(alive), and E[X(t)] with x = T = 0.  At
 * a = 1 both factors vanish (a removable singularity): within 1e-5 of
 * it the value is the mean at 1 -+ 2e-5 (error O(1e-9)), one level of
 * recursion (those a are outside the window):
 * NOLINTNEXTLINE(misc-no-recursion) */
static double bg_numerator(const hz_bgnbd_params *p, double t, double x,
                           double T)
{
    const double r = p->r, al = p->alpha, b = p->b;
    double a = p->a;
    if (t <= 0)
        return 0.0;
    if (fabs(a - 1) < 1e-5) {
        hz_bgnbd_params lo = *p, hi = *p;
        lo.a = 1 - 2e-5;
        hi.a = 1 + 2e-5;
        return 0.5 * (bg_numerator(&lo, t, x, T) + bg_numerator(&hi, t, x, T));
    }
    double z = t / (al + T + t);
    double h = hz__hyp2f1(r + x, b + x, a + b + x - 1, z);
    return (a + b + x - 1) / (a - 1) *
           (1.0 - pow((al + T) / (al + T + t), r + x) * h);
}

double hz_bgnbd_expected(const hz_bgnbd_params *p, double t)
{
    return bg_numerator(p, t, 0, 0);
}

double hz_bgnbd_conditional_numerator(const hz_bgnbd_params *p, double t,
                                      double x, double T)
{
    return bg_numerator(p, t, x, T);
}

double hz_bgnbd_conditional(const hz_bgnbd_params *p, double t, double x,
                            double t_x, double T)
{
    return hz_bgnbd_conditional_numerator(p, t, x, T) *
           hz_bgnbd_p_alive(p, x, t_x, T);
}

double hz_bgnbd_pmf(const hz_bgnbd_params *p, double t, unsigned k)
{
    const double r = p->r, al = p->alpha, a = p->a, b = p->b;
    if (!(t > 0))
        return k == 0 ? 1.0 : 0.0;
    hz__gsl_init();
    const double lbab = gsl_sf_lnbeta(a, b);
    const double lq = log(al / (al + t)), lz = log(t / (al + t));
    double nb = exp(gsl_sf_lngamma(r + k) - gsl_sf_lngamma(r) -
                    gsl_sf_lngamma(k + 1.0) + r * lq + (k ? k * lz : 0.0));
    double v = exp(gsl_sf_lnbeta(a, b + k) - lbab) * nb;
    if (k == 0)
        return v;
    /* P(at least k purchases while alive) = 1 - P(fewer than k) */
    double term = exp(r * lq), cdf = 0.0;
    for (unsigned j = 0; j < k; j++) {
        cdf += term;
        term *= (r + j) / (j + 1.0) * (t / (al + t));
    }
    return v + exp(gsl_sf_lnbeta(a + 1, b + k - 1) - lbab) * (1.0 - cdf);
}

double hz_bgnbd_p_no_purchase(const hz_bgnbd_params *p, double t, double x,
                              double t_x, double T)
{
    double pa = hz_bgnbd_p_alive(p, x, t_x, T);
    if (!(t > 0))
        return 1.0;
    return 1.0 - pa + pa * exp((p->r + x) * -log1p(t / (p->alpha + T)));
}
