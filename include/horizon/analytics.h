/* Customer analytics: one entry point for the job runner and the CLI.
 *
 *   CLV      customer summary (customer.h) -> BG/NBD or Pareto/NBD (the
 *            purchase model, `model`) + Gamma-Gamma -> P(alive), expected
 *            purchases over an exact horizon, expected spend, discounted
 *            CLV; E[X(t)] and P(X(t) = k) for a new customer.  With a
 *            calibration end both purchase models are fitted and compared
 *            on the holdout (holdout.h).  Each sub-model fails alone:
 *            without the spend model the purchase outputs are still
 *            written (the CLV columns are empty, the reason stated).
 *   CHURN    with label_col: the table has one row per customer; L2
 *            logistic regression on every other column (numbers as they
 *            are, text one-hot, standardised), stratified k-fold ROC AUC
 *            and log-loss, coefficients with standard errors, odds ratios
 *            per unit and per standard deviation, per-customer
 *            probabilities.  Without a label the table is transactions:
 *            churn risk from the purchase model (`risk`: 1 - P(alive), or
 *            the probability of no purchase in the next inactive_days)
 *            and a recency rule; the method is stated in the summary.
 *   SEGMENT  RFM quintile scores and named segments (rfm.h), and k-means
 *            on standardised (log1p R, log1p F, log1p M); k = 4 unless
 *            asked (k = 0: chosen by sampled silhouette among 2..k_max;
 *            on real data that rule tends to pick k = 2).
 *   SURVIVAL one row per customer with a duration and an event column:
 *            Kaplan-Meier curve and, with covariates, a Cox model
 *            (survival.h); per customer the risk score and S(t).
 *   SUITE    one ingest and one customer summary; CLV, churn and segments
 *            run concurrently.  A failing part is reported in the summary
 *            ("error" of that part) while the others complete.
 *
 * Everything a report charts is plain data behind the accessors below.
 * Results are identical for a seed whatever the thread count. */
#ifndef HORIZON_ANALYTICS_H
#define HORIZON_ANALYTICS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "horizon/bgnbd.h"
#include "horizon/clv.h"
#include "horizon/common.h"
#include "horizon/csv.h"
#include "horizon/customer.h"
#include "horizon/dataset.h"
#include "horizon/gammagamma.h"
#include "horizon/holdout.h"
#include "horizon/pnbd.h"
#include "horizon/survival.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    HZ_ANALYSIS_CLV,
    HZ_ANALYSIS_CHURN,
    HZ_ANALYSIS_SEGMENT,
    HZ_ANALYSIS_SUITE,
    HZ_ANALYSIS_SURVIVAL
} hz_analysis_kind;

/* Churn risk without a label. */
typedef enum {
    HZ_RISK_P_ALIVE = 0,    /* 1 - P(alive): 0 for every one-time buyer
                              under BG/NBD (it only lets customers drop out
                              right after a purchase) */
    HZ_RISK_NO_PURCHASE = 1 /* P(no purchase in the next inactive_days):
                               dead, or alive and silent; defined for
                               one-time buyers too */
} hz_risk_rule;

/* What F (frequency) counts in RFM and k-means. */
typedef enum {
    HZ_FREQ_DAYS = 0,   /* distinct purchase days (x + 1) */
    HZ_FREQ_ORDERS = 1, /* distinct order ids (needs order_col) */
    HZ_FREQ_ROWS = 2    /* input rows */
} hz_frequency_kind;

typedef struct hz_analytics_model hz_analytics_model; /* saved model */

#define HZ_SURV_TIMES_MAX 16

typedef struct hz_analytics_request {
    const char *customer_col;    /* NULL = guess (customer_id, customer, ...)*/
    const char *date_col;        /* NULL = guess (first date column) */
    const char *amount_col;      /* NULL = guess (revenue, amount, sales...) */
    const char *label_col;       /* NULL = none */
    const char *order_col;       /* order ids for HZ_FREQ_ORDERS (NULL =
                                 guess order_id, invoice, invoiceno, ...) */
    int32_t as_of;               /* HZ_DAY_NONE = last transaction day */
    int32_t calibration_end;     /* HZ_DAY_NONE = no holdout split */
    hz_time_unit unit;           /* days (default) or weeks */
    hz_purchase_kind model;      /* purchase model, default BG/NBD */
    int horizon_months;          /* CLV horizon in months (default 12) when */
    double horizon_days;         /*   horizon_days is 0; else exact, in days */
    double discount_rate;        /* per month of 365.25/12 days (0.01) */
    hz_risk_rule risk;           /* churn risk without a label */
    hz_frequency_kind frequency; /* F of RFM / k-means */
    int k;     /* k-means clusters; -1 (default) = 4, or the number of distinct
              customers when fewer; 0 = chosen by silhouette */
    int k_max; /* largest k tried when choosing (8) */
    int n_init;        /* k-means restarts, default 10 */
    int inactive_days; /* recency rule and risk window (90) */
    int folds;         /* CV folds, default 5 */
    double C;          /* logistic inverse penalty, default 1 */
    const char *keep_ids; /* churn with a label: comma-separated columns
                             used as features although they look like
                             identifiers (hz_design_from_dataset_keep;
                             NULL: none) */
    bool dedupe;       /* transactions: leave out rows that repeat an
                          earlier row in every column (default: kept,
                          and said) */
    uint64_t seed;     /* default 42 */
    int threads;       /* 0 = OpenMP default */
    /* survival */
    const char *duration_col; /* tenure */
    const char *event_col;    /* yes/no, true/false or 0/1 */
    const char *covariates;   /* comma-separated columns (NULL: KM only) */
    double surv_times[HZ_SURV_TIMES_MAX]; /* S(t) reported at these */
    size_t n_surv_times; /* 0 = 12, 24, 36, ... up to the longest */
    /* a saved model (hz_analytics_model_load): fitted parameters are
     * taken from it instead of being fitted (NULL = fit) */
    const hz_analytics_model *model_in;
} hz_analytics_request;

typedef struct hz_analytics_result hz_analytics_result;

HZ_API void hz_analytics_request_init(hz_analytics_request *req);

/* "clv", "churn", "segment", "suite", "survival"; parse returns false
 * when unknown. */
HZ_API const char *hz_analysis_kind_name(hz_analysis_kind k);
HZ_API bool hz_analysis_kind_parse(const char *s, hz_analysis_kind *out);

/* The CLV horizon of a request in days. */
HZ_API double hz_analytics_horizon_days(const hz_analytics_request *req);

/* The columns an analysis will use, for the CSV reader
 * (hz_csv_options.want = hz_analytics_csv_want, want_ctx = an
 * hz_analytics_input): picked from the header as hz_analytics_run picks
 * them (named by the request, else guessed from the names).  The
 * customer id (and the order id) is read as text, as written, so that
 * 00123 and 123 are two customers; the amount and the purchase date of
 * transactions are read strictly, so that a bad value is an error with
 * its place.  req must outlive the read. */
typedef struct hz_analytics_input {
    const hz_analytics_request *req;
    hz_analysis_kind kind;
} hz_analytics_input;
HZ_API void hz_analytics_csv_want(void *ctx, const char *const *names,
                                  const hz_type *types, size_t n,
                                  hz_csv_want *want);

/* Run one analysis over ds.  Errors name the column or customer at fault
 * (missing column, negative amounts, no repeat buyers, ...). */
HZ_API hz_status hz_analytics_run(const hz_dataset *ds, hz_analysis_kind kind,
                                  const hz_analytics_request *req,
                                  hz_analytics_result **out, hz_error *err);

/* Per-customer rows as CSV (header first). */
HZ_API hz_status hz_analytics_result_write_csv(const hz_analytics_result *r,
                                               FILE *f, hz_error *err);
/* {"analysis":..., "summary":{...}, "customers":[...]} (customers left
 * out when with_rows is false). */
HZ_API hz_status hz_analytics_result_write_json(const hz_analytics_result *r,
                                                FILE *f, bool with_rows,
                                                hz_error *err);
/* Customer i's row of the "customers" array above: one JSON object, on
 * one line (strings are escaped), no trailing newline. */
HZ_API void hz_analytics_result_write_row_json(const hz_analytics_result *r,
                                               size_t i, FILE *f);
/* A short human-readable summary (with the holdout and survival tables
 * when computed). */
HZ_API hz_status hz_analytics_result_write_text(const hz_analytics_result *r,
                                                FILE *f, hz_error *err);
/* The summary's notes on the data, one a line, as the text above has
 * them: the as-of date and what it cut, refunds, duplicate rows, the
 * calibration end; lines that warn begin "warning: ".  Nothing for a
 * customer table. */
HZ_API void hz_analytics_result_write_notes(const hz_analytics_result *r,
                                            FILE *f);
/* The warning on the as-of date (a last date far after the one before
 * it, or a given as-of far after the data's last date), the text's
 * "warning: " line and the JSON's as_of_warning, into buf: false when
 * there is none. */
HZ_API bool hz_analytics_as_of_warning(const hz_analytics_result *r,
                                       char *buf, size_t cap);
HZ_API void hz_analytics_result_free(hz_analytics_result *r);

/* ---- saved models (JSON; see README "Reusable models") ---- */

/* Write the fitted parameters of r (purchase models, Gamma-Gamma, the
 * churn model with its encoding and scaling) as a JSON model file.
 * HZ_EINVAL when r holds no fitted model. */
HZ_API hz_status hz_analytics_model_write(const hz_analytics_result *r,
                                          FILE *f, hz_error *err);
/* Read a model file (path names it in errors).  Errors: HZ_EIO, HZ_EPARSE
 * (bad JSON or a missing/invalid field, named). */
HZ_API hz_status hz_analytics_model_load(const char *path,
                                         hz_analytics_model **out,
                                         hz_error *err);
HZ_API hz_status hz_analytics_model_parse(const char *text, size_t len,
                                          const char *name,
                                          hz_analytics_model **out,
                                          hz_error *err);
HZ_API void hz_analytics_model_free(hz_analytics_model *m);
/* The purchase model m was saved with (its purchase_model, else the one
 * it holds): what applying it uses unless the request names the other.
 * false when m holds no purchase model. */
HZ_API bool hz_analytics_model_purchase(const hz_analytics_model *m,
                                        hz_purchase_kind *kind);

/* ---- accessors for the summary (NaN / 0 / NULL when not computed) ---- */
HZ_API hz_analysis_kind hz_analytics_kind(const hz_analytics_result *r);
HZ_API size_t hz_analytics_customers(const hz_analytics_result *r);
/* The purchase dates carried UTC offsets (+01:00, Z): read as UTC
 * instants, so purchases fall on UTC days (a purchase at 23:30-05:00 on
 * the next day). */
HZ_API bool hz_analytics_dates_zoned(const hz_analytics_result *r);
/* Those zoned dates were Unix times (timestamp:unix, :unix_ms), which
 * count in UTC without writing an offset. */
HZ_API bool hz_analytics_dates_unix(const hz_analytics_result *r);
/* Churn rate: observed share of positive labels (label given) or the
 * share flagged at risk by the recency rule (no label). */
HZ_API double hz_analytics_churn_rate(const hz_analytics_result *r);
/* Mean predicted churn probability (or mean risk by the risk rule). */
HZ_API double hz_analytics_churn_mean_risk(const hz_analytics_result *r);
/* Cross-validated ROC AUC (label given). */
HZ_API double hz_analytics_churn_auc(const hz_analytics_result *r);
/* Up to max drivers by |coefficient| (standardised features), largest
 * first; returns how many were written.  odds_ratio is per unit of the
 * feature (a 0/1 dummy: from 0 to 1). */
HZ_API size_t hz_analytics_top_drivers(const hz_analytics_result *r,
                                       size_t max, const char **names,
                                       double *coef, double *odds_ratio);

/* A churn driver with its interval. */
typedef struct hz_churn_driver {
    const char *name;  /* "col" or "col=level" */
    double coef;       /* per standard deviation of the feature */
    double se;         /* standard error of coef (NaN if unavailable) */
    double coef_unit;  /* per unit of the feature: coef / sd */
    double odds_ratio; /* exp(coef_unit): per unit (0 -> 1 for a dummy) */
    double or_lower;   /* 95% interval of odds_ratio */
    double or_upper;
    double odds_ratio_sd; /* exp(coef): per standard deviation */
    double mean, sd;      /* the feature's standardisation */
} hz_churn_driver;

/* All drivers in feature order (NULL, *n = 0 without a labelled model). */
HZ_API const hz_churn_driver *hz_analytics_churn_drivers(
    const hz_analytics_result *r, size_t *n);

/* ROC curve of the out-of-fold probabilities: n points from (0, 0) to
 * (1, 1), thresholds descending (at most 501 points). */
typedef struct hz_roc_curve {
    size_t n;
    const double *fpr, *tpr, *threshold;
} hz_roc_curve;
HZ_API const hz_roc_curve *hz_analytics_roc(const hz_analytics_result *r);

/* CLV quantile q in [0, 1] over customers; total CLV. */
HZ_API double hz_analytics_clv_quantile(const hz_analytics_result *r,
                                        double q);
HZ_API double hz_analytics_clv_total(const hz_analytics_result *r);
/* Every customer's CLV, ascending (the distribution; *n values). */
HZ_API const double *hz_analytics_clv_sorted(const hz_analytics_result *r,
                                             size_t *n);
HZ_API const hz_bgnbd_model *hz_analytics_bgnbd(const hz_analytics_result *r);
HZ_API const hz_pnbd_model *hz_analytics_pnbd(const hz_analytics_result *r);
HZ_API const hz_gg_model *hz_analytics_gammagamma(
    const hz_analytics_result *r);
/* The purchase model used for the per-customer predictions. */
HZ_API hz_purchase_kind
hz_analytics_purchase_model(const hz_analytics_result *r);
/* The holdout comparison of a purchase model (NULL when there is no
 * holdout or that model failed). */
HZ_API const hz_holdout_report *hz_analytics_holdout(
    const hz_analytics_result *r, hz_purchase_kind m);

/* P(alive) on a grid for a heatmap: frequency x = 0..nx-1 (rows) and
 * recency t_x = recency[j] (columns, 0 to T), at age T (the largest in
 * the data); p[i * nr + j] (NaN where t_x = 0 < x, impossible). */
typedef struct hz_palive_matrix {
    size_t nx, nr;
    double T;
    const double *recency;
    const double *p;
} hz_palive_matrix;
HZ_API const hz_palive_matrix *hz_analytics_palive_matrix(
    const hz_analytics_result *r);

/* New-customer forecast over the horizon t (days): E[X(t)] and
 * P(X(t) = k) for k < *n. */
HZ_API double hz_analytics_expected_new(const hz_analytics_result *r,
                                        const double **pmf, size_t *n);

/* A per-customer column by name (CSV header names: "recency_days",
 * "frequency", "recency", "T", "monetary_value", "total_spend",
 * "refunds" (a file with refunds only), "frequency_holdout", "p_alive", "expected_purchases", "expected_spend",
 * "clv", "churn_risk", "churn_probability", "churn_probability_cv",
 * "rfm_frequency", "duration", "risk_score"); NULL when not computed.
 * Values are in customer order (hz_analytics_customer_id). */
HZ_API const double *hz_analytics_values(const hz_analytics_result *r,
                                         const char *name);
HZ_API const char *hz_analytics_customer_id(const hz_analytics_result *r,
                                            size_t i);

/* RFM segments (index 0..segments-1): name, size, revenue share. */
HZ_API size_t hz_analytics_segments(const hz_analytics_result *r);
HZ_API bool hz_analytics_segment(const hz_analytics_result *r, size_t i,
                                 const char **name, size_t *size,
                                 double *revenue_share);
/* Per-customer RFM scores and segment (n values each; NULL if not run). */
HZ_API const uint8_t *hz_analytics_rfm(const hz_analytics_result *r,
                                       char which);
/* k-means clusters used (0 when not run); their centres in original units
 * (k rows of recency days, frequency, total spend), inertia (standardised
 * log space) and Lloyd iterations. */
HZ_API int hz_analytics_clusters(const hz_analytics_result *r);
HZ_API const double *hz_analytics_cluster_centers(const hz_analytics_result *r,
                                                  double *inertia,
                                                  int *iterations);
HZ_API const int32_t *hz_analytics_cluster_labels(
    const hz_analytics_result *r);

/* Survival: the Kaplan-Meier curve and the Cox model (NULL if absent). */
HZ_API const hz_km_curve *hz_analytics_km(const hz_analytics_result *r);
HZ_API const hz_cox_model *hz_analytics_cox(const hz_analytics_result *r,
                                            const char *const **names);

/* Error text of a part that failed ("" when fine); part is "clv",
 * "spend", "churn", "segment" or "survival". */
HZ_API const char *hz_analytics_part_error(const hz_analytics_result *r,
                                           const char *part);

/* HZ_OK when every part the analysis ran gave its results; else
 * HZ_EINVAL with each failed part and its reason in err ("the churn
 * model (churn part) failed: ...; the spend model (spend part) failed:
 * ...").  hz_analytics_run returns a
 * suite (and churn without a label, whose risk comes from the purchase
 * model, and clv, whose values come from the spend model) with its
 * failed parts recorded, for a caller that wants what did work; the
 * horizon command and the job runner refuse such a result whole, since
 * its output would look complete when it is not. */
HZ_API hz_status hz_analytics_parts_ok(const hz_analytics_result *r,
                                       hz_error *err);

#ifdef __cplusplus
}
#endif
#endif
