/* Horizon forecasting: the result type shared by every model, and the
 * model-independent entry point.
 *
 * Each model is a module with the same shape (engine/MODEL.c +
 * include/horizon/MODEL.h):
 *
 *   hz_status hz_MODEL_forecast(const double *y, size_t n, int period,
 *                               const hz_MODEL_opts *opts,
 *                               hz_forecast *out, hz_error *err);
 *
 * which fits the model to y[0..n) (no NaN), and fills out->mean[0..h) and
 * the interval bounds for each level in out (h and levels are set by
 * hz_forecast_alloc).  Functions are re-entrant: no global mutable state,
 * so series can be forecast in parallel. */
#ifndef HORIZON_FORECAST_H
#define HORIZON_FORECAST_H

#include <stddef.h>
#include <stdint.h>

#include "horizon/common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define HZ_FC_MAX_LEVELS 4

typedef struct hz_forecast {
    size_t h;                          /* steps ahead */
    double *mean;                      /* [h] point forecasts */
    size_t nlevels;
    double levels[HZ_FC_MAX_LEVELS];   /* coverage in percent, e.g. 80, 95 */
    double *lower[HZ_FC_MAX_LEVELS];   /* [h] each */
    double *upper[HZ_FC_MAX_LEVELS];   /* [h] each */
    char method[64];     /* e.g. "ETS(M,Ad,M)", "Theta", "ARIMA(0,1,1)(0,1,1)[12]" */
    char note[192];      /* why a fallback was used; empty otherwise */
    double loglik, aic, aicc, bic; /* NAN where undefined */
    double sigma2;                 /* innovation variance (model scale) */
} hz_forecast;

/* Allocate a forecast for h steps with nlevels interval levels (percent,
 * 0 < level < 100).  Returns NULL on ENOMEM or bad arguments. */
hz_forecast *hz_forecast_alloc(size_t h, size_t nlevels,
                               const double *levels);
void hz_forecast_free(hz_forecast *f);  /* NULL allowed */
/* Reset method/note/criteria and fill the arrays with NAN. */
void hz_forecast_reset(hz_forecast *f);

#ifdef __cplusplus
}
#endif
#endif
