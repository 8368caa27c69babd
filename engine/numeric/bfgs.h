/* Internal: the BFGS driver used by the BG/NBD and Gamma-Gamma fits (GSL). */
#ifndef HZ_NUMERIC_BFGS_H
#define HZ_NUMERIC_BFGS_H

#include <stddef.h>

#include <gsl/gsl_multimin.h>

/* Minimise fn from x (updated in place) with vector_bfgs2, restarting from
 * the last point after a line-search stall; returns GSL_SUCCESS when the
 * gradient norm falls below gtol (or 1000 gtol after a stall), else the
 * last GSL status.  *iter receives the iterations used.  The GSL error
 * handler is switched off for the duration. */
int hz__bfgs_minimize(gsl_multimin_function_fdf *fn, gsl_vector *x,
                      size_t max_iter, double gtol, size_t *iter,
                      double *gnorm);

/* Standard errors sqrt(diag(H^-1)) of a k x k Hessian given column by
 * column in H (row-major, symmetrised here); NaN when not positive
 * definite. */
void hz__se_from_hessian(double *H, size_t k, double *se);

#endif
