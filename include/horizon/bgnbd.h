/* BG/NBD model of repeat buying (Fader, Hardie & Lee 2005, "Counting your
 * customers the easy way").
 *
 * Inputs are Fader-Hardie summaries (customer.h): x repeat transactions,
 * recency t_x and age T, in any time unit (alpha is in that unit).
 * The fit maximises the log-likelihood (FHL 2005 eq. 6) with GSL's BFGS
 * (multimin, analytic gradient) on the logarithms of (r, alpha, a, b);
 * standard errors come from the inverse of a numerical Hessian (central
 * differences of the analytic gradient) of -LL at the optimum.
 * Likelihood sums are taken over fixed blocks in a fixed order, so the fit
 * is identical for any OpenMP thread count. */
#ifndef HORIZON_BGNBD_H
#define HORIZON_BGNBD_H

#include <stdbool.h>
#include <stddef.h>

#include "horizon/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hz_bgnbd_params {
    double r, alpha, a, b;
} hz_bgnbd_params;

typedef struct hz_bgnbd_options {
    size_t max_iter; /* BFGS iterations (default 400) */
    double gtol;     /* gradient-norm test on the mean LL (1e-9) */
    int threads;     /* 0 = OpenMP default */
} hz_bgnbd_options;

typedef struct hz_bgnbd_model {
    hz_bgnbd_params p;
    double se[4];      /* standard errors of r, alpha, a, b (NaN when
                              the Hessian is not positive definite) */
    double loglik;     /* total log-likelihood at p */
    size_t n;          /* customers used */
    size_t n_distinct; /* distinct (x, t_x, T) triples */
    size_t iterations;
} hz_bgnbd_model;

HZ_API void hz_bgnbd_options_init(hz_bgnbd_options *o);

/* Fit to n customers.  Errors: HZ_EINVAL for inconsistent rows (x < 0, x
 * not an integer, t_x > T, x > 0 with t_x = 0, ...; the message names the
 * row), HZ_ETOOSHORT when fewer than 2 customers or no repeat purchases,
 * HZ_ENOCONV when the optimiser fails or the parameters run away (the data
 * do not identify the model, e.g. all customers identical). */
HZ_API hz_status hz_bgnbd_fit(const double *x, const double *t_x,
                              const double *T, size_t n,
                              const hz_bgnbd_options *opt, hz_bgnbd_model *out,
                              hz_error *err);

/* Total log-likelihood of n customers at p. */
HZ_API double hz_bgnbd_loglik(const hz_bgnbd_params *p, const double *x,
                              const double *t_x, const double *T, size_t n);

/* P(alive | x, t_x, T) (FHL 2005 eq. 13 in the note). */
HZ_API double hz_bgnbd_p_alive(const hz_bgnbd_params *p, double x, double t_x,
                               double T);

/* E[X(t)]: expected repeat transactions of a new customer in (0, t]. */
HZ_API double hz_bgnbd_expected(const hz_bgnbd_params *p, double t);

/* E[Y(t) | x, t_x, T]: expected transactions in the next t periods. */
HZ_API double hz_bgnbd_conditional(const hz_bgnbd_params *p, double t,
                                   double x, double t_x, double T);

/* The part of E[Y(t) | x, t_x, T] that does not depend on t_x:
 * E[Y(t) | x, t_x, T] = hz_bgnbd_conditional_numerator(p, t, x, T) *
 * hz_bgnbd_p_alive(p, x, t_x, T).  Lets callers share work between
 * customers with equal (x, T). */
HZ_API double hz_bgnbd_conditional_numerator(const hz_bgnbd_params *p,
                                             double t, double x, double T);

#ifdef __cplusplus
}
#endif
#endif
