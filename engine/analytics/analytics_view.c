/* A plain view of a result for writers such as the HTML report (see
 * analytics_view.h). */
#include <math.h>
#include <string.h>

#include "analytics/analytics_internal.h"
#include "horizon/analytics_view.h"

static void view_summary(const hz_analytics_result *r, hz_analytics_view *v)
{
    const hz_customer_summary *s = r->cs;
    if (s == NULL)
        return;
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

static void view_clv(const hz_analytics_result *r, hz_analytics_view *v)
{
    const hz__clv_part *c = &r->clv;
    v->horizon_months = (int)lround(hz_analytics_horizon_days(&r->req) /
                                    HZ_DAYS_PER_MONTH);
    v->clv_error = c->err;
    v->purchase_model = c->model;
    if (!c->ok)
        return;
    v->bgnbd = c->bg_ok ? &c->bg : NULL;
    v->gg = c->gg_ok ? &c->gg : NULL;
    v->p_alive = c->p_alive;
    v->expected_purchases = c->exp_purch;
    v->clv = c->gg_ok ? c->clv : NULL;
}

static void view_churn(const hz_analytics_result *r, hz_analytics_view *v)
{
    const hz__churn_part *c = &r->churn;
    v->churn_run = c->run;
    v->churn_error = c->err;
    if (!c->ok)
        return;
    v->churn_labelled = c->labelled;
    v->churn_method = c->method;
    v->churn_model = c->model;
    v->churn_rate = c->rate;
    v->churn_mean_risk = c->mean_risk;
    if (!c->labelled)
        return;
    v->label = c->label;
    v->churn_prob = c->prob;
    v->churn_oof = c->has_cv ? c->oof : NULL;
    v->folds = c->has_cv ? c->cv.k : 0;
    v->auc = c->has_cv ? c->cv.auc_mean : c->auc_in;
    v->auc_sd = c->has_cv ? c->cv.auc_sd : NAN;
    v->nfeat = c->nfeat;
    v->feat = (const char *const *)c->feat;
    v->coef = c->coef;
    v->coef_lo = c->coef_lo;
    v->coef_hi = c->coef_hi;
    v->coef_level = 95;
}

void hz_analytics_view_of(const hz_analytics_result *r, hz_analytics_view *v)
{
    memset(v, 0, sizeof *v);
    v->kind = r->kind;
    v->n = r->n;
    v->as_of = v->calibration_end = HZ_DAY_NONE;
    v->clv_error = v->churn_error = v->segment_error = "";
    view_summary(r, v);
    view_clv(r, v);
    view_churn(r, v);
    v->segment_error = r->seg.err;
    if (r->seg.ok) {
        v->segment = r->seg.seg;
        v->segment_profile = r->seg.segprof;
        v->k = r->seg.k;
        v->cluster = r->seg.cluster;
        v->cluster_profile = r->seg.clprof;
    }
}
