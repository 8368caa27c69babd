/* The classical Theta method (Assimakopoulos & Nikolopoulos 2000) as
 * implemented by R's forecast::thetaf and the M3/M4 benchmarks: SES with
 * drift equal to half the linear-trend slope, applied to the series
 * seasonally adjusted by classical multiplicative decomposition when the
 * 90% ACF test at lag m says the series is seasonal. */
#ifndef HORIZON_THETA_H
#define HORIZON_THETA_H

#include <stdbool.h>
#include <stddef.h>

#include "horizon/common.h"
#include "horizon/forecast.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hz_theta_opts {
    bool clip_negative; /* set negative forecasts to 0 (M4), default no */
    bool force_nonseasonal;
} hz_theta_opts;

HZ_API void hz_theta_opts_init(hz_theta_opts *o);

/* Details of a fit, for tests. */
typedef struct hz_theta_info {
    bool seasonal; /* seasonal adjustment applied */
    double alpha;  /* SES smoothing parameter */
    double drift;  /* half the slope of the linear trend */
    double level;  /* final SES level */
    double sigma2; /* SES residual variance */
} hz_theta_info;

/* Forecast y[0..n) (n >= 3) with period (<= 1: non-seasonal); info may
 * be NULL.  Intervals as thetaf: mean +- z sigma sqrt(1 + (h-1) alpha^2). */
HZ_API hz_status hz_theta_forecast(const double *y, size_t n, int period,
                                   const hz_theta_opts *opts, hz_forecast *out,
                                   hz_theta_info *info, hz_error *err);

#ifdef __cplusplus
}
#endif
#endif
