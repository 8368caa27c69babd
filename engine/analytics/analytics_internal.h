/* Internals shared by the customer-analytics engine files: block sums,
 * summary triples, and the analytics result (analytics*.c).
 * Not a public header. */
#ifndef HZ_ANALYTICS_INTERNAL_H
#define HZ_ANALYTICS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "horizon/analytics.h"
#include "horizon/common.h"
#include "horizon/kmeans.h"
#include "horizon/logreg.h"
#include "horizon/rfm.h"

/* Reductions are done over fixed blocks of HZ__BLOCK items whose partial
 * sums are added in block order, so results do not depend on the thread
 * count. */
#define HZ__BLOCK 2048

static inline size_t hz__nblocks(size_t n)
{
    return (n + HZ__BLOCK - 1) / HZ__BLOCK;
}

/* Fits with more distinct rows than this first fit a deterministic
 * sample of about HZ__WARM_SAMPLE of them (every step-th) and start the
 * full fit's Newton steps from there. */
#define HZ__WARM_MIN 100000
#define HZ__WARM_SAMPLE 20000

/* A distinct (x, t_x, T) summary and how many customers have it. */
typedef struct hz__triple {
    double x, tx, T, w;
} hz__triple;

/* Check customer i's summary: integer x >= 0, 0 <= t_x <= T, t_x > 0
 * exactly when x > 0; HZ_EINVAL naming the customer otherwise. */
hz_status hz__summary_row_check(const double *x, const double *tx,
                                const double *T, size_t i, hz_error *err);

/* The distinct triples of n checked summaries, sorted by (x, t_x, T),
 * with weights (*out malloc'd, *m of them). */
hz_status hz__triples_build(const double *x, const double *tx, const double *T,
                            size_t n, hz__triple **out, size_t *m,
                            hz_error *err);

/* Flag (set *boundary, append to note) each of k fitted parameters whose
 * standard error is NaN or above 1000 times its value: the data do not
 * pin it down (fitflags.c). */
void hz__flag_unidentified(const char *const *names, const double *val,
                           const double *se, size_t k, bool *boundary,
                           char *note, size_t cap);

/* ---- the analytics result (analytics*.c) ---- */

#define HZ__KMAX_CHOICES 16
#define HZ__PMF_MAX 16

/* CLV: purchase models, spend model, predictions, holdout reports. */
typedef struct hz__clv_part {
    bool run, ok;              /* ok: a purchase model gave predictions */
    char err[HZ_ERROR_MAX];    /* why there are no predictions */
    bool bg_ok, pn_ok, gg_ok;  /* each fitted (or loaded) model */
    char bg_err[HZ_ERROR_MAX]; /* per model, when both were tried */
    char pn_err[HZ_ERROR_MAX];
    char gg_err[HZ_ERROR_MAX]; /* spend model: the CLV columns are empty */
    bool loaded;               /* parameters from a model file */
    hz_purchase_kind model;    /* used for the predictions */
    hz_purchase_model pm;
    hz_bgnbd_model bg;
    hz_pnbd_model pn;
    hz_gg_model gg;
    double horizon_days;
    double *p_alive, *exp_purch, *exp_spend, *clv, *clv_sorted;
    double *p_silent;           /* P(no purchase in the next inactive_days) */
    double clv_total, clv_q[5]; /* p10 p25 p50 p75 p90 */
    size_t one_time;            /* customers with x = 0 */
    size_t sure_alive;          /* P(alive) >= 0.9999 */
    double expected_new, pmf[HZ__PMF_MAX];
    bool hold_ok[2];
    hz_holdout_report hold[2]; /* by hz_purchase_kind */
    hz_palive_matrix pam;
    double *pam_buf;
} hz__clv_part;

typedef struct hz__churn_part {
    bool run, ok, labelled, loaded;
    char err[HZ_ERROR_MAX];
    char method[2048];
    char model[128]; /* what the risk comes from, in a few words */
    double *prob, *oof, *risk;
    int8_t *label;
    uint8_t *inactive;
    hz_logreg_cv cv;
    bool has_cv;
    double auc_in; /* in-sample AUC (a loaded model with labels) */
    size_t nfeat;
    char **feat;  /* "col" or "col=level" */
    char **src;   /* source column of each feature */
    char **level; /* its level (NULL for a number) */
    double *coef, *se, *mean, *sd;
    double *coef_lo, *coef_hi; /* 95% intervals of coef (NULL: none) */
    double intercept;
    hz_churn_driver *drivers;
    double rate, mean_risk;
    size_t dropped, one_time;
    char skipped[HZ_ERROR_MAX];
    char *label_name;
    hz_roc_curve roc;
    double *roc_buf;
} hz__churn_part;

#define HZ__KMEANS_DEFAULT_K 4 /* k-means clusters unless asked */
#define HZ__KMEANS_MAX_K 1000  /* the largest k that may be asked */

typedef struct hz__seg_part {
    bool run, ok;
    char err[HZ_ERROR_MAX];
    uint8_t *rs, *fs, *ms, *seg;
    int32_t *cluster;
    int k;
    bool k_chosen;  /* by silhouette (--k auto) */
    bool k_default; /* the default, 4, or fewer when k_default_max is less */
    int k_default_max; /* customers with distinct R, F, M (up to 4) */
    double sil[HZ__KMAX_CHOICES];
    int sil_kmin, sil_kmax;
    hz_segment_profile segprof[HZ_SEG_COUNT];
    hz_segment_profile *clprof;
    double inertia;
    int iterations;
    double *centers; /* k x 3, original units */
    double *fval;    /* F as chosen by the frequency kind */
} hz__seg_part;

typedef struct hz__surv_part {
    bool run, ok, cox_ok; /* cox_ok: fitted (asked for with covariates) */
    char err[HZ_ERROR_MAX];
    hz_km_curve km;
    hz_cox_model cox;
    char **names;                                    /* covariate names (p) */
    double *duration, *event, *risk_score, *surv_at; /* n, n x ntimes */
    double times[HZ_SURV_TIMES_MAX];
    size_t ntimes;
} hz__surv_part;

struct hz_analytics_result {
    hz_analysis_kind kind;
    hz_analytics_request req; /* column names and model_in cleared */
    /* the customer, date and amount columns used, and whether each was
     * guessed (not named in the request) */
    char col_name[3][128];
    bool col_guessed[3];
    bool dates_zoned; /* the date column's times carried UTC offsets */
    bool dates_unix;  /* zoned, as they were Unix times */
    size_t n;
    char *idbuf;
    size_t *idoff;
    /* transactions summary (NULL for a customer table) */
    hz_customer_summary *cs;
    double *rec_days;   /* days from the last purchase to the snapshot day
                         (as-of + 1) */
    double *freq_count; /* purchase days = x + 1 */
    hz__clv_part clv;
    hz__churn_part churn;
    hz__seg_part seg;
    hz__surv_part surv;
    /* exact duplicate rows of a transactions table (duplicates.c): how
     * many repeat an earlier row in every column, the first as
     * "FILE:LINE (the same as line L)", and whether they were dropped */
    size_t dup_rows;
    size_t dup_refunds; /* of them, refunds (negative amounts) */
    bool dup_dropped;
    char dup_first[320];
    double seconds, t_summary, t_clv, t_seg;
};

/* Exact duplicate rows (duplicates.c): count rows whose every column
 * equals an earlier row's; first is the first of them in file order and
 * first_of the row it repeats (SIZE_MAX when none).  Rows with
 * left_out[i] (left_out NULL: none; the rows after --as-of, which the
 * analysis does not use) are not looked at.  dup (ds->nrows bytes, or
 * NULL) gets 1 for each. */
typedef struct hz__dups {
    size_t count, first, first_of;
} hz__dups;
hz_status hz__duplicate_rows(const hz_dataset *ds, int threads,
                             const uint8_t *left_out, uint8_t *dup,
                             hz__dups *out);

/* Parts (analytics_clv.c, analytics_churn.c, analytics_segment.c,
 * analytics_survival.c).  Each fills its part and returns its status;
 * the caller decides whether a failure is fatal (single analysis) or
 * recorded (suite). */
enum { HZ__CLV_FIT = 1, HZ__CLV_GG = 2, HZ__CLV_PREDICT = 4, HZ__CLV_ALL = 7 };
hz_status hz__clv_run(hz_analytics_result *r, bool with_value, int threads,
                      unsigned stages, const hz_analytics_model *mi,
                      hz_error *err);
void hz__clv_free(hz__clv_part *c);
void hz__churn_unlabelled(hz_analytics_result *r);
hz_status hz__churn_table(hz_analytics_result *r, const hz_dataset *ds,
                          const char *id, const hz_analytics_model *mi,
                          hz_error *err);
hz_status hz__churn_suite_labelled(hz_analytics_result *r,
                                   const hz_dataset *ds, const char *cust_col,
                                   hz_error *err);
void hz__churn_free(hz__churn_part *c);
hz_status hz__segment_run(hz_analytics_result *r, const hz_dataset *ds,
                          int threads, hz_error *err);
void hz__seg_free(hz__seg_part *s);
hz_status hz__survival_run(hz_analytics_result *r, const hz_dataset *ds,
                           const char *id, hz_error *err);
void hz__surv_free(hz__surv_part *s);

/* analytics_columns.c: the names a column is guessed by (NULL-ended):
 * the customer id of transactions and of a customer table, the purchase
 * date, the amount, the order id. */
extern const char *const hz__customer_names[];
extern const char *const hz__customer_table_names[];
extern const char *const hz__event_names[]; /* survival's event, guessed */

/* A text column of numbers and missing-value marks ("NA", "N/A", "-",
 * "?", "null") is an error with the first mark's place: read as text its
 * numbers would be one-hot categories, a tenure of 12 unrelated to one of
 * 13 (until 2026-12-07 churn features and Cox covariates were fitted so,
 * silently).  --na MARK reads it as numbers.  HZ_OK for other columns. */
hz_status hz__na_marks(const hz_dataset *ds, const hz_column *col,
                       hz_error *err);
extern const char *const hz__date_names[];
extern const char *const hz__amount_names[];
extern const char *const hz__order_names[];

/* analytics.c: case-insensitive column lookup by a NULL-ended list of
 * names; the ids of the result's customers. */
const hz_column *hz__find_column(const hz_dataset *ds,
                                 const char *const *names);
/* A customer table (churn --label, survival) has one row per customer:
 * a text id seen twice is an error naming both places. */
hz_status hz__one_row_per_id(const hz_dataset *ds, const hz_column *id,
                             hz_error *err);
hz_status hz__set_ids(hz_analytics_result *r, const hz_column *col,
                      const int64_t *keys, const size_t *rows, size_t n);
/* The as-of line of the summaries: "2024-12-31 (the last purchase
 * date)" or "(given)"; and a warning when the last purchase date, taken
 * as as-of, stands more than HZ__AS_OF_GAP_DAYS after the one before it
 * (a typo or an order not yet made ages every customer to it); false
 * without one. */
#define HZ__AS_OF_GAP_DAYS 90
void hz__as_of_text(const hz_customer_summary *s, char *buf, size_t cap);
bool hz__as_of_warning(const hz_customer_summary *s, char *buf, size_t cap);

/* How the k of k-means was set, for the summaries: "requested",
 * "chosen by silhouette", "default", or why the default was reduced. */
void hz__kmeans_k_how(const hz__seg_part *s, char *buf, size_t bufsz);

static inline const char *hz__id_of(const hz_analytics_result *r, size_t i)
{
    return r->idbuf + r->idoff[i];
}
/* 1 / 0 for yes/no, true/false, y/n, t/f, 1/0 (case-insensitive, as the
 * CSV reader's booleans) or a number equal to 1 or 0 ("1.0"), -1
 * otherwise. */
int hz__parse_flag(const char *s);

/* Stable sort order of n rows by the doubles keys[0][i], then
 * keys[1][i], ... (ascending; NaN last) into perm: an LSD radix sort, 11
 * bits a pass, O(n) per key (sort.c).  HZ_ENOMEM only.  n < 2^32. */
hz_status hz__argsort(const double *const *keys, size_t nkeys, size_t n,
                      uint32_t *perm);
/* Sort n doubles ascending in place (the same radix sort). */
hz_status hz__sort_doubles(double *v, size_t n);

/* Linear interpolation quantile q of n sorted values (NaN when n = 0). */
double hz__quantile_sorted(const double *v, size_t n, double q);


/* model_io.c: what a saved model holds. */
struct hz_analytics_model {
    hz_time_unit unit;
    bool has_bg, has_pn, has_gg, has_churn;
    hz_bgnbd_params bg;
    hz_pnbd_params pn;
    hz_gg_params gg;
    hz_purchase_kind model;
    char *label;
    size_t nfeat;
    char **feat, **src, **level;
    double *coef, *mean, *sd;
    double intercept, C;
};

#endif
