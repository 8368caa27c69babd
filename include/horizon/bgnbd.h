/* BG/NBD model of repeat buying (Fader, Hardie & Lee 2005, "Counting your
 * customers the easy way").
 *
 * Inputs are Fader-Hardie summaries (customer.h): x repeat transactions,
 * recency t_x and age T, in any time unit (alpha is in that unit).
 * The fit maximises the log-likelihood (FHL 2005 eq. 6) on the logarithms
 * of (r, alpha, a, b): GSL's BFGS (analytic gradient), then Newton steps
 * until the Newton decrement is below 1e-10 (numeric/mle.h: a test on the
 * log-likelihood itself, the same in days or weeks and for any number of
 * customers); standard errors come from the inverse of the Hessian
 * (central differences of the analytic gradient) at the optimum.
 * Boundary solutions are kept and flagged (`boundary`, `note`): a -> 0 or
 * b -> infinity (almost nobody drops out: b, or a, is then arbitrary and
 * the predictions are those of the NBD model), r and alpha -> infinity
 * together (purchase rates do not vary between customers).
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
    size_t max_iter; /* BFGS iterations before the Newton polish (400) */
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
    double decrement; /* Newton decrement at the optimum (numeric/mle.h) */
    bool boundary;    /* a parameter ran to a limit (see note) */
    char note[200];   /* why the solution is on the boundary ("" if not) */
} hz_bgnbd_model;

HZ_API void hz_bgnbd_options_init(hz_bgnbd_options *o);

/* Fit to n customers.  Errors: HZ_EINVAL for inconsistent rows (x < 0, x
 * not an integer, t_x > T, x > 0 with t_x = 0, ...; the message names the
 * row), HZ_ETOOSHORT when fewer than 2 customers or no repeat purchases,
 * HZ_ENOCONV when the optimiser fails or the likelihood has no maximum
 * (the data do not identify the model, e.g. all customers identical). */
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

/* P(X(t) = k): k repeat transactions in (0, t] for a new customer (FHL
 * 2005 eq. 8). */
HZ_API double hz_bgnbd_pmf(const hz_bgnbd_params *p, double t, unsigned k);

/* P(no transaction in the next t | x, t_x, T) = 1 - P(alive) +
 * P(alive) ((alpha + T) / (alpha + T + t))^(r + x): dead, or alive with
 * no purchase (a BG/NBD customer only drops out right after a purchase,
 * so a one-time buyer is alive for sure and this is the probability that
 * they stay silent). */
HZ_API double hz_bgnbd_p_no_purchase(const hz_bgnbd_params *p, double t,
                                     double x, double t_x, double T);

#ifdef __cplusplus
}
#endif
#endif
