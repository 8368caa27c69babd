/* MSTL: seasonal-trend decomposition by loess for several seasonal periods
 * (forecast::mstl, 8.20) and forecasts from it (forecast::stlf): each
 * seasonal component is forecast by its last cycle, the seasonally
 * adjusted series (trend + remainder) by ETS(Z,Z,N), ARIMA (non-seasonal
 * auto.arima), Theta or a random walk.
 *
 * Seasonal periods of at least half the series length are dropped (as R);
 * non-integer periods (52.18, 365.25) use the integer cycle
 * as.integer(period) and loess windows computed from the period itself,
 * as R's stl does for ts(x, frequency = period). */
#ifndef HORIZON_MSTL_H
#define HORIZON_MSTL_H

#include <stddef.h>
#include <stdint.h>

#include "horizon/common.h"
#include "horizon/ets.h"
#include "horizon/forecast.h"
#include "horizon/series.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum hz_mstl_method {
    HZ_MSTL_ETS = 0, /* ets(model = "ZZN"): stlf's default */
    HZ_MSTL_ARIMA,   /* auto.arima(seasonal = FALSE) */
    HZ_MSTL_THETA,   /* thetaf without seasonal adjustment */
    HZ_MSTL_NAIVE,   /* rwf */
    HZ_MSTL_DRIFT    /* rwf(drift = TRUE) */
} hz_mstl_method;

typedef struct hz_mstl_opts {
    int method;  /* hz_mstl_method (default ETS) */
    int iterate; /* 0: 1 with one season (R's mstl on a ts), 2 with
                    several (on an msts) */
    int s_window[HZ_MAX_SEASONS]; /* 0: R's 7 + 4 i for season i = 1.. */
    int ets_maxit;                /* 0: 2000 (R) */
    uint64_t seed;
    /* 1: decompose and forecast log(y) when every value is positive and
     * Guerrero's rule finds the seasons growing with the level (as
     * hz_dhr_opts.log).  Default 0 (R's stlf without lambda). */
    int log;
} hz_mstl_opts;

HZ_API void hz_mstl_opts_init(hz_mstl_opts *o);

/* A decomposition y = trend + sum seasonal[i] + remainder. */
typedef struct hz_mstl {
    size_t n;
    size_t nseasons;                  /* periods kept (< n / 2) */
    double period[HZ_MAX_SEASONS];    /* ascending */
    double *trend;                    /* [n] */
    double *seasonal[HZ_MAX_SEASONS]; /* [n] each */
    double *remainder;                /* [n] */
} hz_mstl;

/* Decompose y[0..n) (finite) for the periods in s.  HZ_ETOOSHORT when no
 * period is below n / 2. */
HZ_API hz_status hz_mstl_decompose(const double *y, size_t n,
                                   const hz_seasons *s, const hz_mstl_opts *o,
                                   hz_mstl *out, hz_error *err);
HZ_API void hz_mstl_free(hz_mstl *d); /* NULL allowed */

/* stlf: decompose, forecast the adjusted series with o->method and add
 * the last cycle of each seasonal component to the point forecasts and
 * the interval bounds.  w: ETS workspace (NULL: allocated here).
 * out->method e.g. "MSTL(24,168)+ETS(A,Ad,N)". */
HZ_API hz_status hz_mstl_forecast(const double *y, size_t n,
                                  const hz_seasons *s, const hz_mstl_opts *o,
                                  hz_ets_workspace *w, hz_forecast *out,
                                  hz_error *err);

#ifdef __cplusplus
}
#endif
#endif
