/* Forecast reconciliation: forecasts of every level of a hierarchy (total,
 * each region, each region x category ...) made to add up exactly.
 *
 * The m nodes' base forecasts y^ (h steps) become S G y^, where S (m x nb)
 * sums the nb bottom series into every node and G depends on the method:
 *   bu    bottom-up: the bottom forecasts, summed;
 *   td    top-down by the proportions of the historical averages (Gross &
 *         Sohl's method F): total x mean(bottom) / mean(total);
 *   ols   G = (S'S)^-1 S';
 *   wls   G = (S'W^-1 S)^-1 S'W^-1, W the diagonal of the nodes' residual
 *         variances;
 *   mint  the same with W the shrinkage estimate of the residual
 *         covariance (Wickramasuriya, Athanasopoulos & Hyndman 2019,
 *         "MinT(Shrink)"): lambda D + (1 - lambda) Sigma, lambda by
 *         Schafer & Strimmer on the correlations.
 *   mint-h  MinT with a covariance W_s per horizon step (W_1 at step
 *         1, as mint): for step s >= 2, W_s is the same shrinkage estimate
 *         from the nodes' own rolling-origin errors (uncentered second
 *         moments, so a bias shared by the nodes shows in W_s) of steps
 *         1..s pooled (or of step s alone), since W_s proportional to W_1
 *         is an assumption of mint (Wickramasuriya et al. 2019) that
 *         multi-step errors with a growing shared bias break.
 * Residuals are the nodes' one-step in-sample errors.  Intervals are
 * reconciled too: the base forecast error covariance at step s is taken
 * as the base standard deviations (each node's interval half-width over
 * z) times the residual correlations (shrunk as for mint), carried
 * through S G; reconciled bounds are normal around the reconciled
 * points. */
#ifndef HORIZON_RECONCILE_H
#define HORIZON_RECONCILE_H

#include <stdbool.h>
#include <stddef.h>

#include "horizon/common.h"
#include "horizon/forecast.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum hz_recon {
    HZ_RECON_NONE = 0,
    HZ_RECON_BU,
    HZ_RECON_TD,
    HZ_RECON_OLS,
    HZ_RECON_WLS,
    HZ_RECON_MINT,
    HZ_RECON_MINT_H
} hz_recon;

HZ_API bool hz_recon_parse(const char *s, int *out); /* "bu", "mint", ... */
HZ_API const char *hz_recon_name(int method);

/* A hierarchy of m nodes over nb bottom series: S is m x nb (row-major,
 * 0/1), its last nb rows the identity (the bottom level last). */
typedef struct hz_hierarchy {
    size_t m, nb;
    const double *S;
} hz_hierarchy;

/* Reconcile the base forecasts fc[0..m) in place (points and bounds).
 * hist[i][0..n): node i's history (td's proportions); resid: m x T
 * row-major one-step in-sample errors (NaN where undefined: only periods
 * where every node has one are used).  *lambda (may be NULL) gets mint's
 * shrinkage intensity (NAN for the other methods).  Fails on a node
 * without a forecast, a singular system or ENOMEM, leaving fc as given. */
HZ_API hz_status hz_reconcile(const hz_hierarchy *H, int method,
                              const double *const *hist, size_t n,
                              const double *resid, size_t T,
                              hz_forecast *const *fc, double *lambda,
                              hz_error *err);

/* Multi-step errors for mint-h: node i's error s + 1 steps ahead from
 * its r-th rolling origin at e[(i * R + r) * h + s] (NaN where undefined;
 * hz_fc_batch.errors lays them out so), h the forecasts' steps.  Step
 * s's covariance uses the error vectors (every node defined) of step s
 * alone, or of steps 1..s when pooled. */
typedef struct hz_recon_steps {
    const double *e;
    size_t R;
    bool pooled;
} hz_recon_steps;

/* The rolling origins mint-h's errors come from for h steps (the request
 * runner's): h + 4, so that step h has 5 error vectors (the conformal
 * intervals' default, whose fits they share). */
HZ_API size_t hz_recon_origins(size_t h, int period);

/* hz_reconcile with multi-step errors (required by mint-h; ignored by the
 * other methods).  mint-h reconciles step 1 as mint and each later step s
 * with G from W_s; where W_s cannot be estimated (fewer than 2 complete
 * error vectors) or is singular, step s uses the previous step's G and
 * covariance.  *lambda gets step 1's shrinkage intensity. */
HZ_API hz_status hz_reconcile_steps(const hz_hierarchy *H, int method,
                                    const double *const *hist, size_t n,
                                    const double *resid, size_t T,
                                    const hz_recon_steps *steps,
                                    hz_forecast *const *fc, double *lambda,
                                    hz_error *err);

#ifdef __cplusplus
}
#endif
#endif
