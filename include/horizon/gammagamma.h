/* Gamma-Gamma model of spend per transaction (Fader & Hardie 2013, "The
 * Gamma-Gamma model of monetary value"; Colombo & Jiang 1999).
 *
 * Each repeat buyer's transaction values are Gamma(p, nu); nu varies across
 * customers as Gamma(q, gamma).  The fit uses the customers with x > 0
 * repeat transactions and a positive mean repeat value mbar; it maximises
 * the likelihood of (x, mbar) with GSL's BFGS on log(p, q, gamma), with
 * standard errors from the numerical Hessian.  Customers with x > 0 and
 * mbar = 0 (free repeat orders) are left out of the fit and counted.
 *
 * Boundary solutions are flagged, not failed: when the customers' mean
 * spends vary no more than chance (q and gamma run to infinity together,
 * gamma / q finite) the fit stops at a large q with `boundary` set and
 * the reason in `note`; predictions are then the population mean.  The
 * model is unusable (and hz_gg_fit fails) when spends do not vary within
 * customers (p runs away) or when q <= 1 (mean spend undefined: reported
 * by hz_gg_conditional_spend as NaN and by the CLV code as an error). */
#ifndef HORIZON_GAMMAGAMMA_H
#define HORIZON_GAMMAGAMMA_H

#include <stdbool.h>
#include <stddef.h>

#include "horizon/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hz_gg_params {
    double p, q, gamma;
} hz_gg_params;

typedef struct hz_gg_model {
    hz_gg_params p;
    double se[3]; /* standard errors of p, q, gamma */
    double loglik;
    size_t n;      /* repeat buyers used */
    size_t n_zero; /* repeat buyers left out (mbar = 0) */
    size_t iterations;
    double decrement; /* Newton decrement at the optimum (see
                         numeric/mle.h): the log-likelihood still to gain
                         is half of it */
    bool boundary;    /* a parameter ran to a limit (see note) */
    char note[200];   /* why the solution is on the boundary ("" if not) */
} hz_gg_model;

/* Fit from n customers' (x, mbar); rows with x = 0 are ignored.  Errors:
 * HZ_EINVAL for x < 0 or a negative/non-finite mbar (names the row),
 * HZ_ETOOSHORT with fewer than 2 repeat buyers, HZ_ENOCONV when the
 * parameters run away (e.g. every repeat buyer spends the same). */
HZ_API hz_status hz_gg_fit(const double *x, const double *mbar, size_t n,
                           int threads, hz_gg_model *out, hz_error *err);

/* Log-likelihood of the repeat buyers among n customers at p. */
HZ_API double hz_gg_loglik(const hz_gg_params *p, const double *x,
                           const double *mbar, size_t n);

/* E[M | x, mbar] = (q - 1)/(p x + q - 1) * p gamma/(q - 1)
 *                + p x/(p x + q - 1) * mbar; the population mean
 * p gamma / (q - 1) when x = 0.  NaN when q <= 1. */
HZ_API double hz_gg_conditional_spend(const hz_gg_params *p, double x,
                                      double mbar);

#ifdef __cplusplus
}
#endif
#endif
