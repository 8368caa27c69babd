/* Internals shared by the forecasting modules (engine/ only). */
#ifndef HZ_FC_INTERNAL_H
#define HZ_FC_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

/* Classical decomposition (R's decompose()) of x[0..n) with period m:
 * writes the seasonal component (figure repeated from x[0]) into
 * seasonal[0..n).  mult != 0 for the multiplicative type.  Needs
 * n >= 2 * m; returns -1 when a position has no defined ratio. */
int hz__decompose(const double *x, size_t n, int m, int mult,
                  double *seasonal);

/* Sample autocorrelations r[1..maxlag] of x (R's acf), r[0] = 1. */
void hz__acf(const double *x, size_t n, int maxlag, double *r);

/* The 90% ACF seasonality test at lag m used by the M4 benchmarks and
 * forecast::thetaf: |r_m| > 1.645 sqrt((1 + 2 sum_{k<m} r_k^2) / n).
 * Returns 0 when n is too short (min_n), the series constant or m < 2. */
int hz__seasonality_test(const double *x, size_t n, int m, size_t min_n);

/* Least squares of y on (1, t) for t = t0 .. t0+n-1: intercept, slope. */
void hz__linfit(const double *y, size_t n, double t0, double *a, double *b);

/* Standard normal quantile. */
double hz__qnorm(double p);

/* FNV-1a hash of data[0..len) mixed with h (per-series seeds). */
uint64_t hz__hash64(const void *data, size_t len, uint64_t h);

#endif
