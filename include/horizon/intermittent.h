/* Intermittent demand (many zero periods: spare parts, long-tail SKUs).
 *
 *   Croston  forecast::croston (8.20): SES (alpha 0.1, first value as
 *            start) of the non-zero demands over SES of the intervals
 *            between them; the same numbers as R.
 *   SBA      Syntetos-Boylan approximation: Croston x (1 - alpha / 2).
 *   TSB      Teunter, Syntetos & Babai (2011): SES of the demand
 *            probability every period (alpha_p) times SES of the demand
 *            sizes (alpha_d); follows obsolescence.
 *   ADIDA    Nikolopoulos et al. (2011): sums over non-overlapping buckets
 *            of round(mean interval) periods (from the end), SES with
 *            alpha chosen in [0.1, 0.3] by in-sample squared error,
 *            spread evenly over the bucket.
 *   IMAPA    Petropoulos & Kourentzes (2015): the mean of the ADIDA
 *            forecasts at every aggregation level 1 .. round(mean
 *            interval).
 *
 * Forecasts are flat rates per period and never negative.  Interval
 * bounds are quantiles of the per-period demand distribution implied by
 * the forecast: zero with probability 1 - p, otherwise a demand size drawn
 * from the observed non-zero demands, where p is the method's demand
 * probability (the rate over the mean size), so bounds are never negative
 * either.  Negative data are refused. */
#ifndef HORIZON_INTERMITTENT_H
#define HORIZON_INTERMITTENT_H

#include <stddef.h>

#include "horizon/common.h"
#include "horizon/forecast.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum hz_idemand_method {
    HZ_ID_CROSTON = 0,
    HZ_ID_SBA,
    HZ_ID_TSB,
    HZ_ID_ADIDA,
    HZ_ID_IMAPA
} hz_idemand_method;

typedef struct hz_idemand_opts {
    int method;     /* hz_idemand_method */
    double alpha;   /* Croston / SBA smoothing (0.1, as R) */
    double alpha_d; /* TSB demand-size smoothing (0.1) */
    double alpha_p; /* TSB probability smoothing (0.1) */
} hz_idemand_opts;

HZ_API void hz_idemand_opts_init(hz_idemand_opts *o);

/* Syntetos-Boylan-Croston classes from the average inter-demand interval
 * (ADI, cut-off 1.32) and the squared coefficient of variation of the
 * non-zero demand sizes (CV^2, cut-off 0.49). */
typedef enum hz_demand_class {
    HZ_DEMAND_SMOOTH = 0,   /* ADI < 1.32, CV^2 < 0.49 */
    HZ_DEMAND_ERRATIC,      /* ADI < 1.32, CV^2 >= 0.49 */
    HZ_DEMAND_INTERMITTENT, /* ADI >= 1.32, CV^2 < 0.49 */
    HZ_DEMAND_LUMPY         /* ADI >= 1.32, CV^2 >= 0.49 */
} hz_demand_class;

#define HZ_SBC_ADI 1.32
#define HZ_SBC_CV2 0.49

/* ADI = the mean interval between demands as R's croston counts them
 * (from the start of the series to the first demand, then between
 * demands), CV^2 with the sample standard deviation (0 with one demand).  Returns the class; with no
 * demand at all, HZ_DEMAND_INTERMITTENT and *adi = INFINITY.  adi, cv2 may
 * be NULL.  y must be >= 0. */
HZ_API hz_demand_class hz_demand_classify(const double *y, size_t n,
                                          double *adi, double *cv2);
HZ_API const char *hz_demand_class_name(hz_demand_class c); /* "lumpy", ... */

/* Forecast y[0..n) (>= 0, finite) into out; out->method names the
 * method, e.g. "Croston(0.1)", "ADIDA(3)". */
HZ_API hz_status hz_idemand_forecast(const double *y, size_t n,
                                     const hz_idemand_opts *o,
                                     hz_forecast *out, hz_error *err);

#ifdef __cplusplus
}
#endif
#endif
