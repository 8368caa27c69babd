/* Horizon ARIMA: seasonal ARIMA(p,d,q)(P,D,Q)[m] with mean or drift,
 * fitted like R's stats::arima (method "CSS-ML": conditional sum of
 * squares for start values, then exact maximum likelihood through the
 * state-space form and the Kalman filter), and the Hyndman-Khandakar
 * automatic order search of forecast::auto.arima (forecast 8.20).
 *
 * Differences from R worth knowing (see engine/forecast/arima.c for details):
 *  - the likelihood during optimisation is evaluated on the differenced
 *    series with the exact stationary initial covariance (R filters the
 *    undifferenced series with a diffuse prior of variance 1e6 on the
 *    differencing states; the two agree to about 1e-6 relative);
 *  - the seasonal-difference test is forecast's default "seas" test
 *    (seasonal strength of an STL decomposition > 0.64) with an STL that
 *    follows R's stl() (s.window 11, robust = FALSE) step for step.
 *
 * All functions are re-entrant; workspaces are allocated once per call. */
#ifndef HORIZON_ARIMA_H
#define HORIZON_ARIMA_H

#include <stddef.h>

#include "horizon/common.h"
#include "horizon/forecast.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum hz_arima_method {
    HZ_ARIMA_CSS_ML = 0, /* CSS start values, then exact ML (R default) */
    HZ_ARIMA_ML = 1,     /* exact ML from zero start values */
    HZ_ARIMA_CSS = 2     /* conditional sum of squares only */
} hz_arima_method;

/* One model: orders, seasonal period and deterministic term. */
typedef struct hz_arima_spec {
    int p, d, q;      /* non-seasonal orders */
    int P, D, Q;      /* seasonal orders (ignored when m <= 1) */
    int m;            /* seasonal period (1 = none) */
    int constant;     /* 1: mean when d+D == 0, drift when d+D == 1;
                             ignored when d+D >= 2 */
    int fix_constant; /* 1: hold the mean/drift at constant_value */
    double constant_value;
    hz_arima_method method;
} hz_arima_spec;

#define HZ_ARIMA_MAXCOEF 16

/* A fitted model.  Owns the arrays needed to forecast; release with
 * hz_arima_model_free(). */
typedef struct hz_arima_model {
    hz_arima_spec spec;
    size_t n;                      /* length of the fitted series */
    int ncoef;                     /* p+q+P+Q (+1 with a constant) */
    int nfree;                     /* coefficients estimated */
    double coef[HZ_ARIMA_MAXCOEF]; /* ar, ma, sar, sma, mean|drift */
    int has_mean, has_drift;
    double sigma2;    /* forecast's sigma^2: sum(resid^2)/(n*-npar+1) */
    double sigma2_ml; /* R arima's sigma2 (ML: ssq/n.used; CSS: css) */
    double loglik, aic, aicc, bic; /* NAN for CSS fits */
    double ic;                     /* criterion used by the search */
    int converged;                 /* optimiser stopped before maxit */
    /* state space after filtering the whole series (for forecasting) */
    int rd;                      /* state dimension r + len(Delta) */
    double *phi, *theta, *delta; /* expanded polynomials */
    int nphi, ntheta, ndelta;
    double *a, *P;       /* filtered state and covariance */
    double *resid;       /* [n] standardized residuals */
    int constant_series; /* input was constant: forecast = y[0], se 0 */
    double last_y;       /* y[0] for constant series */
} hz_arima_model;

/* Options of the automatic search (auto.arima defaults by
 * hz_arima_opts_default). */
typedef struct hz_arima_opts {
    int auto_order;      /* 1: search orders; 0: fit `order` as given */
    hz_arima_spec order; /* used when auto_order == 0 */
    int d, D;            /* -1: choose by unit-root tests (default) */
    int max_p, max_q, max_P, max_Q, max_order, max_d, max_D;
    int start_p, start_q, start_P, start_Q;
    int stepwise;      /* 1: Hyndman-Khandakar stepwise (default) */
    int approximation; /* -1: auto (n > 150 || m > 12), 0 no, 1 yes */
    int allow_drift, allow_mean; /* default 1, 1 */
    int seasonal;                /* 0: never a seasonal model */
    int nmodels;                 /* stepwise model budget (94) */
    int ic;                      /* 0 aicc (default), 1 aic, 2 bic */
    /* optional: called for every model tried (like trace = TRUE) */
    void (*trace)(void *ctx, const char *model, double ic);
    void *trace_ctx;
} hz_arima_opts;

HZ_API void hz_arima_opts_default(hz_arima_opts *opts);

/* Fit one model to y[0..n) (finite values).  On failure (for instance a
 * non-stationary AR part from CSS, as R's arima reports) returns an error
 * status and leaves *out empty.  Free *out with hz_arima_model_free. */
HZ_API hz_status hz_arima_fit(const double *y, size_t n,
                              const hz_arima_spec *spec, hz_arima_model *out,
                              hz_error *err);

/* Automatic order selection like forecast::auto.arima, then fit. */
HZ_API hz_status hz_arima_auto(const double *y, size_t n, int period,
                               const hz_arima_opts *opts, hz_arima_model *out,
                               hz_error *err);

/* Point forecasts and standard errors for h steps (state-space
 * recursion, se = sqrt(var * sigma2) as R's predict.Arima). */
HZ_API hz_status hz_arima_predict(const hz_arima_model *mdl, size_t h,
                                  double *mean, double *se, hz_error *err);

/* Release the arrays of a model (NULL and empty models allowed). */
HZ_API void hz_arima_model_free(hz_arima_model *mdl);

/* "ARIMA(2,1,1)(0,1,0)[12]" plus " with drift" / " with non-zero mean" /
 * " with zero mean" like forecast's arima.string().  Returns buf. */
HZ_API const char *hz_arima_string(const hz_arima_model *mdl, char *buf,
                                   size_t len);

/* Fit (auto or fixed order) and forecast out->h steps with intervals at
 * out->levels.  out->method gets the model string. */
HZ_API hz_status hz_arima_forecast(const double *y, size_t n, int period,
                                   const hz_arima_opts *opts, hz_forecast *out,
                                   hz_error *err);

/* ---- unit-root tests (engine/forecast/unitroot.c) ---- */

/* KPSS level-stationarity statistic (urca ur.kpss type "mu", lag
 * trunc(3*sqrt(n)/13)).  5% critical value 0.463. */
HZ_API double hz_kpss_stat(const double *x, size_t n);
/* Number of first differences by repeated KPSS tests at 5%
 * (forecast::ndiffs).  work: n doubles. */
HZ_API int hz_ndiffs(const double *x, size_t n, int max_d, double *work);
/* Seasonal strength max(0, 1 - var(R)/var(S+R)) of an STL decomposition
 * (forecast's seas.heuristic via mstl: s.window 11).  NAN when n <= 2m.
 * work: 9*(n + 2*m) doubles. */
HZ_API double hz_seasonal_strength(const double *x, size_t n, int m,
                                   double *work);
/* Seasonal differences (0 or 1) as forecast::nsdiffs(test = "seas").
 * work: 13*(n + 2*m) doubles. */
HZ_API int hz_nsdiffs(const double *x, size_t n, int m, int max_D,
                      double *work);
/* STL decomposition (R stl(), robust = FALSE, inner = 2).  Writes
 * seasonal[n], trend[n]; work: 5*(n + 2*m) doubles. */
HZ_API void hz_stl(const double *y, size_t n, int m, int s_window,
                   double *seasonal, double *trend, double *work);
/* forecast's is.constant(): all values equal up to all.equal tolerance. */
HZ_API int hz_is_constant(const double *x, size_t n);

#ifdef __cplusplus
}
#endif
#endif
