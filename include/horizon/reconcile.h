/* Forecast reconciliation: forecasts of every level of a hierarchy (total,
 * each region, each region x category ...) made to add up exactly.
 *
 * The m nodes' base forecasts y^ (h steps) become S G y^, where S (m x nb)
 * sums the nb bottom series into every node and G depends on the method:
 *   bu    bottom-up: the bottom forecasts, summed;
 *   td    top-down by forecast proportions (Athanasopoulos, Ahmed &
 *         Hyndman 2009; fable's top_down() default, hts' "tdfp"): at
 *         each step a node's share of its parent's forecast is its base
 *         forecast over its siblings' sum, a bottom series' share of the
 *         total the product down its path (a product whose base forecast
 *         is 0, one that stopped selling, gets none; until 2026-12-07
 *         the proportions of the historical averages, Gross & Sohl's F,
 *         gave it its share of the whole history); children whose
 *         forecasts are all 0 share equally; refused (HZ_ENOCONV, naming
 *         the parent, the step and a child) when children's forecasts
 *         sum to 0 but for rounding or to less than a tenth of their
 *         magnitudes (sales and their returns); needs a tree (HZ_EINVAL
 *         otherwise); coherent base forecasts stay as they are;
 *   ols   G = (S'S)^-1 S';
 *   wls   G = (S'W^-1 S)^-1 S'W^-1, W the diagonal of the nodes' residual
 *         variances;
 *   mint  the same with W the shrinkage estimate of the residual
 *         covariance (Wickramasuriya, Athanasopoulos & Hyndman 2019,
 *         "MinT(Shrink)"): lambda D + (1 - lambda) Sigma, lambda by
 *         Schafer & Strimmer on the correlations.
 *   mint-h  MinT with a covariance W_s per horizon step s: W_1 = mint's
 *         at step 1; for s >= 2 the second moments M_s (uncentered, so
 *         a bias the nodes share shows) of the nodes' own rolling-origin
 *         errors of steps 1..s (pooled; or of step s alone), shrunk
 *         toward mint's assumption W_s = k W_1 (Wickramasuriya et al.
 *         2019 note that it is one): on W_1's scale, lambda k R_1 +
 *         (1 - lambda) M_s, R_1 W_1's correlations, k by least squares,
 *         lambda = sum Var(M_ij) / sum (M_ij - k R_1,ij)^2 as Schafer &
 *         Strimmer's (hts' shrink.estim with that target), Var by Newey
 *         & West over the origins (the errors of one origin, and of
 *         origins less than s apart, overlap).  Noisy multi-step errors
 *         give lambda near 1: mint.  Not the default: on generated
 *         weekly product units it is less accurate than mint (README,
 *         bench/bench_hier.c).
 * Residuals are the nodes' one-step in-sample errors.  Intervals are
 * reconciled too: the base forecast error covariance at step s is taken
 * as the base standard deviations (each node's interval half-width over
 * z) times the residuals' sample correlations (mint-h: those of its
 * step's errors), carried through S G; reconciled bounds keep the shape
 * of the base bounds (each base bound's distance from the base point in
 * base standard deviations, laid off from the reconciled point in
 * reconciled ones: normal bounds stay normal, the skewed bounds of
 * intermittent demand skewed; normal around the point where the base
 * bounds have zero width).  Not the shrunk ones G is made from:
 * shrinkage keeps W invertible, but it pulls the correlations toward 0,
 * and a total whose error is nearly the sum of its bottom ones' then
 * looks independent of them, so its variance is understated (the 95%
 * intervals of reconciled totals of random walks covered 0.81 of
 * outcomes, 0.91 with the sample correlations; README). */
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

/* Bias correction before reconciling (hz_recon_bias_correct): AUTO (the
 * default) is ON when reconciling and OFF otherwise; ON corrects the
 * levels whose past errors it would have lowered, and needs a
 * reconciliation. */
typedef enum hz_recon_bias {
    HZ_RECON_BIAS_AUTO = 0,
    HZ_RECON_BIAS_OFF,
    HZ_RECON_BIAS_ON
} hz_recon_bias;

HZ_API bool hz_recon_parse(const char *s, int *out); /* "bu", "mint", ... */
HZ_API const char *hz_recon_name(int method);

/* A hierarchy of m nodes over nb bottom series: S is m x nb (row-major,
 * 0/1), its last nb rows the identity (the bottom level last); names
 * (may be NULL: node numbers) name the nodes in errors. */
typedef struct hz_hierarchy {
    size_t m, nb;
    const double *S;
    const char *const *names;
} hz_hierarchy;

/* Reconcile the base forecasts fc[0..m) in place (points and bounds).
 * hist[i][0..n): node i's history (unused since td splits by forecast
 * proportions; may be NULL); resid: m x T
 * row-major one-step in-sample errors (NaN where undefined, and before a
 * node's history starts).  The nodes with at least half as many errors
 * as the node with the most share the periods where each of them has
 * one (their covariance, crossprod / T as hts, and mint's shrinkage); a
 * node with fewer (a shorter history) enters with the mean square of
 * its own errors and no correlation with the others; wls, mint and
 * mint-h refuse a node without any (HZ_ETOOSHORT, naming it).  A base
 * forecast without bounds (NaN) leaves every node whose reconciled
 * forecast takes it in without bounds.  *lambda (may be NULL) gets mint's
 * shrinkage intensity (NAN for the other methods).  A node whose
 * residual variance is zero, or under 1e-12 of the largest node's (a
 * product that never sold: perfectly forecast so far), keeps its base
 * forecast: wls, mint and mint-h take the limit of their G as its
 * variance goes to zero (G = J - J W U (U'W U)^-1 U', Wickramasuriya et
 * al. 2019), which reconciles the other nodes under that constraint.
 * Fails on a node without a forecast (HZ_EINVAL), a system still
 * singular (HZ_ENOCONV, naming the node: errors of a node that are other
 * nodes' combined) or ENOMEM, leaving fc as given. */
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

/* The rolling origins mint-h's errors come from for h steps and a
 * seasonal period (the request runner's): h - 1 + max(period, 5), so
 * that every step is scored on a full season of targets (at least 5;
 * conformal intervals' origins are among them and share their fits);
 * 0 for h < 2, where mint-h is mint.  Costs that many fits a node. */
HZ_API size_t hz_recon_origins(size_t h, int period);

/* hz_reconcile with multi-step errors (required by mint-h when h > 1;
 * ignored by the other methods).  mint-h reconciles step 1 as mint and
 * each later step s with G from W_s and the bounds with the correlations
 * of step s's unshrunk second moments; where W_s cannot be estimated (fewer than 2 complete
 * error vectors, of 2 origins) or is singular, step s keeps the previous
 * step's G and covariance.  *lambda gets step 1's shrinkage intensity. */
HZ_API hz_status hz_reconcile_steps(const hz_hierarchy *H, int method,
                                    const double *const *hist, size_t n,
                                    const double *resid, size_t T,
                                    const hz_recon_steps *steps,
                                    hz_forecast *const *fc, double *lambda,
                                    hz_error *err);

/* Bias correction before reconciliation (Panagiotelis, Athanasopoulos,
 * Gamakumara & Hyndman 2021: a projection passes the base forecasts'
 * bias on): node i's point and bounds s + 1 steps ahead (s < h) move by
 * b_s = a + d (s + 1), a line fitted by weighted least squares (weights
 * 1 / (s + 1)) to its rolling-origin errors of every step (steps->e laid
 * out as for mint-h, y - forecast; at least 5), a constant and a drift
 * the base model misses, times a weight w in [0, 1] chosen out of sample:
 * each error x replayed in time order against the line b of the errors
 * already known at its origin (at least 3), w = sum x b / sum b^2 (the
 * least-squares weight of b for x), clipped; 0 (no correction) when the
 * past lines did not point the way the errors went.  level (may be NULL:
 * each node alone) gives node i's level (any int; the request runner's
 * are 0 for the total .. the number of group columns): the nodes of a
 * level share one w, of their replays pooled (each node's
 * errors on its own scale; a node counts with h replayed errors).  A
 * choice by past accuracy, not a significance test (too few independent
 * multi-step errors for one; recon_bias.c): on unbiased random walks it
 * moves some nodes, whose forecasts then carry part of the noise of the
 * line (tests/engine/forecast/test_recon_bias.c measures how many and at
 * what cost; pooling a level makes that rarer).  corrected[i] (may be
 * NULL) gets node i's corrected steps,
 * shift[i * h + s] (may be NULL) the amount added to node i at step s (0
 * where none); returns the corrected (node, step) pairs.  Call before
 * hz_reconcile; for mint-h, take shift off the errors first, so that a
 * bias corrected is not counted as error too. */
HZ_API size_t hz_recon_bias_correct(size_t m, size_t h,
                                    const hz_recon_steps *steps,
                                    const int *level, hz_forecast *const *fc,
                                    size_t *corrected, double *shift);

/* The rolling origins bias correction's errors come from: as
 * hz_recon_origins (a full season of targets at every step), also for
 * h = 1. */
HZ_API size_t hz_recon_bias_origins(size_t h, int period);

#ifdef __cplusplus
}
#endif
#endif
