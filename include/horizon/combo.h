/* Forecast combinations and per-series model selection.
 *
 * A combination fits each member model (default ETS, ARIMA and Theta)
 * to the same series and combines the point forecasts with equal weights
 * (mean) or by the median.  Combined interval bounds are the same
 * combination (mean or median) of the members' bounds at each step and
 * level -- a simple, documented choice: it keeps the bounds ordered and
 * is exact when members agree; it does not model the correlation of the
 * members' errors.
 *
 * hz_select_forecast chooses per series among the single models and the
 * combinations by rolling-origin validation on the series itself (the
 * caller passes training data only), then refits the winner on all of y.
 * To keep the cost near one fit per model, ARIMA's orders and the ETS
 * form are chosen once on all of y and only re-estimated at each origin.
 * Ties and series too short to validate get the equal-weight mean of
 * ETS, ARIMA and Theta; opts.margin can make that mean sticky. */
#ifndef HORIZON_COMBO_H
#define HORIZON_COMBO_H

#include <stddef.h>
#include <stdint.h>

#include "horizon/common.h"
#include "horizon/forecast.h"

#ifdef __cplusplus
extern "C" {
#endif

#define HZ_COMBO_MAX 4

typedef enum hz_combo_kind {
    HZ_COMBO_MEAN = 0,
    HZ_COMBO_MEDIAN = 1
} hz_combo_kind;

typedef struct hz_combo_opts {
    int members[HZ_COMBO_MAX]; /* hz_fc_model ids (ETS, ARIMA, THETA,
                                  NAIVE, SNAIVE, DRIFT, NAIVE2) */
    size_t nmembers;           /* default 3: ETS, ARIMA, THETA */
    int kind;                  /* hz_combo_kind, default mean */
    uint64_t seed;
} hz_combo_opts;

HZ_API void hz_combo_opts_init(hz_combo_opts *o);

/* Combine the members' forecasts of y[0..n).  Members that fail or give
 * non-finite forecasts are left out (named in out->note); fails only
 * when no member works.  w: per-thread workspace (NULL allowed). */
HZ_API hz_status hz_combo_forecast(const double *y, size_t n, int period,
                                   const hz_combo_opts *opts,
                                   hz_fc_workspace *w, hz_forecast *out,
                                   hz_error *err);

/* Candidates of hz_select_forecast. */
typedef enum hz_select_cand {
    HZ_SEL_ETS = 0,
    HZ_SEL_ARIMA,
    HZ_SEL_THETA,
    HZ_SEL_MEAN_EAT,   /* mean of ETS, ARIMA, Theta */
    HZ_SEL_MEDIAN_EAT, /* median of ETS, ARIMA, Theta */
    HZ_SEL_MEAN_ET,    /* mean of ETS, Theta */
    HZ_SEL_MEAN_AT,    /* mean of ARIMA, Theta */
    HZ_SEL_MEAN_EA,    /* mean of ETS, ARIMA */
    HZ_SEL_COUNT
} hz_select_cand;

HZ_API const char *hz_select_cand_name(int cand);

typedef struct hz_select_opts {
    size_t origins; /* rolling origins (default 3) */
    size_t horizon; /* validation horizon; 0 = min(out->h, n / 4) */
    uint64_t seed;
    int fixed;     /* -1: choose (default); else always this cand */
    double margin; /* another candidate replaces the equal-weight mean
                         of all three only when its validation sMAPE is
                         lower by this fraction (default 0: plain
                         selection by validation) */
} hz_select_opts;

HZ_API void hz_select_opts_init(hz_select_opts *o);

/* Choose among single models and combinations by mean sMAPE over the
 * rolling origins on y, then forecast y with the winner.  out->method
 * names the winner, e.g. "Mean(ETS(M,A,M)+ARIMA(0,1,1)+Theta)".
 * *chosen (may be NULL) gets the hz_select_cand. */
HZ_API hz_status hz_select_forecast(const double *y, size_t n, int period,
                                    const hz_select_opts *opts,
                                    hz_fc_workspace *w, hz_forecast *out,
                                    int *chosen, hz_error *err);

#ifdef __cplusplus
}
#endif
#endif
