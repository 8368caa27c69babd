/* Internal: R's BFGS minimiser (vmmin) as optim(method = "BFGS") runs it
 * without an analytic gradient; used by ARIMA. */
#ifndef HZ_NUMERIC_VMMIN_H
#define HZ_NUMERIC_VMMIN_H

/* Most parameters hz__vmmin accepts. */
#define HZ_VMMIN_MAXN 16

typedef double (*hz__objfn)(const double *x, void *ctx);

/* The problem: objective f(x, ctx) in true coordinates, n parameters,
 * optimised in scaled coordinates x / ps (optim's parscale). */
typedef struct hz__optim {
    hz__objfn f;
    void *ctx;
    int n;
    double ps[HZ_VMMIN_MAXN]; /* parscale */
    double xt[HZ_VMMIN_MAXN]; /* true-scale point (scratch) */
    double xg[HZ_VMMIN_MAXN]; /* gradient scratch */
    int fncount;              /* objective evaluations so far */
} hz__optim;

/* Minimise from b (scaled coordinates, overwritten with the optimum, *fmin
 * its value) with R's vmmin: central-difference gradients (step 1e-3 in
 * scaled coordinates), reltol sqrt(DBL_EPSILON), at most maxit
 * iterations.  Returns 0, or -1 when the start value or a gradient is not
 * finite (R stops there); *fail = 1 when maxit was reached. */
int hz__vmmin(hz__optim *o, double *b, double *fmin, int maxit, int *fail);

/* optim's numerical Hessian at x (true scale) into H (n x n, row-major,
 * symmetrised), from central differences of the gradient.  Returns 0, or
 * -1 when a gradient is not finite. */
int hz__optim_hessian(hz__optim *o, const double *x, double *H);

#endif
