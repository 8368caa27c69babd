/* Customer analytics: one entry point for the job runner and the CLI.
 *
 *   CLV      customer summary (customer.h) -> BG/NBD + Gamma-Gamma ->
 *            P(alive), expected purchases and spend, discounted CLV.
 *   CHURN    with label_col: the table has one row per customer; L2
 *            logistic regression on every other column (numbers as they
 *            are, text one-hot, standardised), stratified k-fold ROC AUC
 *            and log-loss, coefficients and odds ratios, per-customer
 *            probabilities.  Without a label the table is transactions:
 *            churn risk = 1 - P(alive) from BG/NBD, and a recency rule
 *            flags customers with no purchase in the last inactive_days
 *            (the method is stated in the summary).
 *   SEGMENT  RFM quintile scores and named segments (rfm.h), and k-means
 *            on standardised (log1p R, log1p F, log1p M) with k chosen by
 *            sampled silhouette when k = 0 (k = 2..k_max fitted on at most
 *            20,000 customers with at most 3 restarts; no positive
 *            silhouette -> one cluster); above 200,000 customers the
 *            n_init restarts run on a deterministic 100,000-customer
 *            sample and the best centres are refined by Lloyd on all of
 *            them; segment and cluster profiles.
 *   SUITE    one ingest and one customer summary; CLV, churn and segments
 *            run concurrently (OpenMP sections: the BG/NBD fit beside the
 *            segments followed by the Gamma-Gamma fit, and the labelled
 *            churn model; then the CLV predictions on all threads).
 *            With a label_col the label is taken per customer (1 when
 *            any of its rows is positive) and the churn model uses the
 *            summary features
 *            (recency, frequency, T, monetary, total spend).  A failing
 *            part (e.g. a BG/NBD that cannot be identified) is reported in
 *            the summary ("error" of that part) while the others complete.
 *
 * Results are identical for a seed whatever the thread count. */
#ifndef HORIZON_ANALYTICS_H
#define HORIZON_ANALYTICS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "horizon/bgnbd.h"
#include "horizon/common.h"
#include "horizon/customer.h"
#include "horizon/dataset.h"
#include "horizon/gammagamma.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    HZ_ANALYSIS_CLV,
    HZ_ANALYSIS_CHURN,
    HZ_ANALYSIS_SEGMENT,
    HZ_ANALYSIS_SUITE
} hz_analysis_kind;

typedef struct hz_analytics_request {
    const char *customer_col; /* NULL = guess (customer_id, customer, ...)*/
    const char *date_col;     /* NULL = guess (first date column) */
    const char *amount_col;   /* NULL = guess (revenue, amount, sales...) */
    const char *label_col;    /* NULL = none */
    int32_t as_of;            /* HZ_DAY_NONE = last transaction day */
    int32_t calibration_end;  /* HZ_DAY_NONE = no holdout split */
    hz_time_unit unit;        /* days (default) or weeks */
    int horizon_months;       /* CLV horizon, default 12 */
    double discount_rate;     /* monthly, default 0.01 */
    int k;                    /* k-means clusters, 0 = choose 2..k_max */
    int k_max;                /* default 8 */
    int n_init;               /* k-means restarts, default 10 */
    int inactive_days;        /* recency rule, default 90 */
    int folds;                /* CV folds, default 5 */
    double C;                 /* logistic inverse penalty, default 1 */
    uint64_t seed;            /* default 42 */
    int threads;              /* 0 = OpenMP default */
} hz_analytics_request;

typedef struct hz_analytics_result hz_analytics_result;

HZ_API void hz_analytics_request_init(hz_analytics_request *req);

/* "clv", "churn", "segment", "suite"; parse returns false when unknown. */
HZ_API const char *hz_analysis_kind_name(hz_analysis_kind k);
HZ_API bool hz_analysis_kind_parse(const char *s, hz_analysis_kind *out);

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
/* A short human-readable summary. */
HZ_API hz_status hz_analytics_result_write_text(const hz_analytics_result *r,
                                                FILE *f, hz_error *err);
HZ_API void hz_analytics_result_free(hz_analytics_result *r);

/* ---- accessors for the summary (NaN / 0 / NULL when not computed) ---- */
HZ_API hz_analysis_kind hz_analytics_kind(const hz_analytics_result *r);
HZ_API size_t hz_analytics_customers(const hz_analytics_result *r);
/* Churn rate: observed share of positive labels (label given) or the
 * share flagged at risk by the recency rule (no label). */
HZ_API double hz_analytics_churn_rate(const hz_analytics_result *r);
/* Mean predicted churn probability (or mean 1 - P(alive)). */
HZ_API double hz_analytics_churn_mean_risk(const hz_analytics_result *r);
/* Cross-validated ROC AUC (label given). */
HZ_API double hz_analytics_churn_auc(const hz_analytics_result *r);
/* Up to max drivers by |coefficient| (standardised features), largest
 * first; returns how many were written. */
HZ_API size_t hz_analytics_top_drivers(const hz_analytics_result *r,
                                       size_t max, const char **names,
                                       double *coef, double *odds_ratio);
/* CLV quantile q in [0, 1] over customers; total CLV. */
HZ_API double hz_analytics_clv_quantile(const hz_analytics_result *r,
                                        double q);
HZ_API double hz_analytics_clv_total(const hz_analytics_result *r);
HZ_API const hz_bgnbd_model *hz_analytics_bgnbd(const hz_analytics_result *r);
HZ_API const hz_gg_model *hz_analytics_gammagamma(
    const hz_analytics_result *r);
/* RFM segments (index 0..segments-1): name, size, revenue share. */
HZ_API size_t hz_analytics_segments(const hz_analytics_result *r);
HZ_API bool hz_analytics_segment(const hz_analytics_result *r, size_t i,
                                 const char **name, size_t *size,
                                 double *revenue_share);
/* k-means clusters used (0 when not run). */
HZ_API int hz_analytics_clusters(const hz_analytics_result *r);
/* Error text of a part that failed inside a suite ("" when fine);
 * part is "clv", "churn" or "segment". */
HZ_API const char *hz_analytics_part_error(const hz_analytics_result *r,
                                           const char *part);

#ifdef __cplusplus
}
#endif
#endif
