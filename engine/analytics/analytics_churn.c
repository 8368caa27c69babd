/* The churn part of an analysis: risk from the purchase model without a
 * label; with a label, a logistic model (fitted with cross-validation, or
 * applied from a saved model), its drivers with intervals and the ROC
 * curve.  See analytics.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analytics/analytics_internal.h"

static void free_strs(char **v, size_t n)
{
    if (v != NULL)
        for (size_t j = 0; j < n; j++)
            free(v[j]);
    free(v);
}

void hz__churn_free(hz__churn_part *c)
{
    free(c->prob);
    free(c->oof);
    free(c->risk);
    free(c->label);
    free(c->inactive);
    free_strs(c->feat, c->nfeat);
    free_strs(c->src, c->nfeat);
    free_strs(c->level, c->nfeat);
    free(c->coef);
    free(c->se);
    free(c->mean);
    free(c->sd);
    free(c->drivers);
    free(c->coef_lo);
    free(c->roc_buf);
    free(c->label_name);
}

/* ---- without a label ---- */

/* The method text: the rule, and what it says of one-time buyers. */
static void unlabelled_method(hz_analytics_result *r)
{
    hz__churn_part *c = &r->churn;
    const hz__clv_part *v = &r->clv;
    const char *model = v->model == HZ_PURCHASE_PNBD ? "Pareto/NBD" : "BG/NBD";
    char rule[400];
    if (!v->ok)
        snprintf(c->model, sizeof c->model,
                 "a recency rule alone (the %s purchase model failed)", model);
    else if (r->req.risk == HZ_RISK_NO_PURCHASE)
        snprintf(c->model, sizeof c->model,
                 "P(no purchase in the next %d day%s) (%s) and a recency "
                 "rule",
                 r->req.inactive_days, r->req.inactive_days == 1 ? "" : "s",
                 model);
    else
        snprintf(c->model, sizeof c->model,
                 "1 - P(alive) (%s) and a recency rule", model);
    if (!v->ok)
        snprintf(rule, sizeof rule,
                 "churn risk unavailable (%s purchase model failed)", model);
    else if (r->req.risk == HZ_RISK_NO_PURCHASE)
        snprintf(rule, sizeof rule,
                 "churn risk = P(no purchase in the next %d day%s) from the "
                 "%s model (dead, or alive and silent; defined for "
                 "one-time buyers too)",
                 r->req.inactive_days, r->req.inactive_days == 1 ? "" : "s",
                 model);
    else if (v->model == HZ_PURCHASE_BGNBD)
        snprintf(rule, sizeof rule,
                 "churn risk = 1 - P(alive) from the BG/NBD model; its %zu "
                 "one-time buyer%s ha%s risk 0 because BG/NBD lets customers "
                 "drop out only right after a repeat purchase, not because "
                 "they will return (for a risk that covers them use --risk "
                 "no-purchase or --model pnbd)",
                 c->one_time, c->one_time == 1 ? "" : "s",
                 c->one_time == 1 ? "s" : "ve");
    else
        snprintf(rule, sizeof rule,
                 "churn risk = 1 - P(alive) from the Pareto/NBD model");
    snprintf(c->method, sizeof c->method,
             "no churn label: %s; customers with no purchase in the last "
             "%d day%s are flagged inactive (recency rule)",
             rule, r->req.inactive_days, r->req.inactive_days == 1 ? "" : "s");
}

void hz__churn_unlabelled(hz_analytics_result *r)
{
    hz__churn_part *c = &r->churn;
    const hz__clv_part *v = &r->clv;
    size_t n = r->cs->n, flagged = 0;
    double risk = 0;
    c->run = true;
    c->inactive = malloc(n);
    c->risk = malloc(n * sizeof(double));
    if (c->inactive == NULL || c->risk == NULL) {
        snprintf(c->err, sizeof c->err, "out of memory");
        return;
    }
    const bool silent = r->req.risk == HZ_RISK_NO_PURCHASE;
    for (size_t i = 0; i < n; i++) {
        c->inactive[i] = r->rec_days[i] > r->req.inactive_days;
        flagged += c->inactive[i];
        c->one_time += r->cs->frequency[i] == 0;
        c->risk[i] = !v->ok   ? NAN
                     : silent ? v->p_silent[i]
                              : 1.0 - v->p_alive[i];
        risk += c->risk[i];
    }
    c->rate = (double)flagged / (double)n;
    c->mean_risk = v->ok ? risk / (double)n : NAN;
    unlabelled_method(r);
    c->ok = true;
}

/* ---- the logistic model ---- */

/* ROC points of scores against labels, thinned to at most 501. */
static hz_status build_roc(hz__churn_part *c, const double *score,
                           const double *y, size_t n);

typedef struct sy {
    double s, y;
} sy;

static int cmp_sy_desc(const void *pa, const void *pb)
{
    const sy *a = pa, *b = pb;
    return (a->s < b->s) - (a->s > b->s);
}

static hz_status build_roc(hz__churn_part *c, const double *score,
                           const double *y, size_t n)
{
    sy *v = malloc((n ? n : 1) * sizeof *v);
    double *pts = malloc(3 * (n + 2) * sizeof(double));
    if (v == NULL || pts == NULL) {
        free(v);
        free(pts);
        return HZ_ENOMEM;
    }
    double P = 0, N = 0, tp = 0, fp = 0;
    for (size_t i = 0; i < n; i++) {
        v[i] = (sy){score[i], y[i]};
        P += y[i];
    }
    N = (double)n - P;
    qsort(v, n, sizeof *v, cmp_sy_desc);
    size_t m = 0;
    double *fpr = pts, *tpr = pts + n + 2, *thr = pts + 2 * (n + 2);
    fpr[m] = tpr[m] = 0;
    thr[m++] = INFINITY;
    for (size_t i = 0; i < n; i++) {
        tp += v[i].y;
        fp += 1 - v[i].y;
        if (i + 1 < n && v[i + 1].s == v[i].s)
            continue;
        fpr[m] = N > 0 ? fp / N : NAN;
        tpr[m] = P > 0 ? tp / P : NAN;
        thr[m++] = v[i].s;
    }
    free(v);
    /* thin evenly, keeping both ends */
    size_t keep = m <= 501 ? m : 501;
    c->roc_buf = malloc(3 * keep * sizeof(double));
    if (c->roc_buf == NULL) {
        free(pts);
        return HZ_ENOMEM;
    }
    for (size_t k = 0; k < keep; k++) {
        size_t src = keep > 1 ? k * (m - 1) / (keep - 1) : 0;
        c->roc_buf[k] = fpr[src];
        c->roc_buf[keep + k] = tpr[src];
        c->roc_buf[2 * keep + k] = thr[src];
    }
    c->roc = (hz_roc_curve){keep, c->roc_buf, c->roc_buf + keep,
                            c->roc_buf + 2 * keep};
    free(pts);
    return HZ_OK;
}

/* Drivers with intervals, per unit and per standard deviation. */
static hz_status build_drivers(hz__churn_part *c)
{
    c->drivers = calloc(c->nfeat ? c->nfeat : 1, sizeof *c->drivers);
    if (c->se != NULL)
        c->coef_lo = malloc(2 * (c->nfeat ? c->nfeat : 1) * sizeof(double));
    if (c->drivers == NULL || (c->se != NULL && c->coef_lo == NULL))
        return HZ_ENOMEM;
    c->coef_hi = c->coef_lo ? c->coef_lo + c->nfeat : NULL;
    const double z = 1.959963984540054;
    for (size_t j = 0; j < c->nfeat; j++) {
        hz_churn_driver *d = &c->drivers[j];
        double se = c->se ? c->se[j] : NAN, sd = c->sd[j];
        d->name = c->feat[j];
        d->coef = c->coef[j];
        d->se = se;
        d->coef_unit = c->coef[j] / sd;
        d->odds_ratio = exp(d->coef_unit);
        d->or_lower = exp((c->coef[j] - z * se) / sd);
        d->or_upper = exp((c->coef[j] + z * se) / sd);
        d->odds_ratio_sd = exp(c->coef[j]);
        d->mean = c->mean[j];
        d->sd = sd;
        if (c->coef_lo != NULL) {
            c->coef_lo[j] = c->coef[j] - z * se;
            c->coef_hi[j] = c->coef[j] + z * se;
        }
    }
    return HZ_OK;
}

/* Take the design's feature description (names, sources, scaling). */
static void take_features(hz__churn_part *c, hz_design *d)
{
    c->nfeat = d->p;
    c->feat = d->names;
    c->src = d->column;
    c->level = d->level;
    c->mean = d->mean;
    c->sd = d->sd;
    d->names = d->column = d->level = NULL;
    d->mean = d->sd = NULL;
}

static void label_stats(hz__churn_part *c, const hz_design *d)
{
    double pos = 0, risk = 0;
    for (size_t i = 0; i < d->n; i++) {
        pos += d->y ? d->y[i] : 0;
        risk += c->prob[i];
    }
    c->rate = d->y ? pos / (double)d->n : NAN;
    c->mean_risk = risk / (double)d->n;
    c->dropped = d->dropped;
}

/* Fit with cross-validation; fills the churn part. */
static hz_status fit_design(hz_analytics_result *r, hz_design *d,
                            hz_error *err)
{
    const hz_analytics_request *q = &r->req;
    hz__churn_part *c = &r->churn;
    hz_logreg_options lo;
    hz_logreg_model m;
    int *fold = malloc(d->n * sizeof(int));
    c->se = malloc((d->p + 1) * sizeof(double));
    if (fold == NULL || c->se == NULL) {
        free(fold);
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    }
    hz_logreg_options_init(&lo);
    lo.C = q->C;
    hz_status st = hz_stratified_folds(d->y, d->n, q->folds, q->seed, fold,
                                       err);
    if (st == HZ_OK)
        st = hz_logreg_cross_validate(d->X, d->y, d->n, d->p, fold, q->folds,
                                      &lo, &c->cv, c->oof, err);
    free(fold);
    if (st == HZ_OK)
        st = hz_logreg_fit(d->X, d->y, d->n, d->p, &lo, &m, err);
    if (st != HZ_OK)
        return st;
    c->has_cv = true;
    hz_logreg_predict(&m, d->X, d->n, c->prob);
    st = hz_logreg_std_errors(&m, d->X, d->n, q->C, c->se, err);
    c->intercept = m.intercept;
    c->coef = m.coef;
    m.coef = NULL;
    take_features(c, d);
    if (st == HZ_OK)
        st = build_roc(c, c->oof, d->y, d->n) == HZ_OK &&
                     build_drivers(c) == HZ_OK
                 ? HZ_OK
                 : hz_error_set(err, HZ_ENOMEM, "out of memory");
    return st;
}

/* Score with a saved model; with labels, the in-sample AUC and ROC. */
static hz_status apply_saved(hz_analytics_result *r, hz_design *d,
                             const hz_analytics_model *mi, hz_error *err)
{
    hz__churn_part *c = &r->churn;
    hz_logreg_model m = {d->p, mi->intercept, mi->coef, 0, 0};
    hz_logreg_predict(&m, d->X, d->n, c->prob);
    memcpy(c->oof, c->prob, d->n * sizeof(double));
    c->coef = malloc(d->p * sizeof(double));
    if (c->coef == NULL)
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    memcpy(c->coef, mi->coef, d->p * sizeof(double));
    c->intercept = mi->intercept;
    c->loaded = true;
    take_features(c, d);
    c->auc_in = d->y ? hz_roc_auc(c->prob, d->y, d->n) : NAN;
    if ((d->y && build_roc(c, c->prob, d->y, d->n) != HZ_OK) ||
        build_drivers(c) != HZ_OK)
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    return HZ_OK;
}

static hz_status alloc_rows(hz__churn_part *c, size_t n)
{
    c->label = malloc(n ? n : 1);
    c->prob = malloc((n ? n : 1) * sizeof(double));
    c->oof = malloc((n ? n : 1) * sizeof(double));
    return c->label && c->prob && c->oof ? HZ_OK : HZ_ENOMEM;
}

static const char *guess_id(const hz_dataset *ds, const char *id)
{
    if (id != NULL)
        return id;
    const hz_column *c = hz__find_column(ds, hz__customer_table_names);
    return c ? c->name : NULL;
}

hz_status hz__churn_table(hz_analytics_result *r, const hz_dataset *ds,
                          const char *id, const hz_analytics_model *mi,
                          hz_error *err)
{
    const hz_analytics_request *q = &r->req;
    hz__churn_part *c = &r->churn;
    hz_design d;
    hz_status st;
    id = guess_id(ds, id);
    c->run = true;
    c->labelled = true;
    if (mi != NULL && !mi->has_churn)
        return hz_error_set(err, HZ_EINVAL,
                            "the model file has no churn "
                            "model");
    const char *label = q->label_col != NULL ? q->label_col
                        : mi != NULL         ? mi->label
                                             : NULL;
    if (label == NULL)
        return hz_error_set(err, HZ_EINVAL,
                            "churn: no label column and no model file");
    if ((c->label_name = strdup(label)) == NULL)
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    if (id != NULL &&
        (st = hz__one_row_per_id(ds, hz_dataset_column(ds, id, NULL), err)) !=
            HZ_OK)
        return st;
    if (mi != NULL) {
        /* the label is optional when scoring */
        const char *lab = hz_dataset_column(ds, label, NULL) ? label : NULL;
        st = hz_design_apply(ds, lab, mi->nfeat, (const char *const *)mi->src,
                             (const char *const *)mi->level, mi->mean, mi->sd,
                             &d, err);
    } else {
        st = hz_design_from_dataset_keep(ds, label, id, 64, q->keep_ids, &d,
                                         err);
    }
    if (st != HZ_OK)
        return st;
    r->n = d.n;
    if (alloc_rows(c, d.n) != HZ_OK ||
        hz__set_ids(r, id ? hz_dataset_column(ds, id, NULL) : NULL, NULL,
                    d.row, d.n) != HZ_OK) {
        st = hz_error_set(err, HZ_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < d.n; i++)
        c->label[i] = d.y ? (int8_t)d.y[i] : -1;
    snprintf(c->skipped, sizeof c->skipped, "%s", d.skipped);
    st = mi ? apply_saved(r, &d, mi, err) : fit_design(r, &d, err);
    if (st != HZ_OK)
        goto out;
    label_stats(c, &d);
    snprintf(c->model, sizeof c->model, "%s",
             mi != NULL ? "a saved logistic regression"
                        : "logistic regression on the churn label");
    /* the rows and columns left out, said where they are */
    char drop[HZ_ERROR_MAX + 64], skip[HZ_ERROR_MAX + 96];
    snprintf(drop, sizeof drop, "%zu row%s dropped for empty values%s%s%s",
             c->dropped, c->dropped == 1 ? "" : "s",
             d.dropped_first[0] ? " (first: " : "", d.dropped_first,
             d.dropped_first[0] ? ")" : "");
    snprintf(skip, sizeof skip, "%s%s%s",
             d.skipped[0] ? "; left out: " : "", d.skipped,
             strstr(d.skipped, "an identifier by") != NULL ||
                     strstr(d.skipped, "an identifier:") != NULL
                 ? " (--keep-ids COL,... uses such a column as a number)"
                 : "");
    if (mi != NULL)
        snprintf(c->method, sizeof c->method,
                 "saved logistic model applied to %zu feature%s (no "
                 "refit)%s; %s",
                 c->nfeat, c->nfeat == 1 ? "" : "s", d.y ? "; AUC on these labels, in sample" : "",
                 drop);
    else
        snprintf(c->method, sizeof c->method,
                 "label '%s'; L2 logistic regression (C = %g, Newton/IRLS) "
                 "on %zu standardised features (numbers as they are, text "
                 "one-hot)%s; %d-fold stratified cross-validation; %s",
                 label, q->C, c->nfeat, skip, q->folds, drop);
    c->ok = true;
out:
    hz_design_free(&d);
    return st;
}

/* ---- the suite with a label: one label per customer ---- */

static bool blank_text(const char *t)
{
    while (*t == ' ' || *t == '\t')
        t++;
    return *t == '\0';
}

/* Label per customer key (1 when any of its rows is positive); a value
 * that is not yes/no is an error with its place. */
static hz_status customer_labels(hz_analytics_result *r, const hz_dataset *ds,
                                 const char *cust_col, hz_error *err)
{
    const hz_customer_summary *s = r->cs;
    const size_t n = s->n;
    const hz_column *lc = hz_dataset_column(ds, r->req.label_col, err);
    const hz_column *cc = hz_dataset_column(ds, cust_col, err);
    if (lc == NULL || cc == NULL)
        return HZ_ENOTFOUND;
    memset(r->churn.label, -1, n);
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
        int v = lc->type == HZ_TYPE_STRING
                    ? hz__parse_flag(hz_dict_str(lc->dict, lc->v.code[i]))
                    : (int)(hz_col_number(lc, i) == 1   ? 1
                            : hz_col_number(lc, i) == 0 ? 0
                                                        : -1);
        if (v < 0 && !(lc->type == HZ_TYPE_STRING &&
                       blank_text(hz_dict_str(lc->dict, lc->v.code[i])))) {
            char pl[320], tx[64];
            const char *t = hz_col_text(lc, i, tx, sizeof tx);
            hz_dataset_place(ds, i, lc, pl, sizeof pl);
            return hz_error_set(err, HZ_EINVAL,
                                "%s: column '%s' (label) is '%s': expected "
                                "yes/no, true/false or 0/1",
                                pl, lc->name, t ? t : "");
        }
        if (v == 1)
            r->churn.label[lo] = 1;
        else if (v == 0 && r->churn.label[lo] < 0)
            r->churn.label[lo] = 0;
    }
    for (size_t i = 0; i < n; i++) {
        if (r->churn.label[i] >= 0)
            continue;
        /* named by the place of the customer's first row */
        char pl[320];
        size_t row = 0;
        while (row < ds->nrows &&
               (hz_col_is_null(cc, row) ||
                (cc->type == HZ_TYPE_STRING ? (int64_t)cc->v.code[row]
                                            : cc->v.i64[row]) != s->key[i]))
            row++;
        if (row < ds->nrows)
            hz_dataset_place(ds, row, lc, pl, sizeof pl);
        else
            snprintf(pl, sizeof pl, "%s", ds->source ? ds->source : "input");
        return hz_error_set(err, HZ_EINVAL,
                            "%s: column '%s' (label) is empty on every row of "
                            "customer %s: each customer needs a yes/no or 0/1 "
                            "label",
                            pl, r->req.label_col, hz__id_of(r, i));
    }
    return HZ_OK;
}

/* The summary features (recency, frequency, T, monetary, total spend). */
static hz_status summary_design(hz_analytics_result *r, hz_design *d)
{
    static const char *const fn[5] = {"recency_days", "frequency", "T",
                                      "monetary_value", "total_spend"};
    const hz_customer_summary *s = r->cs;
    const size_t n = s->n, p = 5;
    d->n = n;
    d->p = p;
    d->X = malloc(n * p * sizeof(double));
    d->y = malloc(n * sizeof(double));
    d->names = calloc(p, sizeof(char *));
    d->column = calloc(p, sizeof(char *));
    d->level = calloc(p, sizeof(char *));
    d->mean = malloc(p * sizeof(double));
    d->sd = malloc(p * sizeof(double));
    if (!d->X || !d->y || !d->names || !d->column || !d->level || !d->mean ||
        !d->sd)
        return HZ_ENOMEM;
    const double *cols[5] = {r->rec_days, s->frequency, s->T, s->monetary,
                             s->total_spend};
    for (size_t j = 0; j < p; j++) {
        if (!(d->names[j] = strdup(fn[j])) || !(d->column[j] = strdup(fn[j])))
            return HZ_ENOMEM;
        double mu = 0, v = 0;
        for (size_t i = 0; i < n; i++)
            mu += cols[j][i];
        mu /= (double)n;
        for (size_t i = 0; i < n; i++)
            v += (cols[j][i] - mu) * (cols[j][i] - mu);
        double sd = sqrt(v / (double)n);
        d->mean[j] = mu;
        d->sd[j] = sd > 0 ? sd : 1;
        for (size_t i = 0; i < n; i++)
            d->X[i * p + j] = (cols[j][i] - mu) / d->sd[j];
    }
    for (size_t i = 0; i < n; i++)
        d->y[i] = r->churn.label[i];
    return HZ_OK;
}

hz_status hz__churn_suite_labelled(hz_analytics_result *r,
                                   const hz_dataset *ds, const char *cust_col,
                                   hz_error *err)
{
    hz__churn_part *c = &r->churn;
    hz_design d;
    memset(&d, 0, sizeof d);
    c->run = true;
    c->labelled = true;
    c->label_name = strdup(r->req.label_col);
    if (alloc_rows(c, r->cs->n) != HZ_OK || c->label_name == NULL)
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    hz_status st = customer_labels(r, ds, cust_col, err);
    if (st == HZ_OK && summary_design(r, &d) != HZ_OK)
        st = hz_error_set(err, HZ_ENOMEM, "out of memory");
    if (st == HZ_OK)
        st = fit_design(r, &d, err);
    if (st == HZ_OK) {
        label_stats(c, &d);
        snprintf(c->model, sizeof c->model,
                 "logistic regression on the churn label");
        snprintf(c->method, sizeof c->method,
                 "label '%s' per customer (positive when any of its rows "
                 "is); L2 logistic regression (C = %g) on standardised "
                 "recency, frequency, T, monetary value and total spend; "
                 "%d-fold stratified cross-validation",
                 r->req.label_col, r->req.C, r->req.folds);
        c->ok = true;
    }
    hz_design_free(&d);
    return st;
}
