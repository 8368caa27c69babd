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

/* The same minimiser, resumable: the caller evaluates the objective, so
 * several searches can run side by side (ETS evaluates the points of up
 * to four candidates in the lanes of one vector).  hz__nm_start returns HZ_NM_EVAL (or
 * HZ_NM_FAIL for n > HZ_NM_MAX_PAR); then, while a call returns
 * HZ_NM_EVAL, evaluate the objective at s->B with bound s->bound and pass
 * the value to hz__nm_feed.  HZ_NM_DONE: s->B holds the best point,
 * s->fmin its value, s->funcount the evaluations; HZ_NM_FAIL: the start
 * value was not finite (s->fmin).  x is s->B: it is overwritten. */
enum { HZ_NM_FAIL = -1, HZ_NM_DONE = 0, HZ_NM_EVAL = 1 };

typedef struct hz__nm {
    double P[(HZ_NM_MAX_PAR + 1) * (HZ_NM_MAX_PAR + 2)];
    double *B;
    double bound, fmin;
    double abstol, intol, convtol, size, oldsize, VH, VL, VR;
    int n, maxit, funcount, calcvert, L, H, j, state;
    int exhausted; /* stopped by maxit (resumable) */
} hz__nm;

int hz__nm_start(hz__nm *s, int n, double *x, double abstol, double reltol,
                 int maxit);
int hz__nm_feed(hz__nm *s, double f);

/* A search that stopped with HZ_NM_DONE because its budget was spent,
 * given the budget maxit (> the old one): it goes on exactly as a search
 * started with maxit would have (nmmin's path does not depend on maxit
 * until it stops).  Returns what hz__nm_feed returns; HZ_NM_DONE at once
 * when the search had converged or maxit is spent too; HZ_NM_FAIL when
 * the search had not stopped with HZ_NM_DONE. */
int hz__nm_resume(hz__nm *s, int maxit);

#endif
