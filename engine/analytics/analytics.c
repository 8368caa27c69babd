/* Customer analytics entry point: CLV, churn, segments and the suite
 * (see analytics.h). */
#include <ctype.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "core/textout.h"
#include "horizon/analytics.h"
#include "horizon/analytics_view.h"
#include "horizon/clv.h"
#include "horizon/kmeans.h"
#include "horizon/logreg.h"
#include "horizon/rfm.h"

#define KMAX_CHOICES 16
#define KM_FULL_MAX 200000 /* above: restarts on a sample */
#define KM_SAMPLE 100000

struct hz_analytics_result {
    hz_analysis_kind kind;
    hz_analytics_request req;
    size_t n;
    char *idbuf;
    size_t *idoff;
    /* transactions summary (NULL for a labelled churn table) */
    hz_customer_summary *cs;
    double *rec_days;   /* days since last purchase */
    double *freq_count; /* purchase days = x + 1 */
    /* clv */
    bool clv_run, clv_ok, gg_ok;
    char clv_err[HZ_ERROR_MAX];
    hz_bgnbd_model bg;
    hz_gg_model gg;
    double *p_alive, *exp_purch, *exp_spend, *clv;
    double clv_total, clv_q[5]; /* p10 p25 p50 p75 p90 */
    double *clv_sorted;
    /* churn */
    bool churn_run, churn_ok, churn_labelled;
    char churn_err[HZ_ERROR_MAX];
    char churn_method[512];
    double *churn_prob, *churn_oof;
    int8_t *label;
    uint8_t *inactive;
    hz_logreg_cv cv;
    size_t nfeat;
    char **feat;
    double *coef;
    double intercept;
    double churn_rate, mean_risk;
    size_t churn_dropped;
    char skipped[HZ_ERROR_MAX];
    /* segment */
    bool seg_run, seg_ok;
    char seg_err[HZ_ERROR_MAX];
    uint8_t *rs, *fs, *ms, *seg;
    int32_t *cluster;
    int k;
    bool k_chosen;
    double sil[KMAX_CHOICES];
    int sil_kmin, sil_kmax;
    hz_segment_profile segprof[HZ_SEG_COUNT];
    hz_segment_profile *clprof;
    double seconds, t_summary, t_clv, t_seg;
};

void hz_analytics_request_init(hz_analytics_request *q)
{
    memset(q, 0, sizeof *q);
    q->as_of = HZ_DAY_NONE;
    q->calibration_end = HZ_DAY_NONE;
    q->unit = HZ_UNIT_DAYS;
    q->horizon_months = 12;
    q->discount_rate = 0.01;
    q->k = 0;
    q->k_max = 8;
    q->n_init = 10;
    q->inactive_days = 90;
    q->folds = 5;
    q->C = 1.0;
    q->seed = 42;
}

static const char *const kind_names[] = {"clv", "churn", "segment", "suite"};

const char *hz_analysis_kind_name(hz_analysis_kind k)
{
    return (unsigned)k <= HZ_ANALYSIS_SUITE ? kind_names[k] : "?";
}

bool hz_analysis_kind_parse(const char *s, hz_analysis_kind *out)
{
    for (int i = 0; i <= HZ_ANALYSIS_SUITE; i++)
        if (s != NULL && strcmp(s, kind_names[i]) == 0) {
            *out = (hz_analysis_kind)i;
            return true;
        }
    return false;
}

void hz_analytics_result_free(hz_analytics_result *r)
{
    if (r == NULL)
        return;
    free(r->idbuf);
    free(r->idoff);
    hz_customer_summary_free(r->cs);
    free(r->rec_days);
    free(r->freq_count);
    free(r->p_alive);
    free(r->exp_purch);
    free(r->exp_spend);
    free(r->clv);
    free(r->clv_sorted);
    free(r->churn_prob);
    free(r->churn_oof);
    free(r->label);
    free(r->inactive);
    if (r->feat != NULL)
        for (size_t j = 0; j < r->nfeat; j++)
            free(r->feat[j]);
    free(r->feat);
    free(r->coef);
    free(r->rs);
    free(r->fs);
    free(r->ms);
    free(r->seg);
    free(r->cluster);
    free(r->clprof);
    free(r);
}

/* ---- column guessing ---- */

static const hz_column *find_ci(const hz_dataset *ds, const char *const *names)
{
    for (const char *const *nm = names; *nm != NULL; nm++)
        for (size_t c = 0; c < ds->ncols; c++)
            if (strcasecmp(ds->cols[c].name, *nm) == 0)
                return &ds->cols[c];
    return NULL;
}

static hz_status pick_columns(const hz_dataset *ds,
                              const hz_analytics_request *q, const char **cust,
                              const char **date, const char **amount,
                              hz_error *err)
{
    static const char *const cnames[] = {
        "customer_id", "customerid", "customer", "cust_id", "client_id",
        "user_id",     "masterid",   "id",       NULL};
    static const char *const dnames[] = {
        "order_date",   "date",        "purchase_date", "transaction_date",
        "invoice_date", "invoicedate", "timestamp",     NULL};
    static const char *const anames[] = {
        "revenue", "amount",   "sales",   "spend", "total",
        "value",   "monetary", "dollars", "price", NULL};
    const hz_column *c;
    const char *src = ds->source ? ds->source : "input";
    *cust = q->customer_col;
    *date = q->date_col;
    *amount = q->amount_col;
    if (*cust == NULL) {
        if ((c = find_ci(ds, cnames)) == NULL)
            return hz_error_set(err, HZ_ENOTFOUND,
                                "%s: no customer column found (name one "
                                "with --customer)",
                                src);
        *cust = c->name;
    }
    if (*date == NULL) {
        c = NULL;
        for (size_t i = 0; i < ds->ncols && c == NULL; i++)
            if (ds->cols[i].type == HZ_TYPE_DATE ||
                ds->cols[i].type == HZ_TYPE_TIMESTAMP)
                c = &ds->cols[i];
        if (c == NULL)
            c = find_ci(ds, dnames);
        if (c == NULL)
            return hz_error_set(err, HZ_ENOTFOUND,
                                "%s: no date column found (name one with "
                                "--date)",
                                src);
        *date = c->name;
    }
    if (*amount == NULL) {
        if ((c = find_ci(ds, anames)) == NULL)
            return hz_error_set(err, HZ_ENOTFOUND,
                                "%s: no amount column found (name one with "
                                "--amount)",
                                src);
        *amount = c->name;
    }
    return HZ_OK;
}

/* ---- ids ---- */

static hz_status set_ids(hz_analytics_result *r, const hz_column *col,
                         const int64_t *keys, const size_t *rows, size_t n)
{
    size_t cap = n * 12 + 16, len = 0;
    r->idbuf = malloc(cap);
    r->idoff = malloc((n + 1) * sizeof *r->idoff);
    if (r->idbuf == NULL || r->idoff == NULL)
        return HZ_ENOMEM;
    char tmp[64];
    for (size_t i = 0; i < n; i++) {
        const char *s;
        if (keys != NULL) {
            if (col->type == HZ_TYPE_STRING)
                s = hz_dict_str(col->dict, (uint32_t)keys[i]);
            else {
                snprintf(tmp, sizeof tmp, "%lld", (long long)keys[i]);
                s = tmp;
            }
        } else if (col != NULL) {
            s = hz_col_text(col, rows[i], tmp, sizeof tmp);
            if (s == NULL)
                s = "";
        } else {
            snprintf(tmp, sizeof tmp, "%zu", rows[i] + 1);
            s = tmp;
        }
        size_t l = strlen(s);
        if (len + l + 1 > cap) {
            cap = (len + l + 1) * 2;
            char *t = realloc(r->idbuf, cap);
            if (t == NULL)
                return HZ_ENOMEM;
            r->idbuf = t;
        }
        r->idoff[i] = len;
        memcpy(r->idbuf + len, s, l + 1);
        len += l + 1;
    }
    r->idoff[n] = len;
    return HZ_OK;
}

static const char *id_of(const hz_analytics_result *r, size_t i)
{
    return r->idbuf + r->idoff[i];
}

/* ---- parts ---- */

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double quantile_sorted(const double *v, size_t n, double q)
{
    if (n == 0)
        return NAN;
    double pos = q * (double)(n - 1);
    size_t lo = (size_t)floor(pos);
    if (lo + 1 >= n)
        return v[n - 1];
    double w = pos - (double)lo;
    return v[lo] * (1 - w) + v[lo + 1] * w;
}

/* BG/NBD (+ Gamma-Gamma + CLV when with_value). */
/* The CLV part in three stages so that the suite can overlap them with
 * the other parts: the BG/NBD fit, the Gamma-Gamma fit (independent of
 * each other) and the per-customer predictions. */
enum { CLV_BG = 1, CLV_GG = 2, CLV_PREDICT = 4, CLV_ALL = 7 };

static hz_status run_clv_inner(hz_analytics_result *r, bool with_value, int th,
                               unsigned stages, hz_error *err);

static hz_status run_clv(hz_analytics_result *r, bool with_value, int th,
                         hz_error *err)
{
    double t0 = hz_now();
    hz_status st = run_clv_inner(r, with_value, th, CLV_ALL, err);
    r->t_clv = hz_now() - t0;
    return st;
}

static hz_status run_clv_inner(hz_analytics_result *r, bool with_value, int th,
                               unsigned stages, hz_error *err)
{
    const hz_customer_summary *s = r->cs;
    const size_t n = s->n;
    hz_status st;
    r->clv_run = true;
    if (stages & CLV_BG) {
        hz_bgnbd_options bo;
        hz_bgnbd_options_init(&bo);
        bo.threads = th;
        st = hz_bgnbd_fit(s->frequency, s->recency, s->T, n, &bo, &r->bg, err);
        if (st != HZ_OK)
            return st;
    }
    if ((stages & CLV_GG) && with_value) {
        hz_error e2;
        hz_error_clear(&e2);
        if (hz_gg_fit(s->frequency, s->monetary, n, th, &r->gg, &e2) ==
                HZ_OK &&
            r->gg.p.q > 1) {
            r->gg_ok = true;
        } else {
            return hz_error_set(err, HZ_ENOCONV, "spend model: %s",
                                e2.status ? e2.msg
                                          : "Gamma-Gamma q <= 1 (mean "
                                            "spend undefined)");
        }
    }
    if (!(stages & CLV_PREDICT))
        return HZ_OK;
    r->p_alive = malloc(n * sizeof(double));
    r->exp_purch = malloc(n * sizeof(double));
    if (with_value) {
        r->exp_spend = malloc(n * sizeof(double));
        r->clv = malloc(n * sizeof(double));
        r->clv_sorted = malloc(n * sizeof(double));
    }
    if (!r->p_alive || !r->exp_purch ||
        (with_value && (!r->exp_spend || !r->clv || !r->clv_sorted)))
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    hz_clv_options co;
    hz_clv_options_init(&co);
    co.horizon_months = r->req.horizon_months;
    co.discount_rate = r->req.discount_rate;
    co.unit = s->unit;
    co.threads = th;
    st = hz_clv_compute(&r->bg.p, with_value ? &r->gg.p : NULL, s->frequency,
                        s->recency, s->T, s->monetary, n, &co, r->p_alive,
                        r->exp_purch, with_value ? r->exp_spend : NULL,
                        with_value ? r->clv : NULL, err);
    if (st != HZ_OK)
        return st;
    if (with_value) {
        double t = 0;
        for (size_t i = 0; i < n; i++)
            t += r->clv[i];
        r->clv_total = t;
        memcpy(r->clv_sorted, r->clv, n * sizeof(double));
        qsort(r->clv_sorted, n, sizeof(double), cmp_dbl);
        const double qs[5] = {0.1, 0.25, 0.5, 0.75, 0.9};
        for (int j = 0; j < 5; j++)
            r->clv_q[j] = quantile_sorted(r->clv_sorted, n, qs[j]);
    }
    r->clv_ok = true;
    return HZ_OK;
}

static hz_status run_segment_inner(hz_analytics_result *r, int th,
                                   hz_error *err);

static hz_status run_segment(hz_analytics_result *r, int th, hz_error *err)
{
    double t0 = hz_now();
    hz_status st = run_segment_inner(r, th, err);
    r->t_seg = hz_now() - t0;
    return st;
}

static hz_status run_segment_inner(hz_analytics_result *r, int th,
                                   hz_error *err)
{
    const size_t n = r->cs->n;
    const hz_analytics_request *q = &r->req;
    hz_status st;
    double *X = NULL;
    r->seg_run = true;
    r->rs = malloc(n);
    r->fs = malloc(n);
    r->ms = malloc(n);
    r->seg = malloc(n);
    X = malloc(3 * n * sizeof(double));
    if (!r->rs || !r->fs || !r->ms || !r->seg || !X) {
        free(X);
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    }
    st = hz_rfm_score(r->rec_days, r->freq_count, r->cs->total_spend, n, r->rs,
                      r->fs, r->ms, r->seg, err);
    if (st != HZ_OK)
        goto out;
    st = hz_segment_profiles(r->seg, NULL, HZ_SEG_COUNT, r->rec_days,
                             r->freq_count, r->cs->total_spend, n, r->segprof,
                             err);
    if (st != HZ_OK)
        goto out;
    /* k-means on standardised log1p(R, F, M) */
    const double *src[3] = {r->rec_days, r->freq_count, r->cs->total_spend};
    for (int j = 0; j < 3; j++) {
        double m = 0, v = 0;
        for (size_t i = 0; i < n; i++)
            X[i * 3 + j] = log1p(src[j][i]);
        for (size_t i = 0; i < n; i++)
            m += X[i * 3 + j];
        m /= (double)n;
        for (size_t i = 0; i < n; i++)
            v += (X[i * 3 + j] - m) * (X[i * 3 + j] - m);
        double sd = sqrt(v / (double)n);
        if (!(sd > 0))
            sd = 1;
        for (size_t i = 0; i < n; i++)
            X[i * 3 + j] = (X[i * 3 + j] - m) / sd;
    }
    hz_kmeans_options ko;
    hz_kmeans_options_init(&ko);
    ko.n_init = q->n_init;
    ko.seed = q->seed;
    ko.threads = th;
    int k = q->k;
    if (k == 0) {
        /* choose k by silhouette on a deterministic sample of at most
         * 20000 customers (every step of the sampled stride) */
        int kmax = q->k_max > 1 ? q->k_max : 8;
        if (kmax - 2 + 1 > KMAX_CHOICES)
            kmax = KMAX_CHOICES + 1;
        size_t step = n > 20000 ? (n + 19999) / 20000 : 1;
        size_t ns = (n + step - 1) / step;
        if (ns < 3) {
            k = 1;
        } else {
            if ((size_t)kmax > ns - 1)
                kmax = (int)(ns - 1);
            double *Xs = malloc(3 * ns * sizeof(double));
            if (Xs == NULL) {
                st = hz_error_set(err, HZ_ENOMEM, "out of memory");
                goto out;
            }
            for (size_t i = 0; i < ns; i++)
                memcpy(Xs + 3 * i, X + 3 * (i * step), 3 * sizeof(double));
            hz_kmeans_result kr;
            if (kmax < 2) {
                k = 1;
                free(Xs);
            } else {
                hz_kmeans_options kc = ko;
                if (kc.n_init > 3)
                    kc.n_init = 3; /* restarts while choosing k */
                st = hz_kmeans_choose(Xs, ns, 3, 2, kmax, &kc, 2000, &kr,
                                      r->sil, err);
                free(Xs);
                if (st != HZ_OK)
                    goto out;
                k = kr.k;
                hz_kmeans_result_free(&kr);
                r->k_chosen = true;
                r->sil_kmin = 2;
                r->sil_kmax = kmax;
                /* identical customers: no structure, one cluster */
                if (!(r->sil[k - 2] > 0))
                    k = 1;
            }
        }
    }
    if ((size_t)k > n) {
        st = hz_error_set(err, HZ_EINVAL,
                          "k = %d clusters for %zu "
                          "customers",
                          k, n);
        goto out;
    }
    ko.k = k;
    hz_kmeans_result km;
    if (n > KM_FULL_MAX && k > 1) {
        /* large n: the n_init k-means++ restarts run on a deterministic
         * sample (every step-th customer, about KM_SAMPLE of them); the
         * best centres are then refined by Lloyd on all customers */
        size_t step = (n + KM_SAMPLE - 1) / KM_SAMPLE;
        size_t ns = (n + step - 1) / step;
        double *Xs = malloc(3 * ns * sizeof(double));
        if (Xs == NULL) {
            st = hz_error_set(err, HZ_ENOMEM, "out of memory");
            goto out;
        }
        for (size_t i = 0; i < ns; i++)
            memcpy(Xs + 3 * i, X + 3 * (i * step), 3 * sizeof(double));
        st = hz_kmeans_fit(Xs, ns, 3, &ko, &km, err);
        free(Xs);
        if (st != HZ_OK)
            goto out;
        hz_kmeans_options kf = ko;
        kf.init_centers = km.centers;
        hz_kmeans_result full;
        st = hz_kmeans_fit(X, n, 3, &kf, &full, err);
        hz_kmeans_result_free(&km);
        if (st != HZ_OK)
            goto out;
        km = full;
    } else {
        st = hz_kmeans_fit(X, n, 3, &ko, &km, err);
        if (st != HZ_OK)
            goto out;
    }
    r->cluster = km.labels;
    km.labels = NULL;
    hz_kmeans_result_free(&km);
    r->k = k;
    r->clprof = calloc((size_t)k, sizeof *r->clprof);
    if (r->clprof == NULL) {
        st = hz_error_set(err, HZ_ENOMEM, "out of memory");
        goto out;
    }
    st = hz_segment_profiles(NULL, r->cluster, (size_t)k, r->rec_days,
                             r->freq_count, r->cs->total_spend, n, r->clprof,
                             err);
    if (st == HZ_OK)
        r->seg_ok = true;
out:
    free(X);
    return st;
}

/* Churn risk from P(alive) and the recency rule (transactions). */
static void churn_unlabelled(hz_analytics_result *r)
{
    size_t n = r->cs->n, flagged = 0;
    double risk = 0;
    r->churn_run = true;
    r->inactive = malloc(n);
    if (r->inactive == NULL) {
        snprintf(r->churn_err, sizeof r->churn_err, "out of memory");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        r->inactive[i] = r->rec_days[i] > r->req.inactive_days;
        flagged += r->inactive[i];
        if (r->clv_ok)
            risk += 1.0 - r->p_alive[i];
    }
    r->churn_rate = (double)flagged / (double)n;
    r->mean_risk = r->clv_ok ? risk / (double)n : NAN;
    snprintf(r->churn_method, sizeof r->churn_method,
             "no churn label: churn risk = 1 - P(alive) from the BG/NBD "
             "model%s; customers with no purchase in the last %d days are "
             "flagged inactive (recency rule)",
             r->clv_ok ? "" : " (unavailable: BG/NBD failed)",
             r->req.inactive_days);
    r->churn_ok = true;
}

/* Logistic regression on a design; fills churn fields. */
static hz_status churn_fit_design(hz_analytics_result *r, hz_design *d,
                                  hz_error *err)
{
    const hz_analytics_request *q = &r->req;
    hz_logreg_options lo;
    hz_logreg_model m;
    hz_status st;
    int *fold = malloc(d->n * sizeof(int));
    if (fold == NULL)
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    hz_logreg_options_init(&lo);
    lo.C = q->C;
    st = hz_stratified_folds(d->y, d->n, q->folds, q->seed, fold, err);
    if (st == HZ_OK)
        st = hz_logreg_cross_validate(d->X, d->y, d->n, d->p, fold, q->folds,
                                      &lo, &r->cv, r->churn_oof, err);
    free(fold);
    if (st != HZ_OK)
        return st;
    st = hz_logreg_fit(d->X, d->y, d->n, d->p, &lo, &m, err);
    if (st != HZ_OK)
        return st;
    hz_logreg_predict(&m, d->X, d->n, r->churn_prob);
    r->intercept = m.intercept;
    r->coef = m.coef;
    m.coef = NULL;
    r->nfeat = d->p;
    r->feat = d->names;
    d->names = NULL;
    double pos = 0, risk = 0;
    for (size_t i = 0; i < d->n; i++) {
        pos += d->y[i];
        risk += r->churn_prob[i];
    }
    r->churn_rate = pos / (double)d->n;
    r->mean_risk = risk / (double)d->n;
    r->churn_dropped = d->dropped;
    snprintf(r->skipped, sizeof r->skipped, "%s", d->skipped);
    r->churn_labelled = true;
    r->churn_ok = true;
    return HZ_OK;
}

/* Suite with a label: per-customer label (any positive row) and summary
 * features. */
static hz_status churn_suite_labelled(hz_analytics_result *r,
                                      const hz_dataset *ds,
                                      const char *cust_col, hz_error *err)
{
    const hz_customer_summary *s = r->cs;
    size_t n = s->n;
    hz_design d;
    hz_status st = HZ_OK;
    memset(&d, 0, sizeof d);
    r->churn_run = true;
    const hz_column *lc = hz_dataset_column(ds, r->req.label_col, err);
    const hz_column *cc = hz_dataset_column(ds, cust_col, err);
    if (lc == NULL || cc == NULL)
        return HZ_ENOTFOUND;
    /* label per customer key: binary search in the ascending keys */
    r->label = malloc(n);
    r->churn_prob = malloc(n * sizeof(double));
    r->churn_oof = malloc(n * sizeof(double));
    if (!r->label || !r->churn_prob || !r->churn_oof)
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    memset(r->label, -1, n);
    for (size_t i = 0; i < ds->nrows; i++) {
        int64_t key = cc->type == HZ_TYPE_STRING ? (int64_t)cc->v.code[i]
                                                 : cc->v.i64[i];
        size_t lo = 0, hi = n;
        while (hi - lo > 1) {
            size_t mid = (lo + hi) / 2;
            if (s->key[mid] <= key)
                lo = mid;
            else
                hi = mid;
        }
        if (s->key[lo] != key || hz_col_is_null(lc, i))
            continue;
        double v;
        if (lc->type == HZ_TYPE_STRING) {
            const char *t = hz_dict_str(lc->dict, lc->v.code[i]);
            v = !strcasecmp(t, "yes") || !strcasecmp(t, "true") ||
                        !strcmp(t, "1")
                    ? 1
                : !strcasecmp(t, "no") || !strcasecmp(t, "false") ||
                        !strcmp(t, "0")
                    ? 0
                    : -1;
        } else {
            v = hz_col_number(lc, i);
        }
        if (v == 1)
            r->label[lo] = 1;
        else if (v == 0 && r->label[lo] < 0)
            r->label[lo] = 0;
    }
    d.n = n;
    d.p = 5;
    d.X = malloc(n * 5 * sizeof(double));
    d.y = malloc(n * sizeof(double));
    d.names = calloc(5, sizeof(char *));
    if (!d.X || !d.y || !d.names) {
        st = hz_error_set(err, HZ_ENOMEM, "out of memory");
        goto out;
    }
    static const char *const fn[5] = {"recency_days", "frequency", "T",
                                      "monetary_value", "total_spend"};
    for (int j = 0; j < 5; j++)
        d.names[j] = strdup(fn[j]);
    const double *cols[5] = {r->rec_days, s->frequency, s->T, s->monetary,
                             s->total_spend};
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (r->label[i] < 0)
            continue;
        for (int j = 0; j < 5; j++)
            d.X[m * 5 + j] = cols[j][i];
        d.y[m++] = r->label[i];
    }
    d.dropped = n - m;
    if (m != n) {
        st = hz_error_set(err, HZ_EINVAL,
                          "label column '%s': %zu "
                          "customers have no yes/no or 0/1 label",
                          r->req.label_col, n - m);
        goto out;
    }
    for (int j = 0; j < 5; j++) {
        double mu = 0, v = 0;
        for (size_t i = 0; i < n; i++)
            mu += d.X[i * 5 + j];
        mu /= (double)n;
        for (size_t i = 0; i < n; i++)
            v += (d.X[i * 5 + j] - mu) * (d.X[i * 5 + j] - mu);
        double sd = sqrt(v / (double)n);
        if (!(sd > 0))
            sd = 1;
        for (size_t i = 0; i < n; i++)
            d.X[i * 5 + j] = (d.X[i * 5 + j] - mu) / sd;
    }
    st = churn_fit_design(r, &d, err);
    if (st == HZ_OK)
        snprintf(r->churn_method, sizeof r->churn_method,
                 "label '%s' per customer (positive when any of its rows "
                 "is); L2 logistic regression (C = %g) on standardised "
                 "recency, frequency, T, monetary value and total spend; "
                 "%d-fold stratified cross-validation",
                 r->req.label_col, r->req.C, r->req.folds);
out:
    hz_design_free(&d);
    return st;
}

/* CHURN with a label on a customer-level table. */
static hz_status churn_table(hz_analytics_result *r, const hz_dataset *ds,
                             const char *id, hz_error *err)
{
    const hz_analytics_request *q = &r->req;
    hz_design d;
    hz_status st;
    if (id == NULL) {
        static const char *const cn[] = {"customer_id", "customerid",
                                         "customer", "id", NULL};
        const hz_column *c = find_ci(ds, cn);
        id = c ? c->name : NULL;
    }
    r->churn_run = true;
    st = hz_design_from_dataset(ds, q->label_col, id, 64, &d, err);
    if (st != HZ_OK)
        return st;
    r->n = d.n;
    r->label = malloc(d.n);
    r->churn_prob = malloc(d.n * sizeof(double));
    r->churn_oof = malloc(d.n * sizeof(double));
    if (!r->label || !r->churn_prob || !r->churn_oof) {
        st = hz_error_set(err, HZ_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < d.n; i++)
        r->label[i] = (int8_t)d.y[i];
    st = set_ids(r, id ? hz_dataset_column(ds, id, NULL) : NULL, NULL, d.row,
                 d.n);
    if (st != HZ_OK) {
        st = hz_error_set(err, st, "out of memory");
        goto out;
    }
    st = churn_fit_design(r, &d, err);
    if (st == HZ_OK)
        snprintf(r->churn_method, sizeof r->churn_method,
                 "label '%s'; L2 logistic regression (C = %g, Newton/IRLS) "
                 "on %zu standardised features (numbers as they are, text "
                 "one-hot); %d-fold stratified cross-validation; %zu rows "
                 "dropped for empty values",
                 q->label_col, q->C, r->nfeat, q->folds, r->churn_dropped);
out:
    hz_design_free(&d);
    return st;
}

hz_status hz_analytics_run(const hz_dataset *ds, hz_analysis_kind kind,
                           const hz_analytics_request *req,
                           hz_analytics_result **out, hz_error *err)
{
    hz_analytics_request defq;
    hz_status st = HZ_OK;
    hz_analytics_result *r = NULL;
    double t0 = hz_now();
    *out = NULL;
    if (req == NULL) {
        hz_analytics_request_init(&defq);
        req = &defq;
    }
    if (ds == NULL)
        return hz_error_set(err, HZ_EINVAL, "no dataset");
    if ((unsigned)kind > HZ_ANALYSIS_SUITE)
        return hz_error_set(err, HZ_EINVAL, "unknown analysis kind %d",
                            (int)kind);
    if (req->horizon_months < 1 || req->horizon_months > 1200)
        return hz_error_set(err, HZ_EINVAL,
                            "horizon must be 1 to 1200 "
                            "months, got %d",
                            req->horizon_months);
    if (!(req->discount_rate >= 0 && req->discount_rate < 1))
        return hz_error_set(err, HZ_EINVAL,
                            "monthly discount rate must be "
                            "in [0, 1), got %g",
                            req->discount_rate);
    if (req->k < 0 || req->k > 1000 || req->n_init < 1 || req->folds < 2 ||
        req->folds > 32 || !(req->C > 0) || req->inactive_days < 0)
        return hz_error_set(err, HZ_EINVAL,
                            "bad option: need 0 <= k <= 1000, n_init >= 1, "
                            "2 <= folds <= 32, C > 0, inactive days >= 0");
    r = calloc(1, sizeof *r);
    if (r == NULL)
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    r->kind = kind;
    r->req = *req;
    r->req.customer_col = r->req.date_col = r->req.amount_col = NULL;
    r->req.label_col = NULL;
    int th = req->threads > 0 ? req->threads : omp_get_max_threads();

    if (kind == HZ_ANALYSIS_CHURN && req->label_col != NULL) {
        r->req.label_col = req->label_col;
        st = churn_table(r, ds, req->customer_col, err);
        r->req.label_col = NULL;
        if (st != HZ_OK)
            goto fail;
        goto done;
    }

    const char *cc, *dc, *ac;
    if ((st = pick_columns(ds, req, &cc, &dc, &ac, err)) != HZ_OK)
        goto fail;
    hz_customer_options co;
    hz_customer_options_init(&co);
    co.unit = req->unit;
    co.as_of = req->as_of;
    co.calibration_end = req->calibration_end;
    co.threads = th;
    double ts0 = hz_now();
    st = hz_customer_summary_from_dataset(ds, cc, dc, ac, &co, &r->cs, err);
    r->t_summary = hz_now() - ts0;
    if (st != HZ_OK)
        goto fail;
    const hz_customer_summary *s = r->cs;
    const size_t n = s->n;
    r->n = n;
    r->rec_days = malloc(n * sizeof(double));
    r->freq_count = malloc(n * sizeof(double));
    if (!r->rec_days || !r->freq_count) {
        st = hz_error_set(err, HZ_ENOMEM, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < n; i++) {
        r->rec_days[i] = (double)(s->calibration_end - s->last_day[i]);
        r->freq_count[i] = s->frequency[i] + 1;
    }
    if (set_ids(r, hz_dataset_column(ds, cc, NULL), s->key, NULL, n) !=
        HZ_OK) {
        st = hz_error_set(err, HZ_ENOMEM, "out of memory");
        goto fail;
    }

    if (kind == HZ_ANALYSIS_CLV) {
        st = run_clv(r, true, th, err);
        if (st != HZ_OK)
            goto fail;
    } else if (kind == HZ_ANALYSIS_CHURN) {
        hz_error e2;
        if (run_clv(r, false, th, &e2) != HZ_OK)
            snprintf(r->clv_err, sizeof r->clv_err, "%s", e2.msg);
        churn_unlabelled(r);
    } else if (kind == HZ_ANALYSIS_SEGMENT) {
        st = run_segment(r, th, err);
        if (st != HZ_OK)
            goto fail;
    } else {
        /* suite: the three parts concurrently */
        hz_error e1, e2, e3, e4;
        hz_status s1 = HZ_OK, s2 = HZ_OK, s3 = HZ_OK, s4 = HZ_OK;
        hz_error_clear(&e1);
        hz_error_clear(&e2);
        hz_error_clear(&e3);
        hz_error_clear(&e4);
        bool labelled = req->label_col != NULL;
        r->req.label_col = req->label_col;
        double tc0 = hz_now();
        /* BG/NBD | segments then Gamma-Gamma | labelled churn, then the
         * CLV predictions on all threads */
#pragma omp parallel sections num_threads(th > 1 ? 2 + labelled : 1)
        {
#pragma omp section
            s1 = run_clv_inner(r, true, 1, CLV_BG, &e1);
#pragma omp section
            {
                s2 = run_segment(r, 1, &e2);
                s4 = run_clv_inner(r, true, 1, CLV_GG, &e4);
            }
#pragma omp section
            if (labelled)
                s3 = churn_suite_labelled(r, ds, cc, &e3);
        }
        if (s1 == HZ_OK && s4 != HZ_OK) {
            s1 = s4;
            e1 = e4;
        }
        if (s1 == HZ_OK)
            s1 = run_clv_inner(r, true, th, CLV_PREDICT, &e1);
        r->t_clv = hz_now() - tc0; /* fits + predictions, wall */
        r->req.label_col = NULL;
        if (s1 != HZ_OK) {
            r->clv_ok = false;
            snprintf(r->clv_err, sizeof r->clv_err, "%s", e1.msg);
        }
        if (s2 != HZ_OK) {
            r->seg_ok = false;
            snprintf(r->seg_err, sizeof r->seg_err, "%s", e2.msg);
        }
        if (labelled && s3 != HZ_OK) {
            r->churn_ok = false;
            snprintf(r->churn_err, sizeof r->churn_err, "%s", e3.msg);
        }
        if (!labelled)
            churn_unlabelled(r);
        if (s1 == HZ_ENOMEM || s2 == HZ_ENOMEM || s3 == HZ_ENOMEM) {
            st = hz_error_set(err, HZ_ENOMEM, "out of memory");
            goto fail;
        }
    }
done:
    r->seconds = hz_now() - t0;
    *out = r;
    return HZ_OK;
fail:
    hz_analytics_result_free(r);
    return st;
}

/* ---- accessors ---- */

hz_analysis_kind hz_analytics_kind(const hz_analytics_result *r)
{
    return r->kind;
}

size_t hz_analytics_customers(const hz_analytics_result *r)
{
    return r->n;
}

double hz_analytics_churn_rate(const hz_analytics_result *r)
{
    return r->churn_ok ? r->churn_rate : NAN;
}

double hz_analytics_churn_mean_risk(const hz_analytics_result *r)
{
    return r->churn_ok ? r->mean_risk : NAN;
}

double hz_analytics_churn_auc(const hz_analytics_result *r)
{
    return r->churn_ok && r->churn_labelled ? r->cv.auc_mean : NAN;
}

size_t hz_analytics_top_drivers(const hz_analytics_result *r, size_t max,
                                const char **names, double *coef,
                                double *odds_ratio)
{
    if (!r->churn_ok || !r->churn_labelled)
        return 0;
    size_t got = 0;
    bool *used = calloc(r->nfeat + 1, 1);
    if (used == NULL)
        return 0;
    while (got < max && got < r->nfeat) {
        size_t best = r->nfeat;
        for (size_t j = 0; j < r->nfeat; j++)
            if (!used[j] &&
                (best == r->nfeat || fabs(r->coef[j]) > fabs(r->coef[best])))
                best = j;
        used[best] = true;
        if (names)
            names[got] = r->feat[best];
        if (coef)
            coef[got] = r->coef[best];
        if (odds_ratio)
            odds_ratio[got] = exp(r->coef[best]);
        got++;
    }
    free(used);
    return got;
}

double hz_analytics_clv_quantile(const hz_analytics_result *r, double q)
{
    if (!r->clv_ok || r->clv_sorted == NULL || !(q >= 0 && q <= 1))
        return NAN;
    return quantile_sorted(r->clv_sorted, r->n, q);
}

double hz_analytics_clv_total(const hz_analytics_result *r)
{
    return r->clv_ok && r->clv != NULL ? r->clv_total : NAN;
}

const hz_bgnbd_model *hz_analytics_bgnbd(const hz_analytics_result *r)
{
    return r->clv_ok ? &r->bg : NULL;
}

const hz_gg_model *hz_analytics_gammagamma(const hz_analytics_result *r)
{
    return r->clv_ok && r->gg_ok ? &r->gg : NULL;
}

size_t hz_analytics_segments(const hz_analytics_result *r)
{
    return r->seg_ok ? HZ_SEG_COUNT : 0;
}

bool hz_analytics_segment(const hz_analytics_result *r, size_t i,
                          const char **name, size_t *size,
                          double *revenue_share)
{
    if (!r->seg_ok || i >= HZ_SEG_COUNT)
        return false;
    if (name)
        *name = hz_rfm_segment_name((int)i);
    if (size)
        *size = r->segprof[i].size;
    if (revenue_share)
        *revenue_share = r->segprof[i].revenue_share;
    return true;
}

int hz_analytics_clusters(const hz_analytics_result *r)
{
    return r->seg_ok ? r->k : 0;
}

const char *hz_analytics_part_error(const hz_analytics_result *r,
                                    const char *part)
{
    if (part == NULL)
        return "";
    if (!strcmp(part, "clv"))
        return r->clv_err;
    if (!strcmp(part, "churn"))
        return r->churn_err;
    if (!strcmp(part, "segment"))
        return r->seg_err;
    return "";
}

/* ---- writers ---- */

/* Columns of a row, by kind. */
enum {
    C_SUMMARY = 1,
    C_HOLD = 2,
    C_CLV = 4,
    C_CHURN_U = 8,
    C_CHURN_L = 16,
    C_SEG = 32
};

static unsigned row_columns(const hz_analytics_result *r)
{
    unsigned c = 0;
    if (r->cs != NULL) {
        c |= C_SUMMARY;
        if (r->cs->has_holdout)
            c |= C_HOLD;
    }
    if (r->clv_ok && r->clv != NULL)
        c |= C_CLV;
    if (r->churn_ok)
        c |= r->churn_labelled ? C_CHURN_L : C_CHURN_U;
    if (r->seg_ok)
        c |= C_SEG;
    return c;
}

/* The per-customer table, one definition for every format: visit_row()
 * names each column of row i (or of the header) to a row_out, which
 * writes CSV (header or row) or a JSON object.  The names differ a little
 * between CSV (kept for spreadsheets) and JSON. */
typedef struct row_out {
    FILE *f;
    bool json;
    bool header; /* CSV header: names only */
    int n;       /* columns so far */
} row_out;

/* Name the next column; true when its value is to be written. */
static bool col(row_out *o, const char *csv, const char *json)
{
    if (o->json) {
        fprintf(o->f, "%s\"%s\": ", o->n ? ", " : "{", json);
    } else {
        if (o->n)
            fputc(',', o->f);
        if (o->header)
            fputs(csv, o->f);
    }
    o->n++;
    return !o->header;
}

static void col_num(row_out *o, const char *csv, const char *json, double v)
{
    if (col(o, csv, json)) {
        if (o->json)
            hz__json_num(o->f, v);
        else
            hz__csv_num(o->f, v);
    }
}

static void col_str(row_out *o, const char *csv, const char *json,
                    const char *v)
{
    if (col(o, csv, json)) {
        if (o->json)
            hz__json_str(o->f, v);
        else
            hz__csv_field(o->f, v);
    }
}

static void col_int(row_out *o, const char *csv, const char *json, long v)
{
    if (col(o, csv, json))
        fprintf(o->f, "%ld", v);
}

static void visit_row(const hz_analytics_result *r, size_t i, row_out *o)
{
    /* values are only read for a row, never for the header (r->n may be
     * 0 there) */
#define AT(a) (o->header ? 0 : (a)[i])
    const bool h = o->header;
    unsigned c = row_columns(r);
    char d[16];
    col_str(o, "customer_id", "customer_id", h ? "" : id_of(r, i));
    if (c & C_SUMMARY) {
        const hz_customer_summary *s = r->cs;
        col_str(o, "first_purchase", "first_purchase",
                h ? "" : hz_format_day(s->first_day[i], d));
        col_str(o, "last_purchase", "last_purchase",
                h ? "" : hz_format_day(s->last_day[i], d));
        col_int(o, "orders", "orders", (long)AT(s->orders));
        col_num(o, "frequency", "frequency", AT(s->frequency));
        col_num(o, "recency", "recency", AT(s->recency));
        col_num(o, "T", "T", AT(s->T));
        col_num(o, "monetary_value", "monetary_value", AT(s->monetary));
        col_num(o, "total_spend", "total_spend", AT(s->total_spend));
    }
    if (c & C_HOLD) {
        col_num(o, "frequency_holdout", "frequency_holdout",
                AT(r->cs->frequency_holdout));
        col_num(o, "monetary_holdout", "monetary_holdout",
                AT(r->cs->monetary_holdout));
    }
    if (c & C_CLV) {
        char name[48];
        snprintf(name, sizeof name, "expected_purchases_%dm",
                 r->req.horizon_months);
        col_num(o, "p_alive", "p_alive", AT(r->p_alive));
        col_num(o, name, "expected_purchases", AT(r->exp_purch));
        col_num(o, "expected_spend", "expected_spend", AT(r->exp_spend));
        col_num(o, "clv", "clv", AT(r->clv));
    }
    if (c & C_CHURN_U) {
        if (col(o, "days_since_last", "days_since_last"))
            fprintf(o->f, "%.0f", r->rec_days[i]);
        if (col(o, "inactive", "inactive")) {
            if (o->json)
                fputs(r->inactive[i] ? "true" : "false", o->f);
            else
                fprintf(o->f, "%d", r->inactive[i]);
        }
        col_num(o, "churn_risk", "churn_risk",
                h || !r->clv_ok ? NAN : 1.0 - r->p_alive[i]);
    }
    if (c & C_CHURN_L) {
        col_int(o, "churn_label", "churn_label", (long)AT(r->label));
        col_num(o, "churn_probability", "churn_probability",
                AT(r->churn_prob));
        col_num(o, "churn_probability_cv", "churn_probability_cv",
                AT(r->churn_oof));
    }
    if (c & C_SEG) {
        col_int(o, "r_score", "r", (long)AT(r->rs));
        col_int(o, "f_score", "f", (long)AT(r->fs));
        col_int(o, "m_score", "m", (long)AT(r->ms));
        col_str(o, "rfm_segment", "segment",
                h ? "" : hz_rfm_segment_name(r->seg[i]));
        col_int(o, "cluster", "cluster", (long)AT(r->cluster));
    }
#undef AT
    fputc(o->json ? '}' : '\n', o->f);
}

hz_status hz_analytics_result_write_csv(const hz_analytics_result *r, FILE *f,
                                        hz_error *err)
{
    row_out o = {f, false, true, 0};
    visit_row(r, 0, &o);
    o.header = false;
    for (size_t i = 0; i < r->n; i++) {
        o.n = 0;
        visit_row(r, i, &o);
    }
    if (ferror(f))
        return hz_error_set(err, HZ_EIO, "could not write the result");
    return HZ_OK;
}

static void put_profile(FILE *f, const hz_segment_profile *p)
{
    fprintf(f, "\"size\": %zu, \"share\": ", p->size);
    hz__json_num(f, p->share);
    fputs(", \"mean_recency_days\": ", f);
    hz__json_num(f, p->size ? p->mean_recency : NAN);
    fputs(", \"mean_frequency\": ", f);
    hz__json_num(f, p->size ? p->mean_frequency : NAN);
    fputs(", \"mean_monetary\": ", f);
    hz__json_num(f, p->size ? p->mean_monetary : NAN);
    fputs(", \"revenue\": ", f);
    hz__json_num(f, p->revenue);
    fputs(", \"revenue_share\": ", f);
    hz__json_num(f, p->revenue_share);
}

static void write_summary_json(const hz_analytics_result *r, FILE *f)
{
    char d1[16];
    fprintf(f, "{\"customers\": %zu", r->n);
    if (r->cs != NULL) {
        const hz_customer_summary *s = r->cs;
        fprintf(f,
                ", \"transactions_used\": %zu, \"transactions_after_as_of"
                "\": %zu, \"as_of\": \"%s\"",
                s->rows_used, s->rows_ignored, hz_format_day(s->as_of, d1));
        fprintf(f, ", \"calibration_end\": \"%s\", \"unit\": \"%s\"",
                hz_format_day(s->calibration_end, d1),
                s->unit == HZ_UNIT_WEEKS ? "weeks" : "days");
    }
    if (r->clv_run) {
        fputs(", \"clv\": {", f);
        if (r->clv_ok) {
            const hz_bgnbd_model *b = &r->bg;
            fputs("\"bgnbd\": {\"r\": ", f);
            hz__json_num(f, b->p.r);
            fputs(", \"alpha\": ", f);
            hz__json_num(f, b->p.alpha);
            fputs(", \"a\": ", f);
            hz__json_num(f, b->p.a);
            fputs(", \"b\": ", f);
            hz__json_num(f, b->p.b);
            fputs(", \"se\": [", f);
            for (int j = 0; j < 4; j++) {
                hz__json_num(f, b->se[j]);
                fputs(j < 3 ? ", " : "]", f);
            }
            fputs(", \"loglik\": ", f);
            hz__json_num(f, b->loglik);
            fprintf(f, ", \"iterations\": %zu}", b->iterations);
            if (r->gg_ok) {
                const hz_gg_model *g = &r->gg;
                fputs(", \"gammagamma\": {\"p\": ", f);
                hz__json_num(f, g->p.p);
                fputs(", \"q\": ", f);
                hz__json_num(f, g->p.q);
                fputs(", \"gamma\": ", f);
                hz__json_num(f, g->p.gamma);
                fputs(", \"se\": [", f);
                for (int j = 0; j < 3; j++) {
                    hz__json_num(f, g->se[j]);
                    fputs(j < 2 ? ", " : "]", f);
                }
                fputs(", \"loglik\": ", f);
                hz__json_num(f, g->loglik);
                fprintf(f, ", \"repeat_buyers\": %zu}", g->n);
            }
            if (r->clv != NULL) {
                fprintf(f, ", \"horizon_months\": %d, \"discount_rate\": ",
                        r->req.horizon_months);
                hz__json_num(f, r->req.discount_rate);
                fputs(", \"total\": ", f);
                hz__json_num(f, r->clv_total);
                fputs(", \"quantiles\": {\"p10\": ", f);
                hz__json_num(f, r->clv_q[0]);
                fputs(", \"p25\": ", f);
                hz__json_num(f, r->clv_q[1]);
                fputs(", \"p50\": ", f);
                hz__json_num(f, r->clv_q[2]);
                fputs(", \"p75\": ", f);
                hz__json_num(f, r->clv_q[3]);
                fputs(", \"p90\": ", f);
                hz__json_num(f, r->clv_q[4]);
                fputc('}', f);
            }
        } else {
            fputs("\"error\": ", f);
            hz__json_str(f, r->clv_err);
        }
        fputc('}', f);
    }
    if (r->churn_run) {
        fputs(", \"churn\": {", f);
        if (r->churn_ok) {
            fputs("\"method\": ", f);
            hz__json_str(f, r->churn_method);
            fputs(", \"churn_rate\": ", f);
            hz__json_num(f, r->churn_rate);
            fputs(", \"mean_risk\": ", f);
            hz__json_num(f, r->mean_risk);
            if (r->churn_labelled) {
                fprintf(f, ", \"folds\": %d, \"auc\": ", r->cv.k);
                hz__json_num(f, r->cv.auc_mean);
                fputs(", \"auc_sd\": ", f);
                hz__json_num(f, r->cv.auc_sd);
                fputs(", \"log_loss\": ", f);
                hz__json_num(f, r->cv.logloss_mean);
                fprintf(f, ", \"rows_dropped\": %zu, \"skipped_columns\": ",
                        r->churn_dropped);
                hz__json_str(f, r->skipped);
                fputs(", \"intercept\": ", f);
                hz__json_num(f, r->intercept);
                fputs(", \"coefficients\": [", f);
                for (size_t j = 0; j < r->nfeat; j++) {
                    fputs(j ? ", {\"feature\": " : "{\"feature\": ", f);
                    hz__json_str(f, r->feat[j]);
                    fputs(", \"coef\": ", f);
                    hz__json_num(f, r->coef[j]);
                    fputs(", \"odds_ratio\": ", f);
                    hz__json_num(f, exp(r->coef[j]));
                    fputc('}', f);
                }
                fputc(']', f);
            } else {
                fprintf(f, ", \"inactive_days\": %d", r->req.inactive_days);
            }
        } else {
            fputs("\"error\": ", f);
            hz__json_str(f, r->churn_err);
        }
        fputc('}', f);
    }
    if (r->seg_run) {
        fputs(", \"segments\": {", f);
        if (r->seg_ok) {
            fputs("\"rfm\": [", f);
            for (int g = 0; g < HZ_SEG_COUNT; g++) {
                fputs(g ? ", {\"segment\": " : "{\"segment\": ", f);
                hz__json_str(f, hz_rfm_segment_name(g));
                fputs(", ", f);
                put_profile(f, &r->segprof[g]);
                fputc('}', f);
            }
            fprintf(f,
                    "], \"kmeans\": {\"k\": %d, \"features\": \"standard"
                    "ised log1p(recency_days), log1p(purchase days), "
                    "log1p(total spend)\", \"k_chosen_by\": \"%s\"",
                    r->k, r->k_chosen ? "silhouette" : "request");
            if (r->k_chosen) {
                fputs(", \"silhouette\": {", f);
                for (int k = r->sil_kmin; k <= r->sil_kmax; k++) {
                    fprintf(f, "%s\"%d\": ", k > r->sil_kmin ? ", " : "", k);
                    hz__json_num(f, r->sil[k - r->sil_kmin]);
                }
                fputc('}', f);
            }
            fputs(", \"clusters\": [", f);
            for (int g = 0; g < r->k; g++) {
                fprintf(f, "%s{\"cluster\": %d, ", g ? ", " : "", g);
                put_profile(f, &r->clprof[g]);
                fputc('}', f);
            }
            fputs("]}", f);
        } else {
            fputs("\"error\": ", f);
            hz__json_str(f, r->seg_err);
        }
        fputc('}', f);
    }
    fputs(", \"seconds\": ", f);
    hz__json_num(f, r->seconds);
    fputs(", \"seconds_summary\": ", f);
    hz__json_num(f, r->t_summary);
    fputs(", \"seconds_clv\": ", f);
    hz__json_num(f, r->t_clv);
    fputs(", \"seconds_segment\": ", f);
    hz__json_num(f, r->t_seg);
    fputc('}', f);
}

void hz_analytics_result_write_row_json(const hz_analytics_result *r, size_t i,
                                        FILE *f)
{
    row_out o = {f, true, false, 0};
    visit_row(r, i, &o);
}

hz_status hz_analytics_result_write_json(const hz_analytics_result *r, FILE *f,
                                         bool with_rows, hz_error *err)
{
    fprintf(f, "{\"analysis\": \"%s\", \"summary\": ",
            hz_analysis_kind_name(r->kind));
    write_summary_json(r, f);
    if (with_rows) {
        fputs(",\n\"customers\": [\n", f);
        for (size_t i = 0; i < r->n; i++) {
            if (i)
                fputs(",\n", f);
            hz_analytics_result_write_row_json(r, i, f);
        }
        fputs("\n]", f);
    }
    fputs("}\n", f);
    if (ferror(f))
        return hz_error_set(err, HZ_EIO, "could not write the result");
    return HZ_OK;
}

hz_status hz_analytics_result_write_text(const hz_analytics_result *r, FILE *f,
                                         hz_error *err)
{
    fprintf(f,
            "analysis: %s, %zu customers (%.2f s: summary %.2f, clv "
            "%.2f, segments %.2f)\n",
            hz_analysis_kind_name(r->kind), r->n, r->seconds, r->t_summary,
            r->t_clv, r->t_seg);
    if (r->clv_run) {
        if (r->clv_ok) {
            const hz_bgnbd_model *b = &r->bg;
            fprintf(f,
                    "BG/NBD: r = %.4f (%.4f), alpha = %.4f (%.4f), "
                    "a = %.4f (%.4f), b = %.4f (%.4f), LL = %.2f\n",
                    b->p.r, b->se[0], b->p.alpha, b->se[1], b->p.a, b->se[2],
                    b->p.b, b->se[3], b->loglik);
            if (r->gg_ok)
                fprintf(f,
                        "Gamma-Gamma: p = %.4f, q = %.4f, gamma = %.4f, "
                        "LL = %.2f (%zu repeat buyers)\n",
                        r->gg.p.p, r->gg.p.q, r->gg.p.gamma, r->gg.loglik,
                        r->gg.n);
            if (r->clv != NULL)
                fprintf(f,
                        "CLV %d months at %.4g/month: total %.2f, "
                        "median %.2f, p90 %.2f\n",
                        r->req.horizon_months, r->req.discount_rate,
                        r->clv_total, r->clv_q[2], r->clv_q[4]);
        } else {
            fprintf(f, "CLV: failed: %s\n", r->clv_err);
        }
    }
    if (r->churn_run) {
        if (r->churn_ok) {
            fprintf(f, "churn: %s\n", r->churn_method);
            if (r->churn_labelled) {
                fprintf(f,
                        "churn rate %.4f, CV AUC %.4f +- %.4f, log-loss "
                        "%.4f\n",
                        r->churn_rate, r->cv.auc_mean, r->cv.auc_sd,
                        r->cv.logloss_mean);
                const char *nm[5];
                double cf[5], orr[5];
                size_t k = hz_analytics_top_drivers(r, 5, nm, cf, orr);
                for (size_t j = 0; j < k; j++)
                    fprintf(f, "  driver %-40s coef %+.4f odds ratio %.3f\n",
                            nm[j], cf[j], orr[j]);
            } else {
                fprintf(f, "inactive share %.4f, mean risk %.4f\n",
                        r->churn_rate, r->mean_risk);
            }
        } else {
            fprintf(f, "churn: failed: %s\n", r->churn_err);
        }
    }
    if (r->seg_run) {
        if (r->seg_ok) {
            for (int g = 0; g < HZ_SEG_COUNT; g++)
                if (r->segprof[g].size)
                    fprintf(f,
                            "  %-20s %8zu customers, revenue share "
                            "%.3f\n",
                            hz_rfm_segment_name(g), r->segprof[g].size,
                            r->segprof[g].revenue_share);
            fprintf(f, "k-means: k = %d (%s)\n", r->k,
                    r->k_chosen ? "chosen by silhouette" : "requested");
        } else {
            fprintf(f, "segments: failed: %s\n", r->seg_err);
        }
    }
    if (ferror(f))
        return hz_error_set(err, HZ_EIO, "could not write the summary");
    return HZ_OK;
}

/* ---- a plain view for writers (analytics_view.h) ---- */

void hz_analytics_view_of(const hz_analytics_result *r, hz_analytics_view *v)
{
    memset(v, 0, sizeof *v);
    v->kind = r->kind;
    v->n = r->n;
    v->as_of = v->calibration_end = HZ_DAY_NONE;
    if (r->cs != NULL) {
        const hz_customer_summary *s = r->cs;
        v->unit = s->unit;
        v->as_of = s->as_of;
        v->calibration_end = s->calibration_end;
        v->frequency = s->frequency;
        v->recency = s->recency;
        v->T = s->T;
        v->monetary = s->monetary;
        v->total_spend = s->total_spend;
        v->days_since_last = r->rec_days;
        if (s->has_holdout) {
            v->frequency_holdout = s->frequency_holdout;
            v->duration_holdout = s->duration_holdout;
        }
    }
    v->horizon_months = r->req.horizon_months;
    v->clv_error = r->clv_err;
    if (r->clv_ok) {
        v->bgnbd = &r->bg;
        v->gg = r->gg_ok ? &r->gg : NULL;
        v->p_alive = r->p_alive;
        v->expected_purchases = r->exp_purch;
        v->clv = r->clv;
    }
    v->churn_run = r->churn_run;
    v->churn_error = r->churn_err;
    if (r->churn_ok) {
        v->churn_labelled = r->churn_labelled;
        v->churn_method = r->churn_method;
        v->churn_rate = r->churn_rate;
        v->churn_mean_risk = r->mean_risk;
        if (r->churn_labelled) {
            v->label = r->label;
            v->churn_prob = r->churn_prob;
            v->churn_oof = r->churn_oof;
            v->folds = r->cv.k;
            v->auc = r->cv.auc_mean;
            v->auc_sd = r->cv.auc_sd;
            v->nfeat = r->nfeat;
            v->feat = (const char *const *)r->feat;
            v->coef = r->coef;
        }
    }
    v->segment_error = r->seg_err;
    if (r->seg_ok) {
        v->segment = r->seg;
        v->segment_profile = r->segprof;
        v->k = r->k;
        v->cluster = r->cluster;
        v->cluster_profile = r->clprof;
    }
}
