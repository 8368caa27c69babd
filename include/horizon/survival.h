/* Survival analysis on a duration (tenure) and an event indicator:
 * Kaplan-Meier curves with Greenwood standard errors and a Cox
 * proportional-hazards model (Breslow's method for ties), as statsmodels'
 * SurvfuncRight and PHReg(ties="breslow") compute them. */
#ifndef HORIZON_SURVIVAL_H
#define HORIZON_SURVIVAL_H

#include <stddef.h>

#include "horizon/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hz_km_curve {
    size_t n;        /* subjects */
    size_t events;   /* events among them */
    size_t m;        /* distinct event times */
    double *time;    /* m event times, ascending */
    double *at_risk; /* subjects with duration >= time[j] */
    double *deaths;  /* events at time[j] */
    double *surv;    /* S(time[j]) = prod_{i <= j} (1 - deaths/at_risk) */
    double *se;      /* Greenwood: S sqrt(sum d / (n (n - d))) */
    double *lower;   /* 95% pointwise interval, on log S (R's */
    double *upper;   /*   survfit default), clipped to [0, 1] */
    double median;   /* first time with S <= 0.5; NaN when never */
    double max_time; /* the longest duration, event or censored */
} hz_km_curve;

/* Kaplan-Meier estimate from n durations (>= 0) and events (0 or 1).
 * Errors: HZ_EINVAL naming the subject for a negative or non-finite
 * duration or an event other than 0/1, HZ_ETOOSHORT for n = 0. */
HZ_API hz_status hz_km_fit(const double *duration, const double *event,
                           size_t n, hz_km_curve *out, hz_error *err);

/* S(t) of the step function (1 before the first event time); NaN
 * after the longest duration unless S reached 0: the data say nothing
 * of it (R's summary.survfit leaves such times out). */
HZ_API double hz_km_at(const hz_km_curve *c, double t);

HZ_API void hz_km_free(hz_km_curve *c); /* frees members */

typedef struct hz_cox_model {
    size_t n, events, p;
    double *coef;   /* log hazard ratios */
    double *se;     /* from the inverse information matrix */
    double *z;      /* coef / se */
    double *pvalue; /* two-sided normal */
    double *mean;   /* covariate means (risk scores are centred) */
    double loglik;  /* log partial likelihood at coef */
    double loglik0; /* at coef = 0 */
    int iterations;
    /* Breslow baseline cumulative hazard at the centred covariates:
     * H0(t) for t = base_time[j] (the distinct event times) */
    size_t nbase;
    double *base_time, *base_cumhaz;
    double max_time; /* the longest duration of the subjects fitted */
} hz_cox_model;

/* Fit on n rows of the row-major n x p matrix X.  Subjects with a
 * duration <= 0 cannot be at risk of an event and are left out (counted
 * out of n).  Errors: HZ_EINVAL (bad duration/event/non-finite X, named;
 * covariates whose coefficients are not identified over the subjects
 * with a positive duration: one that does not vary, or collinear ones,
 * a column that is a linear combination of others up to 1e-10 of its
 * variance, named), HZ_ETOOSHORT (no events), HZ_ENOCONV (no
 * convergence, e.g. a covariate that separates events perfectly). */
HZ_API hz_status hz_cox_fit(const double *X, const double *duration,
                            const double *event, size_t n, size_t p,
                            hz_cox_model *out, hz_error *err);
/* The same, with the covariates' names (p of them) for its messages
 * (hz_cox_fit numbers them from 1). */
HZ_API hz_status hz_cox_fit_named(const double *X, const double *duration,
                                  const double *event, size_t n, size_t p,
                                  const char *const *names, hz_cox_model *out,
                                  hz_error *err);

/* S(t | x) = exp(-H0(t) exp((x - mean)' coef)); NaN after max_time. */
HZ_API double hz_cox_survival(const hz_cox_model *m, const double *x,
                              double t);

HZ_API void hz_cox_free(hz_cox_model *m); /* frees members */

#ifdef __cplusplus
}
#endif
#endif
