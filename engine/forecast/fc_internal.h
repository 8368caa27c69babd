/* Internals shared by the forecasting modules (engine/ only). */
#ifndef HZ_FC_INTERNAL_H
#define HZ_FC_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "horizon/common.h"

/* Classical decomposition (R's decompose()) of x[0..n) with period m:
 * writes the seasonal component (figure repeated from x[0]) into
 * seasonal[0..n).  mult != 0 for the multiplicative type.  Needs
 * n >= 2 * m; returns -1 when a position has no defined ratio. */
int hz__decompose(const double *x, size_t n, int m, int mult,
                  double *seasonal);

/* Sample autocorrelations r[1..maxlag] of x (R's acf), r[0] = 1. */
void hz__acf(const double *x, size_t n, int maxlag, double *r);

/* The 90% ACF seasonality test at lag m used by the M4 benchmarks and
 * forecast::thetaf: |r_m| > 1.645 sqrt((1 + 2 sum_{k<m} r_k^2) / n).
 * Returns 0 when n is too short (min_n), the series constant or m < 2. */
int hz__seasonality_test(const double *x, size_t n, int m, size_t min_n);

/* Least squares of y on (1, t) for t = t0 .. t0+n-1: intercept, slope. */
void hz__linfit(const double *y, size_t n, double t0, double *a, double *b);

/* R's stl (non-robust, inner 2, outer 0, s.degree 0) of y[0..n) with a
 * possibly non-integer period: the loess windows follow the period
 * (t.window = nextodd(ceiling(1.5 period / (1 - 1.5 / s.window))),
 * l.window = nextodd(period)), the cycle is as.integer(period), as R
 * does for ts(x, frequency = period).  seasonal[n], trend[n]; work:
 * 5 (n + 2 floor(period)) doubles.  Needs n > 2 period. */
void hz__stl(const double *y, size_t n, double period, int s_window,
             double *seasonal, double *trend, double *work);

/* Residual checks of one-step fitted values fit[0..n) of y (NAN where
 * undefined) with seasonal period m, as the diagnostics CSV writes them
 * (engine/forecast/fc_write.c): the Ljung-Box lag (0: not computed) and
 * p-value, the in-sample MASE (NAN when undefined or fit is NULL). */
typedef struct hz__resid_stats {
    size_t lag;
    double lb_p;
    double mase;
} hz__resid_stats;
hz__resid_stats hz__fc_resid_stats(const double *y, const double *fit,
                                   size_t n, int m);

/* Points and bounds of f raised to zero where below; returns how many
 * values were raised (engine/forecast/guarded.c). */
struct hz_forecast;
size_t hz__fc_clamp_nonneg(struct hz_forecast *f);

/* Guerrero's criterion as R's forecast:::guer.cv (BoxCox.lambda(method =
 * "guerrero")): y[0..n) (positive) in groups of the period rounded (at
 * least 2), the last whole ones; the coefficient of variation of the
 * groups' sd / mean^(1 - lambda).  NAN with fewer than two groups. */
double hz__guerrero_cv(const double *y, size_t n, double period,
                       double lambda);
/* Guerrero's rule restricted to lambda 0 (log) or 1 (none): true when the
 * criterion is smaller at 0. */
bool hz__guerrero_log(const double *y, size_t n, double period);

/* A model fit of y[0..n) into out, ctx its other arguments. */
typedef hz_status (*hz__fc_log_fn)(const double *y, size_t n, void *ctx,
                                   struct hz_forecast *out, hz_error *err);

/* fit on log(y) (every value positive), back into out: bounds exp'd
 * (quantiles), the mean bias-adjusted as forecast::InvBoxCox(biasadj =
 * TRUE) at lambda 0, exp(x) (1 + v / 2) with v the step's forecast
 * variance from the 95% interval (computed whatever levels out asks
 * for); fitted values exp'd, criteria on y's scale, method "... (log)". */
hz_status hz__fc_on_log(const double *y, size_t n, hz__fc_log_fn fit,
                        void *ctx, struct hz_forecast *out, hz_error *err);
/* Whether points and bounds of y[0..n) are kept >= 0 under the hz_nonneg
 * mode: on, or auto and no value below zero. */
bool hz__fc_nonneg_applies(int mode, const double *y, size_t n);

/* Standard normal quantile. */
double hz__qnorm(double p);

/* Append add to a node's note (cap bytes) after "; " (none when the note
 * is empty); where both do not fit, the note before it is cut and ends
 * in "...", so that add is kept whole (cut only if longer than the
 * note itself). */
void hz__note_append(char *note, size_t cap, const char *add);
/* "k of n steps" for a note, into buf (cap bytes): "2 of 3 steps", and
 * "the one step" when n is 1 (until 2026-12-08 "1 of 1 steps"); one and
 * many: the unit's singular and plural.  Returns buf. */
const char *hz__of_count(size_t k, size_t n, const char *one, const char *many,
                         char *buf, size_t cap);
/* A series' name for a note: name when it has at most max bytes, else
 * its first whole UTF-8 characters within max - 3 bytes and "..." (a
 * name cut by a note's length ended mid-character: not UTF-8).  Written
 * to buf (cap > max bytes) when cut; returns the one to use. */
const char *hz__note_name(const char *name, size_t max, char *buf,
                          size_t cap);
/* The start of the note of a forecast without intervals (guarded.c); not
 * a fallback (hz_forecast_note_is_fallback). */
#define HZ__NO_INTERVALS_NOTE "no intervals"
/* The start of the note of bounds kept as the model's where conformal
 * ones were asked for (conformal.c); not a fallback either. */
#define HZ__CONFORMAL_KEPT_NOTE                                               \
    "conformal: no series long enough to hold out values"
/* ... where a level had too few held-out errors for its quantile at some
 * steps (conformal.c); not a fallback. */
#define HZ__CONFORMAL_FEW_NOTE "conformal: too few held-out errors"
/* ... where two levels' quantiles are one held-out score (ties), so that
 * their bounds are the same (conformal.c); not a fallback. */
#define HZ__CONFORMAL_TIED_NOTE "conformal: held-out errors tie"

/* FNV-1a hash of data[0..len) mixed with h (per-series seeds). */
uint64_t hz__hash64(const void *data, size_t len, uint64_t h);

/* Series names keys[0..n) (distinct) that read the same once their bytes
 * that are not valid UTF-8 are shown as U+FFFD, as JSON output and
 * reports show them (Latin-1 'Caf\xe9' and 'Caf\xe8'): HZ_EPARSE naming
 * the shared name and src (the input) and asking for the input in UTF-8;
 * HZ_OK when none do, HZ_ENOMEM. */
hz_status hz__series_names_utf8(const char *const *keys, size_t n,
                                const char *src, hz_error *err);

/* The hierarchy of a grouped request (engine/forecast/hierarchy.c): m
 * nodes (total, then every prefix of the group keys level by level, the nb
 * bottom series last, each level in key order), their sums y[i][0..n) on
 * one time axis starting at period `start`, and S (m x nb, row-major).
 * Node i's own history is y[i][off[i]..n): from the first period of any
 * series under it (a product launched later is 0 before that only in
 * the sums of its parents); nobs[i] rows were summed into it and
 * nfilled[i] of its periods had none in any series under it (filled[i *
 * n + t]: period t had none). */
#include "horizon/series.h"
typedef struct hz__hier {
    size_t m, nb, n;
    int64_t start;
    char **keys; /* "total", "North", "North|Toys" */
    int *level;  /* 0 total .. nby bottom */
    double **y;
    double *S;
    size_t *off, *nobs, *nfilled;
    unsigned char *filled; /* [m * n] */
} hz__hier;

hz_status hz__hier_build(const hz_series_set *set, size_t nby, hz__hier *h,
                         hz_error *err);
void hz__hier_free(hz__hier *h); /* NULL allowed */
/* One-step in-sample errors of every node into resid (m x n on the common
 * axis, NaN where undefined and before the node's own history):
 * y - fitted[i] of its base model (fitted[i][0..n - off[i]) over its own
 * history, NaN where the model has none); where fewer than half its
 * periods have one (a model without fitted values, fitted or fitted[i]
 * NULL), those of auto-ETS (the budget of the default's member), or the
 * base model's few when auto-ETS cannot be fitted.  -1 on ENOMEM. */
int hz__hier_residuals(const hz__hier *h, const double *const *fitted,
                       int period, int threads, double *resid);

#endif
