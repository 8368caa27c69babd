/* Horizon forecasting: the result type shared by every model, and the
 * model-independent entry point.
 *
 * Each model is a module with the same shape (engine/forecast/MODEL.c +
 * include/horizon/MODEL.h):
 *
 *   hz_status hz_MODEL_forecast(const double *y, size_t n, int period,
 *                               const hz_MODEL_opts *opts,
 *                               hz_forecast *out, hz_error *err);
 *
 * which fits the model to y[0..n) (no NaN), and fills out->mean[0..h) and
 * the interval bounds for each level in out (h and levels are set by
 * hz_forecast_alloc).  Functions are re-entrant: no global mutable state,
 * so series can be forecast in parallel. */
#ifndef HORIZON_FORECAST_H
#define HORIZON_FORECAST_H

#include <stddef.h>
#include <stdint.h>

#include <stdbool.h>
#include <stdio.h>

#include "horizon/common.h"
#include "horizon/series.h"

#ifdef __cplusplus
extern "C" {
#endif

#define HZ_FC_MAX_LEVELS 4

typedef struct hz_forecast {
    size_t h;     /* steps ahead */
    double *mean; /* [h] point forecasts */
    size_t nlevels;
    double levels[HZ_FC_MAX_LEVELS]; /* coverage in percent, e.g. 80, 95 */
    double *lower[HZ_FC_MAX_LEVELS]; /* [h] each */
    double *upper[HZ_FC_MAX_LEVELS]; /* [h] each */
    char method
        [64]; /* e.g. "ETS(M,Ad,M)", "Theta", "ARIMA(0,1,1)(0,1,1)[12]" */
    char note[192]; /* why a fallback was used; empty otherwise */
    double loglik, aic, aicc, bic; /* NAN where undefined */
    double sigma2;                 /* innovation variance (model scale) */
    /* Diagnostics.  fitted is the caller's: when not NULL and fitted_cap
     * >= n, a model that has them writes its one-step in-sample fitted
     * values there (NAN where undefined); params gets the estimated
     * parameters as text ("alpha=0.3102 beta=0.0001"). */
    double *fitted;
    size_t fitted_cap;
    char params[192];
} hz_forecast;

/* Allocate a forecast for h steps with nlevels interval levels (percent,
 * 0 < level < 100).  Returns NULL on ENOMEM or bad arguments. */
HZ_API hz_forecast *hz_forecast_alloc(size_t h, size_t nlevels,
                                      const double *levels);
HZ_API void hz_forecast_free(hz_forecast *f); /* NULL allowed */
/* Reset method/note/criteria/params and fill the arrays (and fitted,
 * when set) with NAN. */
HZ_API void hz_forecast_reset(hz_forecast *f);
/* The index of the widest interval level (the highest coverage; levels
 * keep the order they were asked in, e.g. --level 95,50), or
 * SIZE_MAX when f is NULL or has no levels. */
HZ_API size_t hz_forecast_widest_level(const hz_forecast *f);

/* ---- models and the single-series dispatcher ---- */

typedef enum hz_fc_model {
    HZ_MODEL_AUTO = 0, /* equal-weight mean of auto-ETS (AICc choice,
                           250-evaluation optimiser budget per candidate,
                           seasonal ones screened; ets: R's 2000) and
                           Theta; other rules for short seasonal,
                           intermittent and multi-seasonal data
                           (engine/forecast/auto.c) */
    HZ_MODEL_NAIVE,
    HZ_MODEL_SNAIVE,
    HZ_MODEL_DRIFT,
    HZ_MODEL_ETS,
    HZ_MODEL_THETA,
    HZ_MODEL_ARIMA,
    HZ_MODEL_COMBO,      /* mean of ETS, Theta and ARIMA */
    HZ_MODEL_NAIVE2,     /* M4 seasonally adjusted naive */
    HZ_MODEL_SELECT,     /* per series: ETS, ARIMA, Theta or a combination,
                           by rolling-origin validation (engine/combo.c) */
    HZ_MODEL_MSTL,       /* MSTL + ETS(Z,Z,N) on the adjusted series
                            (forecast::stlf), every seasonal period */
    HZ_MODEL_MSTL_ARIMA, /* MSTL + non-seasonal auto.arima */
    HZ_MODEL_MSTL_THETA, /* MSTL + Theta */
    HZ_MODEL_DHR,        /* dynamic harmonic regression: Fourier terms
                            of every period + ARIMA errors */
    HZ_MODEL_CROSTON,    /* intermittent demand (intermittent.h) */
    HZ_MODEL_SBA,
    HZ_MODEL_TSB,
    HZ_MODEL_ADIDA,
    HZ_MODEL_IMAPA,
    HZ_MODEL_COUNT
} hz_fc_model;

HZ_API const char *hz_fc_model_name(int model); /* "ets", ... */
HZ_API bool hz_fc_model_parse(const char *s,
                              int *model); /* false if unknown */
/* Every model name, comma-separated ("auto, ets, theta, ..."), for help
 * texts and error messages. */
HZ_API const char *hz_fc_model_list(void);

/* Per-thread scratch for hz_forecast_series (allocate once per thread). */
typedef struct hz_fc_workspace hz_fc_workspace;
HZ_API hz_fc_workspace *hz_fc_workspace_alloc(size_t nmax);
HZ_API void hz_fc_workspace_free(hz_fc_workspace *w); /* NULL allowed */

/* Forecast y[0..n) (no NaN) with the given model and seasonal period into
 * out.  When the model cannot be used (series too short, fit failed,
 * explosive forecasts) a simpler one is used instead and out->note says
 * why; only a series with no observation at all fails.  seed drives any
 * simulation (deterministic per series).  w may be NULL. */
HZ_API hz_status hz_forecast_series(const double *y, size_t n, int period,
                                    int model, uint64_t seed,
                                    hz_fc_workspace *w, hz_forecast *out,
                                    hz_error *err);

/* Points and interval bounds kept at or above zero: auto = for each
 * series whose whole history is >= 0 (counts, sales). */
typedef enum hz_nonneg {
    HZ_NONNEG_AUTO = 0,
    HZ_NONNEG_ON,
    HZ_NONNEG_OFF
} hz_nonneg;

/* What hz_forecast_series_guarded did besides forecasting. */
typedef struct hz_forecast_guard {
    int mode;        /* in: hz_nonneg */
    int scale_exp;   /* out: fitted to y / 2^scale_exp (0: as given) */
    int nonnegative; /* out: 1 when points and bounds were kept >= 0 */
    size_t nclamped; /* out: point or bound values raised to 0 */
} hz_forecast_guard;

/* The same with every seasonal period of the series: models of several
 * seasons (mstl, dhr) use them all, the others the primary integer
 * period.  seasons NULL or empty: {period}; period 0: the floor of the
 * first season. */
HZ_API hz_status hz_forecast_series_seasons(const double *y, size_t n,
                                            const hz_seasons *seasons,
                                            int period, int model,
                                            uint64_t seed, hz_fc_workspace *w,
                                            hz_forecast *out, hz_error *err);

/* hz_forecast_series_seasons with the request runner's care: a series
 * whose largest magnitude lies outside [1e-6, 1e15] (where the models'
 * tolerances hold) is fitted divided by a power of two and its results
 * scaled back exactly (criteria and sigma^2 on the data's scale); then
 * points and bounds are kept >= 0 as g->mode says. */
HZ_API hz_status hz_forecast_series_guarded(
    const double *y, size_t n, const hz_seasons *seasons, int period,
    int model, uint64_t seed, hz_fc_workspace *w, hz_forecast *out,
    hz_forecast_guard *g, hz_error *err);

/* ---- many series at once ---- */

typedef enum hz_intervals {
    HZ_INTERVALS_MODEL = 0, /* each model's own intervals */
    HZ_INTERVALS_CONFORMAL  /* split-conformal from rolling-origin errors */
} hz_intervals;

HZ_API bool hz_intervals_parse(const char *s,
                               int *out); /* "model", "conformal" */

/* Conformal intervals (engine/forecast/conformal.c): every series is also
 * forecast from the origins n - 1, n - 2, ..., n - h - K + 1 (training data
 * only), so that for every step s its last K values are forecast s steps
 * ahead; each such error is a score, the error over the model's own
 * interval half-width at that step (upper or lower side; without one, the
 * mean absolute change times sqrt(s)), so series of any scale pool.  Step
 * s's interval at level L is the point forecast plus / minus the
 * ceil((N + 1) L)-th smallest of the N scores pooled over all series at
 * step s (and, while fewer than 2 / (1 - L) are there, its neighbouring
 * steps) times the model's half-widths.  Lower bounds stay at or above
 * zero where the model's did and the data are never negative.  Intervals
 * keep their promise on average over the series of one request
 * (bench/bench_conformal.c); one series alone gets what its own K origins
 * allow.  Costs h + K - 1 extra fits a series. */
typedef struct hz_fc_batch {
    size_t nseries;
    const double *const *y; /* y[i][0..n[i]): finite values */
    const size_t *n;
    const uint64_t *seeds;     /* per series; NULL: i + 1 */
    int period;                /* primary seasonal period */
    hz_seasons seasons;        /* every period (n 0: {period}) */
    int model;                 /* hz_fc_model */
    int threads;               /* 0: omp_get_max_threads() */
    int intervals;             /* hz_intervals */
    size_t cal_origins;        /* conformal origins per series (0: 5) */
    int nonnegative;           /* hz_nonneg: points and bounds of series with
                              no negative value kept >= 0 (default auto) */
    hz_forecast_guard *guards; /* optional out: per series, what the
                                  guard did (hz_forecast_series_guarded) */
    /* Optional out: rolling-origin errors of every series (as conformal
     * intervals', from the same fits when both are asked for): series i
     * forecast from its first n[i] - 1 - r values (r < err_origins), its
     * error s + 1 steps ahead, y - forecast, at
     * errors[(i * err_origins + r) * h + s]; NaN beyond the data, where
     * fewer than max(2 period, 8) values are left, or where the model
     * fails.  Costs err_origins extra fits a series (shared with the
     * conformal ones).  err_origins 0: none. */
    double *errors;
    size_t err_origins;
    /* Optional: the series' calendar (hz_series_set.cal) and each one's
     * first period, start[i]: a period a --tz zone's clocks skip is no
     * reading (its value estimated between its neighbours), so it is no
     * target of the conformal scores nor of the errors (NaN there), as a
     * backtest scores it not.  NULL: every value is a reading. */
    const hz_calendar *cal;
    const int64_t *start;
} hz_fc_batch;

HZ_API void hz_fc_batch_init(hz_fc_batch *b);

/* Forecast every series into out[i] (allocated by the caller with the
 * same h and levels; out[i]->fitted, when given, receives the fitted
 * values).  Each series goes through hz_forecast_series_guarded (scale,
 * non-negative bounds, also after the conformal adjustment).  A series that cannot be forecast at all gets
 * method "none", NaN values and the reason in its note.  Fails only on
 * bad arguments or ENOMEM.  Identical for any thread count. */
HZ_API hz_status hz_forecast_many(const hz_fc_batch *b,
                                  hz_forecast *const *out, hz_error *err);

/* ---- request over a dataset (the job runner's entry point) ---- */

struct hz_dataset;

typedef struct hz_forecast_request {
    const char *date_col, *value_col;
    const char *const *by_cols;
    size_t nby;
    int freq;       /* hz_freq (series.h); 0 = infer */
    int freq_minutes; /* with freq minute: minutes a period (a divisor
                         of 60; 0 or 1: one) */
    int agg;        /* hz_agg: sum (default), mean, count */
    size_t horizon; /* default 12 */
    size_t nlevels; /* default 2: 80, 95 */
    double levels[HZ_FC_MAX_LEVELS];
    int model;          /* hz_fc_model, default auto */
    uint64_t seed;      /* default 42 */
    int threads;        /* 0 = hz_default_threads() (horizon/threads.h) */
    int fill;           /* hz_fill: auto (default: zero, but see
                            HZ_FILL_AUTO), zero, interpolate or none */
    hz_seasons seasons; /* n == 0: the frequency's default periods */
    int long_format;    /* 1: by_cols identify independent series
                            (series_id,date,value files): each ends at
                            its own last period instead of the table's */
    int intervals;      /* hz_intervals (default model) */
    int reconcile;      /* hz_recon (reconcile.h): with by_cols, forecast
                            every level (total, each prefix of the group
                            columns, the groups) and reconcile them so
                            they add up; default none */
    int recon_bias;     /* hz_recon_bias (reconcile.h): with reconcile,
                            the base forecasts reconciled with the biases
                            their past errors show corrected first (auto,
                            the default, and on) or as they are (off) */
    int week_anchor;    /* -1 (default): as the data; 0 Monday .. 6 */
    int label_end;      /* -1 (default): as the data; 1 last day, 0 first */
    int nonnegative;    /* hz_nonneg: auto (default), on, off */
    int keep_fitted;    /* 1: keep fitted values (hz_forecast_series_result
                            .fitted) for diagnostics */
    int partial;        /* hz_partial (series.h): a part last period
                            left out (default), a part first one too,
                            or both kept */
    size_t rows_skipped_read; /* rows the reader skipped before ds
                                 (hz_series_opts.rows_skipped_read) */
    int keep_base; /* 1: with reconcile, keep each node's base forecast
                      (hz_forecast_series_result.base) */
} hz_forecast_request;

HZ_API void hz_forecast_request_init(hz_forecast_request *r);
/* The checks hz_forecast_run makes of a request before reading its
 * table (horizon, levels, model, intervals; a reconciliation needs
 * group columns, sums and a table rather than a long file): HZ_EINVAL
 * with the reason, as hz_forecast_run refuses it. */
HZ_API hz_status hz_forecast_request_check(const hz_forecast_request *req,
                                           hz_error *err);

typedef struct hz_forecast_series_result {
    char *key;           /* group values joined with '|' */
    size_t n;            /* history length (periods) */
    int64_t start;       /* period index of history[0] (hz_period_start) */
    double *history;     /* [n] the series the model was fitted to */
    int32_t last_day;    /* first day of the last history period */
    double last12_total; /* sum of the last min(12, n) periods */
    char method[80];     /* chosen model, e.g. "ETS(M,Ad,M)"; with
                            reconciliation its method after it
                            (" [mint-h]"): room for a model's whole
                            name (hz_forecast.method) and that */
    char note[192];      /* fallback reason, empty otherwise */
    hz_forecast *fc;     /* points, bounds, criteria, params (on the
                            scale of the data) */
    int32_t *days;       /* [h] label day of each forecast period */
    size_t nobs;         /* rows aggregated into the series */
    size_t nfilled;      /* periods filled (no rows) */
    unsigned char *filled_at; /* [n] 1 at a history period filled (no
                                 rows: zero or interpolated), NULL when
                                 none was */
    int nonnegative;     /* 1: points and bounds kept >= 0 */
    size_t nclamped;     /* point or bound values raised to 0 */
    int scale_exp;       /* fitted to history / 2^scale_exp (0: as is),
                            for values too large or small for the models;
                            results are scaled back */
    double *fitted;      /* [n] with keep_fitted: one-step fitted values
                            (NAN where the model has none), else NULL */
    int level;           /* reconciled: 0 total .. nby the groups (the
                            hierarchy's level); otherwise nby */
    hz_forecast *base;   /* with keep_base and reconcile: the node's own
                            model's forecast, before bias correction and
                            reconciliation (steps as fc's); else NULL */
    double *holdout;     /* hz_forecast_run_set: [horizon] the series'
                            (node's) values in the whole set at the
                            forecast's steps, NAN beyond them; else NULL */
} hz_forecast_series_result;

typedef struct hz_forecast_result {
    int freq;                       /* hz_freq used */
    hz_calendar cal;                /* periods and their labels */
    int period;                     /* primary seasonal period */
    hz_seasons seasons;             /* every seasonal period used */
    char freq_reason[192];          /* why this frequency (series.h) */
    char seasons_reason[64];        /* why these seasonal periods */
    hz_partial_period partial[2];   /* first and last periods the data
                                       do not cover whole (series.h) */
    size_t rows_repeated;           /* rows summed into a period already
                                       seen (hz_series_set) */
    char repeated_first[32];        /* the first of them */
    size_t names_similar;           /* group names another's but for case
                                       and blanks (hz_series_set) */
    char similar_first[2][64];      /* the first two of them */
    size_t rows_empty_key;          /* rows with an empty group value,
                                       the series they make, the first's
                                       place, column and series
                                       (hz_series_set) */
    size_t series_empty_key;
    char empty_key_first[96], empty_key_col[64], empty_key_series[64];
    bool zoned;                     /* dates with UTC offsets, periods
                                       in UTC (hz_series_set) */
    bool unix_times;                /* zoned as Unix times
                                       (hz_series_set) */
    size_t nfilled, nseries_filled; /* filled periods, series with any */
    char filled_first[32];          /* the earliest (hz_series_set) */
    size_t nskipped;                /* periods the clocks skip, estimated
                                       for the model (hz_series_set) */
    char skipped_first[16], skipped_last[16]; /* their days */
    size_t nskipped_ahead;          /* periods the clocks skip within the
                                       horizon of a series (the most of
                                       any): left out, one more step
                                       forecast for each */
    char ahead_first[16], ahead_last[16]; /* their days */
    size_t nnonneg, nclamped;       /* series kept >= 0, values raised */
    size_t horizon;                 /* steps of each series: periods
                                       that exist (the ones a --tz zone's
                                       clocks skip are left out:
                                       hz_forecast_result_label) */
    size_t nseries;
    hz_forecast_series_result *series; /* sorted by key; reconciled:
                                          level by level (total first),
                                          sorted by key in a level */
    int reconcile;                     /* hz_recon used */
    double lambda;                     /* mint's shrinkage intensity */
    size_t bias_nodes, bias_steps;     /* nodes and (node, step) pairs
                                          bias-corrected before
                                          reconciling */
    size_t rows_used, rows_skipped;    /* hz_series_set's */
    double seconds_series, seconds_models; /* timings */
} hz_forecast_result;

/* Does a series' note say it fell back to a simpler model (rather than
 * only that it was bias-corrected before reconciling, has no intervals,
 * has a reconciled point below zero, or kept the model's intervals where
 * conformal ones were asked for)? */
HZ_API bool hz_forecast_note_is_fallback(const char *note);
/* Does a series' note say that some of its bounds are the model's,
 * although conformal intervals were asked for (no series of the request
 * was long enough to hold out values, or too few values were held out
 * for a level's quantile: hz_forecast_note_conformal_few)? */
HZ_API bool hz_forecast_note_conformal_kept(const char *note);
/* ... because at some steps a level had too few held-out errors for its
 * quantile (p / (100 - p) of them for p%: 19 for 95%)? */
HZ_API bool hz_forecast_note_conformal_few(const char *note);

HZ_API hz_status hz_forecast_run(const struct hz_dataset *ds,
                                 const hz_forecast_request *req,
                                 hz_forecast_result **out, hz_error *err);
/* The request on series already built from its table (set, as
 * hz_series_build gives them with the request's options), each cut to
 * its periods before period `end` (a series without any left out), every
 * series (reconciled: every node of the hierarchy of the cut series)
 * forecast from there as hz_forecast_run forecasts them, and their
 * holdout values (hz_forecast_series_result.holdout) taken from the
 * whole set: one origin of a rolling-origin backtest (horizon backtest
 * --reconcile).  Refuses what hz_forecast_run refuses; HZ_EINVAL when
 * no series has a period before `end`. */
HZ_API hz_status hz_forecast_run_set(const hz_series_set *set, int64_t end,
                                     const hz_forecast_request *req,
                                     hz_forecast_result **out, hz_error *err);
/* Label of forecast period h of series i (as the input labels its
 * periods: 2024-03, 2024-03-31, 2024-W05, ...) into buf (>= 24 bytes). */
HZ_API char *hz_forecast_result_label(const hz_forecast_result *r, size_t i,
                                      size_t h, char *buf, size_t n);
/* Label of history period t of series i. */
HZ_API char *hz_forecast_result_history_label(const hz_forecast_result *r,
                                              size_t i, size_t t, char *buf,
                                              size_t n);
/* CSV: series,date,point,lo80,hi80,lo95,hi95,model,note */
HZ_API hz_status hz_forecast_result_write_csv(const hz_forecast_result *r,
                                              FILE *f, hz_error *err);
/* Diagnostics CSV, one row per series: series,model,params,n,nobs,
 * filled,loglik,aic,aicc,bic,sigma2,ljung_box_lag,ljung_box_p,mase_insample,
 * nonnegative,clamped,scale,note (see README "Diagnostics"). */
HZ_API hz_status hz_forecast_result_write_diagnostics(
    const hz_forecast_result *r, FILE *f, hz_error *err);
/* Fitted values CSV (needs keep_fitted): series,date,actual,fitted,
 * residual for every history period. */
HZ_API hz_status hz_forecast_result_write_fitted(const hz_forecast_result *r,
                                                 FILE *f, hz_error *err);
/* JSON: {"freq":..,"horizon":..,"series":[{"key":..,"model":..,
 * "note":..,"history":{..},"forecast":[{"date":..,"point":..,
 * "lo80":..,...}]}]} */
HZ_API hz_status hz_forecast_result_write_json(const hz_forecast_result *r,
                                               FILE *f, hz_error *err);
HZ_API void hz_forecast_result_free(hz_forecast_result *r); /* NULL allowed */

#ifdef __cplusplus
}
#endif
#endif
