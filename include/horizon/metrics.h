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
/* Fraction of steps with lo <= y <= hi. */
HZ_API double hz_coverage(const double *y, const double *lo, const double *hi,
                          size_t h);
HZ_API double hz_owa(double smape, double mase, double smape_naive2,
                     double mase_naive2);
/* Mean absolute error, root mean squared error. */
HZ_API double hz_mae(const double *y, const double *f, size_t h);
HZ_API double hz_rmse(const double *y, const double *f, size_t h);

#ifdef __cplusplus
}
#endif
#endif
