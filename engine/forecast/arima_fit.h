/* Internal: fitting one ARIMA model, shared by engine/forecast/arima.c
 * (stats::arima) and engine/forecast/arima_auto.c (the order search of
 * forecast::auto.arima). */
#ifndef HZ_ARIMA_FIT_H
#define HZ_ARIMA_FIT_H

#include <stddef.h>

#include "horizon/arima.h"

/* Scratch for fitting models to one series x[0..n). */
typedef struct hz__arima_ws {
    const double *x;
    size_t n;
    int m;
    int rmax;
    double *dx, *dxr, *xr, *wv, *cres, *phi, *theta, *kw, *uw;
    void (*trace)(void *ctx, const char *model, double ic);
    void *trace_ctx;
} hz__arima_ws;

/* Allocate w for x[0..n), period m and ARMA state dimension up to rmax;
 * -1 on ENOMEM (w then needs no free). */
int hz__arima_ws_alloc(hz__arima_ws *w, const double *x, size_t n, int m,
                       int rmax);
void hz__arima_ws_free(hz__arima_ws *w);

/* One fitted candidate. */
typedef struct hz__arima_fitres {
    hz_arima_spec spec;
    int ok;
    int ncoef, nfree, xkind; /* xkind 0 none, 1 mean, 2 drift */
    int mask[HZ_ARIMA_MAXCOEF];
    double coef[HZ_ARIMA_MAXCOEF]; /* final (untransformed) coefficients */
    double raw[HZ_ARIMA_MAXCOEF];  /* optimiser coordinates at the optimum */
    int trans;                     /* raw is in transformed space */
    double ps[HZ_ARIMA_MAXCOEF];
    double value;  /* objective at optimum */
    double sigma2; /* arima's sigma2 (CSS: css value) */
    double loglik, aic, bic, aicc, ic;
    int converged;
    int hess_checked;
} hz__arima_fitres;

/* Fit one model like stats::arima.  Returns 0 and fills fr, or -1 when R
 * would stop with an error (fr->ok = 0). */
int hz__arima_fit_core(hz__arima_ws *w, const hz_arima_spec *spec,
                       hz__arima_fitres *fr);

/* forecast's myarima(): fit, criteria (ic 0 aicc, 1 aic, 2 bic; offset for
 * CSS fits), root checks and, unless lazy_hess, the Hessian check; a
 * rejected model gets fr->ic = INFINITY. */
void hz__arima_try(hz__arima_ws *w, const hz_arima_spec *spec, double offset,
                   int ic, int lazy_hess, hz__arima_fitres *fr);

/* Apply a deferred Hessian check; returns the (possibly infinite) ic. */
double hz__arima_settle(hz__arima_ws *w, hz__arima_fitres *fr);

/* The final model from a fit: diffuse Kalman filter over x[0..n) for the
 * forecast state, residuals and sigma^2. */
hz_status hz__arima_finalize(const double *x, size_t n,
                             const hz__arima_fitres *fr, hz_arima_model *out,
                             hz_error *err);

/* Difference v[0..n) into out (may alias v): d lag-1 and D lag-m
 * differences.  Returns the new length. */
size_t hz__arima_diff(const double *v, size_t n, int d, int D, int m,
                      double *out);

/* ARMA state dimension max(p + mP, q + mQ + 1). */
int hz__arima_rmax(int p, int q, int P, int Q, int m);

/* HZ_EINVAL naming the first non-finite value of y, else HZ_OK. */
hz_status hz__arima_check_input(const double *y, size_t n, hz_error *err);

#endif
