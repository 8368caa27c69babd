/* Accessors of an analytics result: the plain data behind the summary
 * and the charts.  See analytics.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analytics/analytics_internal.h"

hz_analysis_kind hz_analytics_kind(const hz_analytics_result *r)
{
    return r->kind;
}

size_t hz_analytics_customers(const hz_analytics_result *r)
{
    return r->n;
}

bool hz_analytics_dates_zoned(const hz_analytics_result *r)
{
    return r->dates_zoned;
}

bool hz_analytics_dates_unix(const hz_analytics_result *r)
{
    return r->dates_unix;
}

const char *hz_analytics_customer_id(const hz_analytics_result *r, size_t i)
{
    return i < r->n && r->idbuf ? hz__id_of(r, i) : NULL;
}

double hz_analytics_churn_rate(const hz_analytics_result *r)
{
    return r->churn.ok ? r->churn.rate : NAN;
}

double hz_analytics_churn_mean_risk(const hz_analytics_result *r)
{
    return r->churn.ok ? r->churn.mean_risk : NAN;
}

double hz_analytics_churn_auc(const hz_analytics_result *r)
{
    const hz__churn_part *c = &r->churn;
    if (!c->ok || !c->labelled)
        return NAN;
    return c->has_cv ? c->cv.auc_mean : c->auc_in;
}

size_t hz_analytics_top_drivers(const hz_analytics_result *r, size_t max,
                                const char **names, double *coef,
                                double *odds_ratio)
{
    const hz__churn_part *c = &r->churn;
    if (!c->ok || !c->labelled || c->drivers == NULL)
        return 0;
    size_t got = 0;
    bool *used = calloc(c->nfeat + 1, 1);
    if (used == NULL)
        return 0;
    while (got < max && got < c->nfeat) {
        size_t best = c->nfeat;
        for (size_t j = 0; j < c->nfeat; j++)
            if (!used[j] &&
                (best == c->nfeat || fabs(c->coef[j]) > fabs(c->coef[best])))
                best = j;
        used[best] = true;
        if (names)
            names[got] = c->feat[best];
        if (coef)
            coef[got] = c->coef[best];
        if (odds_ratio)
            odds_ratio[got] = c->drivers[best].odds_ratio;
        got++;
    }
    free(used);
    return got;
}

const hz_churn_driver *hz_analytics_churn_drivers(const hz_analytics_result *r,
                                                  size_t *n)
{
    const hz__churn_part *c = &r->churn;
    bool ok = c->ok && c->labelled && c->drivers != NULL;
    *n = ok ? c->nfeat : 0;
    return ok ? c->drivers : NULL;
}

const hz_roc_curve *hz_analytics_roc(const hz_analytics_result *r)
{
    return r->churn.ok && r->churn.roc.n > 0 ? &r->churn.roc : NULL;
}

double hz_analytics_clv_quantile(const hz_analytics_result *r, double q)
{
    const hz__clv_part *c = &r->clv;
    if (!c->ok || c->clv_sorted == NULL || !(q >= 0 && q <= 1))
        return NAN;
    return hz__quantile_sorted(c->clv_sorted, r->n, q);
}

double hz_analytics_clv_total(const hz_analytics_result *r)
{
    return r->clv.ok && r->clv.clv_sorted != NULL ? r->clv.clv_total : NAN;
}

const double *hz_analytics_clv_sorted(const hz_analytics_result *r, size_t *n)
{
    bool ok = r->clv.ok && r->clv.clv_sorted != NULL;
    *n = ok ? r->n : 0;
    return ok ? r->clv.clv_sorted : NULL;
}

const hz_bgnbd_model *hz_analytics_bgnbd(const hz_analytics_result *r)
{
    return r->clv.bg_ok ? &r->clv.bg : NULL;
}

const hz_pnbd_model *hz_analytics_pnbd(const hz_analytics_result *r)
{
    return r->clv.pn_ok ? &r->clv.pn : NULL;
}

const hz_gg_model *hz_analytics_gammagamma(const hz_analytics_result *r)
{
    return r->clv.gg_ok ? &r->clv.gg : NULL;
}

hz_purchase_kind hz_analytics_purchase_model(const hz_analytics_result *r)
{
    return r->clv.model;
}

const hz_holdout_report *hz_analytics_holdout(const hz_analytics_result *r,
                                              hz_purchase_kind m)
{
    return (unsigned)m <= HZ_PURCHASE_PNBD && r->clv.hold_ok[m]
               ? &r->clv.hold[m]
               : NULL;
}

const hz_palive_matrix *hz_analytics_palive_matrix(
    const hz_analytics_result *r)
{
    return r->clv.ok && r->clv.pam_buf ? &r->clv.pam : NULL;
}

double hz_analytics_expected_new(const hz_analytics_result *r,
                                 const double **pmf, size_t *n)
{
    bool ok = r->clv.ok;
    if (pmf)
        *pmf = ok ? r->clv.pmf : NULL;
    if (n)
        *n = ok ? HZ__PMF_MAX : 0;
    return ok ? r->clv.expected_new : NAN;
}

const double *hz_analytics_values(const hz_analytics_result *r,
                                  const char *name)
{
    const hz_customer_summary *s = r->cs;
    const hz__clv_part *c = &r->clv;
    const hz__churn_part *h = &r->churn;
    static const char *const names[] = {"recency_days",
                                        "frequency",
                                        "recency",
                                        "T",
                                        "monetary_value",
                                        "total_spend",
                                        "refunds",
                                        "frequency_holdout",
                                        "p_alive",
                                        "expected_purchases",
                                        "expected_spend",
                                        "clv",
                                        "churn_risk",
                                        "churn_probability",
                                        "churn_probability_cv",
                                        "rfm_frequency",
                                        "duration",
                                        "risk_score",
                                        NULL};
    const double *v[] = {r->rec_days,
                         s ? s->frequency : NULL,
                         s ? s->recency : NULL,
                         s ? s->T : NULL,
                         s ? s->monetary : NULL,
                         s ? s->total_spend : NULL,
                         s ? s->refunds : NULL,
                         s ? s->frequency_holdout : NULL,
                         c->ok ? c->p_alive : NULL,
                         c->ok ? c->exp_purch : NULL,
                         c->ok && c->gg_ok ? c->exp_spend : NULL,
                         c->ok && c->gg_ok ? c->clv : NULL,
                         h->ok ? h->risk : NULL,
                         h->ok ? h->prob : NULL,
                         h->ok ? h->oof : NULL,
                         r->seg.ok ? r->seg.fval : NULL,
                         r->surv.ok ? r->surv.duration : NULL,
                         r->surv.cox_ok ? r->surv.risk_score : NULL};
    for (size_t i = 0; name != NULL && names[i] != NULL; i++)
        if (strcmp(name, names[i]) == 0)
            return v[i];
    return NULL;
}

size_t hz_analytics_segments(const hz_analytics_result *r)
{
    return r->seg.ok ? HZ_SEG_COUNT : 0;
}

bool hz_analytics_segment(const hz_analytics_result *r, size_t i,
                          const char **name, size_t *size,
                          double *revenue_share)
{
    if (!r->seg.ok || i >= HZ_SEG_COUNT)
        return false;
    if (name)
        *name = hz_rfm_segment_name((int)i);
    if (size)
        *size = r->seg.segprof[i].size;
    if (revenue_share)
        *revenue_share = r->seg.segprof[i].revenue_share;
    return true;
}

const uint8_t *hz_analytics_rfm(const hz_analytics_result *r, char which)
{
    if (!r->seg.ok)
        return NULL;
    return which == 'r'   ? r->seg.rs
           : which == 'f' ? r->seg.fs
           : which == 'm' ? r->seg.ms
           : which == 's' ? r->seg.seg
                          : NULL;
}

int hz_analytics_clusters(const hz_analytics_result *r)
{
    return r->seg.ok ? r->seg.k : 0;
}

const double *hz_analytics_cluster_centers(const hz_analytics_result *r,
                                           double *inertia, int *iterations)
{
    if (inertia)
        *inertia = r->seg.ok ? r->seg.inertia : NAN;
    if (iterations)
        *iterations = r->seg.ok ? r->seg.iterations : 0;
    return r->seg.ok ? r->seg.centers : NULL;
}

const int32_t *hz_analytics_cluster_labels(const hz_analytics_result *r)
{
    return r->seg.ok ? r->seg.cluster : NULL;
}

const hz_km_curve *hz_analytics_km(const hz_analytics_result *r)
{
    return r->surv.ok ? &r->surv.km : NULL;
}

const hz_cox_model *hz_analytics_cox(const hz_analytics_result *r,
                                     const char *const **names)
{
    bool ok = r->surv.ok && r->surv.cox_ok;
    if (names)
        *names = ok ? (const char *const *)r->surv.names : NULL;
    return ok ? &r->surv.cox : NULL;
}

const char *hz_analytics_part_error(const hz_analytics_result *r,
                                    const char *part)
{
    if (part == NULL)
        return "";
    if (!strcmp(part, "clv"))
        return r->clv.err;
    if (!strcmp(part, "spend"))
        return r->clv.run ? r->clv.gg_err : "";
    if (!strcmp(part, "churn"))
        return r->churn.err;
    if (!strcmp(part, "segment"))
        return r->seg.err;
    if (!strcmp(part, "survival"))
        return r->surv.err;
    return "";
}

hz_status hz_analytics_parts_ok(const hz_analytics_result *r, hz_error *err)
{
    static const char *const parts[][2] = {{"clv", "the purchase model"},
                                           {"spend", "the spend model"},
                                           {"churn", "the churn model"},
                                           {"segment", "the segmentation"},
                                           {"survival", "the survival model"}};
    char msg[HZ_ERROR_MAX] = "";
    size_t len = 0;
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        const char *pe = hz_analytics_part_error(r, parts[i][0]);
        if (pe[0] == '\0' || len >= sizeof msg)
            continue;
        int w = snprintf(msg + len, sizeof msg - len,
                         "%s%s (%s part) failed: %s", len ? "; " : "",
                         parts[i][1], parts[i][0], pe);
        len = w < 0 ? sizeof msg : len + (size_t)w;
    }
    if (msg[0] == '\0')
        return HZ_OK;
    return hz_error_set(err, HZ_EINVAL, "%s", msg);
}
