/* Internal: maximum-likelihood driver shared by the customer models
 * (BG/NBD, Pareto/NBD, Gamma-Gamma).
 *
 * The parameters are unconstrained (the models use logarithms of positive
 * parameters).  The driver runs GSL's BFGS to get near the optimum, then
 * polishes with Newton steps on a Hessian from central differences of the
 * analytic gradient.  Convergence is judged by the Newton decrement
 * lambda^2 = g' H^-1 g of the total negative log-likelihood: half of it is
 * the log-likelihood still to gain, and sqrt(lambda^2) is the distance to
 * the optimum in standard-error units.  It does not depend on the time
 * unit of the data (a change of unit shifts log alpha and the
 * log-likelihood by constants) nor on the parametrisation, and it scales
 * with the likelihood, so days, weeks and any number of customers are
 * judged alike. */
#ifndef HZ_NUMERIC_MLE_H
#define HZ_NUMERIC_MLE_H

#include <stdbool.h>
#include <stddef.h>

#define HZ__MLE_KMAX 6

/* Converged when lambda^2 <= this (the parameters are within 1e-5
 * standard errors of the optimum). */
#define HZ__MLE_DECREMENT_TOL 1e-10

/* A boundary solution, or one with flat directions (parameters the data
 * do not pin down), counts as converged when at most this much
 * log-likelihood is left to gain: its parameters are not unique anyway,
 * and the predictions no longer move. */
#define HZ__MLE_BOUNDARY_GAIN 1e-3

/* The Newton polish stops when |theta_j| passes this (e^23 ~ 1e10); from
 * half of it (e^11.5 ~ 1e5) a solution counts as on the boundary. */
#define HZ__MLE_BOUND 23.0

/* Negative total log-likelihood at th; when grad != NULL also its
 * gradient in th.  Returns +inf or NaN where undefined. */
typedef double (*hz__mle_fn)(const double *th, double *grad, void *ctx);

/* The objective with its gradient and Hessian (row-major k x k); a
 * model that can compute the Hessian analytically saves the driver the
 * k extra gradients of a finite-difference Hessian. */
typedef double (*hz__mle_hess_fn)(const double *th, double *grad, double *H,
                                  void *ctx);

typedef struct hz__mle_problem {
    size_t k;             /* parameters (<= HZ__MLE_KMAX) */
    hz__mle_fn fn;        /* objective */
    void *ctx;            /* passed to fn */
    double n;             /* observations (BFGS works on the mean) */
    size_t max_iter;      /* BFGS iterations (0 = 400) */
    hz__mle_hess_fn hess; /* NULL: finite differences of fn's gradient */
} hz__mle_problem;

typedef struct hz__mle_info {
    bool converged;      /* decrement <= HZ__MLE_DECREMENT_TOL with a
                            positive definite Hessian; with flat
                            directions (not positive definite) or
                            at_bound: at most HZ__MLE_BOUNDARY_GAIN of
                            log-likelihood left to gain */
    bool at_bound;       /* some |theta_j| >= HZ__MLE_BOUND / 2 */
    size_t iterations;   /* BFGS iterations + Newton steps */
    size_t newton_steps; /* of those, Newton steps */
    double f;            /* -LL at the final theta */
    double decrement;    /* Newton decrement at the final theta (with the
                            least damping that makes H positive definite
                            when it is not) */
    double gnorm;        /* gradient norm of -LL / n there */
    double H[HZ__MLE_KMAX * HZ__MLE_KMAX]; /* Hessian of -LL (k x k) */
    bool hessian_pd;                       /* H positive definite */
    double H_at[HZ__MLE_KMAX]; /* (internal) where H was last computed */
    bool H_valid;
} hz__mle_info;

/* Minimise p->fn from th (updated in place to the best point found).
 * Returns true when converged (info->converged).  Never aborts; a start
 * where fn is not finite gives false. */
bool hz__mle_minimize(const hz__mle_problem *p, double *th,
                      hz__mle_info *info);

/* Only the Newton polish, from th (e.g. a warm start close to the
 * optimum).  Same result conventions; info must be zeroed by the caller
 * (its iteration counts are added to). */
bool hz__mle_newton(const hz__mle_problem *p, double *th, hz__mle_info *info);

/* Standard errors of exp(theta_j) (delta method from the Hessian in
 * theta): se_j = exp(theta_j) sqrt((H^-1)_jj).  When H is not positive
 * definite, from the rows and columns of the parameters not on the
 * boundary (NaN for the others, or for all when that is not positive
 * definite either). */
void hz__mle_se_exp(const hz__mle_info *info, const double *th, size_t k,
                    double *se);

/* GSL vector_bfgs2 on the mean objective from th (updated), restarting
 * after a line-search stall, until the gradient norm of -LL / n is below
 * gtol or max_iter iterations; returns the iterations used. */
size_t hz__bfgs_run(const hz__mle_problem *p, double *th, double gtol);

#endif
