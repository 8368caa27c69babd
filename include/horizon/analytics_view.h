/* A read-only view of a customer analysis as plain arrays, for writers
 * such as the HTML report (report.h).
 *
 * Every pointer points into the result it was taken from and is valid
 * while that result lives; a part that was not run (or failed) leaves its
 * pointers NULL and its error text set. */
#ifndef HORIZON_ANALYTICS_VIEW_H
#define HORIZON_ANALYTICS_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "horizon/analytics.h"
#include "horizon/bgnbd.h"
#include "horizon/clv.h"
#include "horizon/customer.h"
#include "horizon/gammagamma.h"
#include "horizon/rfm.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hz_analytics_view {
    hz_analysis_kind kind;
    size_t n; /* customers */
    /* transactions summary (NULL for a labelled churn table) */
    hz_time_unit unit;
    int32_t as_of, calibration_end;  /* day numbers */
    const double *frequency;         /* x: repeat purchase days */
    const double *recency;           /* t_x, in unit */
    const double *T;                 /* age, in unit */
    const double *monetary;          /* mean repeat transaction value */
    const double *total_spend;       /* calibration spend */
    const double *days_since_last;   /* days since the last purchase */
    const double *frequency_holdout; /* NULL without a holdout split */
    double duration_holdout;         /* holdout length, in unit */
    /* clv */
    const hz_bgnbd_model *bgnbd; /* NULL when not fitted */
    const hz_gg_model *gg;       /* NULL when not fitted */
    /* the model of p_alive, expected_purchases and clv (--model) */
    hz_purchase_kind purchase_model;
    const double *p_alive, *expected_purchases, *clv;
    int horizon_months;
    const char *clv_error; /* "" when fine or not run */
    /* churn */
    bool churn_run, churn_labelled;
    const char *churn_method;
    const char *churn_model; /* what the risk comes from, in a few words
                                ("1 - P(alive) (BG/NBD) and a recency
                                rule", "logistic regression on the churn
                                label") */
    double churn_rate, churn_mean_risk;
    const int8_t *label;      /* labelled: 0/1 per customer */
    const double *churn_prob; /* labelled: in-sample probability */
    const double *churn_oof;  /* labelled: out-of-fold probability */
    int folds;
    double auc, auc_sd; /* cross-validated ROC AUC */
    size_t nfeat;
    const char *const *feat;         /* [nfeat] feature names */
    const double *coef;              /* [nfeat] standardised coefficients */
    const double *coef_lo, *coef_hi; /* [nfeat] interval bounds, or NULL */
    double coef_level;               /* their level, percent (e.g. 95) */
    const char *churn_error;
    /* segments */
    const uint8_t *segment; /* RFM segment per customer (rfm.h) */
    const hz_segment_profile *segment_profile; /* [HZ_SEG_COUNT] */
    int k;                                     /* k-means clusters */
    const int32_t *cluster;
    const hz_segment_profile *cluster_profile; /* [k] */
    const char *segment_error;
    /* notes on the data, one a line (hz_analytics_result_write_notes), or
     * NULL: left to the caller, since the view holds no text of its own */
    const char *notes;
} hz_analytics_view;

/* Fill v from r (r not NULL). */
HZ_API void hz_analytics_view_of(const hz_analytics_result *r,
                                 hz_analytics_view *v);

#ifdef __cplusplus
}
#endif
#endif
