/* Seasonal ARIMA fitting (R stats::arima "CSS-ML") and the automatic
 * order search of forecast::auto.arima (Hyndman & Khandakar 2008).
 *
 * Fitting, as R does it:
 *  1. start values by conditional sum of squares (CSS, BFGS);
 *     a non-stationary AR part from CSS makes the fit fail;
 *  2. AR parameters mapped to partial autocorrelations through tanh
 *     (stationarity enforced), non-invertible MA start values reflected;
 *  3. exact ML by BFGS with central-difference gradients (R's optim:
 *     maxit 100, reltol 1.49e-8, ndeps 1e-3, parscale 10*se for the
 *     mean/drift); the Gaussian likelihood comes from the Kalman filter
 *     of the differenced series started at the stationary covariance;
 *  4. MA roots inside the unit circle reflected at the end;
 *  5. the model is rejected by the search when its numerical Hessian
 *     gives a negative variance (forecast's checkarima) or a root is
 *     within 1.01 of the unit circle (as forecast's myarima).
 * The final model runs R's diffuse Kalman filter (kappa = 1e6) over the
 * undifferenced series to get the forecast state and residuals. */
#include <complex.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "forecast/arima_fit.h"
#include "forecast/arima_internal.h"
#include "horizon/arima.h"
#include "numeric/vmmin.h"
#include "numeric/gsl_init.h"

#define MAXC HZ_ARIMA_MAXCOEF
typedef hz__arima_ws ws;
typedef hz__arima_fitres fitres;
_Static_assert(MAXC <= HZ_VMMIN_MAXN, "ARIMA coefficients exceed BFGS");
#define KAPPA 1e6

/* ------------------------------------------------------------------ */
/* parameter transforms                                                */

/* tanh of the raw values are partial autocorrelations; Durbin-Levinson
 * turns them into AR coefficients. */
static void partrans(int p, const double *raw, double *out)
{
    double work[MAXC];
    for (int j = 0; j < p; j++)
        work[j] = out[j] = tanh(raw[j]);
    for (int j = 1; j < p; j++) {
        double a = out[j];
        for (int k = 0; k < j; k++)
            work[k] -= a * out[j - k - 1];
        for (int k = 0; k < j; k++)
            out[k] = work[k];
    }
}

static void invpartrans(int p, const double *phi, double *out)
{
    double work[MAXC];
    for (int j = 0; j < p; j++)
        work[j] = out[j] = phi[j];
    for (int j = p - 1; j > 0; j--) {
        double a = out[j];
        for (int k = 0; k < j; k++)
            work[k] = (out[k] + a * out[j - k - 1]) / (1.0 - a * a);
        for (int k = 0; k < j; k++)
            out[k] = work[k];
    }
    for (int j = 0; j < p; j++)
        out[j] = atanh(out[j]);
}

typedef struct orders {
    int p, q, P, Q, m, d, D;
} orders;

/* Expand (transformed) parameters into phi[p + m*P], theta[q + m*Q]. */
static void trans_pars(const orders *o, const double *in, int trans,
                       double *phi, double *theta)
{
    double par[MAXC];
    int mp = o->p, mq = o->q, msp = o->P, msq = o->Q, ns = o->m;
    int n = mp + mq + msp + msq;
    for (int i = 0; i < n; i++)
        par[i] = in[i];
    if (trans) {
        if (mp > 0)
            partrans(mp, in, par);
        if (msp > 0)
            partrans(msp, in + mp + mq, par + mp + mq);
    }
    int p = mp + ns * msp, q = mq + ns * msq;
    for (int i = 0; i < p; i++)
        phi[i] = i < mp ? par[i] : 0.0;
    for (int i = 0; i < q; i++)
        theta[i] = i < mq ? par[mp + i] : 0.0;
    for (int j = 0; j < msp; j++) {
        phi[(j + 1) * ns - 1] += par[j + mp + mq];
        for (int i = 0; i < mp; i++)
            phi[(j + 1) * ns + i] -= par[i] * par[j + mp + mq];
    }
    for (int j = 0; j < msq; j++) {
        theta[(j + 1) * ns - 1] += par[j + mp + mq + msp];
        for (int i = 0; i < mq; i++)
            theta[(j + 1) * ns + i] += par[i + mp] * par[j + mp + mq + msp];
    }
}

/* 1 when all roots of 1 - sum a_k z^k lie outside |z| = rho (Schur-Cohn
 * step-down; trailing |a_k| <= tiny are dropped first). */
#define ROOTS_MAXDEG 400 /* lags up to R's 350 (getQ0) */

static int roots_outside(const double *a, int p, double rho, double tiny)
{
    double w[ROOTS_MAXDEG], t[ROOTS_MAXDEG];
    while (p > 0 && fabs(a[p - 1]) <= tiny)
        p--;
    if (p == 0)
        return 1;
    if (p > ROOTS_MAXDEG)
        return 0;
    double s = 1.0;
    for (int k = 0; k < p; k++) {
        s *= rho;
        w[k] = a[k] * s;
    }
    for (int j = p - 1; j >= 0; j--) {
        double kap = w[j];
        if (!(fabs(kap) < 1.0))
            return 0;
        for (int k = 0; k < j; k++)
            t[k] = (w[k] + kap * w[j - k - 1]) / (1.0 - kap * kap);
        for (int k = 0; k < j; k++)
            w[k] = t[k];
    }
    return 1;
}

/* Roots of c[0] + c[1] z + ... + c[deg] z^deg (Durand-Kerner). */
static int poly_roots(const double *c, int deg, double complex *z)
{
    double complex cm[MAXC + 1];
    for (int i = 0; i <= deg; i++)
        cm[i] = c[i] / c[deg];
    for (int i = 0; i < deg; i++)
        z[i] = cpow(0.4 + 0.9 * _Complex_I, i);
    for (int it = 0; it < 500; it++) {
        double change = 0.0;
        for (int i = 0; i < deg; i++) {
            double complex v = 1.0;
            for (int k = deg - 1; k >= 0; k--)
                v = v * z[i] + cm[k];
            double complex den = 1.0;
            for (int k = 0; k < deg; k++)
                if (k != i)
                    den *= (z[i] - z[k]);
            if (cabs(den) == 0.0)
                den = 1e-12;
            double complex dz = v / den;
            z[i] -= dz;
            change = fmax(change, cabs(dz));
        }
        if (change < 1e-14)
            return 0;
    }
    return 0;
}

/* R's maInvert: reflect MA roots inside the unit circle. */
static int ma_invert(double *ma, int q)
{
    int q0 = q;
    while (q0 > 0 && ma[q0 - 1] == 0.0)
        q0--;
    if (q0 == 0)
        return 0;
    double c[MAXC + 1];
    double complex z[MAXC];
    c[0] = 1.0;
    for (int i = 0; i < q0; i++)
        c[i + 1] = ma[i];
    poly_roots(c, q0, z);
    int any = 0;
    for (int i = 0; i < q0; i++)
        if (cabs(z[i]) < 1.0)
            any = 1;
    if (!any)
        return 0;
    if (q0 == 1) {
        ma[0] = 1.0 / ma[0];
        return 1;
    }
    for (int i = 0; i < q0; i++)
        if (cabs(z[i]) < 1.0)
            z[i] = 1.0 / z[i];
    double complex x[MAXC + 2];
    int len = 1;
    x[0] = 1.0;
    for (int i = 0; i < q0; i++) {
        /* x <- c(x, 0) - c(0, x) / root */
        x[len] = 0.0;
        for (int k = len; k >= 1; k--)
            x[k] = x[k] - x[k - 1] / z[i];
        len++;
    }
    for (int i = 0; i < q0; i++)
        ma[i] = creal(x[i + 1]);
    return 1;
}

/* ------------------------------------------------------------------ */
/* workspace and fitting                                               */

void hz__arima_ws_free(ws *w)
{
    if (w == NULL)
        return;
    free(w->dx);
    free(w->dxr);
    free(w->xr);
    free(w->wv);
    free(w->cres);
    free(w->phi);
    free(w->theta);
    free(w->kw);
    free(w->uw);
    memset(w, 0, sizeof *w);
}

int hz__arima_ws_alloc(ws *w, const double *x, size_t n, int m, int rmax)
{
    memset(w, 0, sizeof *w);
    w->x = x;
    w->n = n;
    w->m = m;
    w->rmax = rmax;
    size_t un = 13 * (n + 2 * (size_t)(m > 1 ? m : 1)) + 16;
    w->dx = malloc((n + 1) * sizeof(double));
    w->dxr = malloc((n + 1) * sizeof(double));
    w->xr = malloc((n + 1) * sizeof(double));
    w->wv = malloc((n + 1) * sizeof(double));
    w->cres = malloc((n + 1) * sizeof(double));
    w->phi = malloc(((size_t)rmax + 1) * sizeof(double));
    w->theta = malloc(((size_t)rmax + 1) * sizeof(double));
    w->kw = malloc(hz__arma_work_size(rmax) * sizeof(double));
    w->uw = malloc(un * sizeof(double));
    if (!w->dx || !w->dxr || !w->xr || !w->wv || !w->cres || !w->phi ||
        !w->theta || !w->kw || !w->uw) {
        hz__arima_ws_free(w);
        return -1;
    }
    return 0;
}

typedef struct objctx {
    ws *w;
    const orders *o;
    const fitres *fr;
    int trans;
    size_t nw; /* length of the differenced series */
    int ncond; /* CSS conditioning (relative to differenced) */
} objctx;

static void fill_par(const objctx *c, const double *x, double *par)
{
    int k = 0;
    for (int i = 0; i < c->fr->ncoef; i++)
        par[i] = c->fr->mask[i] ? x[k++] : c->fr->coef[i];
}

static void make_w(const objctx *c, const double *par)
{
    ws *w = c->w;
    if (c->fr->xkind) {
        double beta = par[c->fr->ncoef - 1];
        for (size_t i = 0; i < c->nw; i++)
            w->wv[i] = w->dx[i] - beta * w->dxr[i];
    } else {
        memcpy(w->wv, w->dx, c->nw * sizeof(double));
    }
}

static double obj_css(const double *x, void *vc)
{
    const objctx *c = vc;
    ws *w = c->w;
    const orders *o = c->o;
    double par[MAXC];
    fill_par(c, x, par);
    trans_pars(o, par, 0, w->phi, w->theta);
    make_w(c, par);
    int p = o->p + o->m * o->P, q = o->q + o->m * o->Q;
    const double *wv = w->wv;
    double *res = w->cres;
    double ssq = 0.0;
    int nu = 0;
    /* sparse: seasonal polynomials are mostly zeros */
    int ip[MAXC * 8], iq[MAXC * 8], np = 0, nq = 0;
    double vp[MAXC * 8], vq[MAXC * 8];
    for (int j = 0; j < p; j++)
        if (w->phi[j] != 0.0 && np < MAXC * 8) {
            ip[np] = j + 1;
            vp[np++] = w->phi[j];
        }
    for (int j = 0; j < q; j++)
        if (w->theta[j] != 0.0 && nq < MAXC * 8) {
            iq[nq] = j + 1;
            vq[nq++] = w->theta[j];
        }
    for (size_t l = (size_t)c->ncond; l < c->nw; l++) {
        double tmp = wv[l];
        for (int j = 0; j < np; j++)
            tmp -= vp[j] * wv[l - (size_t)ip[j]];
        size_t lim = l - (size_t)c->ncond;
        for (int j = 0; j < nq && (size_t)iq[j] <= lim; j++)
            tmp -= vq[j] * res[l - (size_t)iq[j]];
        res[l] = tmp;
        if (!isnan(tmp)) {
            nu++;
            ssq += tmp * tmp;
        }
    }
    return 0.5 * log(ssq / (double)nu);
}

static double obj_ml(const double *x, void *vc)
{
    const objctx *c = vc;
    ws *w = c->w;
    const orders *o = c->o;
    double par[MAXC];
    fill_par(c, x, par);
    trans_pars(o, par, c->trans, w->phi, w->theta);
    make_w(c, par);
    int p = o->p + o->m * o->P, q = o->q + o->m * o->Q;
    int r = p > q + 1 ? p : q + 1;
    if (r > 350)
        return DBL_MAX;
    double ssq, sumlog;
    int nu;
    if (hz__arma_like(w->wv, c->nw, w->phi, p, w->theta, q, w->kw, &ssq,
                      &sumlog, &nu) != 0)
        return DBL_MAX;
    double s2 = ssq / (double)nu;
    return 0.5 * (log(s2) + sumlog / (double)nu);
}

/* Difference v[0..n) into out: d lag-1 and D lag-m differences.  Returns
 * the new length. */
size_t hz__arima_diff(const double *v, size_t n, int d, int D, int m,
                      double *out)
{
    memmove(out, v, n * sizeof *out);
    size_t len = n;
    for (int i = 0; i < d && len > 0; i++) {
        for (size_t l = 0; l + 1 < len; l++)
            out[l] = out[l + 1] - out[l];
        len--;
    }
    for (int i = 0; i < D && len >= (size_t)m; i++) {
        for (size_t l = 0; l + (size_t)m < len; l++)
            out[l] = out[l + (size_t)m] - out[l];
        len -= (size_t)m;
    }
    return len;
}

static int ar_ok(const double *a, int p)
{
    /* R's arCheck: exact trailing zeros dropped */
    return roots_outside(a, p, 1.0, 0.0);
}

static void orders_of(const hz_arima_spec *s, orders *o)
{
    o->p = s->p;
    o->q = s->q;
    o->d = s->d;
    if (s->m > 1) {
        o->P = s->P;
        o->Q = s->Q;
        o->D = s->D;
        o->m = s->m;
    } else {
        o->P = o->Q = o->D = 0;
        o->m = 1;
    }
}

/* The Hessian-based check of forecast's checkarima(): 1 when some
 * coefficient variance is negative or the Hessian is singular. */
static int hess_bad(ws *w, fitres *fr)
{
    if (fr->nfree == 0)
        return 0;
    orders o;
    orders_of(&fr->spec, &o);
    size_t nw = w->n - (size_t)(o.d + o.D * o.m);
    objctx c = {w, &o, fr, fr->trans, nw, o.p + o.m * o.P};
    hz__optim op;
    memset(&op, 0, sizeof op);
    op.f = fr->spec.method == HZ_ARIMA_CSS ? obj_css : obj_ml;
    op.ctx = &c;
    op.n = fr->nfree;
    double x[MAXC];
    int k = 0;
    for (int i = 0; i < fr->ncoef; i++)
        if (fr->mask[i]) {
            op.ps[k] = fr->ps[i];
            x[k] = fr->raw[i];
            k++;
        }
    int nf = fr->nfree;
    double H[MAXC * MAXC], Hc[MAXC * MAXC], col[MAXC];
    if (hz__optim_hessian(&op, x, H) != 0)
        return 1;
    double nused = (double)nw;
    /* A: gradient of the transform for AR blocks (identity elsewhere),
     * restricted to the free coefficients. */
    double A[MAXC * MAXC];
    int nc = fr->ncoef;
    double Af[MAXC * MAXC];
    for (int i = 0; i < nc; i++)
        for (int j = 0; j < nc; j++)
            Af[i * nc + j] = (i == j);
    if (fr->trans) {
        double w1[MAXC], w2[MAXC], w3[MAXC];
        const double eps = 1e-3;
        int blocks[2][2] = {{0, o.p}, {o.p + o.q, o.P}};
        for (int b = 0; b < 2; b++) {
            int v = blocks[b][0], len = blocks[b][1];
            if (len == 0)
                continue;
            for (int i = 0; i < len; i++)
                w1[i] = fr->raw[v + i];
            partrans(len, w1, w2);
            for (int i = 0; i < len; i++) {
                w1[i] += eps;
                partrans(len, w1, w3);
                for (int j = 0; j < len; j++)
                    Af[(v + i) * nc + (v + j)] = (w3[j] - w2[j]) / eps;
                w1[i] -= eps;
            }
        }
    }
    int ii = 0;
    for (int i = 0; i < nc; i++) {
        if (!fr->mask[i])
            continue;
        int jj = 0;
        for (int j = 0; j < nc; j++) {
            if (!fr->mask[j])
                continue;
            A[ii * nf + jj] = Af[i * nc + j];
            jj++;
        }
        ii++;
    }
    /* var = A' (H n)^-1 A ; only the diagonal matters */
    for (int j = 0; j < nf; j++) {
        for (int i = 0; i < nf * nf; i++) {
            /* Hc column-major copy of H*n (H symmetric) */
            Hc[i] = H[i] * nused;
        }
        for (int i = 0; i < nf; i++)
            col[i] = A[i * nf + j];
        if (hz__solve_small(Hc, col, nf) != 0)
            return 1;
        double v = 0.0;
        for (int i = 0; i < nf; i++)
            v += A[i * nf + j] * col[i];
        if (isnan(sqrt(v)))
            return 1;
    }
    return 0;
}

/* The coefficient layout of spec: the ARMA terms, then the constant
 * (xkind 1, no differencing) or drift (xkind 2, one difference) when
 * asked; all free with scale 1 and start 0, but a fixed constant. */
static void coef_setup(const hz_arima_spec *spec, const orders *o, int narma,
                       fitres *fr)
{
    int dd = o->d + o->D;
    fr->xkind = 0;
    if (spec->constant && dd == 0)
        fr->xkind = 1;
    else if (spec->constant && dd == 1)
        fr->xkind = 2;
    fr->ncoef = narma + (fr->xkind ? 1 : 0);
    for (int i = 0; i < fr->ncoef; i++) {
        fr->mask[i] = 1;
        fr->ps[i] = 1.0;
        fr->coef[i] = 0.0;
    }
    if (fr->xkind && spec->fix_constant) {
        fr->mask[fr->ncoef - 1] = 0;
        fr->coef[fr->ncoef - 1] = spec->constant_value;
    }
    fr->nfree = 0;
    for (int i = 0; i < fr->ncoef; i++)
        fr->nfree += fr->mask[i];
}

/* The constant's or drift's start and scale, as stats::arima: the
 * regression of the differenced series on the differenced regressor
 * (lm(dx ~ dxreg - 1)); its standard error x 10 is the parameter scale. */
static void xreg_init(ws *w, const orders *op_o, fitres *fr, size_t nw,
                      double *init)
{
    const orders o = *op_o;
    size_t n = w->n;
    for (size_t i = 0; i < n; i++)
        w->xr[i] = fr->xkind == 1 ? 1.0 : (double)(i + 1);
    hz__arima_diff(w->xr, n, o.d, o.D, o.m, w->dxr);
    /* lm(dx ~ dxreg - 1) */
    double sxy = 0.0, sxx = 0.0;
    for (size_t i = 0; i < nw; i++) {
        sxy += w->dx[i] * w->dxr[i];
        sxx += w->dxr[i] * w->dxr[i];
    }
    double beta = sxx > 0 ? sxy / sxx : 0.0, rss = 0.0;
    for (size_t i = 0; i < nw; i++) {
        double e = w->dx[i] - beta * w->dxr[i];
        rss += e * e;
    }
    double ses = nw > 1 && sxx > 0 ? sqrt(rss / (double)(nw - 1) / sxx) : 0.0;
    if (fr->mask[fr->ncoef - 1])
        init[fr->ncoef - 1] = beta;
    fr->ps[fr->ncoef - 1] = (ses > 0 && isfinite(ses)) ? 10.0 * ses : 1.0;
}

/* Conditional sum of squares (method CSS, or the start of CSS-ML): for
 * CSS fills fr and returns 1; for CSS-ML leaves the CSS estimates in init
 * (when the optimiser converged) and returns 0; -1 when R would stop
 * (too short, non-stationary AR part at the CSS estimates). */
static int css_stage(const hz_arima_spec *spec, const orders *op_o, fitres *fr,
                     objctx *cp, hz__optim *opp, double *init)
{
    const orders o = *op_o;
    size_t nw = cp->nw;
    int pf = cp->ncond;
    double xs[MAXC], fmin = 0.0;
    int fail = 0;
    if ((size_t)pf >= nw)
        return -1;
    opp->f = obj_css;
    int k = 0;
    for (int i = 0; i < fr->ncoef; i++)
        if (fr->mask[i]) {
            xs[k] = init[i] / opp->ps[k];
            k++;
        }
    if (fr->nfree == 0) {
        fmin = obj_css(xs, cp);
        fail = 0;
    } else if (hz__vmmin(opp, xs, &fmin, 100, &fail) != 0) {
        return -1;
    }
    if (spec->method == HZ_ARIMA_CSS) {
        k = 0;
        for (int i = 0; i < fr->ncoef; i++)
            if (fr->mask[i]) {
                fr->coef[i] = fr->raw[i] = xs[k] * opp->ps[k];
                k++;
            } else {
                fr->raw[i] = fr->coef[i];
            }
        double xt[MAXC];
        k = 0;
        for (int i = 0; i < fr->ncoef; i++)
            if (fr->mask[i])
                xt[k++] = fr->coef[i];
        fr->value = obj_css(xt, cp);
        if (!isfinite(fr->value))
            return -1;
        fr->sigma2 = exp(2.0 * fr->value);
        fr->trans = 0;
        fr->converged = !fail;
        fr->loglik = fr->aic = NAN;
        fr->ok = 1;
        return 1;
    }
    if (!fail) {
        k = 0;
        for (int i = 0; i < fr->ncoef; i++)
            if (fr->mask[i]) {
                init[i] = xs[k] * opp->ps[k];
                k++;
            }
    }
    if (o.p > 0 && !ar_ok(init, o.p))
        return -1;
    if (o.P > 0 && !ar_ok(init + o.p + o.q, o.P))
        return -1;
    return 0;
}

/* Fit one model like stats::arima.  Returns 0 and fills fr, or -1 when R
 * would stop with an error (fr->ok = 0). */
int hz__arima_fit_core(ws *w, const hz_arima_spec *spec, fitres *fr)
{
    memset(fr, 0, sizeof *fr);
    fr->spec = *spec;
    fr->ic = INFINITY;
    orders o;
    orders_of(spec, &o);
    int narma = o.p + o.q + o.P + o.Q;
    int nd = o.d + o.D * o.m;
    size_t n = w->n;
    if (narma + 1 > MAXC || (size_t)nd >= n)
        return -1;
    int pf = o.p + o.m * o.P, qf = o.q + o.m * o.Q;
    int r = pf > qf + 1 ? pf : qf + 1;
    if (r > w->rmax)
        return -1;
    coef_setup(spec, &o, narma, fr);

    size_t nw = hz__arima_diff(w->x, n, o.d, o.D, o.m, w->dx);
    double init[MAXC] = {0};
    for (int i = 0; i < fr->ncoef; i++)
        init[i] = fr->coef[i];
    if (fr->xkind)
        xreg_init(w, &o, fr, nw, init);
    objctx c = {w, &o, fr, 0, nw, pf};
    hz__optim op;
    memset(&op, 0, sizeof op);
    op.ctx = &c;
    op.n = fr->nfree;
    {
        int k = 0;
        for (int i = 0; i < fr->ncoef; i++)
            if (fr->mask[i])
                op.ps[k++] = fr->ps[i];
    }
    double xs[MAXC], fmin = 0.0;
    int fail = 0;
    if (spec->method == HZ_ARIMA_CSS || spec->method == HZ_ARIMA_CSS_ML) {
        int rc = css_stage(spec, &o, fr, &c, &op, init);
        if (rc != 0)
            return rc < 0 ? -1 : 0;
    }

    /* exact ML */
    int trans = fr->nfree > 0;
    if (trans) {
        double tmp[MAXC];
        if (o.p > 0) {
            invpartrans(o.p, init, tmp);
            memcpy(init, tmp, (size_t)o.p * sizeof(double));
        }
        if (o.P > 0) {
            invpartrans(o.P, init + o.p + o.q, tmp);
            memcpy(init + o.p + o.q, tmp, (size_t)o.P * sizeof(double));
        }
        if (o.q > 0)
            ma_invert(init + o.p, o.q);
        if (o.Q > 0)
            ma_invert(init + o.p + o.q + o.P, o.Q);
    }
    c.trans = trans;
    op.f = obj_ml;
    {
        int k = 0;
        for (int i = 0; i < fr->ncoef; i++)
            if (fr->mask[i]) {
                xs[k] = init[i] / op.ps[k];
                k++;
            }
    }
    for (int i = 0; i < fr->ncoef; i++)
        if (!isfinite(init[i]))
            return -1;
    if (fr->nfree == 0) {
        fmin = obj_ml(xs, &c);
        fail = 0;
        /* -inf (an exact fit, e.g. a fixed drift on a straight line) is
         * accepted as R does */
        if (isnan(fmin) || fmin >= DBL_MAX)
            return -1;
    } else if (hz__vmmin(&op, xs, &fmin, 100, &fail) != 0) {
        return -1;
    }
    double cf[MAXC];
    {
        int k = 0;
        for (int i = 0; i < fr->ncoef; i++) {
            if (fr->mask[i]) {
                cf[i] = xs[k] * op.ps[k];
                k++;
            } else {
                cf[i] = fr->coef[i];
            }
        }
    }
    if (trans) {
        int changed = 0;
        if (o.q > 0)
            changed |= ma_invert(cf + o.p, o.q);
        if (o.Q > 0)
            changed |= ma_invert(cf + o.p + o.q + o.P, o.Q);
        if (changed) {
            double xt[MAXC];
            int k = 0;
            for (int i = 0; i < fr->ncoef; i++)
                if (fr->mask[i])
                    xt[k++] = cf[i];
            fmin = obj_ml(xt, &c);
        }
    }
    memcpy(fr->raw, cf, sizeof cf);
    fr->trans = trans;
    if (trans) {
        if (o.p > 0)
            partrans(o.p, fr->raw, cf);
        if (o.P > 0)
            partrans(o.P, fr->raw + o.p + o.q, cf + o.p + o.q);
    }
    memcpy(fr->coef, cf, sizeof cf);
    fr->value = fmin;
    if (isnan(fmin) || fmin >= DBL_MAX || (fr->nfree > 0 && !isfinite(fmin)))
        return -1;
    double nused = (double)nw;
    double value = 2.0 * nused * fmin + nused + nused * log(2.0 * M_PI);
    fr->loglik = -0.5 * value;
    fr->aic = value + 2.0 * fr->nfree + 2.0;
    fr->converged = !fail;
    fr->sigma2 = NAN; /* filled by finalize */
    fr->ok = 1;
    return 0;
}

static void trace_fit(ws *w, const fitres *fr, const char *tag);

/* forecast's hz__arima_try(): criteria, root and Hessian checks.
 * lazy_hess: skip the Hessian check (done later if the model wins). */
void hz__arima_try(ws *w, const hz_arima_spec *spec, double offset, int ic,
                   int lazy_hess, fitres *fr)
{
    if (hz__arima_fit_core(w, spec, fr) != 0) {
        fr->ok = 0;
        fr->ic = INFINITY;
        return;
    }
    orders o;
    orders_of(spec, &o);
    double nstar = (double)w->n - o.d - (double)o.D * o.m;
    double npar = fr->nfree + 1;
    if (spec->method == HZ_ARIMA_CSS)
        fr->aic = offset + nstar * log(fr->sigma2) + 2.0 * npar;
    if (!isnan(fr->aic)) {
        fr->bic = fr->aic + npar * (log(nstar) - 2.0);
        fr->aicc = fr->aic + 2.0 * npar * (npar + 1.0) / (nstar - npar - 1.0);
        fr->ic = ic == 1 ? fr->aic : (ic == 2 ? fr->bic : fr->aicc);
    } else {
        fr->aic = fr->bic = fr->aicc = fr->ic = INFINITY;
    }
    int pf = o.p + o.m * o.P, qf = o.q + o.m * o.Q;
    double *phi = w->phi, *theta = w->theta;
    trans_pars(&o, fr->coef, 0, phi, theta);
    if (o.p + o.P > 0 && !roots_outside(phi, pf, 1.01, 1e-8))
        fr->ic = INFINITY;
    if (o.q + o.Q > 0 && fr->ic < INFINITY) {
        double neg[512];
        int qq = qf < 512 ? qf : 512;
        for (int i = 0; i < qq; i++)
            neg[i] = -theta[i];
        if (!roots_outside(neg, qq, 1.01, 1e-8))
            fr->ic = INFINITY;
    }
    if (!lazy_hess && fr->ic < INFINITY) {
        fr->hess_checked = 1;
        if (hess_bad(w, fr))
            fr->ic = INFINITY;
    }
    trace_fit(w, fr, "");
}

/* Apply the deferred Hessian check; returns the (possibly Inf) ic. */
double hz__arima_settle(ws *w, fitres *fr)
{
    if (fr->ok && !fr->hess_checked && fr->ic < INFINITY) {
        fr->hess_checked = 1;
        if (hess_bad(w, fr))
            fr->ic = INFINITY;
        if (fr->ic == INFINITY)
            trace_fit(w, fr, " (rejected by Hessian check)");
    }
    return fr->ic;
}

/* ------------------------------------------------------------------ */
/* final model                                                          */

void hz_arima_model_free(hz_arima_model *mdl)
{
    if (mdl == NULL)
        return;
    free(mdl->phi);
    free(mdl->theta);
    free(mdl->delta);
    free(mdl->a);
    free(mdl->P);
    free(mdl->resid);
    mdl->phi = mdl->theta = mdl->delta = mdl->a = mdl->P = mdl->resid = NULL;
}

hz_status hz__arima_finalize(const double *x, size_t n, const fitres *fr,
                             hz_arima_model *out, hz_error *err)
{
    hz_status st = HZ_OK;
    double *work = NULL, *yy = NULL;
    memset(out, 0, sizeof *out);
    out->spec = fr->spec;
    out->n = n;
    out->ncoef = fr->ncoef;
    out->nfree = fr->nfree;
    memcpy(out->coef, fr->coef, sizeof out->coef);
    out->has_mean = fr->xkind == 1;
    out->has_drift = fr->xkind == 2;
    out->loglik = fr->loglik;
    out->aic = fr->aic;
    out->aicc = fr->aicc;
    out->bic = fr->bic;
    out->ic = fr->ic;
    out->converged = fr->converged;
    orders o;
    orders_of(&fr->spec, &o);
    int pf = o.p + o.m * o.P, qf = o.q + o.m * o.Q;
    int r = pf > qf + 1 ? pf : qf + 1;
    int nd = o.d + o.m * o.D;
    int rd = r + nd;
    out->rd = rd;
    out->nphi = pf;
    out->ntheta = qf;
    out->ndelta = nd;
    out->phi = calloc((size_t)pf + 1, sizeof(double));
    out->theta = calloc((size_t)qf + 1, sizeof(double));
    out->delta = calloc((size_t)nd + 1, sizeof(double));
    out->a = calloc((size_t)rd, sizeof(double));
    out->P = calloc((size_t)rd * (size_t)rd, sizeof(double));
    out->resid = calloc(n, sizeof(double));
    work = malloc(hz__arima_ss_work(rd, r) * sizeof(double));
    yy = malloc(n * sizeof(double));
    if (!out->phi || !out->theta || !out->delta || !out->a || !out->P ||
        !out->resid || !work || !yy) {
        st = hz_error_set(err, HZ_ENOMEM, "out of memory fitting arima");
        goto out;
    }
    trans_pars(&o, fr->coef, 0, out->phi, out->theta);
    /* Delta = -(coefficients of (1-B)^d (1-B^m)^D)[-1] */
    {
        double poly[1024];
        if (nd + 1 > 1024) {
            st = hz_error_set(err, HZ_EINVAL, "differencing order too large");
            goto out;
        }
        memset(poly, 0, sizeof poly);
        poly[0] = 1.0;
        int deg = 0;
        for (int i = 0; i < o.d; i++) {
            for (int k = deg + 1; k >= 1; k--)
                poly[k] -= poly[k - 1];
            deg++;
        }
        for (int i = 0; i < o.D; i++) {
            for (int k = deg + o.m; k >= o.m; k--)
                poly[k] -= poly[k - o.m];
            deg += o.m;
        }
        for (int i = 0; i < nd; i++)
            out->delta[i] = -poly[i + 1];
    }
    for (size_t i = 0; i < n; i++) {
        double v = x[i];
        if (fr->xkind == 1)
            v -= fr->coef[fr->ncoef - 1];
        else if (fr->xkind == 2)
            v -= fr->coef[fr->ncoef - 1] * (double)(i + 1);
        yy[i] = v;
    }
    double ssq, sumlog;
    int nu;
    if (hz__arima_ss_filter(yy, n, out->phi, pf, out->theta, qf, out->delta,
                            nd, KAPPA, out->a, out->P, out->resid, &ssq,
                            &sumlog, &nu, work) != 0) {
        st = hz_error_set(err, HZ_ENOCONV,
                          "arima state-space filter failed (non-stationary "
                          "AR part)");
        goto out;
    }
    double nused = (double)n - nd;
    out->sigma2_ml = fr->spec.method == HZ_ARIMA_CSS ? fr->sigma2
                                                     : ssq / nused;
    {
        double s = 0.0;
        for (size_t i = 0; i < n; i++)
            s += out->resid[i] * out->resid[i];
        double npar = fr->nfree + 1;
        out->sigma2 = s / (nused - npar + 1.0);
    }
out:
    free(work);
    free(yy);
    if (st != HZ_OK)
        hz_arima_model_free(out);
    return st;
}

static void trace_fit(ws *w, const fitres *fr, const char *tag)
{
    if (w->trace == NULL)
        return;
    hz_arima_model tmp;
    memset(&tmp, 0, sizeof tmp);
    tmp.spec = fr->spec;
    tmp.has_mean = fr->xkind == 1;
    tmp.has_drift = fr->xkind == 2;
    char buf[160], line[200];
    hz_arima_string(&tmp, buf, sizeof buf);
    snprintf(line, sizeof line, "%s%s%s", buf,
             fr->spec.method == HZ_ARIMA_CSS ? " [css]" : "", tag);
    w->trace(w->trace_ctx, line, fr->ic);
}

/* ------------------------------------------------------------------ */
/* public: fit one model                                               */

int hz__arima_rmax(int p, int q, int P, int Q, int m)
{
    int pf = p + (m > 1 ? m * P : 0), qf = q + (m > 1 ? m * Q : 0);
    return pf > qf + 1 ? pf : qf + 1;
}

hz_status hz__arima_check_input(const double *y, size_t n, hz_error *err)
{
    if (y == NULL)
        return hz_error_set(err, HZ_EINVAL, "arima: no data");
    for (size_t i = 0; i < n; i++)
        if (!isfinite(y[i]))
            return hz_error_set(err, HZ_EINVAL,
                                "arima: value %zu is not finite", i + 1);
    return HZ_OK;
}

static hz_status check_spec(const hz_arima_spec *s, hz_error *err)
{
    if (s->p < 0 || s->d < 0 || s->q < 0 || s->P < 0 || s->D < 0 || s->Q < 0)
        return hz_error_set(err, HZ_EINVAL, "arima: negative order");
    if (s->p > 12 || s->q > 12 || s->P > 3 || s->Q > 3 || s->d > 3 || s->D > 2)
        return hz_error_set(err, HZ_EINVAL,
                            "arima: order too large (p,q <= 12, P,Q <= 3, "
                            "d <= 3, D <= 2)");
    if (s->m < 1)
        return hz_error_set(err, HZ_EINVAL, "arima: period must be >= 1");
    if (s->p + s->q + s->P + s->Q + 1 > MAXC)
        return hz_error_set(err, HZ_EINVAL, "arima: too many coefficients");
    return HZ_OK;
}

hz_status hz_arima_fit(const double *y, size_t n, const hz_arima_spec *spec,
                       hz_arima_model *out, hz_error *err)
{
    hz_status st;
    if (out != NULL)
        memset(out, 0, sizeof *out);
    if (spec == NULL || out == NULL)
        return hz_error_set(err, HZ_EINVAL, "arima: missing argument");
    if ((st = hz__arima_check_input(y, n, err)) != HZ_OK)
        return st;
    if ((st = check_spec(spec, err)) != HZ_OK)
        return st;
    int m = spec->m > 1 ? spec->m : 1;
    size_t nd = (size_t)spec->d + (m > 1 ? (size_t)m * spec->D : 0);
    if (n <= nd + 1)
        return hz_error_set(err, HZ_ETOOSHORT,
                            "arima: %zu observations are too few for the "
                            "differencing",
                            n);
    ws w;
    int rmax = hz__arima_rmax(spec->p, spec->q, spec->P, spec->Q, m);
    if (rmax > 350)
        return hz_error_set(err, HZ_EINVAL,
                            "arima: maximum supported lag is 350");
    if (hz__arima_ws_alloc(&w, y, n, m, rmax) != 0)
        return hz_error_set(err, HZ_ENOMEM, "out of memory fitting arima");
    fitres fr;
    if (hz__arima_fit_core(&w, spec, &fr) != 0) {
        hz__arima_ws_free(&w);
        return hz_error_set(err, HZ_ENOCONV,
                            "arima: the model could not be fitted "
                            "(non-stationary AR part from CSS or failed "
                            "optimisation)");
    }
    orders o;
    orders_of(spec, &o);
    double nstar = (double)n - nd, npar = fr.nfree + 1;
    if (spec->method == HZ_ARIMA_CSS)
        fr.aic = NAN;
    fr.bic = fr.aic + npar * (log(nstar) - 2.0);
    fr.aicc = fr.aic + 2.0 * npar * (npar + 1.0) / (nstar - npar - 1.0);
    fr.ic = fr.aicc;
    st = hz__arima_finalize(y, n, &fr, out, err);
    hz__arima_ws_free(&w);
    return st;
}

/* ------------------------------------------------------------------ */
/* forecasting                                                          */

hz_status hz_arima_predict(const hz_arima_model *mdl, size_t h, double *mean,
                           double *se, hz_error *err)
{
    if (mdl == NULL || mean == NULL || h == 0)
        return hz_error_set(err, HZ_EINVAL, "arima: bad predict request");
    if (mdl->constant_series) {
        for (size_t i = 0; i < h; i++) {
            mean[i] = mdl->last_y;
            if (se)
                se[i] = 0.0;
        }
        return HZ_OK;
    }
    if (mdl->a == NULL)
        return hz_error_set(err, HZ_EINVAL, "arima: model is not fitted");
    int rd = mdl->rd;
    double *work = malloc((3 * (size_t)rd * rd + 2 * (size_t)rd + 4) *
                          sizeof(double));
    double *var = malloc(h * sizeof(double));
    if (work == NULL || var == NULL) {
        free(work);
        free(var);
        return hz_error_set(err, HZ_ENOMEM, "out of memory in arima predict");
    }
    hz__arima_ss_forecast((int)h, mdl->phi, mdl->nphi, mdl->theta, mdl->ntheta,
                          mdl->delta, mdl->ndelta, mdl->a, mdl->P, mean, var,
                          work);
    double beta = mdl->ncoef > 0 ? mdl->coef[mdl->ncoef - 1] : 0.0;
    for (size_t i = 0; i < h; i++) {
        if (mdl->has_mean)
            mean[i] += beta;
        else if (mdl->has_drift)
            mean[i] += beta * (double)(mdl->n + i + 1);
        if (se)
            se[i] = sqrt(var[i] * mdl->sigma2);
    }
    free(work);
    free(var);
    return HZ_OK;
}

const char *hz_arima_string(const hz_arima_model *mdl, char *buf, size_t len)
{
    const hz_arima_spec *s = &mdl->spec;
    int m = s->m;
    int n = snprintf(buf, len, "ARIMA(%d,%d,%d)", s->p, s->d, s->q);
    if (n < 0 || (size_t)n >= len)
        return buf;
    if (m > 1 && s->P + s->D + s->Q > 0)
        n += snprintf(buf + n, len - (size_t)n, "(%d,%d,%d)[%d]", s->P, s->D,
                      s->Q, m);
    if (n < 0 || (size_t)n >= len)
        return buf;
    int dd = s->d + (m > 1 ? s->D : 0);
    if (mdl->has_drift)
        snprintf(buf + n, len - (size_t)n, " with drift");
    else if (mdl->has_mean)
        snprintf(buf + n, len - (size_t)n, " with non-zero mean");
    else if (dd == 0)
        snprintf(buf + n, len - (size_t)n, " with zero mean");
    return buf;
}

hz_status hz_arima_forecast(const double *y, size_t n, int period,
                            const hz_arima_opts *opts, hz_forecast *out,
                            hz_error *err)
{
    hz_status st;
    hz_arima_opts o;
    hz_arima_model mdl;
    double *se = NULL;
    memset(&mdl, 0, sizeof mdl);
    if (out == NULL || out->h == 0 || out->mean == NULL)
        return hz_error_set(err, HZ_EINVAL,
                            "arima: forecast output not allocated (h >= 1)");
    if (opts)
        o = *opts;
    else
        hz_arima_opts_default(&o);
    if (o.auto_order) {
        st = hz_arima_auto(y, n, period, &o, &mdl, err);
    } else {
        hz_arima_spec s = o.order;
        if (s.m <= 1)
            s.m = period > 1 ? period : 1;
        st = hz_arima_fit(y, n, &s, &mdl, err);
    }
    if (st != HZ_OK)
        return st;
    se = malloc(out->h * sizeof *se);
    if (se == NULL) {
        st = hz_error_set(err, HZ_ENOMEM, "out of memory in arima forecast");
        goto done;
    }
    if ((st = hz_arima_predict(&mdl, out->h, out->mean, se, err)) != HZ_OK)
        goto done;
    hz__gsl_init();
    for (size_t l = 0; l < out->nlevels; l++) {
        double z = gsl_cdf_ugaussian_Pinv(0.5 *
                                          (1.0 + out->levels[l] / 100.0));
        for (size_t i = 0; i < out->h; i++) {
            if (out->lower[l])
                out->lower[l][i] = out->mean[i] - z * se[i];
            if (out->upper[l])
                out->upper[l][i] = out->mean[i] + z * se[i];
        }
    }
    hz_arima_string(&mdl, out->method, sizeof out->method);
    out->loglik = mdl.loglik;
    out->aic = mdl.aic;
    out->aicc = mdl.aicc;
    out->bic = mdl.bic;
    out->sigma2 = mdl.sigma2;
    hz__arima_diagnostics(&mdl, y, out);
done:
    free(se);
    hz_arima_model_free(&mdl);
    return st;
}

void hz__arima_diagnostics(const hz_arima_model *mdl, const double *y,
                           hz_forecast *out)
{
    static const char *const pre[4] = {"ar", "ma", "sar", "sma"};
    const hz_arima_spec *s = &mdl->spec;
    int cnt[4] = {s->p, s->q, s->m > 1 ? s->P : 0, s->m > 1 ? s->Q : 0};
    int k = 0, len = 0;
    out->params[0] = '\0';
    for (int g = 0; g < 4; g++)
        for (int i = 1; i <= cnt[g] && k < mdl->ncoef; i++, k++)
            if (len < (int)sizeof out->params)
                len += snprintf(
                    out->params + len, sizeof out->params - (size_t)len,
                    "%s%s%d=%.4g", len ? " " : "", pre[g], i, mdl->coef[k]);
    if ((mdl->has_mean || mdl->has_drift) && k < mdl->ncoef &&
        len < (int)sizeof out->params)
        snprintf(out->params + len, sizeof out->params - (size_t)len,
                 "%s%s=%.4g", len ? " " : "",
                 mdl->has_drift ? "drift" : "mean", mdl->coef[k]);
    /* R's fitted(): the series minus its (standardized) innovations */
    for (size_t t = 0; out->fitted != NULL && out->fitted_cap >= mdl->n &&
                       mdl->resid != NULL && t < mdl->n;
         t++)
        out->fitted[t] = mdl->constant_series ? mdl->last_y
                                              : y[t] - mdl->resid[t];
}
