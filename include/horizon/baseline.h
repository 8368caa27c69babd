/* Benchmark forecasters: naive, seasonal naive, drift (random walk with
 * drift) and the M4 "Naive2" (naive on the seasonally adjusted series).
 * Intervals follow R's forecast::rwf/naive/snaive. */
#ifndef HORIZON_BASELINE_H
#define HORIZON_BASELINE_H

#include <stddef.h>

#include "horizon/common.h"
#include "horizon/forecast.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Last value repeated; se_h = sigma sqrt(h), sigma^2 = mean of squared
 * first differences.  Needs n >= 1 (n == 1: no intervals, NaN). */
HZ_API hz_status hz_naive_forecast(const double *y, size_t n, int period,
                                   hz_forecast *out, hz_error *err);
/* Last season repeated; se_h = sigma sqrt(floor((h-1)/m)+1), sigma^2 =
 * mean of squared lag-m differences.  Needs n >= period >= 2. */
HZ_API hz_status hz_snaive_forecast(const double *y, size_t n, int period,
                                    hz_forecast *out, hz_error *err);
/* Random walk with drift b = (y_n - y_1)/(n-1); se_h = sqrt(sigma^2 h +
 * (h se_b)^2) with sigma the residual sd of the differences.  n >= 2. */
HZ_API hz_status hz_drift_forecast(const double *y, size_t n, int period,
                                   hz_forecast *out, hz_error *err);
/* M4 Naive2: classical multiplicative seasonal adjustment when
 * n >= 3 period and the 90% ACF test passes, naive forecast of the
 * adjusted series, re-seasonalised (intervals scaled the same way). */
HZ_API hz_status hz_naive2_forecast(const double *y, size_t n, int period,
                                    hz_forecast *out, hz_error *err);

#ifdef __cplusplus
}
#endif
#endif
