/* Variable-metric (BFGS) minimiser: R's vmmin (src/appl/optim.c) with
 * optim's central-difference gradients and numerical Hessian, used by
 * ARIMA (see numeric/vmmin.h). */
#include <math.h>

#include "numeric/vmmin.h"

static double fs(hz__optim *o, const double *xs)
{
    for (int i = 0; i < o->n; i++)
        o->xt[i] = xs[i] * o->ps[i];
    o->fncount++;
    return o->f(o->xt, o->ctx);
}

/* gradient in scaled coordinates; -1 if not finite (R stops there) */
static int grad(hz__optim *o, const double *xs, double *g)
{
    const double eps = 1e-3;
    for (int i = 0; i < o->n; i++)
        o->xg[i] = xs[i];
    for (int i = 0; i < o->n; i++) {
        o->xg[i] = xs[i] + eps;
        double v1 = fs(o, o->xg);
        o->xg[i] = xs[i] - eps;
        double v2 = fs(o, o->xg);
        g[i] = (v1 - v2) / (2.0 * eps);
        if (!isfinite(g[i]))
            return -1;
        o->xg[i] = xs[i];
    }
    return 0;
}

/* Minimise from b (scaled coordinates, overwritten).  Returns 0 ok,
 * -1 error (non-finite start or gradient); *fail = 1 when maxit hit. */
int hz__vmmin(hz__optim *o, double *b, double *fmin, int maxit, int *fail)
{
    const double reltol = 1.490116119384765625e-8; /* sqrt(DBL_EPSILON) */
    int n = o->n;
    double g[HZ_VMMIN_MAXN], t[HZ_VMMIN_MAXN], X[HZ_VMMIN_MAXN],
        c[HZ_VMMIN_MAXN], B[HZ_VMMIN_MAXN * HZ_VMMIN_MAXN];
    int count = 0, funcount, gradcount, ilast, iter = 0;
    double f;

    if (maxit <= 0) {
        *fail = 0;
        *fmin = fs(o, b);
        return 0;
    }
    f = fs(o, b);
    if (!isfinite(f))
        return -1;
    *fmin = f;
    funcount = gradcount = 1;
    if (grad(o, b, g) != 0)
        return -1;
    iter++;
    ilast = gradcount;
    do {
        if (ilast == gradcount)
            for (int i = 0; i < n; i++)
                for (int j = 0; j <= i; j++)
                    B[i * HZ_VMMIN_MAXN + j] = (i == j) ? 1.0 : 0.0;
        for (int i = 0; i < n; i++) {
            X[i] = b[i];
            c[i] = g[i];
        }
        double gradproj = 0.0;
        for (int i = 0; i < n; i++) {
            double s = 0.0;
            for (int j = 0; j <= i; j++)
                s -= B[i * HZ_VMMIN_MAXN + j] * g[j];
            for (int j = i + 1; j < n; j++)
                s -= B[j * HZ_VMMIN_MAXN + i] * g[j];
            t[i] = s;
            gradproj += s * g[i];
        }
        if (gradproj < 0.0) {
            double steplength = 1.0;
            int accpoint = 0;
            do {
                count = 0;
                for (int i = 0; i < n; i++) {
                    b[i] = X[i] + steplength * t[i];
                    if (10.0 + X[i] == 10.0 + b[i])
                        count++;
                }
                if (count < n) {
                    f = fs(o, b);
                    funcount++;
                    accpoint = isfinite(f) &&
                               (f <= *fmin + gradproj * steplength * 1e-4);
                    if (!accpoint)
                        steplength *= 0.2;
                }
            } while (!(count == n || accpoint));
            int enough = fabs(f - *fmin) > reltol * (fabs(*fmin) + reltol);
            if (!enough) {
                count = n;
                *fmin = f;
            }
            if (count < n) {
                *fmin = f;
                if (grad(o, b, g) != 0)
                    return -1;
                gradcount++;
                iter++;
                double D1 = 0.0;
                for (int i = 0; i < n; i++) {
                    t[i] = steplength * t[i];
                    c[i] = g[i] - c[i];
                    D1 += t[i] * c[i];
                }
                if (D1 > 0) {
                    double D2 = 0.0;
                    for (int i = 0; i < n; i++) {
                        double s = 0.0;
                        for (int j = 0; j <= i; j++)
                            s += B[i * HZ_VMMIN_MAXN + j] * c[j];
                        for (int j = i + 1; j < n; j++)
                            s += B[j * HZ_VMMIN_MAXN + i] * c[j];
                        X[i] = s;
                        D2 += s * c[i];
                    }
                    D2 = 1.0 + D2 / D1;
                    for (int i = 0; i < n; i++)
                        for (int j = 0; j <= i; j++)
                            B[i * HZ_VMMIN_MAXN + j] += (D2 * t[i] * t[j] -
                                                         X[i] * t[j] -
                                                         t[i] * X[j]) /
                                                        D1;
                } else {
                    ilast = gradcount;
                }
            } else {
                if (ilast < gradcount) {
                    count = 0;
                    ilast = gradcount;
                }
            }
        } else {
            count = 0;
            if (ilast == gradcount)
                count = n;
            else
                ilast = gradcount;
        }
        if (iter >= maxit)
            break;
        if (gradcount - ilast > 2 * n)
            ilast = gradcount;
    } while (count != n || ilast != gradcount);
    (void)funcount;
    *fail = (iter < maxit) ? 0 : 1;
    return 0;
}

/* optim's numerical Hessian (true scale) at x (true scale). */
int hz__optim_hessian(hz__optim *o, const double *x, double *H)
{
    int n = o->n;
    double dpar[HZ_VMMIN_MAXN], df1[HZ_VMMIN_MAXN], df2[HZ_VMMIN_MAXN];
    const double ndeps = 1e-3;
    for (int i = 0; i < n; i++)
        dpar[i] = x[i] / o->ps[i];
    for (int i = 0; i < n; i++) {
        double eps = ndeps / o->ps[i];
        dpar[i] += eps;
        if (grad(o, dpar, df1) != 0)
            return -1;
        dpar[i] -= 2 * eps;
        if (grad(o, dpar, df2) != 0)
            return -1;
        for (int j = 0; j < n; j++)
            H[i * n + j] = (df1[j] - df2[j]) / (2 * eps * o->ps[i] * o->ps[j]);
        dpar[i] += eps;
    }
    for (int i = 0; i < n; i++)
        for (int j = 0; j < i; j++) {
            double v = 0.5 * (H[i * n + j] + H[j * n + i]);
            H[i * n + j] = H[j * n + i] = v;
        }
    return 0;
}
