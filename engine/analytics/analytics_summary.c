/* The summary of a result as JSON (the "summary" block and the whole
 * document) and as text.  See analytics.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analytics/analytics_internal.h"
#include "core/textout.h"

hz_status hz__write_rows_json(const hz_analytics_result *r, FILE *f,
                              hz_error *err);

/* ---- small JSON helpers ---- */

static void jkey(FILE *f, const char *k)
{
    fprintf(f, ", \"%s\": ", k);
}

static void jnum(FILE *f, const char *k, double v)
{
    jkey(f, k);
    hz__json_num(f, v);
}

static void jstr(FILE *f, const char *k, const char *v)
{
    jkey(f, k);
    hz__json_str(f, v);
}

static void jarr(FILE *f, const char *k, const double *v, size_t n)
{
    jkey(f, k);
    fputc('[', f);
    for (size_t i = 0; i < n; i++) {
        if (i)
            fputs(", ", f);
        hz__json_num(f, v[i]);
    }
    fputc(']', f);
}

static void jsize_arr(FILE *f, const char *k, const size_t *v, size_t n)
{
    jkey(f, k);
    fputc('[', f);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%s%zu", i ? ", " : "", v[i]);
    fputc(']', f);
}

/* ---- clv ---- */

static void fit_common(FILE *f, const double *se, size_t k, double loglik,
                       size_t iters, double dec, bool boundary,
                       const char *note)
{
    jarr(f, "se", se, k);
    jnum(f, "loglik", loglik);
    fprintf(f, ", \"iterations\": %zu", iters);
    jnum(f, "newton_decrement", dec);
    fprintf(f, ", \"boundary\": %s", boundary ? "true" : "false");
    if (boundary)
        jstr(f, "boundary_reason", note);
}

static void json_models(const hz__clv_part *c, FILE *f)
{
    if (c->bg_ok) {
        const hz_bgnbd_model *b = &c->bg;
        fputs(", \"bgnbd\": {\"r\": ", f);
        hz__json_num(f, b->p.r);
        jnum(f, "alpha", b->p.alpha);
        jnum(f, "a", b->p.a);
        jnum(f, "b", b->p.b);
        if (!c->loaded)
            fit_common(f, b->se, 4, b->loglik, b->iterations, b->decrement,
                       b->boundary, b->note);
        fputc('}', f);
    } else if (c->bg_err[0]) {
        jstr(f, "bgnbd_error", c->bg_err);
    }
    if (c->pn_ok) {
        const hz_pnbd_model *p = &c->pn;
        fputs(", \"pnbd\": {\"r\": ", f);
        hz__json_num(f, p->p.r);
        jnum(f, "alpha", p->p.alpha);
        jnum(f, "s", p->p.s);
        jnum(f, "beta", p->p.beta);
        if (!c->loaded)
            fit_common(f, p->se, 4, p->loglik, p->iterations, p->decrement,
                       p->boundary, p->note);
        fputc('}', f);
    } else if (c->pn_err[0]) {
        jstr(f, "pnbd_error", c->pn_err);
    }
}

static void json_spend(const hz__clv_part *c, FILE *f)
{
    if (c->gg_ok) {
        const hz_gg_model *g = &c->gg;
        fputs(", \"gammagamma\": {\"p\": ", f);
        hz__json_num(f, g->p.p);
        jnum(f, "q", g->p.q);
        jnum(f, "gamma", g->p.gamma);
        if (!c->loaded) {
            fit_common(f, g->se, 3, g->loglik, g->iterations, g->decrement,
                       g->boundary, g->note);
            fprintf(f, ", \"repeat_buyers\": %zu", g->n);
            fprintf(f, ", \"zero_spend_left_out\": %zu", g->n_zero);
        }
        fputc('}', f);
    } else if (c->gg_err[0]) {
        jstr(f, "spend_error", c->gg_err);
    }
}

static void json_holdout(const hz_holdout_report *h, FILE *f)
{
    fprintf(f, "{\"customers\": %zu", h->customers);
    jnum(f, "duration", h->duration);
    jnum(f, "predicted_total", h->predicted_total);
    jnum(f, "actual_total", h->actual_total);
    jnum(f, "correlation", h->correlation);
    jnum(f, "mae", h->mae);
    jsize_arr(f, "by_frequency_customers", h->bin_customers, HZ_HOLDOUT_BINS);
    jarr(f, "by_frequency_actual", h->bin_actual, HZ_HOLDOUT_BINS);
    jarr(f, "by_frequency_predicted", h->bin_predicted, HZ_HOLDOUT_BINS);
    if (h->weeks > 0) {
        char d[16];
        jstr(f, "tracking_start", hz_format_day(h->day0, d));
        fprintf(f, ", \"tracking_calibration_weeks\": %zu",
                h->calibration_weeks);
        jarr(f, "tracking_actual_cumulative", h->actual_cum, h->weeks);
        jarr(f, "tracking_expected_cumulative", h->expected_cum, h->weeks);
    }
    fputc('}', f);
}

static void json_predictions(const hz_analytics_result *r, FILE *f)
{
    const hz__clv_part *c = &r->clv;
    jnum(f, "horizon_months", c->horizon_days / HZ_DAYS_PER_MONTH);
    jnum(f, "horizon_days", c->horizon_days);
    jnum(f, "discount_rate", r->req.discount_rate);
    if (c->clv_sorted != NULL) {
        static const char *const qn[5] = {"p10", "p25", "p50", "p75", "p90"};
        jnum(f, "total", c->clv_total);
        fputs(", \"quantiles\": {", f);
        for (int j = 0; j < 5; j++) {
            fprintf(f, "%s\"%s\": ", j ? ", " : "", qn[j]);
            hz__json_num(f, c->clv_q[j]);
        }
        fputc('}', f);
    }
    fprintf(f, ", \"one_time_buyers\": %zu, \"p_alive_at_least_0_9999\": %zu",
            c->one_time, c->sure_alive);
    if (c->sure_alive == r->n)
        jstr(f, "warning",
             "P(alive) >= 0.9999 for every customer: the "
             "model sees no dropout");
    fputs(", \"new_customer\": {\"expected\": ", f);
    hz__json_num(f, c->expected_new);
    jarr(f, "p_count", c->pmf, HZ__PMF_MAX);
    fputc('}', f);
    const hz_palive_matrix *m = &c->pam;
    fputs(", \"p_alive_matrix\": {\"T\": ", f);
    hz__json_num(f, m->T);
    jarr(f, "recency", m->recency, m->nr);
    fprintf(f, ", \"frequency_max\": %zu", m->nx - 1);
    jarr(f, "p", m->p, m->nx * m->nr);
    fputc('}', f);
}

static void json_clv(const hz_analytics_result *r, FILE *f)
{
    const hz__clv_part *c = &r->clv;
    fprintf(f, ", \"clv\": {\"model\": \"%s\"",
            hz_purchase_kind_name(c->model));
    if (c->loaded)
        fputs(", \"from_model_file\": true", f);
    json_models(c, f);
    json_spend(c, f);
    if (!c->ok) {
        jstr(f, "error", c->err);
        fputc('}', f);
        return;
    }
    json_predictions(r, f);
    if (c->hold_ok[0] || c->hold_ok[1]) {
        fputs(", \"holdout\": {", f);
        for (int k = 0; k < 2; k++)
            if (c->hold_ok[k]) {
                fprintf(f, "%s\"%s\": ", k && c->hold_ok[0] ? ", " : "",
                        hz_purchase_kind_name((hz_purchase_kind)k));
                json_holdout(&c->hold[k], f);
            }
        fputc('}', f);
    }
    fputc('}', f);
}

/* ---- churn ---- */

static void json_drivers(const hz__churn_part *c, FILE *f)
{
    fputs(", \"coefficients\": [", f);
    for (size_t j = 0; j < c->nfeat; j++) {
        const hz_churn_driver *d = &c->drivers[j];
        fputs(j ? ", {\"feature\": " : "{\"feature\": ", f);
        hz__json_str(f, d->name);
        jnum(f, "coef", d->coef);
        jnum(f, "se", d->se);
        jnum(f, "coef_per_unit", d->coef_unit);
        jnum(f, "odds_ratio", d->odds_ratio);
        jnum(f, "odds_ratio_lower", d->or_lower);
        jnum(f, "odds_ratio_upper", d->or_upper);
        jnum(f, "odds_ratio_per_sd", d->odds_ratio_sd);
        jnum(f, "mean", d->mean);
        jnum(f, "sd", d->sd);
        fputc('}', f);
    }
    fputc(']', f);
    if (c->roc.n > 0) {
        fputs(", \"roc\": {\"fpr\": [", f);
        for (size_t k = 0; k < c->roc.n; k++) {
            fputs(k ? ", " : "", f);
            hz__json_num(f, c->roc.fpr[k]);
        }
        fputc(']', f);
        jarr(f, "tpr", c->roc.tpr, c->roc.n);
        jarr(f, "threshold", c->roc.threshold, c->roc.n);
        fputc('}', f);
    }
}

static void json_churn(const hz_analytics_result *r, FILE *f)
{
    const hz__churn_part *c = &r->churn;
    fputs(", \"churn\": {", f);
    if (!c->ok) {
        fputs("\"error\": ", f);
        hz__json_str(f, c->err);
        fputc('}', f);
        return;
    }
    fputs("\"method\": ", f);
    hz__json_str(f, c->method);
    fputs(", \"model\": ", f);
    hz__json_str(f, c->model);
    jnum(f, "churn_rate", c->rate);
    jnum(f, "mean_risk", c->mean_risk);
    if (!c->labelled) {
        fprintf(f, ", \"inactive_days\": %d, \"risk_rule\": \"%s\"",
                r->req.inactive_days,
                r->req.risk == HZ_RISK_NO_PURCHASE ? "no-purchase"
                                                   : "p-alive");
        fprintf(f, ", \"one_time_buyers\": %zu}", c->one_time);
        return;
    }
    if (c->has_cv) {
        fprintf(f, ", \"folds\": %d", c->cv.k);
        jnum(f, "auc", c->cv.auc_mean);
        jnum(f, "auc_sd", c->cv.auc_sd);
        jnum(f, "log_loss", c->cv.logloss_mean);
    } else {
        fputs(", \"from_model_file\": true", f);
        jnum(f, "auc", c->auc_in);
    }
    fprintf(f, ", \"rows_dropped\": %zu", c->dropped);
    jstr(f, "skipped_columns", c->skipped);
    jnum(f, "intercept", c->intercept);
    json_drivers(c, f);
    fputc('}', f);
}

/* ---- segments ---- */

static void put_profile(FILE *f, const hz_segment_profile *p)
{
    fprintf(f, "\"size\": %zu", p->size);
    jnum(f, "share", p->share);
    jnum(f, "mean_recency_days", p->size ? p->mean_recency : NAN);
    jnum(f, "mean_frequency", p->size ? p->mean_frequency : NAN);
    jnum(f, "mean_monetary", p->size ? p->mean_monetary : NAN);
    jnum(f, "revenue", p->revenue);
    jnum(f, "revenue_share", p->revenue_share);
}

static void json_kmeans(const hz_analytics_result *r, FILE *f)
{
    const hz__seg_part *s = &r->seg;
    fprintf(f,
            ", \"kmeans\": {\"k\": %d, \"features\": \"standardised "
            "log1p(recency_days), log1p(frequency), log1p(total spend)\", "
            "\"k_chosen_by\": \"%s\"",
            s->k,
            s->k_chosen    ? "silhouette"
            : s->k_default ? "default"
                           : "request");
    if ((s->k_default && s->k < HZ__KMEANS_DEFAULT_K) ||
        (s->k_chosen && s->sil_kmax < s->sil_kmin)) {
        char how[160];
        hz__kmeans_k_how(s, how, sizeof how);
        jstr(f, "k_note", how);
    }
    jnum(f, "inertia", s->inertia);
    fprintf(f, ", \"iterations\": %d", s->iterations);
    if (s->k_chosen) {
        fputs(", \"silhouette\": {", f);
        for (int k = s->sil_kmin; k <= s->sil_kmax; k++) {
            fprintf(f, "%s\"%d\": ", k > s->sil_kmin ? ", " : "", k);
            hz__json_num(f, s->sil[k - s->sil_kmin]);
        }
        fputc('}', f);
    }
    fputs(", \"clusters\": [", f);
    for (int g = 0; g < s->k; g++) {
        fprintf(f, "%s{\"cluster\": %d, ", g ? ", " : "", g);
        put_profile(f, &s->clprof[g]);
        jnum(f, "center_recency_days", s->centers[g * 3]);
        jnum(f, "center_frequency", s->centers[g * 3 + 1]);
        jnum(f, "center_total_spend", s->centers[g * 3 + 2]);
        fputc('}', f);
    }
    fputs("]}", f);
}

static void json_segments(const hz_analytics_result *r, FILE *f)
{
    static const char *const fk[3] = {"purchase days", "distinct orders",
                                      "rows"};
    const hz__seg_part *s = &r->seg;
    fputs(", \"segments\": {", f);
    if (!s->ok) {
        fputs("\"error\": ", f);
        hz__json_str(f, s->err);
        fputc('}', f);
        return;
    }
    fputs("\"rfm\": [", f);
    for (int g = 0; g < HZ_SEG_COUNT; g++) {
        fputs(g ? ", {\"segment\": " : "{\"segment\": ", f);
        hz__json_str(f, hz_rfm_segment_name(g));
        fputs(", ", f);
        put_profile(f, &s->segprof[g]);
        fputc('}', f);
    }
    fputc(']', f);
    json_kmeans(r, f);
    fprintf(f, ", \"frequency\": \"%s\"}", fk[r->req.frequency]);
}

/* ---- survival ---- */

static void json_km(const hz_km_curve *k, FILE *f)
{
    fprintf(f, ", \"kaplan_meier\": {\"n\": %zu, \"events\": %zu", k->n,
            k->events);
    jnum(f, "median", k->median);
    jarr(f, "time", k->time, k->m);
    jarr(f, "at_risk", k->at_risk, k->m);
    jarr(f, "deaths", k->deaths, k->m);
    jarr(f, "survival", k->surv, k->m);
    jarr(f, "se", k->se, k->m);
    jarr(f, "lower", k->lower, k->m);
    jarr(f, "upper", k->upper, k->m);
    fputc('}', f);
}

static void json_cox(const hz__surv_part *s, FILE *f)
{
    const hz_cox_model *m = &s->cox;
    const double z = 1.959963984540054;
    fprintf(f,
            ", \"cox\": {\"ties\": \"breslow\", \"n\": %zu, \"events\": %zu",
            m->n, m->events);
    jnum(f, "loglik", m->loglik);
    jnum(f, "loglik_null", m->loglik0);
    fputs(", \"coefficients\": [", f);
    for (size_t j = 0; j < m->p; j++) {
        fputs(j ? ", {\"covariate\": " : "{\"covariate\": ", f);
        hz__json_str(f, s->names[j]);
        jnum(f, "coef", m->coef[j]);
        jnum(f, "se", m->se[j]);
        jnum(f, "z", m->z[j]);
        jnum(f, "p", m->pvalue[j]);
        jnum(f, "hazard_ratio", exp(m->coef[j]));
        jnum(f, "hr_lower", exp(m->coef[j] - z * m->se[j]));
        jnum(f, "hr_upper", exp(m->coef[j] + z * m->se[j]));
        fputc('}', f);
    }
    fputs("]}", f);
}

static void json_survival(const hz_analytics_result *r, FILE *f)
{
    const hz__surv_part *s = &r->surv;
    fputs(", \"survival\": {", f);
    if (!s->ok) {
        fputs("\"error\": ", f);
        hz__json_str(f, s->err);
        fputc('}', f);
        return;
    }
    /* kept for readers of earlier versions: a row that cannot be used is
     * an error now, never dropped */
    fputs("\"rows_dropped\": 0", f);
    json_km(&s->km, f);
    fputs(", \"at\": {", f);
    for (size_t t = 0; t < s->ntimes; t++) {
        fprintf(f, "%s\"%g\": ", t ? ", " : "", s->times[t]);
        hz__json_num(f, hz_km_at(&s->km, s->times[t]));
    }
    fputc('}', f);
    if (s->cox_ok)
        json_cox(s, f);
    fputc('}', f);
}

static void write_summary_json(const hz_analytics_result *r, FILE *f)
{
    char d1[16];
    fprintf(f, "{\"customers\": %zu", r->n);
    if (r->cs != NULL) {
        static const char *const role[3] = {"customer", "date", "amount"};
        fputs(", \"columns\": {", f);
        for (int k = 0; k < 3; k++) {
            fprintf(f, "%s\"%s\": {\"name\": ", k ? ", " : "", role[k]);
            hz__json_str(f, r->col_name[k]);
            fprintf(f, ", \"guessed\": %s}",
                    r->col_guessed[k] ? "true" : "false");
        }
        fputc('}', f);
        fprintf(f, ", \"utc_offsets\": %s",
                r->dates_zoned ? "true" : "false");
        const hz_customer_summary *s = r->cs;
        fprintf(f,
                ", \"transactions_used\": %zu, \"transactions_after_as_of"
                "\": %zu, \"as_of\": \"%s\"",
                s->rows_used, s->rows_ignored, hz_format_day(s->as_of, d1));
        fprintf(f, ", \"refund_rows\": %zu", s->refund_rows);
        fprintf(f, ", \"duplicate_rows\": %zu, \"duplicates_dropped\": %s",
                r->dup_rows, r->dup_dropped ? "true" : "false");
        if (r->dup_rows > 0) {
            jstr(f, "duplicate_first", r->dup_first);
            fprintf(f, ", \"duplicate_refunds\": %zu", r->dup_refunds);
        }
        jnum(f, "refund_total", s->refund_total);
        if (s->has_holdout) {
            fprintf(f, ", \"holdout_refund_rows\": %zu",
                    s->holdout_refund_rows);
            jnum(f, "holdout_refund_total", s->holdout_refund_total);
            fprintf(f, ", \"holdout_refund_calibration_customers\": %zu",
                    s->holdout_refund_cal_customers);
            jnum(f, "holdout_refund_calibration_total",
                 s->holdout_refund_cal_total);
        }
        fprintf(f, ", \"calibration_end\": \"%s\", \"unit\": \"%s\"",
                hz_format_day(s->calibration_end, d1),
                s->unit == HZ_UNIT_WEEKS ? "weeks" : "days");
        fprintf(f, ", \"customers_after_calibration_end\": %zu",
                s->n_after_calibration);
        char w[400];
        if (hz__as_of_warning(s, w, sizeof w)) {
            fputs(", \"as_of_warning\": ", f);
            hz__json_str(f, w);
        }
    }
    if (r->clv.run)
        json_clv(r, f);
    if (r->churn.run)
        json_churn(r, f);
    if (r->seg.run)
        json_segments(r, f);
    if (r->surv.run)
        json_survival(r, f);
    jnum(f, "seconds", r->seconds);
    jnum(f, "seconds_summary", r->t_summary);
    jnum(f, "seconds_clv", r->t_clv);
    jnum(f, "seconds_segment", r->t_seg);
    fputc('}', f);
}

hz_status hz_analytics_result_write_json(const hz_analytics_result *r, FILE *f,
                                         bool with_rows, hz_error *err)
{
    fprintf(f, "{\"analysis\": \"%s\", \"summary\": ",
            hz_analysis_kind_name(r->kind));
    write_summary_json(r, f);
    if (with_rows) {
        fputs(",\n\"customers\": [\n", f);
        hz_status st = hz__write_rows_json(r, f, err);
        if (st != HZ_OK)
            return st;
        fputs("\n]", f);
    }
    fputs("}\n", f);
    if (ferror(f))
        return hz_error_set(err, HZ_EIO, "could not write the result");
    return HZ_OK;
}
