/* Dynamic harmonic regression: Fourier terms of every seasonal period
 * (forecast::fourier) with ARIMA errors, for long or non-integer periods
 * (52.18 weeks, 365.25 days, 168 hours) that seasonal ARIMA and ETS cannot
 * take.
 *
 * Estimated in two steps (R's auto.arima(y, xreg = fourier(y, K),
 * seasonal = FALSE) estimates them jointly by maximum likelihood):
 *   1. K (Fourier pairs per period, at most min(period / 2, kmax)) by the
 *      AICc of the least-squares regression of y on the terms, one period
 *      at a time;
 *   2. the differencing d by the KPSS test on the regression residuals
 *      (as auto.arima with xreg), the Fourier coefficients by least
 *      squares on the d-times differenced series (R's starting values),
 *      then a non-seasonal auto.arima (d fixed, p and q at most 3: as
 *      accurate on our daily and hourly benchmarks as up to 5, and 3x
 *      faster) on y minus the Fourier part.
 * Forecasts add the Fourier part at the future times to the ARIMA
 * forecast; the intervals are the ARIMA ones (as R, coefficient
 * uncertainty ignored). */
#ifndef HORIZON_DHR_H
#define HORIZON_DHR_H

#include <stddef.h>

#include "horizon/common.h"
#include "horizon/forecast.h"
#include "horizon/series.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum hz_dhr_errors {
    HZ_DHR_ARIMA = 0, /* ARIMA errors (default) */
    HZ_DHR_THETA      /* Theta on y minus the Fourier part: a harmonic
                         seasonal adjustment, 10-50x faster */
} hz_dhr_errors;

typedef struct hz_dhr_opts {
    int K[HZ_MAX_SEASONS]; /* Fourier pairs per period; -1: chosen */
    int kmax;              /* largest K tried (default 10) */
    int errors;            /* hz_dhr_errors */
    /* 1: fit log(y) when every value is positive and Guerrero's rule (R's
     * BoxCox.lambda(method = "guerrero") between lambda 0 and 1, on the
     * last whole cycles of the longest period) finds the seasons' size
     * growing with the level.  Bounds are exp'd, the mean bias-adjusted
     * as forecast::InvBoxCox(biasadj = TRUE) at lambda 0: exp(x) (1 + v /
     * 2), v the step's forecast variance; criteria on y's scale; method
     * "... (log)".  Default 0. */
    int log;
} hz_dhr_opts;

HZ_API void hz_dhr_opts_init(hz_dhr_opts *o);

/* Fourier terms of forecast::fourier for times t0+1 .. t0+n into X
 * (column-major, ld >= n), columns sin(2 pi k t / p), cos(2 pi k t / p)
 * for k = 1..K[i] of each period, duplicates (k / p equal) and all-zero
 * sine columns left out.  Harmonic 1 is computed from the exactly reduced
 * angle, harmonics k > 1 from it by angle addition: as accurate as one
 * sincos per harmonic (both carry the rounding of k / p times t; the
 * largest error against long-double sin and cos for t <= 20,000 and K =
 * 10: 6e-12 this way, 8e-12 with one sincos per harmonic).  Returns the number of columns (at most 2 * sum K). */
HZ_API size_t hz_fourier(const double *period, const int *K, size_t np,
                         size_t t0, size_t n, double *X, size_t ld);

/* Forecast y[0..n) (finite) with the periods of s that are shorter than
 * the series.  out->method e.g. "DHR(K=5,3)+ARIMA(1,1,1)". */
HZ_API hz_status hz_dhr_forecast(const double *y, size_t n,
                                 const hz_seasons *s, const hz_dhr_opts *o,
                                 hz_forecast *out, hz_error *err);

#ifdef __cplusplus
}
#endif
#endif
