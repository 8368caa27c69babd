/* Exponential smoothing state-space models (ETS) of Hyndman et al.
 *
 * Errors A/M, trend N/A/Ad, season N/A/M.  Parameters and initial states
 * are estimated by maximum likelihood with the same Nelder-Mead search,
 * initial values, bounds and admissibility tests as R's forecast::ets;
 * automatic selection minimises AICc over the models forecast::ets tries
 * (no multiplicative trend, no additive-error/multiplicative-season,
 * no multiplicative-error models when the data are not all positive).
 *
 * Prediction intervals are analytic for classes 1 and 2 (linear models
 * with additive or multiplicative errors); for class 3 (multiplicative
 * error and season) they use forecast's analytic approximation (class3:
 * conditional mean and variance) or, with opts.simulate, sample paths
 * with a deterministic seed (also used for any other combination). */
#ifndef HORIZON_ETS_H
#define HORIZON_ETS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "horizon/common.h"
#include "horizon/forecast.h"

#ifdef __cplusplus
extern "C" {
#endif

#define HZ_ETS_MAX_M 24 /* longest season ETS models (as R) */
#define HZ_ETS_MAX_STATE (2 + HZ_ETS_MAX_M)

enum { HZ_ETS_AUTO = -1, HZ_ETS_N = 0, HZ_ETS_A = 1, HZ_ETS_M = 2 };
enum { HZ_ETS_IC_AICC = 0, HZ_ETS_IC_AIC, HZ_ETS_IC_BIC };
enum { HZ_ETS_CRIT_LIK = 0, HZ_ETS_CRIT_MSE };

typedef struct hz_ets_opts {
    int error;            /* HZ_ETS_A, HZ_ETS_M or HZ_ETS_AUTO */
    int trend;            /* HZ_ETS_N, HZ_ETS_A or HZ_ETS_AUTO */
    int season;           /* HZ_ETS_N, HZ_ETS_A, HZ_ETS_M or HZ_ETS_AUTO */
    int damped;           /* 0, 1 or HZ_ETS_AUTO */
    int ic;               /* selection criterion (AICc) */
    int opt_crit;         /* HZ_ETS_CRIT_LIK (default) or _MSE */
    bool restrict_models; /* skip unstable combinations (default true) */
    bool additive_only;
    size_t season_test_below; /* with season AUTO and n < this: fit
                            seasonal models only when the 90% ACF test at
                            lag m finds seasonality (default 0 = never
                            test, as R) */
    int maxit;                /* Nelder-Mead function evaluations (2000) */
    double reltol;            /* relative tolerance (sqrt(DBL_EPSILON)) */
    bool simulate;            /* class 3 (multiplicative season): simulate
                            sample paths instead of forecast's analytic
                            class-3 mean and variance (default false) */
    int npaths;               /* simulated paths (5000) */
    int screen_keep;          /* > 0: the seasonal candidates are first
                                 fitted with screen_maxit evaluations and
                                 only the screen_keep best (by the
                                 criterion) again with maxit; the others
                                 always with maxit (default 0: every
                                 candidate with maxit, as R) */
    int screen_maxit;
    uint64_t seed; /* simulation seed */
} hz_ets_opts;

HZ_API void hz_ets_opts_init(hz_ets_opts *o);

/* A fitted model.  States use R's layout: l, b (when trended), then
 * s[0] (most recent season) .. s[m-1]. */
typedef struct hz_ets_fit {
    int error, trend, season;
    bool damped;
    int m; /* season length used (1 when non-seasonal) */
    size_t n;
    double alpha, beta, gamma, phi;
    double init[HZ_ETS_MAX_STATE]; /* initial state x_0 */
    double last[HZ_ETS_MAX_STATE]; /* final state x_n */
    int nstate;
    int npar;      /* estimated parameters incl. initial states */
    double loglik; /* -0.5 * R's "lik" (n log SSE + 2 sum log|f|) */
    double aic, aicc, bic;
    double sigma2; /* SSE / (n - npar) of (relative) residuals */
    double mse;    /* mean squared one-step error */
    int nevals;    /* objective evaluations */
    int nfitted;   /* candidate models fitted (auto) */
} hz_ets_fit;

/* Workspace for one thread: reusable across series of length <= nmax. */
typedef struct hz_ets_workspace hz_ets_workspace;
HZ_API hz_ets_workspace *hz_ets_alloc(size_t nmax);
HZ_API void hz_ets_free(hz_ets_workspace *w); /* NULL allowed */

/* Fit (and select, for AUTO components) a model to y[0..n), period m
 * (m <= 1 or m > HZ_ETS_MAX_M means non-seasonal).  HZ_ETOOSHORT when no
 * candidate model has enough data. */
HZ_API hz_status hz_ets_fit_model(const double *y, size_t n, int m,
                                  const hz_ets_opts *opts, hz_ets_workspace *w,
                                  hz_ets_fit *fit, hz_error *err);

/* Point forecasts and intervals of a fitted model into out (out->h
 * steps, out->levels); sets out->method, loglik, aic, aicc, bic, sigma2. */
HZ_API hz_status hz_ets_predict(const hz_ets_fit *fit, const hz_ets_opts *opts,
                                hz_ets_workspace *w, hz_forecast *out,
                                hz_error *err);

/* Fit + predict.  w may be NULL (a workspace is allocated). */
HZ_API hz_status hz_ets_forecast_w(const double *y, size_t n, int period,
                                   const hz_ets_opts *opts,
                                   hz_ets_workspace *w, hz_forecast *out,
                                   hz_error *err);
HZ_API hz_status hz_ets_forecast(const double *y, size_t n, int period,
                                 const hz_ets_opts *opts, hz_forecast *out,
                                 hz_error *err);

/* "ETS(M,Ad,M)" into buf. */
HZ_API const char *hz_ets_name(const hz_ets_fit *fit, char *buf, size_t bufsz);

/* One-step fitted values of a fitted model on y (length fit->n) into
 * fitted[0..n).  Useful for residual checks and tests. */
HZ_API hz_status hz_ets_fitted(const hz_ets_fit *fit, const double *y,
                               double *fitted, hz_error *err);

#ifdef __cplusplus
}
#endif
#endif
