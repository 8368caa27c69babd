/* Pareto/NBD model of repeat buying (Schmittlein, Morrison & Colombo
 * 1987; Fader & Hardie 2005, "A note on deriving the Pareto/NBD model and
 * related expressions").
 *
 * While alive a customer buys at Poisson rate lambda ~ Gamma(r, alpha)
 * and dies at an exponential time with rate mu ~ Gamma(s, beta).  Inputs
 * are Fader-Hardie summaries (customer.h): x repeat transactions, recency
 * t_x and age T in any time unit (alpha and beta are in that unit).
 *
 * The likelihood of a customer is
 *   Gamma(r+x) alpha^r beta^s / Gamma(r) *
 *   [ (alpha+T)^-(r+x) (beta+T)^-s + s I ],
 *   I = integral from t_x to T of (alpha+tau)^-(r+x) (beta+tau)^-(s+1)
 * (alive at T, or dead at tau in (t_x, T]).  I is summed as a series of
 * positive terms in z = |alpha - beta| / (max(alpha, beta) + t_x) in
 * which each term carries 1 - ((m+t_x)/(m+T))^(r+s+x+k) computed with
 * expm1: no difference of two hypergeometric functions (the usual form,
 * which cancels when t_x is close to T) and no overflow in
 * (alpha+T)^(r+s+x); the two parts are added in logarithms.  When z is
 * above 0.95 (alpha and beta far apart) I and its derivatives are
 * integrated numerically instead (GSL QAG).  The fit uses the numeric
 * driver of BG/NBD (BFGS then Newton on the log-parameters, judged by
 * the Newton decrement; boundary solutions flagged). */
#ifndef HORIZON_PNBD_H
#define HORIZON_PNBD_H

#include <stdbool.h>
#include <stddef.h>

#include "horizon/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hz_pnbd_params {
    double r, alpha, s, beta;
} hz_pnbd_params;

typedef struct hz_pnbd_model {
    hz_pnbd_params p;
    double se[4];      /* standard errors of r, alpha, s, beta (NaN when
                          the Hessian is not positive definite) */
    double loglik;     /* total log-likelihood at p */
    size_t n;          /* customers used */
    size_t n_distinct; /* distinct (x, t_x, T) triples */
    size_t iterations;
    double decrement; /* Newton decrement at the optimum */
    bool boundary;    /* a parameter ran to a limit (see note) */
    char note[200];
} hz_pnbd_model;

/* Fit to n customers.  Errors as hz_bgnbd_fit: HZ_EINVAL for an
 * inconsistent row (named), HZ_ETOOSHORT without repeat purchases,
 * HZ_ENOCONV when the likelihood has no maximum or the fit does not
 * converge. */
HZ_API hz_status hz_pnbd_fit(const double *x, const double *t_x,
                             const double *T, size_t n, int threads,
                             hz_pnbd_model *out, hz_error *err);

/* Total log-likelihood of n customers at p (NaN for bad rows). */
HZ_API double hz_pnbd_loglik(const hz_pnbd_params *p, const double *x,
                             const double *t_x, const double *T, size_t n);

/* P(alive at T | x, t_x, T). */
HZ_API double hz_pnbd_p_alive(const hz_pnbd_params *p, double x, double t_x,
                              double T);

/* E[X(t)]: expected repeat transactions of a new customer in (0, t]. */
HZ_API double hz_pnbd_expected(const hz_pnbd_params *p, double t);

/* E[Y(t) | x, t_x, T] = numerator(t, x, T) * P(alive). */
HZ_API double hz_pnbd_conditional(const hz_pnbd_params *p, double t, double x,
                                  double t_x, double T);
HZ_API double hz_pnbd_conditional_numerator(const hz_pnbd_params *p, double t,
                                            double x, double T);

/* P(X(t) = k) for a new customer (numerical integral over the death
 * time; GSL QAGS). */
HZ_API double hz_pnbd_pmf(const hz_pnbd_params *p, double t, unsigned k);

#ifdef __cplusplus
}
#endif
#endif
