/* Internals of the ETS module shared with theta.c and its tests (engine/ only). */
#ifndef HZ_ETS_INTERNAL_H
#define HZ_ETS_INTERNAL_H

#include <stdbool.h>

#include "horizon/ets.h"

/* out->params from the fit, and out->fitted (when the caller gave room)
 * from its one-step fitted values on y (ets.c, theta.c). */
void hz__ets_diagnostics(const hz_ets_fit *fit, const double *y,
                         hz_forecast *out);

/* True when all roots of c[0] z^d + ... + c[d] lie in |z| <= 1 + 1e-10. */
bool hz__poly_roots_in_unit_disc(const double *c, int d);

/* R's nmmin (optim "Nelder-Mead"); returns evaluations used.  fn gets
 * the bound above which its value is only compared, never kept: it may
 * return any value >= bound then (INFINITY: exact value needed). */
typedef double (*hz__nm_fn)(const double *x, double bound, void *ctx);
int hz__nelder_mead(int n, double *x, double *fmin, hz__nm_fn fn, void *ctx,
                    double abstol, double reltol, int maxit);

/* True (the default): the candidates of a model selection are fitted side
 * by side, their evaluations in vector lanes.  Tests set it false to get
 * the reference: each candidate alone, its objective (recursion and
 * admissibility test) called by hz__nelder_mead, one point at a time. */
extern bool hz__ets_side_by_side;

#endif
