/* Internal: R's Nelder-Mead minimiser (nmmin), used by ETS. */
#ifndef HZ_NUMERIC_NELDER_MEAD_H
#define HZ_NUMERIC_NELDER_MEAD_H

/* Most parameters hz__nelder_mead accepts. */
#define HZ_NM_MAX_PAR 30

/* Objective: the value at x.  Every evaluation gets the value above which
 * its result is not used exactly (it is only compared with that bound and
 * then discarded): the objective may then return any value >= bound. */
typedef double (*hz__nm_fn)(const double *x, double bound, void *ctx);

/* Minimise fn from x[0..n) (overwritten with the best point, *fmin its
 * value) exactly as R's nmmin: same simplex, steps and stopping rule
 * (relative tolerance reltol, absolute abstol, at most maxit
 * evaluations), so the search path is R's.  Returns the number of
 * evaluations, or -1 when n > HZ_NM_MAX_PAR or the start value is not
 * finite. */
int hz__nelder_mead(int n, double *x, double *fmin, hz__nm_fn fn, void *ctx,
                    double abstol, double reltol, int maxit);

#endif
