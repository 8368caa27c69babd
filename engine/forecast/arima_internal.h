/* Internals shared by engine/forecast/arima.c, engine/forecast/kalman.c and the tests. */
#ifndef HZ_ARIMA_INTERNAL_H
#define HZ_ARIMA_INTERNAL_H

#include <stddef.h>

#include "horizon/arima.h"

/* out->params ("ar1=0.52 ma1=-0.31 drift=1.2") and, when the caller
 * gave room, out->fitted (y minus the innovations, as R's fitted())
 * from a fitted model of y. */
void hz__arima_diagnostics(const hz_arima_model *mdl, const double *y,
                           hz_forecast *out);

/* Doubles of scratch needed by hz__arma_q0 / hz__arma_like for an ARMA
 * state of dimension r (r = max(p, q + 1)). */
size_t hz__arma_work_size(int r);

/* Stationary covariance P0 (r x r, column-major) of the ARMA state
 * x_t = T x_{t-1} + R e_t (Harvey form used by R's arima, unit innovation
 * variance): the solution of P = T P T' + R R' (Gardner et al. 1980),
 * computed from the ARMA autocovariances.  phi[p], theta[q].  Returns 0,
 * or -1 when the AR part is not stationary (singular system). */
int hz__arma_q0(const double *phi, int p, const double *theta, int q,
                double *P0, double *work);

/* Exact Gaussian likelihood pieces of a zero-mean stationary ARMA for
 * w[0..n) by the Kalman filter started at the stationary covariance:
 * ssq = sum v_t^2 / F_t, sumlog = sum log F_t, nu = number of terms
 * (observations with F_t >= 1e4 are skipped, as R does).  Uses the
 * Chandrasekhar recursions (O(r) per observation) and stops updating the
 * gain once the rank-one covariance change vanishes.  Returns 0, or -1 if
 * the AR part is not stationary or a variance is not positive. */
int hz__arma_like(const double *w, size_t n, const double *phi, int p,
                  const double *theta, int q, double *work, double *ssq,
                  double *sumlog, int *nu);

/* R's ARIMA_Like with a diffuse prior (kappa) on the differencing states,
 * used once for the final model: filters y[0..n), leaves the filtered
 * state a[rd] and covariance P[rd*rd], writes standardized residuals
 * resid[n] (may be NULL) and ssq/sumlog/nu.  work: hz__arima_ss_work(rd)
 * doubles. */
size_t hz__arima_ss_work(int rd, int r);
int hz__arima_ss_filter(const double *y, size_t n, const double *phi, int p,
                        const double *theta, int q, const double *delta,
                        int nd, double kappa, double *a, double *P,
                        double *resid, double *ssq, double *sumlog, int *nu,
                        double *work);

/* KalmanForecast: h steps from state a, P (not modified). mean[h], var[h]
 * in units of sigma^2. work: 3*rd*rd + 2*rd doubles. */
void hz__arima_ss_forecast(int h, const double *phi, int p,
                           const double *theta, int q, const double *delta,
                           int nd, const double *a, const double *P,
                           double *mean, double *var, double *work);

/* Solve A x = b in place (A: N x N column-major, destroyed; b becomes x)
 * by Gaussian elimination with partial pivoting; -1 when singular. */
int hz__solve_small(double *A, double *b, int N);

#endif
