/* Forecast accuracy measures exactly as in the M4 competition.
 *
 *   sMAPE = mean_h 200 |y - f| / (|y| + |f|)            (percent)
 *   MASE  = mean_h |y - f| / scale,
 *           scale = mean_{t=m+1..n} |Y_t - Y_{t-m}| on the training data
 *   OWA   = (sMAPE / sMAPE_Naive2 + MASE / MASE_Naive2) / 2, on averages
 *           over the whole set (not per-series ratios). */
#ifndef HORIZON_METRICS_H
#define HORIZON_METRICS_H

#include <stddef.h>

#include "horizon/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* sMAPE in percent; a step where |y| + |f| == 0 counts as 0 (the M4 code
 * would produce NaN). */
HZ_API double hz_smape(const double *y, const double *f, size_t h);
/* MASE scale of the training data; when n <= m the lag falls back to 1
 * (as the M4 R code).  NaN when it cannot be computed. */
HZ_API double hz_mase_scale(const double *train, size_t n, int m);
HZ_API double hz_mase(const double *train, size_t n, int m, const double *y,
                      const double *f, size_t h);
/* Fraction of steps with lo <= y <= hi; NaN when a bound is NaN (a
 * forecast without intervals there, such as a seasonal naive trained on
 * one season: undefined, not a miss). */
HZ_API double hz_coverage(const double *y, const double *lo, const double *hi,
                          size_t h);
HZ_API double hz_owa(double smape, double mase, double smape_naive2,
                     double mase_naive2);
/* RMSSE (M5): sqrt(mean_h (y - f)^2 / mean_t (Y_t - Y_{t-1})^2) over the
 * training data; NaN when the scale is 0 or undefined. */
HZ_API double hz_rmsse(const double *train, size_t n, const double *y,
                       const double *f, size_t h);
/* MSIS (M4) of the (1 - alpha) interval [lo, hi]:
 * mean_h [(hi - lo) + 2/alpha (lo - y) 1{y < lo} + 2/alpha (y - hi)
 * 1{y > hi}] / hz_mase_scale(train, n, m); NaN when a bound is NaN. */
HZ_API double hz_msis(const double *train, size_t n, int m, const double *y,
                      const double *lo, const double *hi, size_t h,
                      double alpha);
/* Pinball loss of quantile forecasts q at level tau, mean over h; NaN
 * when a quantile is NaN. */
HZ_API double hz_pinball(const double *y, const double *q, size_t h,
                         double tau);
/* Scaled pinball loss (M5 SPL): the mean over the nq quantile forecasts
 * q[j][0..h) (levels tau[j]) of their pinball loss divided by
 * mean_t |Y_t - Y_{t-1}| of the training data; NaN when a quantile is
 * NaN (bounds of a forecast without intervals). */
HZ_API double hz_spl(const double *train, size_t n, const double *y,
                     const double *const *q, const double *tau, size_t nq,
                     size_t h);

/* Mean absolute error, root mean squared error. */
HZ_API double hz_mae(const double *y, const double *f, size_t h);
HZ_API double hz_rmse(const double *y, const double *f, size_t h);

#ifdef __cplusplus
}
#endif
#endif
